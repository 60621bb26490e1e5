import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_details import ProblemDetails
from ...models.review_page import ReviewPage
from ...models.review_source import ReviewSource
from ...models.sentiment import Sentiment
from ...models.theme import Theme
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    location_id: None | str | Unset = UNSET,
    min_rating: int | None | Unset = UNSET,
    max_rating: int | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
    source: None | ReviewSource | Unset = UNSET,
    sentiment: None | Sentiment | Unset = UNSET,
    theme: None | Theme | Unset = UNSET,
    q: None | str | Unset = UNSET,
    needs_reply: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_location_id: None | str | Unset
    if isinstance(location_id, Unset):
        json_location_id = UNSET
    else:
        json_location_id = location_id
    params["location_id"] = json_location_id

    json_min_rating: int | None | Unset
    if isinstance(min_rating, Unset):
        json_min_rating = UNSET
    else:
        json_min_rating = min_rating
    params["min_rating"] = json_min_rating

    json_max_rating: int | None | Unset
    if isinstance(max_rating, Unset):
        json_max_rating = UNSET
    else:
        json_max_rating = max_rating
    params["max_rating"] = json_max_rating

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

    json_source: None | str | Unset
    if isinstance(source, Unset):
        json_source = UNSET
    elif isinstance(source, ReviewSource):
        json_source = source.value
    else:
        json_source = source
    params["source"] = json_source

    json_sentiment: None | str | Unset
    if isinstance(sentiment, Unset):
        json_sentiment = UNSET
    elif isinstance(sentiment, Sentiment):
        json_sentiment = sentiment.value
    else:
        json_sentiment = sentiment
    params["sentiment"] = json_sentiment

    json_theme: None | str | Unset
    if isinstance(theme, Unset):
        json_theme = UNSET
    elif isinstance(theme, Theme):
        json_theme = theme.value
    else:
        json_theme = theme
    params["theme"] = json_theme

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    json_needs_reply: bool | None | Unset
    if isinstance(needs_reply, Unset):
        json_needs_reply = UNSET
    else:
        json_needs_reply = needs_reply
    params["needs_reply"] = json_needs_reply

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
        "url": "/reviews",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | ReviewPage | None:
    if response.status_code == 200:
        response_200 = ReviewPage.from_dict(response.json())

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
) -> Response[ProblemDetails | ReviewPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    location_id: None | str | Unset = UNSET,
    min_rating: int | None | Unset = UNSET,
    max_rating: int | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
    source: None | ReviewSource | Unset = UNSET,
    sentiment: None | Sentiment | Unset = UNSET,
    theme: None | Theme | Unset = UNSET,
    q: None | str | Unset = UNSET,
    needs_reply: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[ProblemDetails | ReviewPage]:
    """List and search reviews

     Customer reviews, newest first, with their stars, text, sentiment, themes and reply
    status. Filter by location, stars, dates, platform, sentiment, theme or words in the
    text, or ask for `needs_reply=true` to find reviews still waiting for an answer. Pages
    hold up to `limit` reviews; pass `next_cursor` back as `cursor` for the next page.

    Args:
        location_id (None | str | Unset): Only this location.
        min_rating (int | None | Unset): Only reviews with at least this many stars.
        max_rating (int | None | Unset): Only reviews with at most this many stars.
        start (datetime.date | None | Unset): Only reviews published on or after this day.
        end (datetime.date | None | Unset): Only reviews published on or before this day.
        source (None | ReviewSource | Unset): Only reviews from this platform.
        sentiment (None | Sentiment | Unset): Only reviews of this sentiment.
        theme (None | Theme | Unset): Only reviews mentioning this theme.
        q (None | str | Unset): Only reviews whose title or text contains this, ignoring case; `%`
            and `_` are matched literally.
        needs_reply (bool | None | Unset): `true` for reviews nobody has answered publicly yet,
            `false` for answered ones.
        limit (int | Unset): Reviews per page. Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | ReviewPage]
    """

    kwargs = _get_kwargs(
        location_id=location_id,
        min_rating=min_rating,
        max_rating=max_rating,
        start=start,
        end=end,
        source=source,
        sentiment=sentiment,
        theme=theme,
        q=q,
        needs_reply=needs_reply,
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
    location_id: None | str | Unset = UNSET,
    min_rating: int | None | Unset = UNSET,
    max_rating: int | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
    source: None | ReviewSource | Unset = UNSET,
    sentiment: None | Sentiment | Unset = UNSET,
    theme: None | Theme | Unset = UNSET,
    q: None | str | Unset = UNSET,
    needs_reply: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> ProblemDetails | ReviewPage | None:
    """List and search reviews

     Customer reviews, newest first, with their stars, text, sentiment, themes and reply
    status. Filter by location, stars, dates, platform, sentiment, theme or words in the
    text, or ask for `needs_reply=true` to find reviews still waiting for an answer. Pages
    hold up to `limit` reviews; pass `next_cursor` back as `cursor` for the next page.

    Args:
        location_id (None | str | Unset): Only this location.
        min_rating (int | None | Unset): Only reviews with at least this many stars.
        max_rating (int | None | Unset): Only reviews with at most this many stars.
        start (datetime.date | None | Unset): Only reviews published on or after this day.
        end (datetime.date | None | Unset): Only reviews published on or before this day.
        source (None | ReviewSource | Unset): Only reviews from this platform.
        sentiment (None | Sentiment | Unset): Only reviews of this sentiment.
        theme (None | Theme | Unset): Only reviews mentioning this theme.
        q (None | str | Unset): Only reviews whose title or text contains this, ignoring case; `%`
            and `_` are matched literally.
        needs_reply (bool | None | Unset): `true` for reviews nobody has answered publicly yet,
            `false` for answered ones.
        limit (int | Unset): Reviews per page. Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | ReviewPage
    """

    return sync_detailed(
        client=client,
        location_id=location_id,
        min_rating=min_rating,
        max_rating=max_rating,
        start=start,
        end=end,
        source=source,
        sentiment=sentiment,
        theme=theme,
        q=q,
        needs_reply=needs_reply,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    location_id: None | str | Unset = UNSET,
    min_rating: int | None | Unset = UNSET,
    max_rating: int | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
    source: None | ReviewSource | Unset = UNSET,
    sentiment: None | Sentiment | Unset = UNSET,
    theme: None | Theme | Unset = UNSET,
    q: None | str | Unset = UNSET,
    needs_reply: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[ProblemDetails | ReviewPage]:
    """List and search reviews

     Customer reviews, newest first, with their stars, text, sentiment, themes and reply
    status. Filter by location, stars, dates, platform, sentiment, theme or words in the
    text, or ask for `needs_reply=true` to find reviews still waiting for an answer. Pages
    hold up to `limit` reviews; pass `next_cursor` back as `cursor` for the next page.

    Args:
        location_id (None | str | Unset): Only this location.
        min_rating (int | None | Unset): Only reviews with at least this many stars.
        max_rating (int | None | Unset): Only reviews with at most this many stars.
        start (datetime.date | None | Unset): Only reviews published on or after this day.
        end (datetime.date | None | Unset): Only reviews published on or before this day.
        source (None | ReviewSource | Unset): Only reviews from this platform.
        sentiment (None | Sentiment | Unset): Only reviews of this sentiment.
        theme (None | Theme | Unset): Only reviews mentioning this theme.
        q (None | str | Unset): Only reviews whose title or text contains this, ignoring case; `%`
            and `_` are matched literally.
        needs_reply (bool | None | Unset): `true` for reviews nobody has answered publicly yet,
            `false` for answered ones.
        limit (int | Unset): Reviews per page. Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | ReviewPage]
    """

    kwargs = _get_kwargs(
        location_id=location_id,
        min_rating=min_rating,
        max_rating=max_rating,
        start=start,
        end=end,
        source=source,
        sentiment=sentiment,
        theme=theme,
        q=q,
        needs_reply=needs_reply,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    location_id: None | str | Unset = UNSET,
    min_rating: int | None | Unset = UNSET,
    max_rating: int | None | Unset = UNSET,
    start: datetime.date | None | Unset = UNSET,
    end: datetime.date | None | Unset = UNSET,
    source: None | ReviewSource | Unset = UNSET,
    sentiment: None | Sentiment | Unset = UNSET,
    theme: None | Theme | Unset = UNSET,
    q: None | str | Unset = UNSET,
    needs_reply: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> ProblemDetails | ReviewPage | None:
    """List and search reviews

     Customer reviews, newest first, with their stars, text, sentiment, themes and reply
    status. Filter by location, stars, dates, platform, sentiment, theme or words in the
    text, or ask for `needs_reply=true` to find reviews still waiting for an answer. Pages
    hold up to `limit` reviews; pass `next_cursor` back as `cursor` for the next page.

    Args:
        location_id (None | str | Unset): Only this location.
        min_rating (int | None | Unset): Only reviews with at least this many stars.
        max_rating (int | None | Unset): Only reviews with at most this many stars.
        start (datetime.date | None | Unset): Only reviews published on or after this day.
        end (datetime.date | None | Unset): Only reviews published on or before this day.
        source (None | ReviewSource | Unset): Only reviews from this platform.
        sentiment (None | Sentiment | Unset): Only reviews of this sentiment.
        theme (None | Theme | Unset): Only reviews mentioning this theme.
        q (None | str | Unset): Only reviews whose title or text contains this, ignoring case; `%`
            and `_` are matched literally.
        needs_reply (bool | None | Unset): `true` for reviews nobody has answered publicly yet,
            `false` for answered ones.
        limit (int | Unset): Reviews per page. Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | ReviewPage
    """

    return (
        await asyncio_detailed(
            client=client,
            location_id=location_id,
            min_rating=min_rating,
            max_rating=max_rating,
            start=start,
            end=end,
            source=source,
            sentiment=sentiment,
            theme=theme,
            q=q,
            needs_reply=needs_reply,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
