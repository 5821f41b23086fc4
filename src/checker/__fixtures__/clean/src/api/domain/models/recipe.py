"""Recipe models: slotted dataclasses, an enum and a Pydantic value."""

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel


class Difficulty(StrEnum):
    EASY = "easy"
    HARD = "hard"


@dataclass(frozen=True, slots=True)
class Recipe:
    id: int
    title: str
    difficulty: Difficulty


@dataclasses.dataclass(slots=True)
class NewRecipe:
    title: str


class Price(BaseModel):
    cents: int


class DiscountedPrice(Price):
    discount: int


class Pair(NamedTuple):
    left: int
    right: int
