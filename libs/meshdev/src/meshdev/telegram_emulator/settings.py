"""Settings of the Telegram Bot API emulator, read from the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: A token for the emulator only; Telegram would refuse it.
DEFAULT_TOKEN = "123456:emulator-token"  # noqa: S105


class EmulatorSettings(BaseSettings):
    """How the emulator behaves; every field has a working default."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", case_sensitive=False, validate_by_name=True
    )

    #: The one bot token the Bot API side accepts; its digits before ':' are the bot's id.
    token: SecretStr = Field(
        default=SecretStr(DEFAULT_TOKEN), validation_alias="TELEGRAM_EMULATOR_TOKEN"
    )
    bot_username: str = Field(
        default="mesh_emulator_bot",
        pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$",
        validation_alias="TELEGRAM_EMULATOR_BOT_USERNAME",
    )
    bot_first_name: str = Field(
        default="Mesh Emulator Bot", validation_alias="TELEGRAM_EMULATOR_BOT_NAME"
    )
    #: Telegram's group privacy mode: in groups the bot only gets commands, mentions of it
    #: and replies to it. Off by default so group tests see every message.
    privacy_mode: bool = Field(default=False, validation_alias="TELEGRAM_EMULATOR_PRIVACY_MODE")
    #: Longest getUpdates long poll honoured; Telegram's own cap is 50 s.
    max_long_poll_s: float = Field(
        default=50.0, gt=0, validation_alias="TELEGRAM_EMULATOR_MAX_LONG_POLL_S"
    )
    webhook_timeout_s: float = Field(
        default=10.0, gt=0, validation_alias="TELEGRAM_EMULATOR_WEBHOOK_TIMEOUT_S"
    )
    #: First pause before redelivering a failed update; it doubles up to the maximum.
    webhook_retry_initial_s: float = Field(
        default=0.5, gt=0, validation_alias="TELEGRAM_EMULATOR_WEBHOOK_RETRY_INITIAL_S"
    )
    webhook_retry_max_s: float = Field(
        default=10.0, gt=0, validation_alias="TELEGRAM_EMULATOR_WEBHOOK_RETRY_MAX_S"
    )
    #: Attempts per update before it is dropped, as Telegram gives up on a dead webhook.
    webhook_max_attempts: int = Field(
        default=10, ge=1, validation_alias="TELEGRAM_EMULATOR_WEBHOOK_MAX_ATTEMPTS"
    )
    flood_limits: bool = Field(default=False, validation_alias="TELEGRAM_EMULATOR_FLOOD_LIMITS")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias="LOG_LEVEL"
    )
    log_format: Literal["json", "text"] = Field(default="text", validation_alias="LOG_FORMAT")

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        bot_id, colon, secret = value.get_secret_value().partition(":")
        if not (bot_id.isdigit() and colon and secret):
            raise ValueError("a bot token looks like '<digits>:<secret>'")
        return value

    @property
    def bot_id(self) -> int:
        return int(self.token.get_secret_value().partition(":")[0])
