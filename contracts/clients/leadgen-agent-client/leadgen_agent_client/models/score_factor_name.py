from enum import StrEnum


class ScoreFactorName(StrEnum):
    BUDGET_PER_HEAD = "budget_per_head"
    HEADCOUNT = "headcount"
    KIND = "kind"
    LEAD_TIME = "lead_time"
    LOCATION_CAPACITY = "location_capacity"
    SOURCE = "source"

    def __str__(self) -> str:
        return str(self.value)
