"""Opaque keyset cursors: stable pages however many rows arrive between requests."""

from __future__ import annotations

import base64
import json
from typing import Any

from meshkit.errors import InvalidInput


class InvalidCursor(InvalidInput):
    slug = "invalid-cursor"
    title = "Invalid cursor"


def encode_cursor(*key: Any) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The key a cursor carries; a cursor we did not issue is a 422, not a 500."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor("The cursor is not one this service issued.") from None
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidCursor("The cursor is not one this service issued.")
    return key
