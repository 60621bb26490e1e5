from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import Field

from meshkit.settings import ServiceSettings, SettingsError, load_settings


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo-agent"
    default_callers: ClassVar[tuple[str, ...]] = ("gateway",)
    upstream_url: str = Field(validation_alias="UPSTREAM_URL")


def test_missing_variable_is_named_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPSTREAM_URL", raising=False)
    with pytest.raises(SettingsError, match="UPSTREAM_URL") as info:
        load_settings(DemoSettings)
    assert "demo-agent cannot start" in str(info.value)


def test_invalid_value_is_named_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPSTREAM_URL", "http://x")
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "lots")
    with pytest.raises(SettingsError, match="DB_POOL_MAX_SIZE"):
        load_settings(DemoSettings)


def test_short_secret_is_refused_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPSTREAM_URL", "http://x")
    monkeypatch.setenv("MESH_SERVICE_SECRET", "hunter2")
    with pytest.raises(SettingsError, match="MESH_SERVICE_SECRET") as info:
        load_settings(DemoSettings)
    assert "hunter2" not in str(info.value)


def test_production_requires_database_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPSTREAM_URL", "http://x")
    monkeypatch.setenv("MESH_ENV", "production")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("MESH_SERVICE_SECRET", raising=False)
    with pytest.raises(SettingsError, match="DATABASE_URL, MESH_SERVICE_SECRET"):
        load_settings(DemoSettings)


def test_callers_default_and_comma_separated_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPSTREAM_URL", "http://x")
    assert load_settings(DemoSettings).callers == frozenset({"gateway"})
    monkeypatch.setenv("ALLOWED_CALLERS", " gateway, review-agent ,,")
    assert load_settings(DemoSettings).callers == frozenset({"gateway", "review-agent"})


def test_settings_are_frozen_and_hide_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPSTREAM_URL", "http://x")
    monkeypatch.setenv("MESH_SERVICE_SECRET", "s" * 40)
    settings = load_settings(DemoSettings)
    assert "s" * 40 not in repr(settings)
    with pytest.raises(ValueError, match="frozen"):
        settings.log_level = "DEBUG"  # type: ignore[misc]
