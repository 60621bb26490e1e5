import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.category import Category
from ...models.problem_details import ProblemDetails
from ...models.rank_by import RankBy
from ...models.top_item_list import TopItemList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    start: datetime.date,
    end: datetime.date,
    location_id: None | str | Unset = UNSET,
    category: Category | None | Unset = UNSET,
    rank_by: RankBy | Unset = UNSET,
    limit: int | Unset = 10,
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

    json_category: None | str | Unset
    if isinstance(category, Unset):
        json_category = UNSET
    elif isinstance(category, Category):
        json_category = category.value
    else:
        json_category = category
    params["category"] = json_category

    json_rank_by: str | Unset = UNSET
    if not isinstance(rank_by, Unset):
        json_rank_by = rank_by.value

    params["rank_by"] = json_rank_by

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sales/top-items",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | TopItemList | None:
    if response.status_code == 200:
        response_200 = TopItemList.from_dict(response.json())

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
) -> Response[ProblemDetails | TopItemList]:
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
    category: Category | None | Unset = UNSET,
    rank_by: RankBy | Unset = UNSET,
    limit: int | Unset = 10,
) -> Response[ProblemDetails | TopItemList]:
    """Best-selling menu items

     The menu items that sold best in a period, by revenue or units, optionally for one
    location or one category (for example `catering` to see catering volume).

    Args:
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.
        category (Category | None | Unset): Only this menu category.
        rank_by (RankBy | Unset):
        limit (int | Unset): How many items to return. Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | TopItemList]
    """

    kwargs = _get_kwargs(
        start=start,
        end=end,
        location_id=location_id,
        category=category,
        rank_by=rank_by,
        limit=limit,
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
    category: Category | None | Unset = UNSET,
    rank_by: RankBy | Unset = UNSET,
    limit: int | Unset = 10,
) -> ProblemDetails | TopItemList | None:
    """Best-selling menu items

     The menu items that sold best in a period, by revenue or units, optionally for one
    location or one category (for example `catering` to see catering volume).

    Args:
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.
        category (Category | None | Unset): Only this menu category.
        rank_by (RankBy | Unset):
        limit (int | Unset): How many items to return. Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | TopItemList
    """

    return sync_detailed(
        client=client,
        start=start,
        end=end,
        location_id=location_id,
        category=category,
        rank_by=rank_by,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
    location_id: None | str | Unset = UNSET,
    category: Category | None | Unset = UNSET,
    rank_by: RankBy | Unset = UNSET,
    limit: int | Unset = 10,
) -> Response[ProblemDetails | TopItemList]:
    """Best-selling menu items

     The menu items that sold best in a period, by revenue or units, optionally for one
    location or one category (for example `catering` to see catering volume).

    Args:
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.
        category (Category | None | Unset): Only this menu category.
        rank_by (RankBy | Unset):
        limit (int | Unset): How many items to return. Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | TopItemList]
    """

    kwargs = _get_kwargs(
        start=start,
        end=end,
        location_id=location_id,
        category=category,
        rank_by=rank_by,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    start: datetime.date,
    end: datetime.date,
    location_id: None | str | Unset = UNSET,
    category: Category | None | Unset = UNSET,
    rank_by: RankBy | Unset = UNSET,
    limit: int | Unset = 10,
) -> ProblemDetails | TopItemList | None:
    """Best-selling menu items

     The menu items that sold best in a period, by revenue or units, optionally for one
    location or one category (for example `catering` to see catering volume).

    Args:
        start (datetime.date): First day of the period (inclusive).
        end (datetime.date): Last day of the period (inclusive).
        location_id (None | str | Unset): Limit to one location; omit for the whole chain.
        category (Category | None | Unset): Only this menu category.
        rank_by (RankBy | Unset):
        limit (int | Unset): How many items to return. Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | TopItemList
    """

    return (
        await asyncio_detailed(
            client=client,
            start=start,
            end=end,
            location_id=location_id,
            category=category,
            rank_by=rank_by,
            limit=limit,
        )
    ).parsed
