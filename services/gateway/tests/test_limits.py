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
    limits = Limits(global_burst=30, margin=0)
    assert sends_within(Limiter(limits), 42, 0.0) == 3
    assert sends_within(Limiter(limits), 42, 10.0) == 3 + 10


def test_the_chain_of_chats_is_capped_at_thirty_a_second() -> None:
    limiter = Limiter(Limits(margin=0))
    now, sent = 0.0, 0
    while now < 2.0:
        for chat in range(1, 200):
            while limiter.ready_at(chat, now) <= now:
                limiter.take(chat, now)
                sent += 1
        now = round(now + 0.001, 6)
    # Smoothly 30 a second: no one-second window holds more.
    assert 59 <= sent <= 61


def test_a_group_gets_twenty_a_minute() -> None:
    limits = Limits(chat_per_s=100, chat_burst=100, margin=0)
    assert sends_within(Limiter(limits), -100, 59.0, step=0.1) == 20 + 19


def test_paid_broadcast_lifts_the_global_rate() -> None:
    limiter = Limiter(Limits(paid_broadcast=True, margin=0))
    now, sent = 0.0, 0
    while now < 1.0:
        chat = sent + 1
        if limiter.ready_at(chat, now) <= now:
            limiter.take(chat, now)
            sent += 1
        now = round(now + 0.0005, 6)
    assert sent >= 950


def test_a_flood_wait_blocks_the_chat_until_it_ends() -> None:
    limiter = Limiter(Limits(margin=0))
    limiter.block_chat(7, 5.0)
    assert limiter.ready_at(7, 1.0) == 5.0
    assert limiter.ready_at(8, 1.0) == 1.0
    limiter.block_all(9.0)
    assert limiter.ready_at(8, 1.0) == 9.0


def test_idle_chats_are_forgotten() -> None:
    limiter = Limiter(Limits(margin=0))
    limiter.take(1, 0.0)
    limiter.block_chat(2, 5.0)
    limiter.forget_idle(1000.0)
    assert limiter._chats == {}
    assert limiter._blocked == {}


def test_a_margin_keeps_every_rate_just_under_telegrams() -> None:
    exact = sends_within(Limiter(Limits(margin=0)), 42, 20.0)
    kept = sends_within(Limiter(Limits(margin=0.05)), 42, 20.0)
    assert kept == exact - 1


def test_a_preview_never_takes_the_last_message_a_chat_has_in_hand() -> None:
    limiter = Limiter(Limits(global_burst=30, margin=0))
    for _ in range(2):
        assert limiter.ready_at(42, 0.0, reserve=1) == 0.0
        limiter.take(42, 0.0)
    # One message left in the burst: kept for the answer, which may still go at once.
    assert limiter.ready_at(42, 0.0, reserve=1) == 1.0
    assert limiter.ready_at(42, 0.0) == 0.0


def test_a_group_keeps_a_message_for_the_answer_too() -> None:
    limiter = Limiter(Limits(chat_per_s=100, chat_burst=100, global_burst=30, margin=0))
    for _ in range(19):
        limiter.take(-100, 0.0)
    assert limiter.ready_at(-100, 0.0, reserve=1) == 3.0
    assert limiter.ready_at(-100, 0.0) == 0.0


def _windows_hold_at_most(times: list[float], limit: int) -> bool:
    """Whether every one-second window (starting at any send) holds at most `limit`."""
    return all(sum(1 for t in times if start <= t < start + 1.0) <= limit for start in times)


def test_a_sender_that_wakes_late_keeps_the_full_rate_and_every_window_within_it() -> None:
    limiter = Limiter(Limits())  # 30/s less the 5% margin: 28 in any second
    times: list[float] = []
    now = 0.0
    chat = 0
    while now < 10.0:
        # A busy process: it looks again only every 45 ms, later than the 35 ms pace.
        chat += 1
        while limiter.ready_at(chat, now) <= now:
            limiter.take(chat, now)
            times.append(now)
            chat += 1
        now = round(now + 0.045, 6)
    assert len(times) >= 27 * 10, "late wake-ups must not cost slots"
    assert _windows_hold_at_most(times, 28)
    # Catching up means two at once now and then, never more than the burst of three.
    assert max(times.count(t) for t in times) <= 3


def test_a_prompt_sender_keeps_every_window_within_the_limit() -> None:
    limiter = Limiter(Limits())
    times: list[float] = []
    now, chat = 0.0, 0
    while now < 3.0:
        chat += 1
        if limiter.ready_at(chat, now) <= now:
            limiter.take(chat, now)
            times.append(now)
        now = round(now + 0.001, 6)
    assert _windows_hold_at_most(times, 28)
    assert len(times) >= 28 * 3 - 1
    assert max(times.count(t) for t in times) <= 3


def test_bulk_work_leaves_a_slot_for_a_reply_someone_waits_for() -> None:
    limiter = Limiter(Limits())
    now, chat = 0.0, 0
    bulk = 0
    # A backlog of briefings, offered to the limiter every millisecond for two seconds.
    while now < 2.0:
        chat += 1
        if limiter.ready_at(chat, now, spare=1) <= now:
            limiter.take(chat, now)
            bulk += 1
        # Whenever it is asked, the answer to a question may go at once.
        assert limiter.ready_at(10**9 + chat, now) == now
        now = round(now + 0.001, 6)
    assert bulk >= 2 * 27 - 1, "bulk still gets all but one slot of the rate"
