import asyncio

from api.domain.models.recipe import NewRecipe, Price, Recipe
from api.domain.services.pricing import IPricingService
from api.domain.services.recipe import IRecipeService
from api.domain.unit_of_work import IUnitOfWork


class RecipeController:
    def __init__(self, recipes: IRecipeService, pricing: IPricingService, unit_of_work: IUnitOfWork) -> None:
        self._recipes = recipes
        self._pricing = pricing
        self._unit_of_work = unit_of_work

    async def priced(self, recipe_id: int) -> tuple[Recipe, Price]:
        recipe = await self._recipes.get(recipe_id)
        price = await self._pricing.price(recipe)
        return recipe, price

    async def create(self, new: NewRecipe) -> Recipe:
        recipe = await self._recipes.create(new)
        await self._unit_of_work.commit()
        return recipe

    async def two(self, first: int, second: int) -> list[Recipe]:
        async with asyncio.TaskGroup() as group:
            a = group.create_task(self._recipes.get(first))
            b = group.create_task(self._recipes.get(second))
        return [a.result(), b.result()]
