"""The demo chain's point-of-sale history, generated deterministically on first start.

Copper Pot Kitchen runs six restaurants in Lisbon. 182 days of history end on `end_day`
(yesterday at first start, or `SEED_END_DATE`). The data carries the patterns a manager
would ask about:

- weekday rhythm: Monday is the quietest day, Friday and Saturday the busiest, except at
  Midtown (office lunches: weekdays strong, weekends weak) and Airport (flat);
- seasons: Harbour Front swells in July and August, University empties over the summer
  break and fills again from mid-September;
- the Riverside dip: from 42 days before `end_day`, Riverside loses about a fifth of its
  covers over one week and stays down (the review-agent's data shows its ratings falling
  at the same time);
- catering trays sell mostly at Midtown and University, the accounts leadgen works on.

The generator is pure (same `end_day`, same rows), so tests can assert exact figures.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

import asyncpg

DATASET = "copper-pot-v1"
HISTORY_DAYS = 182
RIVERSIDE_DIP_DAYS_BEFORE_END = 42


@dataclass(frozen=True, slots=True)
class LocationSeed:
    id: str
    name: str
    address: str
    seats: int
    opened_on: date
    base_covers: int
    weekday_shape: tuple[float, ...]  # Monday..Sunday multipliers
    catering_share: float


_CLASSIC = (0.72, 0.85, 0.9, 0.98, 1.25, 1.38, 1.05)
_OFFICE = (1.15, 1.2, 1.22, 1.2, 1.1, 0.55, 0.4)
_FLAT = (0.97, 0.96, 0.98, 1.0, 1.04, 1.03, 1.02)

LOCATIONS = (
    LocationSeed(
        "riverside",
        "Riverside",
        "Rua da Ribeira Nova 12",
        96,
        date(2019, 4, 2),
        210,
        _CLASSIC,
        0.01,
    ),
    LocationSeed(
        "old-town",
        "Old Town",
        "Largo do Chafariz de Dentro 3",
        72,
        date(2017, 9, 15),
        175,
        _CLASSIC,
        0.01,
    ),
    LocationSeed(
        "harbour-front",
        "Harbour Front",
        "Doca de Alcântara, Armazém 7",
        120,
        date(2021, 6, 1),
        230,
        _CLASSIC,
        0.0,
    ),
    LocationSeed(
        "university",
        "University",
        "Avenida das Forças Armadas 40",
        88,
        date(2020, 2, 10),
        190,
        (1.05, 1.1, 1.12, 1.1, 0.95, 0.7, 0.6),
        0.05,
    ),
    LocationSeed(
        "airport", "Airport", "Terminal 1, Piso 2", 64, date(2022, 11, 20), 250, _FLAT, 0.0
    ),
    LocationSeed(
        "midtown", "Midtown", "Avenida da República 58", 110, date(2018, 3, 5), 200, _OFFICE, 0.08
    ),
)


@dataclass(frozen=True, slots=True)
class ItemSeed:
    id: str
    name: str
    category: str
    price_cents: int
    popularity: float


MENU = (
    ItemSeed("garlic-prawns", "Garlic prawns", "starter", 950, 0.9),
    ItemSeed("bread-and-olives", "Bread, butter and olives", "starter", 450, 1.4),
    ItemSeed("caldo-verde", "Caldo verde", "starter", 550, 0.8),
    ItemSeed("octopus-salad", "Octopus salad", "starter", 1150, 0.5),
    ItemSeed("grilled-sea-bass", "Grilled sea bass", "main", 1890, 0.9),
    ItemSeed("bacalhau-a-bras", "Bacalhau à Brás", "main", 1650, 1.1),
    ItemSeed("piri-piri-chicken", "Piri-piri chicken", "main", 1450, 1.5),
    ItemSeed("steak-sandwich", "Prego steak sandwich", "main", 1250, 1.3),
    ItemSeed("mushroom-risotto", "Wild mushroom risotto", "main", 1550, 0.7),
    ItemSeed("seafood-rice", "Seafood rice for two", "main", 3400, 0.4),
    ItemSeed("vegan-bowl", "Chickpea and squash bowl", "main", 1350, 0.6),
    ItemSeed("pastel-de-nata", "Pastel de nata", "dessert", 250, 1.6),
    ItemSeed("chocolate-mousse", "Chocolate mousse", "dessert", 550, 0.8),
    ItemSeed("seasonal-fruit", "Seasonal fruit", "dessert", 450, 0.4),
    ItemSeed("espresso", "Espresso", "drink", 150, 2.0),
    ItemSeed("house-wine-glass", "House wine, glass", "drink", 550, 1.2),
    ItemSeed("craft-beer", "Craft beer", "drink", 500, 1.0),
    ItemSeed("fresh-lemonade", "Fresh lemonade", "drink", 400, 0.9),
    ItemSeed("catering-lunch-box", "Catering lunch box", "catering", 1200, 1.0),
    ItemSeed("catering-tapas-tray", "Catering tapas tray (10 people)", "catering", 8900, 0.35),
    ItemSeed("catering-pastry-box", "Catering pastry box (24)", "catering", 4200, 0.5),
)

_GUESTS_PER_ORDER = 2.3


def _season(location: str, day: date) -> float:
    doy = day.timetuple().tm_yday
    # A gentle chain-wide summer lift peaking at the start of August (day ~215).
    base = 1.0 + 0.08 * math.cos(2 * math.pi * (doy - 215) / 365)
    if location == "harbour-front":
        base *= 1.0 + 0.35 * math.exp(-(((doy - 212) / 28) ** 2))
    if location == "university" and date(day.year, 7, 10) <= day <= date(day.year, 9, 14):
        base *= 0.55
    return base


def _riverside_dip(day: date, end_day: date) -> float:
    start = end_day - timedelta(days=RIVERSIDE_DIP_DAYS_BEFORE_END)
    if day < start:
        return 1.0
    progress = min(1.0, (day - start).days / 7)
    return 1.0 - 0.21 * progress


def generate(end_day: date) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Rows for `daily_sales` and `daily_item_sales`, identical for identical `end_day`."""
    rng = random.Random(f"{DATASET}:{end_day.isoformat()}")
    start = end_day - timedelta(days=HISTORY_DAYS - 1)
    daily: list[tuple[object, ...]] = []
    items: list[tuple[object, ...]] = []
    regular = [item for item in MENU if item.category != "catering"]
    catering = [item for item in MENU if item.category == "catering"]
    for offset in range(HISTORY_DAYS):
        day = start + timedelta(days=offset)
        for loc in LOCATIONS:
            expected = (
                loc.base_covers
                * loc.weekday_shape[day.weekday()]
                * _season(loc.id, day)
                * (_riverside_dip(day, end_day) if loc.id == "riverside" else 1.0)
            )
            covers = max(0, round(rng.gauss(expected, expected * 0.06)))
            orders = max(1, round(covers / _GUESTS_PER_ORDER))
            quantities: dict[str, int] = {}
            for item in regular:
                rate = item.popularity * 0.15
                if item.category == "drink" and item.id != "espresso":
                    rate *= 1.25 if day.weekday() >= 4 else 0.9
                if item.id == "seafood-rice" and loc.id == "harbour-front":
                    rate *= 2.2
                mean = covers * rate
                quantities[item.id] = max(0, round(rng.gauss(mean, math.sqrt(mean + 1))))
            for item in catering:
                weekday_factor = 1.0 if day.weekday() < 5 else 0.25
                mean = loc.base_covers * loc.catering_share * item.popularity * weekday_factor
                quantities[item.id] = max(0, round(rng.gauss(mean, math.sqrt(mean + 0.5))))
            revenue = 0
            for item in MENU:
                qty = quantities[item.id]
                line = qty * item.price_cents
                revenue += line
                if qty:
                    items.append((loc.id, day, item.id, qty, line))
            daily.append((loc.id, day, orders, covers, revenue))
    return daily, items


async def seed(conn: asyncpg.Connection, end_day: date) -> bool:
    """Write the demo data set unless one is already there. Returns whether it wrote."""
    if await conn.fetchval("SELECT 1 FROM seed_state"):
        return False
    await conn.executemany(
        "INSERT INTO locations (id, name, address, city, timezone, seats, opened_on) "
        "VALUES ($1, $2, $3, 'Lisbon', 'Europe/Lisbon', $4, $5)",
        [(loc.id, loc.name, loc.address, loc.seats, loc.opened_on) for loc in LOCATIONS],
    )
    await conn.executemany(
        "INSERT INTO menu_items (id, name, category, price_cents) VALUES ($1, $2, $3, $4)",
        [(item.id, item.name, item.category, item.price_cents) for item in MENU],
    )
    daily, items = generate(end_day)
    await conn.copy_records_to_table(
        "daily_sales",
        records=daily,
        columns=["location_id", "day", "orders", "covers", "revenue_cents"],
    )
    await conn.copy_records_to_table(
        "daily_item_sales",
        records=items,
        columns=["location_id", "day", "item_id", "quantity", "revenue_cents"],
    )
    await conn.execute(
        "INSERT INTO seed_state (dataset, end_day) VALUES ($1, $2)", DATASET, end_day
    )
    return True
