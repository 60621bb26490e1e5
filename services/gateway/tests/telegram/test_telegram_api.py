"""BotApi against an in-process Telegram: envelopes, retries, error classes, token hygiene."""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gateway.telegram.api import (
    BadRequest,
    BotApi,
    BotCommand,
    CantParseEntities,
    ChatBlocked,
    ChatMigrated,
    Conflict,
    Kind,
    MessageNotModified,
    NetworkError,
    RetryAfter,
    RetryPolicy,
    ServerError,
    TelegramError,
    Unauthorized,
)

TOKEN = "123456789:AAHsecret-Token_value"
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def ok(result: Any) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": result})


def refused(code: int, description: str, **parameters: int) -> httpx.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return httpx.Response(code, json=body)


def message(chat_id: int, message_id: int = 1, text: str = "hi") -> dict[str, Any]:
    return {
        "message_id": message_id,
        "date": 1_767_225_600,
        "chat": {"id": chat_id, "type": "private", "first_name": "Ana", "new_field": 1},
        "text": text,
        "entities": [],
        "some_future_field": {"x": 1},
    }


class FakeTelegram:
    """Answers like the Bot API: scripted replies first, then a plausible success."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.script: dict[str, list[Reply]] = {}

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (r.url.path.rsplit("/", 1)[-1], json.loads(r.content or b"{}")) for r in self.requests
        ]

    def then(self, method: str, *replies: Reply) -> None:
        self.script.setdefault(method, []).extend(replies)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        method = request.url.path.rsplit("/", 1)[-1]
        params = json.loads(request.content or b"{}")
        queue = self.script.get(method)
        if queue:
            reply = queue.pop(0)
            if isinstance(reply, Exception):
                raise reply
            return reply if isinstance(reply, httpx.Response) else reply(request)
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            return ok(message(params["chat_id"], params.get("message_id", 7)))
        if method == "getMe":
            return ok({"id": 42, "is_bot": True, "first_name": "Copper", "username": "pot_bot"})
        if method == "getWebhookInfo":
            return ok({"url": "", "pending_update_count": 3, "has_custom_certificate": False})
        if method == "getUpdates":
            return ok([{"update_id": 5, "message": message(1)}])
        return ok(True)


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def telegram() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_api(
    telegram: FakeTelegram,
    sleeps: Sleeps,
    *,
    retry: RetryPolicy | None = None,
    base_url: str = "https://api.telegram.org",
    pacer: Any = None,
) -> BotApi:
    http = httpx.AsyncClient(transport=httpx.MockTransport(telegram))
    return BotApi(
        http,
        TOKEN,
        api_base_url=base_url,
        retry=retry,
        sleep=sleeps,
        jitter=lambda: 0.5,
        pacer=pacer,
    )


async def test_results_are_typed_and_unknown_fields_ignored(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    api = make_api(telegram, sleeps)

    me = await api.get_me()
    sent = await api.send_message(5, "hello")

    assert (me.id, me.username, me.is_bot) == (42, "pot_bot", True)
    assert (sent.message_id, sent.chat.id, sent.text) == (7, 5, "hi")
    assert sent.date.year == 2026
    assert not hasattr(sent, "some_future_field")


async def test_calls_post_json_to_the_configured_server_without_unset_parameters(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    api = make_api(telegram, sleeps, base_url="http://127.0.0.1:8081/")

    await api.send_message(5, "<b>hi</b>", parse_mode="HTML", message_thread_id=9)

    request = telegram.requests[0]
    assert str(request.url) == f"http://127.0.0.1:8081/bot{TOKEN}/sendMessage"
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "chat_id": 5,
        "text": "<b>hi</b>",
        "parse_mode": "HTML",
        "message_thread_id": 9,
    }


async def test_every_method_sends_the_bot_api_parameters(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    api = make_api(telegram, sleeps)
    keyboard = {"inline_keyboard": [[{"text": "Approve", "callback_data": "a:1"}]]}

    assert await api.set_webhook(
        "https://gw.example/telegram/webhook",
        secret_token="s3cret",
        allowed_updates=["message", "callback_query"],
        drop_pending_updates=True,
    )
    assert await api.delete_webhook()
    info = await api.get_webhook_info()
    await api.edit_message_text(5, 7, "new", parse_mode="HTML", reply_markup=keyboard)
    await api.edit_message_reply_markup(5, 7)
    assert await api.delete_message(5, 7)
    assert await api.send_chat_action(5, message_thread_id=3)
    assert await api.send_message_draft(5, 11, "partial", parse_mode="HTML")
    assert await api.answer_callback_query("cb1", text="Done")
    assert await api.set_my_commands([BotCommand(command="start", description="Start")])
    await api.send_message(
        5,
        "x",
        reply_parameters={"message_id": 3},
        link_preview_options={"is_disabled": True},
        disable_notification=True,
    )

    assert info.pending_update_count == 3
    assert telegram.calls == [
        (
            "setWebhook",
            {
                "url": "https://gw.example/telegram/webhook",
                "secret_token": "s3cret",
                "allowed_updates": ["message", "callback_query"],
                "drop_pending_updates": True,
            },
        ),
        ("deleteWebhook", {}),
        ("getWebhookInfo", {}),
        (
            "editMessageText",
            {
                "chat_id": 5,
                "message_id": 7,
                "text": "new",
                "parse_mode": "HTML",
                "reply_markup": keyboard,
            },
        ),
        ("editMessageReplyMarkup", {"chat_id": 5, "message_id": 7}),
        ("deleteMessage", {"chat_id": 5, "message_id": 7}),
        ("sendChatAction", {"chat_id": 5, "action": "typing", "message_thread_id": 3}),
        (
            "sendMessageDraft",
            {"chat_id": 5, "draft_id": 11, "text": "partial", "parse_mode": "HTML"},
        ),
        ("answerCallbackQuery", {"callback_query_id": "cb1", "text": "Done"}),
        ("setMyCommands", {"commands": [{"command": "start", "description": "Start"}]}),
        (
            "sendMessage",
            {
                "chat_id": 5,
                "text": "x",
                "reply_parameters": {"message_id": 3},
                "link_preview_options": {"is_disabled": True},
                "disable_notification": True,
            },
        ),
    ]


async def test_a_draft_needs_a_non_zero_id(telegram: FakeTelegram, sleeps: Sleeps) -> None:
    api = make_api(telegram, sleeps)

    with pytest.raises(ValueError, match="non-zero"):
        await api.send_message_draft(5, 0, "x")
    assert telegram.requests == []


async def test_long_poll_http_timeout_outlasts_the_poll(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    api = make_api(telegram, sleeps)

    updates = await api.get_updates(offset=5, timeout=50, allowed_updates=["message"])

    assert updates[0]["update_id"] == 5
    assert updates[0]["message"]["some_future_field"] == {"x": 1}
    request = telegram.requests[0]
    assert json.loads(request.content) == {
        "offset": 5,
        "limit": 100,
        "timeout": 50,
        "allowed_updates": ["message"],
    }
    assert request.extensions["timeout"]["read"] > 50


async def test_flood_wait_is_waited_out_then_the_call_succeeds(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    telegram.then("sendMessage", refused(429, "Too Many Requests: retry after 3", retry_after=3))
    api = make_api(telegram, sleeps)

    sent = await api.send_message(5, "hello")

    assert sent.message_id == 7
    assert len(telegram.requests) == 2
    # retry_after plus jitter (0.5 s times the injected 0.5).
    assert sleeps.waits == [3.25]


async def test_retry_after_is_read_from_the_description_when_parameters_are_missing(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    telegram.then("sendMessage", refused(429, "Too Many Requests: retry after 2"))
    api = make_api(telegram, sleeps)

    await api.send_message(5, "hello")

    assert sleeps.waits == [2.25]


async def test_flood_waits_beyond_the_budget_raise_retry_after(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    flood = refused(429, "Too Many Requests: retry after 4", retry_after=4)
    telegram.then("sendMessage", *([flood] * 10))
    api = make_api(telegram, sleeps, retry=RetryPolicy(max_flood_wait_s=10))

    with pytest.raises(RetryAfter) as caught:
        await api.send_message(5, "hello")

    assert caught.value.retry_after == 4
    assert caught.value.error_code == 429
    assert sleeps.waits == [4.25, 4.25]
    assert sum(sleeps.waits) <= 10
    assert len(telegram.requests) == 3


async def test_drafts_and_chat_actions_do_not_wait_out_a_flood(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    flood = refused(429, "Too Many Requests: retry after 5", retry_after=5)
    telegram.then("sendChatAction", flood)
    telegram.then("sendMessageDraft", flood)
    api = make_api(telegram, sleeps)

    with pytest.raises(RetryAfter):
        await api.send_chat_action(5)
    with pytest.raises(RetryAfter):
        await api.send_message_draft(5, 1, "x")

    assert sleeps.waits == []


async def test_server_errors_back_off_exponentially_then_succeed(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    telegram.then(
        "getMe",
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        refused(500, "Internal Server Error"),
        httpx.Response(503, text="unavailable"),
    )
    api = make_api(telegram, sleeps)

    me = await api.get_me()

    assert me.id == 42
    # base 0.5 s doubling, times 0.75 with the injected jitter.
    assert sleeps.waits == [0.375, 0.75, 1.5]


async def test_server_errors_past_the_retry_limit_raise(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    telegram.then("sendMessage", *([httpx.Response(502, text="Bad Gateway")] * 5))
    api = make_api(telegram, sleeps, retry=RetryPolicy(transient_retries=2))

    with pytest.raises(ServerError) as caught:
        await api.send_message(5, "x")

    assert caught.value.error_code == 502
    assert len(telegram.requests) == 3
    assert len(sleeps.waits) == 2


async def test_transport_errors_are_retried_then_raised_as_network_errors(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    telegram.then("sendMessage", httpx.ConnectError("connection refused"))
    api = make_api(telegram, sleeps)
    assert (await api.send_message(5, "x")).message_id == 7

    telegram.then("sendMessage", *([httpx.ReadTimeout("timed out")] * 3))
    strict = make_api(telegram, sleeps, retry=RetryPolicy(transient_retries=2))
    with pytest.raises(NetworkError) as caught:
        await strict.send_message(5, "x")
    assert caught.value.error_code == 0
    assert "ReadTimeout" in str(caught.value)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (refused(403, "Forbidden: bot was blocked by the user"), ChatBlocked),
        (refused(403, "Forbidden: user is deactivated"), ChatBlocked),
        (
            refused(400, 'Bad Request: can\'t parse entities: Unsupported start tag "x"'),
            CantParseEntities,
        ),
        (
            refused(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup",
            ),
            MessageNotModified,
        ),
        (refused(400, "Bad Request: chat not found"), BadRequest),
        (refused(401, "Unauthorized"), Unauthorized),
        (refused(409, "Conflict: terminated by other getUpdates request"), Conflict),
        (refused(404, "Not Found"), TelegramError),
        (httpx.Response(200, text="captive portal"), TelegramError),
    ],
)
async def test_refusals_raise_their_error_class_at_once(
    telegram: FakeTelegram, sleeps: Sleeps, reply: httpx.Response, error: type[TelegramError]
) -> None:
    telegram.then("editMessageText", reply)
    api = make_api(telegram, sleeps)

    with pytest.raises(error) as caught:
        await api.edit_message_text(5, 7, "same")

    assert type(caught.value) is error
    assert caught.value.method == "editMessageText"
    assert len(telegram.requests) == 1
    assert sleeps.waits == []


async def test_a_migrated_group_raises_with_the_new_chat_id(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    telegram.then(
        "sendMessage",
        refused(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=-1001234,
        ),
    )
    api = make_api(telegram, sleeps)

    with pytest.raises(ChatMigrated) as caught:
        await api.send_message(-55, "x")

    assert caught.value.migrate_to_chat_id == -1001234
    assert isinstance(caught.value, BadRequest)


async def test_the_pacer_is_asked_before_every_attempt(
    telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    asked: list[tuple[int | str | None, Kind]] = []

    class Recorder:
        async def acquire(self, chat_id: int | str | None, kind: Kind) -> None:
            asked.append((chat_id, kind))

    telegram.then("sendMessage", refused(429, "Too Many Requests: retry after 1", retry_after=1))
    api = make_api(telegram, sleeps, pacer=Recorder())

    await api.send_message(5, "x")
    await api.edit_message_text(5, 7, "y")
    await api.send_message_draft(5, 1, "z")
    await api.get_me()

    assert asked == [(5, "send"), (5, "send"), (5, "edit"), (5, "draft"), (None, "query")]


async def test_each_call_is_logged_with_method_status_and_duration_but_not_the_text(
    telegram: FakeTelegram, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="gateway.telegram.api")
    telegram.then("sendMessage", refused(429, "Too Many Requests: retry after 1", retry_after=1))
    api = make_api(telegram, sleeps)

    await api.send_message(5, "the secret recipe")

    records = [r for r in caplog.records if r.name == "gateway.telegram.api"]
    assert [(r.__dict__["method"], r.__dict__["status"]) for r in records] == [
        ("sendMessage", 429),
        ("sendMessage", 200),
    ]
    assert all(isinstance(r.__dict__["duration_ms"], float) for r in records)
    assert records[0].levelno == logging.WARNING
    assert records[0].__dict__["error_code"] == 429
    assert all("secret recipe" not in repr(r.__dict__) for r in records)


def leaks(text: str) -> bool:
    return TOKEN in text or TOKEN.split(":")[1] in text


async def test_the_token_never_reaches_errors_reprs_or_logs(
    telegram: FakeTelegram, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # services keep it quiet below DEBUG

    def connect_error(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    def echo_error(request: httpx.Request) -> httpx.Response:
        return refused(400, f"Bad Request: odd path {request.url.path}")

    def proxy_error(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text=f"<html>upstream failed for {request.url}</html>")

    telegram.then("sendMessage", *([connect_error] * 5))
    telegram.then("editMessageText", echo_error)
    telegram.then("deleteMessage", *([proxy_error] * 5))
    api = make_api(telegram, sleeps, retry=RetryPolicy(transient_retries=1))

    errors: list[TelegramError] = []
    with pytest.raises(NetworkError) as network:
        await api.send_message(5, "x")
    errors.append(network.value)
    with pytest.raises(BadRequest) as bad:
        await api.edit_message_text(5, 7, "x")
    errors.append(bad.value)
    with pytest.raises(ServerError) as server:
        await api.delete_message(5, 7)
    errors.append(server.value)

    assert "cannot reach https://api.telegram.org/bot<token>/sendMessage" in str(network.value)
    assert "/bot<token>/editMessageText" in str(bad.value)
    for error in errors:
        assert error.__cause__ is None
        assert error.__context__ is None
        shown = "".join(traceback.format_exception(error))
        assert not leaks(str(error) + repr(error) + repr(error.args) + shown)
    assert not leaks(repr(api))
    assert not leaks(repr(vars(api)))
    # httpx logs every request URL at INFO; those lines are scrubbed too.
    assert any(r.name == "httpx" for r in caplog.records)
    for record in caplog.records:
        assert not leaks(record.getMessage())
        assert not leaks(repr(record.__dict__))


async def test_a_malformed_token_is_refused_without_being_echoed() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(ValueError, match="bot token") as caught:
            BotApi(http, "123:abc/def")
    assert "abc" not in str(caught.value)


async def test_a_client_it_created_is_closed_with_it(telegram: FakeTelegram) -> None:
    async with BotApi.create(TOKEN, transport=httpx.MockTransport(telegram)) as api:
        assert (await api.get_me()).first_name == "Copper"
        http = api._http
    assert http.is_closed


async def test_a_client_it_was_given_stays_open(telegram: FakeTelegram) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(telegram)) as http:
        async with BotApi(http, TOKEN) as api:
            await api.get_me()
        assert not http.is_closed


async def test_calls_beyond_the_connection_limit_wait_their_turn_in_the_client() -> None:
    """A burst (200 chats' "typing") never has more requests in flight than the pool keeps
    connections: httpcore would rescan every pooled connection per request otherwise."""
    in_flight = peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return ok(True)

    async with BotApi.create(TOKEN, transport=httpx.MockTransport(slow), max_connections=3) as api:
        results = await asyncio.gather(*(api.send_chat_action(n, "typing") for n in range(20)))
    assert results == [True] * 20
    assert peak == 3


async def test_a_long_poll_does_not_hold_a_slot_sends_need() -> None:
    polling = asyncio.Event()
    release = asyncio.Event()

    async def telegram(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/getUpdates"):
            polling.set()
            await release.wait()  # Telegram holds a long poll until updates come
            return ok([])
        return ok(message(1))

    async with BotApi.create(
        TOKEN, transport=httpx.MockTransport(telegram), max_connections=1
    ) as api:
        poll = asyncio.create_task(api.get_updates(timeout=30))
        await polling.wait()
        async with asyncio.timeout(5):
            sent = await api.send_message(1, "meanwhile")
        assert sent.chat.id == 1
        release.set()
        assert await poll == []
