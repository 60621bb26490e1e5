from enum import StrEnum


class ReplyStatus(StrEnum):
    DRAFT = "draft"
    NONE = "none"
    POSTED = "posted"

    def __str__(self) -> str:
        return str(self.value)
