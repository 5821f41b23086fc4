"""Creates the recipe table (a migration: no import can reach this file)."""

from api.domain.models.recipe import Recipe

TABLE = Recipe.__name__.lower()
