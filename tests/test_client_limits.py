"""What bounds a call, over real loopback HTTP: one deadline per attempt, no redirect ever
followed, a cap on the decoded body, and a limit on requests in flight that is not a timeout."""

from __future__ import annotations

import asyncio
import gzip
import threading
import tracemalloc
import zlib
from typing import Any

import httpx
import pytest

from conftest import PROJECT, TOKEN, call
from ecs_tasks import (
    ApiConnectionError,
    ApiTimeoutError,
    AsyncClient,
    Client,
    JobTimeoutError,
    RedirectError,
    RequestNotSentError,
    ResponseTooLargeError,
    models,
)
from ecs_tasks._base_client import _connection_pools
from scripted_server import Reply, ScriptedServer, Seen, job
from scripts.mock import run_mock

STOP = {"os-stop": {"servers": [{"id": "srv-1"}]}}
JOB = {"status": "SUCCESS", "job_id": "job-1", "job_type": "batchStopServers"}

# --- One deadline per attempt ---------------------------------------------------------------

# A byte every 0.25 s against a 1 s deadline: about 4 bytes get out before the client gives up.
# Without the deadline the whole answer (well over 100 bytes) would be read, byte by byte.
BYTE_PAUSE = 0.25
MOST_BYTES_IN_A_SECOND = 12


@pytest.mark.parametrize("from_the_body", [False, True], ids=["status-line", "body"])
async def test_a_trickling_answer_cannot_stretch_a_call(
    make_client: Any, server: ScriptedServer, from_the_body: bool
) -> None:
    # An endless trickle, in effect: 10,000 bytes at 4 a second.
    body = {**JOB, "padding": "x" * 10_000}
    server.answer(Reply(200, body, trickle=BYTE_PAUSE, trickle_body=from_the_body))
    client = make_client(timeout=1, max_retries=2)

    with pytest.raises(ApiTimeoutError) as caught:
        await call(client.show_job("job-1"))

    [sent] = server.wait_for_trickles(1)
    assert sent < MOST_BYTES_IN_A_SECOND
    assert server.count("GET") == 1  # the deadline is the call's: no retry after it passed
    assert f"GET {server.url}/v1/{PROJECT}/jobs/job-1 timed out" in str(caught.value)


class _Wrapped(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A transport of the caller's own, which the client cannot look into."""

    def __init__(self) -> None:
        self._sync = httpx.HTTPTransport()
        self._async = httpx.AsyncHTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._sync.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._async.handle_async_request(request)

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()


@pytest.mark.parametrize("transport", ["caller-standard", "caller-custom"])
async def test_a_trickling_body_cannot_stretch_a_call_through_a_callers_client(
    mode: str, server: ScriptedServer, transport: str
) -> None:
    server.answer(
        Reply(200, {**JOB, "padding": "x" * 10_000}, trickle=BYTE_PAUSE, trickle_body=True)
    )
    options: dict[str, Any] = {} if transport == "caller-standard" else {"transport": _Wrapped()}
    http: Any = httpx.Client(**options) if mode == "sync" else httpx.AsyncClient(**options)
    kind = Client if mode == "sync" else AsyncClient
    client: Any = kind(server.url, PROJECT, TOKEN, http_client=http, timeout=1, max_retries=0)

    try:
        with pytest.raises(ApiTimeoutError):
            await call(client.show_job("job-1"))
    finally:
        await call(http.aclose() if mode == "async" else http.close())

    [sent] = server.wait_for_trickles(1)
    assert sent < MOST_BYTES_IN_A_SECOND


async def test_the_waiters_deadline_bounds_each_poll(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(job("RUNNING"), Reply(200, {**JOB, "padding": "x" * 10_000}, trickle=BYTE_PAUSE))
    client = make_client(timeout=30)

    with pytest.raises(JobTimeoutError) as caught:
        await call(client.wait_for_job("job-1", timeout=1, poll_interval=0.01))

    [sent] = server.wait_for_trickles(1)
    assert sent < MOST_BYTES_IN_A_SECOND
    assert caught.value.job is not None and caught.value.job.status == "RUNNING"
    assert isinstance(caught.value.__cause__, ApiTimeoutError)


async def test_retries_share_the_deadline_of_a_wait(
    make_client: Any, server: ScriptedServer
) -> None:
    # A 503 with Retry-After 0 would be retried at once, but the waiter's polls never retry:
    # each poll is one request within what is left of the wait.
    server.answer(Reply(503, b"", {"Retry-After": "0"}, trickle=BYTE_PAUSE))
    client = make_client(timeout=30, max_retries=5)

    with pytest.raises(JobTimeoutError):
        await call(client.wait_for_job("job-1", timeout=1, poll_interval=0.01))

    assert sum(server.wait_for_trickles(1)) < MOST_BYTES_IN_A_SECOND


# --- Redirects ------------------------------------------------------------------------------


@pytest.fixture
def elsewhere() -> Any:
    other = ScriptedServer()
    other.answer(Reply(200, {"job_id": "stolen"}))
    yield other
    other.close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("caller_client", [False, True], ids=["own", "caller-follows"])
async def test_redirects_are_never_followed(
    mode: str,
    server: ScriptedServer,
    elsewhere: ScriptedServer,
    status: int,
    caller_client: bool,
) -> None:
    target = f"{elsewhere.url}/v1/{PROJECT}/cloudservers/action"
    server.answer(Reply(status, b"", {"Location": target}))
    options: dict[str, Any] = {"max_retries": 2}
    if mode == "sync":
        http: Any = httpx.Client(follow_redirects=True) if caller_client else None
        client: Any = Client(server.url, PROJECT, TOKEN, http_client=http, **options)
    else:
        http = httpx.AsyncClient(follow_redirects=True) if caller_client else None
        client = AsyncClient(server.url, PROJECT, TOKEN, http_client=http, **options)

    try:
        with pytest.raises(RedirectError) as caught:
            await call(client.batch_server_action(STOP))
    finally:
        await call(client.close())
        if http is not None:
            await call(http.aclose() if mode == "async" else http.close())

    assert elsewhere.requests == []  # neither the token nor the body went anywhere else
    assert server.count("POST") == 1
    assert caught.value.status_code == status
    assert caught.value.location == target
    assert target in str(caught.value)


# --- Response size --------------------------------------------------------------------------


async def test_a_body_over_the_limit_is_a_typed_error(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(200, {**JOB, "padding": "x" * 5_000}))
    small = make_client(max_response_bytes=4_000)
    large = make_client(max_response_bytes=6_000)

    with pytest.raises(ResponseTooLargeError) as caught:
        await call(small.show_job("job-1"))
    result = await call(large.show_job("job-1"))

    assert caught.value.limit == 4_000 and caught.value.status_code == 200
    assert "more than 4000 bytes" in str(caught.value)
    assert result.job_id == "job-1"


async def test_a_gzip_bomb_is_stopped_without_inflating_it(
    make_client: Any, server: ScriptedServer
) -> None:
    # 200 MB of JSON whitespace squeezed into about 200 kB.
    bomb = gzip.compress(b"{" + b" " * 200_000_000 + b"}", compresslevel=9)
    server.answer(Reply(200, bomb, {"Content-Encoding": "gzip"}))
    client = make_client(max_response_bytes=1_000_000)

    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError):
            await call(client.show_job("job-1"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The limit, plus one decoded piece and the compressed chunks in flight; httpx's own
    # decoder would hold each 64 kB chunk's 64 MB expansion at once.
    assert peak < 8_000_000


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


async def test_gzip_and_deflate_answers_are_decoded(
    make_client: Any, server: ScriptedServer
) -> None:
    text = httpx.Response(200, json=JOB).content
    server.answer(
        Reply(200, gzip.compress(text), {"Content-Encoding": "gzip"}),
        Reply(200, zlib.compress(text), {"Content-Encoding": "deflate"}),
        Reply(200, raw_deflate(text), {"Content-Encoding": "deflate"}),
        Reply(200, gzip.compress(text)[:-12], {"Content-Encoding": "gzip"}),
    )
    client = make_client(max_retries=0)

    answers = [await call(client.show_job("job-1")) for _ in range(3)]
    with pytest.raises(ApiConnectionError, match="DecodingError"):
        await call(client.show_job("job-1"))

    assert answers == [models.Job.model_validate(JOB)] * 3
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


# --- Requests in flight ---------------------------------------------------------------------


@pytest.mark.parametrize("retries", [0, 5])
async def test_waiting_for_a_connection_is_not_sent_and_safe_to_retry(
    mode: str, server: ScriptedServer, retries: int
) -> None:
    # The caller's HTTP client has one connection, held for a second by a slow answer; a task
    # delivery waiting for it in vain was never sent, so it may be retried, and is delivered once.
    def respond(seen: Seen) -> Reply:
        if seen.method == "GET":
            return Reply(200, JOB, delay=1.0)
        return Reply(200, {"job_id": "job-9"})

    server.responder = respond
    limits = httpx.Limits(max_connections=1)
    http: Any = httpx.Client(limits=limits) if mode == "sync" else httpx.AsyncClient(limits=limits)
    kind = Client if mode == "sync" else AsyncClient
    client: Any = kind(
        server.url,
        PROJECT,
        TOKEN,
        http_client=http,
        max_retries=retries,
        timeout=httpx.Timeout(5, pool=0.2),
    )

    async def hold_and_deliver() -> Any:
        if mode == "sync":
            holder = threading.Thread(target=client.show_job, args=("job-1",))
            holder.start()
            while not server.requests:
                await asyncio.sleep(0.01)
            try:
                return client.batch_server_action(STOP)
            finally:
                holder.join()
                http.close()
        holding = asyncio.ensure_future(client.show_job("job-1"))
        while not server.requests:
            await asyncio.sleep(0.01)
        try:
            return await client.batch_server_action(STOP)
        finally:
            await holding
            await http.aclose()

    if retries == 0:
        with pytest.raises(RequestNotSentError) as caught:
            await hold_and_deliver()
        assert not isinstance(caught.value, ApiTimeoutError)
        assert "was not sent (no free connection in time" in str(caught.value)
        assert "sending it again is safe" in str(caught.value)
        assert server.count("POST") == 0
    else:
        task = await hold_and_deliver()
        assert task.job_id == "job-9"
        assert server.count("POST") == 1


def test_a_thousand_deliveries_and_waits_from_one_async_client() -> None:
    count = 1_000

    async def deliver_and_wait(client: AsyncClient, number: int) -> models.Job:
        task = await client.delete_servers({"servers": [{"id": f"srv-{number}"}]})
        return await task.wait(timeout=120, poll_interval=0.2, max_interval=1)

    async def load(base_url: str) -> list[models.Job]:
        async with AsyncClient(base_url, PROJECT, TOKEN, timeout=60) as client:
            return list(await asyncio.gather(*(deliver_and_wait(client, n) for n in range(count))))

    with run_mock(job_duration=0.5) as base_url:
        jobs = asyncio.run(load(base_url))

    assert len({job.job_id for job in jobs}) == count
    assert {job.status for job in jobs} == {models.JobStatus.SUCCESS}


async def test_waiting_for_a_slot_counts_against_a_wait_but_sends_nothing(
    make_client: Any, server: ScriptedServer
) -> None:
    def respond(seen: Seen) -> Reply:
        return Reply(200, JOB, delay=1.5) if seen.path.endswith("/slow") else job("RUNNING")

    server.responder = respond
    client = make_client(max_in_flight=1)

    async def hold_the_slot() -> None:
        if isinstance(client, AsyncClient):
            await client.show_job("slow")
        else:
            await asyncio.to_thread(client.show_job, "slow")

    holding = asyncio.ensure_future(hold_the_slot())
    while not server.requests:
        await asyncio.sleep(0.01)
    with pytest.raises(JobTimeoutError) as caught:
        if isinstance(client, AsyncClient):
            await client.wait_for_job("job-1", timeout=0.3)
        else:
            await asyncio.to_thread(client.wait_for_job, "job-1", timeout=0.3)
    await holding

    assert isinstance(caught.value.__cause__, RequestNotSentError)
    assert [seen.path for seen in server.requests] == [f"/v1/{PROJECT}/jobs/slow"]


async def _show_jobs_at_once(client: Any, count: int) -> None:
    """``count`` show_job calls at once: gathered on an AsyncClient, a thread each on a Client."""
    if isinstance(client, AsyncClient):
        await asyncio.gather(*(client.show_job(f"job-{n}") for n in range(count)))
        return
    workers = [threading.Thread(target=client.show_job, args=(f"job-{n}",)) for n in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


async def test_no_more_requests_in_flight_than_the_limit(
    make_client: Any, server: ScriptedServer
) -> None:
    lock = threading.Lock()
    now_serving = [0]
    most = [0]

    def respond(_: Seen) -> Reply:
        with lock:
            now_serving[0] += 1
            most[0] = max(most[0], now_serving[0])
        threading.Event().wait(0.05)
        with lock:
            now_serving[0] -= 1
        return job("SUCCESS")

    server.responder = respond
    client = make_client(max_in_flight=3)

    await _show_jobs_at_once(client, 20)

    assert server.count("GET") == 20
    assert most[0] == 3


async def test_the_clients_own_connections_are_spread_over_small_pools(
    make_client: Any, server: ScriptedServer
) -> None:
    # httpcore's pool walks all its connections whenever a request starts or ends, so the
    # client opens pools of 5 as it needs them (bench mock measures the gain).
    lock = threading.Lock()
    arrived = [0]
    all_here = threading.Event()

    def respond(_: Seen) -> Reply:
        with lock:
            arrived[0] += 1
            if arrived[0] == 12:
                all_here.set()
        all_here.wait(10)
        return job("SUCCESS")

    client = make_client(max_in_flight=12)
    for number in range(3):
        await call(client.show_job(f"job-{number}"))
    assert len(client._lanes.clients) == 1  # noqa: SLF001 - one call at a time needs one pool

    server.responder = respond
    await _show_jobs_at_once(client, 12)

    assert all_here.is_set()  # all 12 were at the server at once: none waited for a pool
    pools = [pool for http in client._lanes.clients for pool in _connection_pools(http)]  # noqa: SLF001
    assert sorted(len(pool.connections) for pool in pools) == [2, 5, 5]
