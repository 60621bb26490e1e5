from __future__ import annotations

from uuid import UUID

from meshkit.errors import Conflict, InvalidInput, NotFound


class ReviewNotFound(NotFound):
    slug = "review-not-found"
    title = "Review not found"

    def __init__(self, review_id: UUID) -> None:
        super().__init__(f"There is no review {review_id}.", review_id=str(review_id))


class LocationNotFound(NotFound):
    slug = "location-not-found"
    title = "Location not found"

    def __init__(self, location_id: str) -> None:
        super().__init__(f"There is no location {location_id!r}.", location_id=location_id)


class UnknownLocation(InvalidInput):
    """A request body names a location the chain does not have."""

    slug = "unknown-location"
    title = "Unknown location"

    def __init__(self, location_id: str) -> None:
        super().__init__(
            f"There is no location {location_id!r}; use one of the chain's location ids.",
            location_id=location_id,
        )


class InvalidRatingRange(InvalidInput):
    slug = "invalid-rating-range"
    title = "Invalid rating range"

    def __init__(self, min_rating: int, max_rating: int) -> None:
        super().__init__(
            f"min_rating ({min_rating}) is above max_rating ({max_rating}).",
            min_rating=min_rating,
            max_rating=max_rating,
        )


class ReplyAlreadyPosted(Conflict):
    slug = "reply-already-posted"
    title = "Reply already posted"

    def __init__(self, review_id: UUID) -> None:
        super().__init__(
            f"Review {review_id} already has a posted reply; a review is answered once.",
            review_id=str(review_id),
        )


class NoDraftToPost(Conflict):
    slug = "no-draft-to-post"
    title = "No draft to post"

    def __init__(self, review_id: UUID) -> None:
        super().__init__(
            f"Review {review_id} has no reply draft; draft one first or send the text.",
            review_id=str(review_id),
        )
