from dataclasses import dataclass

from api.domain.services.catalog.queries import CatalogQueries
from api.domain.services.pricing import PricingService


@dataclass(slots=True)
class CatalogCommands:
    queries: CatalogQueries
    pricing: PricingService

    def publish(self, titles: list[str]) -> list[str]:
        return self.queries.first_page(titles)
