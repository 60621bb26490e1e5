from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.lead import Lead
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    lead_id: UUID,
    *,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/leads/{lead_id}/qualification".format(
            lead_id=quote(str(lead_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Lead | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = Lead.from_dict(response.json())

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
) -> Response[Lead | ProblemDetails]:
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
    idempotency_key: str | Unset = UNSET,
) -> Response[Lead | ProblemDetails]:
    """Score a lead

     Score a lead from 0 to 100 and store the score with its reasons: headcount, budget
    per head against what guests spend in our restaurants, time until the event, kind of
    lead, where it came from, and how much catering the preferred restaurant already
    sells (asked of sales-agent). If sales-agent cannot answer, the score is computed
    from the other factors and marked `partial`; qualify again later to complete it.

    Args:
        lead_id (UUID): The lead's id.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Lead | ProblemDetails]
    """

    kwargs = _get_kwargs(
        lead_id=lead_id,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    lead_id: UUID,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Lead | ProblemDetails | None:
    """Score a lead

     Score a lead from 0 to 100 and store the score with its reasons: headcount, budget
    per head against what guests spend in our restaurants, time until the event, kind of
    lead, where it came from, and how much catering the preferred restaurant already
    sells (asked of sales-agent). If sales-agent cannot answer, the score is computed
    from the other factors and marked `partial`; qualify again later to complete it.

    Args:
        lead_id (UUID): The lead's id.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Lead | ProblemDetails
    """

    return sync_detailed(
        lead_id=lead_id,
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    lead_id: UUID,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Response[Lead | ProblemDetails]:
    """Score a lead

     Score a lead from 0 to 100 and store the score with its reasons: headcount, budget
    per head against what guests spend in our restaurants, time until the event, kind of
    lead, where it came from, and how much catering the preferred restaurant already
    sells (asked of sales-agent). If sales-agent cannot answer, the score is computed
    from the other factors and marked `partial`; qualify again later to complete it.

    Args:
        lead_id (UUID): The lead's id.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Lead | ProblemDetails]
    """

    kwargs = _get_kwargs(
        lead_id=lead_id,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    lead_id: UUID,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Lead | ProblemDetails | None:
    """Score a lead

     Score a lead from 0 to 100 and store the score with its reasons: headcount, budget
    per head against what guests spend in our restaurants, time until the event, kind of
    lead, where it came from, and how much catering the preferred restaurant already
    sells (asked of sales-agent). If sales-agent cannot answer, the score is computed
    from the other factors and marked `partial`; qualify again later to complete it.

    Args:
        lead_id (UUID): The lead's id.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Lead | ProblemDetails
    """

    return (
        await asyncio_detailed(
            lead_id=lead_id,
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
