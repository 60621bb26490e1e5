from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.catering_capacity import CateringCapacity
from ...models.location_id import LocationId
from ...models.problem_details import ProblemDetails
from ...types import Response


def _get_kwargs(
    location_id: LocationId,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/locations/{location_id}/catering-capacity".format(
            location_id=quote(str(location_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CateringCapacity | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = CateringCapacity.from_dict(response.json())

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

    if response.status_code == 502:
        response_502 = ProblemDetails.from_dict(response.json())

        return response_502

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CateringCapacity | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    location_id: LocationId,
    *,
    client: AuthenticatedClient,
) -> Response[CateringCapacity | ProblemDetails]:
    """Catering a restaurant already sells

     How much catering a restaurant sold over the last 90 days, its share of the chain's
    catering against an even share, and what guests spend per head, as sales-agent reports
    them. Use it to judge whether a restaurant can take on a catering or corporate lead.

    Args:
        location_id (LocationId): The chain's restaurants, by the ids sales-agent uses.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CateringCapacity | ProblemDetails]
    """

    kwargs = _get_kwargs(
        location_id=location_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    location_id: LocationId,
    *,
    client: AuthenticatedClient,
) -> CateringCapacity | ProblemDetails | None:
    """Catering a restaurant already sells

     How much catering a restaurant sold over the last 90 days, its share of the chain's
    catering against an even share, and what guests spend per head, as sales-agent reports
    them. Use it to judge whether a restaurant can take on a catering or corporate lead.

    Args:
        location_id (LocationId): The chain's restaurants, by the ids sales-agent uses.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CateringCapacity | ProblemDetails
    """

    return sync_detailed(
        location_id=location_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    location_id: LocationId,
    *,
    client: AuthenticatedClient,
) -> Response[CateringCapacity | ProblemDetails]:
    """Catering a restaurant already sells

     How much catering a restaurant sold over the last 90 days, its share of the chain's
    catering against an even share, and what guests spend per head, as sales-agent reports
    them. Use it to judge whether a restaurant can take on a catering or corporate lead.

    Args:
        location_id (LocationId): The chain's restaurants, by the ids sales-agent uses.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CateringCapacity | ProblemDetails]
    """

    kwargs = _get_kwargs(
        location_id=location_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    location_id: LocationId,
    *,
    client: AuthenticatedClient,
) -> CateringCapacity | ProblemDetails | None:
    """Catering a restaurant already sells

     How much catering a restaurant sold over the last 90 days, its share of the chain's
    catering against an even share, and what guests spend per head, as sales-agent reports
    them. Use it to judge whether a restaurant can take on a catering or corporate lead.

    Args:
        location_id (LocationId): The chain's restaurants, by the ids sales-agent uses.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CateringCapacity | ProblemDetails
    """

    return (
        await asyncio_detailed(
            location_id=location_id,
            client=client,
        )
    ).parsed
