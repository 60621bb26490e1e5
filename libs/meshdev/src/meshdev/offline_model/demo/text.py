"""Words, light stemming and the domain's synonyms, shared by routing and argument filling."""

from __future__ import annotations

import re
from functools import cache

_TOKEN = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _wordset(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


STOPWORDS = _wordset(
    "a an the and or but of to in on at for from by with about as into is are was",
    "were be been being am do does have has had having i me my we our us you your it",
    "its this that these those there here what who whom whose when where why can",
    "could would should will shall may might must please tell give let get got any",
    "some each per their them they he she his her so then too very just also only not",
    "no yes if out under again further once more other such own few both much many",
    "lot lots thing things like know want need see look looking check bit really",
    "whole chain overall",
)

#: Groups of words that mean the same thing to a restaurant manager. A question word in a
#: group matches a tool mentioning any word of the group.
SYNONYMS: dict[str, frozenset[str]] = {
    group: frozenset(members.split())
    for group, members in {
        "sales": "sales sale sold sell sells selling revenue revenues takings taking turnover "
        "income earnings trading takes made make money",
        "review": "review reviews reviewed rating ratings rated star stars complaint complaints "
        "complain complaining feedback reputation sentiment comment comments guest-feedback "
        "praise",
        "lead": "lead leads pipeline prospect prospects prospecting deal deals opportunity "
        "opportunities enquiry enquiries inquiry inquiries b2b corporate account accounts "
        "catering",
        "compare": "compare compared comparing comparison versus vs against than previous "
        "prior difference differ change changed changes",
        "decline": "dip dips dipped drop drops dropped fell fall falls falling fallen decline "
        "declined declining declines worse worsening worst down lower decrease decreased "
        "slump slumped slide sliding poor bad weak weaker",
        "growth": "rise rises rising rose grow grew growing growth up increase increased better "
        "improve improved improving higher stronger strong",
        "trend": "trend trends trending over time getting pattern patterns evolution weekly "
        "monthly series",
        "location": "location locations restaurant restaurants site sites branch branches "
        "store stores shop shops venue venues outlet outlets place places",
        "item": "item items dish dishes menu product products food plate plates bestseller "
        "bestsellers",
        "top": "top best most highest popular leading bestselling biggest",
        "daily": "daily day days weekday weekdays everyday day-by-day",
        "summary": "summary summarise summarize overview total totals performance perform "
        "performing",
        "covers": "covers cover guests guest customers customer diners diner footfall visitors "
        "people persons headcount attendees pax party",
        "orders": "orders order tickets ticket transactions transaction checks receipts",
        "theme": "theme themes topic topics issue issues problem problems mention mentions "
        "saying say said talk talking complain complaining complaints complaint unhappy",
        "reply": "reply replies respond response responses answer draft drafts",
        "score": "score scores scoring qualify qualified qualification hot warm priority rank "
        "ranking",
        "create": "add create new capture record log register enter",
        "list": "list all show which every",
        "units": "units unit quantity quantities volume count number",
        "stars": "star stars rating ratings rated",
    }.items()
}

#: Words that name a date rather than a topic; never taken for a location or a product.
DATE_WORDS = _wordset(
    "today yesterday tomorrow week weeks weekend weekends month months year years day",
    "days quarter quarters q1 q2 q3 q4 last this past previous next since until till",
    "before after ago so far date dates period periods morning evening night lunch",
    "dinner fortnight monday tuesday wednesday thursday friday saturday sunday mon",
    "tue tues wed thu thur thurs fri sat sun january february march april may june",
    "july august september october november december jan feb mar apr jun jul aug sep",
    "sept oct nov dec ytd mtd wtd same time",
)


def split_identifier(name: str) -> str:
    """`getSalesSummary`, `get_sales_summary`, `sales__get-summary` → words with spaces."""
    return _CAMEL.sub(" ", name).replace("_", " ").replace("-", " ")


def words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


@cache
def stem(word: str) -> str:
    """Just enough stemming for plurals and verb forms to meet their base word."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ings", ""),
        ("ing", ""),
        ("ed", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


@cache
def _group_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group, members in SYNONYMS.items():
        for member in members:
            for form in (member, stem(member)):
                index.setdefault(form, set()).add(group)
    return {form: frozenset(groups) for form, groups in index.items()}


@cache
def concepts(word: str) -> frozenset[str]:
    """The word's stem and the synonym groups it belongs to."""
    word = word.lower()
    groups = _group_index()
    found = set(groups.get(word, ())) | set(groups.get(stem(word), ()))
    found.add(stem(word))
    return frozenset(found)


def normalise(text: str) -> str:
    """For comparing names and ids: `Old Town`, `old-town` and `oldtown` agree."""
    return "".join(words(text))


def without_examples(text: str) -> str:
    """Descriptions quote example values (`riverside`, "show the Midtown leads"); those
    are names, not what the tool is about."""
    return re.sub(r"`[^`]*`|\"[^\"]*\"|\u201c[^\u201d]*\u201d", " ", text)
