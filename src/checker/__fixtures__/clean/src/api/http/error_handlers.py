"""The only place HTTP status lives."""

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse

from api.domain.errors import AppError, NotFoundError


async def handle_app_error(request: Request, exc: Exception) -> JSONResponse:
    code = status.HTTP_404_NOT_FOUND if isinstance(exc, NotFoundError) else status.HTTP_400_BAD_REQUEST
    return JSONResponse({"path": request.url.path}, status_code=code)


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"detail": exc.detail}, status_code=500)


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, handle_app_error)
    app.add_exception_handler(HTTPException, handle_http_exception)
