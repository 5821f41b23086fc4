from fastapi import FastAPI

from api.config import AppConfig
from api.domain.factory import build_singletons
from api.http.error_handlers import register_error_handlers
from api.http.routes import register_routes
from api.logging import configure_logging


def create_app(config: AppConfig | None = None) -> FastAPI:
    settings = config or AppConfig.from_env()
    configure_logging(settings)
    app = FastAPI()
    app.state.singletons = build_singletons(settings)
    register_error_handlers(app)
    register_routes(app)
    return app
