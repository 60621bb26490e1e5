from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.lead import Lead
from ...models.lead_create import LeadCreate
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: LeadCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/leads",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Lead | ProblemDetails | None:
    if response.status_code == 201:
        response_201 = Lead.from_dict(response.json())

        return response_201

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
) -> Response[Lead | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: LeadCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Lead | ProblemDetails]:
    """Capture a new lead

     Record a new B2B lead (a catering order, a corporate account for recurring office
    lunches, or a private event) with the contact, headcount, budget, date and preferred
    restaurant. The lead starts in stage `new`. Each call creates another lead, so check
    `list_leads` for the company first.

    Args:
        idempotency_key (str | Unset):
        body (LeadCreate): A new lead as captured from a form, a call or a chat.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Lead | ProblemDetails]
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
    body: LeadCreate,
    idempotency_key: str | Unset = UNSET,
) -> Lead | ProblemDetails | None:
    """Capture a new lead

     Record a new B2B lead (a catering order, a corporate account for recurring office
    lunches, or a private event) with the contact, headcount, budget, date and preferred
    restaurant. The lead starts in stage `new`. Each call creates another lead, so check
    `list_leads` for the company first.

    Args:
        idempotency_key (str | Unset):
        body (LeadCreate): A new lead as captured from a form, a call or a chat.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Lead | ProblemDetails
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: LeadCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Lead | ProblemDetails]:
    """Capture a new lead

     Record a new B2B lead (a catering order, a corporate account for recurring office
    lunches, or a private event) with the contact, headcount, budget, date and preferred
    restaurant. The lead starts in stage `new`. Each call creates another lead, so check
    `list_leads` for the company first.

    Args:
        idempotency_key (str | Unset):
        body (LeadCreate): A new lead as captured from a form, a call or a chat.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Lead | ProblemDetails]
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
    body: LeadCreate,
    idempotency_key: str | Unset = UNSET,
) -> Lead | ProblemDetails | None:
    """Capture a new lead

     Record a new B2B lead (a catering order, a corporate account for recurring office
    lunches, or a private event) with the contact, headcount, budget, date and preferred
    restaurant. The lead starts in stage `new`. Each call creates another lead, so check
    `list_leads` for the company first.

    Args:
        idempotency_key (str | Unset):
        body (LeadCreate): A new lead as captured from a form, a call or a chat.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Lead | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
