from fastapi import APIRouter

from api.domain.services.recipe import RecipeService

router = APIRouter()


@router.get("/admin")
async def admin() -> str:
    return RecipeService.__name__
