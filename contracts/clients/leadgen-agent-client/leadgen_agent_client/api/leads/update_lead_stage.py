from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.lead_detail import LeadDetail
from ...models.lead_stage_update import LeadStageUpdate
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    lead_id: UUID,
    *,
    body: LeadStageUpdate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/leads/{lead_id}/stage".format(
            lead_id=quote(str(lead_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
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

    if response.status_code == 409:
        response_409 = ProblemDetails.from_dict(response.json())

        return response_409

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
    body: LeadStageUpdate,
    idempotency_key: str | Unset = UNSET,
) -> Response[LeadDetail | ProblemDetails]:
    """Move a lead to another stage

     Move a lead along the pipeline: new → contacted → qualified → proposal → won, or to
    lost from any open stage (with a `lost_reason`); a lost lead can be reopened as
    contacted. Won is final. Other moves are refused with 409. Asking for the stage the
    lead is already in changes nothing. Returns the lead with its history.

    Args:
        lead_id (UUID): The lead's id.
        idempotency_key (str | Unset):
        body (LeadStageUpdate): Move a lead to another pipeline stage.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LeadDetail | ProblemDetails]
    """

    kwargs = _get_kwargs(
        lead_id=lead_id,
        body=body,
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
    body: LeadStageUpdate,
    idempotency_key: str | Unset = UNSET,
) -> LeadDetail | ProblemDetails | None:
    """Move a lead to another stage

     Move a lead along the pipeline: new → contacted → qualified → proposal → won, or to
    lost from any open stage (with a `lost_reason`); a lost lead can be reopened as
    contacted. Won is final. Other moves are refused with 409. Asking for the stage the
    lead is already in changes nothing. Returns the lead with its history.

    Args:
        lead_id (UUID): The lead's id.
        idempotency_key (str | Unset):
        body (LeadStageUpdate): Move a lead to another pipeline stage.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LeadDetail | ProblemDetails
    """

    return sync_detailed(
        lead_id=lead_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    lead_id: UUID,
    *,
    client: AuthenticatedClient,
    body: LeadStageUpdate,
    idempotency_key: str | Unset = UNSET,
) -> Response[LeadDetail | ProblemDetails]:
    """Move a lead to another stage

     Move a lead along the pipeline: new → contacted → qualified → proposal → won, or to
    lost from any open stage (with a `lost_reason`); a lost lead can be reopened as
    contacted. Won is final. Other moves are refused with 409. Asking for the stage the
    lead is already in changes nothing. Returns the lead with its history.

    Args:
        lead_id (UUID): The lead's id.
        idempotency_key (str | Unset):
        body (LeadStageUpdate): Move a lead to another pipeline stage.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LeadDetail | ProblemDetails]
    """

    kwargs = _get_kwargs(
        lead_id=lead_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    lead_id: UUID,
    *,
    client: AuthenticatedClient,
    body: LeadStageUpdate,
    idempotency_key: str | Unset = UNSET,
) -> LeadDetail | ProblemDetails | None:
    """Move a lead to another stage

     Move a lead along the pipeline: new → contacted → qualified → proposal → won, or to
    lost from any open stage (with a `lost_reason`); a lost lead can be reopened as
    contacted. Won is final. Other moves are refused with 409. Asking for the stage the
    lead is already in changes nothing. Returns the lead with its history.

    Args:
        lead_id (UUID): The lead's id.
        idempotency_key (str | Unset):
        body (LeadStageUpdate): Move a lead to another pipeline stage.

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
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
