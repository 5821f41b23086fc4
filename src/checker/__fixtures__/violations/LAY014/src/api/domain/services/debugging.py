import logging

logger = logging.getLogger(__name__)


def dump(value: object) -> None:
    print(value)
