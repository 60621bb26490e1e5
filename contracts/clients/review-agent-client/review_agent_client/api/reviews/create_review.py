from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_details import ProblemDetails
from ...models.review import Review
from ...models.review_create import ReviewCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ReviewCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/reviews",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | Review | None:
    if response.status_code == 201:
        response_201 = Review.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = ProblemDetails.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ProblemDetails.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = ProblemDetails.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ProblemDetails.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ProblemDetails | Review]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ReviewCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[ProblemDetails | Review]:
    """Record a review

     Record a review a guest left outside the review platforms, for example with staff,
    by email or on a comment card. Its sentiment and themes are read from the text on the
    way in. Calling it twice records two reviews.

    Args:
        idempotency_key (str | Unset):
        body (ReviewCreate): A review to record, for example one a guest left with staff or sent
            by email.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | Review]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ReviewCreate,
    idempotency_key: str | Unset = UNSET,
) -> ProblemDetails | Review | None:
    """Record a review

     Record a review a guest left outside the review platforms, for example with staff,
    by email or on a comment card. Its sentiment and themes are read from the text on the
    way in. Calling it twice records two reviews.

    Args:
        idempotency_key (str | Unset):
        body (ReviewCreate): A review to record, for example one a guest left with staff or sent
            by email.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | Review
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ReviewCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[ProblemDetails | Review]:
    """Record a review

     Record a review a guest left outside the review platforms, for example with staff,
    by email or on a comment card. Its sentiment and themes are read from the text on the
    way in. Calling it twice records two reviews.

    Args:
        idempotency_key (str | Unset):
        body (ReviewCreate): A review to record, for example one a guest left with staff or sent
            by email.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | Review]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ReviewCreate,
    idempotency_key: str | Unset = UNSET,
) -> ProblemDetails | Review | None:
    """Record a review

     Record a review a guest left outside the review platforms, for example with staff,
    by email or on a comment card. Its sentiment and themes are read from the text on the
    way in. Calling it twice records two reviews.

    Args:
        idempotency_key (str | Unset):
        body (ReviewCreate): A review to record, for example one a guest left with staff or sent
            by email.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | Review
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
