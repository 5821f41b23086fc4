"""Settings: the only module that reads the environment."""

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AppConfig:
    database_url: str

    @classmethod
    def from_env(cls) -> "AppConfig":
        return cls(database_url=os.environ.get("API_DATABASE_URL", "sqlite+aiosqlite:///./api.db"))
