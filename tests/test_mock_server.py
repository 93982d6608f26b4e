"""Tests of the spec-driven mock server, run as a real uvicorn server on a loopback port.

Every answer a test receives through :mod:`mock_helpers` is checked against the spec by an
oracle that reads the spec itself; Schemathesis checks the same from generated requests.
"""

from __future__ import annotations

import asyncio
import copy
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
import yaml

from mock_helpers import (
    ACTION,
    DELETE,
    FINAL,
    HEX32,
    JOBS,
    ORACLE,
    PROJECT,
    PUBLISHED,
    REPO,
    TIMESTAMP,
    TOKEN,
    client,
    deliver,
    mock_process,
    poll_job,
    servers,
    serving,
)
from scripts.mock import run_mock
from scripts.mock.api import SpecNotServableError, build_api
from scripts.mock.cli import _parser as _mock_parser
from scripts.mock.jobs import JobStore, Work
from scripts.mock.server import listening_socket


@pytest.fixture(scope="module")
def session() -> Iterator[httpx.Client]:
    with serving(job_duration=0.3) as mock:
        yield mock


# --- task delivery and the job lifecycle -------------------------------------------------


def test_a_delivered_task_answers_a_fresh_job_id(session: httpx.Client) -> None:
    body = {"servers": servers("a")}
    first, second = deliver(session, DELETE, body), deliver(session, DELETE, body)
    assert HEX32.fullmatch(first)
    assert HEX32.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    ("path", "body", "job_type", "sub_job_type"),
    [
        (
            ACTION,
            {"os-start": {"servers": servers("a", "b")}},
            "batchStartServers",
            "startSingleServer",
        ),
        (
            ACTION,
            {"os-stop": {"servers": servers("a", "b")}},
            "batchStopServers",
            "stopSingleServer",
        ),
        (
            ACTION,
            {"reboot": {"servers": servers("a", "b"), "type": "HARD"}},
            "batchRebootServers",
            "rebootSingleServer",
        ),
        (
            DELETE,
            {"servers": servers("a", "b"), "delete_volume": True},
            "deleteServers",
            "deleteSingleServer",
        ),
    ],
)
def test_a_batch_gets_one_sub_job_per_server(
    session: httpx.Client, path: str, body: dict[str, Any], job_type: str, sub_job_type: str
) -> None:
    job_id = deliver(session, path, body)
    state, _ = poll_job(session, job_id)
    assert state["status"] == "SUCCESS"
    assert (state["job_id"], state["job_type"]) == (job_id, job_type)
    assert (state["error_code"], state["fail_reason"]) == (None, None)
    assert TIMESTAMP.fullmatch(state["begin_time"])
    assert TIMESTAMP.fullmatch(state["end_time"])
    assert state["entities"]["sub_jobs_total"] == 2
    sub_jobs = state["entities"]["sub_jobs"]
    assert [sub_job["entities"]["server_id"] for sub_job in sub_jobs] == ["a", "b"]
    assert len({sub_job["job_id"] for sub_job in sub_jobs} | {job_id}) == 3
    for sub_job in sub_jobs:
        assert HEX32.fullmatch(sub_job["job_id"])
        assert (sub_job["status"], sub_job["job_type"]) == ("SUCCESS", sub_job_type)
        assert (sub_job["error_code"], sub_job["fail_reason"]) == (None, None)
        assert TIMESTAMP.fullmatch(sub_job["begin_time"])
        assert TIMESTAMP.fullmatch(sub_job["end_time"])


def test_a_job_moves_from_init_through_running_to_success() -> None:
    with serving(job_duration=1.0) as mock:
        job_id = deliver(mock, DELETE, {"servers": servers("a")})
        state, seen = poll_job(mock, job_id)
    order = ["INIT", "RUNNING", "SUCCESS"]
    assert seen[-1] == "SUCCESS"
    assert seen[0] in ("INIT", "RUNNING"), "the job was final at once"
    assert [order.index(status) for status in seen] == sorted(order.index(s) for s in seen)
    assert state["end_time"] >= state["begin_time"]


def test_the_job_schedule_follows_the_clock() -> None:
    now = [100.0]
    store = JobStore(4.0, clock=lambda: now[0], wall_clock=lambda: 1461614674.604)
    work = Work("batchStopServers", "stopSingleServer", subjects=(("a", "a"), ("fail-b", "fail-b")))
    job = store.deliver(work, {"project_id": "p"})

    def state_at(elapsed: float) -> dict[str, Any]:
        now[0] = 100.0 + elapsed
        found = store.state(job.job_id, {"project_id": "p"})
        assert found is not None
        return found

    def statuses(state: dict[str, Any]) -> list[str]:
        return [state["status"], *(sub["status"] for sub in state["entities"]["sub_jobs"])]

    assert statuses(state_at(0.0)) == ["INIT", "INIT", "INIT"]
    assert state_at(0.0)["begin_time"] == "2016-04-25T20:04:34.604Z"
    assert "begin_time" not in state_at(0.0)["entities"]["sub_jobs"][0]
    assert statuses(state_at(1.0)) == ["RUNNING", "RUNNING", "RUNNING"]
    # Sub-job 0 of 2 ends at D/4 + 3D/4 * 1/2 = 2.5 s, sub-job 1 and the job at D = 4 s.
    assert statuses(state_at(2.49)) == ["RUNNING", "RUNNING", "RUNNING"]
    assert statuses(state_at(2.5)) == ["RUNNING", "SUCCESS", "RUNNING"]
    assert "end_time" not in state_at(3.99)
    final = state_at(4.0)
    assert statuses(final) == ["FAIL", "SUCCESS", "FAIL"]
    assert final["end_time"] == "2016-04-25T20:04:38.604Z"
    assert store.state(job.job_id, {"project_id": "another"}) is None
    assert store.state("0" * 32, {"project_id": "p"}) is None


def test_a_server_id_starting_with_fail_makes_the_job_fail(session: httpx.Client) -> None:
    job_id = deliver(session, DELETE, {"servers": servers("ok-1", "fail-2", "ok-3")})
    state, _ = poll_job(session, job_id)
    assert state["status"] == "FAIL"
    assert state["error_code"] == "Ecs.0000"
    assert "fail-2" in state["fail_reason"]
    sub_jobs = state["entities"]["sub_jobs"]
    assert [sub_job["status"] for sub_job in sub_jobs] == ["SUCCESS", "FAIL", "SUCCESS"]
    failed = sub_jobs[1]
    assert failed["error_code"] == state["error_code"]
    assert failed["fail_reason"] == state["fail_reason"]
    assert failed["entities"]["errorcode_message"] == failed["fail_reason"]


def test_an_unknown_job_is_404(session: httpx.Client) -> None:
    response = session.get(f"{JOBS}/{'0' * 32}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "Common.0011"
    assert "0" * 32 in response.json()["error"]["message"]


def test_a_job_is_only_found_in_its_own_project(session: httpx.Client) -> None:
    job_id = deliver(session, DELETE, {"servers": servers("a")})
    assert session.get(f"{JOBS}/{job_id}").status_code == 200
    assert session.get(f"/v1/another-project/jobs/{job_id}").status_code == 404


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        pytest.param(DELETE, {"servers": [{"id": 5}]}, "$.servers[0].id", id="wrong-type"),
        pytest.param(DELETE, {}, "'servers' is a required property", id="missing-field"),
        pytest.param(DELETE, {"servers": []}, "$.servers", id="empty-list"),
        pytest.param(
            DELETE, {"servers": servers("a"), "delete_volume": "yes"}, "$.delete_volume", id="bool"
        ),
        pytest.param(
            ACTION, {"reboot": {"servers": servers("a")}}, "$.reboot: 'type'", id="one-of-branch"
        ),
        pytest.param(
            ACTION,
            {"os-stop": {"servers": servers("a"), "type": "GENTLE"}},
            "$['os-stop'].type",
            id="enum",
        ),
        pytest.param(
            ACTION,
            {
                "os-start": {"servers": servers("a")},
                "reboot": {"servers": servers("a"), "type": "SOFT"},
            },
            "$: matches none of the allowed shapes",
            id="two-actions",
        ),
    ],
)
def test_a_bad_body_is_400_naming_what_is_wrong(
    session: httpx.Client, path: str, body: dict[str, Any], named: str
) -> None:
    response = session.post(path, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "Ecs.0005"
    assert named in error["message"]
    assert error["details"]
    assert {detail["code"] for detail in error["details"]} == {"Ecs.0005"}


def test_a_batch_holds_at_most_a_thousand_servers(session: httpx.Client) -> None:
    many = [str(number) for number in range(1001)]
    job_id = deliver(session, DELETE, {"servers": servers(*many[:1000])})
    state, _ = poll_job(session, job_id)
    assert state["entities"]["sub_jobs_total"] == len(state["entities"]["sub_jobs"]) == 1000
    response = session.post(DELETE, json={"servers": servers(*many)})
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    # jsonschema quotes the whole list; the envelope keeps the message readable.
    assert message.startswith("request body is illegal: $.servers: ")
    assert len(message) < 300


@pytest.mark.parametrize(
    ("content", "headers", "named"),
    [
        pytest.param(b'{"servers": [', {}, "not valid JSON", id="truncated"),
        pytest.param(b'{"servers": NaN}', {}, "not valid JSON", id="nan"),
        pytest.param(b"\xff\xfe", {}, "not valid JSON", id="not-utf8"),
        pytest.param(b"", {}, "a JSON body is required", id="empty"),
        pytest.param(
            b"{}", {"Content-Type": "text/plain"}, "Content-Type is 'text/plain'", id="type"
        ),
    ],
)
def test_an_unreadable_body_is_400(
    session: httpx.Client, content: bytes, headers: dict[str, str], named: str
) -> None:
    sent = {"Content-Type": "application/json", **headers}
    response = session.post(DELETE, content=content, headers=sent)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "Ecs.0005"
    assert named in response.json()["error"]["message"]


def test_an_encoded_slash_stays_inside_its_path_parameter(session: httpx.Client) -> None:
    job_id = deliver(session, "/v1/team%2Fa/cloudservers/delete", {"servers": servers("a")})
    # Another spelling of the same project ID after decoding: "%74" is "t".
    assert session.get(f"/v1/%74eam%2fa/jobs/{job_id}").status_code == 200
    assert session.get(f"/v1/team/a/jobs/{job_id}").status_code == 404


@pytest.mark.parametrize("path", ["/", "/v1/p/nothing", f"{JOBS}/x/", "/v2/p/cloudservers/delete"])
def test_an_unknown_path_is_404_in_the_envelope(session: httpx.Client, path: str) -> None:
    response = session.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "Ecs.0000"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("PUT", ACTION, "POST"), ("GET", DELETE, "POST"), ("DELETE", f"{JOBS}/x", "GET")],
)
def test_a_wrong_method_is_405_with_allow(
    session: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = session.request(method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    assert response.json()["error"]["code"] == "Ecs.0000"


# --- authentication ----------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "someone-else"])
def test_a_missing_or_wrong_token_is_401(session: httpx.Client, token: str | None) -> None:
    with client(str(session.base_url), token=token) as anonymous:
        for response in (
            anonymous.post(DELETE, json={"servers": servers("a")}),
            anonymous.post(DELETE, json={"not": "checked before the token"}),
            anonymous.get(f"{JOBS}/{'0' * 32}"),
        ):
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "Common.0013"


def test_any_token_is_accepted_unless_one_is_pinned() -> None:
    with serving(token=None) as mock, client(str(mock.base_url), token="any") as other:
        assert other.post(DELETE, json={"servers": servers("a")}).status_code == 200
    with serving(token=None) as mock, client(str(mock.base_url), token=None) as anonymous:
        assert anonymous.post(DELETE, json={"servers": servers("a")}).status_code == 401


def test_no_auth_serves_without_a_token() -> None:
    with serving(auth=False) as mock, client(str(mock.base_url), token=None) as anonymous:
        job_id = deliver(anonymous, DELETE, {"servers": servers("a")})
        assert anonymous.get(f"{JOBS}/{job_id}").status_code == 200


# --- faults and headers ------------------------------------------------------------------


def test_latency_delays_every_answer() -> None:
    with serving(latency_ms=200) as mock:
        started = time.perf_counter()
        mock.get("/nowhere")
        elapsed = time.perf_counter() - started
    assert elapsed >= 0.18


def test_every_nth_request_is_429_with_retry_after() -> None:
    with serving(rate_limit_every=3, retry_after=7) as mock:
        answers = [mock.post(DELETE, json={"servers": servers("a")}) for _ in range(6)]
        # Paths the spec lacks are not operations and draw no fault.
        assert mock.get("/nowhere").status_code == 404
    assert [answer.status_code for answer in answers] == [200, 200, 429, 200, 200, 429]
    for limited in (answers[2], answers[5]):
        assert limited.headers["Retry-After"] == "7"
        assert limited.json()["error"]["code"] == "Common.1503"


def _statuses_with_error_rate(rate: float, seed: int) -> list[httpx.Response]:
    with serving(error_rate=rate, seed=seed) as mock:
        return [mock.post(DELETE, json={"servers": servers("a")}) for _ in range(40)]


def test_an_error_rate_answers_500_or_503_reproducibly() -> None:
    answers = _statuses_with_error_rate(0.5, seed=11)
    statuses = [answer.status_code for answer in answers]
    assert {200, 500, 503} <= set(statuses) <= {200, 500, 503}
    for answer in answers:
        if answer.status_code >= 500:
            assert answer.json()["error"]["code"] == "Common.0001"
            assert ("Retry-After" in answer.headers) == (answer.status_code == 503)
    again = [answer.status_code for answer in _statuses_with_error_rate(0.5, seed=11)]
    assert again == statuses
    assert all(answer.status_code >= 500 for answer in _statuses_with_error_rate(1.0, seed=1))


def test_every_answer_has_its_own_request_id(session: httpx.Client) -> None:
    answers = [
        session.get("/nowhere"),
        session.put(ACTION),
        session.post(DELETE, json={}),
        session.post(DELETE, json={"servers": servers("a")}),
    ]
    ids = {answer.headers["X-Request-Id"] for answer in answers}
    assert len(ids) == len(answers)


def test_the_oracle_checked_every_answer(session: httpx.Client) -> None:
    before = ORACLE.checked
    session.get(f"{JOBS}/{'0' * 32}")
    assert ORACLE.checked == before + 1


# --- driven by the spec ------------------------------------------------------------------


def _spec() -> dict[str, Any]:
    """A copy of the project's spec to change."""
    return copy.deepcopy(ORACLE.data)


def test_roles_come_from_the_spec_not_from_names(tmp_path: Path) -> None:
    spec = _spec()
    paths = spec["paths"]
    query = paths.pop("/v1/{project_id}/jobs/{job_id}")
    query["get"]["operationId"] = "GetTask"
    paths["/v3/{project_id}/tasks/{job_id}"] = query
    paths["/v1/{project_id}/cloudservers/delete"]["post"]["operationId"] = "RemoveMachines"
    for response in ("TaskAccepted", "TaskPostponed"):
        spec["components"]["responses"][response]["links"]["ShowJob"]["operationId"] = "GetTask"
    summary = copy.deepcopy(query["get"])
    del summary["x-waiter"]
    summary |= {"operationId": "TaskSummary", "parameters": summary["parameters"][:1]}
    # Listed after the templated path it also fits: OpenAPI says the concrete one wins.
    paths["/v3/{project_id}/tasks/summary"] = {"get": summary}
    path = tmp_path / "renamed.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    # A plain client: the oracle knows the project's spec, not this variant of it.
    with (
        run_mock(path, token=TOKEN, job_duration=0) as base_url,
        httpx.Client(base_url=base_url, headers={"X-Auth-Token": TOKEN}) as renamed,
    ):
        job_id = renamed.post(DELETE, json={"servers": servers("a")}).json()["job_id"]
        state = renamed.get(f"/v3/{PROJECT}/tasks/{job_id}").json()
        assert (state["status"], state["job_type"]) == ("SUCCESS", "deleteServers")
        assert renamed.get(f"{JOBS}/{job_id}").status_code == 404
        # An operation with neither role answers its first example, not a live job.
        summary = renamed.get(f"/v3/{PROJECT}/tasks/summary")
        assert summary.status_code == 200
        example = query["get"]["responses"]["200"]["content"]["application/json"]["examples"]
        assert summary.json() == next(iter(example.values()))["value"]


def test_declared_parameters_and_security_come_from_the_spec(tmp_path: Path) -> None:
    spec = _spec()
    show_job = spec["paths"]["/v1/{project_id}/jobs/{job_id}"]["get"]
    show_job["security"] = []
    show_job["parameters"] += [
        {
            "name": "view",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "enum": ["full"]},
        },
        {"name": "X-Trace", "in": "header", "schema": {"type": "string", "pattern": "^[0-9a-f]+$"}},
    ]
    path = tmp_path / "parameters.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with (
        run_mock(path, token=TOKEN, job_duration=0) as base_url,
        httpx.Client(base_url=base_url, headers={"X-Auth-Token": TOKEN}) as session,
    ):
        job_id = session.post(DELETE, json={"servers": servers("a")}).json()["job_id"]
        job = f"{JOBS}/{job_id}"
        # No token: this operation's own empty security requirement overrides the global one.
        assert httpx.get(f"{base_url}{job}", params={"view": "full"}).status_code == 200
        problems = [
            (session.get(job), "query parameter 'view': is required"),
            (session.get(job, params={"view": "short"}), "query parameter 'view': 'short'"),
            (
                session.get(job, params={"view": "full"}, headers={"X-Trace": "xyz"}),
                "header parameter 'X-Trace': 'xyz' does not match",
            ),
        ]
        for answer, named in problems:
            assert answer.status_code == 400
            assert named in answer.json()["error"]["message"]


def test_a_spec_without_a_job_query_answers_examples_without_jobs(tmp_path: Path) -> None:
    spec = _spec()
    show_job = spec["paths"]["/v1/{project_id}/jobs/{job_id}"]["get"]
    del show_job["x-waiter"]
    path = tmp_path / "no-waiter.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with run_mock(path, token=TOKEN) as base_url, client(base_url) as session:
        delivered = session.post(DELETE, json={"servers": servers("a")})
        job = session.get(f"{JOBS}/{'0' * 32}")
        refused = session.post(DELETE, json={"servers": []})
    # No live jobs: the answers are the spec's examples, the same for every request.
    first_task_example = spec["components"]["examples"]["TaskIdUuid"]["value"]
    assert (delivered.status_code, delivered.json()) == (200, first_task_example)
    examples = show_job["responses"]["200"]["content"]["application/json"]["examples"]
    assert job.json() == next(iter(examples.values()))["value"]
    assert refused.status_code == 400


def test_a_link_the_mock_cannot_follow_is_refused() -> None:
    spec = _spec()
    link = spec["components"]["responses"]["TaskAccepted"]["links"]["ShowJob"]
    link["parameters"]["project_id"] = "$request.header.X-Project"
    with pytest.raises(SpecNotServableError, match="project_id"):
        build_api(spec)


# --- command line and server -------------------------------------------------------------


def test_run_mock_stops_its_server_on_exit() -> None:
    before = set(threading.enumerate())
    with run_mock(token=TOKEN) as base_url:
        assert httpx.get(f"{base_url}/nowhere").status_code == 404
        assert set(threading.enumerate()) - before
    assert not set(threading.enumerate()) - before
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/nowhere")


def test_the_listening_socket_is_explicitly_tcp() -> None:
    # asyncio disables Nagle's algorithm only on such sockets; without it every answer of
    # the mock waited for the client's delayed ACK (about 40 ms).
    with listening_socket(0) as sock:
        assert sock.proto == socket.IPPROTO_TCP


def test_the_default_spec_is_the_hand_written_one_readme_names() -> None:
    # README's options table: `--spec FILE` defaults to spec/openapi.yaml (no build needed).
    default = _mock_parser().get_default("spec")
    assert default == Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml"
    readme = (default.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "| `--spec FILE` | spec/openapi.yaml |" in readme


def test_the_command_line_serves_the_spec() -> None:
    with (
        mock_process("--no-auth", "--job-duration", "0") as base_url,
        client(base_url, token=None) as anonymous,
    ):
        job_id = deliver(anonymous, ACTION, {"os-start": {"servers": servers("a")}})
        state, _ = poll_job(anonymous, job_id)
        assert state["status"] == "SUCCESS"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--spec", "no/such/spec.yaml"], "no such file"),
        (["--error-rate", "1.5"], "argument --error-rate: must be from 0 to 1, not 1.5"),
        (["--error-rate", "nan"], "argument --error-rate: must be from 0 to 1, not nan"),
        (["--port", "70000"], "argument --port: must be from 0 to 65535, not 70000"),
        (["--port", "-1"], "argument --port: must be from 0 to 65535, not -1"),
        (["--job-duration", "nan"], "argument --job-duration: must be 0 or more, not nan"),
        (["--job-duration", "inf"], "argument --job-duration: must be 0 or more, not inf"),
        (["--job-duration", "-1"], "argument --job-duration: must be 0 or more, not -1"),
        (["--latency", "nan"], "argument --latency: must be 0 or more, not nan"),
        (["--job-ttl", "0"], "argument --job-ttl: must be 0.001 or more, not 0"),
        (["--max-jobs", "0"], "argument --max-jobs: must be 1 or more, not 0"),
        (["--max-body", "many"], "argument --max-body: 'many' is not a whole number"),
        (["--retry-after", "-5"], "argument --retry-after: must be 0 or more, not -5"),
        (["--rate-limit-every", "1.5"], "argument --rate-limit-every: '1.5' is not a whole"),
        (["--token", ""], "token must not be empty"),
    ],
)
def test_the_command_line_refuses_unusable_input(arguments: list[str], message: str) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "scripts.mock", "--port", "0", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert finished.returncode == 2
    assert message in finished.stderr
    assert "Traceback" not in finished.stderr


# --- contract tests with Schemathesis ----------------------------------------------------

contract = schemathesis.openapi.from_path(PUBLISHED)
contract.config.update(headers={"X-Auth-Token": TOKEN})


@pytest.fixture(scope="module")
def contract_url() -> Iterator[str]:
    with run_mock(token=TOKEN, job_duration=0.1) as base_url:
        yield base_url


@contract.parametrize()
@hypothesis.settings(max_examples=40, deadline=None, database=None)
def test_the_mock_keeps_the_contract(case: schemathesis.Case, contract_url: str) -> None:
    case.call_and_validate(base_url=contract_url)


def test_the_stateful_phase_follows_the_link_to_the_job(contract_url: str) -> None:
    delivered: set[str] = set()
    followed: list[str] = []
    contract.config.update(base_url=contract_url)

    class Scenario(contract.as_state_machine()):
        def after_call(self, response: schemathesis.Response, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            if response.status_code != 200:
                return
            job_id = (case.path_parameters or {}).get("job_id")
            if job_id is None:  # every operation but the job query delivers a task
                delivered.add(response.json()["job_id"])
            elif job_id in delivered:
                followed.append(job_id)

    Scenario.run(
        settings=hypothesis.settings(
            max_examples=40, stateful_step_count=6, deadline=None, database=None
        )
    )
    assert followed, "no job query used a job ID a task delivery returned"


# --- load --------------------------------------------------------------------------------


def test_twenty_clients_deliver_and_finish_a_thousand_jobs() -> None:
    clients, jobs_each = 20, 50

    async def one_client(base_url: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(
            base_url=base_url,
            headers={"X-Auth-Token": TOKEN},
            event_hooks={"response": [ORACLE.check_async]},
            timeout=30,
        ) as session:
            pending = []
            for number in range(jobs_each):
                answer = await session.post(DELETE, json={"servers": servers(f"s-{number}")})
                assert answer.status_code == 200, answer.text
                pending.append(answer.json()["job_id"])
            finished = []
            deadline = time.monotonic() + 30
            while pending and time.monotonic() < deadline:
                still = []
                for job_id in pending:
                    answer = await session.get(f"{JOBS}/{job_id}")
                    assert answer.status_code == 200, answer.text
                    state = answer.json()
                    (finished if state["status"] in FINAL else still).append(state)
                pending = [state["job_id"] for state in still]
                if pending:
                    await asyncio.sleep(0.05)
            assert not pending, f"{len(pending)} jobs never finished"
            return finished

    async def load(base_url: str) -> list[dict[str, Any]]:
        results = await asyncio.gather(*(one_client(base_url) for _ in range(clients)))
        return [state for states in results for state in states]

    with mock_process("--token", TOKEN, "--job-duration", "0.2") as base_url:
        answers_before, started = ORACLE.checked, time.perf_counter()
        states = asyncio.run(load(base_url))
        elapsed, answers = time.perf_counter() - started, ORACLE.checked - answers_before
    assert len(states) == clients * jobs_each
    assert len({state["job_id"] for state in states}) == clients * jobs_each
    assert {state["status"] for state in states} == {"SUCCESS"}
    rates = f"{len(states) / elapsed:.0f} jobs/s, {answers / elapsed:.0f} requests/s"
    print(f"\n{len(states)} jobs, {answers} requests in {elapsed:.2f} s: {rates}")
