"""Recipes API."""
