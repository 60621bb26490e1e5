"""A typed async client for the emulator's control API: the users' side of a chat.

```python
async with EmulatorClient(url) as emulator:
    chat = await emulator.private_chat(UserSpec(first_name="Ana"))
    await emulator.send_text(chat.id, "/start")
    reply = await emulator.wait_for_bot_message(chat.id)
    await emulator.press(chat.id, reply.message_id, reply.buttons[0][0].callback_data or "")
```
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import httpx

from meshdev.telegram_emulator.models import (
    BlockSpec,
    BotInfo,
    CallList,
    Chat,
    ChatSpec,
    ChatType,
    Fault,
    FaultKind,
    FaultList,
    FaultSpec,
    FloodLimits,
    JsonObject,
    MediaKind,
    MigrateSpec,
    Pressed,
    PressSpec,
    RecordedCall,
    SendSpec,
    Sent,
    Topic,
    TopicSpec,
    Transcript,
    TranscriptMessage,
    UpdateList,
    UpdateRecord,
    User,
    UserSpec,
    WebhookState,
)

#: Extra seconds the HTTP client waits beyond a server-side long poll.
_GRACE_S = 5.0


class EmulatorError(RuntimeError):
    """The control API refused a request; `problem` is its RFC 9457 document."""

    def __init__(self, status: int, problem: JsonObject) -> None:
        super().__init__(f"{status}: {problem.get('detail') or problem}")
        self.status = status
        self.problem = problem


class NoBotReply(TimeoutError):
    """The bot did not write in the chat within the timeout."""


class EmulatorClient:
    def __init__(
        self, base_url: str, *, http: httpx.AsyncClient | None = None, timeout: float = 10.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout, trust_env=False)
        self._timeout = timeout

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        wait_s: float = 0.0,
    ) -> httpx.Response:
        response = await self._http.request(
            method,
            f"{self.base_url}/_emulator{path}",
            json=body,
            params={k: v for k, v in (params or {}).items() if v is not None},
            timeout=self._timeout + wait_s + (_GRACE_S if wait_s else 0.0),
        )
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text}
            raise EmulatorError(response.status_code, problem)
        return response

    # People and chats --------------------------------------------------------------------

    async def bot(self) -> BotInfo:
        return BotInfo.model_validate((await self._request("GET", "/bot")).json())

    async def ensure_user(self, user: UserSpec | None = None) -> User:
        spec = user or UserSpec()
        response = await self._request("POST", "/users", body=spec.model_dump(mode="json"))
        return User.model_validate(response.json())

    async def ensure_chat(self, chat: ChatSpec) -> Chat:
        response = await self._request("POST", "/chats", body=chat.model_dump(mode="json"))
        return Chat.model_validate(response.json())

    async def private_chat(self, user: UserSpec | None = None) -> Chat:
        return await self.ensure_chat(ChatSpec(type="private", user=user or UserSpec()))

    async def group(
        self,
        title: str = "Test group",
        *,
        chat_id: int | None = None,
        kind: ChatType = "group",
        forum: bool = False,
        username: str | None = None,
    ) -> Chat:
        spec = ChatSpec(id=chat_id, type=kind, title=title, is_forum=forum, username=username)
        return await self.ensure_chat(spec)

    async def chat(self, chat_id: int) -> Chat:
        return Chat.model_validate((await self._request("GET", f"/chats/{chat_id}")).json())

    async def create_topic(self, chat_id: int, name: str) -> int:
        """A forum topic (or a private chat topic); returns its message_thread_id."""
        response = await self._request(
            "POST", f"/chats/{chat_id}/topics", body=TopicSpec(name=name).model_dump()
        )
        return Topic.model_validate(response.json()).message_thread_id

    async def block(self, chat_id: int, blocked: bool = True) -> Chat:
        """The user blocks the bot (or, for a group, removes it): sends then answer 403."""
        response = await self._request(
            "POST", f"/chats/{chat_id}/block", body=BlockSpec(blocked=blocked).model_dump()
        )
        return Chat.model_validate(response.json())

    async def unblock(self, chat_id: int) -> Chat:
        return await self.block(chat_id, blocked=False)

    async def migrate(self, chat_id: int, to_chat_id: int | None = None) -> Chat:
        """Upgrade a group to a supergroup; returns the supergroup."""
        response = await self._request(
            "POST",
            f"/chats/{chat_id}/migrate",
            body=MigrateSpec(to_chat_id=to_chat_id).model_dump(),
        )
        return Chat.model_validate(response.json())

    # What users do -----------------------------------------------------------------------

    async def send(self, message: SendSpec) -> Sent:
        response = await self._request("POST", "/send", body=message.model_dump(mode="json"))
        return Sent.model_validate(response.json())

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user: UserSpec | int | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        entities: list[JsonObject] | None = None,
    ) -> int:
        """A user writes `text`; returns the update's id."""
        sent = await self.send(
            SendSpec(
                chat_id=chat_id,
                text=text,
                user=user,
                thread_id=thread_id,
                reply_to=reply_to,
                entities=entities,
            )
        )
        return sent.update_id

    async def send_media(
        self,
        chat_id: int,
        media: MediaKind,
        *,
        caption: str | None = None,
        user: UserSpec | int | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> Sent:
        return await self.send(
            SendSpec(
                chat_id=chat_id,
                media=media,
                caption=caption,
                user=user,
                thread_id=thread_id,
                reply_to=reply_to,
            )
        )

    async def press(
        self, chat_id: int, message_id: int, data: str, *, user: UserSpec | int | None = None
    ) -> Pressed:
        """A user presses the inline button carrying `data` under a bot message."""
        spec = PressSpec(chat_id=chat_id, message_id=message_id, data=data, user=user)
        response = await self._request("POST", "/press", body=spec.model_dump(mode="json"))
        return Pressed.model_validate(response.json())

    # What the bot did --------------------------------------------------------------------

    # The server does the waiting; `timeout` is the long poll it is asked for.
    async def transcript(
        self,
        chat_id: int,
        *,
        after_version: int = 0,
        timeout: float = 0.0,  # noqa: ASYNC109
    ) -> Transcript:
        """The chat in order; with `after_version`, only entries changed since, and with
        `timeout`, waits up to that long for such a change."""
        response = await self._request(
            "GET",
            f"/chats/{chat_id}/transcript",
            params={"after_version": after_version, "timeout": timeout or None},
            wait_s=timeout,
        )
        return Transcript.model_validate(response.json())

    async def wait_for_bot_message(
        self,
        chat_id: int,
        after_message_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> TranscriptMessage:
        """The bot's first message after `after_message_id` (default: after the last message
        a user sent in the chat); raises NoBotReply when none comes within `timeout`."""
        try:
            response = await self._request(
                "GET",
                f"/chats/{chat_id}/wait",
                params={"after_message_id": after_message_id, "timeout": timeout},
                wait_s=timeout,
            )
        except EmulatorError as error:
            if error.status == 408:
                raise NoBotReply(str(error.problem.get("detail"))) from None
            raise
        return TranscriptMessage.model_validate(response.json())

    async def calls(
        self, method: str | None = None, *, chat_id: int | None = None
    ) -> list[RecordedCall]:
        """Bot API calls the bot made, oldest first, optionally of one method or chat."""
        response = await self._request(
            "GET", "/calls", params={"method": method, "chat_id": chat_id}
        )
        return CallList.model_validate(response.json()).calls

    async def updates(self) -> list[UpdateRecord]:
        return UpdateList.model_validate((await self._request("GET", "/updates")).json()).updates

    async def webhook(self) -> WebhookState:
        return WebhookState.model_validate((await self._request("GET", "/webhook")).json())

    # Faults ------------------------------------------------------------------------------

    async def inject(
        self,
        method: str,
        kind: FaultKind,
        *,
        count: int = 1,
        chat_id: int | None = None,
        retry_after: int = 5,
        latency_s: float = 1.0,
        description: str | None = None,
        executed: bool = False,
    ) -> Fault:
        """The next `count` calls of `method` ("*" for any) get `kind` instead of an answer."""
        spec = FaultSpec(
            method=method,
            kind=kind,
            count=count,
            chat_id=chat_id,
            retry_after=retry_after,
            latency_s=latency_s,
            description=description,
            executed=executed,
        )
        response = await self._request("POST", "/faults", body=spec.model_dump(mode="json"))
        return Fault.model_validate(response.json())

    async def faults(self) -> list[Fault]:
        return FaultList.model_validate((await self._request("GET", "/faults")).json()).faults

    async def clear_faults(self) -> None:
        """Forget injected faults and the 429 windows they opened."""
        await self._request("DELETE", "/faults")

    async def set_flood_limits(
        self, limits: FloodLimits | None = None, **fields: Any
    ) -> FloodLimits:
        """Switch Telegram's flood limits on (or off) and tune them."""
        body = (limits or FloodLimits.model_validate({"enabled": True, **fields})).model_dump()
        response = await self._request("PUT", "/flood", body=body)
        return FloodLimits.model_validate(response.json())

    async def reset(self) -> None:
        """Forget users, chats, messages, updates, webhook, calls and faults."""
        await self._request("POST", "/reset")
