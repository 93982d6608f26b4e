"""The ECS operations' jobs as the docs show them, served from a fixture spec over loopback.

tests/specs/mock-ecs/openapi.yaml adds the task-delivering operations of the API reference
(CreateServers, ResizeServer, ... BatchDeleteServerNics) with their operationIds and request
shapes; the mock's entity rules are keyed by those operationIds (scripts/mock/entities.py).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mock_helpers import PROJECT, TOKEN, SpecOracle, deliver, poll_job
from scripts.mock import run_mock

FIXTURE = Path(__file__).parent / "specs" / "mock-ecs" / "openapi.yaml"
ORACLE = SpecOracle(FIXTURE)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SERVERS = f"/v1/{PROJECT}/cloudservers"
SERVER = f"{SERVERS}/srv-1"
CREATE = {
    "server": {
        "name": "web",
        "imageRef": "imageid_123",
        "flavorRef": "m3.large.8",
        "vpcid": "0dae26c9-9a70-4392-93f3-87d53115d171",
        "nics": [{"subnet_id": "157ee789-03ea-45b1-a698-76c92660dd83"}],
        "root_volume": {"volumetype": "SSD"},
        "count": 3,
    }
}


@pytest.fixture(scope="module")
def session() -> Iterator[httpx.Client]:
    with (
        run_mock(FIXTURE, token=TOKEN, job_duration=0.2) as base_url,
        httpx.Client(
            base_url=base_url,
            headers={"X-Auth-Token": TOKEN},
            event_hooks={"response": [ORACLE.check_sync]},
            timeout=10,
        ) as client,
    ):
        yield client


def _finished(session: httpx.Client, path: str, body: Any = None, method: str = "POST") -> Any:
    if method == "POST":
        job_id = deliver(session, path, body)
    else:
        answer = session.request(method, path)
        assert answer.status_code == 200, answer.text
        job_id = answer.json()["job_id"]
    state, _ = poll_job(session, job_id)
    return state


def test_create_has_one_sub_job_per_ecs_created_each_with_its_new_server_id(
    session: httpx.Client,
) -> None:
    state = _finished(session, SERVERS, CREATE)
    assert (state["status"], state["job_type"]) == ("SUCCESS", "createServer")
    sub_jobs = state["entities"]["sub_jobs"]
    assert state["entities"]["sub_jobs_total"] == len(sub_jobs) == 3
    assert {sub["job_type"] for sub in sub_jobs} == {"createSingleServer"}
    server_ids = [sub["entities"]["server_id"] for sub in sub_jobs]
    assert all(UUID.fullmatch(server_id) for server_id in server_ids)
    assert len(set(server_ids)) == 3


def test_create_without_count_creates_one_and_a_fail_name_fails_it(session: httpx.Client) -> None:
    one = copy.deepcopy(CREATE)
    del one["server"]["count"]
    assert _finished(session, SERVERS, one)["entities"]["sub_jobs_total"] == 1
    one["server"]["name"] = "fail-web"
    state = _finished(session, SERVERS, one)
    assert (state["status"], state["error_code"]) == ("FAIL", "Ecs.0000")
    assert "fail-web" in state["fail_reason"]
    assert [sub["status"] for sub in state["entities"]["sub_jobs"]] == ["FAIL"]


@pytest.mark.parametrize(
    ("path", "body", "job_type"),
    [
        (f"{SERVER}/resize", {"resize": {"flavorRef": "c3.15xlarge.2"}}, "resizeServer"),
        (f"{SERVER}/migrate", {"migrate": {"dedicated_host_id": "459a2b9d"}}, "migrateServer"),
        (
            f"/v2/{PROJECT}/cloudservers/srv-1/changeos",
            {"os-change": {"imageid": "e215580f", "userid": "7e25b1da"}},
            "changeOS",
        ),
        (
            f"/v2/{PROJECT}/cloudservers/srv-1/reinstallos",
            {"os-reinstall": {"userid": "7e25b1da", "mode": "withStopServer"}},
            "reinstallOS",
        ),
        (
            f"{SERVER}/attachvolume",
            {"volumeAttachment": {"volumeId": "a26887c6", "device": "/dev/sda"}, "dry_run": False},
            "attachVolume",
        ),
    ],
)
def test_an_operation_on_one_ecs_shows_its_server_id(
    session: httpx.Client, path: str, body: dict[str, Any], job_type: str
) -> None:
    state = _finished(session, path, body)
    assert (state["status"], state["job_type"]) == ("SUCCESS", job_type)
    assert state["entities"] == {"server_id": "srv-1"}
    failing = _finished(session, path.replace("srv-1", "fail-srv"), body)
    assert (failing["status"], failing["error_code"]) == ("FAIL", "Ecs.0000")
    assert failing["entities"] == {"server_id": "fail-srv"}


def test_detaching_a_disk_shows_the_ecs_and_fails_by_the_disk_id(session: httpx.Client) -> None:
    state = _finished(session, f"{SERVER}/detachvolume/v-1?delete_flag=1", method="DELETE")
    assert (state["status"], state["job_type"]) == ("SUCCESS", "detachVolume")
    assert state["entities"] == {"server_id": "srv-1"}
    failing = _finished(session, f"{SERVER}/detachvolume/fail-v", method="DELETE")
    assert failing["status"] == "FAIL"
    assert "fail-v" in failing["fail_reason"]
    refused = session.delete(f"{SERVER}/detachvolume/v-1?delete_flag=2")
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("path", "body", "trigger"),
    [
        (f"{SERVER}/attachvolume", {"volumeAttachment": {"volumeId": "fail-disk"}}, "fail-disk"),
        (
            f"/v2/{PROJECT}/cloudservers/srv-1/changeos",
            {"os-change": {"imageid": "fail-image"}},
            "fail-image",
        ),
        (f"{SERVER}/nics/delete", {"nics": [{"id": "ok"}, {"id": "fail-nic"}]}, "fail-nic"),
    ],
)
def test_a_fail_value_in_the_body_fails_the_job(
    session: httpx.Client, path: str, body: dict[str, Any], trigger: str
) -> None:
    state = _finished(session, path, body)
    assert (state["status"], state["error_code"]) == ("FAIL", "Ecs.0000")
    assert trigger in state["fail_reason"]


def test_adding_nics_has_one_sub_job_per_nic_with_a_new_nic_id(session: httpx.Client) -> None:
    body = {
        "nics": [
            {"subnet_id": "d32019d3", "security_groups": [{"id": "f0ac4394"}]},
            {"subnet_id": "fail-subnet"},
        ]
    }
    state = _finished(session, f"{SERVER}/nics", body)
    assert (state["status"], state["job_type"]) == ("FAIL", "batchAddNics")
    assert state["entities"]["server_id"] == "srv-1"
    sub_jobs = state["entities"]["sub_jobs"]
    assert [sub["job_type"] for sub in sub_jobs] == ["addSingleNic"] * 2
    assert [sub["status"] for sub in sub_jobs] == ["SUCCESS", "FAIL"]
    assert all(UUID.fullmatch(sub["entities"]["nic_id"]) for sub in sub_jobs)
    assert "server_id" not in sub_jobs[0]["entities"]


def test_deleting_nics_has_one_sub_job_per_nic_named_by_the_body(session: httpx.Client) -> None:
    body = {"nics": [{"id": "d32019d3-bc6e-4319-9c1d-6722fc136a23"}, {"id": "n-2"}]}
    state = _finished(session, f"{SERVER}/nics/delete", body)
    assert (state["status"], state["job_type"]) == ("SUCCESS", "batchDeleteNics")
    sub_jobs = state["entities"]["sub_jobs"]
    assert [sub["entities"]["nic_id"] for sub in sub_jobs] == [nic["id"] for nic in body["nics"]]
    assert {sub["job_type"] for sub in sub_jobs} == {"deleteSingleNic"}


def test_the_rules_are_keyed_by_operation_id_with_a_fallback(tmp_path: Path) -> None:
    spec = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    spec["paths"]["/v1/{project_id}/cloudservers"]["post"]["operationId"] = "MakeMachines"
    path = tmp_path / "renamed.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with (
        run_mock(path, token=TOKEN, job_duration=0) as base_url,
        httpx.Client(base_url=base_url, headers={"X-Auth-Token": TOKEN}) as session,
    ):
        state = _finished(session, SERVERS, CREATE)
    # The fallback names the job after the request schema and finds no servers[] in it.
    assert (state["job_type"], state["entities"]["sub_jobs_total"]) == ("createServers", 0)
