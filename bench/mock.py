"""Benchmark: the mock over a long run (memory) and under concurrency (requests/s).

Run: make bench BENCH=mock (or: .venv/bin/python -m bench mock --tasks N --rounds R)

1. Memory: a mock process (``python -m scripts.mock``, default options) receives ``--tasks``
   task deliveries (DeleteServers of one server) from 20 concurrent clients; its resident
   memory (VmRSS) is read after a warm-up and at the end, and the growth printed.
2. Concurrency: rounds of 1,000 deliveries, in turn (a) 20 ``httpx.AsyncClient`` each
   sending 50 one after the other, (b) one raw ``httpx.AsyncClient`` (100 pooled
   connections) with all 1,000 gathered at once, (c) the same with a semaphore keeping at
   most 100 in flight. Medians of requests/s, and the CPU seconds the mock process spent per
   1,000 requests (from /proc), to show which side does the work.
3. The same three against a trivial asyncio server that answers every request with the same
   bytes, so the mock is out of the picture: the clients' own ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
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

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"  # noqa: S105 - the mock accepts it on loopback, nothing else
DELETE = "/v1/5dd3c0b24cdc4d31952c49589182a89d/cloudservers/delete"
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


async def _at_once_bounded(base_url: str, total: int) -> None:
    """All gathered at once, but at most as many in flight as the pool has connections."""
    slots = asyncio.Semaphore(POOL)

    async def one(client: httpx.AsyncClient) -> httpx.Response:
        async with slots:
            return await client.post(DELETE, json=BODY)

    async with _client(base_url) as client:
        answers = await asyncio.gather(*(one(client) for _ in range(total)))
    for answer in answers:
        answer.raise_for_status()


def _timed(run: Run, base_url: str, total: int) -> float:
    """Requests per second of one run."""
    started = time.perf_counter()
    asyncio.run(run(base_url, total))
    return total / (time.perf_counter() - started)


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


def _rates(base_url: str, rounds: int, pid: int | None) -> dict[str, tuple[float, float]]:
    """Median requests/s and server CPU seconds per 1,000 requests of each run."""
    rates: dict[str, list[float]] = {name: [] for name in RUNS}
    cpu: dict[str, list[float]] = {name: [] for name in RUNS}
    _timed(_twenty_clients, base_url, AT_ONCE)
    for number in range(rounds):
        # Rotate who goes first so drift in the machine's load hits all alike.
        order = list(RUNS)[number % len(RUNS) :] + list(RUNS)[: number % len(RUNS)]
        for name in order:
            spent = 0.0 if pid is None else _cpu_seconds(pid)
            rates[name].append(_timed(RUNS[name], base_url, AT_ONCE))
            cpu[name].append(0.0 if pid is None else _cpu_seconds(pid) - spent)
    return {name: (statistics.median(rates[name]), statistics.median(cpu[name])) for name in RUNS}


def _print_rates(found: dict[str, tuple[float, float]], *, cpu: bool) -> None:
    print("   requests/s" + ("   mock CPU s per 1,000" if cpu else ""))
    for name, (rate, seconds) in found.items():
        print(f"   {rate:10.0f}" + (f"   {seconds:20.2f}" if cpu else "") + f"   {name}")
    twenty = found[_TWENTY][0]
    for name in list(found)[1:]:
        print(f"   ratio {name} / {CLIENTS} clients: {found[name][0] / twenty:.2f}")


def bench_concurrency(rounds: int) -> None:
    with _mock() as (base_url, pid):
        found = _rates(base_url, rounds, pid)
    print(f"2. {AT_ONCE:,} deliveries to the mock, {rounds} rounds, medians")
    _print_rates(found, cpu=True)


# --- 3. the client's own ceiling --------------------------------------------------------------


def bench_ceiling(rounds: int) -> None:
    with fixed_answer_server(b'{"job_id": "2c9eb2c5544cbf6101544f0602af2b4f"}') as base_url:
        found = _rates(base_url, rounds, None)
    print(f"3. the same against a trivial server (no mock), {rounds} rounds, medians")
    _print_rates(found, cpu=False)


_TWENTY = f"{CLIENTS} clients x {AT_ONCE // CLIENTS}"
RUNS.update(
    {
        _TWENTY: _twenty_clients,
        "one client, all at once": _all_at_once,
        f"one client, all at once, at most {POOL} in flight": _at_once_bounded,
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
