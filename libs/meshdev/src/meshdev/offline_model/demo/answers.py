"""Final answers written from tool results: the figures that matter, in plain English.

Nothing here knows our operations. It reads JSON by convention: `*_cents` is money,
`*_pct` a percentage, `{previous, current, change_pct}` a change, a list of objects with a
name and a change is a ranking whose extremes are worth naming, a list with dates a series.
Figures the question asked about come first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, TypeGuard

from meshdev.offline_model.demo.dates import Period, label
from meshdev.offline_model.demo.knowledge import Entity, ToolCall, agent_of, noun_of, short_name
from meshdev.offline_model.demo.text import concepts, words
from meshdev.offline_model.protocol import ToolIn

MARKER = "(offline model)"
MINUS = "\u2212"
OPEN_QUOTE, CLOSE_QUOTE = "\u201c", "\u201d"

_MONEY_WORDS = {"revenue", "sales", "ticket", "amount", "price", "value", "budget", "spend", "cost"}
_LABEL_KEYS = (
    "name",
    "title",
    "display_name",
    "label",
    "company",
    "item_name",
    "location_name",
    "theme",
    "topic",
    "category",
    "stage",
)
_TEXT_KEYS = ("answer", "summary", "text", "draft", "reply", "message", "quote", "comment", "body")
_QUOTE_LISTS = ("quotes", "examples", "samples", "excerpts")
_DATE_KEYS = ("day", "date", "week", "week_start", "month", "start")
_GENERIC = {"items", "data", "results", "records", "rows", "entries", "points", "values"}
_SKIP = {"currency", "id", "next_cursor", "cursor", "model", "stop_reason", "rounds", "usage"}
_COUNT_WORDS = {"count", "quantity", "mentions", "units", "orders", "covers", "total"}


def euros(cents: float, symbol: str = "€") -> str:
    value = cents / 100
    sign = "-" if value < 0 else ""
    if abs(value) >= 100:
        return f"{sign}{symbol}{abs(value):,.0f}"
    return f"{sign}{symbol}{abs(value):,.2f}"


def signed_pct(value: float) -> str:
    sign = "+" if value > 0 else MINUS if value < 0 else "\u00b1"
    return f"{sign}{abs(value):.1f}%"


def humanise(key: str) -> str:
    key = re.sub(r"_(cents|pct|percent|id)$", "", key)
    return key.replace("_", " ").strip()


def _day(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return f"{day:%a} {day.day} {day:%b}"


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_change(value: object) -> bool:
    return isinstance(value, dict) and {"previous", "current"} <= set(value)


def _all_keys(value: Any, into: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            into.add(str(key))
            _all_keys(item, into)
    elif isinstance(value, list):
        for item in value[:5]:
            _all_keys(item, into)
    return into


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _label_key(item: dict[str, Any]) -> str | None:
    """The field that names a row: a name or title, a date, an id, else its first column."""
    for key in _LABEL_KEYS:
        if isinstance(item.get(key), str) and item[key]:
            return key
    for key, value in item.items():
        if key.endswith("_name") and isinstance(value, str) and value:
            return key
    for key in _DATE_KEYS:
        if _day(item.get(key)):
            return key
    for key, value in item.items():
        if (key == "id" or key.endswith("_id")) and isinstance(value, str | int) and value != "":
            return key
    for key, value in item.items():
        if isinstance(value, str) and 0 < len(value) <= 60:
            return key
    # A row of a table ({"stars": 1, "count": 4}) is named by its first column.
    return next((key for key, value in item.items() if _is_number(value)), None)


def _label(item: dict[str, Any]) -> str:
    key = _label_key(item)
    if key is None:
        return "an entry"
    value = item[key]
    if key in _DATE_KEYS and _day(value):
        return str(_day(value))
    if _is_number(value):
        return f"{humanise(key)} {value}"
    return str(value)


def _quote(item: dict[str, Any]) -> str | None:
    for key in _TEXT_KEYS:
        value = item.get(key)
        if isinstance(value, str) and len(value) > 15:
            return value
    for key in _QUOTE_LISTS:
        value = item.get(key)
        if isinstance(value, list) and value and isinstance(value[0], str):
            return value[0]
    return None


class _Writer:
    def __init__(self, data: Any, symbol: str, focus: set[str]) -> None:
        self.keys = _all_keys(data, set())
        self.symbol = symbol
        self.focus = focus

    def asked(self, key: str) -> bool:
        return any(concepts(word) & self.focus for word in words(humanise(key)))

    def is_money(self, key: str) -> bool:
        base = humanise(key).replace(" ", "_")
        return (
            key.endswith("_cents")
            or f"{base}_cents" in self.keys
            or any(word in _MONEY_WORDS for word in base.split("_"))
        )

    def primary(self, keys: Iterable[str]) -> str | None:
        """The figure a list or series is best told by."""
        ordered = list(keys)
        for test in (
            self.asked,
            self.is_money,
            lambda k: any(w in k for w in ("rating", "stars", "average", "score")),
            lambda k: any(w in k for w in _COUNT_WORDS),
        ):
            found = next((key for key in ordered if test(key)), None)
            if found:
                return found
        return ordered[0] if ordered else None

    def number(self, key: str, value: float) -> str:
        name = humanise(key)
        if key.endswith("_cents") or (self.is_money(key) and isinstance(value, int)):
            return f"{name} {euros(value, self.symbol)}"
        if key.endswith(("_pct", "percent", "_percentage")):
            return f"{name} {value:.1f}%"
        if "share" in key or (key.endswith(("_ratio", "_rate")) and 0 <= value <= 1):
            return f"{name} {value * 100:.1f}%"
        if any(word in key for word in ("rating", "stars", "score")):
            return f"{name} {value:.1f}" if isinstance(value, float) else f"{name} {value}"
        if isinstance(value, float) and not value.is_integer():
            return f"{name} {value:,.1f}"
        if key == "count":
            return f"count {int(value):,}"
        for unit in ("days", "hours", "minutes", "weeks"):
            if key.endswith(f"_{unit}"):
                base = humanise(key.removesuffix(f"_{unit}"))
                return f"{base} {int(value):,} {unit if value != 1 else unit[:-1]}"
        if key == "quantity":
            return f"{int(value):,} sold"
        if key.endswith("_count"):
            noun = name.removesuffix(" count")
            return f"{int(value):,} {noun if noun.endswith('s') else noun + 's'}"
        return f"{int(value):,} {name}"

    def amounts(self, key: str, value: dict[str, Any]) -> str:
        """`€10,089 against €12,345` for a change object."""
        money = self.is_money(key)

        def show(amount: object) -> str:
            if not _is_number(amount):
                return str(amount)
            if money:
                return euros(amount, self.symbol)
            return f"{amount:,.1f}" if isinstance(amount, float) else f"{amount:,}"

        return f"{show(value.get('current'))} against {show(value.get('previous'))}"

    def change(self, key: str, value: dict[str, Any]) -> str:
        pct = value.get("change_pct")
        trend = f" ({signed_pct(pct)})" if _is_number(pct) else ""
        return f"{humanise(key)} {self.amounts(key, value)}{trend}"

    def ordered(self, keys: Iterable[str]) -> list[str]:
        return sorted(keys, key=lambda k: (not self.asked(k), not self.is_money(k)))

    def scalars(self, data: dict[str, Any]) -> list[str]:
        numbers = [k for k, v in data.items() if _is_number(v) and k not in _SKIP]
        return [self.number(key, data[key]) for key in self.ordered(numbers)]

    def dated(self, key: str, value: dict[str, Any]) -> str | None:
        when = next((_day(value.get(k)) for k in _DATE_KEYS if _day(value.get(k))), None)
        if when is None:
            return None
        amounts = [self.number(k, v) for k, v in value.items() if _is_number(v)]
        detail = f" ({', '.join(amounts[:2])})" if amounts else ""
        return f"{humanise(key)} {when}{detail}"

    def ranking(self, key: str, items: list[dict[str, Any]], noun: str) -> str | None:
        change_keys = [k for k, v in items[0].items() if _is_change(v)]
        metric = self.primary(self.ordered(change_keys))
        if metric is None:
            return None
        rows = [
            (float(item[metric]["change_pct"]), _label(item), item[metric])
            for item in items
            if isinstance(item.get(metric), dict) and _is_number(item[metric].get("change_pct"))
        ]
        if not rows:
            return None
        rows.sort(key=lambda row: row[0])
        where = humanise(key) if key not in _GENERIC else noun
        low, high = rows[0], rows[-1]
        what = humanise(metric)
        if low[0] < 0:
            parts = [
                f"the largest fall in {what} was {low[1]} ({signed_pct(low[0])}, "
                f"{self.amounts(metric, low[2])})"
            ]
        else:
            parts = [f"{what} rose everywhere; least at {low[1]} ({signed_pct(low[0])})"]
        if high[0] > 0 and high is not low:
            parts.append(
                f"the largest rise was {high[1]} ({signed_pct(high[0])}, "
                f"{self.amounts(metric, high[2])})"
            )
        elif high[0] <= 0 and len(rows) > 1:
            parts.append(f"even the best, {high[1]}, changed by {signed_pct(high[0])}")
        return f"{where.capitalize()}: " + "; ".join(parts)

    def series(self, key: str, items: list[dict[str, Any]], noun: str) -> str | None:
        date_key = next((k for k in _DATE_KEYS if _day(items[0].get(k))), None)
        if date_key is None:
            return None
        metric = self.primary(k for k, v in items[0].items() if _is_number(v))
        if metric is None:
            return None
        points = [item for item in items if _is_number(item.get(metric))]
        if not points:
            return None
        where = humanise(key) if key not in _GENERIC else noun
        if len(points) == 1:
            only = points[0]
            figure = self.number(metric, only[metric])
            return f"{where.capitalize()}: {_day(only[date_key])} ({figure})"
        best = max(points, key=lambda item: float(item[metric]))
        worst = min(points, key=lambda item: float(item[metric]))
        unit = (
            "days" if date_key in ("day", "date") else "weeks" if "week" in date_key else "points"
        )
        text = (
            f"{where.capitalize()} over {len(points)} {unit}: highest {_day(best[date_key])} "
            f"({self.number(metric, best[metric])}), lowest {_day(worst[date_key])} "
            f"({self.number(metric, worst[metric])})"
        )
        if "average" not in metric:
            # An average of averages means nothing, so only plain figures get one.
            mean = sum(float(item[metric]) for item in points) / len(points)
            typical = round(mean) if isinstance(best[metric], int) else mean
            text += f", on average {self.number(metric, typical)}"
        return text

    def leaders(self, key: str, items: list[dict[str, Any]], noun: str) -> str | None:
        sample = items[0]
        numbers = [k for k, v in sample.items() if _is_number(v)]
        nested = next((k for k, v in sample.items() if isinstance(v, dict)), None)
        where = humanise(key) if key not in _GENERIC else noun
        shown: list[str] = []
        named_by = _label_key(sample)
        numbers = [k for k in numbers if k != named_by]
        if numbers:
            metric = self.primary(k for k in numbers if "share" not in k) or numbers[0]
            extra = next((k for k in numbers if k != metric and ("share" in k or "pct" in k)), None)
            for item in items[:5]:
                figures = (
                    [self.number(metric, item[metric])] if _is_number(item.get(metric)) else []
                )
                if extra and _is_number(item.get(extra)):
                    figures.append(self.number(extra, item[extra]))
                shown.append(f"{_label(item)} ({', '.join(figures)})" if figures else _label(item))
        elif nested and _is_change(sample[nested]):
            for item in items[:5]:
                if _is_change(item.get(nested)):
                    shown.append(f"{_label(item)} ({self.change(nested, item[nested])})")
        elif nested:
            inner = self.primary(k for k, v in sample[nested].items() if _is_number(v))
            if inner is None:
                return None
            for item in items[:5]:
                values = item.get(nested)
                if isinstance(values, dict) and _is_number(values.get(inner)):
                    shown.append(f"{_label(item)} ({self.number(inner, values[inner])})")
        if not shown:
            return None
        more = f" and {len(items) - 5} more" if len(items) > 5 else ""
        quote = _quote(sample)
        quoted = f"; for example {OPEN_QUOTE}{_shorten(quote, 110)}{CLOSE_QUOTE}" if quote else ""
        return f"{where.capitalize()}: {', '.join(shown)}{more}{quoted}"

    def names(self, key: str, items: list[Any], noun: str) -> str:
        where = humanise(key) if key not in _GENERIC else noun
        labels = [_label(item) if isinstance(item, dict) else str(item) for item in items]
        more = f" and {len(labels) - 8} more" if len(labels) > 8 else ""
        quotes = [q for item in items[:2] if isinstance(item, dict) for q in [_quote(item)] if q]
        quoted = "".join(f" {OPEN_QUOTE}{_shorten(q, 110)}{CLOSE_QUOTE}" for q in quotes)
        return f"{len(labels)} {where}: {', '.join(labels[:8])}{more}{quoted}"

    def list(self, key: str, items: list[Any], noun: str) -> str | None:
        if not items:
            return f"no {humanise(key) if key not in _GENERIC else noun}"
        if not all(isinstance(item, dict) for item in items):
            return self.names(key, items, noun)
        if any(isinstance(v, dict | list) for v in items[0].values()) or any(
            _is_number(v) for v in items[0].values()
        ):
            return (
                self.ranking(key, items, noun)
                or self.series(key, items, noun)
                or self.leaders(key, items, noun)
                or self.names(key, items, noun)
            )
        return self.names(key, items, noun)


def describe_data(data: Any, noun: str, focus: set[str] | None = None) -> list[str]:
    """Sentences stating what a JSON result says, the asked-about figures first."""
    symbol = "€"
    if isinstance(data, dict) and isinstance(data.get("currency"), str):
        symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(data["currency"], "€")
    writer = _Writer(data, symbol, focus or set())
    if isinstance(data, list):
        line = writer.list("items", data, noun)
        return [line] if line else []
    if not isinstance(data, dict):
        return [str(data)]
    sentences: list[str] = []
    for key in _TEXT_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            sentences.append(_shorten(value.removeprefix(MARKER).strip(), 700))
    changes = [
        writer.change(k, data[k])
        for k in writer.ordered(k for k, v in data.items() if _is_change(v))
    ]
    if changes:
        sentences.append("; ".join(changes))
    totals = data.get("totals")
    facts = writer.scalars(totals) if isinstance(totals, dict) else []
    if not changes:
        facts += writer.scalars(data)
    facts += [
        f"{humanise(key)} {value}"
        for key, value in data.items()
        if isinstance(value, str)
        and key not in _SKIP
        and key not in _TEXT_KEYS
        # Ids and the names that go with them are in the heading already.
        and not key.endswith(("_id", "_name"))
        and _day(value) is None
        and 0 < len(value) <= 80
    ]
    if facts:
        sentences.append(", ".join(facts))
    for key, value in data.items():
        if key in ("totals", "current", "previous") and changes:
            continue
        if isinstance(value, dict) and not _is_change(value) and key != "totals":
            line = writer.dated(key, value)
            if line is None and all(
                isinstance(v, int | float | str | None) for v in value.values()
            ):
                inner = writer.scalars(value)
                line = f"{humanise(key)}: {', '.join(inner)}" if inner else None
            if line:
                sentences.append(line)
        elif isinstance(value, list) and key not in _SKIP:
            line = writer.list(key, value, noun)
            if line:
                sentences.append(line)
    return sentences


def scope(call: ToolCall, entities: list[Entity], periods: list[Period]) -> str:
    """` (Riverside, 16-22 Nov 2026)`: what a call was limited to."""
    parts = []
    for key, value in call.input.items():
        if (key == "id" or key.endswith("_id")) and isinstance(value, str | int):
            entity = next((e for e in entities if e.id == str(value) and e.name), None)
            parts.append(entity.name if entity and entity.name else str(value))
    if len(periods) == 2:
        parts.append(f"{label(periods[0])} against {label(periods[1])}")
    elif periods:
        parts.append(label(periods[0]))
    return f" ({', '.join(parts)})" if parts else ""


def title_of(tool: ToolIn | None, name: str) -> str:
    if tool is not None and tool.description:
        first = re.split(r"(?<=[.!?])\s+|\n", tool.description.strip(), maxsplit=1)[0]
        first = first.rstrip(".")
        if 3 <= len(first) <= 80:
            return first
    return humanise(short_name(name)).capitalize()


def area_of(name: str) -> str:
    """What a failed tool was for, as a person would say it: "the review data"."""
    agent = agent_of(name)
    if agent:
        base = agent.removesuffix("-agent").removesuffix("_agent").removesuffix("s")
        return f"the {base} data"
    return f"the {noun_of(name) or humanise(name)} data"


_BOUNDS = ("start", "from", "since", "end", "to", "until")


def periods_of(call: ToolCall) -> list[Period]:
    """The date ranges a call's input names, the current one first."""
    found: dict[str, dict[str, date]] = {}
    for key, value in call.input.items():
        if not isinstance(value, str):
            continue
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            continue
        parts = key.split("_")
        role = next((p for p in parts if p in _BOUNDS), None)
        if role is None:
            continue
        group = "_".join(p for p in parts if p not in (*_BOUNDS, "date"))
        slot = "start" if role in ("start", "from", "since") else "end"
        found.setdefault(group, {})[slot] = day
    periods = []
    for group in sorted(found, key=lambda g: (any(w in g for w in ("previous", "prior")), g)):
        bounds = found[group]
        if "start" in bounds and "end" in bounds:
            periods.append(Period(bounds["start"], bounds["end"], "span"))
    return periods


def describe_call(
    call: ToolCall, tool: ToolIn | None, entities: list[Entity], focus: set[str]
) -> str:
    if call.failed:
        message = call.error_message().rstrip()
        ending = "" if message.endswith((".", "!", "?")) else "."
        return f"I couldn't reach {area_of(call.name)}: {message}{ending}"
    heading = f"{title_of(tool, call.name)}{scope(call, entities, periods_of(call))}"
    data = call.data
    if data is None:
        text = call.text.strip()
        if not text:
            return f"{heading}: the tool returned nothing."
        return f"{heading}: {_shorten(text, 400)}"
    sentences = describe_data(data, noun_of(call.name) or "results", focus)
    if not sentences:
        return f"{heading}: nothing to report."
    body = ""
    for sentence in sentences:
        if not sentence:
            continue
        if body:
            body += " " if body.endswith((".", "!", "?", "\u2026")) else ". "
        body += sentence[0].upper() + sentence[1:]
    ending = "" if body.endswith((".", "!", "?", "\u2026")) else "."
    return f"{heading}: {body}{ending}"


def final_answer(
    calls: list[ToolCall],
    tools: dict[str, ToolIn],
    entities: list[Entity],
    notes: list[str],
    question: str = "",
) -> str:
    """The reply after the tools have answered."""
    focus = {c for word in words(question) for c in concepts(word)}
    answered = [call for call in calls if not call.failed]
    # A list fetched to find an id, then followed by the call that used it, is not what
    # the user asked about.
    shown = [
        call
        for call in calls
        if not (
            call in answered
            and short_name(call.name).startswith("list_")
            and any(other.turn > call.turn for other in answered)
        )
    ]
    paragraphs = [describe_call(call, tools.get(call.name), entities, focus) for call in shown]
    paragraphs.extend(notes)
    if not paragraphs:
        paragraphs = ["I have no results to report."]
    paragraphs[0] = f"{MARKER} {paragraphs[0]}"
    return "\n\n".join(paragraphs)
