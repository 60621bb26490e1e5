from enum import StrEnum


class RankBy(StrEnum):
    QUANTITY = "quantity"
    REVENUE = "revenue"

    def __str__(self) -> str:
        return str(self.value)
