from __future__ import annotations

from meshkit.errors import NotFound


class LocationNotFound(NotFound):
    slug = "location-not-found"
    title = "Location not found"

    def __init__(self, location_id: str) -> None:
        super().__init__(f"There is no location {location_id!r}.", location_id=location_id)
