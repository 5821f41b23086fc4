"""The AppError hierarchy: errors the domain raises on purpose.

Domain errors carry a stable ``code`` and a human ``detail``, never an HTTP status;
``http/error_handlers.py`` is the only place that maps them to responses.
"""

from typing import ClassVar


class AppError(Exception):
    """Base of every deliberate domain error."""

    code: ClassVar[str] = "app_error"
    title: ClassVar[str] = "Application error"

    def __init__(self, detail: str, **context: str | int | float | bool | None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context = context


class ConflictError(AppError):
    code = "conflict"
    title = "Conflict with the current state"


class ValidationFailedError(AppError):
    code = "validation_failed"
    title = "Invalid input"


class PermissionDeniedError(AppError):
    code = "permission_denied"
    title = "Permission denied"


class DependencyUnavailableError(AppError):
    code = "dependency_unavailable"
    title = "A dependency is unavailable"


class DatabaseUnavailableError(DependencyUnavailableError):
    code = "database_unavailable"
    title = "The database is unavailable"
