"""Faults a network and an overloaded gateway produce, seen by both clients over real HTTP.

Only the client's typed errors may come out; no task is delivered twice; the waiter rides out
transient failures and still ends at its timeout.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from conftest import call
from ecs_tasks import (
    ApiClientError,
    ApiTimeoutError,
    InternalServerError,
    JobTimeoutError,
    ResponseValidationError,
    models,
)
from scripted_server import Reply, ScriptedServer, job

STOP = {"os-stop": {"servers": [{"id": "srv-1"}]}}
TASK = Reply(200, {"job_id": "job-1"})


async def test_a_read_that_used_up_the_timeout_is_not_retried(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(delay=0.5, body={"status": "SUCCESS", "job_id": "j"}))
    client = make_client(max_retries=3, timeout=0.15)
    with pytest.raises(ApiTimeoutError):
        await call(client.show_job("j"))
    assert server.count("GET") == 1  # the timeout is the whole call's: no time left to retry


async def test_quick_failures_are_retried_within_the_timeout(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(503, b"", {"Retry-After": "0"}), Reply(fault="reset"), job("SUCCESS"))
    client = make_client(max_retries=3, timeout=5)
    result = await call(client.show_job("j"))
    assert result.status == models.JobStatus.SUCCESS
    assert server.count("GET") == 3


async def test_a_storm_of_5xx_ends_in_one_typed_error(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(503, "<html><body>Service Unavailable</body></html>"))
    client = make_client(max_retries=2)
    with pytest.raises(InternalServerError) as caught:
        await call(client.show_job("j"))
    assert server.count("GET") == 3
    assert caught.value.status_code == 503
    assert caught.value.code is None and "Service Unavailable" in caught.value.message


async def test_a_storm_of_5xx_never_repeats_a_task(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(502, ""), TASK)
    client = make_client(max_retries=5)
    with pytest.raises(InternalServerError):
        await call(client.batch_server_action(STOP))
    assert server.count("POST") == 1


async def test_a_huge_body_is_read_and_parsed(make_client: Any, server: ScriptedServer) -> None:
    sub_jobs = [
        {"status": "SUCCESS", "job_id": f"sub-{i}", "entities": {"server_id": "x" * 64}}
        for i in range(40_000)
    ]
    body = {"status": "SUCCESS", "job_id": "j", "entities": {"sub_jobs": sub_jobs}}
    server.answer(Reply(200, body))
    assert len(json.dumps(body)) > 4_000_000
    result = await call(make_client().show_job("j"))
    assert result.entities is not None and len(result.entities.sub_jobs or []) == 40_000


async def test_a_huge_error_body_gives_a_short_message(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(500, "<html>" + "x" * 2_000_000 + "</html>"))
    with pytest.raises(InternalServerError) as caught:
        await call(make_client(max_retries=0).show_job("j"))
    assert len(str(caught.value)) < 1000
    assert len(caught.value.body) > 2_000_000


async def test_a_wrong_content_type_with_a_json_body_still_parses(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(
        Reply(200, json.dumps({"status": "INIT", "job_id": "j"}), {"Content-Type": "text/plain"})
    )
    result = await call(make_client().show_job("j"))
    assert result.status is models.JobStatus.INIT


async def test_a_200_with_html_is_a_response_validation_error(
    make_client: Any, server: ScriptedServer
) -> None:
    page = "<!DOCTYPE html><html><body>Gateway login</body></html>"
    server.answer(Reply(200, page, {"Content-Type": "text/html"}))
    with pytest.raises(ResponseValidationError) as caught:
        await call(make_client().show_job("j"))
    assert caught.value.body == page.encode()


async def test_a_truncated_success_body_is_a_typed_error(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(200, {"status": "SUCCESS", "job_id": "j" * 200}, fault="truncate"))
    with pytest.raises(ApiClientError):
        await call(make_client(max_retries=0).show_job("j"))


async def test_the_waiter_rides_out_a_storm_and_still_honours_its_timeout(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(job("RUNNING"), Reply(503, ""), Reply(fault="reset"), Reply(500, "oops"))
    client = make_client()
    started = time.monotonic()
    with pytest.raises(JobTimeoutError) as caught:
        await call(client.wait_for_job("job-1", timeout=1.0, poll_interval=0.05, max_interval=0.1))
    elapsed = time.monotonic() - started
    assert caught.value.job is not None and caught.value.job.status is models.JobStatus.RUNNING
    assert server.count("GET") >= 4
    assert elapsed < 2.0
