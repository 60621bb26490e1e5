"""A typed client for the offline model's control endpoints (`/_offline/...`), for tests.

```python
async with OfflineModelControl(url) as control:
    await control.script(key, [overloaded(), reply("Hello")])
    ...
    bodies = [r.body for r in await control.requests(key)]
```
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from types import TracebackType
from typing import Self
from urllib.parse import quote

import httpx

from meshdev.offline_model.scripted import (
    KeyConfig,
    RecordedRequest,
    RecordedRequests,
    Script,
    ScriptedError,
    ScriptedResponse,
    ScriptStatus,
    ServerInfo,
)


class OfflineModelControl:
    """Loads scripts, reads back requests and resets state on one offline model server."""

    def __init__(self, base_url: str, *, client: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=10.0)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    def _key_url(self, key: str, tail: str = "") -> str:
        return f"{self.base_url}/_offline/keys/{quote(key, safe='')}{tail}"

    async def info(self) -> ServerInfo:
        response = await self._client.get(f"{self.base_url}/_offline/info")
        response.raise_for_status()
        return ServerInfo.model_validate(response.json())

    async def script(
        self, key: str, steps: Sequence[ScriptedResponse | ScriptedError]
    ) -> ScriptStatus:
        """Answer the key's next requests with `steps`, in order (replaces any script)."""
        body = Script(steps=list(steps)).model_dump(mode="json")
        response = await self._client.put(self._key_url(key, "/script"), json=body)
        response.raise_for_status()
        return ScriptStatus.model_validate(response.json())

    async def status(self, key: str) -> ScriptStatus:
        response = await self._client.get(self._key_url(key, "/script"))
        response.raise_for_status()
        return ScriptStatus.model_validate(response.json())

    async def configure(self, key: str, *, today: date | None) -> KeyConfig:
        """Pin the date demo mode calls "today" for this key (None: the server's)."""
        body = KeyConfig(today=today).model_dump(mode="json")
        response = await self._client.put(self._key_url(key, "/config"), json=body)
        response.raise_for_status()
        return KeyConfig.model_validate(response.json())

    async def requests(
        self, key: str, *, path: str | None = "/v1/messages"
    ) -> list[RecordedRequest]:
        """The requests the key sent, oldest first; `path=None` for every endpoint."""
        params = {"path": path} if path else {}
        response = await self._client.get(self._key_url(key, "/requests"), params=params)
        response.raise_for_status()
        return RecordedRequests.model_validate(response.json()).requests

    async def reset(self, key: str | None = None) -> None:
        """Forget one key's script, requests and cache, or everything."""
        if key is None:
            response = await self._client.post(f"{self.base_url}/_offline/reset")
        else:
            response = await self._client.delete(self._key_url(key))
        response.raise_for_status()
