"""Domain layer: nothing here imports FastAPI (docstring decoy: from fastapi import FastAPI)."""
