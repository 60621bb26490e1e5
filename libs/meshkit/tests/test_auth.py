from __future__ import annotations

import time

import jwt
import pytest

from meshkit.auth import TokenMinter, TokenVerifier
from meshkit.errors import Forbidden, Unauthorized

SECRET = "a" * 40
OLD_SECRET = "b" * 40


def verifier(*secrets: str) -> TokenVerifier:
    return TokenVerifier(list(secrets or (SECRET,)), "sales-agent", frozenset({"gateway"}))


def test_token_names_caller_and_audience() -> None:
    token = TokenMinter(SECRET, "gateway").mint("sales-agent")
    caller = verifier().verify(token)
    assert caller.name == "gateway"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="sales-agent")
    assert claims["exp"] - claims["iat"] == 120


def test_previous_secret_is_accepted_during_rotation() -> None:
    token = TokenMinter(OLD_SECRET, "gateway").mint("sales-agent")
    assert verifier(SECRET, OLD_SECRET).verify(token).name == "gateway"
    with pytest.raises(Unauthorized):
        verifier(SECRET).verify(token)


def test_wrong_audience_is_forbidden_not_unauthorized() -> None:
    token = TokenMinter(SECRET, "gateway").mint("review-agent")
    with pytest.raises(Forbidden):
        verifier().verify(token)


def test_unsigned_token_is_refused() -> None:
    token = jwt.encode(
        {
            "iss": "gateway",
            "aud": "sales-agent",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
        },
        key=None,
        algorithm="none",
    )
    with pytest.raises(Unauthorized):
        verifier().verify(token)


def test_cached_token_is_renewed_before_it_expires() -> None:
    minter = TokenMinter(SECRET, "gateway", ttl_s=30)
    first = minter.token_for("sales-agent")
    assert minter.token_for("sales-agent") == first
    audience_cache = minter._cache["sales-agent"]
    minter._cache["sales-agent"] = (audience_cache[0], time.time() - 1)
    assert minter.token_for("sales-agent") != first
