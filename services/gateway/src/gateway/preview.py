"""A Telegram answer shown while the model writes it.

In private chats the partial answer goes out as a message draft (`sendMessageDraft`, Bot API
9.5): an ephemeral preview that the final message replaces. Elsewhere one message is sent
and then edited as the answer grows, and deleted once the answer itself is sent. Either way
the answer proper is sent as usual (`sendMessage`, split, exactly once per job); the
preview is only a courtesy and never delays or fails it:

- Every preview call goes through the one outbound path at the lowest priority, from the
  chat's spare capacity only (`outbound.PREVIEW`), so the flood limits hold.
- Deltas are coalesced: one preview call per chat is in flight at a time, at most one per
  `interval_s`, and it carries the newest text; an unchanged text is never sent.
- The first preview waits a moment after the first delta (`interval_s` for an edited
  message, at most half a second for a draft): an answer written faster than that is simply
  sent, without a preview flashing up and away.
- A 429 holds the call back (the sender re-paces it) and doubles the interval; deltas
  arriving meanwhile are folded into the next call.
- When the turn ends, a preview still queued is withdrawn, so nothing stale follows the
  answer; a preview that fails (Telegram refuses drafts, say) ends previewing for the turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from types import TracebackType
from typing import Any, Literal, Self

from gateway.outbound import PREVIEW, Outbound
from gateway.telegram.format import to_html
from gateway.telegram.split import MAX_MESSAGE_LENGTH, split_html
from meshkit.agent import AgentEvent, RoundFinished, TextDelta

log = logging.getLogger(__name__)

PreviewMode = Literal["drafts", "edits"]

#: Longest wait for a preview call already on its way when the turn ends.
_SETTLE_S = 30.0
#: The interval never grows past this, however many 429s come.
_MAX_INTERVAL_S = 10.0
_MORE = " …"


def draft_id_for(job_id: int) -> int:
    """A non-zero draft id, stable for the job, within Telegram's 32-bit range."""
    return job_id % 2_000_000_000 + 1


class LivePreview:
    """Shows one turn's answer in one chat as it is written. Use as an async context
    manager around the turn, feed it the loop's events with `on_event`, and call `remove`
    once the answer is sent."""

    def __init__(
        self,
        outbound: Outbound,
        chat_id: int,
        thread_id: int | None,
        *,
        mode: PreviewMode,
        draft_id: int,
        interval_s: float,
        limit: int = MAX_MESSAGE_LENGTH,
    ) -> None:
        if draft_id == 0:
            raise ValueError("draft_id must be non-zero")
        self.outbound = outbound
        self.chat_id = chat_id
        self.thread_id = thread_id
        self.mode = mode
        self.draft_id = draft_id
        self.interval_s = interval_s
        self.limit = limit
        #: Preview calls that went out, and 429s they met (for logs and tests).
        self.sent = 0
        self.flood_waits = 0
        self._text = ""
        self._round_over = False
        self._last: str | None = None
        self._message_id: int | None = None
        self._pending: int | None = None
        self._enqueuing: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def on_event(self, event: AgentEvent) -> None:
        """The loop's event sink: never blocks the loop."""
        if isinstance(event, TextDelta):
            if self._round_over:
                # A new round writes a new text: what came before introduced tool calls.
                self._text, self._round_over = "", False
            self._text += event.text
            self._changed.set()
        elif isinstance(event, RoundFinished):
            self._round_over = True

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run(), name=f"live-preview-{self.chat_id}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        if exc_type is not None:
            # No answer follows in this attempt: take the preview message down too.
            await self.remove()

    async def stop(self) -> None:
        """Stop previewing; whatever preview call has not gone yet never will."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task})
        if self._enqueuing is not None:
            # Shielded from the cancellation: its row must be known to be withdrawn.
            await asyncio.wait({self._enqueuing})
            self._enqueuing = None
        if self._pending is not None:
            await self._settle(self._pending)
            self._pending = None

    async def remove(self) -> None:
        """Delete the edited preview message (drafts vanish by themselves)."""
        message_id, self._message_id = self._message_id, None
        if message_id is None:
            return
        outcome = await self.outbound.submit(
            self.chat_id,
            "deleteMessage",
            {"chat_id": self.chat_id, "message_id": message_id},
            priority=PREVIEW,
        )
        if outcome.status != "sent":
            log.info(
                "live preview not deleted", extra={"chat_id": self.chat_id, "error": outcome.error}
            )

    async def _settle(self, row_id: int) -> None:
        deadline = time.monotonic() + _SETTLE_S
        while True:
            status = await self.outbound.withdraw(row_id)
            if status != "sending" or time.monotonic() > deadline:
                if status == "sent" and self.mode == "edits" and self._message_id is None:
                    # The preview message went out just now: note it, so it is removed.
                    outcome = await self.outbound.wait(row_id)
                    self._message_id = _message_id(outcome.result)
                return
            await asyncio.sleep(0.05)

    def _render(self) -> str | None:
        text = self._text.strip()
        if not text:
            return None
        chunks = split_html(to_html(text), self.limit - len(_MORE))
        if not chunks:
            return None
        return chunks[0] + (_MORE if len(chunks) > 1 else "")

    async def _run(self) -> None:
        await self._changed.wait()
        first_delay = self.interval_s if self.mode == "edits" else min(self.interval_s, 0.5)
        next_at = time.monotonic() + first_delay
        interval = self.interval_s
        while True:
            await self._changed.wait()
            pause = next_at - time.monotonic()
            if pause > 0:
                # Deltas keep arriving meanwhile; the call below carries the newest text.
                await asyncio.sleep(pause)
            self._changed.clear()
            html = self._render()
            if html is None or html == self._last:
                continue
            method, params = self._call(html)
            self._enqueuing = asyncio.create_task(self._enqueue(method, params))
            await asyncio.shield(self._enqueuing)
            self._enqueuing = None
            assert self._pending is not None
            outcome = await self.outbound.wait(self._pending)
            self._pending = None
            next_at = time.monotonic() + interval
            if outcome.flood_waits:
                self.flood_waits += outcome.flood_waits
                interval = min(_MAX_INTERVAL_S, interval * 2)
                next_at = time.monotonic() + interval
            if outcome.status != "sent":
                log.info(
                    "live preview stopped",
                    extra={"chat_id": self.chat_id, "method": method, "error": outcome.error},
                )
                return
            self.sent += 1
            self._last = html
            if method == "sendMessage":
                self._message_id = _message_id(outcome.result)

    async def _enqueue(self, method: str, params: dict[str, Any]) -> None:
        self._pending = await self.outbound.enqueue(self.chat_id, method, params, priority=PREVIEW)

    def _call(self, html: str) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"chat_id": self.chat_id, "text": html, "parse_mode": "HTML"}
        if self.mode == "drafts":
            params["draft_id"] = self.draft_id
            if self.thread_id is not None:
                params["message_thread_id"] = self.thread_id
            return "sendMessageDraft", params
        params["link_preview_options"] = {"is_disabled": True}
        if self._message_id is None:
            if self.thread_id is not None:
                params["message_thread_id"] = self.thread_id
            # The answer itself notifies; its preview should not.
            params["disable_notification"] = True
            return "sendMessage", params
        params["message_id"] = self._message_id
        return "editMessageText", params


def _message_id(result: object) -> int | None:
    if isinstance(result, dict):
        with contextlib.suppress(KeyError, TypeError, ValueError):
            return int(result["message_id"])
    return None
