"""Demo mode's turn: call the tools the question needs, or answer from their results."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from meshdev.offline_model.checks import Turn
from meshdev.offline_model.demo import answers, briefing, dates, knowledge
from meshdev.offline_model.demo.arguments import (
    Context,
    Filled,
    fallback,
    fill,
    mentioned_entities,
    name_candidates,
)
from meshdev.offline_model.demo.dates import Period
from meshdev.offline_model.demo.knowledge import Conversation, Entity, noun_of, singular
from meshdev.offline_model.demo.routing import Profile, Router, clauses
from meshdev.offline_model.demo.text import (
    DATE_WORDS,
    STOPWORDS,
    SYNONYMS,
    split_identifier,
    without_examples,
    words,
)
from meshdev.offline_model.protocol import MessagesRequest, ToolIn

MARKER = answers.MARKER
#: Rounds of tool calls for one question before demo mode answers with what it has.
MAX_ROUNDS = 4

_IDENTITY = re.compile(
    r"\b(?:who|what)\s+(?:are|r)\s+(?:you|u)\b|\bare\s+you\s+(?:claude|an?\s+(?:ai|bot|llm|model)"
    r"|a\s+human|real|the\s+offline)|\b(?:which|what)\s+(?:language\s+)?model\b|\byour\s+name\b"
    r"|\bintroduce\s+yourself\b|\bwho\s+am\s+i\s+(?:talking|speaking)\s+to\b",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening))\b[\s\w]{0,12}[!.?]*\s*$",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"^\s*(?:thanks|thank\s+you|cheers|great|perfect|ok|okay|cool|got\s+it)\b[\s\w,]{0,20}"
    r"[!.]*\s*$",
    re.IGNORECASE,
)
_FOLLOW_UP_CUE = re.compile(
    r"^\s*(?:and|what\s+about|how\s+about|same\s+for|now\s+for|then|also|ok\s+and)\b",
    re.IGNORECASE,
)
# "the week before", "before that": a period relative to the one asked about last.
_RELATIVE = re.compile(
    r"\b(?:the\s+)?(?:day|week|weekend|month|quarter|year)\s+before\b|\bbefore\s+that\b"
    r"|\bthe\s+previous\s+(?:day|week|month|quarter|year)\b|\bthe\s+one\s+before\b",
    re.IGNORECASE,
)
_HELP = re.compile(
    r"^\s*(?:help|/help|/start)\s*$|\bwhat\s+can\s+(?:you|i)\s+(?:do|ask)\b|\bhow\s+do\s+i\s+use\b",
    re.IGNORECASE,
)
# The gateway's note after a change the user approved: "[The user approved this change:
# <summary>. It was made. Result: {...}] Tell the user briefly what happened."
_DECISION_NOTE = re.compile(
    r"^\s*\[The user approved this change: (?P<summary>.+?)\. It (?P<outcome>was made|failed)\.",
    re.DOTALL,
)
_TODAY_IN_PROMPT = re.compile(
    r"\b(?:today(?:'s\s+date)?|the\s+current\s+date|current\s+date)\s*(?:is|:)\s*"
    r"(?:[A-Za-z]+,?\s+)?(\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)


@dataclass
class ToolCallOut:
    name: str
    input: dict[str, Any]


@dataclass
class DemoReply:
    parts: list[str | ToolCallOut] = field(default_factory=list)

    @property
    def calls_tools(self) -> bool:
        return any(isinstance(part, ToolCallOut) for part in self.parts)


@dataclass
class Planned:
    profile: Profile
    filled: Filled
    #: Called to learn an id the question needs, not because it was asked for.
    lookup_for: str | None = None

    def key(self) -> tuple[str, str]:
        return self.profile.name, json.dumps(self.filled.input, sort_keys=True)


def today_for(request: MessagesRequest, default: date, pinned: bool) -> date:
    """The date a relative phrase counts from: the key's pinned date, else the date the
    system prompt states (as a real model would read it), else the server's."""
    if pinned:
        return default
    for block in request.system:
        match = _TODAY_IN_PROMPT.search(block.text)
        if match:
            try:
                return date.fromisoformat(match.group(1))
            except ValueError:
                continue
    return default


def _vocabulary(tools: list[ToolIn]) -> set[str]:
    found: set[str] = set()
    for tool in tools:
        found.update(words(split_identifier(tool.name)))
        found.update(words(without_examples(tool.description or "")))
        schema = tool.input_schema or {}
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for name, prop in properties.items():
                found.update(words(split_identifier(str(name))))
                if isinstance(prop, dict):
                    text = str(prop.get("description", ""))
                    found.update(words(without_examples(text)))
    for members in SYNONYMS.values():
        found.update(members)
    return found


def _listers(router: Router) -> dict[str, Profile]:
    found: dict[str, Profile] = {}
    for item in router.profiles:
        if item.verb != "list":
            continue
        noun = noun_of(item.name).split()
        if not noun:
            continue
        kind = singular(noun[-1])
        required = sum(1 for p in item.params if p.required)
        current = found.get(kind)
        if current is None or required < sum(1 for p in current.params if p.required):
            found[kind] = item
    return found


class Responder:
    def __init__(self, request: MessagesRequest, turns: list[Turn], today: date) -> None:
        self.request = request
        self.today = today
        self.tools = request.custom_tools
        self.by_name = {tool.name: tool for tool in self.tools}
        self.router = Router(self.tools)
        self.conversation: Conversation = knowledge.read(turns)
        self.entities: list[Entity] = knowledge.known_entities(self.conversation, self.tools)
        self.vocabulary = _vocabulary(self.tools)
        self.listers = _listers(self.router)
        self.called = {call.name for call in self.conversation.history}
        # What the calls for this question returned: "the latest review" is the first one.
        self.fresh = list(knowledge.history_entities(self.conversation.calls))
        self.notes: list[str] = []
        #: Tools the question is about whose input it does not give, with what is missing.
        self.unfillable: list[tuple[Profile, list[str]]] = []

    # -- planning ------------------------------------------------------------------------

    def _context(self, clause: str, question: str) -> Context:
        return Context(
            today=self.today,
            clause=clause,
            question=question,
            entities=self.entities,
            vocabulary=self.vocabulary,
            listers=self.listers,
            called=self.called,
            fresh=self.fresh,
        )

    def plan(self) -> list[Planned]:
        question = self.conversation.question
        parts: list[str] = []
        for clause in clauses(question) or [question]:
            # A fragment without a subject ("and by how much?") belongs to the clause before.
            if parts and not self.router.has_subject(clause, self.names_in(clause)):
                parts[-1] = f"{parts[-1]}, {clause}"
            else:
                parts.append(clause)
        chosen = [(clause, self.choose(clause)) for clause in parts]
        if any(item.writes for _, profiles in chosen for item in profiles):
            # A change is described in one go ("add a lead: ..., contact ..., budget ..."):
            # every part of the question fills the one call.
            chosen = [(question, self.choose(question))]
        if not any(tools for _, tools in chosen):
            # A follow-up ("and the week before?", "what about Old Town?") keeps the
            # subject and the period of the questions before it.
            combined = self.follow_up(question)
            if combined is not None:
                chosen = [(combined, self.choose(combined))]
                question = combined
        planned: list[Planned] = []
        for clause, profiles in chosen:
            for item in profiles:
                filled = fill(item, self._context(clause, question))
                if filled.problems:
                    self.unfillable.append((item, filled.problems))
                    continue
                if filled.needs is not None:
                    lookup = fill(filled.needs, self._context(clause, question))
                    if lookup.ready:
                        phrase = filled.looking_for or ""
                        planned.append(Planned(filled.needs, lookup, lookup_for=phrase))
                    continue
                if filled.unresolved:
                    kind = _kind_wanted(item)
                    self.notes.append(
                        f"I couldn't find {('a ' + kind) if kind else 'anything'} called "
                        f"“{filled.unresolved}”, so I left it out."
                    )
                planned.append(Planned(item, filled))
        unique: dict[tuple[str, str], Planned] = {}
        for call in planned:
            unique.setdefault(call.key(), call)
        return list(unique.values())

    def names_in(self, text: str) -> frozenset[str]:
        """The words of `text` that name things (Riverside, Acme Corp): which, not what."""
        named = mentioned_entities(text, self.entities)
        phrases = [f"{e.id} {e.name or ''}" for e in named]
        phrases += name_candidates(text, self.vocabulary)
        return frozenset(word for phrase in phrases for word in words(phrase))

    def choose(self, text: str) -> list[Profile]:
        return self.router.choose(text, ignore=self.names_in(text))

    def _period_after(self, text: str, known: Period | None) -> Period | None:
        if known is not None and _RELATIVE.search(text):
            return dates.previous_of(known)
        mentions = dates.find_periods(text, self.today)
        return mentions[0].period if mentions else known

    def is_follow_up(self, question: str) -> bool:
        """Whether a question leans on the one before ("And the week before?", "What about
        Old Town?", "Last month?") rather than asking something the tools cannot answer."""
        if _FOLLOW_UP_CUE.match(question):
            return True
        rest = _without_dates(question, self.today)
        said = [w for w in words(rest) if w not in STOPWORDS and w not in DATE_WORDS]
        named = {
            word for entity in self.entities for word in words(f"{entity.id} {entity.name or ''}")
        }
        if any(word not in named for word in said):
            return False
        # Nothing but a period or a name: the rest of the question is the earlier one's.
        return bool(said) or bool(dates.find_periods(question, self.today))

    def follow_up(self, question: str) -> str | None:
        """The question with what it leaves unsaid filled in from the ones before it."""
        if not self.is_follow_up(question):
            return None
        subject: str | None = None
        period: Period | None = None
        for earlier in self.conversation.earlier_questions:
            period = self._period_after(earlier, period)
            if self.router.has_subject(earlier, self.names_in(earlier)):
                subject = _without_dates(earlier, self.today)
        if subject is None:
            return None
        own = dates.find_periods(question, self.today)
        period = self._period_after(question, period)
        dated = f" from {period.start} to {period.end}" if period and not own else ""
        return f"{question}{dated} ({subject})"

    def pending(self) -> list[Planned]:
        """Planned calls not made yet. A tool already called for this question is not
        called again: its result stands (and a write must never repeat)."""
        made = {call.name for call in self.conversation.calls}
        return [item for item in self.plan() if item.profile.name not in made]

    # -- replies -------------------------------------------------------------------------

    def preamble(self, planned: list[Planned]) -> str:
        steps = []
        for item in planned:
            if item.lookup_for is not None:
                noun = noun_of(item.profile.name)
                target = f"\u201c{item.lookup_for}\u201d" if item.lookup_for else "the right one"
                steps.append(f"first the {noun}, to find {target}")
                continue
            title = answers.title_of(item.profile.tool, item.profile.name)
            call = knowledge.ToolCall("", item.profile.name, item.filled.input)
            scope = answers.scope(call, self.entities, answers.periods_of(call))
            steps.append(f"{title}{scope}")
        if all(item.profile.writes for item in planned):
            return f"{MARKER} I'll do that: {'; '.join(steps)}."
        return f"{MARKER} Let me look that up: {'; '.join(steps)}."

    def calls(self, planned: list[Planned], *, explain: bool) -> DemoReply:
        if self.request.tool_choice.disable_parallel_tool_use:
            planned = planned[:1]
        reply = DemoReply()
        if explain:
            reply.parts.append(self.preamble(planned))
        reply.parts.extend(ToolCallOut(p.profile.name, p.filled.input) for p in planned)
        return reply

    def forced(self, name: str | None) -> DemoReply:
        """tool_choice any/tool: a call is required even when nothing fits well."""
        question = self.conversation.question
        if name is None:
            planned = self.pending() or self.plan()
            if planned:
                return self.calls(planned, explain=False)
            ranked = self.router.ranked(self.router.question_words(question))
            candidates = [item for _, item in ranked] + self.router.profiles
        else:
            candidates = [item for item in self.router.profiles if item.name == name]
        for item in candidates:
            filled = fill(item, self._context(question, question))
            if filled.ready:
                return DemoReply([ToolCallOut(item.name, filled.input)])
        if not candidates:
            # A server tool (web search and the like): the API would run it, not us.
            return DemoReply([ToolCallOut(name or self.request.tools[0].name, {})])
        item = candidates[0]
        minimal = {p.name: fallback(p, self.today) for p in item.params if p.required}
        return DemoReply([ToolCallOut(item.name, minimal)])

    def introduction(self) -> str:
        count = len(self.tools)
        text = (
            f"{MARKER} I'm the offline model bundled with the mesh's developer tools, "
            "standing in for Claude. I'm not Claude: I answer deterministically, by matching "
            "your question to the tools I'm given and summarising what they return. Set "
            "ANTHROPIC_API_KEY to talk to Claude instead."
        )
        if not count:
            return text + " I have no tools in this conversation, so I can't look anything up."
        return text + " " + self.capabilities()

    def capabilities(self) -> str:
        # Specific operations first: an agent's `ask` is the least telling example.
        ordered = sorted(self.tools, key=lambda tool: knowledge.short_name(tool.name) == "ask")
        titles = [answers.title_of(tool, tool.name).lower() for tool in ordered[:5]]
        more = f" and {len(self.tools) - 5} more" if len(self.tools) > 5 else ""
        examples = []
        for tool in self.tools:
            for quoted in re.findall(r"[\"“]([^\"”]{8,80}\?)[\"”]", tool.description or ""):
                examples.append(quoted[:1].upper() + quoted[1:])
        example = f" Try: “{examples[0]}”" if examples else ""
        return f"Here I can use {len(self.tools)} tools: {_join(titles)}{more}.{example}"

    def unmatched(self) -> str:
        if not self.tools:
            return (
                f"{MARKER} I'm the bundled offline model, not Claude, and I have no tools in "
                "this conversation, so I can't look that up."
            )
        return (
            f"{MARKER} I couldn't match that to any of my tools. I'm the bundled offline "
            "model, not Claude, so I only follow questions that name what a tool covers. "
            + self.capabilities()
        )

    def answer(self) -> DemoReply:
        choice = self.request.tool_choice
        conversation = self.conversation
        prefilled = self.request.messages[-1].role == "assistant"
        may_call = choice.type != "none" and not prefilled and bool(self.tools)

        if conversation.answering_results and not prefilled:
            if briefing.QUESTION.match(conversation.question):
                return DemoReply([briefing.briefing_note(conversation.calls)])
            if may_call and conversation.rounds < MAX_ROUNDS:
                pending = self.pending()
                if pending:
                    return self.calls(pending, explain=choice.type == "auto")
            if choice.type in ("any", "tool"):
                return self.forced(choice.name)
            self.plan()  # collects notes on names nothing could resolve
            text = answers.final_answer(
                conversation.calls,
                self.by_name,
                self.entities,
                _dedupe(self.notes),
                conversation.question,
            )
            return DemoReply([text])

        question = conversation.question
        if choice.type in ("any", "tool") and not prefilled:
            return self.forced(choice.name)
        if _IDENTITY.search(question) or _HELP.search(question) or _GREETING.match(question):
            return DemoReply([self.introduction()])
        if _THANKS.match(question):
            return DemoReply([f"{MARKER} You're welcome."])
        decision = _DECISION_NOTE.match(question)
        if decision is not None:
            # A report of what became of a change: told, not acted on again.
            what = re.split(r"[.\n•]", decision.group("summary"), maxsplit=1)[0].strip()
            if decision.group("outcome") == "was made":
                return DemoReply([f"{MARKER} Done: the change you approved is made. {what}."])
            return DemoReply(
                [f"{MARKER} The change you approved could not be made. {what}. Try again later."]
            )
        planned = self.plan() if self.tools else []
        if not planned and self.unfillable:
            item, missing = self.unfillable[0]
            title = answers.title_of(item.tool, item.name)
            return DemoReply(
                [
                    f"{MARKER} I would use {title[:1].lower()}{title[1:]} for that, but your "
                    f"question doesn't tell me {_join(_dedupe(missing))}. Could you say?"
                ]
            )
        if not planned:
            return DemoReply([self.unmatched()])
        if not may_call:
            names = _join([answers.title_of(p.profile.tool, p.profile.name) for p in planned])
            return DemoReply(
                [
                    f"{MARKER} I would answer that with {names}, but I can't use tools in "
                    "this reply, so I have no figures to give you."
                ]
            )
        return self.calls(planned, explain=True)


def _without_dates(text: str, today: date) -> str:
    """The question minus its date phrases, so a follow-up's own period stands alone."""
    for mention in reversed(dates.find_periods(text, today)):
        text = text[: mention.start] + text[mention.end :]
    return " ".join(text.split())


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _kind_wanted(item: Profile) -> str:
    for param in item.params:
        if param.name.endswith("_id"):
            return param.name[: -len("_id")].replace("_", " ")
    return ""


def respond(request: MessagesRequest, turns: list[Turn], today: date, *, pinned: bool) -> DemoReply:
    """What the offline model says to this request in demo mode."""
    return Responder(request, turns, today_for(request, today, pinned)).answer()
