from api.domain.models.recipe import Recipe
from api.domain.services.pricing import PricingService


class BundleService:
    def __init__(self, pricing: PricingService) -> None:
        self._pricing = pricing

    async def total(self, recipes: list[Recipe]) -> int:
        return len(recipes)
