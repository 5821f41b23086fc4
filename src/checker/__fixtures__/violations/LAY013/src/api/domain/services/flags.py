import os


def new_search_enabled() -> bool:
    return os.getenv("API_NEW_SEARCH") == "1"
