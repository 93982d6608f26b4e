"""Benchmark: show_job throughput next to raw httpx, and requests spent waiting on a job.

Run: make bench (or: PYTHONPATH=generated:. .venv/bin/python -m bench client --calls N)

1. A tiny asyncio HTTP/1.1 server in a separate process answers every request with the same
   job; ecs_tasks.Client.show_job and a raw httpx.Client GET (+ .json()) take turns against
   it over keep-alive loopback connections. Medians of calls per second and their ratio.
2. wait_for_job on a job that finishes after 30 s (and a few other durations), counted on a
   fake clock through the whole client stack (an httpx.MockTransport stands in for the
   network), next to a fixed 1 s polling loop on the same clock.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import httpx

import ecs_tasks
from bench.fixed_server import fixed_answer_server
from ecs_tasks import models

JOB = {
    "status": "RUNNING",
    "job_id": "2c9eb2c5544cbf6101544f0602af2b4f",
    "job_type": "batchStopServers",
    "begin_time": "2016-04-25T20:04:34.604Z",
    "entities": {
        "sub_jobs_total": 1,
        "sub_jobs": [
            {
                "status": "RUNNING",
                "job_id": "2c9eb2c5544cbf6101544f0602b2b50",
                "job_type": "stopSingleServer",
                "entities": {"server_id": "bae51750-0089-41a1-9b18-5c777978ff6d"},
            }
        ],
    },
}


# --- 1. throughput ----------------------------------------------------------------------------


def _rate(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return calls / (time.perf_counter() - start)


def bench_throughput(calls: int, rounds: int) -> None:
    with fixed_answer_server(json.dumps(JOB).encode()) as base:
        url = f"{base}/v1/proj/jobs/2c9eb2c5544cbf6101544f0602af2b4f"
        headers = {"X-Auth-Token": "bench-token", "Accept": "application/json"}
        raw_rates: list[float] = []
        client_rates: list[float] = []
        with httpx.Client() as raw, ecs_tasks.Client(base, "proj", "bench-token") as client:

            def raw_get() -> object:
                response = raw.get(url, headers=headers)
                response.raise_for_status()
                return response.json()

            def show_job() -> object:
                return client.show_job("2c9eb2c5544cbf6101544f0602af2b4f")

            for fn in (raw_get, show_job):  # warm up connections and validators
                _rate(fn, 200)
            for round_number in range(rounds):
                # Alternate who goes first so drift in the machine's load hits both alike.
                order = [raw_get, show_job] if round_number % 2 == 0 else [show_job, raw_get]
                for fn in order:
                    (raw_rates if fn is raw_get else client_rates).append(_rate(fn, calls))

    raw_median = statistics.median(raw_rates)
    client_median = statistics.median(client_rates)
    print(f"1. show_job over loopback: {rounds} rounds x {calls} calls, median calls/s")
    print(f"   raw httpx.Client GET + .json()  {raw_median:9.0f}")
    print(f"   ecs_tasks Client.show_job       {client_median:9.0f}")
    print(f"   ratio client/raw                {client_median / raw_median:9.2f}")
    print(f"   per-call overhead               {1e6 / client_median - 1e6 / raw_median:9.1f} us")


# --- 2. requests spent waiting ----------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds


def _counting_client(clock: FakeClock, done_after: float) -> tuple[ecs_tasks.Client, list[int]]:
    requests = [0]

    def answer(request: httpx.Request) -> httpx.Response:
        requests[0] += 1
        status = "SUCCESS" if clock.now() >= done_after else "RUNNING"
        return httpx.Response(200, json={**JOB, "status": status})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    return ecs_tasks.Client("https://ecs.example", "proj", "t", http_client=http), requests


def waiter_requests(done_after: float) -> int:
    clock = FakeClock()
    client, requests = _counting_client(clock, done_after)
    client.wait_for_job("job", timeout=3600, _clock=clock)
    return requests[0]


def fixed_loop_requests(done_after: float, interval: float = 1.0) -> int:
    clock = FakeClock()
    client, requests = _counting_client(clock, done_after)
    while client.show_job("job").status != models.JobStatus.SUCCESS:
        clock.sleep(interval)
    return requests[0]


def bench_waiting(trials: int) -> None:
    print(f"2. requests until a job finishes (wait_for_job defaults; {trials} trials for jitter)")
    print("   job takes   wait_for_job (median [min-max])   fixed 1 s loop")
    for done_after in (5.0, 30.0, 120.0, 600.0):
        counts = [waiter_requests(done_after) for _ in range(trials)]
        spread = f"{statistics.median(counts):5.0f} [{min(counts)}-{max(counts)}]"
        print(f"   {done_after:6.0f} s    {spread:33}{fixed_loop_requests(done_after):5d}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench client", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args(argv)
    bench_throughput(args.calls, args.rounds)
    print()
    bench_waiting(args.trials)
