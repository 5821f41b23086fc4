from pydantic import BaseModel, ConfigDict


class RecipeIn(BaseModel):
    title: str


class RecipeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
