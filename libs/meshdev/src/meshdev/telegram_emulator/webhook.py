"""Webhook delivery: each pending update is POSTed to the bot's URL as Telegram does it.

Updates of one chat go out one at a time and in order (a failing update holds back the later
ones of its chat, not other chats); a failure is retried with doubling pauses and recorded as
the webhook's last error; after the configured attempts the update is dropped, as Telegram
eventually gives up. A 2xx answer whose body names a `method` runs that method, as Telegram
allows a webhook to reply with one call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

import httpx

from meshdev.telegram_emulator.api import BotApi
from meshdev.telegram_emulator.models import Delivery
from meshdev.telegram_emulator.state import PendingUpdate, State, Webhook

log = logging.getLogger("meshdev.telegram_emulator.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


class WebhookDeliverer:
    def __init__(self, state: State, api: BotApi) -> None:
        self.state = state
        self.api = api
        self.settings = state.settings
        self._lanes: dict[int | None, asyncio.Task[None]] = {}
        self._runner: asyncio.Task[None] | None = None

    def start(self, http: httpx.AsyncClient) -> None:
        self._runner = asyncio.create_task(self._run(http), name="webhook-deliverer")

    async def stop(self) -> None:
        tasks = [*self._lanes.values(), *([self._runner] if self._runner else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._lanes.clear()
        self._runner = None

    def _idle_lanes(self) -> list[int | None] | None:
        with self.state.lock:
            webhook = self.state.webhook
            if webhook is None:
                return None
            room = webhook.max_connections - len(self._lanes)
            waiting = [lane for lane in self.state.webhook_lanes() if lane not in self._lanes]
        return waiting[:room] or None

    async def _run(self, http: httpx.AsyncClient) -> None:
        while True:
            lanes = await self.state.notifier.wait_for(self._idle_lanes, None)
            for lane in lanes or []:
                self._lanes[lane] = asyncio.create_task(self._lane(lane, http))

    async def _lane(self, lane: int | None, http: httpx.AsyncClient) -> None:
        try:
            while True:
                job = self.state.next_delivery(lane)
                if job is None:
                    return
                webhook, update = job
                if await self._deliver(http, webhook, update):
                    continue
                with self.state.transaction():
                    if update.status != "pending":
                        continue
                    if update.attempts >= self.settings.webhook_max_attempts:
                        self.state.settle(update, "dropped")
                        log.warning(
                            "webhook gave up on an update",
                            extra={"update_id": update.update_id, "attempts": update.attempts},
                        )
                        continue
                    pause = min(
                        self.settings.webhook_retry_initial_s * 2 ** (update.attempts - 1),
                        self.settings.webhook_retry_max_s,
                    )
                await asyncio.sleep(pause)
        finally:
            self._lanes.pop(lane, None)
            # The runner may have skipped this chat while the lane was finishing.
            self.state.notifier.notify_all()

    async def _deliver(
        self, http: httpx.AsyncClient, webhook: Webhook, update: PendingUpdate
    ) -> bool:
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers[SECRET_HEADER] = webhook.secret_token
        with self.state.lock:
            update.attempts += 1
            attempt = update.attempts
            body = json.dumps(update.payload, ensure_ascii=False).encode()
        started = time.monotonic()
        status_code: int | None = None
        error: str | None = None
        reply: Any = None
        try:
            response = await http.post(
                webhook.url, content=body, headers=headers, timeout=self.settings.webhook_timeout_s
            )
            status_code = response.status_code
            if response.is_success:
                with contextlib.suppress(ValueError):
                    reply = response.json()
            else:
                error = f"Wrong response from the webhook: {status_code} {response.reason_phrase}"
        except httpx.TimeoutException:
            error = "Read timeout expired"
        except httpx.ConnectError:
            error = "Connection refused"
        except httpx.HTTPError as exc:
            error = f"Connection error: {type(exc).__name__}"
        with self.state.transaction():
            self.state.deliveries.append(
                Delivery(
                    update_id=update.update_id,
                    attempt=attempt,
                    at=time.time(),
                    url=webhook.url,
                    status_code=status_code,
                    error=error,
                    secret_header=SECRET_HEADER in headers,
                    duration_s=time.monotonic() - started,
                )
            )
            if error is None:
                if update.status == "pending":
                    self.state.settle(update, "delivered")
            elif self.state.webhook is not None:
                self.state.last_error_date = int(time.time())
                self.state.last_error_message = error
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            values = dict(reply)
            method = values.pop("method")
            await self.api.call(method, values, http_method="POST", via="webhook_reply")
        return error is None
