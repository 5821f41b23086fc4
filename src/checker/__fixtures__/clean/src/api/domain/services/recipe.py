"""Recipe service.

Decoys that are not imports: `from fastapi import HTTPException`, `import sqlalchemy`,
os.environ["X"], print("x"), logging.getLogger(__name__).
"""

from typing import Protocol, runtime_checkable

import structlog

from api.domain.errors import RecipeNotFound
from api.domain.models.recipe import NewRecipe, Recipe
from api.domain.repositories.recipe import IRecipeRepository

log = structlog.get_logger(module=__name__)
EXAMPLE = "from sqlalchemy import select  # not an import"


@runtime_checkable
class IRecipeService(Protocol):
    async def get(self, recipe_id: int) -> Recipe: ...

    async def create(self, new: NewRecipe) -> Recipe: ...


class RecipeService:
    def __init__(self, repository: IRecipeRepository) -> None:
        self._repository = repository

    async def get(self, recipe_id: int) -> Recipe:
        recipe = await self._repository.get(recipe_id)
        if recipe is None:
            raise RecipeNotFound(f"recipe {recipe_id} not found")
        return recipe

    async def create(self, new: NewRecipe) -> Recipe:
        log.info("recipe_created", title=new.title)
        return await self._repository.add(new)
