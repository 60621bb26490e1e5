"""The user and test side, under `/_emulator/` (no bot token): people and chats, messages
users write, buttons they press, and read-backs of what the bot did.

    GET    /bot                            the bot's id, username, privacy mode
    POST   /users                          create or update a user (UserSpec)
    POST   /chats                          create or reuse a chat (ChatSpec)
    GET    /chats/{id}                     a chat, with its blocked/migrated state and topics
    POST   /chats/{id}/topics              open a topic (forums, private chats) -> thread id
    POST   /chats/{id}/block               the user blocks the bot, or unblocks it
    POST   /chats/{id}/migrate             upgrade a group to a supergroup
    POST   /send                           a user writes (SendSpec) -> update and message ids
    POST   /press                          a user presses an inline button (PressSpec)
    GET    /chats/{id}/transcript          the chat in order; ?after_version=&timeout= waits
    GET    /chats/{id}/wait                the bot's next message; ?after_message_id=&timeout=
    GET    /calls                          recorded Bot API calls; ?method=&chat_id=
    GET    /updates                        every update and what became of it
    GET    /webhook                        the webhook, its last error and each delivery
    GET|POST|DELETE /faults                injected faults (FaultSpec)
    GET|PUT /flood                         Telegram's flood limits (FloodLimits)
    POST   /reset                          forget everything but the bot

Errors are RFC 9457 problem documents.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive

from meshdev.telegram_emulator.faults import FaultPlan
from meshdev.telegram_emulator.formatting import detect_entities, entity_text, utf16_len
from meshdev.telegram_emulator.models import (
    BlockSpec,
    BotInfo,
    CallList,
    ChatSpec,
    Fault,
    FaultList,
    FaultSpec,
    FloodLimits,
    JsonObject,
    MediaKind,
    MigrateSpec,
    Pressed,
    PressSpec,
    SendSpec,
    Sent,
    Topic,
    TopicSpec,
    UpdateList,
    UserSpec,
    WebhookState,
)
from meshdev.telegram_emulator.state import (
    CallbackRecord,
    ChatRecord,
    MessageRecord,
    State,
    UserRecord,
)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

MAX_WAIT_S = 120.0


class ClientGone(Exception):
    """The client closed its connection while the server was waiting for it."""


async def unless_disconnected(receive: Receive, work: Awaitable[T]) -> T:
    """`work`'s result, or ClientGone once the client hangs up first: a long poll whose
    caller left must not hold its place (a bot's next poll, the server's shutdown)."""
    task = asyncio.ensure_future(work)

    async def hang_up() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(hang_up())
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not task.done():
            task.cancel()
        await asyncio.gather(task, watcher, return_exceptions=True)
    if task.cancelled():
        raise ClientGone
    return task.result()


class ControlError(Exception):
    def __init__(self, status: int, slug: str, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.extensions = extensions


def problem(status: int, slug: str, detail: str, **extensions: Any) -> JSONResponse:
    return JSONResponse(
        {
            "type": f"urn:telegram-emulator:{slug}",
            "title": slug.replace("-", " ").capitalize(),
            "status": status,
            "detail": detail,
            **extensions,
        },
        status_code=status,
        media_type="application/problem+json",
    )


def not_found(what: str) -> ControlError:
    return ControlError(404, "not-found", f"{what} does not exist")


def _media_json(kind: MediaKind, chat_id: int, message_id: int) -> JsonObject:
    file_id = f"EMU-{kind}-{chat_id}-{message_id}"
    unique = hashlib.sha256(file_id.encode()).hexdigest()[:16]
    ids = {"file_id": file_id, "file_unique_id": unique}
    if kind == "photo":
        return {
            "photo": [
                {
                    **ids,
                    "file_id": f"{file_id}-{side}",
                    "width": side,
                    "height": side,
                    "file_size": side * 40,
                }
                for side in (90, 320, 1280)
            ]
        }
    if kind == "document":
        return {
            "document": {
                **ids,
                "file_name": "document.pdf",
                "mime_type": "application/pdf",
                "file_size": 48_213,
            }
        }
    if kind == "voice":
        return {"voice": {**ids, "duration": 3, "mime_type": "audio/ogg", "file_size": 7_912}}
    return {
        "sticker": {
            **ids,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": 21_500,
        }
    }


class UserSide:
    """What people do: exist, chat, write, press buttons. Each becomes state and updates."""

    def __init__(self, state: State) -> None:
        self.state = state

    def ensure_user(self, spec: UserSpec) -> UserRecord:
        state = self.state
        with state.transaction():
            user_id = spec.id if spec.id is not None else state.new_user_id()
            user = UserRecord(
                id=user_id,
                first_name=spec.first_name,
                last_name=spec.last_name,
                username=spec.username,
                language_code=spec.language_code,
                is_bot=spec.is_bot,
            )
            known = state.users.get(user_id)
            if known is None:
                state.users[user_id] = user
                return user
            # Update in place: messages already recorded keep pointing at this user.
            known.__dict__.update(user.__dict__)
            return known

    def _user(self, chat: ChatRecord, given: UserSpec | int | None) -> UserRecord:
        if isinstance(given, UserSpec):
            return self.ensure_user(given)
        if isinstance(given, int):
            user = self.state.users.get(given)
            if user is None:
                raise not_found(f"user {given}")
            return user
        if chat.type == "private":
            return self.state.users[chat.id]
        raise ControlError(422, "user-required", "a message in a group needs its user")

    def ensure_chat(self, spec: ChatSpec) -> ChatRecord:
        state = self.state
        with state.transaction():
            if spec.type == "private":
                if spec.id is not None and spec.id <= 0:
                    raise ControlError(422, "invalid-chat", "private chat ids are positive")
                if (
                    spec.id is not None
                    and spec.user is not None
                    and spec.user.id
                    not in (
                        None,
                        spec.id,
                    )
                ):
                    raise ControlError(422, "invalid-chat", "a private chat's id is its user's id")
                if spec.is_forum:
                    raise ControlError(422, "invalid-chat", "only supergroups are forums")
                if spec.user is not None:
                    user = self.ensure_user(
                        spec.user
                        if spec.user.id is not None
                        else spec.user.model_copy(update={"id": spec.id})
                    )
                elif spec.id is not None and spec.id in state.users:
                    user = state.users[spec.id]
                else:
                    user = self.ensure_user(UserSpec(id=spec.id))
                chat = state.chats.get(user.id)
                if chat is None:
                    chat = state.chats[user.id] = ChatRecord(id=user.id, type="private")
                chat.first_name, chat.last_name = user.first_name, user.last_name
                chat.username = user.username
                return chat
            if spec.is_forum and spec.type != "supergroup":
                raise ControlError(422, "invalid-chat", "only supergroups are forums")
            if spec.id is not None and spec.id >= 0:
                raise ControlError(422, "invalid-chat", "group chat ids are negative")
            chat_id = spec.id if spec.id is not None else state.new_group_id(spec.type)
            chat = state.chats.get(chat_id)
            if chat is not None and chat.type != spec.type:
                raise ControlError(409, "chat-exists", f"chat {chat_id} is a {chat.type}")
            if chat is None:
                chat = state.chats[chat_id] = ChatRecord(id=chat_id, type=spec.type)
            chat.title = spec.title or chat.title or "Test group"
            chat.username = spec.username or chat.username
            chat.is_forum = spec.is_forum or chat.is_forum
            return chat

    def chat(self, chat_id: int) -> ChatRecord:
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise not_found(f"chat {chat_id}")
        return chat

    def create_topic(self, chat_id: int, spec: TopicSpec) -> Topic:
        with self.state.transaction():
            chat = self.chat(chat_id)
            if not (chat.is_forum or chat.type == "private"):
                raise ControlError(
                    409, "not-a-forum", "topics need a forum supergroup or a private chat"
                )
            # A topic's thread id is the id of the message that created it.
            thread_id = chat.next_message_id
            chat.next_message_id += 1
            chat.topics[thread_id] = spec.name
            return Topic(chat_id=chat.id, message_thread_id=thread_id, name=spec.name)

    def block(self, chat_id: int, spec: BlockSpec) -> ChatRecord:
        with self.state.transaction():
            chat = self.chat(chat_id)
            chat.blocked = spec.blocked
            return chat

    def migrate(self, chat_id: int, spec: MigrateSpec) -> ChatRecord:
        state = self.state
        with state.transaction():
            chat = self.chat(chat_id)
            if chat.type != "group":
                raise ControlError(409, "not-a-group", "only basic groups migrate")
            if chat.migrated_to is not None:
                return state.chats[chat.migrated_to]
            target = self.ensure_chat(
                ChatSpec(id=spec.to_chat_id, type="supergroup", title=chat.title)
            )
            chat.migrated_to = target.id
            return target

    def send(self, spec: SendSpec) -> Sent:
        state = self.state
        with state.transaction():
            chat = state.chats.get(spec.chat_id)
            if chat is None:
                if spec.chat_id <= 0:
                    raise not_found(f"chat {spec.chat_id}")
                user_spec = spec.user if isinstance(spec.user, UserSpec) else None
                chat = self.ensure_chat(ChatSpec(id=spec.chat_id, type="private", user=user_spec))
            if chat.migrated_to is not None:
                raise ControlError(
                    409,
                    "chat-migrated",
                    f"chat {chat.id} was upgraded to {chat.migrated_to}",
                    migrate_to_chat_id=chat.migrated_to,
                )
            user = self._user(chat, spec.user)
            if not spec.text and spec.media is None:
                raise ControlError(422, "empty-message", "a message needs text or media")
            if spec.text and spec.media is not None:
                raise ControlError(422, "invalid-message", "media messages carry a caption")
            thread_id, in_topic = self._thread(chat, spec.thread_id)
            if spec.reply_to is not None:
                replied = state.messages.get((chat.id, spec.reply_to))
                if replied is None or replied.deleted:
                    raise not_found(f"message {spec.reply_to} in chat {chat.id}")
            now = time.time()
            message = MessageRecord(
                chat_id=chat.id,
                message_id=chat.next_message_id,
                sender=user,
                from_bot=False,
                date=int(now),
                seq=state.next_seq(),
                at=now,
                reply_to=spec.reply_to,
                thread_id=thread_id,
                is_topic_message=in_topic,
            )
            if spec.text:
                if utf16_len(spec.text) > 4096:
                    raise ControlError(422, "too-long", "Telegram caps messages at 4096")
                message.text = spec.text
                message.entities = detect_entities(spec.text, list(spec.entities or []))
            else:
                assert spec.media is not None
                message.media = spec.media
                message.media_json = _media_json(spec.media, chat.id, message.message_id)
                if spec.caption:
                    message.caption = spec.caption
                    message.caption_entities = detect_entities(spec.caption, [])
            chat.next_message_id += 1
            chat.last_user_message_id = message.message_id
            state.messages[(chat.id, message.message_id)] = message
            state.add_item(chat, message)
            update = state.enqueue(
                "message",
                chat.id,
                state.message_json(message),
                addressed=self._addresses_bot(chat, message),
            )
            return Sent(update_id=update.update_id, chat_id=chat.id, message_id=message.message_id)

    def _thread(self, chat: ChatRecord, thread_id: int | None) -> tuple[int | None, bool]:
        if thread_id is None:
            return None, False
        if thread_id in chat.topics:
            return thread_id, True
        if not chat.is_forum and (chat.id, thread_id) in self.state.messages:
            return thread_id, False
        raise not_found(f"thread {thread_id} in chat {chat.id}")

    def _addresses_bot(self, chat: ChatRecord, message: MessageRecord) -> bool:
        """Whether the bot sees the message under group privacy mode."""
        if chat.type == "private":
            return True
        if message.reply_to is not None:
            replied = self.state.messages.get((chat.id, message.reply_to))
            if replied is not None and replied.from_bot:
                return True
        username = (self.state.bot.username or "").lower()
        text = message.text or message.caption or ""
        for entity in message.entities or message.caption_entities:
            token = entity_text(text, entity).lower()
            if entity["type"] == "bot_command" and ("@" not in token or token.endswith(username)):
                return True
            if entity["type"] == "mention" and token == f"@{username}":
                return True
        return False

    def press(self, spec: PressSpec) -> Pressed:
        state = self.state
        with state.transaction():
            chat = self.chat(spec.chat_id)
            message = state.messages.get((chat.id, spec.message_id))
            if message is None or message.deleted or not message.from_bot:
                raise not_found(f"bot message {spec.message_id} in chat {chat.id}")
            rows = (message.reply_markup or {}).get("inline_keyboard") or []
            button = next(
                (b for row in rows for b in row if b.get("callback_data") == spec.data), None
            )
            if button is None:
                raise ControlError(
                    409,
                    "no-such-button",
                    f"message {spec.message_id} has no button with callback_data {spec.data!r}",
                )
            user = self._user(chat, spec.user)
            query_id = f"{state.bot.id}{state.next_callback:09d}"
            state.next_callback += 1
            now = time.time()
            query = CallbackRecord(
                id=query_id,
                chat_id=chat.id,
                message_id=message.message_id,
                user=user,
                data=spec.data,
                button_text=str(button.get("text", "")),
                seq=state.next_seq(),
                at=now,
            )
            state.callbacks[query_id] = query
            state.add_item(chat, query)
            update = state.enqueue(
                "callback_query",
                chat.id,
                {
                    "id": query_id,
                    "from": user.telegram(),
                    "message": state.message_json(message),
                    "chat_instance": state.chat_instance(chat.id),
                    "data": spec.data,
                },
                addressed=True,
            )
            return Pressed(update_id=update.update_id, callback_query_id=query_id)


async def _body(request: Request, model: type[M]) -> M:
    raw = await request.body()
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as error:
        raise ControlError(
            422,
            "invalid-request",
            "the request body does not match the schema",
            errors=error.errors(include_url=False, include_context=False, include_input=False),
        ) from None


def _int_param(request: Request, name: str, default: int | None = None) -> int | None:
    value = request.query_params.get(name) or request.path_params.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ControlError(422, "invalid-request", f"{name} must be an integer") from None


def _timeout(request: Request, default: float) -> float:
    value = request.query_params.get("timeout")
    try:
        seconds = default if value is None else float(value)
    except ValueError:
        raise ControlError(422, "invalid-request", "timeout must be a number") from None
    return min(max(seconds, 0.0), MAX_WAIT_S)


def _json(model: BaseModel, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status)


def control_routes(state: State) -> list[BaseRoute]:
    people = UserSide(state)
    Endpoint = Callable[[Request], Awaitable[Response]]

    def route(path: str, methods: list[str]) -> Callable[[Endpoint], Endpoint]:
        def register(endpoint: Endpoint) -> Endpoint:
            async def guarded(request: Request) -> Response:
                try:
                    return await endpoint(request)
                except ControlError as error:
                    return problem(error.status, error.slug, error.detail, **error.extensions)
                except ClientGone:
                    # Nobody is left to read it; the server drops answers to closed connections.
                    return Response(status_code=499)

            routes.append(Route(f"/_emulator{path}", guarded, methods=methods))
            return endpoint

        return register

    routes: list[BaseRoute] = []

    def chat_id_of(request: Request) -> int:
        chat_id = _int_param(request, "chat_id")
        assert chat_id is not None
        return chat_id

    @route("/bot", ["GET"])
    async def get_bot(_request: Request) -> Response:
        bot = state.bot
        return _json(
            BotInfo(
                id=bot.id,
                username=bot.username or "",
                first_name=bot.first_name,
                privacy_mode=state.settings.privacy_mode,
            )
        )

    @route("/users", ["POST"])
    async def create_user(request: Request) -> Response:
        user = people.ensure_user(await _body(request, UserSpec))
        return _json(user.model())

    @route("/chats", ["POST"])
    async def create_chat(request: Request) -> Response:
        chat = people.ensure_chat(await _body(request, ChatSpec))
        return _json(chat.model())

    @route("/chats/{chat_id}", ["GET"])
    async def get_chat(request: Request) -> Response:
        with state.lock:
            return _json(people.chat(chat_id_of(request)).model())

    @route("/chats/{chat_id}/topics", ["POST"])
    async def create_topic(request: Request) -> Response:
        spec = await _body(request, TopicSpec)
        return _json(people.create_topic(chat_id_of(request), spec))

    @route("/chats/{chat_id}/block", ["POST"])
    async def block_chat(request: Request) -> Response:
        spec = await _body(request, BlockSpec)
        return _json(people.block(chat_id_of(request), spec).model())

    @route("/chats/{chat_id}/migrate", ["POST"])
    async def migrate_chat(request: Request) -> Response:
        spec = await _body(request, MigrateSpec)
        return _json(people.migrate(chat_id_of(request), spec).model())

    @route("/send", ["POST"])
    async def send(request: Request) -> Response:
        return _json(people.send(await _body(request, SendSpec)))

    @route("/press", ["POST"])
    async def press(request: Request) -> Response:
        return _json(people.press(await _body(request, PressSpec)))

    @route("/chats/{chat_id}/transcript", ["GET"])
    async def get_transcript(request: Request) -> Response:
        """The chat's entries changed after `after_version`; with `timeout`, waits for one."""
        chat_id = chat_id_of(request)
        after = _int_param(request, "after_version", 0) or 0
        timeout = _timeout(request, 0.0)

        def changed() -> bool | None:
            with state.lock:
                chat = state.chats.get(chat_id)
                if chat is None or any(item.version > after for item in chat.items):
                    return True
            return None

        if timeout > 0:
            await unless_disconnected(request.receive, state.notifier.wait_for(changed, timeout))
        transcript = state.transcript(chat_id, after)
        if transcript is None:
            raise not_found(f"chat {chat_id}")
        return _json(transcript)

    @route("/chats/{chat_id}/wait", ["GET"])
    async def wait_for_bot_message(request: Request) -> Response:
        """The bot's first message after `after_message_id` (by default after the last
        message a user sent there), waiting up to `timeout` seconds for it."""
        chat_id = chat_id_of(request)
        timeout = _timeout(request, 10.0)
        with state.lock:
            chat = people.chat(chat_id)
            after = _int_param(request, "after_message_id", chat.last_user_message_id)
            generation = state.generation

        def first_reply() -> MessageRecord | None:
            with state.lock:
                current = state.chats.get(chat_id)
                if current is None or state.generation != generation:
                    return None
                for item in current.items:
                    if (
                        isinstance(item, MessageRecord)
                        and item.from_bot
                        and not item.deleted
                        and item.message_id > (after or 0)
                    ):
                        return item
            return None

        message = await unless_disconnected(
            request.receive, state.notifier.wait_for(first_reply, timeout)
        )
        if message is None:
            raise ControlError(
                408, "no-reply", f"the bot did not write in chat {chat_id} within {timeout:g}s"
            )
        with state.lock:
            return _json(state.transcript_message(message))

    @route("/calls", ["GET"])
    async def list_calls(request: Request) -> Response:
        method = (request.query_params.get("method") or "").lower()
        chat_id = _int_param(request, "chat_id")
        with state.lock:
            calls = [
                call
                for call in state.calls
                if (not method or call.method.lower() == method)
                and (chat_id is None or call.chat_id == chat_id)
            ]
        return _json(CallList(calls=calls))

    @route("/updates", ["GET"])
    async def list_updates(_request: Request) -> Response:
        with state.lock:
            return _json(UpdateList(updates=[update.model() for update in state.updates]))

    @route("/webhook", ["GET"])
    async def get_webhook(_request: Request) -> Response:
        with state.lock:
            webhook = state.webhook
            return _json(
                WebhookState(
                    url=webhook.url if webhook else "",
                    secret_token_set=bool(webhook and webhook.secret_token),
                    max_connections=webhook.max_connections if webhook else 40,
                    allowed_updates=state.allowed_updates,
                    pending_update_count=len(state.pending),
                    last_error_date=state.last_error_date,
                    last_error_message=state.last_error_message,
                    deliveries=list(state.deliveries),
                )
            )

    def fault_list() -> FaultList:
        return FaultList(
            faults=[
                Fault(id=plan.id, spec=plan.spec, remaining=plan.remaining, fired=plan.fired)
                for plan in state.faults
            ]
        )

    @route("/faults", ["GET", "POST", "DELETE"])
    async def faults(request: Request) -> Response:
        if request.method == "POST":
            spec = await _body(request, FaultSpec)
            with state.transaction():
                plan = FaultPlan(id=state.next_fault_id, spec=spec, remaining=spec.count)
                state.next_fault_id += 1
                state.faults.append(plan)
            return _json(Fault(id=plan.id, spec=spec, remaining=plan.remaining, fired=0), 201)
        if request.method == "DELETE":
            with state.transaction():
                state.faults.clear()
                state.cooldowns.clear()
        with state.lock:
            return _json(fault_list())

    @route("/flood", ["GET", "PUT"])
    async def flood(request: Request) -> Response:
        if request.method == "PUT":
            limits = await _body(request, FloodLimits)
            with state.transaction():
                state.flood.configure(limits)
        with state.lock:
            return _json(state.flood.limits)

    @route("/reset", ["POST"])
    async def reset(_request: Request) -> Response:
        state.clear()
        return Response(status_code=204)

    return routes
