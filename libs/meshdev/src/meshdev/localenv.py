"""Where local state lives (`.data/` at the repository root), the local mesh secret and the
local web chat token."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def repo_root() -> Path:
    """The checkout this package was installed from (workspace members install editable)."""
    override = os.environ.get("MESH_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[4]


def data_dir() -> Path:
    """`.data/` under the repository (ignored by git); never a home directory, because the
    embedded PostgreSQL opens read permission on every parent of its data dir."""
    override = os.environ.get("MESH_DATA_DIR")
    path = Path(override).resolve() if override else repo_root() / ".data"
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_service_secret() -> str:
    """The mesh secret for local runs: generated once, shared by every local service."""
    return _generated("service-secret", 48)


def local_web_chat_token() -> str:
    """The web chat token `mesh run` signs its user in with: generated once."""
    return _generated("web-chat-token", 24)


def _generated(name: str, size: int) -> str:
    path = data_dir() / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    candidate = secrets.token_urlsafe(size)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(candidate)
    try:
        # link() fails if another process won the race; then its secret is the one.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()
