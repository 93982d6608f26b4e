"""The mock under abuse, over loopback HTTP: jobs are forgotten, bodies are bounded, and
input the parser or Unicode cannot take is a 400 in the envelope on a connection that stays."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from mock_helpers import DELETE, JOBS, TOKEN, deliver, servers
from scripts.mock import run_mock
from scripts.mock.jobs import JobStore, Work


def _plain(base_url: str) -> httpx.Client:
    # No oracle here: 413 is an answer the spec does not list for these operations.
    return httpx.Client(base_url=base_url, headers={"X-Auth-Token": TOKEN}, timeout=30)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with run_mock(token=TOKEN, max_body=10_000, job_duration=0.1) as url:
        yield url


def _unknown(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 404
    error: dict[str, Any] = answer.json()["error"]
    assert error["code"] == "Common.0011"
    return error


# --- finished jobs expire ------------------------------------------------------------------


def test_beyond_max_jobs_the_oldest_finished_job_is_404_like_an_unknown_one() -> None:
    with run_mock(token=TOKEN, job_duration=0, max_jobs=2) as url, _plain(url) as session:
        first, second, third = (deliver(session, DELETE, {"servers": servers("a")}) for _ in "123")
        forgotten = _unknown(session.get(f"{JOBS}/{first}"))
        never = _unknown(session.get(f"{JOBS}/{'0' * 32}"))
        assert [session.get(f"{JOBS}/{job}").status_code for job in (second, third)] == [200, 200]
    assert forgotten["message"] == never["message"].replace("0" * 32, first)


def test_a_job_still_running_is_kept_beyond_max_jobs() -> None:
    with run_mock(token=TOKEN, job_duration=60, max_jobs=1) as url, _plain(url) as session:
        jobs = [deliver(session, DELETE, {"servers": servers("a")}) for _ in range(3)]
        assert [session.get(f"{JOBS}/{job}").status_code for job in jobs] == [200] * 3


def test_a_finished_job_is_404_once_its_time_to_live_has_passed() -> None:
    with run_mock(token=TOKEN, job_duration=0, job_ttl=0.3) as url, _plain(url) as session:
        job_id = deliver(session, DELETE, {"servers": servers("a")})
        time.sleep(0.5)
        _unknown(session.get(f"{JOBS}/{job_id}"))


def test_the_store_forgets_by_time_to_live_and_cap_on_its_clock() -> None:
    now = [0.0]
    store = JobStore(1.0, ttl=10.0, max_jobs=3, clock=lambda: now[0])
    work = Work("deleteServers", "deleteSingleServer", subjects=(("a", "a"),))
    ids = [store.deliver(work, {}).job_id for _ in range(2)]
    now[0] = 10.99  # finished at 1.0: 9.99 s ago, still within the time to live
    assert store.state(ids[0], {}) is not None
    now[0] = 11.0
    assert store.state(ids[0], {}) is None
    assert len(store) == 0  # both finished at 1.0 and expired together
    ids = [store.deliver(work, {}).job_id for _ in range(5)]  # all running at 11.0
    assert len(store) == 5
    now[0] = 12.0  # all finished: the cap now applies, oldest first
    assert store.state(ids[1], {}) is None
    assert [store.state(job, {}) is not None for job in ids] == [False, False, True, True, True]


def test_the_cap_counts_a_job_once_per_sub_job() -> None:
    now = [0.0]
    store = JobStore(1.0, max_jobs=4, clock=lambda: now[0])
    batch = Work("deleteServers", "deleteSingleServer", subjects=(("a", "a"), ("b", "b")) * 2)
    single = Work("deleteServers", "deleteSingleServer", subjects=(("c", "c"),))
    big = store.deliver(batch, {}).job_id
    small = store.deliver(single, {}).job_id
    now[0] = 2.0  # both finished; 4 + 1 sub-jobs is over the cap: the batch goes first
    assert store.state(big, {}) is None
    assert store.state(small, {}) is not None


# --- request bodies ------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_in_the_envelope(base_url: str) -> None:
    body = {"servers": servers("x" * 20_000)}
    with _plain(base_url) as session:
        answer = session.post(DELETE, json=body)
        # Without Content-Length (chunked), the limit holds while reading.
        chunked = session.post(DELETE, content=iter([b'{"servers": [{"id": "', b"x" * 20_000]))
    for refused in (answer, chunked):
        assert refused.status_code == 413
        assert refused.json()["error"]["code"] == "Ecs.0005"
        assert "10000 bytes" in refused.json()["error"]["message"]
        assert refused.headers["Connection"] == "close"


def test_a_fifty_megabyte_server_id_is_refused_by_the_default_limit() -> None:
    with run_mock(token=TOKEN) as url, _plain(url) as session:
        answer = session.post(DELETE, json={"servers": servers("x" * 50_000_000)})
    assert answer.status_code == 413


def _raw_post(base_url: str, path: str, body: bytes) -> Iterator[http.client.HTTPResponse]:
    """POST ``body`` twice on one kept-alive connection; yields each answer."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    headers = {"X-Auth-Token": TOKEN, "Content-Type": "application/json"}
    try:
        connection.request("POST", path, body, headers)
        sock = connection.sock
        first = connection.getresponse()
        first.read()
        yield first
        connection.request("POST", path, body, headers)
        # http.client drops a closed connection and opens a new one for the next request.
        assert sock is not None and connection.sock is sock, "the connection was not kept"
        second = connection.getresponse()
        second.read()
        yield second
    finally:
        connection.close()


@pytest.mark.parametrize(
    "depth", [pytest.param(100_000, id="100k"), pytest.param(990, id="near-the-stack")]
)
def test_json_nested_too_deeply_is_400_and_the_connection_stays(depth: int) -> None:
    body = b'{"servers": ' + b"[" * depth + b"]" * depth + b"}"
    with run_mock(token=TOKEN) as url:
        answers = list(_raw_post(url, DELETE, body))
    assert [answer.status for answer in answers] == [400, 400]
    assert all(not answer.will_close for answer in answers)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(rb'{"servers": [{"id": "\ud800"}]}', id="lone-high"),
        pytest.param(rb'{"servers": [{"id": "a\udfffb"}]}', id="lone-low"),
        pytest.param(rb'{"servers": [{"id": "a"}], "\ud800": 1}', id="in-a-key"),
    ],
)
def test_a_string_that_is_not_unicode_is_400(base_url: str, body: bytes) -> None:
    with _plain(base_url) as session:
        answer = session.post(DELETE, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "Ecs.0005"
    assert "lone surrogate" in error["message"]


def test_a_path_parameter_that_is_not_utf8_is_400(base_url: str) -> None:
    with _plain(base_url) as session:
        surrogate = session.get(f"{JOBS}/%ED%A0%80")
        latin1 = session.post("/v1/caf%E9/cloudservers/delete", json={"servers": servers("a")})
    for answer in (surrogate, latin1):
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "Ecs.0005"
