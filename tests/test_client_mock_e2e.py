"""The generated client against the spec-driven mock: deliver, wait, fail, and at load."""

from __future__ import annotations

import asyncio

import pytest

from ecs_tasks import (
    AsyncClient,
    AuthenticationError,
    Client,
    JobFailedError,
    NotFoundError,
    RequestValidationError,
    models,
)
from mock_helpers import TOKEN, mock_process
from scripts.mock import run_mock

PROJECT = "5dd3c0b24cdc4d31952c49589182a89d"
FAST = {"poll_interval": 0.05, "max_interval": 0.2}


def test_a_stop_is_delivered_and_its_job_waited_to_success() -> None:
    with run_mock(job_duration=0.3) as base_url, Client(base_url, PROJECT, TOKEN) as client:
        task = client.batch_server_action({"os-stop": {"servers": [{"id": "a"}, {"id": "b"}]}})
        assert isinstance(task, models.TaskResponse)
        job = task.wait(timeout=10, **FAST)
        assert job.status is models.JobStatus.SUCCESS
        assert job.job_id == task.job_id
        assert job.entities is not None and job.entities.sub_jobs_total == 2
        assert client.show_job(task.job_id) == job


def test_the_fail_trigger_raises_job_failed_with_the_mocks_error_code() -> None:
    with run_mock(job_duration=0.2) as base_url, Client(base_url, PROJECT, TOKEN) as client:
        task = client.delete_servers(
            models.DeleteServersRequest(servers=[models.ServerId(id="fail-7")])
        )
        with pytest.raises(JobFailedError) as failure:
            task.wait(timeout=10, **FAST)
    job = failure.value.job
    assert job.status is models.JobStatus.FAIL
    assert job.error_code == "Ecs.0000"
    assert "Ecs.0000" in str(failure.value)
    assert "fail-7" in str(failure.value) or job.fail_reason


async def test_the_async_client_delivers_and_waits() -> None:
    with run_mock(job_duration=0.2) as base_url:
        async with AsyncClient(base_url, PROJECT, TOKEN) as client:
            task = await client.batch_server_action(
                {"reboot": {"servers": [{"id": "x"}], "type": "HARD"}}
            )
            job = await task.wait(timeout=10, **FAST)
    assert job.status is models.JobStatus.SUCCESS


def test_the_mocks_errors_become_typed_errors() -> None:
    with run_mock(token=TOKEN) as base_url:
        with Client(base_url, PROJECT, TOKEN) as client, pytest.raises(NotFoundError) as missing:
            client.show_job("ffffffffffffffffffffffffffffffff")
        with Client(base_url, PROJECT, "wrong") as client, pytest.raises(AuthenticationError):
            client.show_job("ffffffffffffffffffffffffffffffff")
        with Client(base_url, PROJECT) as client, pytest.raises(AuthenticationError) as denied:
            client.show_job("ffffffffffffffffffffffffffffffff")
        with Client(base_url, PROJECT, TOKEN) as client, pytest.raises(RequestValidationError):
            client.delete_servers({"servers": []})  # refused before it is sent
    assert missing.value.code is not None and missing.value.request_id
    assert denied.value.code == "Common.0013"


def test_a_body_the_client_cannot_check_is_still_refused_by_the_mock() -> None:
    # The client validates bodies, so an invalid one is sent here by hand, as another
    # language's client might; the mock answers the envelope the client parses.
    with run_mock() as base_url, Client(base_url, PROJECT, TOKEN) as client:
        raw = client._http.post(  # noqa: SLF001 - deliberately bypasses validation
            f"{base_url}/v1/{PROJECT}/cloudservers/delete",
            json={"servers": "nope"},
            headers={"X-Auth-Token": TOKEN},
        )
    assert raw.status_code == 400
    assert raw.json()["error"]["code"] == "Ecs.0005"


def test_twenty_async_clients_wait_for_a_thousand_jobs() -> None:
    clients, jobs_each = 20, 50

    async def one(base_url: str, number: int) -> list[models.Job]:
        async with AsyncClient(base_url, PROJECT, TOKEN) as client:
            tasks = [
                await client.delete_servers({"servers": [{"id": f"s-{number}-{i}"}]})
                for i in range(jobs_each)
            ]
            return list(await asyncio.gather(*(t.wait(timeout=60, **FAST) for t in tasks)))

    async def load(base_url: str) -> list[models.Job]:
        done = await asyncio.gather(*(one(base_url, n) for n in range(clients)))
        return [job for jobs in done for job in jobs]

    with mock_process("--token", TOKEN, "--job-duration", "0.2") as base_url:
        jobs = asyncio.run(load(base_url))
    assert len(jobs) == clients * jobs_each
    assert len({job.job_id for job in jobs}) == clients * jobs_each
    assert {job.status for job in jobs} == {models.JobStatus.SUCCESS}
