"""The Bot API side: the methods a bot calls at `/bot<token>/<method>`, answered with
Telegram's envelope, status codes and error descriptions.

Every call is recorded with its outcome. Methods the emulator does not implement answer 400
rather than a quiet success, so a bot never passes a test by calling something unchecked.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from meshdev.telegram_emulator.faults import FLOODED_METHODS, Cooldown, FaultPlan, seconds_left
from meshdev.telegram_emulator.formatting import (
    PARSE_MODES,
    Entity,
    ParseError,
    detect_entities,
    parse,
    strip,
    utf16_len,
)
from meshdev.telegram_emulator.models import DraftState, JsonObject
from meshdev.telegram_emulator.state import (
    ActionRecord,
    ChatRecord,
    DraftRecord,
    MessageRecord,
    State,
    Webhook,
)

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CHAT_ACTIONS = frozenset(
    {
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
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")

#: Real Bot API methods the emulator does not implement: answered 400, never 404.
OTHER_METHODS = frozenset(
    # A word list reads better as text than as 150 quoted lines.
    """
    logOut close forwardMessage forwardMessages copyMessage copyMessages sendPhoto sendAudio
    sendDocument sendVideo sendAnimation sendVoice sendVideoNote sendPaidMedia sendMediaGroup
    sendLocation sendVenue sendContact sendPoll sendChecklist sendDice setMessageReaction
    getUserProfilePhotos setUserEmojiStatus getFile banChatMember unbanChatMember
    restrictChatMember promoteChatMember setChatAdministratorCustomTitle banChatSenderChat
    unbanChatSenderChat setChatPermissions exportChatInviteLink createChatInviteLink
    editChatInviteLink createChatSubscriptionInviteLink editChatSubscriptionInviteLink
    revokeChatInviteLink approveChatJoinRequest declineChatJoinRequest setChatPhoto
    deleteChatPhoto setChatTitle setChatDescription pinChatMessage unpinChatMessage
    unpinAllChatMessages leaveChat getChat getChatAdministrators getChatMemberCount
    getChatMember setChatStickerSet deleteChatStickerSet getForumTopicIconStickers
    createForumTopic editForumTopic closeForumTopic reopenForumTopic deleteForumTopic
    unpinAllForumTopicMessages editGeneralForumTopic closeGeneralForumTopic
    reopenGeneralForumTopic hideGeneralForumTopic unhideGeneralForumTopic
    unpinAllGeneralForumTopicMessages getUserChatBoosts
    getBusinessConnection setMyName getMyName setMyDescription getMyDescription
    setMyShortDescription getMyShortDescription setChatMenuButton getChatMenuButton
    setMyDefaultAdministratorRights getMyDefaultAdministratorRights editMessageCaption
    editMessageMedia editMessageLiveLocation stopMessageLiveLocation editMessageChecklist
    stopPoll deleteMessages sendSticker getStickerSet getCustomEmojiStickers uploadStickerFile
    createNewStickerSet addStickerToSet setStickerPositionInSet deleteStickerFromSet
    replaceStickerInSet setStickerEmojiList setStickerKeywords setStickerMaskPosition
    setStickerSetTitle setStickerSetThumbnail setCustomEmojiStickerSetThumbnail
    deleteStickerSet answerInlineQuery answerWebAppQuery savePreparedInlineMessage
    sendInvoice createInvoiceLink answerShippingQuery answerPreCheckoutQuery
    getStarTransactions refundStarPayment editUserStarSubscription setPassportDataErrors
    sendGame setGameScore getGameHighScores getAvailableGifts sendGift
    giftPremiumSubscription verifyUser verifyChat removeUserVerification
    removeChatVerification readBusinessMessage deleteBusinessMessages setBusinessAccountName
    setBusinessAccountUsername setBusinessAccountBio setBusinessAccountProfilePhoto
    removeBusinessAccountProfilePhoto setBusinessAccountGiftSettings
    getBusinessAccountStarBalance transferBusinessAccountStars getBusinessAccountGifts
    convertGiftToStars upgradeGift transferGift postStory editStory deleteStory
    getMyStarBalance approveSuggestedPost declineSuggestedPost getUserGifts getChatGifts
    repostStory
    """.split()  # noqa: SIM905
)


class BotApiError(Exception):
    """An answer with `ok: false`, in Telegram's words."""

    def __init__(
        self,
        code: int,
        description: str,
        parameters: JsonObject | None = None,
        *,
        cause: str | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.cause = cause

    def body(self) -> JsonObject:
        body: JsonObject = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int, cause: str) -> BotApiError:
    return BotApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
        cause=cause,
    )


@dataclass
class Described:
    """A result that Telegram accompanies with a `description` (the webhook methods)."""

    result: Any
    description: str


@dataclass
class Outcome:
    status: int
    body: JsonObject
    #: Close the connection instead of answering (an injected fault).
    drop: bool = False


class Params:
    """A method's parameters from JSON, a form or the query string, read as Telegram does:
    scalars may come as strings and objects as JSON-serialized strings."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be of type Integer')

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be of type Integer')

    def boolean(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


Handler = Callable[[Params], Any]


@dataclass
class _Call:
    """One Bot API call on its way to the record."""

    method: str
    http_method: str
    via: str
    params: Params
    chat_id: int | None
    at: float = field(default_factory=time.time)
    started: float = field(default_factory=time.monotonic)

    def record(self, outcome: Outcome, result: Any = None, cause: str | None = None) -> JsonObject:
        failed = outcome.status != 200
        return {
            "at": self.at,
            "method": self.method,
            "http_method": self.http_method,
            "via": self.via,
            "params": self.params.values,
            "chat_id": self.chat_id,
            "status": outcome.status,
            "ok": not failed,
            "result": result,
            "description": outcome.body.get("description") if failed else None,
            "parameters": outcome.body.get("parameters"),
            "cause": cause,
            "duration_s": time.monotonic() - self.started,
        }


class BotApi:
    def __init__(self, state: State) -> None:
        self.state = state
        self._handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "sendChatAction": self.send_chat_action,
            "sendMessageDraft": self.send_message_draft,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
        }
        # Telegram matches method names case-insensitively.
        self._names = {name.lower(): name for name in (*self._handlers, *OTHER_METHODS)}

    # Dispatch ----------------------------------------------------------------------------

    async def call(
        self,
        name: str,
        values: Mapping[str, Any],
        *,
        http_method: str = "POST",
        via: str = "http",
        authorized: bool = True,
        unreadable: BotApiError | None = None,
    ) -> Outcome:
        """Run one call and record it; `unreadable` is why its parameters could not be read."""
        params = Params(values)
        method = self._names.get(name.lower())
        chat_id = self._chat_hint(params)
        call = _Call(method or name, http_method, via, params, chat_id)
        at = call.at
        outcome: Outcome
        result: Any = None
        cause: str | None = None
        try:
            if not authorized:
                raise BotApiError(401, "Unauthorized")
            if unreadable is not None:
                raise unreadable
            if method is None:
                raise BotApiError(404, "Not Found")
            plan = self._take_fault(method, chat_id, at)
            if plan is not None and plan.spec.kind == "latency":
                await asyncio.sleep(plan.spec.latency_s)
            elif plan is not None and plan.spec.kind == "drop":
                cause = "fault"
                if plan.spec.executed:
                    # The change happens whatever its answer; only the answer is lost.
                    with contextlib.suppress(BotApiError):
                        result = await self._run(method, params)
                outcome = Outcome(0, {"description": "connection dropped by the emulator"}, True)
            elif plan is not None:
                code, description = plan.error()
                parameters = (
                    {"retry_after": plan.spec.retry_after}
                    if plan.spec.kind == "too_many_requests"
                    else None
                )
                raise BotApiError(code, description, parameters, cause="fault")
            if plan is None or plan.spec.kind == "latency":
                result = await self._run(method, params)
                if isinstance(result, Described):
                    body = {"ok": True, "result": result.result, "description": result.description}
                    result = result.result
                else:
                    body = {"ok": True, "result": result}
                outcome = Outcome(200, body)
        except BotApiError as error:
            cause = error.cause
            outcome = Outcome(error.code, error.body())
        except asyncio.CancelledError:
            # The bot hung up (a long poll it abandoned); the call still happened.
            gone = Outcome(0, {"description": "the bot closed the connection"})
            self.state.record_call(call.record(gone))
            raise
        self.state.record_call(call.record(outcome, result, cause))
        return outcome

    async def _run(self, method: str, params: Params) -> Any:
        handler = self._handlers.get(method)
        if handler is None:
            raise bad_request("method not supported by the emulator")
        result = handler(params)
        if inspect.isawaitable(result):
            result = await result
        return result

    def _chat_hint(self, params: Params) -> int | None:
        """The chat a call is about, for matching faults and filtering calls; never raises."""
        try:
            return self._chat_id(params)
        except BotApiError:
            return None

    def _take_fault(self, method: str, chat_id: int | None, now: float) -> FaultPlan | None:
        state = self.state
        with state.transaction():
            state.cooldowns = [c for c in state.cooldowns if c.until > now]
            for cooldown in state.cooldowns:
                if cooldown.matches(method, chat_id):
                    raise too_many_requests(seconds_left(cooldown.until, now), "cooldown")
            for plan in state.faults:
                if plan.remaining > 0 and plan.matches(method, chat_id):
                    plan.remaining -= 1
                    plan.fired += 1
                    if plan.spec.kind == "too_many_requests":
                        until = now + plan.spec.retry_after
                        state.cooldowns.append(Cooldown(plan.spec.method, plan.spec.chat_id, until))
                    return plan
        return None

    # Shared checks -----------------------------------------------------------------------

    def _chat_id(self, params: Params, name: str = "chat_id") -> int:
        value = params.raw(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("@"):
                with self.state.lock:
                    chat = self.state.chat_by_username(text[1:])
                if chat is None:
                    raise bad_request("chat not found")
                return chat.id
            try:
                return int(text)
            except ValueError:
                pass
        raise bad_request("chat not found")

    def _chat(self, params: Params) -> ChatRecord:
        chat = self.state.chats.get(self._chat_id(params))
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise BotApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.blocked:
            raise BotApiError(
                403,
                {
                    "private": "Forbidden: bot was blocked by the user",
                    "group": "Forbidden: bot was kicked from the group chat",
                    "supergroup": "Forbidden: bot was kicked from the supergroup chat",
                }[chat.type],
            )
        return chat

    def _formatted(self, params: Params, *, allow_empty: bool = False) -> tuple[str, list[Entity]]:
        raw = params.text("text")
        if not raw:
            if allow_empty:
                return "", []
            raise bad_request("message text is empty")
        explicit = params.json("entities")
        parse_mode = params.text("parse_mode")
        if explicit is not None:
            text, entities = raw, self._explicit_entities(explicit, raw)
        elif parse_mode:
            if parse_mode.lower() not in {mode.lower() for mode in PARSE_MODES}:
                raise bad_request("unsupported parse_mode")
            try:
                text, entities = parse(raw, parse_mode)
            except ParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        else:
            text, entities = raw, []
        text, entities = strip(text, entities)
        if not text and not allow_empty:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        return text, detect_entities(text, entities)

    @staticmethod
    def _explicit_entities(value: Any, text: str) -> list[Entity]:
        if not isinstance(value, list):
            raise bad_request("can't parse entities JSON object")
        limit = utf16_len(text)
        entities: list[Entity] = []
        for entity in value:
            if not (
                isinstance(entity, dict)
                and isinstance(entity.get("type"), str)
                and isinstance(entity.get("offset"), int)
                and isinstance(entity.get("length"), int)
            ):
                raise bad_request("can't parse MessageEntity JSON object")
            start = max(entity["offset"], 0)
            end = min(entity["offset"] + entity["length"], limit)
            if end > start:
                entities.append({**entity, "offset": start, "length": end - start})
        return entities

    def _reply_markup(self, params: Params) -> JsonObject | None:
        markup = params.json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
                return markup
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'can\'t parse inline keyboard button: Field "inline_keyboard" of the '
                "InlineKeyboardMarkup should be an Array of Arrays"
            )
        for row in rows:
            for button in row:
                self._check_button(button)
        return {"inline_keyboard": rows}

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton should be an Object"
            )
        if not isinstance(button.get("text"), str):
            raise bad_request(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        if not any(action in button for action in _BUTTON_ACTIONS):
            raise bad_request(
                "can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not urlsplit(url).scheme:
                raise bad_request("BUTTON_URL_INVALID")

    def _thread(self, chat: ChatRecord, params: Params) -> tuple[int | None, bool]:
        thread_id = params.integer("message_thread_id")
        if thread_id is None:
            return None, False
        if thread_id in chat.topics:
            return thread_id, True
        # Outside topics a thread is the reply thread started by an existing message.
        if not chat.is_forum and (chat.id, thread_id) in self.state.messages:
            return thread_id, False
        raise bad_request("message thread not found")

    def _reply_to(self, chat: ChatRecord, params: Params) -> int | None:
        allow_missing = params.boolean("allow_sending_without_reply")
        reply = params.json("reply_parameters")
        target: int | None
        if reply is not None:
            if not isinstance(reply, dict) or not isinstance(reply.get("message_id"), int):
                raise bad_request("can't parse reply parameters JSON object")
            target = reply["message_id"]
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            if reply.get("chat_id") not in (None, chat.id):
                # Replies across chats need the other chat's history, which bots rarely use.
                raise bad_request("message to be replied not found")
        else:
            target = params.integer("reply_to_message_id")
        if target is None:
            return None
        message = self.state.messages.get((chat.id, target))
        if message is None or message.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _flood(self, method: str, chat: ChatRecord) -> None:
        if method not in FLOODED_METHODS:
            return
        wait = self.state.flood.take(chat.id, chat.is_group, time.time())
        if wait is not None:
            raise too_many_requests(wait, "flood")

    def _bot_message(self, chat: ChatRecord, params: Params) -> MessageRecord:
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = self.state.messages.get((chat.id, message_id))
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    @staticmethod
    def _no_inline_messages(params: Params) -> None:
        if params.raw("inline_message_id") is not None:
            raise bad_request("inline messages are not supported by the emulator")

    # Methods -----------------------------------------------------------------------------

    def get_me(self, _params: Params) -> JsonObject:
        return {
            **self.state.bot.telegram(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.state.settings.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: Params) -> list[JsonObject]:
        state = self.state
        offset = params.integer("offset") or 0
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = min(max(params.number("timeout") or 0.0, 0.0), state.settings.max_long_poll_s)
        allowed = self._allowed_updates(params)
        with state.transaction():
            if state.webhook is not None:
                raise BotApiError(409, CONFLICT_WEBHOOK)
            state.confirm(offset)
            if allowed is not None:
                state.allowed_updates = allowed
            poll = state.begin_poll()
        try:
            outcome = await state.notifier.wait_for(lambda: state.poll_result(poll, limit), timeout)
        finally:
            state.end_poll(poll)
        if outcome == "terminated":
            raise BotApiError(409, CONFLICT_POLL)
        if outcome == "webhook":
            raise BotApiError(409, CONFLICT_WEBHOOK)
        return outcome if isinstance(outcome, list) else []

    @staticmethod
    def _allowed_updates(params: Params) -> list[str] | None:
        allowed = params.json("allowed_updates")
        if allowed is None:
            return None
        if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
            raise bad_request("can't parse allowed_updates JSON object")
        return list(allowed)

    def set_webhook(self, params: Params) -> Described:
        url = (params.text("url") or "").strip()
        if not url:
            return self.delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = min(max(params.integer("max_connections") or 40, 1), 100)
        allowed = self._allowed_updates(params)
        state = self.state
        with state.transaction():
            webhook = Webhook(url, secret, max_connections)
            unchanged = state.webhook == webhook
            if not unchanged:
                state.last_error_date = state.last_error_message = None
            state.webhook = webhook
            if allowed is not None:
                state.allowed_updates = allowed
            if params.boolean("drop_pending_updates"):
                state.drop_pending()
        return Described(True, "Webhook is already set" if unchanged else "Webhook was set")

    def delete_webhook(self, params: Params) -> Described:
        state = self.state
        with state.transaction():
            existed = state.webhook is not None
            state.webhook = None
            state.last_error_date = state.last_error_message = None
            if params.boolean("drop_pending_updates"):
                state.drop_pending()
        return Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def get_webhook_info(self, _params: Params) -> JsonObject:
        state = self.state
        with state.lock:
            info: JsonObject = {
                "url": state.webhook.url if state.webhook else "",
                "has_custom_certificate": False,
                "pending_update_count": len(state.pending),
            }
            if state.webhook is not None:
                info["max_connections"] = state.webhook.max_connections
            if state.last_error_date is not None:
                info["last_error_date"] = state.last_error_date
                info["last_error_message"] = state.last_error_message
            if state.allowed_updates:
                info["allowed_updates"] = list(state.allowed_updates)
            return info

    def send_message(self, params: Params) -> JsonObject:
        state = self.state
        with state.transaction():
            chat = self._chat(params)
            text, entities = self._formatted(params)
            markup = self._reply_markup(params)
            thread_id, in_topic = self._thread(chat, params)
            reply_to = self._reply_to(chat, params)
            preview = params.json("link_preview_options")
            if preview is not None and not isinstance(preview, dict):
                raise bad_request("can't parse link preview options JSON object")
            if preview is None and params.boolean("disable_web_page_preview"):
                preview = {"is_disabled": True}
            self._flood("sendMessage", chat)
            now = time.time()
            message = MessageRecord(
                chat_id=chat.id,
                message_id=chat.next_message_id,
                sender=state.bot,
                from_bot=True,
                date=int(now),
                seq=state.next_seq(),
                at=now,
                text=text,
                entities=entities,
                reply_markup=markup,
                reply_to=reply_to,
                thread_id=thread_id,
                is_topic_message=in_topic,
                link_preview_options=preview,
            )
            chat.next_message_id += 1
            state.messages[(chat.id, message.message_id)] = message
            state.add_item(chat, message)
            # The final message replaces the drafts streamed before it in the same thread.
            for item in chat.items:
                if (
                    isinstance(item, DraftRecord)
                    and item.superseded_by is None
                    and item.thread_id == thread_id
                ):
                    item.superseded_by = message.message_id
                    state.stamp(item)
            return state.message_json(message)

    def edit_message_text(self, params: Params) -> JsonObject:
        self._no_inline_messages(params)
        state = self.state
        with state.transaction():
            chat = self._chat(params)
            message = self._bot_message(chat, params)
            if message.text is None:
                raise bad_request("there is no text in the message to edit")
            text, entities = self._formatted(params)
            # Like Telegram, an edit without reply_markup removes the inline keyboard.
            markup = self._reply_markup(params)
            if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
                raise BotApiError(400, NOT_MODIFIED)
            self._flood("editMessageText", chat)
            message.text, message.entities, message.reply_markup = text, entities, markup
            self._edited(message)
            return state.message_json(message)

    def edit_message_reply_markup(self, params: Params) -> JsonObject:
        self._no_inline_messages(params)
        state = self.state
        with state.transaction():
            chat = self._chat(params)
            message = self._bot_message(chat, params)
            markup = self._reply_markup(params)
            if markup == message.reply_markup:
                raise BotApiError(400, NOT_MODIFIED)
            self._flood("editMessageReplyMarkup", chat)
            message.reply_markup = markup
            self._edited(message)
            return state.message_json(message)

    def _edited(self, message: MessageRecord) -> None:
        message.edit_date = int(time.time())
        message.edits += 1
        self.state.stamp(message)

    def delete_message(self, params: Params) -> bool:
        state = self.state
        with state.transaction():
            chat = self._chat(params)
            message_id = params.integer("message_id")
            if message_id is None:
                raise bad_request("message identifier is not specified")
            message = state.messages.get((chat.id, message_id))
            if message is None or message.deleted:
                raise bad_request("message to delete not found")
            message.deleted = True
            state.stamp(message)
            return True

    def send_chat_action(self, params: Params) -> bool:
        state = self.state
        with state.transaction():
            chat = self._chat(params)
            action = params.text("action")
            if not action:
                raise bad_request("action is empty")
            if action not in CHAT_ACTIONS:
                raise bad_request("wrong parameter action in request")
            now = time.time()
            state.add_item(
                chat,
                ActionRecord(
                    chat_id=chat.id,
                    action=action,
                    thread_id=params.integer("message_thread_id"),
                    seq=state.next_seq(),
                    at=now,
                ),
            )
            return True

    def send_message_draft(self, params: Params) -> bool:
        state = self.state
        with state.transaction():
            chat = self._chat(params)
            if chat.type != "private":
                raise bad_request("TEXTDRAFT_PEER_INVALID")
            draft_id = params.integer("draft_id")
            if draft_id is None:
                raise bad_request("draft_id is empty")
            if draft_id == 0:
                raise bad_request("draft_id must be non-zero")
            text, entities = self._formatted(params, allow_empty=True)
            thread_id = params.integer("message_thread_id")
            now = time.time()
            draft = next(
                (
                    item
                    for item in reversed(chat.items)
                    if isinstance(item, DraftRecord)
                    and item.draft_id == draft_id
                    and item.thread_id == thread_id
                    and item.superseded_by is None
                ),
                None,
            )
            if draft is None:
                draft = DraftRecord(
                    chat_id=chat.id,
                    draft_id=draft_id,
                    thread_id=thread_id,
                    seq=state.next_seq(),
                    at=now,
                )
                chat.items.append(draft)
            draft.states.append(DraftState(text=text, entities=entities, at=now))
            state.stamp(draft)
            return True

    def answer_callback_query(self, params: Params) -> bool:
        state = self.state
        with state.transaction():
            query_id = params.text("callback_query_id") or ""
            query = state.callbacks.get(query_id)
            if query is None or query.answered:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            text = params.text("text")
            if text is not None and len(text) > 200:
                raise bad_request("MESSAGE_TOO_LONG")
            query.answered = True
            query.answer_text = text
            query.show_alert = params.boolean("show_alert")
            state.stamp(query)
            return True

    @staticmethod
    def _commands_key(params: Params) -> tuple[str, str]:
        scope = params.json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), params.text("language_code") or ""

    def set_my_commands(self, params: Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        with self.state.transaction():
            self.state.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        return True

    def get_my_commands(self, params: Params) -> list[JsonObject]:
        key = self._commands_key(params)
        with self.state.lock:
            return list(self.state.commands.get(key, []))

    def delete_my_commands(self, params: Params) -> bool:
        key = self._commands_key(params)
        with self.state.transaction():
            self.state.commands.pop(key, None)
        return True
