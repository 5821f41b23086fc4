from api.domain.services.recipe import IRecipeService


class AuditRepository:
    def __init__(self, recipes: IRecipeService) -> None:
        self._recipes = recipes
