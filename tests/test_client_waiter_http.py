"""wait_for_job and DeliveredTask.wait on both clients against a real local server."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conftest import call
from ecs_tasks import (
    ApiError,
    AuthenticationError,
    InternalServerError,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    ResponseValidationError,
    models,
)
from scripted_server import Reply, ScriptedServer, Seen, job, script

FAST = {"poll_interval": 0.01, "max_interval": 0.05}

FAILED_JOB = job(
    "FAIL",
    job_id="job-7",
    error_code="Ecs.0001",
    fail_reason="insufficient quota",
    entities={
        "sub_jobs_total": 2,
        "sub_jobs": [
            {"status": "SUCCESS", "job_id": "sub-ok", "entities": {"server_id": "srv-1"}},
            {
                "status": "FAIL",
                "job_id": "sub-bad",
                "error_code": "Ecs.0114",
                "entities": {"server_id": "srv-2", "errorcode_message": "the ECS does not exist"},
            },
        ],
    },
)


async def test_waits_until_success(make_client: Any, server: ScriptedServer) -> None:
    server.answer(job("INIT"), job("RUNNING"), job("SUCCESS"))
    client = make_client()
    seen: list[models.Job] = []

    result = await call(client.wait_for_job("job-1", timeout=5, on_progress=seen.append, **FAST))

    assert result.status == models.JobStatus.SUCCESS
    assert [j.status.value for j in seen] == ["INIT", "RUNNING", "SUCCESS"]
    assert server.count("GET") == 3
    assert {s.path for s in server.requests} == {"/v1/proj1/jobs/job-1"}


async def test_delivered_task_waits_for_its_own_job(
    make_client: Any, server: ScriptedServer
) -> None:
    polls = script(job("RUNNING", job_id="job-9"), job("SUCCESS", job_id="job-9"))

    def respond(seen: Seen) -> Reply:
        return Reply(200, {"job_id": "job-9"}) if seen.method == "POST" else polls(seen)

    server.responder = respond
    client = make_client()

    task = await call(client.delete_servers({"servers": [{"id": "srv-1"}]}))
    result = await call(task.wait(timeout=5, **FAST))

    assert result.job_id == "job-9"
    assert [s.path for s in server.requests] == [
        "/v1/proj1/cloudservers/delete",
        "/v1/proj1/jobs/job-9",
        "/v1/proj1/jobs/job-9",
    ]


async def test_failure_raises_with_the_job(make_client: Any, server: ScriptedServer) -> None:
    server.answer(job("RUNNING", job_id="job-7"), FAILED_JOB)
    client = make_client()

    with pytest.raises(JobFailedError) as caught:
        await call(client.wait_for_job("job-7", timeout=5, **FAST))

    assert caught.value.job.status == models.JobStatus.FAIL
    assert caught.value.job.job_id == "job-7"
    text = str(caught.value)
    for part in ("job-7", "Ecs.0001", "insufficient quota", "sub-bad", "the ECS does not exist"):
        assert part in text
    assert "sub-ok" not in text


async def test_timeout_raises_with_the_last_job_in_time(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(job("INIT"), job("RUNNING"))
    client = make_client()

    started = time.monotonic()
    with pytest.raises(JobTimeoutError) as caught:
        await call(client.wait_for_job("job-1", timeout=0.5, poll_interval=0.05, max_interval=0.2))
    elapsed = time.monotonic() - started

    assert 0.5 <= elapsed < 1.0
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.job is not None
    assert caught.value.job.status == models.JobStatus.RUNNING
    assert caught.value.elapsed >= 0.5
    assert server.count("GET") >= 3


async def test_a_hanging_poll_cannot_outlast_the_timeout(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(job("RUNNING"), Reply(200, {"status": "SUCCESS", "job_id": "job-1"}, delay=3))
    client = make_client(timeout=30)

    started = time.monotonic()
    with pytest.raises(JobTimeoutError) as caught:
        await call(client.wait_for_job("job-1", timeout=0.5, **FAST))

    assert time.monotonic() - started < 1.5
    assert caught.value.job is not None
    assert caught.value.job.status == models.JobStatus.RUNNING


async def test_transient_errors_are_ridden_out(make_client: Any, server: ScriptedServer) -> None:
    server.answer(
        Reply(503, "<html>busy</html>"),
        Reply(fault="reset"),
        Reply(429, {"error": {"code": "Common.1503", "message": "flow control"}}),
        Reply(408, b""),
        Reply(500, {"code": "Ecs.0500", "message": "internal"}),
        job("SUCCESS"),
    )
    client = make_client()

    result = await call(client.wait_for_job("job-1", timeout=5, **FAST))

    assert result.status == models.JobStatus.SUCCESS
    # max_retries does not apply inside the waiter: each failure cost exactly one request.
    assert server.count("GET") == 6


async def test_retry_after_is_honoured_while_waiting(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(429, b"", {"Retry-After": "1"}), job("SUCCESS"))
    client = make_client()

    await call(client.wait_for_job("job-1", timeout=5, **FAST))

    first, second = server.requests
    assert second.at - first.at >= 1.0


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, AuthenticationError), (403, PermissionDeniedError), (404, NotFoundError)],
)
async def test_permanent_errors_are_raised_at_once(
    make_client: Any, server: ScriptedServer, status: int, kind: type[ApiError]
) -> None:
    server.answer(Reply(status, {"code": "Ecs.0114", "message": "no"}), job("SUCCESS"))
    client = make_client()

    with pytest.raises(kind):
        await call(client.wait_for_job("job-1", timeout=5, **FAST))

    assert server.count("GET") == 1


async def test_a_body_that_is_not_a_job_is_raised_at_once(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(200, {"code": "Ecs.0000", "message": "query failed"}), job("SUCCESS"))
    client = make_client()

    with pytest.raises(ResponseValidationError):
        await call(client.wait_for_job("job-1", timeout=5, **FAST))

    assert server.count("GET") == 1


async def test_timeout_after_only_failures_chains_the_last_one(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(503, {"error": {"code": "Ecs.0503", "message": "down"}}))
    client = make_client()

    with pytest.raises(JobTimeoutError) as caught:
        await call(client.wait_for_job("job-1", timeout=0.3, **FAST))

    assert caught.value.job is None
    assert isinstance(caught.value.__cause__, InternalServerError)
    assert "no successful poll" in str(caught.value)


async def test_an_unknown_status_is_not_final(make_client: Any, server: ScriptedServer) -> None:
    # D19: a status outside x-waiter's success and failure lists (Huawei Cloud's prepaid
    # PENDING_PAYMENT, say) means "not finished"; the model keeps it and progress sees it.
    server.answer(job("PENDING_PAYMENT"), job("RUNNING"), job("SUCCESS"))
    client = make_client()
    seen: list[str] = []

    result = await call(
        client.wait_for_job(
            "job-1", timeout=5, on_progress=lambda j: seen.append(str(j.status)), **FAST
        )
    )

    assert seen == ["PENDING_PAYMENT", "RUNNING", "SUCCESS"]
    assert result.status == models.JobStatus.SUCCESS
    assert server.count("GET") == 3


async def test_show_job_keeps_an_unknown_status(make_client: Any, server: ScriptedServer) -> None:
    server.answer(job("PENDING_PAYMENT"))

    result = await call(make_client().show_job("job-1"))

    assert result.status == "PENDING_PAYMENT"
    assert result.model_dump(mode="json")["status"] == "PENDING_PAYMENT"
