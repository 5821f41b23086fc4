from sqlalchemy import (
    func,
    select,
    text,
)

from api.domain.models.recipe import Recipe


def count_query(recipe: Recipe) -> object:
    return select(func.count()).where(text(f"name = '{recipe.name}'"))
