"""The mesh for the benchmark: a PostgreSQL database, the offline model, the Telegram
emulator, the three agents, gateways and the bare reference, each a real uvicorn process on
127.0.0.1 started as `tests/test_gateway_e2e.py` starts them, and stopped by pid."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import secrets
import socket
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.telegram_emulator.settings import DEFAULT_TOKEN
from meshdev.testing import with_database

ROOT = Path(__file__).resolve().parents[1]
WEBHOOK_SECRET = "bench-webhook-secret"
GATEWAY_MODEL_KEY = "offline-bench-gateway"
AGENT_MODEL_KEY = "offline-bench-agents"
#: The demo data's last day, fixed so every run sees the same figures.
DEMO_END_DAY = date(2026, 11, 22)
AGENTS = (
    ("sales-agent", "sales_agent.main:create_app", "SALES_AGENT_URL"),
    ("review-agent", "review_agent.main:create_app", "REVIEW_AGENT_URL"),
    ("leadgen-agent", "leadgen_agent.main:create_app", "LEADGEN_AGENT_URL"),
)


async def admin_dsn() -> str:
    """`DATABASE_URL` (a role that may create databases), else an embedded PostgreSQL of the
    benchmark's own in `.data/pg-bench`, which stops when this process exits."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    from meshdev.localpg import server_dsn

    return await asyncio.to_thread(server_dsn, "postgres", "pg-bench")


@asynccontextmanager
async def database(admin: str, name: str) -> AsyncIterator[str]:
    """A fresh database for one run, dropped afterwards."""
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield with_database(admin, name)
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def free_port() -> int:
    """A port for a service that must know its own URL before it starts (PUBLIC_URL)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mesh:
    """Everything started so far; `service()` adds one, stopped when the stack closes."""

    stack: AsyncExitStack
    logs: Path
    admin: str
    database_url: str
    base_env: dict[str, str]
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    async def service(
        self,
        name: str,
        factory: str,
        env: Mapping[str, str],
        *,
        port: int = 0,
        ready_within_s: float = 120.0,
    ) -> ServiceProcess:
        process = start_service(
            name, factory, env=env, port=port, log_path=self.logs / f"{name}.log"
        )
        self.processes[name] = process
        self.stack.callback(self._stop, name)
        await wait_ready(process, within_s=ready_within_s)
        return process

    def _stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            process.stop()

    def stop(self, name: str) -> None:
        self._stop(name)

    def pids(self) -> dict[str, int]:
        """The running processes' pids, and this one's as `bench`."""
        pids = {name: process.pid for name, process in self.processes.items()}
        pids["bench"] = os.getpid()
        return pids

    async def gateway(
        self, name: str, database_url: str, extra: Mapping[str, str]
    ) -> ServiceProcess:
        """A gateway in webhook mode (as in production) against the emulator and agents."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **self.base_env,
            "DATABASE_URL": database_url,
            "ANTHROPIC_API_KEY": GATEWAY_MODEL_KEY,
            **{
                variable: self.processes[agent].url
                for agent, _, variable in AGENTS
                if agent in self.processes
            },
            "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_API_BASE_URL": self.processes["telegram-emulator"].url,
            "TELEGRAM_MODE": "webhook",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "PUBLIC_URL": url,
            **extra,
        }
        return await self.service(name, "gateway.main:create_app", env, port=port)


def fresh_logs(logs: Path) -> None:
    """One log file per process, for this run only."""
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("*.log"):
        old.unlink()


@asynccontextmanager
async def mesh(logs: Path, *, agents: bool = True, traces: bool = False) -> AsyncIterator[Mesh]:
    """PostgreSQL, a database, the offline model, the emulator, the agents and the bare
    reference; gateways are started by the scenarios. Tracing is off unless `traces` (then
    the local default applies: spans to `.data/traces/`), as in production without a
    collector; `bench/tracing.py` measures what tracing costs."""
    fresh_logs(logs)
    admin = await admin_dsn()
    async with AsyncExitStack() as stack:
        database_url = await stack.enter_async_context(database(admin, f"bench_{os.getpid()}"))
        model_env = {
            "OFFLINE_MODEL_TODAY": (DEMO_END_DAY + timedelta(days=1)).isoformat(),
            "OFFLINE_MODEL_STREAM_DELAY_MS": "0",
            "LOG_LEVEL": "WARNING",
        }
        base_env = {
            "DATABASE_URL": database_url,
            "MESH_SERVICE_SECRET": "bench-" + secrets.token_hex(24),
            "MESH_ENV": "local",
            "SEED_END_DATE": DEMO_END_DAY.isoformat(),
            "MESH_TODAY": (DEMO_END_DAY + timedelta(days=1)).isoformat(),
            "ANTHROPIC_API_KEY": AGENT_MODEL_KEY,
            "LOG_FORMAT": "json",
            **({} if traces else {"OTEL_TRACES_EXPORTER": "none"}),
        }
        state = Mesh(stack, logs, admin, database_url, base_env)
        starting = [
            state.service("offline-model", "meshdev.offline_model.server:create_app", model_env),
            state.service(
                "telegram-emulator",
                "meshdev.telegram_emulator.server:create_app",
                {"TELEGRAM_EMULATOR_TOKEN": DEFAULT_TOKEN, "LOG_LEVEL": "WARNING"},
            ),
            state.service("bare", "bench.bare:create_app", {"PYTHONPATH": str(ROOT)}),
        ]
        await asyncio.gather(*starting)
        base_env["ANTHROPIC_BASE_URL"] = state.processes["offline-model"].url
        if agents:
            # One at a time: each seeds its schema on first start, and two cores are few.
            for name, factory, _ in AGENTS:
                await state.service(name, factory, base_env)
        yield state


# CPU accounting -----------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # After the command: state, ppid, ... utime is field 14 and stime 15 of the whole line.
    return (int(fields[11]) + int(fields[12])) / _TICKS


_KERNEL_THREAD = 0x00200000  # PF_KTHREAD in /proc/<pid>/stat's flags


def kernel_thread_seconds() -> float:
    """CPU time of the kernel's own threads (ksoftirqd, kworker: loopback networking and
    disk work on behalf of the processes measured), so it is not taken for someone else's."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[6]) & _KERNEL_THREAD:
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


async def postmaster_pid(dsn: str) -> int | None:
    """The local PostgreSQL server's pid, when it runs on this machine."""
    host = urlsplit(dsn).hostname
    if host not in (None, "", "localhost", "127.0.0.1", "::1"):
        return None
    conn = await asyncpg.connect(dsn)
    try:
        # Read while connected: the backend process ends with its connection.
        return parent_pid(await conn.fetchval("SELECT pg_backend_pid()"))
    finally:
        await conn.close()


def parent_pid(pid: int) -> int | None:
    with contextlib.suppress(OSError, IndexError, ValueError):
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    return None


async def machine_busy(seconds: float = 2.0) -> float:
    """The share of the machine's CPU (all cores) in use over a short look, before a run."""
    before = machine_busy_seconds()
    await asyncio.sleep(seconds)
    return (machine_busy_seconds() - before) / (seconds * (os.cpu_count() or 1))


def children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent not idle, over all cores."""
    processes, interrupts = machine_split_seconds()
    return processes + interrupts


def machine_split_seconds() -> tuple[float, float]:
    """CPU time spent by processes (user and system), and by the kernel's interrupt
    handling (irq, softirq: loopback networking lands there) and steal."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system) / _TICKS, (irq + softirq + steal) / _TICKS


@dataclass
class CpuMeter:
    """CPU seconds each process (and PostgreSQL with all its backends) uses in a window, what
    other processes on the machine used meanwhile (`other`: someone else's work), so a
    disturbed run shows as one, and the kernel's own work (`kernel`: its threads and
    interrupt handling, mostly loopback networking)."""

    pids: dict[str, int]
    postmaster: int | None
    _start: dict[str, float] = field(default_factory=dict)
    _pg_start: dict[int, float] = field(default_factory=dict)
    _machine_start: tuple[float, float] = (0.0, 0.0)
    _kernel_start: float = 0.0
    _wall_start: float = 0.0
    _children_start: float = 0.0

    def _pg(self) -> dict[int, float]:
        if self.postmaster is None:
            return {}
        pids = [self.postmaster, *children(self.postmaster)]
        return {pid: cpu_seconds(pid) for pid in pids}

    def start(self) -> None:
        self._start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._pg_start = self._pg()
        self._machine_start = machine_split_seconds()
        self._kernel_start = kernel_thread_seconds()
        self._wall_start = time.monotonic()
        self._children_start = children_seconds()

    def stop(self) -> dict[str, float]:
        used = {name: cpu_seconds(pid) - self._start[name] for name, pid in self.pids.items()}
        if self.postmaster is not None:
            # Backends that came and went in between are missed; pools keep theirs open.
            pg = self._pg()
            used["postgresql"] = sum(t - self._pg_start.get(pid, 0.0) for pid, t in pg.items())
        # Children this process has waited for: wrk.
        used["wrk"] = children_seconds() - self._children_start
        processes, interrupts = machine_split_seconds()
        ours = sum(used.values())
        kernel = kernel_thread_seconds() - self._kernel_start
        used["other"] = max(0.0, processes - self._machine_start[0] - ours - kernel)
        used["kernel"] = kernel + interrupts - self._machine_start[1]
        #: The window's capacity: wall time times cores.
        used["capacity"] = (time.monotonic() - self._wall_start) * (os.cpu_count() or 1)
        return used
