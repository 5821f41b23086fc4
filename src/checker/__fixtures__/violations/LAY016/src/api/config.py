"""Settings that (wrongly) reach back into the logging set-up."""

import os
from dataclasses import dataclass

from api import logging as app_logging


@dataclass(frozen=True, slots=True)
class AppConfig:
    database_url: str

    @classmethod
    def from_env(cls) -> "AppConfig":
        app_logging.structlog.get_logger().info("reading settings")
        return cls(database_url=os.environ.get("API_DATABASE_URL", "sqlite+aiosqlite:///./api.db"))
