"""The demo chain's customer reviews, generated deterministically on first start.

Copper Pot Kitchen runs six restaurants in Lisbon (the same ids as sales-agent's).
182 days of reviews end on `end_day` (yesterday at first start, or `SEED_END_DATE`),
published on Google, Tripadvisor, TheFork and the chain's own app. The texts are composed
from phrase pools, and the service's own classifier reads them, so sentiment and themes are
derived exactly as they are for a review created through the API. The patterns:

- most places collect mostly four and five stars;
- the Riverside dip: from 42 days before `end_day` (the day sales-agent's data shows
  Riverside's covers falling by about a fifth), its average drifts over one week from about
  4.3 to about 3.1 stars, with recurring complaints about slow service, long waits, cold
  food and a new manager, and far fewer of those reviews get an answer;
- Harbour Front is praised for its views and its seafood;
- Airport is convenient and quick, and guests grumble about its prices;
- about a third of the older reviews already carry a posted reply.

The generator is pure (same `end_day`, same rows), so tests can assert exact figures.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from review_agent.classify import read_review
from review_agent.compose import compose_reply
from review_agent.models import ReviewSource, Theme

DATASET = "copper-pot-reviews-v1"
HISTORY_DAYS = 182
RIVERSIDE_DIP_DAYS_BEFORE_END = 42
#: Days after which a review may carry a posted reply.
REPLY_AFTER_DAYS = 4

T = Theme
Stars = tuple[float, float, float, float, float]

_HAPPY: Stars = (0.03, 0.04, 0.09, 0.31, 0.53)
_RIVERSIDE_AFTER: Stars = (0.15, 0.19, 0.22, 0.25, 0.19)
_PRAISE_WEIGHTS = {
    T.FOOD_QUALITY: 4.0,
    T.STAFF_FRIENDLINESS: 3.0,
    T.AMBIENCE_VIEWS: 1.5,
    T.SERVICE_SPEED: 0.8,
    T.PRICE_VALUE: 0.8,
    T.CLEANLINESS: 0.6,
    T.WAITING_TIME: 0.5,
    T.FOOD_TEMPERATURE: 0.4,
    T.MANAGEMENT: 0.1,
}
_COMPLAINT_WEIGHTS = {
    T.FOOD_QUALITY: 2.0,
    T.SERVICE_SPEED: 2.0,
    T.WAITING_TIME: 1.5,
    T.PRICE_VALUE: 1.2,
    T.STAFF_FRIENDLINESS: 1.0,
    T.CLEANLINESS: 0.8,
    T.FOOD_TEMPERATURE: 0.8,
    T.AMBIENCE_VIEWS: 0.7,
    T.MANAGEMENT: 0.05,
}
_RIVERSIDE_DIP_COMPLAINTS = {
    T.SERVICE_SPEED: 7.0,
    T.WAITING_TIME: 5.0,
    T.FOOD_TEMPERATURE: 4.0,
    T.MANAGEMENT: 3.0,
    T.STAFF_FRIENDLINESS: 0.8,
    T.FOOD_QUALITY: 0.8,
    T.CLEANLINESS: 0.4,
    T.PRICE_VALUE: 0.4,
}

# Even the happy guests of the dip rarely praise the pace or the temperature of the food.
_RIVERSIDE_DIP_PRAISE = {T.SERVICE_SPEED: 0.1, T.WAITING_TIME: 0.1, T.FOOD_TEMPERATURE: 0.1}


@dataclass(frozen=True, slots=True)
class LocationSeed:
    id: str
    name: str
    reviews_per_day: float
    stars: Stars
    praise: dict[Theme, float] = field(default_factory=dict)
    complaints: dict[Theme, float] = field(default_factory=dict)


LOCATIONS = (
    LocationSeed(
        "riverside",
        "Riverside",
        1.15,
        (0.03, 0.04, 0.08, 0.32, 0.53),
        praise={T.AMBIENCE_VIEWS: 2.0},
    ),
    LocationSeed("old-town", "Old Town", 0.95, _HAPPY, praise={T.AMBIENCE_VIEWS: 2.2}),
    LocationSeed(
        "harbour-front",
        "Harbour Front",
        1.35,
        (0.02, 0.03, 0.06, 0.26, 0.63),
        praise={T.AMBIENCE_VIEWS: 5.0, T.FOOD_QUALITY: 5.0},
        complaints={T.PRICE_VALUE: 1.5, T.WAITING_TIME: 2.0},
    ),
    LocationSeed("university", "University", 0.8, _HAPPY, praise={T.PRICE_VALUE: 2.0}),
    LocationSeed(
        "airport",
        "Airport",
        1.2,
        (0.04, 0.07, 0.15, 0.38, 0.36),
        praise={T.SERVICE_SPEED: 2.5},
        complaints={T.PRICE_VALUE: 5.0},
    ),
    LocationSeed("midtown", "Midtown", 0.9, _HAPPY, praise={T.SERVICE_SPEED: 2.0}),
)
_NAMES = {loc.id: loc.name for loc in LOCATIONS}

SOURCES = (
    (ReviewSource.GOOGLE, 0.45),
    (ReviewSource.TRIPADVISOR, 0.25),
    (ReviewSource.IN_APP, 0.18),
    (ReviewSource.THEFORK, 0.12),
)

DISHES = (
    "grilled sea bass",
    "bacalhau à brás",
    "piri-piri chicken",
    "prego steak sandwich",
    "wild mushroom risotto",
    "garlic prawns",
    "octopus salad",
    "caldo verde",
    "chickpea and squash bowl",
    "chocolate mousse",
)
SEAFOOD = ("seafood rice", "garlic prawns", "grilled sea bass", "octopus salad")

PRAISE: dict[Theme, tuple[str, ...]] = {
    T.SERVICE_SPEED: (
        "Service was quick even though the place was full.",
        "Our mains arrived promptly and nothing felt rushed.",
        "Fast service, perfect for a lunch break.",
        "The kitchen served quickly and the team kept track of everything.",
        "Efficient service from start to finish.",
        "Service was swift and well organised.",
    ),
    T.WAITING_TIME: (
        "We were seated straight away without a booking.",
        "No wait at all for a table on a busy evening.",
        "Barely had to wait for our food.",
        "We were seated immediately and drinks came within 5 minutes.",
    ),
    T.FOOD_QUALITY: (
        "The {dish} was delicious.",
        "The {dish} was cooked to perfection.",
        "Everything tasted fresh and full of flavour.",
        "Best {dish} I have had in Lisbon, so much flavour.",
        "Generous portions and beautifully cooked {dish}.",
        "The {dish} was perfectly cooked and well seasoned.",
        "Really tasty {dish} and a great pastel de nata to finish.",
    ),
    T.FOOD_TEMPERATURE: (
        "Everything came out piping hot.",
        "The {dish} arrived steaming and smelled amazing.",
        "Food was served hot and beautifully presented.",
    ),
    T.STAFF_FRIENDLINESS: (
        "The staff were friendly and genuinely welcoming.",
        "Our waiter was charming and full of good suggestions.",
        "Lovely, attentive staff who made the kids feel at home.",
        "Such a warm welcome from the team.",
        "The waitress was helpful with our allergy questions.",
        "Polite, smiling staff throughout.",
    ),
    T.CLEANLINESS: (
        "The dining room and toilets were spotless.",
        "Very clean, bright restaurant.",
        "Tables were clean and neatly laid.",
    ),
    T.AMBIENCE_VIEWS: (
        "Lovely atmosphere, lively but relaxed.",
        "Cosy room with good music at a sensible volume.",
        "The terrace is a great spot on a sunny afternoon.",
        "Nice decor and a relaxed atmosphere.",
    ),
    T.PRICE_VALUE: (
        "Good value for the quality.",
        "Fair prices for such generous portions.",
        "Very reasonably priced for the area.",
        "The lunch menu is great value.",
    ),
    T.MANAGEMENT: (
        "You can tell the place is well run.",
        "The manager came over to check everything was fine.",
    ),
}
COMPLAINTS: dict[Theme, tuple[str, ...]] = {
    T.SERVICE_SPEED: (
        "Service was painfully slow.",
        "The service was slow and disorganised.",
        "It took ages to get anyone's attention.",
        "Our drinks order was forgotten twice.",
        "The team seemed overwhelmed and service was slow all evening.",
        "Everything took forever, from ordering to paying.",
    ),
    T.WAITING_TIME: (
        "We waited {minutes} minutes for our mains.",
        "We waited over {minutes} minutes for a table despite having a booking.",
        "There was a long queue at the door and nobody seemed in charge of it.",
        "Almost an hour between starters and mains.",
        "{minutes} minutes of waiting before the starters arrived.",
    ),
    T.FOOD_QUALITY: (
        "The {dish} was bland and overcooked.",
        "My {dish} was dry and tasteless.",
        "The {dish} tasted stale.",
        "Disappointing food, the {dish} was mediocre at best.",
        "Greasy {dish} and soggy chips.",
    ),
    T.FOOD_TEMPERATURE: (
        "The {dish} arrived lukewarm.",
        "Our food was cold by the time it reached the table.",
        "My {dish} was barely warm and had clearly been sitting at the pass.",
        "Two of the four mains came out cold.",
        "The {dish} tasted reheated.",
    ),
    T.STAFF_FRIENDLINESS: (
        "Our waiter was rude when we asked about the delay.",
        "Staff were dismissive and unfriendly.",
        "Nobody smiled and the welcome was grumpy.",
        "The server was inattentive and never came back to check on us.",
    ),
    T.CLEANLINESS: (
        "The toilets were dirty.",
        "Our table was sticky and the floor needed a sweep.",
        "Cutlery was grubby and the bathroom had no soap.",
    ),
    T.AMBIENCE_VIEWS: (
        "It was very noisy and hard to hold a conversation.",
        "The music was far too loud.",
        "Cramped room with no atmosphere.",
    ),
    T.PRICE_VALUE: (
        "Far too expensive for what you get.",
        "Overpriced for the portion sizes.",
        "The bill came to {euros} euros for two and it was not worth it.",
        "A coffee and a pastel de nata for 9 euros is a rip-off.",
    ),
    T.MANAGEMENT: (
        "Since the new manager arrived the place has gone downhill.",
        "The manager was nowhere to be seen while the floor team struggled.",
        "It feels like nobody is running the place any more.",
        "New management, and it shows in all the wrong ways.",
        "We asked for the manager and were told he was too busy to come over.",
    ),
}
HARBOUR_PRAISE: dict[Theme, tuple[str, ...]] = {
    T.AMBIENCE_VIEWS: (
        "The views over the docks at sunset are stunning.",
        "Ask for a window table, the harbour views are worth the trip alone.",
        "Watching the boats from the terrace was magical.",
    ),
    T.FOOD_QUALITY: (
        "The {seafood} was incredibly fresh.",
        "Best seafood we had in Lisbon, the {seafood} was outstanding.",
        "The seafood rice for two is a must, full of flavour.",
    ),
}
AIRPORT_COMPLAINTS: dict[Theme, tuple[str, ...]] = {
    T.PRICE_VALUE: (
        "Airport prices, and then some.",
        "Very expensive for a sandwich and a beer.",
        "The bill came to {euros} euros for a quick bite, far too expensive.",
        "Pricey, even by airport standards.",
    ),
}

OPENERS = (
    "We came for {meal} on a {weekday}.",
    "First time at the {name} restaurant.",
    "Came here with colleagues for {meal}.",
    "Booked a table for {party} for {meal}.",
    "Family {short_meal} on a {weekday}.",
    "We have been coming here for years.",
    "We were staying nearby and tried it for {meal}.",
    "Came for a birthday {short_meal}.",
)
AIRPORT_OPENERS = ("Stopped here before our flight.", "Grabbed a bite between flights.")
MEALS = ("lunch", "dinner", "a late lunch", "an early dinner")
SHORT_MEALS = ("lunch", "dinner")
PARTIES = ("two", "three", "four", "six")
CLOSERS: dict[int, tuple[str, ...]] = {
    5: ("Highly recommended.", "We will definitely be back.", "A real gem.", "Five stars from us."),
    4: ("Would come again.", "Recommended overall.", "We will be back.", ""),
    3: ("Might give it another try.", "Nothing special overall.", "Hit and miss.", ""),
    2: ("Not sure we will return.", "Expected better.", "Quite disappointing overall."),
    1: ("Never again.", "Avoid.", "Really disappointing.", "We will not be back."),
}
RIVERSIDE_CLOSERS = ("It used to be our favourite.", "What a shame, it used to be so good.")
TITLES: dict[int, tuple[str, ...]] = {
    5: (
        "Wonderful evening",
        "Fantastic meal",
        "Our new favourite",
        "Superb",
        "Excellent from start to finish",
        "A real treat",
    ),
    4: ("Very good", "Solid choice", "Good meal", "Nice spot", "Enjoyable visit"),
    3: ("Mixed experience", "OK but not great", "Average", "Hit and miss"),
    2: ("Disappointing", "Below expectations", "Could do better", "Not for us"),
    1: ("Never again", "Terrible evening", "Very poor", "Awful experience"),
}
RIVERSIDE_DIP_TITLES = (
    "Gone downhill",
    "What happened here?",
    "Slow, slow, slow",
    "Used to be our favourite",
    "Not what it used to be",
)
HARBOUR_TITLES = ("Sunset and seafood", "Best views in Lisbon", "Great seafood by the water")
AIRPORT_TITLES = ("Pricey but handy before a flight", "Airport prices")
_FIRST_NAMES = """
Ana João Maria Pedro Inês Rui Beatriz Tiago Sofia Miguel Carla Nuno Marta Diogo Rita Tom
Emma James Olivia Lucas Chloé Hugo Léa Jonas Hannah Lukas Giulia Marco Elena Pablo Lucía
Sam Priya Arjun Mei Kenji Fatima Omar Sarah David Laura Daniel Claire Patrick Anna Erik
Ingrid Noah Zoe Ben
"""
FIRST_NAMES = tuple(_FIRST_NAMES.split())
INITIALS = "ABCDEFGHIJKLMNOPRSTVW"


@dataclass(frozen=True, slots=True)
class ReviewRow:
    id: uuid.UUID
    location_id: str
    source: str
    rating: int
    title: str
    body: str
    author: str
    created_at: datetime
    sentiment: str
    themes: list[str]


@dataclass(frozen=True, slots=True)
class ReplyRow:
    id: uuid.UUID
    review_id: uuid.UUID
    tone: str
    body: str
    themes: list[str]
    posted_at: datetime


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _weighted(rng: random.Random, weights: dict[Theme, float], k: int) -> list[Theme]:
    """`k` distinct themes drawn by weight, in a stable order."""
    pool = dict(weights)
    chosen: list[Theme] = []
    while pool and len(chosen) < k:
        themes = sorted(pool)
        pick = rng.choices(themes, weights=[pool[t] for t in themes])[0]
        chosen.append(pick)
        del pool[pick]
    return chosen


def _dip_progress(loc: str, day: date, end_day: date) -> float:
    """0 before the Riverside dip, rising to 1 over its first week (as sales-agent's covers)."""
    start = end_day - timedelta(days=RIVERSIDE_DIP_DAYS_BEFORE_END)
    if loc != "riverside" or day < start:
        return 0.0
    return min(1.0, ((day - start).days + 1) / 7)


def _season(loc: LocationSeed, day: date) -> float:
    doy = day.timetuple().tm_yday
    if loc.id == "harbour-front":
        return 1.0 + 0.35 * math.exp(-(((doy - 212) / 28) ** 2))
    if loc.id == "university" and date(day.year, 7, 10) <= day <= date(day.year, 9, 14):
        return 0.5
    return 1.0


class _Deck:
    """Star ratings dealt from a shuffled deck of 100 cards in the given proportions, so
    any few dozen consecutive reviews already average close to the intended mean."""

    def __init__(self, rng: random.Random, stars: Stars) -> None:
        self._rng = rng
        self._cards = [
            rating for rating, share in enumerate(stars, 1) for _ in range(round(share * 100))
        ]
        self._hand: list[int] = []

    def deal(self) -> int:
        if not self._hand:
            self._hand = list(self._cards)
            self._rng.shuffle(self._hand)
        return self._hand.pop()


def _review(
    rng: random.Random, loc: LocationSeed, day: date, rating: int, in_dip: bool
) -> tuple[str, str]:
    """Title and body for one review."""
    praise_weights = {**_PRAISE_WEIGHTS, **loc.praise, **(_RIVERSIDE_DIP_PRAISE if in_dip else {})}
    complaint_weights = (
        _RIVERSIDE_DIP_COMPLAINTS if in_dip else {**_COMPLAINT_WEIGHTS, **loc.complaints}
    )
    count = rng.choices((1, 2, 3), weights=(0.35, 0.45, 0.2))[0]
    if rating >= 4:
        plan = [(t, True) for t in _weighted(rng, praise_weights, count)]
        grumble = (0.6 if rating == 4 else 0.2) if in_dip else (0.25 if rating == 4 else 0.0)
        if rng.random() < grumble:
            extra = _weighted(
                rng, {t: w for t, w in complaint_weights.items() if t not in dict(plan)}, 1
            )
            plan += [(t, False) for t in extra]
    elif rating == 3:
        good = _weighted(rng, praise_weights, 1)
        bad = _weighted(
            rng,
            {t: w for t, w in complaint_weights.items() if t not in good},
            2 if in_dip else max(1, count - 1),
        )
        plan = [(t, True) for t in good] + [(t, False) for t in bad]
    else:
        plan = [(t, False) for t in _weighted(rng, complaint_weights, max(count, 2))]
        if rating == 2 and rng.random() < 0.3:
            good = _weighted(
                rng, {t: w for t, w in praise_weights.items() if t not in dict(plan)}, 1
            )
            plan = [(t, True) for t in good] + plan

    def sentence(theme: Theme, positive: bool) -> str:
        pools = [(PRAISE if positive else COMPLAINTS)[theme]]
        if positive and loc.id == "harbour-front" and theme in HARBOUR_PRAISE:
            pools.append(HARBOUR_PRAISE[theme])
        if not positive and loc.id == "airport" and theme in AIRPORT_COMPLAINTS:
            pools.append(AIRPORT_COMPLAINTS[theme])
        template = rng.choice(rng.choice(pools))
        return template.format(
            dish=rng.choice(DISHES),
            seafood=rng.choice(SEAFOOD),
            minutes=rng.choice((35, 40, 45, 50, 55, 70)),
            euros=rng.choice((48, 56, 62, 75, 84)),
        )

    openers = OPENERS + (AIRPORT_OPENERS if loc.id == "airport" else ())
    opener = rng.choice(openers).format(
        meal=rng.choice(MEALS),
        short_meal=rng.choice(SHORT_MEALS),
        weekday=day.strftime("%A"),
        name=loc.name,
        party=rng.choice(PARTIES),
    )
    closers = CLOSERS[rating] + (RIVERSIDE_CLOSERS if in_dip and rating <= 2 else ())
    parts = [opener] if rng.random() < 0.7 else []
    parts += [sentence(theme, positive) for theme, positive in plan]
    parts.append(rng.choice(closers))
    body = " ".join(part for part in parts if part)

    titles = TITLES[rating]
    if in_dip and rating <= 3:
        titles = titles + RIVERSIDE_DIP_TITLES * 2
    elif loc.id == "harbour-front" and rating >= 4:
        titles = titles + HARBOUR_TITLES
    elif loc.id == "airport" and rating in (2, 3):
        titles = titles + AIRPORT_TITLES
    return rng.choice(titles), body


def generate(end_day: date) -> tuple[list[ReviewRow], list[ReplyRow]]:
    """Rows for `reviews` and posted `review_replies`, identical for identical `end_day`."""
    rng = random.Random(f"{DATASET}:{end_day.isoformat()}")
    start = end_day - timedelta(days=HISTORY_DAYS - 1)
    reviews: list[ReviewRow] = []
    replies: list[ReplyRow] = []
    sources = [source for source, _ in SOURCES]
    usual = {loc.id: _Deck(rng, loc.stars) for loc in LOCATIONS}
    dipped = _Deck(rng, _RIVERSIDE_AFTER)
    source_weights = [weight for _, weight in SOURCES]
    for offset in range(HISTORY_DAYS):
        day = start + timedelta(days=offset)
        for loc in LOCATIONS:
            dip = _dip_progress(loc.id, day, end_day)
            rate = loc.reviews_per_day * _season(loc, day) * (1 + 0.5 * dip)
            times = sorted(
                # 10:00-21:59 UTC is the same calendar day in Lisbon, summer or winter.
                time(rng.randint(10, 21), rng.randint(0, 59), rng.randint(0, 59), tzinfo=UTC)
                for _ in range(_poisson(rng, rate))
            )
            for at in times:
                in_dip = dip > 0 and rng.random() < dip
                rating = (dipped if in_dip else usual[loc.id]).deal()
                title, body = _review(rng, loc, day, rating, in_dip)
                source = rng.choices(sources, weights=source_weights)[0]
                if source is ReviewSource.IN_APP and rng.random() < 0.4:
                    title = ""
                author = f"{rng.choice(FIRST_NAMES)} {rng.choice(INITIALS)}."
                reading = read_review(rating, title, body)
                review = ReviewRow(
                    id=_uuid(rng),
                    location_id=loc.id,
                    source=source.value,
                    rating=rating,
                    title=title,
                    body=body,
                    author=author,
                    created_at=datetime.combine(day, at),
                    sentiment=reading.sentiment.value,
                    themes=[t.value for t in reading.themes],
                )
                reviews.append(review)
                answered = 0.08 if dip > 0 else (0.45 if rating <= 3 else 0.3)
                if (end_day - day).days >= REPLY_AFTER_DAYS and rng.random() < answered:
                    reply = compose_reply(
                        rating=rating,
                        sentiment=reading.sentiment,
                        themes=reading.themes,
                        title=title,
                        body=body,
                        location_name=loc.name,
                        author=author,
                        variant=rng.randrange(3),
                    )
                    replies.append(
                        ReplyRow(
                            id=_uuid(rng),
                            review_id=review.id,
                            tone=reply.tone.value,
                            body=reply.text,
                            themes=[t.value for t in reply.themes],
                            posted_at=review.created_at + timedelta(hours=rng.randint(5, 60)),
                        )
                    )
    return reviews, replies


async def seed(conn: asyncpg.Connection, end_day: date) -> bool:
    """Write the demo data set unless one is already there. Returns whether it wrote."""
    if await conn.fetchval("SELECT 1 FROM seed_state"):
        return False
    reviews, replies = generate(end_day)
    await conn.copy_records_to_table(
        "reviews",
        records=[
            (
                r.id,
                r.location_id,
                r.source,
                r.rating,
                r.title,
                r.body,
                r.author,
                r.created_at,
                r.sentiment,
                r.themes,
            )
            for r in reviews
        ],
        columns=[
            "id",
            "location_id",
            "source",
            "rating",
            "title",
            "body",
            "author",
            "created_at",
            "sentiment",
            "themes",
        ],
    )
    await conn.copy_records_to_table(
        "review_replies",
        records=[
            (r.id, r.review_id, "posted", r.tone, r.body, r.themes, r.posted_at, r.posted_at)
            for r in replies
        ],
        columns=["id", "review_id", "status", "tone", "body", "themes", "created_at", "posted_at"],
    )
    await conn.execute(
        "INSERT INTO seed_state (dataset, end_day) VALUES ($1, $2)", DATASET, end_day
    )
    return True
