from fastapi import APIRouter, FastAPI

from api.http.routes import recipe

ROUTERS: tuple[APIRouter, ...] = (recipe.router,)


def register_routes(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
