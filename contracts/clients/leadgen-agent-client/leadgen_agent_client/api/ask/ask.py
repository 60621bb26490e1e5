from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.ask_answer import AskAnswer
from ...models.ask_request import AskRequest
from ...models.problem_details import ProblemDetails
from ...types import Response


def _get_kwargs(
    *,
    body: AskRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/ask",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AskAnswer | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = AskAnswer.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = ProblemDetails.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AskAnswer | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: AskRequest,
) -> Response[AskAnswer | ProblemDetails]:
    """Ask about leads in plain language

     Answers a free-text question with this agent's own tools and returns the answer
    with every tool call it made and the tokens it used. Prefer the specific operations
    when you know which figures you need; use this for open questions.

    Args:
        body (AskRequest): A question in plain language.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AskAnswer | ProblemDetails]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: AskRequest,
) -> AskAnswer | ProblemDetails | None:
    """Ask about leads in plain language

     Answers a free-text question with this agent's own tools and returns the answer
    with every tool call it made and the tokens it used. Prefer the specific operations
    when you know which figures you need; use this for open questions.

    Args:
        body (AskRequest): A question in plain language.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AskAnswer | ProblemDetails
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: AskRequest,
) -> Response[AskAnswer | ProblemDetails]:
    """Ask about leads in plain language

     Answers a free-text question with this agent's own tools and returns the answer
    with every tool call it made and the tokens it used. Prefer the specific operations
    when you know which figures you need; use this for open questions.

    Args:
        body (AskRequest): A question in plain language.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AskAnswer | ProblemDetails]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: AskRequest,
) -> AskAnswer | ProblemDetails | None:
    """Ask about leads in plain language

     Answers a free-text question with this agent's own tools and returns the answer
    with every tool call it made and the tokens it used. Prefer the specific operations
    when you know which figures you need; use this for open questions.

    Args:
        body (AskRequest): A question in plain language.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AskAnswer | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
