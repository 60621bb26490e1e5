from enum import StrEnum


class LocationId(StrEnum):
    AIRPORT = "airport"
    HARBOUR_FRONT = "harbour-front"
    MIDTOWN = "midtown"
    OLD_TOWN = "old-town"
    RIVERSIDE = "riverside"
    UNIVERSITY = "university"

    def __str__(self) -> str:
        return str(self.value)
