from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic
import pytest

from meshdev.pytest_plugin import OfflineModel


@pytest.fixture
async def claude(
    offline_model: OfflineModel, model_key: str
) -> AsyncIterator[anthropic.AsyncAnthropic]:
    """The real SDK pointed at the offline model with this test's key; no retries unless a
    test asks for them."""
    async with anthropic.AsyncAnthropic(
        base_url=offline_model.url, api_key=model_key, max_retries=0
    ) as client:
        yield client
