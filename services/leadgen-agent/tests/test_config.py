from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leadgen_agent.config import Settings
from meshdev.testing import TEST_SECRET
from meshkit.settings import SettingsError, load_settings

PRODUCTION: dict[str, Any] = {
    "MESH_ENV": "production",
    "DATABASE_URL": "postgresql://leadgen@db/mesh",
    "MESH_SERVICE_SECRET": TEST_SECRET,
}


def test_defaults_point_at_a_local_sales_agent_in_lisbon() -> None:
    settings = load_settings(Settings, **PRODUCTION)
    assert settings.sales_agent_url == "http://127.0.0.1:8101"
    assert settings.timezone == ZoneInfo("Europe/Lisbon")
    assert settings.callers == frozenset({"gateway", "mesh-cli"})
    before = datetime.now(UTC)
    assert before <= settings.clock()() <= datetime.now(UTC)


def test_a_frozen_clock_always_says_the_same_instant() -> None:
    frozen = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    clock = load_settings(Settings, MESH_ENV="test", FROZEN_NOW=frozen).clock()
    assert clock() == clock() == frozen


def test_the_mesh_wide_pinned_day_keeps_the_time_of_day_running() -> None:
    clock = load_settings(Settings, MESH_ENV="test", MESH_TODAY="2026-11-23").clock()
    first, second = clock(), clock()
    assert first.astimezone(ZoneInfo("Europe/Lisbon")).date() == date(2026, 11, 23)
    assert first <= second


@pytest.mark.parametrize(
    "overrides",
    [
        {**PRODUCTION, "FROZEN_NOW": "2026-11-23T10:00:00+00:00"},
        {"MESH_ENV": "test", "FROZEN_NOW": "2026-11-23T10:00:00"},
        {"MESH_ENV": "test", "CHAIN_TIMEZONE": "Europe/Atlantis"},
        {"MESH_ENV": "test", "SALES_AGENT_URL": "sales-agent:8101"},
        {"MESH_ENV": "test", "SALES_AGENT_TIMEOUT_S": 0},
    ],
    ids=["frozen-clock-in-production", "naive-frozen-clock", "unknown-zone", "bad-url", "no-wait"],
)
def test_bad_settings_stop_start_up(overrides: dict[str, Any]) -> None:
    with pytest.raises(SettingsError):
        load_settings(Settings, **overrides)
