"""Real service processes: uvicorn on a socket bound here, so ports never race."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx


class ServiceFailed(RuntimeError):
    """A service process exited or never became ready."""


@dataclass
class ServiceProcess:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> int:
        """SIGKILL: the process gets no chance to clean up, as in a crash."""
        self.process.kill()
        self.process.wait()
        self._close_log()
        return self.process.returncode

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM (uvicorn drains and runs the lifespan's shutdown), then SIGKILL."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close_log()
        return self.process.returncode


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when the process that started it dies, so a killed
    test run or `mesh run` never leaves services behind holding their ports."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # uvicorn reopens a handed-over socket as AF_UNIX, so asyncio never sets TCP_NODELAY on
    # its connections; set it here, accepted sockets inherit it (else ~40 ms per response).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def start_service(
    name: str,
    app_factory: str,
    *,
    env: Mapping[str, str],
    host: str = "127.0.0.1",
    port: int = 0,
    log_path: Path | None = None,
) -> ServiceProcess:
    """Start `uvicorn --factory app_factory` on a socket bound here and handed over by fd."""
    sock = bind(host, port)
    try:
        bound_port = sock.getsockname()[1]
        log = log_path.open("ab") if log_path else None
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                app_factory,
                "--fd",
                str(sock.fileno()),
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "5",
            ],
            pass_fds=(sock.fileno(),),
            preexec_fn=_die_with_parent,
            env={**os.environ, **env},
            stdout=log if log else None,
            stderr=subprocess.STDOUT if log else None,
        )
    finally:
        # The child holds its own copy of the listening socket.
        sock.close()
    return ServiceProcess(name, f"http://{host}:{bound_port}", process, log_path, log)


async def wait_ready(service: ServiceProcess, within_s: float = 60.0) -> None:
    """Poll `/readyz` until it answers 200; fail fast when the process exits."""
    deadline = time.monotonic() + within_s
    async with httpx.AsyncClient(timeout=2.0) as client:
        while True:
            code = service.process.poll()
            if code is not None:
                raise ServiceFailed(
                    f"{service.name} exited with status {code} while starting:\n"
                    f"{service.log_tail()}"
                )
            try:
                response = await client.get(f"{service.url}/readyz")
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise ServiceFailed(
                    f"{service.name} was not ready after {within_s:.0f}s:\n{service.log_tail()}"
                )
            await asyncio.sleep(0.1)
