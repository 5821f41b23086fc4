"""Repositories own the ORM."""
