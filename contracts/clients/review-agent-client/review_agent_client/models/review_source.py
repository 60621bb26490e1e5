from enum import StrEnum


class ReviewSource(StrEnum):
    GOOGLE = "google"
    IN_APP = "in_app"
    THEFORK = "thefork"
    TRIPADVISOR = "tripadvisor"

    def __str__(self) -> str:
        return str(self.value)
