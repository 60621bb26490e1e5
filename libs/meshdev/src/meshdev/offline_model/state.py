"""What one server holds: its settings and, per API key, scripts, requests and cache."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from meshdev.offline_model.protocol import ApiError, error_body
from meshdev.offline_model.scripted import KeyStore, RecordedRequest
from meshdev.offline_model.settings import OfflineModelSettings

_HIDDEN_HEADERS = {"authorization", "x-api-key", "cookie", "proxy-authorization"}


@dataclass
class ServerState:
    settings: OfflineModelSettings
    store: KeyStore = field(default_factory=KeyStore)

    def today(self, key: str | None = None) -> tuple[date, bool]:
        """The date demo mode calls today for `key`, and whether the key pinned it."""
        pinned = self.store.state(key).today if key is not None else None
        if pinned is not None:
            return pinned, True
        # Read per request, so a server left running overnight moves on with the calendar.
        return self.settings.today or datetime.now().astimezone().date(), False

    def record(
        self,
        request: Request,
        key: str | None,
        raw: bytes,
        status: int,
        step: int | None = None,
    ) -> RecordedRequest | None:
        """Remember a request under the key it presented, credentials left out."""
        if key is None:
            return None
        body: Any = None
        raw_text: str | None = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raw_text = raw.decode("utf-8", errors="replace")
        return self.store.record(
            key,
            received_at=datetime.now(UTC),
            method=request.method,
            path=request.url.path,
            headers={k: v for k, v in request.headers.items() if k not in _HIDDEN_HEADERS},
            body=body,
            raw_body=raw_text,
            status=status,
            script_step=step,
        )


def error_response(error: ApiError, request_id: str) -> JSONResponse:
    return JSONResponse(
        error_body(error.error_type, error.message, request_id),
        status_code=error.status,
        headers={"request-id": request_id, **error.headers},
    )
