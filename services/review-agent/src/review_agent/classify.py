"""Deterministic reading of review text: sentiment and themes.

A keyword and phrase classifier, not a model: it runs at insert time so every review's
themes are stored (and queryable) from the moment it exists, it gives the same answer for
the same text forever, and it can be read and corrected by a person. Stars carry most of
the sentiment; the wording moves a review one step when it clearly disagrees with them
(a four-star review that lists complaints reads neutral).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from review_agent.models import Sentiment, Theme


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


THEME_PATTERNS: dict[Theme, re.Pattern[str]] = {
    Theme.SERVICE_SPEED: _words(
        r"slow(?:ly|est|er)?",
        r"sluggish",
        r"took (?:ages|forever)",
        r"(?:quick|fast|speedy|efficient|prompt) service",
        r"service was (?:quick|fast|speedy|efficient|prompt|swift)",
        r"served (?:quickly|promptly|fast)",
        r"promptly",
        r"(?:under|short)-?staffed",
        r"forgot(?:ten)?",
        r"chaotic",
    ),
    Theme.WAITING_TIME: _words(
        r"(?<!can't )(?<!cannot )wait(?:ed|ing|s)?",
        r"queue[ds]?",
        r"queuing",
        r"\d+ minutes",
        r"an hour",
        r"seated (?:straight away|immediately|right away)",
        r"kept (?:us|me) (?:standing|waiting)",
    ),
    Theme.FOOD_QUALITY: _words(
        r"delicious",
        r"tasty",
        r"tasteless",
        r"bland",
        r"flavou?r(?:s|ful|ed)?",
        r"(?:over|under)cooked",
        r"(?:perfectly|beautifully|well) cooked",
        r"cooked to perfection",
        r"fresh(?:est)?",
        r"stale",
        r"soggy",
        r"greasy",
        r"rubbery",
        r"(?:well )?seasoned",
        r"seafood",
        r"mediocre",
        r"food was (?:excellent|great|superb|good|fine|okay|ok|average|poor)",
    ),
    Theme.FOOD_TEMPERATURE: _words(
        r"cold(?! (?:beers?|drinks?|wine|lemonade|water))",
        r"lukewarm",
        r"tepid",
        r"barely warm",
        r"not hot",
        r"piping hot",
        r"steaming",
        r"nice and hot",
        r"served hot",
        r"reheated",
        r"microwaved",
    ),
    Theme.STAFF_FRIENDLINESS: _words(
        r"(?:un)?friendly",
        r"rude(?:ly|ness)?",
        r"welcom(?:ing|ed)",
        r"warm welcome",
        r"(?:in)?attentive",
        r"(?:im)?polite",
        r"charming",
        r"dismissive",
        r"hospitable",
        r"(?:un)?helpful",
        r"courteous",
        r"grumpy",
        r"smiling",
    ),
    Theme.CLEANLINESS: _words(
        r"clean(?:ed|ly|liness)?",
        r"spotless",
        r"dirty",
        r"filthy",
        r"sticky",
        r"grubby",
        r"toilets?",
        r"bathrooms?",
        r"hygiene",
        r"unwiped",
    ),
    Theme.PRICE_VALUE: _words(
        r"prices?",
        r"priced",
        r"pricey",
        r"pricy",
        r"(?:over-?)?expensive",
        r"overpriced",
        r"over-priced",
        r"value",
        r"cheap",
        r"affordable",
        r"rip-?off",
        r"worth (?:it|every)",
        r"the bill",
        r"\d+ euros?",
    ),
    Theme.AMBIENCE_VIEWS: _words(
        r"views?",
        r"sunsets?",
        r"terrace",
        r"atmosphere",
        r"ambien[ct]e",
        r"cos[yz]",
        r"decor",
        r"music",
        r"noisy",
        r"romantic",
        r"overlooking",
        r"by the water",
        r"setting",
    ),
    Theme.MANAGEMENT: _words(
        r"managers?",
        r"management",
        r"new owners?",
        r"under new",
        r"(?:badly|poorly|well) run",
        r"run(?:ning)? the place",
    ),
}

_NEGATED = _words(
    r"not (?:very |that |so |particularly )?"
    r"(?:good|great|nice|friendly|worth|fresh|clean|hot|warm|impressed|welcoming)",
)
_POSITIVE = _words(
    r"delicious",
    r"tasty",
    r"excellent",
    r"great",
    r"wonderful",
    r"lovely",
    r"fantastic",
    r"amazing",
    r"superb",
    r"perfect(?:ly)?",
    r"friendly",
    r"attentive",
    r"recommend(?:ed)?",
    r"beautiful(?:ly)?",
    r"best",
    r"fresh",
    r"welcoming",
    r"spotless",
    r"lov(?:e|ed|ely)",
    r"enjoyed",
    r"outstanding",
    r"brilliant",
    r"pleasant",
    r"good",
    r"gem",
)
_NEGATIVE = _words(
    r"slow(?:ly)?",
    r"cold",
    r"lukewarm",
    r"rude",
    r"dirty",
    r"bland",
    r"overpriced",
    r"disappoint(?:ing|ed|ment)",
    r"terrible",
    r"awful",
    r"horrible",
    r"worst",
    r"never again",
    r"forgot(?:ten)?",
    r"ignored",
    r"mediocre",
    r"chaotic",
    r"sticky",
    r"downhill",
    r"poor(?:ly)?",
    r"unfriendly",
    r"inattentive",
    r"overcooked",
    r"rip-?off",
    r"shame",
    r"avoid",
    r"waited",
    r"(?:too |so )?expensive",
    r"pricey",
    r"steep",
    r"loud",
    r"cramped",
    r"struggl(?:ed|ing)",
    r"nobody",
    r"wrong",
    r"too busy",
    r"tasteless",
    r"stale",
    r"soggy",
    r"greasy",
    r"grubby",
    r"dismissive",
    r"grumpy",
    r"reheated",
    r"barely warm",
    r"forever",
    r"took ages",
    r"noisy",
    r"(?:almost|nearly|over|more than) an hour",
    r"minutes of waiting",
    r"airport prices",
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

_STARS = {1: -2.0, 2: -1.0, 3: 0.0, 4: 1.0, 5: 2.0}


@dataclass(frozen=True, slots=True)
class Reading:
    sentiment: Sentiment
    themes: list[Theme]


def themes_of(text: str) -> list[Theme]:
    """The themes a text mentions, in the fixed order of `Theme`."""
    return [theme for theme, pattern in THEME_PATTERNS.items() if pattern.search(text)]


def tone_of_words(text: str) -> int:
    """Positive minus negative words, with "not good" counted as negative."""
    negated = len(_NEGATED.findall(text))
    remaining = _NEGATED.sub(" ", text)
    return len(_POSITIVE.findall(remaining)) - len(_NEGATIVE.findall(remaining)) - negated


def sentiment_of(rating: int, text: str) -> Sentiment:
    words = max(-2, min(2, tone_of_words(text)))
    score = _STARS[rating] + 0.5 * words
    if score >= 1.0:
        return Sentiment.POSITIVE
    if score <= -1.0:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def read_review(rating: int, title: str, body: str) -> Reading:
    text = f"{title}. {body}" if title else body
    return Reading(sentiment=sentiment_of(rating, text), themes=themes_of(text))


def quote_for(theme: Theme, title: str, body: str, *, max_chars: int = 240) -> str:
    """The first sentence of a review that mentions `theme`, shortened if need be."""
    pattern = THEME_PATTERNS[theme]
    for sentence in [*_SENTENCE.split(body), title]:
        if sentence and pattern.search(sentence):
            return _shorten(sentence.strip(), max_chars)
    return _shorten(body.strip(), max_chars)


def _shorten(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    return text[: max_chars - 1].rsplit(" ", 1)[0] + "…"
