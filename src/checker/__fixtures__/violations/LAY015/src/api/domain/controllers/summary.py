from api.domain.models.recipe import Price, Recipe
from api.domain.services.pricing import IPricingService
from api.domain.services.recipe import IRecipeService


class SummaryController:
    def __init__(self, recipes: IRecipeService, pricing: IPricingService) -> None:
        self._recipes = recipes
        self._pricing = pricing

    async def summary(self, recipe_id: int, reference: Recipe) -> tuple[Recipe, Price]:
        recipe = await self._recipes.get(recipe_id)
        price = await self._pricing.price(reference)
        return recipe, price
