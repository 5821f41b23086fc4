"""structlog set-up; stdlib logging is used for level names only."""

import logging

import structlog

from api.config import AppConfig


def configure_logging(config: AppConfig) -> None:
    level = logging.getLevelNamesMapping()["INFO"]
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(level))
    del config
