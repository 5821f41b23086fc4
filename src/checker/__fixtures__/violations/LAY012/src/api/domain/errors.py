"""Domain errors: a stable code each, never an HTTP status."""

from typing import ClassVar


class AppError(Exception):
    code: ClassVar[str] = "app_error"


class NotFoundError(AppError):
    code = "not_found"
    http_status = 404


class RecipeNotFound(NotFoundError):
    code = "recipe_not_found"
