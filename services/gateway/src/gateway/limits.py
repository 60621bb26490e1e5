"""Telegram's flood limits for one bot token, as token buckets (and a one-second window
across chats) on an injectable clock.

Telegram allows about 30 messages a second across all chats, about one a second in one
chat (short bursts pass), and 20 a minute in one group; edits and drafts count too. The
limiter answers "when may the next message to this chat go?" and records that one went;
a 429 that comes anyway blocks the chat (or everything) for its `retry_after`.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Limits:
    global_per_s: float = 30.0
    #: Messages that may go back to back across chats, so a sender that woke up late (its
    #: process busy) wins the time back instead of losing the slot. Whatever the burst, no
    #: one-second window ever holds more than the rate allows.
    global_burst: float = 3.0
    chat_per_s: float = 1.0
    chat_burst: float = 3.0
    group_per_window: float = 20.0
    group_window_s: float = 60.0
    #: Bots paying for broadcasts (`allow_paid_broadcast`) may send up to 1000 a second.
    paid_broadcast: bool = False
    #: Kept in reserve on every limit: our clock and Telegram's disagree by the network's
    #: jitter, and a send that arrives a millisecond early is refused for a whole second.
    margin: float = 0.05

    @property
    def global_rate(self) -> float:
        return (1000.0 if self.paid_broadcast else self.global_per_s) * (1 - self.margin)


@dataclass(slots=True)
class Bucket:
    capacity: float
    rate: float
    tokens: float
    at: float

    def refill(self, now: float) -> None:
        if now > self.at:
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
            self.at = now

    def ready_at(self, now: float, need: float = 1.0) -> float:
        self.refill(now)
        need = min(need, self.capacity)
        if self.tokens >= need:
            return now
        return now + (need - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.refill(now)
        self.tokens -= 1


@dataclass(slots=True)
class Window:
    """At most `per_window` sends in any `window_s`: the hard cap a burst cannot pass."""

    per_window: int
    window_s: float
    sent: deque[float] = field(default_factory=deque)

    def ready_at(self, now: float, spare: int = 0) -> float:
        """When one more may go and leave room for `spare` more in the window."""
        while self.sent and self.sent[0] <= now - self.window_s:
            self.sent.popleft()
        allowed = max(1, self.per_window - spare)
        if len(self.sent) >= allowed:
            return self.sent[-allowed] + self.window_s
        return now

    def take(self, now: float) -> None:
        self.sent.append(now)


@dataclass
class Limiter:
    limits: Limits
    _global: Bucket = field(init=False)
    _window: Window = field(init=False)
    _chats: dict[int, Bucket] = field(default_factory=dict)
    _groups: dict[int, Bucket] = field(default_factory=dict)
    _blocked: dict[int, float] = field(default_factory=dict)
    _blocked_all: float = 0.0

    def __post_init__(self) -> None:
        rate = self.limits.global_rate
        burst = max(1.0, self.limits.global_burst)
        # Full from the start: the first refill only tops it up to its capacity.
        self._global = Bucket(burst, rate, burst, 0.0)
        self._window = Window(per_window=max(1, math.floor(rate)), window_s=1.0)

    def _buckets(self, chat_id: int, now: float) -> tuple[Window, list[Bucket]]:
        """The window across chats, and the buckets a message to `chat_id` spends from."""
        limits = self.limits
        keep = 1 - limits.margin
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = Bucket(
                limits.chat_burst, limits.chat_per_s * keep, limits.chat_burst, now
            )
        buckets = [self._global, chat]
        if chat_id < 0:  # groups, supergroups and channels have negative ids
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = Bucket(
                    limits.group_per_window,
                    limits.group_per_window / limits.group_window_s * keep,
                    limits.group_per_window,
                    now,
                )
            buckets.append(group)
        return self._window, buckets

    def ready_at(self, chat_id: int, now: float, *, reserve: int = 0, spare: int = 0) -> float:
        """The earliest time a message to `chat_id` may go. With `reserve`, the chat's own
        buckets must keep that many messages in hand afterwards (where their burst allows),
        so a live preview never takes the capacity the answer itself will need. With
        `spare`, the limits across chats must: bulk work (briefings) leaves a slot free for
        a reply someone is waiting for, which then never waits behind it."""
        blocked = max(self._blocked.get(chat_id, 0.0), self._blocked_all)
        window, (across, *own) = self._buckets(chat_id, now)
        return max(
            [
                blocked,
                window.ready_at(now, spare),
                across.ready_at(now, 1.0 + spare),
                *(bucket.ready_at(now, 1.0 + reserve) for bucket in own),
            ]
        )

    def take(self, chat_id: int, now: float) -> None:
        window, buckets = self._buckets(chat_id, now)
        window.take(now)
        for bucket in buckets:
            bucket.take(now)

    def block_chat(self, chat_id: int, until: float) -> None:
        self._blocked[chat_id] = max(self._blocked.get(chat_id, 0.0), until)

    def block_all(self, until: float) -> None:
        self._blocked_all = max(self._blocked_all, until)

    def forget_idle(self, now: float, idle_s: float = 600.0) -> None:
        """Drop full buckets of chats not heard from in a while, so memory stays flat."""
        for table in (self._chats, self._groups):
            for chat_id in [c for c, b in table.items() if now - b.at > idle_s]:
                del table[chat_id]
        for chat_id in [c for c, until in self._blocked.items() if until < now]:
            del self._blocked[chat_id]
