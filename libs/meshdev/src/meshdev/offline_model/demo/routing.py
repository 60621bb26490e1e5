"""Which tools a question is about: its words scored against each tool's name, description
and parameters, rare words counting more than words every tool mentions."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from meshdev.offline_model.demo.knowledge import VERBS, agent_of, short_name
from meshdev.offline_model.demo.schema import Param, params
from meshdev.offline_model.demo.text import (
    DATE_WORDS,
    STOPWORDS,
    concepts,
    split_identifier,
    words,
)
from meshdev.offline_model.protocol import ToolIn

#: How much a word counts, by where the tool mentions it.
NAME_WEIGHT = 3.0
SUMMARY_WEIGHT = 2.0
DESCRIPTION_WEIGHT = 1.0
PARAM_WEIGHT = 1.0
PARAM_DESCRIPTION_WEIGHT = 0.5
AGENT_WEIGHT = 1.5

#: How much an agent's free-text `ask` operation counts against its specific operations.
ASK_DISCOUNT = 0.4

#: Synonym groups that say what kind of answer is wanted rather than what it is about.
HOW_NOT_WHAT = frozenset(
    {"list", "summary", "compare", "top", "decline", "growth", "trend", "daily"}
)

#: How much a tool counts when it matches how a question is asked but not its subject.
OFF_SUBJECT = 0.25

# A number said with a unit: "1-star", "5 stars", "40 people".
_QUANTITY = re.compile(r"\b\d+\s*-?\s*([a-z]+)")
_QUANTITY_GROUPS = {"stars", "covers"}

#: A tool is chosen only when the question matches it at least this well.
THRESHOLD = 2.0

# A new clause starts at sentence ends, semicolons, ", and", ", but", and at "and" or
# "also" followed by a new question ("... and are the reviews getting worse?").
_CLAUSE_BREAK = re.compile(
    r"[?!;]+|\.\s+|,\s*(?:and|but|also|plus)\s+|\s+(?:and\s+also|also|and\s+then)\s+"
    r"|\s+and\s+(?=(?:are|is|was|were|how|what|which|who|why|did|do|does|has|have|can|"
    r"could|should|will|show|list|give|tell|compare|get)\b)",
    re.IGNORECASE,
)


#: A question as routing reads it: the concepts of each of its words.
Said = list[frozenset[str]]


@dataclass
class Profile:
    """A tool as routing sees it."""

    tool: ToolIn
    name: str
    agent: str | None
    verb: str
    params: list[Param]
    weights: dict[str, float] = field(default_factory=dict)
    #: What its parameters mention: the only match for a quantity ("1-star").
    param_weights: dict[str, float] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)

    @property
    def writes(self) -> bool:
        return self.verb in {"create", "update", "delete", "draft", "add", "set", "record"}


def _summary_and_body(description: str) -> tuple[str, str]:
    parts = description.strip().split("\n\n", 1)
    if len(parts) == 2:
        return parts[0], parts[1]
    sentences = re.split(r"(?<=[.!?])\s+", description.strip(), maxsplit=1)
    return sentences[0], sentences[1] if len(sentences) > 1 else ""


def _add(weights: dict[str, float], text: str, weight: float) -> None:
    # Quoted example questions are kept (they say what the tool is for); `backticked`
    # values are ids and names, not subjects.
    for word in words(re.sub(r"`[^`]*`", " ", text)):
        if word in STOPWORDS or len(word) < 2:
            continue
        for concept in concepts(word):
            if weights.get(concept, 0.0) < weight:
                weights[concept] = weight


def profile(tool: ToolIn) -> Profile:
    own = short_name(tool.name)
    name_words = words(split_identifier(own))
    verb = name_words[0] if name_words and name_words[0] in VERBS else ""
    tool_params = params(tool.input_schema or {})
    result = Profile(tool, tool.name, agent_of(tool.name), verb, tool_params)
    summary, body = _summary_and_body(tool.description or "")
    for param in tool_params:
        for weights in (result.weights, result.param_weights):
            _add(weights, param.description, PARAM_DESCRIPTION_WEIGHT)
            _add(weights, split_identifier(param.name), PARAM_WEIGHT)
            for value in param.enum or []:
                if isinstance(value, str):
                    _add(weights, split_identifier(value), PARAM_WEIGHT)
    _add(result.weights, body, DESCRIPTION_WEIGHT)
    _add(result.weights, summary, SUMMARY_WEIGHT)
    if result.agent:
        _add(result.weights, split_identifier(result.agent), AGENT_WEIGHT)
    _add(result.weights, " ".join(name_words), NAME_WEIGHT)
    for word in name_words:
        result.names |= concepts(word)
    return result


class Router:
    def __init__(self, tools: list[ToolIn]) -> None:
        self.profiles = [profile(tool) for tool in tools if tool.is_custom]
        count = len(self.profiles)
        frequency: dict[str, int] = {}
        for item in self.profiles:
            for concept in item.weights:
                frequency[concept] = frequency.get(concept, 0) + 1
        self.idf = {concept: math.log(1 + count / seen) for concept, seen in frequency.items()}
        self._topical: dict[str, bool] = {}

    def question_words(self, text: str, ignore: frozenset[str] = frozenset()) -> Said:
        """The concepts of each meaningful word of a question, each word once. Words in
        `ignore` (the names of things) say which, not what, and choose no tool."""
        # Dates say when, never what: they fill arguments but choose no tool either.
        found = [
            concepts(word)
            for word in words(text)
            if word not in STOPWORDS
            and word not in DATE_WORDS
            and word not in ignore
            and not word.isdigit()
            and len(word) >= 2
        ]
        if any(group & {"decline", "growth"} for group in found):
            # "Which site dipped?" asks for a comparison with before, even unsaid.
            found.append(frozenset({"compare"}))
        return list(dict.fromkeys(found))

    def quantities(self, text: str) -> frozenset[str]:
        """Concepts said only as a quantity ("1-star reviews", "for 40 people"): they
        filter a tool's results, so only a tool's parameters can match them."""
        counted = {
            concept
            for match in _QUANTITY.finditer(text.lower())
            for concept in concepts(match.group(1))
        }
        if not counted & _QUANTITY_GROUPS:
            return frozenset()
        other = {
            concept
            for word in words(_QUANTITY.sub(" ", text.lower()))
            if word not in STOPWORDS
            for concept in concepts(word)
        }
        return frozenset(counted - other)

    def word_value(self, item: Profile, group: frozenset[str], quantities: frozenset[str]) -> float:
        """What one word contributes: its best-matching sense, so a word counts once
        however many of its synonyms the tool happens to use."""
        best = 0.0
        for concept in group:
            source = item.param_weights if concept in quantities else item.weights
            weight = source.get(concept)
            if weight:
                best = max(best, weight * self.idf.get(concept, 0.0))
        return best

    def score(self, item: Profile, said: Said, quantities: frozenset[str] = frozenset()) -> float:
        """How well a tool fits: subject words first. A tool about something else scores
        little, however well it matches how the question is asked ("reviews getting worse"
        is not for a sales comparison)."""
        subject = manner = 0.0
        for group in said:
            value = self.word_value(item, group, quantities)
            if self.names_subject(group):
                subject += value
            else:
                manner += value
        asks_subject = any(self.names_subject(group) for group in said)
        total = subject + manner if subject or not asks_subject else manner * OFF_SUBJECT
        if item.verb == "ask":
            # An agent's own `ask` is the fallback for open questions; a specific
            # operation that matches is the better call, as its description says.
            total *= ASK_DISCOUNT
        return total

    def ranked(
        self, said: Said, quantities: frozenset[str] = frozenset()
    ) -> list[tuple[float, Profile]]:
        scored = [(self.score(item, said, quantities), item) for item in self.profiles]
        # On a tie the general tool (a summary) answers best; then the one listed first.
        return sorted(
            (pair for pair in scored if pair[0] > 0),
            key=lambda pair: (-round(pair[0], 6), "summary" not in pair[1].names),
        )

    def topical(self, concept: str) -> bool:
        """Whether a concept is a subject some tool is about, not a date, a filler word, or
        a kind of operation ("which", "compare", "drop" say how to ask, not what about)."""
        known = self._topical.get(concept)
        if known is None:
            manner = concept in DATE_WORDS or bool(({concept} | concepts(concept)) & HOW_NOT_WHAT)
            known = not manner and any(
                item.weights.get(concept, 0.0) >= SUMMARY_WEIGHT for item in self.profiles
            )
            self._topical[concept] = known
        return known

    def names_subject(self, group: frozenset[str]) -> bool:
        return any(self.topical(concept) for concept in group)

    def has_subject(self, text: str, ignore: frozenset[str] = frozenset()) -> bool:
        """Whether a clause names something to look up, not just "by how much"."""
        return any(self.names_subject(group) for group in self.question_words(text, ignore))

    def choose(
        self, text: str, *, ignore: frozenset[str] = frozenset(), limit: int = 3
    ) -> list[Profile]:
        """The tools one clause asks for: the best match, then tools for the subjects it
        leaves out ("sales and reviews" → a sales tool and a review tool)."""
        said = self.question_words(text, ignore)
        quantities = self.quantities(text)
        manner = [group for group in said if not self.names_subject(group)]
        uncovered = [group for group in said if self.names_subject(group)]
        chosen: list[Profile] = []
        while len(chosen) < limit:
            wanted = said if not chosen else uncovered + manner
            ranked = [p for p in self.ranked(wanted, quantities) if p[1] not in chosen]
            if not ranked or ranked[0][0] < THRESHOLD:
                break
            best = ranked[0][1]
            if chosen and not any(
                best.weights.get(c, 0.0) >= SUMMARY_WEIGHT and self.topical(c)
                for group in uncovered
                for c in group
            ):
                break
            chosen.append(best)
            uncovered = [
                group
                for group in uncovered
                if not any(best.weights.get(c, 0.0) >= DESCRIPTION_WEIGHT for c in group)
            ]
            if not uncovered:
                break
        return chosen


def clauses(text: str) -> list[str]:
    parts = [part.strip(" ,.") for part in _CLAUSE_BREAK.split(text)]
    return [part for part in parts if part]
