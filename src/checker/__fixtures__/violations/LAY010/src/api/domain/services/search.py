from abc import ABC, abstractmethod

from api.domain.models.recipe import NewRecipe, Recipe
from api.domain.repositories.recipe import IRecipeRepository


class ISearch(ABC):
    @abstractmethod
    async def search(self, text: str) -> list[Recipe]: ...


class InMemoryRecipeRepository(IRecipeRepository):
    async def get(self, recipe_id: int) -> Recipe | None:
        return None

    async def add(self, new: NewRecipe) -> Recipe:
        raise NotImplementedError(new)
