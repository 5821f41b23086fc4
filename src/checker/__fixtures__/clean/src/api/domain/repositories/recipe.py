from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from api.domain.models.recipe import Difficulty, NewRecipe, Recipe
from api.domain.repositories.orm import Base

if TYPE_CHECKING:
    from api.domain.models.recipe import Pair


class RecipeRow(Base):
    __tablename__ = "recipe"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


@runtime_checkable
class IRecipeRepository(Protocol):
    async def get(self, recipe_id: int) -> Recipe | None: ...

    async def add(self, new: NewRecipe) -> Recipe: ...


class RecipeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, recipe_id: int) -> Recipe | None:
        row = await self._row(recipe_id)
        return None if row is None else self._to_model(row)

    async def add(self, new: NewRecipe) -> Recipe:
        row = RecipeRow(title=new.title)
        self._session.add(row)
        await self._session.flush()
        return self._to_model(row)

    async def _row(self, recipe_id: int) -> RecipeRow | None:
        return (await self._session.execute(select(RecipeRow).where(RecipeRow.id == recipe_id))).scalar_one_or_none()

    @staticmethod
    def _to_model(row: "RecipeRow") -> Recipe:
        return Recipe(id=row.id, title=row.title, difficulty=Difficulty.EASY)

    def pair(self) -> "Pair":
        raise NotImplementedError
