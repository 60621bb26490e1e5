"""Tool input from the question's words: dates, ids of the places and things it names,
enum values, counts. Whatever is filled is checked against the tool's schema, so a call the
offline model makes is always one the tool accepts."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from meshdev.offline_model.demo import dates
from meshdev.offline_model.demo.dates import Period
from meshdev.offline_model.demo.knowledge import Entity, kinds_match, noun_of, singular
from meshdev.offline_model.demo.routing import Profile
from meshdev.offline_model.demo.schema import Param, errors
from meshdev.offline_model.demo.text import (
    DATE_WORDS,
    STOPWORDS,
    SYNONYMS,
    concepts,
    split_identifier,
    stem,
    words,
)

_START = {"start", "from", "since", "begin", "first"}
_END = {"end", "to", "until", "till", "through", "last"}
_SINGLE = {"date", "day", "on"}
_PREVIOUS = {"previous", "prior", "baseline", "compare", "comparison", "before", "reference"}
_FREE_TEXT = {"question", "prompt", "message", "query", "q", "search", "keyword", "keywords"}
#: Parameters that hold a proper name the question may say ("in Lisbon", "for Acme").
_PROPER_NOUNS = {
    "city",
    "country",
    "town",
    "region",
    "place",
    "company",
    "customer",
    "contact",
    "venue",
    "organisation",
    "organization",
}
#: Words that introduce the name of a particular field ("contact Jane", "author Ana").
_NAME_CUES = {"contact", "author", "customer", "company", "client", "by", "named", "called"}
_NOTE_TEXT = {"notes", "note", "description", "reason", "comment", "body", "content", "text"}
_LIMIT_NAMES = {"limit", "top", "top_n", "n", "count", "max_results", "size", "page_size", "k"}
_MIN_WORDS = re.compile(r"\b(at least|or more|or higher|above|over|more than|minimum|min)\b")
_MAX_WORDS = re.compile(
    r"\b(at most|or less|or lower|or fewer|below|under|less than|maximum|max)\b"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ()-]{6,}\d")
_MONEY = re.compile(r"(?:€\s?(\d[\d,.]*)\s?(k)?|(\d[\d,.]*)\s?(k)?\s?(?:euros?|eur)\b)", re.I)
_MONEY_NAMES = {"budget", "amount", "price", "value", "spend", "cost", "total", "revenue"}
_TREND = {"trend", "decline", "growth"}
#: Synonym groups a counted noun may use ("40 people" for a `headcount`).
_COUNTED = {"covers", "units", "stars"}


@dataclass
class Context:
    today: date
    #: The part of the question this tool was chosen for.
    clause: str
    #: The whole question, for dates said once for several parts.
    question: str
    entities: list[Entity]
    #: Words the tools use, so an unknown word can be told apart from a name.
    vocabulary: set[str]
    #: List tools that could reveal ids, by the kind of thing they list.
    listers: dict[str, Profile]
    #: Tool names already called in this conversation.
    called: set[str]
    #: Things the calls made for this question returned, first listed first.
    fresh: list[Entity] = field(default_factory=list)


@dataclass
class Filled:
    input: dict[str, Any] = field(default_factory=dict)
    #: A list tool to call first, to learn the id of something the question names.
    needs: Profile | None = None
    #: The name that list should reveal.
    looking_for: str | None = None
    #: A name the question used that no list or schema knows.
    unresolved: str | None = None
    #: The periods the input covers, for describing the call.
    periods: list[Period] = field(default_factory=list)
    #: What the question does not say and the tool cannot do without.
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.needs is None and not self.problems


def _date_role(param: Param) -> tuple[str, str] | None:
    """(group, role) of a date parameter: `current_start` → ("current", "start"),
    `start_date` → ("", "start"), `event_date` → ("event", "single")."""
    is_date = param.format in ("date", "date-time")
    if not is_date and param.type != "string":
        return None
    parts = words(split_identifier(param.name))
    role = None
    for part in parts:
        if part in _START:
            role = "start"
        elif part in _END:
            role = "end"
        if role:
            break
    if role is None and (is_date or set(parts) & _SINGLE):
        role = "single"
    if role is None:
        return None
    if not is_date and not set(parts) <= _START | _END | _SINGLE | {"since", "until"}:
        # Without a date format, only names that plainly are dates count (`start`, `until`).
        return None
    group = "_".join(p for p in parts if p not in _START | _END | _SINGLE)
    return group, role


def _looks_ahead(param: Param) -> bool:
    """A date of something planned (an event, a delivery) is in the future."""
    said = param.description.lower()
    named = set(words(split_identifier(param.name)))
    return bool(
        re.search(r"\bor later\b|\bfuture\b|\bupcoming\b|\bfrom today\b", said)
        or named & {"event", "delivery", "booking", "due", "deadline", "reservation", "visit"}
    )


def _iso(day: date, param: Param, role: str) -> str:
    if param.format == "date-time":
        return f"{day.isoformat()}T{'23:59:59' if role == 'end' else '00:00:00'}Z"
    return day.isoformat()


def _mentions(text: str, today: date) -> list[Period]:
    return [mention.period for mention in dates.find_periods(text, today)]


def _period_for(ctx: Context) -> Period:
    own = _mentions(ctx.clause, ctx.today)
    if own:
        return own[0]
    clause_concepts = {c for w in words(ctx.clause) for c in concepts(w)}
    if clause_concepts & _TREND:
        # A trend needs more than a week to show.
        return dates.default_period(ctx.today, 28)
    shared = _mentions(ctx.question, ctx.today)
    return shared[0] if shared else dates.default_period(ctx.today)


def _fill_dates(found: list[Param], ctx: Context, filled: Filled) -> None:
    roles = {param.name: found_role for param in found if (found_role := _date_role(param))}
    if not roles:
        return
    groups = {group for group, _ in roles.values()}
    previous_groups = {g for g in groups if set(g.split("_")) & _PREVIOUS}
    by_group: dict[str, Period]
    if previous_groups and len(groups) > len(previous_groups):
        text = ctx.clause if _mentions(ctx.clause, ctx.today) else ctx.question
        current, previous = dates.comparison(text, ctx.today)
        by_group = {g: previous if g in previous_groups else current for g in groups}
        filled.periods = [current, previous]
    else:
        period = _period_for(ctx)
        by_group = dict.fromkeys(groups, period)
        filled.periods = [period]
    for param in found:
        bounds = roles.get(param.name)
        if bounds and bounds[1] == "single" and _looks_ahead(param):
            ahead = dates.find_periods(ctx.clause, ctx.today, ahead=True)
            if ahead:
                by_group[bounds[0]] = ahead[0].period
    mentioned = bool(_mentions(ctx.clause, ctx.today) or _mentions(ctx.question, ctx.today))
    needed_groups = {roles[p.name][0] for p in found if p.name in roles and p.required}
    for param in found:
        if param.name not in roles:
            continue
        group, role = roles[param.name]
        if not (param.required or group in needed_groups or mentioned):
            continue
        period = by_group[group]
        day = period.start if role == "start" else period.end
        filled.input[param.name] = _iso(day, param, role)


def mentioned_entities(text: str, entities: Iterable[Entity]) -> list[Entity]:
    """The entities `text` names, in the order it names them; at each place the longest
    name wins ("Old Town Square" over "Old Town")."""
    by_key: dict[str, list[Entity]] = {}
    for entity in entities:
        for key in entity.match_keys():
            by_key.setdefault(key, []).append(entity)
    tokens = words(text)
    found: list[Entity] = []
    index = 0
    while index < len(tokens):
        for size in range(min(4, len(tokens) - index), 0, -1):
            named = by_key.get("".join(tokens[index : index + size]))
            if named:
                found.extend(entity for entity in named if entity not in found)
                index += size
                break
        else:
            index += 1
    return found


def name_candidates(text: str, vocabulary: set[str]) -> list[str]:
    """Phrases that look like names (of a location, a product) the tools did not explain:
    capitalised words, or unknown words after "at", "in", "for"."""

    def unknown(word: str) -> bool:
        lowered = word.lower()
        return (
            lowered not in STOPWORDS
            and lowered not in DATE_WORDS
            and not lowered.isdigit()
            and lowered not in vocabulary
            and stem(lowered) not in vocabulary
            and not (concepts(lowered) & set(SYNONYMS))
        )

    found: list[str] = []
    plain = text.replace("\u2019", "'")
    tokens = [
        token[:-2] if token.endswith("'s") else token
        for token in re.findall(r"[A-Za-z][A-Za-z'-]*", plain)
    ]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        after_preposition = index > 0 and tokens[index - 1].lower() in {"at", "in", "for", "from"}
        capitalised = token[:1].isupper() and index > 0
        if (capitalised or after_preposition) and unknown(token):
            run = [token]
            index += 1
            while index < len(tokens) and len(run) < 3:
                following = tokens[index]
                if not unknown(following) or (capitalised and not following[:1].isupper()):
                    break
                run.append(following)
                index += 1
            found.append(" ".join(run))
            continue
        index += 1
    return found


def _id_kind(param: Param, profile: Profile) -> str | None:
    if param.name == "id":
        noun = noun_of(profile.name).split()
        return singular(noun[-1]) if noun else None
    if param.name.endswith("_id") and param.type in ("string", "integer", None):
        return singular(param.name[: -len("_id")].split("_")[-1])
    return None


_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)


def _literal_ids(text: str, param: Param) -> list[Any]:
    """Ids written out in the question: a UUID, or "#42" for a numeric id."""
    if param.format == "uuid" or param.type == "string":
        return _UUID.findall(text)
    if param.type == "integer":
        return [int(number) for number in re.findall(r"#(\d+)\b", text)]
    return []


def _slug_guess(phrase: str, clause: str, param: Param) -> str | None:
    """Without a list to look it up in, "at Old Town" most likely means `old-town`: ids in
    this mesh are slugs of names. Only names said as a place ("at", "in") are guessed."""
    if not re.search(rf"\b(?:at|in)\s+(?:the\s+)?{re.escape(phrase)}\b", clause, re.IGNORECASE):
        return None
    slug = "-".join(words(phrase))
    return slug if slug and not errors(slug, param.schema, param.schema) else None


def _fill_ids(found: list[Param], profile: Profile, ctx: Context, filled: Filled) -> None:
    """Ids of things the question names, from what the conversation and schemas revealed,
    or a list tool to call first to learn them."""
    for param in found:
        kind = _id_kind(param, profile)
        if kind is None:
            continue
        literal = next(
            (v for v in _literal_ids(ctx.clause, param) if not errors(v, param.schema, {})), None
        )
        if literal is not None:
            filled.input[param.name] = literal
            continue
        candidates = [e for e in ctx.entities if kinds_match(e.kind, kind)]
        named = mentioned_entities(ctx.clause, candidates)
        if named:
            value: Any = named[0].id
            if param.type == "integer" and str(value).isdigit():
                value = int(value)
            if not errors(value, param.schema, param.schema):
                filled.input[param.name] = value
                continue
        unknown_names = [
            name
            for name in name_candidates(ctx.clause, ctx.vocabulary)
            if not mentioned_entities(name, ctx.entities)
        ]
        lister = next(
            (p for k, p in ctx.listers.items() if kinds_match(k, kind) and p is not profile), None
        )
        if unknown_names:
            if lister is not None and lister.name not in ctx.called:
                filled.needs = lister
                filled.looking_for = unknown_names[0]
                continue
            guess = None if lister is not None else _slug_guess(unknown_names[0], ctx.clause, param)
            if guess is not None:
                filled.input[param.name] = guess
                continue
            filled.unresolved = filled.unresolved or unknown_names[0]
        if param.required and param.name not in filled.input:
            listed = [e for e in ctx.fresh if kinds_match(e.kind, kind)]
            if listed and not errors(listed[0].id, param.schema, param.schema):
                # Looked up for this question ("reply to the latest review"): the first.
                filled.input[param.name] = listed[0].id
            elif lister is not None and lister.name not in ctx.called:
                filled.needs = lister
            else:
                filled.problems.append(f"which {kind.replace('_', ' ')}")


def _fill_enums(found: list[Param], ctx: Context, filled: Filled) -> None:
    clause_words = words(ctx.clause)
    stems = {stem(w) for w in clause_words}
    wants_units = (
        any("units" in concepts(w) for w in clause_words) or "how many" in ctx.clause.lower()
    )
    for param in found:
        if param.name in filled.input:
            continue
        values = param.enum
        is_array = False
        if values is None and param.type == "array":
            items = param.schema.get("items")
            if isinstance(items, dict) and isinstance(items.get("enum"), list):
                values, is_array = list(items["enum"]), True
        if not values:
            continue
        matched = []
        for value in values:
            if not isinstance(value, str):
                continue
            value_stems = {stem(w) for w in words(split_identifier(value))}
            if (value_stems and value_stems <= stems) or (
                wants_units and value_stems & {stem(w) for w in SYNONYMS["units"]}
            ):
                matched.append(value)
        if not matched:
            continue
        if is_array:
            filled.input[param.name] = matched
        elif matched[0] != param.schema.get("default"):
            filled.input[param.name] = matched[0]


def _number_near(text: str, names: set[str]) -> tuple[float, str] | None:
    """A number said next to one of `names` ("5 stars", "top 3", "40 people")."""
    tokens = re.findall(r"\d+(?:\.\d+)?|[a-z]+", text.lower())
    for index, token in enumerate(tokens):
        if not token[0].isdigit():
            continue
        around = tokens[max(0, index - 2) : index] + tokens[index + 1 : index + 3]
        near = {c for word in around for c in concepts(word)}
        if near & names:
            before = " ".join(tokens[max(0, index - 4) : index])
            return float(token), before
    return None


def _clamp(value: float, param: Param) -> float:
    low = param.schema.get("minimum")
    high = param.schema.get("maximum")
    if isinstance(low, int | float):
        value = max(value, float(low))
    if isinstance(high, int | float):
        value = min(value, float(high))
    return value


def _fill_numbers(found: list[Param], ctx: Context, filled: Filled) -> None:
    text = ctx.clause.lower()
    for param in found:
        if param.name in filled.input or param.type not in ("integer", "number"):
            continue
        parts = words(split_identifier(param.name))
        value: float | None = None
        if param.name in _LIMIT_NAMES:
            match = re.search(r"\b(?:top|best|first|worst|bottom|last)\s+(\d{1,3})\b", text)
            match = match or re.search(r"\b(\d{1,3})\s+(?:best|top|worst|most|biggest)\b", text)
            if match:
                value = float(match.group(1))
        elif parts and parts[-1] == "days" and filled.periods:
            value = float(filled.periods[0].days)
        elif parts and parts[-1] == "weeks" and filled.periods:
            value = float(math.ceil(filled.periods[0].days / 7))
        elif "cents" in parts or set(parts) & _MONEY_NAMES:
            money = _MONEY.search(ctx.clause)
            if money:
                digits = (money.group(1) or money.group(3) or "").replace(",", "")
                try:
                    value = float(digits)
                except ValueError:
                    value = None
                if value is not None:
                    if money.group(2) or money.group(4):
                        value *= 1000
                    if "cents" in parts:
                        value *= 100
        else:
            names = {stem(p) for p in parts if p not in {"min", "max"}}
            names |= {c for p in parts for c in concepts(p) if c in _COUNTED}
            near = _number_near(text, names)
            if near is not None:
                number, before = near
                bound = parts[0] if parts[0] in ("min", "max") else None
                said_min = _MIN_WORDS.search(before) is not None
                said_max = _MAX_WORDS.search(before) is not None
                if bound is None or not (said_min or said_max) or ((bound == "min") == said_min):
                    value = number
        if value is None:
            continue
        value = _clamp(value, param)
        filled.input[param.name] = int(value) if param.type == "integer" else value


def _pick_name(param: Param, ctx: Context, used: set[str]) -> str | None:
    """The name for a parameter like `company` or `contact_name`: one said right after a
    word of the parameter's ("contact Jane Doe"), else the first name not used yet."""
    names = [
        candidate
        for candidate in name_candidates(ctx.clause, ctx.vocabulary)
        if candidate not in used and not mentioned_entities(candidate, ctx.entities)
    ]
    cues = set(words(split_identifier(param.name))) - {"name"}
    if cues & {"contact", "author", "customer", "person"}:
        cues |= {"by", "from", "named", "called"}
    lowered = ctx.clause.lower()
    for candidate in names:
        at = lowered.find(candidate.lower())
        before = words(lowered[max(0, at - 24) : at])[-2:]
        if cues & set(before):
            return candidate
    unclaimed = [n for n in names if not _cued_elsewhere(n, lowered, cues)]
    return unclaimed[0] if unclaimed else None


def _cued_elsewhere(candidate: str, lowered: str, cues: set[str]) -> bool:
    """Whether the name is introduced by a word naming some other field ("contact ...")."""
    at = lowered.find(candidate.lower())
    before = words(lowered[max(0, at - 24) : at])[-1:]
    return bool(set(before) & (_NAME_CUES - cues))


def _fill_text(found: list[Param], profile: Profile, ctx: Context, filled: Filled) -> None:
    used_names: set[str] = set()
    for param in found:
        if param.name in filled.input or param.type != "string" or param.enum:
            continue
        name = param.name.lower()
        value: str | None = None
        if "email" in name:
            match = _EMAIL.search(ctx.clause)
            value = match.group(0) if match else None
        elif "phone" in name or "mobile" in name:
            match = _PHONE.search(ctx.clause)
            value = match.group(0).strip() if match else None
        elif name in _FREE_TEXT:
            quoted = re.search(r"[\"“']([^\"”']{2,})[\"”']", ctx.clause)
            if name in {"question", "prompt", "message"}:
                value = ctx.question
            elif quoted:
                value = quoted.group(1)
            elif param.required:
                value = " ".join(w for w in words(ctx.clause) if w not in STOPWORDS)
        elif name in _NOTE_TEXT and (param.required or profile.writes):
            # What follows "note:", "because" or "saying"; the whole request only when the
            # tool cannot do without a text.
            said = re.search(
                r"(?:\bnotes?:|\bbecause\b|\bsaying\b|\breason:)\s*(.+)", ctx.clause, re.I
            )
            value = said.group(1).strip() if said else ctx.clause if param.required else None
        elif name.endswith("name") or name in _PROPER_NOUNS:
            value = _pick_name(param, ctx, used_names)
            if value is not None:
                used_names.add(value)
        if value is None:
            continue
        max_length = param.schema.get("maxLength")
        if isinstance(max_length, int):
            value = value[:max_length]
        if not errors(value, param.schema, param.schema):
            filled.input[param.name] = value


def _fill_flags(found: list[Param], ctx: Context, filled: Filled) -> None:
    stems = {stem(w) for w in words(ctx.clause)}
    for param in found:
        if param.name in filled.input or param.type != "boolean":
            continue
        parts = [
            p for p in words(split_identifier(param.name)) if p not in {"is", "only", "include"}
        ]
        if parts and all(stem(p) in stems for p in parts):
            filled.input[param.name] = True


def fallback(param: Param, today: date) -> Any:
    """A value a required parameter accepts when the question says nothing about it."""
    schema = param.schema
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if param.enum:
        return param.enum[0]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    kind = param.type
    if param.format == "date":
        return (today - timedelta(days=1)).isoformat()
    if param.format == "date-time":
        return f"{(today - timedelta(days=1)).isoformat()}T00:00:00Z"
    if kind in ("integer", "number"):
        low = schema.get("minimum")
        value = low if isinstance(low, int | float) else 1
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if kind == "string":
        return "x" * max(1, int(schema.get("minLength", 1)))
    return None


def fill(profile: Profile, ctx: Context) -> Filled:
    """The tool's input for this part of the question. A result with `problems` has no
    input the tool would accept; one with `needs` waits for a list to be looked up."""
    filled = Filled()
    found = profile.params
    _fill_dates(found, ctx, filled)
    _fill_ids(found, profile, ctx, filled)
    _fill_enums(found, ctx, filled)
    _fill_numbers(found, ctx, filled)
    _fill_text(found, profile, ctx, filled)
    _fill_flags(found, ctx, filled)
    if filled.needs is not None or filled.problems:
        return filled
    for param in found:
        if param.required and param.name not in filled.input:
            filled.input[param.name] = fallback(param, ctx.today)
    schema = profile.tool.input_schema or {}
    for problem in errors(filled.input, schema, schema):
        # Drop optional values the schema refuses rather than send a call that fails.
        key = problem.split(":", 1)[0].removeprefix("input.").split(".", 1)[0].split("[", 1)[0]
        if key in filled.input and not any(p.name == key and p.required for p in found):
            del filled.input[key]
    for problem in errors(filled.input, schema, schema):
        key = problem.split(":", 1)[0].removeprefix("input.").split(".", 1)[0].split("[", 1)[0]
        filled.problems.append(key.replace("_", " ") if key != "input" else "its input")
    return filled
