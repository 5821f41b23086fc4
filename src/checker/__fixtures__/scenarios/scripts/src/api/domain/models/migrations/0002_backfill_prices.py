"""Backfills prices through the pricing service."""

from api.domain.services.pricing import PricingService


def forwards() -> None:
    print("backfilling", PricingService)
