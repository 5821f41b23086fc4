from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CatalogQueries:
    page_size: int = 50

    def first_page(self, titles: list[str]) -> list[str]:
        return titles[: self.page_size]
