#!/usr/bin/env python3
"""Load test of `rlsmed serve`: 200 concurrent CDS Hooks order-sign calls on loopback.

    pip install '.[serve]' && python benchmarks/serve.py [--concurrency 200] [--rounds 10] [--access-log]

Starts `python -m rlsmed serve --port 0` (this interpreter's rlsmed) and, after a warm-up round, sends
`--rounds` rounds of `--concurrency` calls at once, each on a keep-alive connection of its own, and waits
for every answer before the next round. Each call is one order-sign request like an EHR's: three draft
orders (sertraline by RxNorm code, amlodipine, metformin), the patient's conditions (RLS among them)
and six active medications prefetched; each answer must be 200 with exactly one card, or it counts as
an error. The client is a minimal asyncio HTTP/1.1 client, so that the load generator (which shares the
machine) costs the server as little CPU as it can. Prints a Markdown report: latency p50/p99/max,
errors, calls a second, the server's CPU time a call (what p99 is made of when calls queue: about
concurrency times the CPU a call), and its memory before and after.

Traffic goes to 127.0.0.1 only; the run is bounded (rounds times concurrency calls, 60 s a call) and stops
the server at the end. Goal on a 2-core machine: p99 <= 50 ms with 0 errors. Take figures on a quiet
machine: other processes' load shows up in every number.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTED = "CDS Hooks discovery is at "
PATH = "/cds-services/rlsmed-order-sign"
CALL = json.loads((Path(__file__).parent / "order-sign.json").read_text(encoding="utf-8"))


def request(port: int) -> bytes:
    """One order-sign call as HTTP/1.1 bytes (a new hookInstance each time, as an EHR sends)."""
    body = json.dumps({**CALL, "hookInstance": str(uuid.uuid4())}).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Connection:
    """A keep-alive HTTP/1.1 connection that sends a call and reads the answer's status and body."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, data: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(data)
        await self.writer.drain()
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def one(connection: Connection, data: bytes) -> tuple[float, bool]:
    """(seconds, answered well) of one call."""
    start = time.perf_counter()
    try:
        status, body = await asyncio.wait_for(connection.call(data), 60)
        ok = status == 200 and len(json.loads(body)["cards"]) == 1
    except (TimeoutError, OSError, ValueError, KeyError, asyncio.IncompleteReadError):
        connection.close()
        connection.writer = None
        ok = False
    return time.perf_counter() - start, ok


async def load(port: int, concurrency: int, rounds: int, pid: int) -> tuple[list[float], int, float, float]:
    """Latencies, errors, wall seconds and the server's CPU seconds of the measured rounds."""
    connections = [Connection(port) for _ in range(concurrency)]
    await asyncio.gather(*(one(c, request(port)) for c in connections))  # warm-up: connections opened
    latencies: list[float] = []
    errors = 0
    cpu = cpu_seconds(pid)
    start = time.perf_counter()
    for _ in range(rounds):
        calls = [request(port) for _ in connections]  # built before the round: not timed
        results = await asyncio.gather(*(one(c, data) for c, data in zip(connections, calls, strict=True)))
        latencies += [seconds for seconds, _ in results]
        errors += sum(not ok for _, ok in results)
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(pid) - cpu
    for c in connections:
        c.close()
    return latencies, errors, elapsed, cpu


def memory(pid: int) -> tuple[int, int]:
    """(RSS, peak RSS) of a process in MB, from /proc (0, 0 where there is none)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used, from /proc (0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(access_log: bool) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, "-m", "rlsmed", "serve", "--port", "0", *([] if access_log else ["--quiet"])]
    server = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    for line in server.stderr:
        if STARTED in line:
            port = int(line.split(STARTED, 1)[1].split("/")[2].rsplit(":", 1)[1])
            # Keep reading what it writes (its access log), so that it never waits on a full pipe.
            threading.Thread(target=lambda: [None for _ in server.stderr or ()], daemon=True).start()
            return server, port
    raise SystemExit(f"rlsmed serve did not start (exit {server.wait()})")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=200, help="calls at once (default 200)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of calls measured (default 10)")
    parser.add_argument("--access-log", action="store_true", help="serve with the access log on")
    args = parser.parse_args()
    server, port = start_server(args.access_log)
    try:
        before = memory(server.pid)
        latencies, errors, elapsed, cpu = asyncio.run(load(port, args.concurrency, args.rounds, server.pid))
        after = memory(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ms = [s * 1000 for s in latencies]
    p99 = percentile(ms, 99)
    goal = "met" if p99 <= 50 and errors == 0 else "not met"
    print(f"# rlsmed serve load test ({dt.date.today().isoformat()})\n")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"
    print(f"Machine: {machine}, Python {platform.python_version()}")
    print(f"Load average before the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"Command: python benchmarks/serve.py --concurrency {args.concurrency} --rounds {args.rounds}", end="")
    print(" --access-log\n" if args.access_log else "\n")
    print("| calls | at once | p50 | p99 | max | errors | calls/s | server CPU a call | server RSS (peak) |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {len(ms):,} | {args.concurrency} | {statistics.median(ms):.1f} ms | {p99:.1f} ms | {max(ms):.1f} ms "
        f"| {errors} | {len(ms) / elapsed:,.0f} | {cpu / len(ms) * 1000:.2f} ms "
        f"| {before[0]} → {after[0]} MB ({after[1]} MB) |"
    )
    print(f"\nGoal p99 <= 50 ms with 0 errors: {goal}.")


if __name__ == "__main__":
    main()
