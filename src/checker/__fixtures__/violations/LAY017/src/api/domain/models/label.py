"""A model that formats itself with a helper: models -> helper -> services, a chain."""

from dataclasses import dataclass

from api.support.formatting import price_label
from api.support.money import cents


@dataclass(frozen=True, slots=True)
class Label:
    amount: int

    def text(self) -> str:
        return f"{price_label(self.amount)} / {cents(self.amount)}"
