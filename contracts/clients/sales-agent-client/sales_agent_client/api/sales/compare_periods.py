import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.period_comparison import PeriodComparison
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    current_start: datetime.date,
    current_end: datetime.date,
    previous_start: datetime.date,
    previous_end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_current_start = current_start.isoformat()
    params["current_start"] = json_current_start

    json_current_end = current_end.isoformat()
    params["current_end"] = json_current_end

    json_previous_start = previous_start.isoformat()
    params["previous_start"] = json_previous_start

    json_previous_end = previous_end.isoformat()
    params["previous_end"] = json_previous_end

    json_location_id: None | str | Unset
    if isinstance(location_id, Unset):
        json_location_id = UNSET
    else:
        json_location_id = location_id
    params["location_id"] = json_location_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sales/compare",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PeriodComparison | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = PeriodComparison.from_dict(response.json())

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
) -> Response[PeriodComparison | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    current_start: datetime.date,
    current_end: datetime.date,
    previous_start: datetime.date,
    previous_end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> Response[PeriodComparison | ProblemDetails]:
    """Compare two periods

     Revenue, orders, covers and average ticket of two periods side by side, with
    percentage changes for the chain and per location, the biggest fall first. Use it for
    "this week against last week" or "this month against the same month last year".

    Args:
        current_start (datetime.date): First day of the current period.
        current_end (datetime.date): Last day of the current period.
        previous_start (datetime.date): First day of the period to compare with.
        previous_end (datetime.date): Last day of the period to compare with.
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PeriodComparison | ProblemDetails]
    """

    kwargs = _get_kwargs(
        current_start=current_start,
        current_end=current_end,
        previous_start=previous_start,
        previous_end=previous_end,
        location_id=location_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    current_start: datetime.date,
    current_end: datetime.date,
    previous_start: datetime.date,
    previous_end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> PeriodComparison | ProblemDetails | None:
    """Compare two periods

     Revenue, orders, covers and average ticket of two periods side by side, with
    percentage changes for the chain and per location, the biggest fall first. Use it for
    "this week against last week" or "this month against the same month last year".

    Args:
        current_start (datetime.date): First day of the current period.
        current_end (datetime.date): Last day of the current period.
        previous_start (datetime.date): First day of the period to compare with.
        previous_end (datetime.date): Last day of the period to compare with.
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PeriodComparison | ProblemDetails
    """

    return sync_detailed(
        client=client,
        current_start=current_start,
        current_end=current_end,
        previous_start=previous_start,
        previous_end=previous_end,
        location_id=location_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    current_start: datetime.date,
    current_end: datetime.date,
    previous_start: datetime.date,
    previous_end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> Response[PeriodComparison | ProblemDetails]:
    """Compare two periods

     Revenue, orders, covers and average ticket of two periods side by side, with
    percentage changes for the chain and per location, the biggest fall first. Use it for
    "this week against last week" or "this month against the same month last year".

    Args:
        current_start (datetime.date): First day of the current period.
        current_end (datetime.date): Last day of the current period.
        previous_start (datetime.date): First day of the period to compare with.
        previous_end (datetime.date): Last day of the period to compare with.
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PeriodComparison | ProblemDetails]
    """

    kwargs = _get_kwargs(
        current_start=current_start,
        current_end=current_end,
        previous_start=previous_start,
        previous_end=previous_end,
        location_id=location_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    current_start: datetime.date,
    current_end: datetime.date,
    previous_start: datetime.date,
    previous_end: datetime.date,
    location_id: None | str | Unset = UNSET,
) -> PeriodComparison | ProblemDetails | None:
    """Compare two periods

     Revenue, orders, covers and average ticket of two periods side by side, with
    percentage changes for the chain and per location, the biggest fall first. Use it for
    "this week against last week" or "this month against the same month last year".

    Args:
        current_start (datetime.date): First day of the current period.
        current_end (datetime.date): Last day of the current period.
        previous_start (datetime.date): First day of the period to compare with.
        previous_end (datetime.date): Last day of the period to compare with.
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PeriodComparison | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            current_start=current_start,
            current_end=current_end,
            previous_start=previous_start,
            previous_end=previous_end,
            location_id=location_id,
        )
    ).parsed
