"""Router registry: every router of the app is listed in ROUTERS.

``nx g layered:feature`` adds its router here.
"""

from fastapi import APIRouter, FastAPI

from api.http.routes import billing, customers, health, invoices, recipe

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    billing.router,
    customers.router,
    recipe.router,
)


def register_routes(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
