"""meshkit.logs: what each level shows."""

from __future__ import annotations

import logging

import pytest

from meshkit.logs import configure_logging


@pytest.mark.parametrize("client", ["httpx", "httpx2"])
def test_http_clients_request_lines_show_at_debug_only(client: str) -> None:
    logger = logging.getLogger(client)
    try:
        configure_logging("t", "INFO")
        assert not logger.isEnabledFor(logging.INFO)
        assert logger.isEnabledFor(logging.WARNING)
        configure_logging("t", "DEBUG")
        assert logger.isEnabledFor(logging.INFO)
    finally:
        configure_logging("t", "INFO")
