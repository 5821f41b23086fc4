"""Controllers orchestrate services."""
