"""Load generators: wrk (closed loop) when installed, else an asyncio one; and an open-loop
generator that sends on a fixed schedule and measures from the scheduled time.

The asyncio clients speak just enough HTTP/1.1 over raw streams (keep-alive, Content-Length
bodies) that the client costs little CPU: on two cores the load generator and the server
share the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WRK_SCRIPT = Path(__file__).with_name("webhook.lua")

#: Builds the body of request number `n` (0-based) of a run.
BodyFactory = Callable[[int], bytes]


@dataclass(frozen=True, slots=True)
class Throughput:
    tool: str
    connections: int
    seconds: float
    #: Responses with a 2xx status.
    ok: int
    #: Non-2xx responses, timeouts and socket errors.
    errors: int

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class Latencies:
    """Latencies of an open-loop run, in seconds, each from its request's scheduled time."""

    rate: float
    sent: int
    ok: int
    errors: int
    #: How late the generator itself sent, at worst: a large value means the client, not
    #: the server, was the bottleneck.
    max_send_lag: float
    samples: tuple[float, ...]
    #: When each sample's request was due, in seconds from the start of the run.
    due: tuple[float, ...] = ()
    #: Wall-clock time of the start of the run, to line samples up with the services' logs.
    started_at: float = 0.0

    def percentile(self, p: float) -> float:
        if not self.samples:
            return math.nan
        ordered = sorted(self.samples)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1]

    def write_csv(self, path: Path) -> None:
        """Each request's due time and latency, for plotting a run's hiccups."""
        rows = [f"# started_at={self.started_at:.3f} (unix time)", "due_s,latency_ms"]
        rows += [
            f"{due:.4f},{lat * 1000:.3f}" for due, lat in zip(self.due, self.samples, strict=True)
        ]
        path.write_text("\n".join(rows) + "\n")

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    @property
    def max(self) -> float:
        return max(self.samples) if self.samples else math.nan


class ConnectionLost(ConnectionError):
    """The server closed a kept-alive connection before answering."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    #: Header lines as received, Content-Length and Transfer-Encoding included.
    headers: list[tuple[bytes, bytes]]
    #: The body, de-chunked when it came chunked.
    body: bytes


class HttpConnection:
    """One keep-alive HTTP/1.1 connection: send a request, read its whole response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> HttpConnection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> Response:
        self.writer.write(request)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                raise ConnectionLost("closed before the response") from None
            raise
        lines = head[:-4].split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = []
        length = 0
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip(), value.strip()
            headers.append((name, value))
            if name.lower() == b"content-length":
                length = int(value)
            elif name.lower() == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if chunked:
            return Response(status, headers, await self._chunks())
        return Response(status, headers, await self.reader.readexactly(length) if length else b"")

    async def _chunks(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def post(self, request: bytes) -> tuple[int, bytes]:
        """Send a whole request; the response's status and body."""
        response = await self.exchange(request)
        return response.status, response.body

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


def post_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class ConnectionPool:
    """Idle connections, most recently used first, so the server's keep-alive timeout
    closes only the ones that sat idle; a request finding its reused connection closed
    opens a new one and tries again."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._idle: list[HttpConnection] = []

    async def exchange(self, request: bytes) -> Response:
        while self._idle:
            connection = self._idle.pop()
            try:
                response = await connection.exchange(request)
            except (ConnectionLost, ConnectionResetError, BrokenPipeError):
                await connection.close()
                continue
            self._idle.append(connection)
            return response
        connection = await HttpConnection.open(self.host, self.port)
        response = await connection.exchange(request)
        self._idle.append(connection)
        return response

    async def post(self, request: bytes) -> tuple[int, bytes]:
        response = await self.exchange(request)
        return response.status, response.body

    async def warm(self, connections: int) -> None:
        opened = await asyncio.gather(
            *(HttpConnection.open(self.host, self.port) for _ in range(connections))
        )
        self._idle.extend(opened)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        await asyncio.gather(*(connection.close() for connection in idle))


async def open_loop(
    url: str,
    path: str,
    body: BodyFactory,
    headers: dict[str, str],
    *,
    rate: float,
    seconds: float,
    timeout_s: float = 10.0,
) -> Latencies:
    """Send `rate` requests a second for `seconds`, each at its scheduled time whether or not
    earlier ones were answered, and time each from when it was due (so a stall shows up in
    every request it delays: no coordinated omission)."""
    host, port = _host_port(url)
    loop = asyncio.get_running_loop()
    pool = ConnectionPool(host, port)
    await pool.warm(4)
    total = round(rate * seconds)
    samples: list[float] = []
    due_at: list[float] = []
    errors = 0
    lag = 0.0

    start = loop.time() + 0.05
    started_at = time.time() + 0.05

    async def one(due: float, request: bytes) -> None:
        nonlocal errors
        try:
            async with asyncio.timeout(timeout_s):
                status, _ = await pool.post(request)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
            return
        if 200 <= status < 300:
            samples.append(loop.time() - due)
            due_at.append(due - start)
        else:
            errors += 1

    tasks: list[asyncio.Task[None]] = []
    try:
        for number in range(total):
            due = start + number / rate
            request = post_request(host, port, path, body(number), headers)
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            lag = max(lag, loop.time() - due)
            tasks.append(asyncio.create_task(one(due, request)))
        await asyncio.gather(*tasks)
    finally:
        await pool.close()
    return Latencies(
        rate, total, len(samples), errors, lag, tuple(samples), tuple(due_at), started_at
    )


async def open_loop_apart(
    url: str,
    path: str,
    body: BodyFactory,
    headers: dict[str, str],
    *,
    rate: float,
    seconds: float,
    timeout_s: float = 10.0,
) -> Latencies:
    """`open_loop` in a process of its own (this module run as a script), so that nothing
    else the benchmark does (the model router's streams, its bookkeeping, its collector)
    can delay a send or a read and be counted as the server's latency."""
    total = round(rate * seconds)
    job = {
        "args": [url, path, [body(n).decode("latin-1") for n in range(total)], headers],
        "options": {"rate": rate, "seconds": seconds, "timeout_s": timeout_s},
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.load",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parent.parent,
    )
    out, _ = await child.communicate(json.dumps(job).encode())
    if child.returncode != 0:
        raise RuntimeError(f"the open-loop generator failed ({child.returncode})")
    fields: dict[str, Any] = json.loads(out)
    return Latencies(**{**fields, "samples": tuple(fields["samples"]), "due": tuple(fields["due"])})


async def _open_loop_job(job: dict[str, Any]) -> Latencies:
    url, path, texts, headers = job["args"]
    bodies = [text.encode("latin-1") for text in texts]
    return await open_loop(url, path, bodies.__getitem__, headers, **job["options"])


def _main() -> None:
    """One open-loop run: the job as JSON on stdin, its `Latencies` as JSON on stdout."""
    import gc

    job = json.load(sys.stdin)
    gc.collect()
    gc.freeze()  # the bodies stay; nothing the run allocates is worth a full collection
    # asyncio's own loop, not uvloop: uvloop's clock (`loop.time()`) ticks in milliseconds.
    result = asyncio.run(_open_loop_job(job))
    json.dump(dataclasses.asdict(result), sys.stdout)


async def closed_loop_asyncio(
    url: str,
    path: str,
    body: BodyFactory,
    headers: dict[str, str],
    *,
    connections: int,
    seconds: float,
) -> Throughput:
    """`connections` clients, each sending its next request as soon as the last is answered."""
    host, port = _host_port(url)
    loop = asyncio.get_running_loop()
    counter = iter(range(10**9))
    ok = errors = 0
    deadline = loop.time() + seconds

    async def client() -> None:
        nonlocal ok, errors
        connection = await HttpConnection.open(host, port)
        try:
            while loop.time() < deadline:
                request = post_request(host, port, path, body(next(counter)), headers)
                try:
                    status, _ = await connection.post(request)
                except (OSError, asyncio.IncompleteReadError):
                    errors += 1
                    await connection.close()
                    connection = await HttpConnection.open(host, port)
                    continue
                if 200 <= status < 300:
                    ok += 1
                else:
                    errors += 1
        finally:
            await connection.close()

    started = loop.time()
    await asyncio.gather(*(client() for _ in range(connections)))
    return Throughput("asyncio", connections, loop.time() - started, ok, errors)


def wrk_path() -> str | None:
    return shutil.which("wrk")


async def closed_loop_wrk(
    wrk: str,
    url: str,
    path: str,
    secret: str,
    first_id: int,
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
) -> Throughput:
    """wrk with `webhook.lua`: a distinct update per request, its summary read back as JSON."""
    process = await asyncio.create_subprocess_exec(
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "-s",
        str(WRK_SCRIPT),
        url,
        "--",
        path,
        secret,
        str(first_id),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with asyncio.timeout(seconds + 30):
            output, _ = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = output.decode(errors="replace")
    for line in text.splitlines():
        if line.startswith("WRK_RESULT "):
            result = json.loads(line.removeprefix("WRK_RESULT "))
            break
    else:
        raise RuntimeError(f"wrk printed no result:\n{text}")
    errors = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Throughput(
        "wrk",
        connections,
        result["duration_us"] / 1e6,
        result["requests"] - result["status"],
        errors,
    )


def _host_port(url: str) -> tuple[str, int]:
    rest = url.removeprefix("http://").rstrip("/")
    host, _, port = rest.partition(":")
    return host, int(port)


def now() -> float:
    """Wall-clock seconds, comparable with the emulator's recorded call times."""
    return time.time()


if __name__ == "__main__":
    _main()
