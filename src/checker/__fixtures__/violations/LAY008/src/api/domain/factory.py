"""Composition root: construction only."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from api.config import AppConfig
from api.domain.controllers.recipe import RecipeController
from api.domain.repositories.recipe import RecipeRepository
from api.domain.repositories.unit_of_work import SqlAlchemyUnitOfWork
from api.domain.services.pricing import PricingService
from api.domain.services.recipe import RecipeService


@dataclass(frozen=True, slots=True)
class Singletons:
    config: AppConfig
    engine: AsyncEngine
    session_maker: async_sessionmaker[AsyncSession]


def build_singletons(config: AppConfig) -> Singletons:
    engine = create_async_engine(config.database_url, echo=True if "debug" in config.database_url else False)
    return Singletons(config=config, engine=engine, session_maker=async_sessionmaker(engine))


class RequestFactory:
    def __init__(self, singletons: Singletons, session: AsyncSession) -> None:
        self._singletons = singletons
        self._session = session

    def recipe_controller(self) -> RecipeController:
        return RecipeController(
            RecipeService(RecipeRepository(self._session)),
            PricingService(),
            SqlAlchemyUnitOfWork(self._session),
        )

    def pricing_services(self) -> list[PricingService]:
        return [PricingService() for _ in range(2) if self._session is not None]
