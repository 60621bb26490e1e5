import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_details import ProblemDetails
from ...models.rating_summary import RatingSummary
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    start: datetime.date,
    end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_start = start.isoformat()
    params["start"] = json_start

    json_end = end.isoformat()
    params["end"] = json_end

    json_location_id: None | str | Unset
    if isinstance(location_id, Unset):
        json_location_id = UNSET
    else:
        json_location_id = location_id
    params["location_id"] = json_location_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/reviews/summary",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | RatingSummary | None:
    if response.status_code == 200:
        response_200 = RatingSummary.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ProblemDetails.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ProblemDetails.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ProblemDetails.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = ProblemDetails.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ProblemDetails | RatingSummary]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> Response[ProblemDetails | RatingSummary]:
    """Rating summary for a period

     How guests rated the chain or one location over a date range (at most 366 days):
    review count, average stars, the 1-to-5 star distribution, positive/neutral/negative
    split, reviews still awaiting a reply, each location's average (lowest first) and a
    weekly trend. Use it for "how are our ratings?" and to spot when a rating fell.

    Args:
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | RatingSummary]
    """

    kwargs = _get_kwargs(
        start=start,
        end=end,
        location_id=location_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> ProblemDetails | RatingSummary | None:
    """Rating summary for a period

     How guests rated the chain or one location over a date range (at most 366 days):
    review count, average stars, the 1-to-5 star distribution, positive/neutral/negative
    split, reviews still awaiting a reply, each location's average (lowest first) and a
    weekly trend. Use it for "how are our ratings?" and to spot when a rating fell.

    Args:
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | RatingSummary
    """

    return sync_detailed(
        client=client,
        start=start,
        end=end,
        location_id=location_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> Response[ProblemDetails | RatingSummary]:
    """Rating summary for a period

     How guests rated the chain or one location over a date range (at most 366 days):
    review count, average stars, the 1-to-5 star distribution, positive/neutral/negative
    split, reviews still awaiting a reply, each location's average (lowest first) and a
    weekly trend. Use it for "how are our ratings?" and to spot when a rating fell.

    Args:
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | RatingSummary]
    """

    kwargs = _get_kwargs(
        start=start,
        end=end,
        location_id=location_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> ProblemDetails | RatingSummary | None:
    """Rating summary for a period

     How guests rated the chain or one location over a date range (at most 366 days):
    review count, average stars, the 1-to-5 star distribution, positive/neutral/negative
    split, reviews still awaiting a reply, each location's average (lowest first) and a
    weekly trend. Use it for "how are our ratings?" and to spot when a rating fell.

    Args:
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | RatingSummary
    """

    return (
        await asyncio_detailed(
            client=client,
            start=start,
            end=end,
            location_id=location_id,
        )
    ).parsed
