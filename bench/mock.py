"""Benchmark: the mock over a long run (memory) and under concurrency (requests/s).

Run: make bench BENCH=mock (or: .venv/bin/python -m bench mock --tasks N --rounds R)

1. Memory: a mock process (``python -m scripts.mock``, default options) receives ``--tasks``
   task deliveries (DeleteServers of one server) from 20 concurrent clients; its resident
   memory (VmRSS) is read after a warm-up and at the end, and the growth printed.
2. Concurrency: rounds of 1,000 deliveries, in turn (a) 20 ``httpx.AsyncClient`` each
   sending 50 one after the other (the reference rate), (b) 1,000 connections opened at once
   with plain asyncio streams, one delivery each: the mock under 1,000 concurrent deliveries,
   with a client that does almost nothing, (c) one raw ``httpx.AsyncClient`` (100 pooled
   connections) with all 1,000 gathered at once, (d) the generated ``AsyncClient`` with all
   1,000 gathered at once, (e) the same but through one httpx pool of 50 connections, as the
   client did before it spread its connections over pools of 5. Medians of requests/s, the
   CPU seconds the mock process spent per 1,000 requests (from /proc), and those of this
   process (the clients).
3. The same against a trivial asyncio server that answers every request with the same bytes,
   so the mock is out of the picture: the clients' own ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import select
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.fixed_server import fixed_answer_server
from ecs_tasks import AsyncClient

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"  # noqa: S105 - the mock accepts it on loopback, nothing else
PROJECT = "5dd3c0b24cdc4d31952c49589182a89d"
DELETE = f"/v1/{PROJECT}/cloudservers/delete"
BODY = {"servers": [{"id": "bae51750-0089-41a1-9b18-5c777978ff6d"}]}
CLIENTS = 20
AT_ONCE = 1000
#: httpx's default pool size (``httpx.Limits(max_connections=100)``).
POOL = 100
#: A way of sending ``total`` deliveries to ``base_url``.
Run = Callable[[str, int], Coroutine[None, None, None]]
#: What each concurrency run does, as printed.
RUNS: dict[str, Run] = {}
_TICKS = os.sysconf("SC_CLK_TCK")


@contextmanager
def _mock() -> Iterator[tuple[str, int]]:
    """A mock process with default options; yields its URL and process ID."""
    command = [sys.executable, "-m", "scripts.mock", "--port", "0", "--log-level", "warning"]
    process = subprocess.Popen(
        [*command, "--token", TOKEN], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        found = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline() if ready else "")
        if found is None:
            raise SystemExit("the mock did not start")
        yield found.group(0), process.pid
    finally:
        process.terminate()
        process.wait(10)


def _rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else float("nan")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _client(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, headers={"X-Auth-Token": TOKEN}, timeout=300)


async def _twenty_clients(base_url: str, total: int) -> None:
    async def one(count: int) -> None:
        async with _client(base_url) as client:
            for _ in range(count):
                (await client.post(DELETE, json=BODY)).raise_for_status()

    share, rest = divmod(total, CLIENTS)
    await asyncio.gather(*(one(share + (number < rest)) for number in range(CLIENTS)))


async def _all_at_once(base_url: str, total: int) -> None:
    async with _client(base_url) as client:
        answers = await asyncio.gather(*(client.post(DELETE, json=BODY) for _ in range(total)))
    for answer in answers:
        answer.raise_for_status()


async def _connections_at_once(base_url: str, total: int) -> None:
    """``total`` connections opened at once, each sending one delivery and reading its answer."""
    url = httpx.URL(base_url)
    body = json.dumps(BODY).encode()
    head = (
        f"POST {DELETE} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\nX-Auth-Token: {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )

    async def one() -> None:
        reader, writer = await asyncio.open_connection(url.host, url.port)
        try:
            writer.write(head.encode() + body)
            status = await reader.readuntil(b"\r\n")
            headers = await reader.readuntil(b"\r\n\r\n")
            found = re.search(rb"(?i)content-length:\s*(\d+)", headers)
            await reader.readexactly(int(found.group(1)) if found else 0)
            if not status.startswith(b"HTTP/1.1 2"):
                raise SystemExit(f"the delivery failed: {status.decode().strip()}")
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(total)))


async def _generated_at_once(base_url: str, total: int) -> None:
    async with AsyncClient(base_url, PROJECT, TOKEN, timeout=300) as client:
        await asyncio.gather(*(client.delete_servers(BODY) for _ in range(total)))


async def _generated_one_pool(base_url: str, total: int) -> None:
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
    async with (
        httpx.AsyncClient(limits=limits, timeout=300) as http,
        AsyncClient(base_url, PROJECT, TOKEN, timeout=300, http_client=http) as client,
    ):
        await asyncio.gather(*(client.delete_servers(BODY) for _ in range(total)))


def _timed(run: Run, base_url: str, total: int) -> float:
    """Requests per second of one run."""
    started = time.perf_counter()
    asyncio.run(run(base_url, total))
    return total / (time.perf_counter() - started)


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- 1. memory --------------------------------------------------------------------------------


def bench_memory(tasks: int) -> None:
    with _mock() as (base_url, pid):
        _timed(_twenty_clients, base_url, 2000)  # warm up: imports, validators, pools
        before = _rss_mib(pid)
        rate = _timed(_twenty_clients, base_url, tasks)
        after = _rss_mib(pid)
    print(f"1. memory: {tasks:,} task deliveries from {CLIENTS} clients at {rate:.0f} requests/s")
    print(f"   mock RSS after warm-up {before:8.1f} MiB")
    print(f"   mock RSS at the end    {after:8.1f} MiB")
    print(f"   growth                 {after - before:8.1f} MiB (limit 100)")


# --- 2. concurrency ---------------------------------------------------------------------------


class Rate:
    """Medians of one kind of run: requests/s, and CPU seconds per 1,000 requests of the
    mock (None against the trivial server) and of this process (the clients)."""

    def __init__(self, rate: float, mock_cpu: float | None, client_cpu: float) -> None:
        self.rate, self.mock_cpu, self.client_cpu = rate, mock_cpu, client_cpu


def _rates(base_url: str, rounds: int, pid: int | None) -> dict[str, Rate]:
    rates: dict[str, list[float]] = {name: [] for name in RUNS}
    mock_cpu: dict[str, list[float]] = {name: [] for name in RUNS}
    client_cpu: dict[str, list[float]] = {name: [] for name in RUNS}
    _timed(_twenty_clients, base_url, AT_ONCE)
    for number in range(rounds):
        # Rotate who goes first so drift in the machine's load hits all alike.
        order = list(RUNS)[number % len(RUNS) :] + list(RUNS)[: number % len(RUNS)]
        for name in order:
            spent = 0.0 if pid is None else _cpu_seconds(pid)
            own = _own_cpu_seconds()
            rates[name].append(_timed(RUNS[name], base_url, AT_ONCE))
            client_cpu[name].append((_own_cpu_seconds() - own) * 1000 / AT_ONCE)
            mock_cpu[name].append(
                0.0 if pid is None else (_cpu_seconds(pid) - spent) * 1000 / AT_ONCE
            )
    return {
        name: Rate(
            statistics.median(rates[name]),
            None if pid is None else statistics.median(mock_cpu[name]),
            statistics.median(client_cpu[name]),
        )
        for name in RUNS
    }


def _print_rates(found: dict[str, Rate]) -> None:
    with_mock = all(rate.mock_cpu is not None for rate in found.values())
    print(
        "   requests/s  ratio"
        + ("  mock CPU s" if with_mock else "")
        + "  client CPU s  (per 1,000)"
    )
    twenty = found[_TWENTY].rate
    for name, rate in found.items():
        mock = f"  {rate.mock_cpu:10.2f}" if rate.mock_cpu is not None else ""
        ratio = rate.rate / twenty
        print(f"   {rate.rate:10.0f}  {ratio:5.2f}{mock}  {rate.client_cpu:12.2f}  {name}")
    print(f"   (ratio: requests/s against those of {_TWENTY})")


def bench_concurrency(rounds: int) -> None:
    with _mock() as (base_url, pid):
        found = _rates(base_url, rounds, pid)
    print(f"2. {AT_ONCE:,} deliveries to the mock, {rounds} rounds, medians")
    _print_rates(found)


# --- 3. the client's own ceiling --------------------------------------------------------------


def bench_ceiling(rounds: int) -> None:
    with fixed_answer_server(b'{"job_id": "2c9eb2c5544cbf6101544f0602af2b4f"}') as base_url:
        found = _rates(base_url, rounds, None)
    print(f"3. the same against a trivial server (no mock), {rounds} rounds, medians")
    _print_rates(found)


_TWENTY = f"{CLIENTS} clients x {AT_ONCE // CLIENTS}"
RUNS.update(
    {
        _TWENTY: _twenty_clients,
        f"{AT_ONCE:,} connections at once, one delivery each (plain asyncio streams)": (
            _connections_at_once
        ),
        f"one raw httpx.AsyncClient ({POOL} pooled connections), all at once": _all_at_once,
        "one generated AsyncClient, all at once": _generated_at_once,
        "one generated AsyncClient, all at once, through one pool of 50": _generated_one_pool,
    }
)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench mock", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    bench_memory(args.tasks)
    print()
    bench_concurrency(args.rounds)
    print()
    bench_ceiling(args.rounds)
