"""A service that runs its own SQL."""

from sqlalchemy import text

QUERY = text("SELECT count(*) FROM recipe")
