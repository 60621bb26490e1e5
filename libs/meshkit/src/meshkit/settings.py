"""Settings shared by every service.

Each service subclasses `ServiceSettings`; values come from the environment under their
standard, unprefixed names (`DATABASE_URL`, `MESH_SERVICE_SECRET`, ...). Settings are built
in `create_app` or the CLI through `load_settings`, never at import time, and a bad
environment fails start-up with one message naming every offending variable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CommaList = Annotated[tuple[str, ...], NoDecode]


class SettingsError(RuntimeError):
    """The environment does not describe a runnable service."""


class ServiceSettings(BaseSettings):
    """Settings every mesh service has."""

    # An empty variable (`ANTHROPIC_API_KEY=` in an .env file) means "not set", never "".
    model_config = SettingsConfigDict(
        frozen=True,
        extra="ignore",
        case_sensitive=False,
        validate_by_name=True,
        env_ignore_empty=True,
    )

    #: The service's name: its schema, its token audience, its telemetry service name.
    service_name: ClassVar[str]
    #: Callers this service accepts when `ALLOWED_CALLERS` is not set.
    default_callers: ClassVar[tuple[str, ...]] = ()

    environment: Literal["local", "test", "production"] = Field(
        default="local", validation_alias="MESH_ENV"
    )
    database_url: SecretStr | None = Field(default=None, validation_alias="DATABASE_URL")
    db_pool_min_size: int = Field(default=1, ge=0, le=100, validation_alias="DB_POOL_MIN_SIZE")
    db_pool_max_size: int = Field(default=10, ge=1, le=500, validation_alias="DB_POOL_MAX_SIZE")
    service_secret: SecretStr | None = Field(default=None, validation_alias="MESH_SERVICE_SECRET")
    service_secret_previous: SecretStr | None = Field(
        default=None, validation_alias="MESH_SERVICE_SECRET_PREVIOUS"
    )
    allowed_callers: CommaList = Field(default=(), validation_alias="ALLOWED_CALLERS")
    service_token_ttl_s: int = Field(
        default=120, ge=10, le=86_400, validation_alias="SERVICE_TOKEN_TTL_S"
    )
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, le=16 * 1024 * 1024, validation_alias="MAX_BODY_BYTES"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias="LOG_LEVEL"
    )
    log_format: Literal["json", "text"] = Field(default="json", validation_alias="LOG_FORMAT")
    #: Freeze the heap once start-up is done (`meshkit.heap`). Off only where one process
    #: builds many apps and drops them again: a test run.
    gc_freeze: bool = Field(default=True, validation_alias="MESH_GC_FREEZE")
    # Traces go over OTLP when an endpoint is set (the exporter reads the other OTEL_EXPORTER_*
    # variables itself); otherwise to the local trace files in local runs, else nowhere.
    otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"
        ),
    )
    #: `http/json` (ours, `meshkit.otlp_json`: a fraction of the CPU) or `http/protobuf` (the
    #: SDK's exporter). The Collector and Jaeger take both on the same endpoint.
    otlp_protocol: Literal["http/json", "http/protobuf"] = Field(
        default="http/json",
        validation_alias=AliasChoices(
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"
        ),
    )
    otel_sdk_disabled: bool = Field(default=False, validation_alias="OTEL_SDK_DISABLED")
    #: `none` switches exporting off; `otlp` exports even to the default endpoint.
    otel_traces_exporter: Literal["otlp", "console", "none"] | None = Field(
        default=None, validation_alias="OTEL_TRACES_EXPORTER"
    )

    # The model behind every `ask` loop. Without ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL
    # must point at the bundled offline model (`make run` does that).
    anthropic_api_key: SecretStr | None = Field(default=None, validation_alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(default=None, validation_alias="ANTHROPIC_BASE_URL")
    model: str = Field(
        default="claude-sonnet-5-5", min_length=1, validation_alias="ANTHROPIC_MODEL"
    )
    model_max_retries: int = Field(default=2, ge=0, le=10, validation_alias="ANTHROPIC_MAX_RETRIES")
    model_timeout_s: float = Field(default=90.0, gt=0, le=600, validation_alias="MODEL_TIMEOUT_S")
    verify_model_at_boot: bool = Field(default=True, validation_alias="VERIFY_MODEL_AT_BOOT")
    agent_max_tokens: int = Field(
        default=2048, ge=64, le=64_000, validation_alias="AGENT_MAX_TOKENS"
    )
    agent_max_rounds: int = Field(default=8, ge=1, le=50, validation_alias="AGENT_MAX_ROUNDS")
    agent_token_budget: int = Field(
        default=150_000, ge=1_000, le=5_000_000, validation_alias="AGENT_TOKEN_BUDGET"
    )
    tool_timeout_s: float = Field(default=20.0, gt=0, le=300, validation_alias="TOOL_TIMEOUT_S")
    #: Pins "today" (for demos and tests against fixed data); the real date when unset.
    today_override: date | None = Field(default=None, validation_alias="MESH_TODAY")

    @field_validator("allowed_callers", mode="before")
    @classmethod
    def _split_callers(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("service_secret", "service_secret_previous")
    @classmethod
    def _secret_is_strong(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @model_validator(mode="after")
    def _production_needs_explicit_wiring(self) -> Self:
        if self.environment == "production":
            missing = [
                name
                for name, value in (
                    ("DATABASE_URL", self.database_url),
                    ("MESH_SERVICE_SECRET", self.service_secret),
                )
                if value is None
            ]
            if missing:
                raise ValueError(f"{', '.join(missing)} must be set when MESH_ENV=production")
        if self.db_pool_min_size > self.db_pool_max_size:
            raise ValueError("DB_POOL_MIN_SIZE must not exceed DB_POOL_MAX_SIZE")
        return self

    def today(self) -> date:
        return self.today_override or datetime.now(UTC).date()

    @property
    def callers(self) -> frozenset[str]:
        return frozenset(self.allowed_callers or self.default_callers)

    @property
    def db_schema(self) -> str:
        return self.service_name.replace("-", "_")


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S], **overrides: Any) -> S:
    """Build settings from the environment, turning validation errors into one clear message."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "settings"
            problems.append(f"  {where.upper()}: {error['msg']}")
        name = getattr(cls, "service_name", cls.__name__)
        raise SettingsError(
            f"{name} cannot start, its configuration is invalid:\n" + "\n".join(problems)
        ) from None
