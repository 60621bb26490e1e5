"""Service-to-service tokens.

Every call between services carries a short-lived JWT (HS256 over the mesh secret) naming
the caller (`iss`/`sub`) and the audience (the called service). The called service refuses
a missing, forged, expired or unknown-caller token with 401 and a token meant for another
service with 403.

A shared HMAC secret keeps operations simple (one secret in the secret manager); its cost is
that any service holding it could mint a token under another name, so callers are trusted
to be our own deployments. Key rotation: `MESH_SERVICE_SECRET` may hold the new secret and
`MESH_SERVICE_SECRET_PREVIOUS` the old one while replicas roll.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Annotated

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from meshkit.errors import Forbidden, Unauthorized

ALGORITHM = "HS256"
_LEEWAY_S = 5


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated service that made a request."""

    name: str
    token_id: str


class TokenMinter:
    """Mints tokens for one caller, cached per audience until shortly before they expire."""

    def __init__(self, secret: str, caller: str, ttl_s: int = 120) -> None:
        self._secret = secret
        self.caller = caller
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[str, float]] = {}

    def mint(self, audience: str, *, ttl_s: int | None = None, now: float | None = None) -> str:
        issued = time.time() if now is None else now
        ttl = self.ttl_s if ttl_s is None else ttl_s
        claims = {
            "iss": self.caller,
            "sub": self.caller,
            "aud": audience,
            "iat": int(issued),
            "exp": int(issued) + ttl,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def token_for(self, audience: str) -> str:
        now = time.time()
        cached = self._cache.get(audience)
        # Renew at two thirds of the lifetime so a token never expires in flight.
        if cached is not None and now < cached[1]:
            return cached[0]
        token = self.mint(audience, now=now)
        self._cache[audience] = (token, now + self.ttl_s * 2 / 3)
        return token


class ServiceTokenAuth(httpx.Auth):
    """httpx auth flow stamping every request with a fresh service token."""

    def __init__(self, minter: TokenMinter, audience: str) -> None:
        self._minter = minter
        self._audience = audience

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._minter.token_for(self._audience)}"
        yield request


class TokenVerifier:
    """Checks incoming tokens for one service."""

    def __init__(self, secrets_: list[str], audience: str, allowed_callers: frozenset[str]) -> None:
        if not secrets_:
            raise ValueError("at least one secret is required")
        self._secrets = secrets_
        self.audience = audience
        self.allowed_callers = allowed_callers

    def verify(self, token: str) -> Caller:
        claims: dict[str, object] | None = None
        for secret in self._secrets:
            try:
                claims = jwt.decode(
                    token,
                    secret,
                    algorithms=[ALGORITHM],
                    options={"require": ["iss", "aud", "exp", "iat"], "verify_aud": False},
                    leeway=_LEEWAY_S,
                )
                break
            except jwt.ExpiredSignatureError:
                raise Unauthorized("The service token has expired.") from None
            except jwt.InvalidSignatureError:
                continue
            except jwt.InvalidTokenError:
                raise Unauthorized("The service token is malformed.") from None
        if claims is None:
            raise Unauthorized("The service token's signature is not valid.")
        caller = claims.get("iss")
        if not isinstance(caller, str) or caller not in self.allowed_callers:
            raise Unauthorized(f"Caller {str(caller)[:64]!r} is not known to {self.audience}.")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.audience not in audiences:
            raise Forbidden(f"This token is meant for another service, not {self.audience}.")
        return Caller(name=caller, token_id=str(claims.get("jti", "")))


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ServiceToken",
    description="A short-lived JWT naming the calling service (iss) and this service (aud).",
)


async def get_verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.state.verifier
    return verifier


async def require_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    verifier: Annotated[TokenVerifier, Depends(get_verifier)],
) -> Caller:
    if credentials is None:
        raise Unauthorized("A bearer service token is required.")
    return verifier.verify(credentials.credentials)


CallerDep = Annotated[Caller, Depends(require_caller)]
