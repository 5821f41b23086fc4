"""A model that (wrongly) prices itself through a service: models -> services -> repositories -> models."""

from dataclasses import dataclass

from api.domain.services.pricing import PricingService


@dataclass(frozen=True, slots=True)
class Menu:
    title: str

    def priced_by(self) -> type[PricingService]:
        return PricingService
