"""Settings of the offline model server, read from the environment."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "claude-sonnet-5-5"


class OfflineModelSettings(BaseSettings):
    """How the offline model behaves; every field has a working default."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", case_sensitive=False, validate_by_name=True
    )

    #: The date demo mode calls "today". Unset means the real date, read per request so a
    #: server left running overnight moves on with the calendar.
    today: date | None = Field(default=None, validation_alias="OFFLINE_MODEL_TODAY")
    #: Pause between streamed deltas, so a person watching a stream sees it arrive.
    stream_delay_ms: int = Field(
        default=12, ge=0, le=1000, validation_alias="OFFLINE_MODEL_STREAM_DELAY_MS"
    )
    #: Model ids `GET /v1/models` lists. Messages accept any model id and echo it back.
    models: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(DEFAULT_MODEL,), min_length=1, validation_alias="OFFLINE_MODEL_MODELS"
    )
    #: Largest request body accepted; the real API caps requests at 32 MB.
    max_body_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, validation_alias="OFFLINE_MODEL_MAX_BODY_BYTES"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias="LOG_LEVEL"
    )
    log_format: Literal["json", "text"] = Field(default="text", validation_alias="LOG_FORMAT")

    @field_validator("models", mode="before")
    @classmethod
    def _split_models(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value
