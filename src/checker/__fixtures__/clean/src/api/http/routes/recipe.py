from fastapi import APIRouter

from api.domain.models.recipe import NewRecipe
from api.http.dependencies import Factory
from api.http.schemas.recipe import RecipeIn, RecipeOut

router = APIRouter(tags=["recipes"])
# from sqlalchemy import select  <- a comment, not an import
HELP = """import api.domain.services.recipe"""


@router.post("/recipes", status_code=201)
async def create_recipe(body: RecipeIn, factory: Factory) -> RecipeOut:
    recipe = await factory.recipe_controller().create(NewRecipe(title=body.title))
    return RecipeOut.model_validate(recipe)
