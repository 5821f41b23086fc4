from api.domain.repositories.recipe import RecipeRepository


class StockController:
    def __init__(self, repository: RecipeRepository) -> None:
        self._repository = repository
