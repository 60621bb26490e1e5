import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.lead_kind import LeadKind
from ...models.lead_page import LeadPage
from ...models.lead_stage import LeadStage
from ...models.location_id import LocationId
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    stage: list[LeadStage] | None | Unset = UNSET,
    kind: LeadKind | None | Unset = UNSET,
    location: LocationId | None | Unset = UNSET,
    min_score: int | None | Unset = UNSET,
    stale: bool | None | Unset = UNSET,
    moved_since: datetime.date | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_stage: list[str] | None | Unset
    if isinstance(stage, Unset):
        json_stage = UNSET
    elif isinstance(stage, list):
        json_stage = []
        for stage_type_0_item_data in stage:
            stage_type_0_item = stage_type_0_item_data.value
            json_stage.append(stage_type_0_item)

    else:
        json_stage = stage
    params["stage"] = json_stage

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, LeadKind):
        json_kind = kind.value
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_location: None | str | Unset
    if isinstance(location, Unset):
        json_location = UNSET
    elif isinstance(location, LocationId):
        json_location = location.value
    else:
        json_location = location
    params["location"] = json_location

    json_min_score: int | None | Unset
    if isinstance(min_score, Unset):
        json_min_score = UNSET
    else:
        json_min_score = min_score
    params["min_score"] = json_min_score

    json_stale: bool | None | Unset
    if isinstance(stale, Unset):
        json_stale = UNSET
    else:
        json_stale = stale
    params["stale"] = json_stale

    json_moved_since: None | str | Unset
    if isinstance(moved_since, Unset):
        json_moved_since = UNSET
    elif isinstance(moved_since, datetime.date):
        json_moved_since = moved_since.isoformat()
    else:
        json_moved_since = moved_since
    params["moved_since"] = json_moved_since

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/leads",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LeadPage | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = LeadPage.from_dict(response.json())

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
) -> Response[LeadPage | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    stage: list[LeadStage] | None | Unset = UNSET,
    kind: LeadKind | None | Unset = UNSET,
    location: LocationId | None | Unset = UNSET,
    min_score: int | None | Unset = UNSET,
    stale: bool | None | Unset = UNSET,
    moved_since: datetime.date | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[LeadPage | ProblemDetails]:
    """List and search leads

     Leads newest first, filtered by stage, kind, preferred location, minimum score,
    staleness, recent stage changes or a name search, one page at a time. Use it for "which
    leads are waiting on us?" (`stale=true`), "which leads moved since Monday?"
    (`moved_since`) or "show the Midtown catering leads".

    Args:
        stage (list[LeadStage] | None | Unset): Only leads in these stages; repeat for several.
        kind (LeadKind | None | Unset): Only leads of this kind.
        location (LocationId | None | Unset): Only leads preferring this restaurant.
        min_score (int | None | Unset): Only scored leads with at least this score.
        stale (bool | None | Unset): True: only open leads without a stage change for more than 14
            days; false: only the others.
        moved_since (datetime.date | None | Unset): Only leads whose stage changed on or after
            this day (restaurant time), newest first: use it for "which leads moved yesterday?".
        q (None | str | Unset): Text to find in the company or contact name (case-insensitive).
        limit (int | Unset): Leads per page. Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LeadPage | ProblemDetails]
    """

    kwargs = _get_kwargs(
        stage=stage,
        kind=kind,
        location=location,
        min_score=min_score,
        stale=stale,
        moved_since=moved_since,
        q=q,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    stage: list[LeadStage] | None | Unset = UNSET,
    kind: LeadKind | None | Unset = UNSET,
    location: LocationId | None | Unset = UNSET,
    min_score: int | None | Unset = UNSET,
    stale: bool | None | Unset = UNSET,
    moved_since: datetime.date | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> LeadPage | ProblemDetails | None:
    """List and search leads

     Leads newest first, filtered by stage, kind, preferred location, minimum score,
    staleness, recent stage changes or a name search, one page at a time. Use it for "which
    leads are waiting on us?" (`stale=true`), "which leads moved since Monday?"
    (`moved_since`) or "show the Midtown catering leads".

    Args:
        stage (list[LeadStage] | None | Unset): Only leads in these stages; repeat for several.
        kind (LeadKind | None | Unset): Only leads of this kind.
        location (LocationId | None | Unset): Only leads preferring this restaurant.
        min_score (int | None | Unset): Only scored leads with at least this score.
        stale (bool | None | Unset): True: only open leads without a stage change for more than 14
            days; false: only the others.
        moved_since (datetime.date | None | Unset): Only leads whose stage changed on or after
            this day (restaurant time), newest first: use it for "which leads moved yesterday?".
        q (None | str | Unset): Text to find in the company or contact name (case-insensitive).
        limit (int | Unset): Leads per page. Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LeadPage | ProblemDetails
    """

    return sync_detailed(
        client=client,
        stage=stage,
        kind=kind,
        location=location,
        min_score=min_score,
        stale=stale,
        moved_since=moved_since,
        q=q,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    stage: list[LeadStage] | None | Unset = UNSET,
    kind: LeadKind | None | Unset = UNSET,
    location: LocationId | None | Unset = UNSET,
    min_score: int | None | Unset = UNSET,
    stale: bool | None | Unset = UNSET,
    moved_since: datetime.date | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[LeadPage | ProblemDetails]:
    """List and search leads

     Leads newest first, filtered by stage, kind, preferred location, minimum score,
    staleness, recent stage changes or a name search, one page at a time. Use it for "which
    leads are waiting on us?" (`stale=true`), "which leads moved since Monday?"
    (`moved_since`) or "show the Midtown catering leads".

    Args:
        stage (list[LeadStage] | None | Unset): Only leads in these stages; repeat for several.
        kind (LeadKind | None | Unset): Only leads of this kind.
        location (LocationId | None | Unset): Only leads preferring this restaurant.
        min_score (int | None | Unset): Only scored leads with at least this score.
        stale (bool | None | Unset): True: only open leads without a stage change for more than 14
            days; false: only the others.
        moved_since (datetime.date | None | Unset): Only leads whose stage changed on or after
            this day (restaurant time), newest first: use it for "which leads moved yesterday?".
        q (None | str | Unset): Text to find in the company or contact name (case-insensitive).
        limit (int | Unset): Leads per page. Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LeadPage | ProblemDetails]
    """

    kwargs = _get_kwargs(
        stage=stage,
        kind=kind,
        location=location,
        min_score=min_score,
        stale=stale,
        moved_since=moved_since,
        q=q,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    stage: list[LeadStage] | None | Unset = UNSET,
    kind: LeadKind | None | Unset = UNSET,
    location: LocationId | None | Unset = UNSET,
    min_score: int | None | Unset = UNSET,
    stale: bool | None | Unset = UNSET,
    moved_since: datetime.date | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> LeadPage | ProblemDetails | None:
    """List and search leads

     Leads newest first, filtered by stage, kind, preferred location, minimum score,
    staleness, recent stage changes or a name search, one page at a time. Use it for "which
    leads are waiting on us?" (`stale=true`), "which leads moved since Monday?"
    (`moved_since`) or "show the Midtown catering leads".

    Args:
        stage (list[LeadStage] | None | Unset): Only leads in these stages; repeat for several.
        kind (LeadKind | None | Unset): Only leads of this kind.
        location (LocationId | None | Unset): Only leads preferring this restaurant.
        min_score (int | None | Unset): Only scored leads with at least this score.
        stale (bool | None | Unset): True: only open leads without a stage change for more than 14
            days; false: only the others.
        moved_since (datetime.date | None | Unset): Only leads whose stage changed on or after
            this day (restaurant time), newest first: use it for "which leads moved yesterday?".
        q (None | str | Unset): Text to find in the company or contact name (case-insensitive).
        limit (int | Unset): Leads per page. Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LeadPage | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            stage=stage,
            kind=kind,
            location=location,
            min_score=min_score,
            stale=stale,
            moved_since=moved_since,
            q=q,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
