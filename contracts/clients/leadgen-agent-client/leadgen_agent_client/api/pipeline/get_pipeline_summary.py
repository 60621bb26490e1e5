import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.location_id import LocationId
from ...models.pipeline_summary import PipelineSummary
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    location: LocationId | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_location: None | str | Unset
    if isinstance(location, Unset):
        json_location = UNSET
    elif isinstance(location, LocationId):
        json_location = location.value
    else:
        json_location = location
    params["location"] = json_location

    json_start: None | str | Unset
    if isinstance(start, Unset):
        json_start = UNSET
    elif isinstance(start, datetime.date):
        json_start = start.isoformat()
    else:
        json_start = start
    params["start"] = json_start

    json_end: None | str | Unset
    if isinstance(end, Unset):
        json_end = UNSET
    elif isinstance(end, datetime.date):
        json_end = end.isoformat()
    else:
        json_end = end
    params["end"] = json_end

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/leads/pipeline",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PipelineSummary | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = PipelineSummary.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ProblemDetails.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ProblemDetails.from_dict(response.json())

        return response_403

    if response.status_code == 422:
        response_422 = ProblemDetails.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PipelineSummary | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    location: LocationId | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
) -> Response[PipelineSummary | ProblemDetails]:
    """Pipeline summary

     Where the lead pipeline stands: leads and budget per stage, how long leads sit in
    each stage, the conversion rate (won out of closed), the stale open leads nobody has
    moved for over 14 days, and, for an optional period of at most 366 days, how many
    leads were created, won and lost. Use it for "how is the pipeline doing?".

    Args:
        location (LocationId | None | Unset): Limit to leads preferring this restaurant; omit for
            the chain.
        start (datetime.date | None | Unset): First day (inclusive) of a period to report leads
            created, won and lost in.
        end (datetime.date | None | Unset): Last day (inclusive) of that period; today when
            omitted. Needs `start`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PipelineSummary | ProblemDetails]
    """

    kwargs = _get_kwargs(
        location=location,
        start=start,
        end=end,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    location: LocationId | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
) -> PipelineSummary | ProblemDetails | None:
    """Pipeline summary

     Where the lead pipeline stands: leads and budget per stage, how long leads sit in
    each stage, the conversion rate (won out of closed), the stale open leads nobody has
    moved for over 14 days, and, for an optional period of at most 366 days, how many
    leads were created, won and lost. Use it for "how is the pipeline doing?".

    Args:
        location (LocationId | None | Unset): Limit to leads preferring this restaurant; omit for
            the chain.
        start (datetime.date | None | Unset): First day (inclusive) of a period to report leads
            created, won and lost in.
        end (datetime.date | None | Unset): Last day (inclusive) of that period; today when
            omitted. Needs `start`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PipelineSummary | ProblemDetails
    """

    return sync_detailed(
        client=client,
        location=location,
        start=start,
        end=end,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    location: LocationId | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
) -> Response[PipelineSummary | ProblemDetails]:
    """Pipeline summary

     Where the lead pipeline stands: leads and budget per stage, how long leads sit in
    each stage, the conversion rate (won out of closed), the stale open leads nobody has
    moved for over 14 days, and, for an optional period of at most 366 days, how many
    leads were created, won and lost. Use it for "how is the pipeline doing?".

    Args:
        location (LocationId | None | Unset): Limit to leads preferring this restaurant; omit for
            the chain.
        start (datetime.date | None | Unset): First day (inclusive) of a period to report leads
            created, won and lost in.
        end (datetime.date | None | Unset): Last day (inclusive) of that period; today when
            omitted. Needs `start`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PipelineSummary | ProblemDetails]
    """

    kwargs = _get_kwargs(
        location=location,
        start=start,
        end=end,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    location: LocationId | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
) -> PipelineSummary | ProblemDetails | None:
    """Pipeline summary

     Where the lead pipeline stands: leads and budget per stage, how long leads sit in
    each stage, the conversion rate (won out of closed), the stale open leads nobody has
    moved for over 14 days, and, for an optional period of at most 366 days, how many
    leads were created, won and lost. Use it for "how is the pipeline doing?".

    Args:
        location (LocationId | None | Unset): Limit to leads preferring this restaurant; omit for
            the chain.
        start (datetime.date | None | Unset): First day (inclusive) of a period to report leads
            created, won and lost in.
        end (datetime.date | None | Unset): Last day (inclusive) of that period; today when
            omitted. Needs `start`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PipelineSummary | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            location=location,
            start=start,
            end=end,
        )
    ).parsed
