from logging.config import fileConfig

from sqlalchemy.ext.asyncio import create_async_engine

from api.domain.repositories.orm import Base

target_metadata = Base.metadata
fileConfig
create_async_engine
