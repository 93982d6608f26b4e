"""The waiter of a spec shaped unlike ECS, over real HTTP: a job query `/jobs/{jobId}`, the job
id at `/job/id` of the task answer (beside a decoy `job_id`), a task field named `wait`, and a
nested status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from client_builds import Built, build_package
from conftest import SPECS, call
from scripted_server import Reply, ScriptedServer, Seen, script

SPEC = SPECS / "waiter" / "openapi.yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_package(SPEC, tmp_path_factory.mktemp("waiter") / "out", "waiter_shape")


def _state(name: str) -> Reply:
    return Reply(200, {"id": "real-7", "state": {"name": name}})


async def test_a_task_waits_on_the_job_its_link_points_to(
    built: Built, server: ScriptedServer, mode: str, tmp_path: Path
) -> None:
    polls = script(_state("QUEUED"), _state("PENDING_PAYMENT"), _state("DONE"))

    def respond(seen: Seen) -> Reply:
        if seen.method == "POST":
            return Reply(202, {"job": {"id": "real-7"}, "job_id": "decoy-1", "wait": "soon"})
        return polls(seen)

    server.responder = respond
    kind = built.package.Client if mode == "sync" else built.package.AsyncClient
    client: Any = kind(server.url)
    seen: list[str] = []
    try:
        task = await call(client.start_task({"what": "reboot"}))
        result = await call(
            task.wait(
                timeout=5, poll_interval=0.01, on_progress=lambda j: seen.append(j.state.name)
            )
        )
    finally:
        await call(client.close())

    assert task.wait_ == "soon"  # the field, renamed; `wait` stays the method
    assert result.state.name == "DONE"
    assert seen == ["QUEUED", "PENDING_PAYMENT", "DONE"]  # statuses outside both lists go on
    assert [s.path for s in server.requests] == ["/tasks"] + ["/jobs/real-7"] * 3


async def test_wait_for_job_takes_the_job_query_parameter(
    built: Built, server: ScriptedServer, mode: str
) -> None:
    server.answer(_state("BROKEN"))
    kind = built.package.Client if mode == "sync" else built.package.AsyncClient
    client: Any = kind(server.url)
    try:
        with pytest.raises(built.package.JobFailedError):
            await call(client.wait_for_job(job_id="j/1", timeout=5))
    finally:
        await call(client.close())

    assert [s.path for s in server.requests] == ["/jobs/j%2F1"]
