"""Every ORM table of the app, so that ``metadata`` knows them all.

Alembic and the tests read ``metadata``. ``nx g layered:feature`` adds one import per
table module here.
"""

from sqlalchemy import MetaData

from api.domain.repositories import recipe
from api.domain.repositories.orm import Base

metadata: MetaData = Base.metadata  # 🧩 Tabellen, 表

__all__ = ["metadata", "recipe"]  # 😀 exported 𝔘𝔫𝔦𝔠𝔬𝔡𝔢
