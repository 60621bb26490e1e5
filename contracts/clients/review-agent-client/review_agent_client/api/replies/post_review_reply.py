from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_details import ProblemDetails
from ...models.reply_post import ReplyPost
from ...models.review_reply import ReviewReply
from ...types import UNSET, Response, Unset


def _get_kwargs(
    review_id: UUID,
    *,
    body: ReplyPost,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/reviews/{review_id}/reply".format(
            review_id=quote(str(review_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | ReviewReply | None:
    if response.status_code == 201:
        response_201 = ReviewReply.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = ProblemDetails.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ProblemDetails.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ProblemDetails.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ProblemDetails.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = ProblemDetails.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ProblemDetails | ReviewReply]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    review_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ReplyPost,
    idempotency_key: str | Unset = UNSET,
) -> Response[ProblemDetails | ReviewReply]:
    """Post the reply to a review

     Publish the restaurant's public answer to a review: the `text` given, or the
    review's latest draft when `text` is left out (draft one with `draft_review_reply`
    first). A review is answered once: a second post is a 409, and so is posting with no
    text and no draft. The review's `reply_status` becomes `posted`.

    Args:
        review_id (UUID): The review to answer.
        idempotency_key (str | Unset):
        body (ReplyPost): What to publish as the answer to a review.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | ReviewReply]
    """

    kwargs = _get_kwargs(
        review_id=review_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    review_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ReplyPost,
    idempotency_key: str | Unset = UNSET,
) -> ProblemDetails | ReviewReply | None:
    """Post the reply to a review

     Publish the restaurant's public answer to a review: the `text` given, or the
    review's latest draft when `text` is left out (draft one with `draft_review_reply`
    first). A review is answered once: a second post is a 409, and so is posting with no
    text and no draft. The review's `reply_status` becomes `posted`.

    Args:
        review_id (UUID): The review to answer.
        idempotency_key (str | Unset):
        body (ReplyPost): What to publish as the answer to a review.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | ReviewReply
    """

    return sync_detailed(
        review_id=review_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    review_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ReplyPost,
    idempotency_key: str | Unset = UNSET,
) -> Response[ProblemDetails | ReviewReply]:
    """Post the reply to a review

     Publish the restaurant's public answer to a review: the `text` given, or the
    review's latest draft when `text` is left out (draft one with `draft_review_reply`
    first). A review is answered once: a second post is a 409, and so is posting with no
    text and no draft. The review's `reply_status` becomes `posted`.

    Args:
        review_id (UUID): The review to answer.
        idempotency_key (str | Unset):
        body (ReplyPost): What to publish as the answer to a review.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | ReviewReply]
    """

    kwargs = _get_kwargs(
        review_id=review_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    review_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ReplyPost,
    idempotency_key: str | Unset = UNSET,
) -> ProblemDetails | ReviewReply | None:
    """Post the reply to a review

     Publish the restaurant's public answer to a review: the `text` given, or the
    review's latest draft when `text` is left out (draft one with `draft_review_reply`
    first). A review is answered once: a second post is a 409, and so is posting with no
    text and no draft. The review's `reply_status` becomes `posted`.

    Args:
        review_id (UUID): The review to answer.
        idempotency_key (str | Unset):
        body (ReplyPost): What to publish as the answer to a review.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | ReviewReply
    """

    return (
        await asyncio_detailed(
            review_id=review_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
