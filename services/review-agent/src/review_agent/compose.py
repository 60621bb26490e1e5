"""Reply drafts, composed from what the review says and nothing else.

A draft thanks happy guests and apologises to unhappy ones, names the review's own themes
in the guest's terms, and invites them back. It never promises refunds, names staff or
states facts about what went wrong: the review is the only source, and a manager edits the
draft before it is posted. The same inputs and variant always give the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from review_agent.classify import quote_for, tone_of_words
from review_agent.models import REPLY_MAX, ReplyTone, Sentiment, Theme

BRAND = "Copper Pot Kitchen"
MAX_THEMES = 3

_COMPLAINT: dict[Theme, str] = {
    Theme.SERVICE_SPEED: "the slow service",
    Theme.WAITING_TIME: "the long wait",
    Theme.FOOD_QUALITY: "food that was not up to our standard",
    Theme.FOOD_TEMPERATURE: "dishes reaching your table cold",
    Theme.STAFF_FRIENDLINESS: "the way you were treated by our team",
    Theme.CLEANLINESS: "the cleanliness of the restaurant",
    Theme.PRICE_VALUE: "the value for money",
    Theme.AMBIENCE_VIEWS: "the atmosphere",
    Theme.MANAGEMENT: "the way the restaurant is being run",
}
_PRAISE: dict[Theme, str] = {
    Theme.SERVICE_SPEED: "the quick service",
    Theme.WAITING_TIME: "being seated without a wait",
    Theme.FOOD_QUALITY: "the food",
    Theme.FOOD_TEMPERATURE: "dishes arriving piping hot",
    Theme.STAFF_FRIENDLINESS: "the welcome from our team",
    Theme.CLEANLINESS: "how clean the restaurant was",
    Theme.PRICE_VALUE: "the value for money",
    Theme.AMBIENCE_VIEWS: "the setting",
    Theme.MANAGEMENT: "the way the restaurant is run",
}
_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'\u2019-]{1,29}$")
_NOT_NAMES = {"anonymous", "guest", "customer", "user", "a", "the", "mr", "mrs", "ms", "dr"}

_SORRY_OPENERS = (
    "{greeting} thank you for taking the time to tell us about your visit to {place}, "
    "and I am sorry it fell short.",
    "{greeting} I am sorry your visit to {place} was disappointing, and thank you for "
    "telling us about it.",
    "{greeting} thank you for your honest review of {place}. I am sorry we let you down.",
)
_SORRY_CLOSERS = (
    "We would very much like the chance to put things right, so please come back and let "
    "us look after you properly.",
    "We hope you will give us another chance; if you would like to tell us more, please "
    "reply here or speak to us on your next visit.",
    "If you are willing, we would love to welcome you back and show you the {location} we "
    "are proud of.",
)
_THANKS_OPENERS = (
    "{greeting} thank you so much for your kind review of {place}!",
    "{greeting} what a lovely review, thank you for choosing {place}.",
    "{greeting} thank you for visiting {place} and for taking the time to write to us.",
)
_THANKS_CLOSERS = (
    "We look forward to welcoming you back soon.",
    "We hope to see you again at {location} soon.",
    "See you next time!",
)
_MIXED_OPENERS = (
    "{greeting} thank you for your review of {place}.",
    "{greeting} thank you for taking the time to review {place}.",
    "{greeting} many thanks for your feedback on {place}.",
)
_MIXED_CLOSERS = (
    "We hope to welcome you back and make your next visit a five-star one.",
    "We would love to see you again and get everything right next time.",
    "Thank you again, and we hope to see you back at {location} soon.",
)
_SIGN_OFF = "Kind regards, the {brand} team"


@dataclass(frozen=True, slots=True)
class ComposedReply:
    text: str
    tone: ReplyTone
    themes: list[Theme]


def greeting_for(author: str) -> str:
    """ "Dear Ana," from "Ana M."; a neutral greeting when the name is not a plain name."""
    parts = author.split()
    first = parts[0].rstrip(".,") if parts else ""
    if _NAME.match(first) and first.lower() not in _NOT_NAMES:
        return f"Dear {first},"
    return "Hello,"


def tone_for(rating: int, sentiment: Sentiment) -> ReplyTone:
    if rating <= 2 or sentiment is Sentiment.NEGATIVE:
        return ReplyTone.APOLOGETIC
    if rating >= 4 and sentiment is Sentiment.POSITIVE:
        return ReplyTone.APPRECIATIVE
    return ReplyTone.BALANCED


def _join(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def compose_reply(
    *,
    rating: int,
    sentiment: Sentiment,
    themes: list[Theme],
    title: str,
    body: str,
    location_name: str,
    author: str,
    variant: int = 0,
) -> ComposedReply:
    """A reply to one review. `variant` picks among equivalent wordings (a regenerated
    draft takes the next one)."""
    tone = tone_for(rating, sentiment)
    # A theme is a complaint when the sentence that mentions it reads negative.
    complaints = [t for t in themes if tone_of_words(quote_for(t, title, body)) < 0]
    praise = [t for t in themes if t not in complaints]
    fields = {
        "greeting": greeting_for(author),
        "place": f"{BRAND} {location_name}",
        "location": location_name,
        "brand": BRAND,
    }
    pick = variant % 3
    if tone is ReplyTone.APOLOGETIC:
        addressed = complaints[:MAX_THEMES]
        named = _join([_COMPLAINT[t] for t in addressed])
        middle = (
            f"You mention {named}; that is not the experience we want any guest to have, "
            f"and your comments will be shared with the {location_name} team."
            if addressed
            else "That is not the experience we want any guest to have, and your comments "
            f"will be shared with the {location_name} team."
        )
        opener, closer = _SORRY_OPENERS[pick], _SORRY_CLOSERS[pick]
    elif tone is ReplyTone.APPRECIATIVE:
        addressed = praise[:MAX_THEMES]
        enjoyed = _join([_PRAISE[t] for t in addressed]) if addressed else "your visit"
        middle = (
            f"We are delighted you enjoyed {enjoyed}, and we will pass your words on to the team."
        )
        opener, closer = _THANKS_OPENERS[pick], _THANKS_CLOSERS[pick]
    else:
        good = praise[:1]
        bad = complaints[: MAX_THEMES - len(good)]
        addressed = [t for t in themes if t in good or t in bad]
        if good and bad:
            middle = (
                f"We are glad you enjoyed {_join([_PRAISE[t] for t in good])}, and sorry about "
                f"{_join([_COMPLAINT[t] for t in bad])}; your comments will be shared with the "
                f"{location_name} team."
            )
        elif bad:
            middle = (
                f"We are sorry about {_join([_COMPLAINT[t] for t in bad])}; your comments will "
                f"be shared with the {location_name} team."
            )
        elif good:
            middle = (
                f"We are glad you enjoyed {_join([_PRAISE[t] for t in good])}, and we will keep "
                "working to make your next visit even better."
            )
        else:
            middle = f"Your comments will be shared with the {location_name} team."
        opener, closer = _MIXED_OPENERS[pick], _MIXED_CLOSERS[pick]
    # Only our own templates are formatted; the middle already holds its values.
    text = (
        f"{opener.format(**fields)} {middle} {closer.format(**fields)}\n\n"
        f"{_SIGN_OFF.format(**fields)}"
    )
    if len(text) > REPLY_MAX:
        raise ValueError(f"composed reply is {len(text)} characters, over {REPLY_MAX}")
    return ComposedReply(text=text, tone=tone, themes=addressed)
