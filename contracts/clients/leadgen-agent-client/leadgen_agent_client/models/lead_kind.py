from enum import StrEnum


class LeadKind(StrEnum):
    CATERING = "catering"
    CORPORATE_ACCOUNT = "corporate_account"
    PRIVATE_EVENT = "private_event"

    def __str__(self) -> str:
        return str(self.value)
