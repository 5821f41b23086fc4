"""Services never import each other."""
