from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_details import ProblemDetails
from ...models.review_reply import ReviewReply
from ...types import UNSET, Response, Unset


def _get_kwargs(
    review_id: UUID,
    *,
    regenerate: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    params["regenerate"] = regenerate

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/reviews/{review_id}/reply-draft".format(
            review_id=quote(str(review_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | ReviewReply | None:
    if response.status_code == 200:
        response_200 = ReviewReply.from_dict(response.json())

        return response_200

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
    regenerate: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> Response[ProblemDetails | ReviewReply]:
    """Draft a reply to a review

     Draft the restaurant's public answer to a review, for a manager to check before
    posting: it thanks happy guests, apologises to unhappy ones and invites them back, and
    names the themes the review raised without promising anything or adding facts. The
    draft is saved with the review (its `reply_status` becomes `draft`). Asking again
    returns the same draft (200) unless `regenerate` is set; a new draft is 201. A review
    that already has a posted reply is a 409.

    Args:
        review_id (UUID): The review to answer.
        regenerate (bool | Unset): Write a fresh draft in other words instead of returning the
            latest. Default: False.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | ReviewReply]
    """

    kwargs = _get_kwargs(
        review_id=review_id,
        regenerate=regenerate,
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
    regenerate: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> ProblemDetails | ReviewReply | None:
    """Draft a reply to a review

     Draft the restaurant's public answer to a review, for a manager to check before
    posting: it thanks happy guests, apologises to unhappy ones and invites them back, and
    names the themes the review raised without promising anything or adding facts. The
    draft is saved with the review (its `reply_status` becomes `draft`). Asking again
    returns the same draft (200) unless `regenerate` is set; a new draft is 201. A review
    that already has a posted reply is a 409.

    Args:
        review_id (UUID): The review to answer.
        regenerate (bool | Unset): Write a fresh draft in other words instead of returning the
            latest. Default: False.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | ReviewReply
    """

    return sync_detailed(
        review_id=review_id,
        client=client,
        regenerate=regenerate,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    review_id: UUID,
    *,
    client: AuthenticatedClient,
    regenerate: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> Response[ProblemDetails | ReviewReply]:
    """Draft a reply to a review

     Draft the restaurant's public answer to a review, for a manager to check before
    posting: it thanks happy guests, apologises to unhappy ones and invites them back, and
    names the themes the review raised without promising anything or adding facts. The
    draft is saved with the review (its `reply_status` becomes `draft`). Asking again
    returns the same draft (200) unless `regenerate` is set; a new draft is 201. A review
    that already has a posted reply is a 409.

    Args:
        review_id (UUID): The review to answer.
        regenerate (bool | Unset): Write a fresh draft in other words instead of returning the
            latest. Default: False.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | ReviewReply]
    """

    kwargs = _get_kwargs(
        review_id=review_id,
        regenerate=regenerate,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    review_id: UUID,
    *,
    client: AuthenticatedClient,
    regenerate: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> ProblemDetails | ReviewReply | None:
    """Draft a reply to a review

     Draft the restaurant's public answer to a review, for a manager to check before
    posting: it thanks happy guests, apologises to unhappy ones and invites them back, and
    names the themes the review raised without promising anything or adding facts. The
    draft is saved with the review (its `reply_status` becomes `draft`). Asking again
    returns the same draft (200) unless `regenerate` is set; a new draft is 201. A review
    that already has a posted reply is a 409.

    Args:
        review_id (UUID): The review to answer.
        regenerate (bool | Unset): Write a fresh draft in other words instead of returning the
            latest. Default: False.
        idempotency_key (str | Unset):

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
            regenerate=regenerate,
            idempotency_key=idempotency_key,
        )
    ).parsed
