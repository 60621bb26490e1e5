"""An async Telegram Bot API client: typed methods over one `call` choke point.

Every method goes through `BotApi.call`, which paces (an optional `Pacer`), retries and
classifies errors in one place: 429 waits out `retry_after` within a bounded budget, 5xx and
transport errors back off exponentially a bounded number of times, and everything else
(403, 400, ...) is raised at once as a `TelegramError` subclass.

The bot token is part of every URL (`/bot<token>/<method>`), and httpx puts URLs in its
exceptions and its own log lines. Nothing this module raises or logs carries it: messages are
scrubbed, httpx exceptions are never chained, and a filter on the `httpx` logger rewrites its
request lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Literal, Protocol, Self
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.telegram.org"
#: Bot API calls answer in well under a second; the bound only cuts a hung connection.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
#: How much longer than a long poll's own timeout the HTTP read may take.
LONG_POLL_GRACE_S = 15.0
#: Bot API requests in flight at once, over as many kept-alive connections. Calls beyond it
#: wait their turn in the client, not in httpx's pool: httpcore rescans every pooled
#: connection (and polls each idle socket) whenever a request starts or ends, so a pool that
#: a burst of 200 "typing" calls grew to 100 connections cost ~2 ms of CPU per call. Sixteen
#: at ~100 ms a round trip is 160 calls a second, five times the free flood limit.
DEFAULT_MAX_CONNECTIONS = 16
REDACTED = "<token>"

Kind = Literal["send", "edit", "draft", "action", "query", "control"]
ChatId = int | str
ParseMode = Literal["HTML", "MarkdownV2", "Markdown"]
ChatAction = Literal[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
]
JsonObject = Mapping[str, Any]
Sleep = Callable[[float], Awaitable[None]]

#: Kinds whose call is worthless once a flood wait is over: a stale draft or "typing…".
EPHEMERAL_KINDS: frozenset[Kind] = frozenset({"draft", "action"})
#: Kinds whose successful calls are logged at DEBUG: they repeat every few seconds.
_QUIET_KINDS: frozenset[Kind] = frozenset({"action", "query"})
_RETRY_AFTER_TEXT = re.compile(r"retry after (\d+)", re.IGNORECASE)
# A token is one URL path segment; anything that would change the path is refused.
_TOKEN_SHAPE = re.compile(r"^[^\s/?#%]+$")


class Pacer(Protocol):
    """Waits, before each attempt of each call, until the flood limits allow it. The
    outbound rate limiter implements this; a pacer that only limits some kinds returns at
    once for the others."""

    async def acquire(self, chat_id: ChatId | None, kind: Kind) -> None: ...


# Errors ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResponseParameters:
    """Telegram's hints on how to handle an error."""

    retry_after: float | None = None
    migrate_to_chat_id: int | None = None


class TelegramError(Exception):
    """The Bot API refused a call, or could not be reached. Never carries the bot token."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: ResponseParameters | None = None,
        *,
        method: str | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters or ResponseParameters()
        self.method = method

    def __str__(self) -> str:
        where = f"{self.method}: " if self.method else ""
        return f"{where}{self.description} (error_code {self.error_code})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(error_code={self.error_code!r}, "
            f"description={self.description!r}, method={self.method!r})"
        )


class BadRequest(TelegramError):
    """400: the call itself is wrong; retrying it unchanged cannot help."""


class CantParseEntities(BadRequest):
    """400 "can't parse entities": the text's markup is not valid for its parse mode."""


class MessageNotModified(BadRequest):
    """400 "message is not modified": the edit would change nothing."""


class ChatMigrated(BadRequest):
    """The group became a supergroup with a new id; the call should go there."""

    @property
    def migrate_to_chat_id(self) -> int:
        assert self.parameters.migrate_to_chat_id is not None
        return self.parameters.migrate_to_chat_id


class Unauthorized(TelegramError):
    """401: the bot token is wrong or was revoked."""


class ChatBlocked(TelegramError):
    """403: the bot cannot write to this chat (blocked by the user, kicked, user deleted)."""


class Conflict(TelegramError):
    """409: another getUpdates poller is running, or a webhook is set while polling."""


class RetryAfter(TelegramError):
    """429: flood control, still in force after the retry budget was spent."""

    @property
    def retry_after(self) -> float:
        return self.parameters.retry_after or 1.0


class ServerError(TelegramError):
    """5xx from Telegram (or a proxy in front of it), after the retries."""


class NetworkError(TelegramError):
    """The Bot API could not be reached or did not answer, after the retries."""

    def __init__(self, description: str, *, method: str | None = None) -> None:
        super().__init__(0, description, method=method)


def error_for(
    error_code: int,
    description: str,
    parameters: ResponseParameters | None = None,
    *,
    method: str | None = None,
) -> TelegramError:
    """The exception an error envelope stands for."""
    parameters = parameters or ResponseParameters()
    if error_code == 429 or parameters.retry_after is not None:
        if parameters.retry_after is None:
            found = _RETRY_AFTER_TEXT.search(description)
            parameters = ResponseParameters(
                float(found.group(1)) if found else 1.0, parameters.migrate_to_chat_id
            )
        return RetryAfter(error_code, description, parameters, method=method)
    if parameters.migrate_to_chat_id is not None:
        return ChatMigrated(error_code, description, parameters, method=method)
    kind: type[TelegramError] = {
        401: Unauthorized,
        403: ChatBlocked,
        409: Conflict,
    }.get(error_code, TelegramError)
    if error_code >= 500:
        kind = ServerError
    elif error_code == 400:
        lowered = description.lower()
        if "message is not modified" in lowered:
            kind = MessageNotModified
        elif "can't parse entities" in lowered:
            kind = CantParseEntities
        else:
            kind = BadRequest
    return kind(error_code, description, parameters, method=method)


# Results ---------------------------------------------------------------------------------


class TelegramModel(BaseModel):
    """Telegram adds fields at every release: unknown ones are accepted and dropped."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_by_name=True)


class User(TelegramModel):
    id: int
    is_bot: bool = False
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class Chat(TelegramModel):
    id: int
    type: str = "private"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    is_forum: bool = False


class Message(TelegramModel):
    message_id: int
    date: datetime
    chat: Chat
    text: str | None = None
    message_thread_id: int | None = None
    from_user: User | None = Field(default=None, alias="from")


class WebhookInfo(TelegramModel):
    url: str = ""
    has_custom_certificate: bool = False
    pending_update_count: int = 0
    ip_address: str | None = None
    last_error_date: datetime | None = None
    last_error_message: str | None = None
    max_connections: int | None = None
    allowed_updates: list[str] | None = None


class BotCommand(TelegramModel):
    command: str
    description: str


# The client ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    #: Total time one call may spend waiting out 429s; past it, `RetryAfter` is raised.
    max_flood_wait_s: float = 300.0
    #: The same for drafts and chat actions, which are stale by the time a wait ends.
    max_flood_wait_ephemeral_s: float = 0.0
    #: Added to each `retry_after` (times a random fraction) so replicas do not retry in step.
    flood_jitter_s: float = 0.5
    #: Retries after a 5xx or a transport error, with exponential backoff between them.
    transient_retries: int = 4
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0


class _Redactor:
    """Replaces a token, as written and as URL-encoded, by a placeholder; shows nothing of
    it in its own repr."""

    __slots__ = ("_forms",)

    def __init__(self, token: str) -> None:
        # Longest first, so a form containing another is replaced whole.
        forms = {token, quote(token, safe=""), quote(token)}
        self._forms = tuple(sorted(forms, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, REDACTED)
        return text

    def __repr__(self) -> str:
        return "_Redactor(<token>)"


class _HttpxScrubber(logging.Filter):
    """Rewrites the `httpx` logger's request lines, which carry the full URL."""

    def __init__(self) -> None:
        super().__init__()
        self.redactors: list[_Redactor] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if self.redactors:
            message = record.getMessage()
            cleaned = message
            for redact in self.redactors:
                cleaned = redact(cleaned)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


_HTTPX_SCRUBBER = _HttpxScrubber()


def _checked_token(token: str | SecretStr) -> str:
    raw = token.get_secret_value() if isinstance(token, SecretStr) else token
    if not _TOKEN_SHAPE.match(raw):
        raise ValueError("the bot token is empty or has characters a URL path cannot carry")
    return raw


def _without_none(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (params or {}).items() if value is not None}


class BotApi:
    """The Bot API over one `httpx.AsyncClient`.

    Pass the client the lifespan built (it closes it), or use `BotApi.create`, whose client
    `aclose` closes. `api_base_url` points at a self-hosted Bot API server or the local
    emulator instead of Telegram. `sleep` and `jitter` are injectable so tests can check the
    waits without waiting.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        token: str | SecretStr,
        *,
        api_base_url: str = DEFAULT_API_BASE_URL,
        pacer: Pacer | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        max_in_flight: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        raw = _checked_token(token)
        self._http = http
        self._token = SecretStr(raw)
        self._redact = _Redactor(raw)
        self._base_url = api_base_url.rstrip("/")
        self._pacer = pacer
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._jitter = jitter
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._owns_http = False
        # One redactor per token, however many clients a process builds.
        if not any(redact(raw) == REDACTED for redact in _HTTPX_SCRUBBER.redactors):
            _HTTPX_SCRUBBER.redactors.append(self._redact)
        logging.getLogger("httpx").addFilter(_HTTPX_SCRUBBER)

    @classmethod
    def create(
        cls,
        token: str | SecretStr,
        *,
        api_base_url: str = DEFAULT_API_BASE_URL,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: Pacer | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> BotApi:
        """A client owning its own `httpx.AsyncClient`, with at most `max_connections`
        requests in flight (a long poll aside), each on a kept-alive connection; call
        `aclose` (or use `async with`)."""
        _checked_token(token)
        http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "agent-mesh gateway"},
            limits=httpx.Limits(
                max_connections=max_connections + 1, max_keepalive_connections=max_connections + 1
            ),
        )
        api = cls(
            http,
            token,
            api_base_url=api_base_url,
            pacer=pacer,
            retry=retry,
            sleep=sleep,
            jitter=jitter,
            max_in_flight=max_connections,
        )
        api._owns_http = True
        return api

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"BotApi(api_base_url={self._base_url!r}, token={REDACTED!r})"

    def scrub(self, text: str) -> str:
        """`text` with this bot's token replaced by a placeholder."""
        return self._redact(text)

    # The choke point -------------------------------------------------------------------

    async def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        kind: Kind,
        http_timeout: httpx.Timeout | None = None,
    ) -> Any:
        """Call `method` and return its `result`, retrying as the policy allows.

        Parameters that are None are left out. Raises a `TelegramError` subclass; a call is
        never dropped silently.
        """
        payload = _without_none(params)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        chat_id = payload.get("chat_id")
        policy = self._retry
        flood_budget = (
            policy.max_flood_wait_ephemeral_s
            if kind in EPHEMERAL_KINDS
            else policy.max_flood_wait_s
        )
        flood_waited = 0.0
        transient = 0
        attempt = 0
        while True:
            attempt += 1
            if self._pacer is not None:
                await self._pacer.acquire(chat_id, kind)
            try:
                return await self._attempt(method, body, chat_id, kind, attempt, http_timeout)
            except RetryAfter as exc:
                delay = exc.retry_after + policy.flood_jitter_s * self._jitter()
                if flood_waited + delay > flood_budget:
                    raise
                flood_waited += delay
            except (ServerError, NetworkError):
                if transient >= policy.transient_retries:
                    raise
                backoff = min(policy.backoff_max_s, policy.backoff_base_s * 2**transient)
                # Half fixed, half random: spread out, but never retry immediately.
                delay = backoff * (0.5 + 0.5 * self._jitter())
                transient += 1
            await self._sleep(delay)

    async def _attempt(
        self,
        method: str,
        body: bytes,
        chat_id: ChatId | None,
        kind: Kind,
        attempt: int,
        http_timeout: httpx.Timeout | None,
    ) -> Any:
        url = f"{self._base_url}/bot{self._token.get_secret_value()}/{method}"
        fields: dict[str, Any] = {"method": method, "kind": kind, "attempt": attempt}
        if chat_id is not None:
            fields["chat_id"] = chat_id
        started = time.perf_counter()
        failure: str | None = None
        retryable = True
        # A long poll waits up to its timeout for updates: it must not hold a slot that
        # every send would queue behind (the pool keeps a connection more for it).
        slot: AbstractAsyncContextManager[Any] = (
            contextlib.nullcontext() if method == "getUpdates" else self._in_flight
        )
        try:
            async with slot:
                response = await self._http.post(
                    url,
                    content=body,
                    headers={"Content-Type": "application/json"},
                    timeout=http_timeout if http_timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )
        except httpx.TransportError as exc:
            # Retried: at worst a message that did reach Telegram is sent twice, which beats
            # an answer that is never sent.
            failure = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # A malformed URL or request: the same call would fail the same way again.
            failure, retryable = f"{type(exc).__name__}: {exc}", False
        fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
        if failure is not None:
            # Raised outside the `except`, so the httpx error (and its URL) is not chained.
            description = "Bot API unreachable: " + self.scrub(failure)
            log.warning("telegram call failed", extra={**fields, "status": 0, "error": description})
            if retryable:
                raise NetworkError(description, method=method)
            raise TelegramError(0, description, method=method)

        fields["status"] = response.status_code
        envelope = _envelope(response)
        if envelope is not None and envelope.get("ok") is True:
            level = logging.DEBUG if kind in _QUIET_KINDS else logging.INFO
            log.log(level, "telegram call", extra=fields)
            return envelope.get("result")

        error = self._error(response.status_code, envelope, method)
        level = logging.WARNING if isinstance(error, RetryAfter | ServerError) else logging.INFO
        log.log(
            level,
            "telegram call refused",
            extra={**fields, "error_code": error.error_code, "error": error.description},
        )
        raise error

    def _error(self, status: int, envelope: dict[str, Any] | None, method: str) -> TelegramError:
        if envelope is None:
            return error_for(status, f"HTTP {status} without a Bot API answer", method=method)
        raw = envelope.get("parameters")
        parameters = ResponseParameters()
        if isinstance(raw, dict):
            retry_after = raw.get("retry_after")
            migrate_to = raw.get("migrate_to_chat_id")
            parameters = ResponseParameters(
                float(retry_after) if isinstance(retry_after, int | float) else None,
                migrate_to if isinstance(migrate_to, int) else None,
            )
        code = envelope.get("error_code")
        description = str(envelope.get("description") or f"HTTP {status}")
        return error_for(
            code if isinstance(code, int) else status,
            self.scrub(description),
            parameters,
            method=method,
        )

    # Methods ---------------------------------------------------------------------------

    async def get_me(self) -> User:
        return User.model_validate(await self.call("getMe", kind="query"))

    async def set_webhook(
        self,
        url: str,
        *,
        secret_token: str | None = None,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool = False,
        max_connections: int | None = None,
    ) -> bool:
        params = {
            "url": url,
            "secret_token": secret_token,
            "allowed_updates": list(allowed_updates) if allowed_updates is not None else None,
            "drop_pending_updates": drop_pending_updates or None,
            "max_connections": max_connections,
        }
        return bool(await self.call("setWebhook", params, kind="control"))

    async def delete_webhook(self, *, drop_pending_updates: bool = False) -> bool:
        params = {"drop_pending_updates": drop_pending_updates or None}
        return bool(await self.call("deleteWebhook", params, kind="control"))

    async def get_webhook_info(self) -> WebhookInfo:
        return WebhookInfo.model_validate(await self.call("getWebhookInfo", kind="query"))

    async def get_updates(
        self,
        *,
        offset: int | None = None,
        limit: int = 100,
        timeout: int = 0,  # noqa: ASYNC109 - Telegram's long-poll parameter, not a deadline
        allowed_updates: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Updates as Telegram sent them: the inbound path stores and parses a polled update
        exactly as it does a webhook body, so there is one parser, not two."""
        base = self._http.timeout
        read = None if base.read is None else max(base.read, timeout + LONG_POLL_GRACE_S)
        params = {
            "offset": offset,
            "limit": limit,
            "timeout": timeout,
            "allowed_updates": list(allowed_updates) if allowed_updates is not None else None,
        }
        result = await self.call(
            "getUpdates",
            params,
            kind="query",
            http_timeout=httpx.Timeout(
                connect=base.connect, read=read, write=base.write, pool=base.pool
            ),
        )
        if not isinstance(result, list):
            raise TelegramError(0, "getUpdates answered something other than a list")
        return [update for update in result if isinstance(update, dict)]

    async def send_message(
        self,
        chat_id: ChatId,
        text: str,
        *,
        parse_mode: ParseMode | None = None,
        message_thread_id: int | None = None,
        reply_markup: JsonObject | None = None,
        reply_parameters: JsonObject | None = None,
        link_preview_options: JsonObject | None = None,
        disable_notification: bool = False,
    ) -> Message:
        params = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": parse_mode,
            "message_thread_id": message_thread_id,
            "reply_markup": reply_markup,
            "reply_parameters": reply_parameters,
            "link_preview_options": link_preview_options,
            "disable_notification": disable_notification or None,
        }
        return Message.model_validate(await self.call("sendMessage", params, kind="send"))

    async def edit_message_text(
        self,
        chat_id: ChatId,
        message_id: int,
        text: str,
        *,
        parse_mode: ParseMode | None = None,
        reply_markup: JsonObject | None = None,
        link_preview_options: JsonObject | None = None,
    ) -> Message:
        params = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "parse_mode": parse_mode,
            "reply_markup": reply_markup,
            "link_preview_options": link_preview_options,
        }
        return Message.model_validate(await self.call("editMessageText", params, kind="edit"))

    async def edit_message_reply_markup(
        self, chat_id: ChatId, message_id: int, reply_markup: JsonObject | None = None
    ) -> Message:
        """Replace the message's inline keyboard; without one, remove it."""
        params = {"chat_id": chat_id, "message_id": message_id, "reply_markup": reply_markup}
        result = await self.call("editMessageReplyMarkup", params, kind="edit")
        return Message.model_validate(result)

    async def delete_message(self, chat_id: ChatId, message_id: int) -> bool:
        params = {"chat_id": chat_id, "message_id": message_id}
        return bool(await self.call("deleteMessage", params, kind="edit"))

    async def send_chat_action(
        self,
        chat_id: ChatId,
        action: ChatAction = "typing",
        *,
        message_thread_id: int | None = None,
    ) -> bool:
        params = {"chat_id": chat_id, "action": action, "message_thread_id": message_thread_id}
        return bool(await self.call("sendChatAction", params, kind="action"))

    async def send_message_draft(
        self,
        chat_id: int,
        draft_id: int,
        text: str,
        *,
        parse_mode: ParseMode | None = None,
        message_thread_id: int | None = None,
    ) -> bool:
        """Stream a partial answer (Bot API 9.5); updates with one `draft_id` animate."""
        if draft_id == 0:
            raise ValueError("draft_id must be non-zero")
        params = {
            "chat_id": chat_id,
            "draft_id": draft_id,
            "text": text,
            "parse_mode": parse_mode,
            "message_thread_id": message_thread_id,
        }
        return bool(await self.call("sendMessageDraft", params, kind="draft"))

    async def answer_callback_query(
        self,
        callback_query_id: str,
        *,
        text: str | None = None,
        show_alert: bool = False,
        url: str | None = None,
        cache_time: int | None = None,
    ) -> bool:
        params = {
            "callback_query_id": callback_query_id,
            "text": text,
            "show_alert": show_alert or None,
            "url": url,
            "cache_time": cache_time,
        }
        # An acknowledgement the user is waiting on, not a message: paced like an action.
        return bool(await self.call("answerCallbackQuery", params, kind="action"))

    async def set_my_commands(
        self,
        commands: Sequence[BotCommand],
        *,
        scope: JsonObject | None = None,
        language_code: str | None = None,
    ) -> bool:
        params = {
            "commands": [command.model_dump() for command in commands],
            "scope": scope,
            "language_code": language_code,
        }
        return bool(await self.call("setMyCommands", params, kind="control"))


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("ok"), bool):
        return data
    return None
