from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.lead_detail import LeadDetail
from ...models.problem_details import ProblemDetails
from ...types import Response


def _get_kwargs(
    lead_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/leads/{lead_id}".format(
            lead_id=quote(str(lead_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LeadDetail | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = LeadDetail.from_dict(response.json())

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
) -> Response[LeadDetail | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    lead_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[LeadDetail | ProblemDetails]:
    """Get one lead with its history

     One lead with every detail, its latest score and the full history of its stage
    changes with notes, oldest first.

    Args:
        lead_id (UUID): The lead's id.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LeadDetail | ProblemDetails]
    """

    kwargs = _get_kwargs(
        lead_id=lead_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    lead_id: UUID,
    *,
    client: AuthenticatedClient,
) -> LeadDetail | ProblemDetails | None:
    """Get one lead with its history

     One lead with every detail, its latest score and the full history of its stage
    changes with notes, oldest first.

    Args:
        lead_id (UUID): The lead's id.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LeadDetail | ProblemDetails
    """

    return sync_detailed(
        lead_id=lead_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    lead_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[LeadDetail | ProblemDetails]:
    """Get one lead with its history

     One lead with every detail, its latest score and the full history of its stage
    changes with notes, oldest first.

    Args:
        lead_id (UUID): The lead's id.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LeadDetail | ProblemDetails]
    """

    kwargs = _get_kwargs(
        lead_id=lead_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    lead_id: UUID,
    *,
    client: AuthenticatedClient,
) -> LeadDetail | ProblemDetails | None:
    """Get one lead with its history

     One lead with every detail, its latest score and the full history of its stage
    changes with notes, oldest first.

    Args:
        lead_id (UUID): The lead's id.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LeadDetail | ProblemDetails
    """

    return (
        await asyncio_detailed(
            lead_id=lead_id,
            client=client,
        )
    ).parsed
