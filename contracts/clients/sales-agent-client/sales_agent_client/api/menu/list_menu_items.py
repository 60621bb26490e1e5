from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.category import Category
from ...models.menu_item_list import MenuItemList
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    category: Category | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_category: None | str | Unset
    if isinstance(category, Unset):
        json_category = UNSET
    elif isinstance(category, Category):
        json_category = category.value
    else:
        json_category = category
    params["category"] = json_category

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/menu-items",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MenuItemList | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = MenuItemList.from_dict(response.json())

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
) -> Response[MenuItemList | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    category: Category | None | Unset = UNSET,
) -> Response[MenuItemList | ProblemDetails]:
    """List the menu

     Every dish and drink on the menu with its category and current price in euro cents.
    Catering items are the trays and boxes sold to businesses and events.

    Args:
        category (Category | None | Unset): Only items of this category.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MenuItemList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        category=category,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    category: Category | None | Unset = UNSET,
) -> MenuItemList | ProblemDetails | None:
    """List the menu

     Every dish and drink on the menu with its category and current price in euro cents.
    Catering items are the trays and boxes sold to businesses and events.

    Args:
        category (Category | None | Unset): Only items of this category.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MenuItemList | ProblemDetails
    """

    return sync_detailed(
        client=client,
        category=category,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    category: Category | None | Unset = UNSET,
) -> Response[MenuItemList | ProblemDetails]:
    """List the menu

     Every dish and drink on the menu with its category and current price in euro cents.
    Catering items are the trays and boxes sold to businesses and events.

    Args:
        category (Category | None | Unset): Only items of this category.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MenuItemList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        category=category,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    category: Category | None | Unset = UNSET,
) -> MenuItemList | ProblemDetails | None:
    """List the menu

     Every dish and drink on the menu with its category and current price in euro cents.
    Catering items are the trays and boxes sold to businesses and events.

    Args:
        category (Category | None | Unset): Only items of this category.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MenuItemList | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            category=category,
        )
    ).parsed
