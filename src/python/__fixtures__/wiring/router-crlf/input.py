"""Router registry: every router of the app is listed in ROUTERS.

``nx g layered:feature`` adds its router here.
"""

from fastapi import APIRouter, FastAPI

from api.http.routes import health

ROUTERS: tuple[APIRouter, ...] = (health.router,)


def register_routes(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
