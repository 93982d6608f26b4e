"""Each task-delivering operation of the spec, end to end against the mock, sync and async:
the generated method delivers a task, and waiting on it reaches SUCCESS."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from conftest import ROOT
from ecs_tasks import AsyncClient, Client, RequestValidationError, models
from mock_helpers import TOKEN
from scripts.mock import run_mock

PROJECT = "5dd3c0b24cdc4d31952c49589182a89d"
SERVER = "bae51750-0089-41a1-9b18-5c777978ff6d"
VOLUME = "a26887c6-c47b-4654-abb5-dfadf7d3f803"
FAST = {"poll_interval": 0.05, "max_interval": 0.2}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# One call per operation: the method's name and its arguments, bodies as the docs' examples.
CALLS: dict[str, tuple[Any, ...]] = {
    "create_servers": (
        {
            "server": {
                "name": "newserver",
                "imageRef": "1189efbf-d48b-46ad-a823-94b942e2a000",
                "flavorRef": "s3.xlarge.2",
                "vpcid": "0dae26c9-9a70-4392-93f3-87d53115d171",
                "nics": [{"subnet_id": "157ee789-03ea-45b1-a698-76c92660dd83"}],
                "root_volume": {"volumetype": "SSD"},
                "key_name": "sshkey-123",
                "count": 2,
            }
        },
    ),
    "resize_server": (SERVER, {"resize": {"flavorRef": "c3.15xlarge.2"}}),
    "migrate_server": (
        SERVER,
        {"migrate": {"dedicated_host_id": "459a2b9d-804a-4745-ab19-a113bb1b4ddc"}},
    ),
    "change_server_os_with_cloud_init": (
        SERVER,
        models.ChangeServerOsWithCloudInitRequest.model_validate(
            {
                "os-change": {
                    "keyname": "KeyPair-350b",
                    "userid": "7e25b1da389f4697a79df3a0e5bd494e",
                    "imageid": "e215580f-73ad-429d-b6f2-5433947433b0",
                }
            }
        ),
    ),
    "reinstall_server_with_cloud_init": (
        SERVER,
        {"os-reinstall": {"userid": "7e25b1da389f4697a79df3a0e5bd494e", "mode": "withStopServer"}},
    ),
    "attach_server_volume": (
        SERVER,
        {"volumeAttachment": {"volumeId": VOLUME, "device": "/dev/vdb"}},
    ),
    "detach_server_volume": (SERVER, VOLUME),
    "batch_add_server_nics": (
        SERVER,
        {
            "nics": [
                {
                    "subnet_id": "d32019d3-bc6e-4319-9c1d-6722fc136a23",
                    "security_groups": [{"id": "f0ac4394-7e4a-4409-9701-ba8be283dbc3"}],
                }
            ]
        },
    ),
    "batch_delete_server_nics": (
        SERVER,
        {"nics": [{"id": "d32019d3-bc6e-4319-9c1d-6722fc136a23"}]},
    ),
}


def test_every_task_delivering_operation_of_the_spec_is_exercised() -> None:
    # The new operations plus the two older ones that test_client_mock_e2e.py drives.
    delivering = {
        name
        for name, method in vars(Client).items()
        if callable(method) and "DeliveredTask" in str(method.__annotations__.get("return"))
    }
    assert delivering == set(CALLS) | {"batch_server_action", "delete_servers"}


#: The answer model each method returns; the others answer a TaskResponse.
ANSWERS: dict[str, type[Any]] = {"create_servers": models.CreateServersResponse}


def _check(task: models.TaskResponse | models.CreateServersResponse, job: models.Job) -> None:
    assert task.job_id
    assert job.job_id == task.job_id
    assert job.status is models.JobStatus.SUCCESS
    if isinstance(task, models.CreateServersResponse):
        # count 2: the answer names both new ECSs, the IDs the job's sub-jobs work on.
        assert task.server_ids is not None
        assert len(task.server_ids) == len(set(task.server_ids)) == 2
        assert sorted(_sub_job_entities(job, "server_id")) == sorted(task.server_ids)


def _sub_job_entities(job: models.Job, field: str) -> list[str | None]:
    """The ``field`` entity of each of the job's sub-jobs (None where one has no entities)."""
    assert job.entities is not None and job.entities.sub_jobs is not None
    return [getattr(sub.entities, field) if sub.entities else None for sub in job.entities.sub_jobs]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_operation_delivers_a_task_that_is_waited_to_success(name: str) -> None:
    with run_mock(job_duration=0.2) as base_url, Client(base_url, PROJECT, TOKEN) as client:
        call: Callable[..., Any] = getattr(client, name)
        task = call(*CALLS[name])
        assert isinstance(task, ANSWERS.get(name, models.TaskResponse))
        job = task.wait(timeout=10, **FAST)
        _check(task, job)
        assert client.show_job(task.job_id).status is models.JobStatus.SUCCESS


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_the_async_operation_delivers_a_task_that_is_waited_to_success(name: str) -> None:
    with run_mock(job_duration=0.2) as base_url:
        async with AsyncClient(base_url, PROJECT, TOKEN) as client:
            call: Callable[..., Awaitable[Any]] = getattr(client, name)
            task = await call(*CALLS[name])
            job = await task.wait(timeout=10, **FAST)
    _check(task, job)


def test_create_servers_answers_the_new_ecss_ids_and_waits_to_success() -> None:
    with run_mock(job_duration=0.2) as base_url, Client(base_url, PROJECT, TOKEN) as client:
        task = client.create_servers(*CALLS["create_servers"])
        job = task.wait(timeout=10, **FAST)
    assert isinstance(task, models.CreateServersResponse)
    assert task.model_dump(by_alias=True).keys() == {"job_id", "serverIds"}
    assert job.job_type == "createServer"
    assert job.entities is not None and job.entities.sub_jobs_total == 2
    assert {sub.job_type for sub in job.entities.sub_jobs or []} == {"createSingleServer"}
    assert all(UUID.fullmatch(str(server_id)) for server_id in _sub_job_entities(job, "server_id"))
    _check(task, job)


def test_a_nic_add_job_has_one_sub_job_per_nic_with_its_nic_id() -> None:
    subnet = {"subnet_id": "d32019d3-bc6e-4319-9c1d-6722fc136a23"}
    with run_mock(job_duration=0.2) as base_url, Client(base_url, PROJECT, TOKEN) as client:
        task = client.batch_add_server_nics(SERVER, {"nics": [subnet, subnet, subnet]})
        job = task.wait(timeout=10, **FAST)
    assert (job.status, job.job_type) == (models.JobStatus.SUCCESS, "batchAddNics")
    assert job.entities is not None and job.entities.server_id == SERVER
    nic_ids = _sub_job_entities(job, "nic_id")
    assert len(nic_ids) == len(set(nic_ids)) == 3
    assert all(UUID.fullmatch(str(nic_id)) for nic_id in nic_ids)


def test_a_resize_job_carries_the_server_of_its_path() -> None:
    with run_mock(job_duration=0.2) as base_url, Client(base_url, PROJECT, TOKEN) as client:
        job = client.resize_server(*CALLS["resize_server"]).wait(timeout=10, **FAST)
    assert (job.status, job.job_type) == (models.JobStatus.SUCCESS, "resizeServer")
    assert job.entities is not None and job.entities.server_id == SERVER
    assert not job.entities.sub_jobs


def test_detach_takes_the_documented_delete_flag_values_only() -> None:
    # D28: delete_flag is "0" or "1"; the client refuses anything else before sending, and
    # the mock answers it with the error envelope when another client sends it anyway.
    with run_mock(job_duration=0.1) as base_url, Client(base_url, PROJECT, TOKEN) as client:
        forced = client.detach_server_volume(SERVER, VOLUME, delete_flag="1")
        assert forced.wait(timeout=10, **FAST).status is models.JobStatus.SUCCESS
        with pytest.raises(RequestValidationError, match="delete_flag"):
            client.detach_server_volume(SERVER, VOLUME, delete_flag="2")  # type: ignore[arg-type]
        url = f"{base_url}/v1/{PROJECT}/cloudservers/{SERVER}/detachvolume/{VOLUME}"
        raw = httpx.delete(url, params={"delete_flag": "2"}, headers={"X-Auth-Token": TOKEN})
    assert raw.status_code == 400
    assert raw.json()["error"]["code"] == "Ecs.0005"


def test_the_readmes_create_example_runs_against_the_mock(
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    example = next(block for block in blocks if "create_servers(" in block)
    with run_mock(job_duration=0.2) as base_url:
        code = example.replace('"https://ecs.eu-de.otc.t-systems.com"', "base_url")
        code = code.replace("task.wait(timeout=1800)", "task.wait(timeout=10, **FAST)")
        names = {"Client": Client, "base_url": base_url, "project_id": PROJECT, "token": TOKEN}
        names |= {"image_id": "i", "vpc_id": "v", "subnet_id": "s", "FAST": FAST}
        exec(code, names)  # noqa: S102 - the README's own example, run as a reader would
    job = names["job"]
    assert job.status is models.JobStatus.SUCCESS
    assert names["task"].job_id == job.job_id
    capsys.readouterr()
