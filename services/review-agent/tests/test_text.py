"""The classifier, the reply composer and the demo data, without a database."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pytest

from review_agent import seed
from review_agent.classify import quote_for, read_review, sentiment_of, themes_of, tone_of_words
from review_agent.compose import compose_reply, greeting_for
from review_agent.models import REPLY_MAX, ReplyTone, Sentiment, Theme

END_DAY = date(2026, 11, 22)


@cache
def _demo() -> tuple[list[seed.ReviewRow], list[seed.ReplyRow]]:
    return seed.generate(END_DAY)


_FILL = {"dish": "caldo verde", "seafood": "garlic prawns", "minutes": 40, "euros": 62}


def _sentences() -> list[tuple[Theme, bool, str]]:
    out: list[tuple[Theme, bool, str]] = []
    for positive, pools in (
        (True, (seed.PRAISE, seed.HARBOUR_PRAISE)),
        (False, (seed.COMPLAINTS, seed.AIRPORT_COMPLAINTS)),
    ):
        for pool in pools:
            for theme, sentences in pool.items():
                out.extend((theme, positive, s.format(**_FILL)) for s in sentences)
    return out


@pytest.mark.parametrize(("theme", "positive", "sentence"), _sentences())
def test_every_phrase_of_the_demo_data_reads_as_its_theme(
    theme: Theme, positive: bool, sentence: str
) -> None:
    assert theme in themes_of(sentence)
    # A complaint never reads as praise and praise never as a complaint, so a reply draft
    # apologises for the one and thanks for the other.
    assert (tone_of_words(sentence) >= 0) is positive
    expected = Sentiment.POSITIVE if positive else Sentiment.NEGATIVE
    assert sentiment_of(4 if positive else 2, sentence) == expected


def test_openers_closers_and_titles_carry_no_theme_of_their_own() -> None:
    neutral = [
        *seed.OPENERS,
        *seed.AIRPORT_OPENERS,
        *seed.RIVERSIDE_CLOSERS,
        *(closer for closers in seed.CLOSERS.values() for closer in closers),
        *(title for titles in seed.TITLES.values() for title in titles),
    ]
    for text in neutral:
        filled = text.format(
            meal="lunch", short_meal="dinner", weekday="Friday", name="Old Town", party="four"
        )
        assert themes_of(filled) == [], text


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("We can't wait to come back!", set(), {Theme.WAITING_TIME}),
        ("Ice cold beer on the terrace.", {Theme.AMBIENCE_VIEWS}, {Theme.FOOD_TEMPERATURE}),
        ("The soup was stone cold.", {Theme.FOOD_TEMPERATURE}, set()),
        ("We managed to get a table.", set(), {Theme.MANAGEMENT}),
        ("The new manager is lovely.", {Theme.MANAGEMENT}, set()),
        ("Prices are fair, 12 euros for a main.", {Theme.PRICE_VALUE}, set()),
        ("SERVICE WAS SLOW.", {Theme.SERVICE_SPEED}, set()),
    ],
)
def test_themes_follow_the_words_not_their_lookalikes(
    text: str, present: set[Theme], absent: set[Theme]
) -> None:
    found = set(themes_of(text))
    assert present <= found
    assert not absent & found


@pytest.mark.parametrize(
    ("rating", "text", "sentiment"),
    [
        (5, "Lovely.", Sentiment.POSITIVE),
        (1, "Fine.", Sentiment.NEGATIVE),
        (3, "It was fine.", Sentiment.NEUTRAL),
        (3, "Delicious food and lovely staff, a great evening.", Sentiment.POSITIVE),
        (4, "Slow service, cold food and a rude waiter.", Sentiment.NEUTRAL),
        (2, "Not good, not worth it.", Sentiment.NEGATIVE),
        (3, "The food was not great and the service slow.", Sentiment.NEGATIVE),
    ],
)
def test_sentiment_is_stars_moved_by_clear_wording(
    rating: int, text: str, sentiment: Sentiment
) -> None:
    assert sentiment_of(rating, text) == sentiment


def test_quote_is_the_sentence_that_mentions_the_theme() -> None:
    body = "Lovely terrace. Our food was cold by the time it reached the table. Never again."
    assert quote_for(Theme.FOOD_TEMPERATURE, "", body) == (
        "Our food was cold by the time it reached the table."
    )
    assert quote_for(Theme.SERVICE_SPEED, "Slow, slow, slow", "Bad night.") == "Slow, slow, slow"
    long = "The views are " + "really " * 80 + "good."
    quote = quote_for(Theme.AMBIENCE_VIEWS, "", long)
    assert len(quote) <= 240
    assert quote.endswith("…")


@pytest.mark.parametrize(
    ("author", "greeting"),
    [
        ("Ana M.", "Dear Ana,"),
        ("joão", "Dear joão,"),
        ("Mary-Jane O'Neil", "Dear Mary-Jane,"),
        ("Anonymous", "Hello,"),
        ("{brand}", "Hello,"),
        ("A.", "Hello,"),
        ("Robert'); DROP TABLE reviews;--", "Hello,"),
        ("", "Hello,"),
    ],
)
def test_greeting_uses_only_a_plain_first_name(author: str, greeting: str) -> None:
    assert greeting_for(author) == greeting


def test_seed_is_deterministic_and_sized_like_half_a_year_of_reviews() -> None:
    first = _demo()
    assert first == seed.generate(END_DAY)
    reviews, replies = first
    assert 900 <= len(reviews) <= 1400
    assert {r.location_id for r in reviews} == {loc.id for loc in seed.LOCATIONS}
    days = {r.created_at.date() for r in reviews}
    assert min(days) == END_DAY - timedelta(days=seed.HISTORY_DAYS - 1)
    assert max(days) == END_DAY
    assert len({r.id for r in reviews}) == len(reviews)
    assert all(1 <= r.rating <= 5 and r.body and r.author for r in reviews)
    assert all(10 <= r.created_at.hour < 22 for r in reviews)
    answered = {reply.review_id for reply in replies}
    assert len(answered) == len(replies)
    by_id = {r.id: r for r in reviews}
    for reply in replies:
        review = by_id[reply.review_id]
        assert reply.posted_at > review.created_at
        assert reply.posted_at.date() <= END_DAY
    assert seed.generate(END_DAY - timedelta(days=1)) != first


def test_seeded_ratings_are_mostly_four_and_five_stars() -> None:
    reviews, _ = _demo()
    dip = END_DAY - timedelta(days=seed.RIVERSIDE_DIP_DAYS_BEFORE_END)
    steady = [r for r in reviews if r.location_id != "riverside" or r.created_at.date() < dip]
    assert sum(r.rating >= 4 for r in steady) / len(steady) > 0.7


def test_riverside_reviews_after_the_dip_are_rarely_answered() -> None:
    reviews, replies = _demo()
    dip = END_DAY - timedelta(days=seed.RIVERSIDE_DIP_DAYS_BEFORE_END)
    answered = {reply.review_id for reply in replies}

    def rate(selected: list[seed.ReviewRow]) -> float:
        return sum(r.id in answered for r in selected) / len(selected)

    riverside_after = [
        r
        for r in reviews
        if r.location_id == "riverside" and dip <= r.created_at.date() <= END_DAY - timedelta(4)
    ]
    others = [r for r in reviews if r.location_id != "riverside"]
    assert rate(riverside_after) < 0.2 < rate(others)


def test_every_seeded_review_gets_a_well_formed_draft() -> None:
    reviews, _ = _demo()
    names = {loc.id: loc.name for loc in seed.LOCATIONS}
    tones = set()
    for review in reviews:
        reading = read_review(review.rating, review.title, review.body)
        for variant in range(3):
            reply = compose_reply(
                rating=review.rating,
                sentiment=reading.sentiment,
                themes=reading.themes,
                title=review.title,
                body=review.body,
                location_name=names[review.location_id],
                author=review.author,
                variant=variant,
            )
            assert len(reply.text) < REPLY_MAX
            assert "{" not in reply.text
            assert "<" not in reply.text
            assert set(reply.themes) <= set(reading.themes)
            assert names[review.location_id] in reply.text
            tones.add(reply.tone)
            if review.rating <= 2:
                assert reply.tone is ReplyTone.APOLOGETIC
                assert "sorry" in reply.text.lower()
    assert tones == set(ReplyTone)
