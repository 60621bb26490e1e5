from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import ClassVar, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from meshkit.settings import ServiceSettings

Clock = Callable[[], datetime]


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "leadgen-agent"
    default_callers: ClassVar[tuple[str, ...]] = ("gateway", "mesh-cli")

    seed_demo_data: bool = Field(default=True, validation_alias="SEED_DEMO_DATA")
    #: Last day of the demo history; yesterday (local) at first start when unset.
    seed_end_date: date | None = Field(default=None, validation_alias="SEED_END_DATE")

    sales_agent_url: str = Field(
        default="http://127.0.0.1:8101",
        pattern=r"^https?://[^\s/]+(/\S*)?$",
        validation_alias="SALES_AGENT_URL",
    )
    #: A qualification never waits longer than this for sales-agent; past it the sales
    #: factors are reported unavailable and the score is partial.
    sales_agent_timeout_s: float = Field(
        default=3.0, gt=0, le=30, validation_alias="SALES_AGENT_TIMEOUT_S"
    )
    #: The chain's local time zone: "today", event dates and date ranges are local days.
    chain_timezone: str = Field(default="Europe/Lisbon", validation_alias="CHAIN_TIMEZONE")
    #: Pins the service's clock (an ISO timestamp with offset) so that staleness and lead
    #: times are reproducible in tests and recorded demos. Refused in production.
    frozen_now: datetime | None = Field(default=None, validation_alias="FROZEN_NOW")

    @field_validator("chain_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        # Fail at start-up, not on the first request, when the image lacks time zone data.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value[:64]!r}") from None
        return value

    @field_validator("frozen_now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must include a UTC offset, such as 2026-11-23T10:00:00+00:00")
        return value

    @model_validator(mode="after")
    def _clock_is_real_in_production(self) -> Self:
        if self.environment == "production" and self.frozen_now is not None:
            raise ValueError("FROZEN_NOW must not be set when MESH_ENV=production")
        return self

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.chain_timezone)

    def clock(self) -> Clock:
        """Now: `FROZEN_NOW` if set; else the real time of day on the mesh's pinned day
        (`MESH_TODAY`) if set, so a pinned demo still orders events; else the real time."""
        frozen, pinned, tz = self.frozen_now, self.today_override, self.timezone
        if frozen is not None:
            return lambda: frozen
        if pinned is not None:
            return lambda: datetime.combine(pinned, datetime.now(tz).timetz())
        return lambda: datetime.now(UTC)
