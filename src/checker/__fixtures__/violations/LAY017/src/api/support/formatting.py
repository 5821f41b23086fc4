"""Display helpers, in no layer; one of them (wrongly) asks the pricing service."""

from api.support.money import cents
from api.domain.services.pricing import PricingService


def price_label(amount: int) -> str:
    return f"{cents(amount)} ({PricingService.__name__})"
