from fastapi import Request

from api.http.schemas.recipe import RecipeOut


def describe(request: Request) -> RecipeOut:
    raise NotImplementedError(request)
