"""The flood limiter on a fake clock."""

from __future__ import annotations

from gateway.limits import Limiter, Limits


def sends_within(limiter: Limiter, chat_id: int, seconds: float, step: float = 0.01) -> int:
    """How many messages to one chat the limiter lets out in `seconds`, sending as soon as
    it allows."""
    now, sent = 0.0, 0
    while now <= seconds:
        while limiter.ready_at(chat_id, now) <= now:
            limiter.take(chat_id, now)
            sent += 1
        now = round(now + step, 6)
    return sent


def test_one_chat_gets_a_burst_of_three_then_one_a_second() -> None:
    limiter = Limiter(Limits())
    assert sends_within(limiter, 42, 0.0) == 3
    assert sends_within(Limiter(Limits()), 42, 10.0) == 3 + 10


def test_the_chain_of_chats_is_capped_at_thirty_a_second() -> None:
    limiter = Limiter(Limits())
    now, sent = 0.0, 0
    while now < 2.0:
        for chat in range(1, 200):
            while limiter.ready_at(chat, now) <= now:
                limiter.take(chat, now)
                sent += 1
        now = round(now + 0.01, 6)
    # A full bucket of 30, then 30 a second.
    assert 30 + 59 <= sent <= 30 + 60


def test_a_group_gets_twenty_a_minute() -> None:
    limits = Limits(chat_per_s=100, chat_burst=100)
    assert sends_within(Limiter(limits), -100, 59.0, step=0.1) == 20 + 19


def test_paid_broadcast_lifts_the_global_rate() -> None:
    limiter = Limiter(Limits(paid_broadcast=True))
    for chat in range(1, 500):
        assert limiter.ready_at(chat, 0.0) == 0.0
        limiter.take(chat, 0.0)


def test_a_flood_wait_blocks_the_chat_until_it_ends() -> None:
    limiter = Limiter(Limits())
    limiter.block_chat(7, 5.0)
    assert limiter.ready_at(7, 1.0) == 5.0
    assert limiter.ready_at(8, 1.0) == 1.0
    limiter.block_all(9.0)
    assert limiter.ready_at(8, 1.0) == 9.0


def test_idle_chats_are_forgotten() -> None:
    limiter = Limiter(Limits())
    limiter.take(1, 0.0)
    limiter.block_chat(2, 5.0)
    limiter.forget_idle(1000.0)
    assert limiter._chats == {}
    assert limiter._blocked == {}
