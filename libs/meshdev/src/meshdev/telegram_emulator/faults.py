"""Injected faults and Telegram's flood limits, as plain data with an injectable clock."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from meshdev.telegram_emulator.models import FaultKind, FaultSpec, FloodLimits

#: Methods that post or change a message: the ones Telegram's flood limits count.
FLOODED_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})

_DEFAULT_DESCRIPTIONS: dict[FaultKind, tuple[int, str]] = {
    "too_many_requests": (429, "Too Many Requests: retry after {retry_after}"),
    "forbidden": (403, "Forbidden: bot was blocked by the user"),
    "parse_error": (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "fault" at byte offset 0',
    ),
    "bad_request": (400, "Bad Request: injected by the emulator"),
    "server_error": (500, "Internal Server Error"),
}


def _matches(wanted_method: str, wanted_chat: int | None, method: str, chat_id: int | None) -> bool:
    # Telegram's method names are case-insensitive, so a plan's are too.
    if wanted_method != "*" and wanted_method.lower() != method.lower():
        return False
    return wanted_chat is None or wanted_chat == chat_id


@dataclass
class FaultPlan:
    id: int
    spec: FaultSpec
    remaining: int
    fired: int = 0

    def matches(self, method: str, chat_id: int | None) -> bool:
        return _matches(self.spec.method, self.spec.chat_id, method, chat_id)

    def error(self) -> tuple[int, str]:
        kind = self.spec.kind
        code, template = _DEFAULT_DESCRIPTIONS.get(kind, (400, "Bad Request"))
        description = self.spec.description or template
        return code, description.format(retry_after=self.spec.retry_after)


@dataclass
class Cooldown:
    """A window opened by an answered 429: matching calls before `until` get 429 again."""

    method: str
    chat_id: int | None
    until: float

    def matches(self, method: str, chat_id: int | None) -> bool:
        return _matches(self.method, self.chat_id, method, chat_id)


def seconds_left(until: float, now: float) -> int:
    return max(1, math.ceil(until - now))


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now

    def wait_s(self) -> float:
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second


@dataclass
class FloodModel:
    """Token buckets per chat, per group and for the whole bot, like Telegram's limits."""

    limits: FloodLimits = field(default_factory=FloodLimits)
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _groups: dict[int, _Bucket] = field(default_factory=dict)
    _global: _Bucket | None = None

    def configure(self, limits: FloodLimits) -> None:
        self.limits = limits
        self._chats.clear()
        self._groups.clear()
        self._global = None

    def _bucket(
        self, table: dict[int, _Bucket], key: int, capacity: float, rate: float, now: float
    ) -> _Bucket:
        bucket = table.get(key)
        if bucket is None:
            bucket = table[key] = _Bucket(capacity, rate, capacity, now)
        bucket.refill(now)
        return bucket

    def take(self, chat_id: int, is_group: bool, now: float) -> int | None:
        """Spend one message; None when allowed, else the retry_after Telegram would give."""
        if not self.limits.enabled:
            return None
        limits = self.limits
        if self._global is None:
            self._global = _Bucket(
                limits.global_per_second, limits.global_per_second, limits.global_per_second, now
            )
        self._global.refill(now)
        buckets = [
            self._global,
            self._bucket(
                self._chats, chat_id, limits.per_chat_burst, limits.per_chat_per_second, now
            ),
        ]
        if is_group:
            buckets.append(
                self._bucket(
                    self._groups,
                    chat_id,
                    limits.group_per_minute,
                    limits.group_per_minute / 60.0,
                    now,
                )
            )
        wait = max(bucket.wait_s() for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None
