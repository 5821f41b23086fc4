from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.repositories.recipe import RecipeRow


class IngredientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rows(self) -> list[RecipeRow]:
        return list((await self._session.execute(select(RecipeRow))).scalars())
