from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from meshkit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "review-agent"
    default_callers: ClassVar[tuple[str, ...]] = ("gateway", "leadgen-agent", "mesh-cli")

    seed_demo_data: bool = Field(default=True, validation_alias="SEED_DEMO_DATA")
    #: Last day of the demo history; yesterday (UTC) at first start when unset.
    seed_end_date: date | None = Field(default=None, validation_alias="SEED_END_DATE")
    sales_agent_url: str = Field(
        default="http://127.0.0.1:8101",
        pattern=r"^https?://[^\s/]+(/\S*)?$",
        validation_alias="SALES_AGENT_URL",
    )
