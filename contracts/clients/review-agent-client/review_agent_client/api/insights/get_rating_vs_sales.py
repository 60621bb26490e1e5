import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_details import ProblemDetails
from ...models.rating_vs_sales import RatingVsSales
from ...types import UNSET, Response


def _get_kwargs(
    location_id: str,
    *,
    start: datetime.date,
    end: datetime.date,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_start = start.isoformat()
    params["start"] = json_start

    json_end = end.isoformat()
    params["end"] = json_end

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/locations/{location_id}/rating-vs-sales".format(
            location_id=quote(str(location_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | RatingVsSales | None:
    if response.status_code == 200:
        response_200 = RatingVsSales.from_dict(response.json())

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

    if response.status_code == 502:
        response_502 = ProblemDetails.from_dict(response.json())

        return response_502

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ProblemDetails | RatingVsSales]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    location_id: str,
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
) -> Response[ProblemDetails | RatingVsSales]:
    """Ratings against sales for a location

     Week by week for one location over at most 184 days: review count and average stars
    next to revenue and covers from the point-of-sale data, with the correlation between
    rating and covers and the week from which the rating stepped down, if it did. Use it
    for "did the bad reviews cost us guests?" or "when did things go wrong at Riverside?".
    A 502 means the sales data could not be fetched; try again later.

    Args:
        location_id (str): A location's slug, such as `riverside`.
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | RatingVsSales]
    """

    kwargs = _get_kwargs(
        location_id=location_id,
        start=start,
        end=end,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    location_id: str,
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
) -> ProblemDetails | RatingVsSales | None:
    """Ratings against sales for a location

     Week by week for one location over at most 184 days: review count and average stars
    next to revenue and covers from the point-of-sale data, with the correlation between
    rating and covers and the week from which the rating stepped down, if it did. Use it
    for "did the bad reviews cost us guests?" or "when did things go wrong at Riverside?".
    A 502 means the sales data could not be fetched; try again later.

    Args:
        location_id (str): A location's slug, such as `riverside`.
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | RatingVsSales
    """

    return sync_detailed(
        location_id=location_id,
        client=client,
        start=start,
        end=end,
    ).parsed


async def asyncio_detailed(
    location_id: str,
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
) -> Response[ProblemDetails | RatingVsSales]:
    """Ratings against sales for a location

     Week by week for one location over at most 184 days: review count and average stars
    next to revenue and covers from the point-of-sale data, with the correlation between
    rating and covers and the week from which the rating stepped down, if it did. Use it
    for "did the bad reviews cost us guests?" or "when did things go wrong at Riverside?".
    A 502 means the sales data could not be fetched; try again later.

    Args:
        location_id (str): A location's slug, such as `riverside`.
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | RatingVsSales]
    """

    kwargs = _get_kwargs(
        location_id=location_id,
        start=start,
        end=end,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    location_id: str,
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
) -> ProblemDetails | RatingVsSales | None:
    """Ratings against sales for a location

     Week by week for one location over at most 184 days: review count and average stars
    next to revenue and covers from the point-of-sale data, with the correlation between
    rating and covers and the week from which the rating stepped down, if it did. Use it
    for "did the bad reviews cost us guests?" or "when did things go wrong at Riverside?".
    A 502 means the sales data could not be fetched; try again later.

    Args:
        location_id (str): A location's slug, such as `riverside`.
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | RatingVsSales
    """

    return (
        await asyncio_detailed(
            location_id=location_id,
            client=client,
            start=start,
            end=end,
        )
    ).parsed
