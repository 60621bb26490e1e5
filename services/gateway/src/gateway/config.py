from __future__ import annotations

import hmac
import re
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from gateway.limits import Limits
from gateway.telegram.api import DEFAULT_MAX_CONNECTIONS
from meshkit.settings import ServiceSettings


def _default_contracts() -> Path:
    # services/gateway/src/gateway/config.py -> the repository's contracts/openapi.
    return Path(__file__).resolve().parents[4] / "contracts" / "openapi"


_WEB_USER = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "gateway"
    default_callers: ClassVar[tuple[str, ...]] = ("mesh-cli",)

    #: web: HTTP only; worker: queue workers only (health endpoints stay up); all: both.
    role: Literal["all", "web", "worker"] = Field(default="all", validation_alias="GATEWAY_ROLE")

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_BOT_TOKEN"
    )
    telegram_mode: Literal["webhook", "polling", "off"] = Field(
        default="polling", validation_alias="TELEGRAM_MODE"
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_WEBHOOK_SECRET"
    )
    public_url: str | None = Field(default=None, validation_alias="PUBLIC_URL")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org", validation_alias="TELEGRAM_API_BASE_URL"
    )
    allowed_chats: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(), validation_alias="TELEGRAM_ALLOWED_CHATS"
    )

    sales_agent_url: str = Field(
        default="http://127.0.0.1:8101", validation_alias="SALES_AGENT_URL"
    )
    review_agent_url: str = Field(
        default="http://127.0.0.1:8102", validation_alias="REVIEW_AGENT_URL"
    )
    leadgen_agent_url: str = Field(
        default="http://127.0.0.1:8103", validation_alias="LEADGEN_AGENT_URL"
    )
    contracts_dir: Path = Field(
        default_factory=_default_contracts, validation_alias="CONTRACTS_DIR"
    )
    agent_call_timeout_s: float = Field(
        default=15.0, gt=0, le=120, validation_alias="AGENT_CALL_TIMEOUT_S"
    )
    #: Also offer each agent's own `ask` (its Claude loop over its tools) as a tool. Off: the
    #: gateway composes the typed operations itself, which shows the user every call.
    agent_ask_tools: bool = Field(default=False, validation_alias="AGENT_ASK_TOOLS")

    worker_concurrency: int = Field(
        default=32, ge=1, le=1000, validation_alias="WORKER_CONCURRENCY"
    )
    job_lease_s: float = Field(default=60.0, ge=2, le=3600, validation_alias="JOB_LEASE_S")
    job_max_attempts: int = Field(default=5, ge=1, le=50, validation_alias="JOB_MAX_ATTEMPTS")
    history_turns: int = Field(default=10, ge=0, le=100, validation_alias="HISTORY_TURNS")
    approval_ttl_s: int = Field(default=86_400, ge=60, validation_alias="APPROVAL_TTL_S")

    # Telegram's flood limits for this bot token, enforced across every replica.
    telegram_global_per_s: float = Field(
        default=30.0, gt=0, le=1000, validation_alias="TELEGRAM_GLOBAL_PER_S"
    )
    telegram_chat_per_s: float = Field(
        default=1.0, gt=0, le=100, validation_alias="TELEGRAM_CHAT_PER_S"
    )
    telegram_chat_burst: float = Field(
        default=3.0, ge=1, le=100, validation_alias="TELEGRAM_CHAT_BURST"
    )
    telegram_group_per_minute: float = Field(
        default=20.0, gt=0, le=1000, validation_alias="TELEGRAM_GROUP_PER_MINUTE"
    )
    telegram_paid_broadcast: bool = Field(default=False, validation_alias="TELEGRAM_PAID_BROADCAST")
    #: Bot API requests in flight at once (and connections kept open for them).
    telegram_max_connections: int = Field(
        default=DEFAULT_MAX_CONNECTIONS, ge=1, le=1000, validation_alias="TELEGRAM_MAX_CONNECTIONS"
    )
    #: Answers shown while they are written: drafts in private chats and one edited message
    #: elsewhere (`drafts`), one edited message everywhere (`edits`), or not at all (`off`).
    telegram_streaming: Literal["off", "drafts", "edits"] = Field(
        default="drafts", validation_alias="TELEGRAM_STREAMING"
    )
    #: Least time between two updates of one chat's live answer.
    telegram_stream_interval_s: float = Field(
        default=1.5, ge=0.2, le=60, validation_alias="TELEGRAM_STREAM_INTERVAL_S"
    )

    #: The morning briefing: the zone of `/briefing on 08:00` when none is given, how
    #: overdue a briefing may be and still be sent (marked late past `late_after`), how
    #: often the scheduler looks for due briefings, and how many reply drafts one offers.
    briefing_time_zone: str = Field(default="Europe/Lisbon", validation_alias="BRIEFING_TIME_ZONE")
    briefing_max_late_s: float = Field(
        default=4 * 3600, ge=0, le=86_400, validation_alias="BRIEFING_MAX_LATE_S"
    )
    briefing_late_after_s: float = Field(
        default=300, ge=0, le=86_400, validation_alias="BRIEFING_LATE_AFTER_S"
    )
    briefing_tick_s: float = Field(default=15, gt=0, le=3600, validation_alias="BRIEFING_TICK_S")
    briefing_drafts: int = Field(default=3, ge=0, le=10, validation_alias="BRIEFING_DRAFTS")
    #: Briefings one worker process composes at once: they wait on the paced outbound
    #: path, and the rest of WORKER_CONCURRENCY stays free for people's questions.
    briefing_concurrency: int = Field(
        default=32, ge=1, le=1000, validation_alias="BRIEFING_CONCURRENCY"
    )
    #: How long the briefings of one morning share the agents' answers and the model's
    #: note: 500 subscribers due at 08:00 cost the agents and the model one briefing.
    briefing_share_s: int = Field(default=300, ge=0, le=3600, validation_alias="BRIEFING_SHARE_S")

    #: Web chat users, as comma-separated `user:token` pairs; `mesh run` makes one up.
    web_chat_tokens: SecretStr | None = Field(default=None, validation_alias="WEB_CHAT_TOKENS")

    @field_validator("briefing_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @property
    def briefing_zone(self) -> ZoneInfo:
        return ZoneInfo(self.briefing_time_zone)

    @field_validator("allowed_chats", mode="before")
    @classmethod
    def _split_chats(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @model_validator(mode="after")
    def _telegram_is_coherent(self) -> Self:
        if self.telegram_mode == "webhook" and self.telegram_bot_token is not None:
            if self.telegram_webhook_secret is None:
                raise ValueError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_MODE=webhook")
            if not self.public_url:
                raise ValueError("PUBLIC_URL is required when TELEGRAM_MODE=webhook")
        secret = self.telegram_webhook_secret
        if secret is not None and not (
            1 <= len(secret.get_secret_value()) <= 256
            and all(c.isalnum() or c in "_-" for c in secret.get_secret_value())
        ):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")
        _ = self.web_users  # parsed here too, so a bad value stops start-up
        return self

    @property
    def web_users(self) -> dict[str, str]:
        """Web chat tokens and the user each one signs in."""
        if self.web_chat_tokens is None:
            return {}
        users: dict[str, str] = {}
        for number, pair in enumerate(self.web_chat_tokens.get_secret_value().split(","), 1):
            user, _, token = pair.strip().partition(":")
            # The message names the pair by position: it must never echo a token.
            if not _WEB_USER.match(user):
                raise ValueError(
                    f"WEB_CHAT_TOKENS pair {number}: the user must be 1-64 characters of "
                    "A-Z a-z 0-9 _ . -, followed by ':' and the token"
                )
            if len(token) < 16 or any(c.isspace() or c == "," for c in token):
                raise ValueError(
                    f"WEB_CHAT_TOKENS pair {number}: the token must be at least 16 "
                    "characters, without spaces"
                )
            if token in users:
                raise ValueError(f"WEB_CHAT_TOKENS pair {number}: the token is used twice")
            users[token] = user
        return users

    def web_user(self, token: str) -> str | None:
        """The web chat user `token` signs in, compared in constant time."""
        found: str | None = None
        presented = token.encode()
        for known, user in self.web_users.items():
            if hmac.compare_digest(known.encode(), presented):
                found = user
        return found

    @property
    def flood_limits(self) -> Limits:
        return Limits(
            global_per_s=self.telegram_global_per_s,
            chat_per_s=self.telegram_chat_per_s,
            chat_burst=self.telegram_chat_burst,
            group_per_window=self.telegram_group_per_minute,
            group_window_s=60.0,
            paid_broadcast=self.telegram_paid_broadcast,
        )

    @property
    def agent_urls(self) -> dict[str, str]:
        return {
            "sales-agent": self.sales_agent_url,
            "review-agent": self.review_agent_url,
            "leadgen-agent": self.leadgen_agent_url,
        }
