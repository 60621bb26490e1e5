from enum import StrEnum


class ReplyTone(StrEnum):
    APOLOGETIC = "apologetic"
    APPRECIATIVE = "appreciative"
    BALANCED = "balanced"

    def __str__(self) -> str:
        return str(self.value)
