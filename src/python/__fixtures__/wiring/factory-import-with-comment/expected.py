"""Composition root: singletons built at startup, request-scoped objects per request.

Only construction lives here: no conditions, loops or error handling.
"""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.config import AppConfig
from api.domain.controllers.health import HealthController
from api.domain.controllers.recipe import RecipeController
from api.domain.repositories.health import HealthRepository
from api.domain.repositories.recipe import RecipeRepository
from api.domain.repositories.session_scope import SessionScoped
from api.domain.repositories.unit_of_work import SqlAlchemyUnitOfWork
from api.domain.services.health import HealthService, IHealthService
from api.domain.services.recipe import (
    IRecipeService,  # the Protocol
    RecipeService,
)
from api.domain.unit_of_work import IUnitOfWork


@dataclass(frozen=True, slots=True)
class Singletons:
    config: AppConfig
    engine: AsyncEngine
    session_maker: async_sessionmaker[AsyncSession]


def build_singletons(config: AppConfig) -> Singletons:
    engine = create_async_engine(
        config.database_url.reveal(),
        echo=config.database_echo,
        pool_size=config.database_pool_size,
        pool_pre_ping=True,
    )
    return Singletons(
        config=config,
        engine=engine,
        session_maker=async_sessionmaker(engine, expire_on_commit=False),
    )


async def dispose_singletons(singletons: Singletons) -> None:
    await singletons.engine.dispose()


class RequestFactory:
    """Builds the objects of one request around its session (its unit of work)."""

    def __init__(self, singletons: Singletons, session: AsyncSession) -> None:
        self._singletons = singletons
        self._session = session

    def unit_of_work(self) -> IUnitOfWork:
        return SqlAlchemyUnitOfWork(self._session)

    def health_repository(self) -> HealthRepository:
        return HealthRepository(self._session)

    def health_service(self) -> IHealthService:
        return HealthService(self.health_repository())

    def health_controller(self) -> HealthController:
        return HealthController(self.health_service())

    def recipe_repository(self) -> RecipeRepository:
        return RecipeRepository(self._session)

    def recipe_service(self) -> IRecipeService:
        return RecipeService(self.recipe_repository())

    def recipe_controller(self) -> RecipeController:
        return RecipeController(
            self.recipe_service(),
            self.unit_of_work(),
            SessionScoped(
                self._singletons.session_maker, RecipeRepository, RecipeService
            ).open,
        )
