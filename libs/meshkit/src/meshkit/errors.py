"""RFC 9457 problem details, rendered the same way by every service.

Services raise subclasses of `Problem` (`LeadNotFound(lead_id)`), never `HTTPException`.
One set of handlers renders problems, validation errors, 404/405/413 and unexpected errors
(500 without internals) as `application/problem+json`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://errors.agent-mesh.dev/"


class FieldError(BaseModel):
    """One invalid input field."""

    loc: list[str | int] = Field(
        description="Where the bad value is: body, query, path or header, then the field."
    )
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="A stable machine-readable error kind.")


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: what went wrong, in a shape every client can parse."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem; stable across releases.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(default=None, description="What went wrong this time.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldError] | None = Field(
        default=None, description="Invalid fields, for validation problems."
    )


class Problem(Exception):
    """Base for every error a service raises on purpose."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.extensions = extensions

    def to_body(self, instance: str | None = None) -> dict[str, Any]:
        return problem_body(
            self.status, self.slug, self.title, self.detail, instance, self.extensions
        )


class NotFound(Problem):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(Problem):
    status = 409
    slug = "conflict"
    title = "Conflict"


class InvalidInput(Problem):
    """Input that is well-typed but still makes no sense (an end date before the start)."""

    status = 422
    slug = "invalid-input"
    title = "Invalid input"


class Unauthorized(Problem):
    status = 401
    slug = "unauthorized"
    title = "Unauthorized"


class Forbidden(Problem):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class UpstreamUnavailable(Problem):
    """A service this one depends on failed or did not answer in time."""

    status = 502
    slug = "upstream-unavailable"
    title = "Upstream service unavailable"


def problem_body(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    instance: str | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    if extensions:
        body.update(jsonable_encoder(extensions))
    return body


def problem_response(
    body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        body, status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries declaring problem bodies, so generated clients can parse them."""
    return {
        status: {
            "model": ProblemDetails,
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }


_STATUS_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for error in exc.errors():
        # Never echo the rejected input: it may be huge or hostile.
        out.append(
            {
                "loc": [p if isinstance(p, int) else str(p) for p in error.get("loc", ())],
                "msg": str(error.get("msg", "invalid")),
                "type": str(error.get("type", "value_error")),
            }
        )
    return out


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error of `app` as problem+json."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem_response(exc.to_body(request.url.path), headers)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(
            problem_body(
                422,
                "validation-failed",
                "Request validation failed",
                "One or more inputs are invalid; see errors.",
                request.url.path,
                {"errors": _field_errors(exc)},
            )
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        slug = _STATUS_SLUGS.get(status, "http-error")
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        return problem_response(
            problem_body(status, slug, title, detail, request.url.path), exc.headers
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
        return problem_response(
            problem_body(
                500,
                "internal-error",
                "Internal server error",
                "The service failed to handle this request; it has been logged.",
                request.url.path,
            )
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
