"""The demo chain's B2B leads, generated deterministically on first start.

Copper Pot Kitchen sells catering trays, office-lunch accounts and private dinners out of
its six Lisbon restaurants. 182 days of leads end on `end_day` (yesterday at first start,
or `SEED_END_DATE`), in the shape a sales manager would recognise:

- catering orders and corporate accounts gather around Midtown (offices) and University,
  the kitchens that already sell most catering (as sales-agent's data shows); private
  events spread over the dining rooms, Harbour Front and the old quarters first;
- every lead walks the pipeline from `new`, with a stage event per move: most old leads
  are closed (won or lost, with a reason), a few lost ones were reopened, and recent ones
  are still open;
- some open leads stalled: no stage change for weeks, the ones `stale=true` finds;
- leads that reached `qualified`, and some only contacted, were scored then (a few
  partially, when sales-agent did not answer), so their scores carry the rationale of
  the day.

The generator is pure (same `end_day`, same rows), so tests can assert exact figures.
"""

from __future__ import annotations

import json
import random
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from leadgen_agent.models import LeadKind, LeadSource, LeadStage, LocationId
from leadgen_agent.services.scoring import SalesSignals, score_lead

DATASET = "copper-pot-leads-v1"
HISTORY_DAYS = 182
LEAD_COUNT = 78

#: Catering sales per location over 90 days and the chain's spend per guest, as sales-agent
#: reported them when the demo leads were scored.
_SCORING_SIGNALS = {
    LocationId.MIDTOWN: 7_439_100,
    LocationId.UNIVERSITY: 3_989_800,
    LocationId.RIVERSIDE: 1_179_200,
    LocationId.OLD_TOWN: 909_900,
    LocationId.HARBOUR_FRONT: 376_300,
    LocationId.AIRPORT: 312_500,
}
_SPEND_PER_COVER_CENTS = 2578

_STEMS = (
    "Tejo",
    "Alfama",
    "Belém",
    "Chiado",
    "Estrela",
    "Graça",
    "Lapa",
    "Restelo",
    "Oriente",
    "Saldanha",
    "Marquês",
    "Rossio",
    "Ajuda",
    "Campolide",
    "Areeiro",
    "Alvalade",
    "Arroios",
    "Lumiar",
    "Atlântico",
    "Entrecampos",
    "Benfica",
    "Parque",
    "Ribeira",
    "Mouraria",
    "Madragoa",
    "Bica",
    "Anjos",
    "Olivais",
    "Telheiras",
    "Carnide",
)
_SECTORS = (
    ("Analytics", "Lda."),
    ("Consulting", "Lda."),
    ("Software", "S.A."),
    ("Arquitetos", "Lda."),
    ("Advogados", "RL"),
    ("Logística", "S.A."),
    ("Labs", "Lda."),
    ("Saúde", "S.A."),
    ("Media", "Lda."),
    ("Capital", "S.A."),
    ("Design Studio", "Lda."),
    ("Engenharia", "S.A."),
    ("Seguros", "S.A."),
    ("Robotics", "Lda."),
    ("Energia", "S.A."),
    ("Biotech", "Lda."),
    ("Viagens", "Lda."),
    ("Imobiliária", "Lda."),
)
_EVENT_HOSTS = (
    "Associação de Antigos Alunos",
    "Clube de Leitura",
    "Grupo Coral",
    "Rotary Club",
    "Núcleo de Estudantes",
    "Família",
    "Clube de Remo",
    "Associação de Moradores",
)
_FIRST = (
    "Marta",
    "João",
    "Inês",
    "Rui",
    "Sofia",
    "Tiago",
    "Beatriz",
    "Miguel",
    "Carolina",
    "Pedro",
    "Ana",
    "Duarte",
    "Leonor",
    "Gonçalo",
    "Mariana",
    "Francisco",
    "Rita",
    "Nuno",
    "Catarina",
    "Bruno",
    "Joana",
    "Ricardo",
    "Teresa",
    "Luís",
)
_LAST = (
    "Figueiredo",
    "Santos",
    "Ferreira",
    "Pereira",
    "Oliveira",
    "Costa",
    "Rodrigues",
    "Martins",
    "Sousa",
    "Fernandes",
    "Gonçalves",
    "Lopes",
    "Marques",
    "Almeida",
    "Ribeiro",
    "Pinto",
    "Carvalho",
    "Teixeira",
    "Moreira",
    "Correia",
    "Mendes",
    "Nunes",
    "Rocha",
)

_KINDS = (LeadKind.CATERING, LeadKind.CORPORATE_ACCOUNT, LeadKind.PRIVATE_EVENT)
_KIND_WEIGHTS = (45, 30, 25)
_LOCATIONS = tuple(LocationId)
#: riverside, old-town, harbour-front, university, airport, midtown
_LOCATION_WEIGHTS = {
    LeadKind.CATERING: (9, 8, 7, 27, 6, 43),
    LeadKind.CORPORATE_ACCOUNT: (9, 8, 8, 22, 5, 48),
    LeadKind.PRIVATE_EVENT: (22, 22, 26, 10, 8, 12),
}
_SOURCES = tuple(LeadSource)
_SOURCE_WEIGHTS = (32, 20, 13, 20, 15)

_NEXT = {
    LeadStage.NEW: LeadStage.CONTACTED,
    LeadStage.CONTACTED: LeadStage.QUALIFIED,
    LeadStage.QUALIFIED: LeadStage.PROPOSAL,
    LeadStage.PROPOSAL: LeadStage.WON,
}
#: Typical days a lead spends in a stage when things go normally.
_DWELL = {
    LeadStage.NEW: (0.2, 3.0),
    LeadStage.CONTACTED: (2.0, 9.0),
    LeadStage.QUALIFIED: (3.0, 12.0),
    LeadStage.PROPOSAL: (5.0, 24.0),
}
_P_LOST = {
    LeadStage.NEW: 0.08,
    LeadStage.CONTACTED: 0.18,
    LeadStage.QUALIFIED: 0.15,
    LeadStage.PROPOSAL: 0.33,
}
_P_STALL = 0.14
_P_REOPEN = 0.25
_P_PARTIAL_SCORE = 0.1

_LOST_REASONS = (
    "Went with a cheaper caterer.",
    "The event was cancelled.",
    "No budget left this quarter.",
    "Chose a venue closer to their office.",
    "Stopped answering after the proposal.",
    "Needed a fully kosher menu we cannot offer.",
    "Date clashed with a full house at the restaurant.",
)
_NOTES = {
    LeadStage.CONTACTED: (
        "First call with {first}: interested, wants the catering menu.",
        "Emailed {first} the menus and prices.",
        "Spoke to {first}; a tasting would help them decide.",
    ),
    LeadStage.QUALIFIED: (
        "Budget and date confirmed with {first}.",
        "{first} confirmed {headcount} people and the budget.",
        "Decision maker is {first}; numbers fit.",
    ),
    LeadStage.PROPOSAL: (
        "Sent a proposal for {headcount} people.",
        "Proposal sent with two menu options.",
        "Quoted a set menu; waiting for {first}.",
    ),
    LeadStage.WON: (
        "Signed; deposit received.",
        "{first} accepted the proposal.",
        "Confirmed by email; kitchen briefed.",
    ),
}
_REOPEN_NOTES = (
    "{first} came back: the other caterer fell through.",
    "New budget approved; {first} asked us to quote again.",
)
_LEAD_NOTES = (
    "",
    "",
    "Two vegetarian and one gluten-free option needed.",
    "Delivery to the 4th floor before 12:30.",
    "Wants Portuguese classics, nothing too spicy.",
    "Asked about wine pairing.",
    "Needs an invoice with the company's VAT number.",
    "Some guests are vegan.",
)


@dataclass(frozen=True, slots=True)
class SeedEvent:
    from_stage: LeadStage | None
    to_stage: LeadStage
    at: datetime
    note: str | None


@dataclass(frozen=True, slots=True)
class SeedLead:
    id: uuid.UUID
    company: str
    contact_name: str
    email: str
    phone: str | None
    kind: LeadKind
    headcount: int
    budget_cents: int | None
    event_date: date | None
    location_id: LocationId
    source: LeadSource
    notes: str
    lost_reason: str | None
    score: int | None
    score_partial: bool | None
    score_rationale: list[dict[str, object]] | None
    scored_at: datetime | None
    created_at: datetime
    events: tuple[SeedEvent, ...]

    @property
    def stage(self) -> LeadStage:
        return self.events[-1].to_stage

    @property
    def stage_changed_at(self) -> datetime:
        return self.events[-1].at

    @property
    def updated_at(self) -> datetime:
        return max(self.stage_changed_at, self.scored_at or self.stage_changed_at)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _office_hours(rng: random.Random, day: date) -> datetime:
    minutes = rng.randint(8 * 60 + 30, 18 * 60 + 30)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=UTC)


def _next_moment(rng: random.Random, after: datetime, days: float) -> datetime:
    """A working-hours moment `days` after `after`, never before it."""
    moment = _office_hours(rng, (after + timedelta(days=days)).date())
    return max(moment, after + timedelta(minutes=rng.randint(20, 90)))


def _companies(rng: random.Random) -> list[tuple[str, str]]:
    """Unique company names with their e-mail domain."""
    pairs = [(stem, sector) for stem in _STEMS for sector in _SECTORS]
    return [
        (f"{stem} {sector}, {form}", f"{_ascii(stem)}-{_ascii(sector)}.pt")
        for stem, (sector, form) in rng.sample(pairs, LEAD_COUNT)
    ]


def _walk(
    rng: random.Random, created: datetime, horizon: datetime, first: str, headcount: int
) -> tuple[list[SeedEvent], str | None]:
    """The lead's stage history up to `horizon`, and its lost reason if it ended lost."""
    events = [SeedEvent(None, LeadStage.NEW, created, None)]
    stage, at, reopened, lost_reason = LeadStage.NEW, created, False, None
    while stage is not LeadStage.WON:
        if stage is LeadStage.LOST:
            if reopened or rng.random() >= _P_REOPEN:
                break
            reopened = True
            target, days = LeadStage.CONTACTED, rng.uniform(18, 50)
            note = rng.choice(_REOPEN_NOTES)
        else:
            low, high = _DWELL[stage]
            days = rng.uniform(16, 60) if rng.random() < _P_STALL else rng.uniform(low, high)
            target = LeadStage.LOST if rng.random() < _P_LOST[stage] else _NEXT[stage]
            note = ""
        moment = _next_moment(rng, at, days)
        if moment > horizon:
            break
        if target is LeadStage.LOST:
            lost_reason = note = rng.choice(_LOST_REASONS)
        elif not note:
            note = rng.choice(_NOTES[target])
        events.append(
            SeedEvent(stage, target, moment, note.format(first=first, headcount=headcount))
        )
        stage, at = target, moment
    return events, lost_reason if stage is LeadStage.LOST else None


def _headcount(rng: random.Random, kind: LeadKind) -> int:
    mu, sigma, low, high = {
        LeadKind.CATERING: (3.6, 0.6, 8, 300),
        LeadKind.CORPORATE_ACCOUNT: (3.4, 0.5, 12, 150),
        LeadKind.PRIVATE_EVENT: (3.2, 0.5, 8, 120),
    }[kind]
    return min(high, max(low, round(rng.lognormvariate(mu, sigma))))


def _budget(rng: random.Random, kind: LeadKind, headcount: int) -> int | None:
    if rng.random() < 0.15:
        return None
    low, high = {
        LeadKind.CATERING: (900, 2400),
        LeadKind.CORPORATE_ACCOUNT: (900, 1700),
        LeadKind.PRIVATE_EVENT: (2600, 6000),
    }[kind]
    per_head = rng.randint(low, high)
    return round(per_head * headcount, -3)  # clients quote round figures


def _event_date(rng: random.Random, kind: LeadKind, created: date) -> date | None:
    if kind is LeadKind.CORPORATE_ACCOUNT:
        # First delivery, when the client named one.
        return created + timedelta(days=rng.randint(14, 45)) if rng.random() < 0.35 else None
    if rng.random() < 0.1:
        return None
    if kind is LeadKind.CATERING:
        return created + timedelta(days=rng.randint(5, 60))
    return created + timedelta(days=rng.randint(14, 120))


def _phone(rng: random.Random) -> str | None:
    if rng.random() < 0.2:
        return None
    if rng.random() < 0.6:
        return f"+351 9{rng.choice('1236')}{rng.randint(0, 9)} {rng.randint(100, 999)} " + str(
            rng.randint(100, 999)
        )
    return f"+351 21{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def generate(end_day: date) -> list[SeedLead]:
    """The demo leads, identical for identical `end_day`, oldest first."""
    rng = random.Random(f"{DATASET}:{end_day.isoformat()}")
    horizon = datetime.combine(end_day, time(19, 0), tzinfo=UTC)
    leads: list[SeedLead] = []
    for company, domain in _companies(rng):
        # Skewed towards recent days: the catering push started to pay off this autumn.
        created_day = end_day - timedelta(days=int(HISTORY_DAYS * rng.random() ** 1.6))
        created = _office_hours(rng, created_day)
        kind = rng.choices(_KINDS, _KIND_WEIGHTS)[0]
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        if kind is LeadKind.PRIVATE_EVENT and rng.random() < 0.5:
            # A club or a family rather than a firm, writing from a personal address.
            host = rng.choice(_EVENT_HOSTS)
            company = f"{host} {last}" if host == "Família" else f"{host} {company.split()[0]}"
            domain = "gmail.com"
        headcount = _headcount(rng, kind)
        location = rng.choices(_LOCATIONS, _LOCATION_WEIGHTS[kind])[0]
        source = rng.choices(_SOURCES, _SOURCE_WEIGHTS)[0]
        budget = _budget(rng, kind, headcount)
        event_date = _event_date(rng, kind, created_day)
        events, lost_reason = _walk(rng, created, horizon, first, headcount)
        events[0] = SeedEvent(None, LeadStage.NEW, created, f"Captured via {source.value}.")

        score = partial = rationale = scored_at = None
        qualified_at = next((e.at for e in events if e.to_stage is LeadStage.QUALIFIED), None)
        contacted_at = next((e.at for e in events if e.to_stage is LeadStage.CONTACTED), None)
        if qualified_at is None and contacted_at is not None and rng.random() < 0.3:
            qualified_at = contacted_at
        if qualified_at is not None:
            scored_at = min(horizon, qualified_at + timedelta(minutes=rng.randint(5, 240)))
            signals = SalesSignals(
                location_catering_cents=_SCORING_SIGNALS[location],
                chain_catering_cents=sum(_SCORING_SIGNALS.values()),
                spend_per_cover_cents=_SPEND_PER_COVER_CENTS,
            )
            if rng.random() < _P_PARTIAL_SCORE:
                signals = SalesSignals(None, None, None)
            scored = score_lead(
                kind=kind,
                headcount=headcount,
                budget_cents=budget,
                event_date=event_date,
                source=source,
                location_id=location,
                today=scored_at.date(),
                signals=signals,
            )
            score, partial = scored.score, scored.partial
            rationale = [factor.model_dump(mode="json") for factor in scored.rationale]

        leads.append(
            SeedLead(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                company=company,
                contact_name=f"{first} {last}",
                email=f"{_ascii(first)}.{_ascii(last)}@{domain}",
                phone=_phone(rng),
                kind=kind,
                headcount=headcount,
                budget_cents=budget,
                event_date=event_date,
                location_id=location,
                source=source,
                notes=rng.choice(_LEAD_NOTES),
                lost_reason=lost_reason,
                score=score,
                score_partial=partial,
                score_rationale=rationale,
                scored_at=scored_at,
                created_at=created,
                events=tuple(events),
            )
        )
    leads.sort(key=lambda lead: (lead.created_at, lead.id))
    return leads


async def seed(conn: asyncpg.Connection, end_day: date) -> bool:
    """Write the demo data set unless one is already there. Returns whether it wrote."""
    if await conn.fetchval("SELECT 1 FROM seed_state"):
        return False
    leads = generate(end_day)
    await conn.executemany(
        """
        INSERT INTO leads (id, company, contact_name, email, phone, kind, headcount,
                           budget_cents, event_date, preferred_location_id, source, notes,
                           stage, stage_changed_at, lost_reason, score, score_partial,
                           score_rationale, scored_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18::text::jsonb, $19, $20, $21)
        """,
        [
            (
                lead.id,
                lead.company,
                lead.contact_name,
                lead.email,
                lead.phone,
                lead.kind.value,
                lead.headcount,
                lead.budget_cents,
                lead.event_date,
                lead.location_id.value,
                lead.source.value,
                lead.notes,
                lead.stage.value,
                lead.stage_changed_at,
                lead.lost_reason,
                lead.score,
                lead.score_partial,
                # A text parameter cast in SQL: this connection has no JSON codec.
                json.dumps(lead.score_rationale) if lead.score_rationale is not None else None,
                lead.scored_at,
                lead.created_at,
                lead.updated_at,
            )
            for lead in leads
        ],
    )
    await conn.copy_records_to_table(
        "lead_stage_events",
        records=[
            (
                lead.id,
                event.from_stage.value if event.from_stage else None,
                event.to_stage.value,
                event.at,
                event.note,
            )
            for lead in leads
            for event in lead.events
        ],
        columns=["lead_id", "from_stage", "to_stage", "at", "note"],
    )
    await conn.execute(
        "INSERT INTO seed_state (dataset, end_day) VALUES ($1, $2)", DATASET, end_day
    )
    return True
