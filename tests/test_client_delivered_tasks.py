"""Task-delivering operations whose answers differ, over real HTTP: each method returns a
delivered task of its own answer model, every field kept, and waits on the job id at the
pointer its own link names (tests/specs/tasks/openapi.yaml)."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

from client_builds import Built, build_package
from conftest import ROOT, SPECS, call
from scripted_server import Reply, ScriptedServer, Seen
from scripts import naming

SPEC = SPECS / "tasks" / "openapi.yaml"

# What each task-delivering method is answered, and the job id its wait() must poll.
ANSWERS: dict[str, tuple[dict[str, Any], str]] = {
    "start_plain": ({"job_id": "plain-1"}, "plain-1"),
    "start_batch": ({"job_id": "batch-2", "thingIds": ["t-1", "t-2"]}, "batch-2"),
    "start_nested": ({"job": {"id": "nested-3"}, "job_id": "decoy-9"}, "nested-3"),
}
PATHS = {"start_plain": "/plain", "start_batch": "/batch", "start_nested": "/nested"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_package(SPEC, tmp_path_factory.mktemp("tasks") / "out", "task_shapes")


def _respond(seen: Seen) -> Reply:
    if seen.method == "GET":
        return Reply(200, {"id": seen.path.rsplit("/", 1)[-1], "status": "DONE"})
    name = next(name for name, path in PATHS.items() if path == seen.path)
    return Reply(202, ANSWERS[name][0])


def test_each_method_says_it_returns_the_task_class_of_its_own_answer(built: Built) -> None:
    package = built.package
    returns = {
        name: (
            getattr(package.Client, name).__annotations__["return"],
            getattr(package.AsyncClient, name).__annotations__["return"],
        )
        for name in ("start_plain", "start_plain_again", "start_batch", "start_nested")
    }
    # The answer two operations share keeps the plain name; the model CreateThingsDeliveredTask
    # already takes the name the batch answer's class would get, so that one is numbered.
    assert returns == {
        "start_plain": ("DeliveredTask", "AsyncDeliveredTask"),
        "start_plain_again": ("DeliveredTask", "AsyncDeliveredTask"),
        "start_batch": ("CreateThingsDeliveredTask2", "AsyncCreateThingsDeliveredTask2"),
        "start_nested": ("NestedTaskDeliveredTask", "AsyncNestedTaskDeliveredTask"),
    }
    models = package.models
    for classes, model in [
        (returns["start_plain"], models.PlainTask),
        (returns["start_batch"], models.CreateThingsResponse),
        (returns["start_nested"], models.NestedTask),
    ]:
        assert all(issubclass(getattr(package, name), model) for name in classes)
    assert "name" in models.CreateThingsDeliveredTask.model_fields  # the model, untouched
    tasks = {name for pair in returns.values() for name in pair}
    assert {n for n in package.__all__ if n.endswith(("Task", "Task2"))} == tasks


async def test_each_task_keeps_every_field_and_waits_on_its_own_job_id(
    built: Built, server: ScriptedServer, mode: str
) -> None:
    server.responder = _respond
    kind = built.package.Client if mode == "sync" else built.package.AsyncClient
    client: Any = kind(server.url)
    tasks: dict[str, Any] = {}
    jobs: dict[str, Any] = {}
    try:
        for name in ANSWERS:
            tasks[name] = await call(getattr(client, name)())
            jobs[name] = await call(tasks[name].wait(timeout=5, poll_interval=0.01))
    finally:
        await call(client.close())

    models = built.package.models
    assert tasks["start_batch"].thing_ids == ["t-1", "t-2"]
    assert (tasks["start_nested"].job.id, tasks["start_nested"].job_id) == ("nested-3", "decoy-9")
    for name, model in [
        ("start_plain", models.PlainTask),
        ("start_batch", models.CreateThingsResponse),
        ("start_nested", models.NestedTask),
    ]:
        answer, job_id = ANSWERS[name]
        plain = model.model_validate(answer)
        task = tasks[name]
        # Equality and serialisation are the plain answer model's, every field included.
        assert task == plain
        assert plain == task
        assert task.model_dump(by_alias=True, exclude_unset=True) == answer
        assert task.model_dump_json() == plain.model_dump_json()
        assert jobs[name].id == job_id
    assert tasks["start_plain"] != models.CreateThingsResponse(job_id="plain-1")
    polled = [seen.path for seen in server.requests if seen.method == "GET"]
    assert polled == ["/jobs/plain-1", "/jobs/batch-2", "/jobs/nested-3"]


def test_an_operation_linked_to_the_job_query_without_one_answer_model_is_said(
    built: Built,
) -> None:
    warning = (
        "links to the job query getJob, but its 2xx answers are not one model; the method "
        "returns the answer, without wait() [#/paths/~1either/post/responses/200]"
    )
    lines = [line for line in built.err.splitlines() if warning in line]
    assert len(lines) == 1
    assert re.match(rf"{re.escape(str(SPEC.relative_to(ROOT)))}:\d+:\d+: warning: ", lines[0])
    answer = built.package.Client.start_either.__annotations__["return"]
    assert answer == "models.PlainTask | models.NestedTask"


def test_an_async_twin_never_takes_another_answers_name() -> None:
    # "Foo" gives AsyncFooDeliveredTask to its asyncio class, the name "AsyncFoo" would give its
    # blocking one: that pair moves on together, to the first number both are free at.
    names = naming.delivered_task_names(["TaskResponse", "Foo", "AsyncFoo"])
    assert [(sync.python, asynchronous.python) for sync, asynchronous in names] == [
        ("DeliveredTask", "AsyncDeliveredTask"),
        ("FooDeliveredTask", "AsyncFooDeliveredTask"),
        ("AsyncFooDeliveredTask2", "AsyncAsyncFooDeliveredTask2"),
    ]
    # A model class, or a class of the client module, is never shadowed.
    taken = naming.delivered_task_names(["Client", "Foo"], taken=["FooDeliveredTask"])
    assert [sync.python for sync, _ in taken] == ["DeliveredTask", "FooDeliveredTask2"]
    response = naming.delivered_task_names(["TaskResponse", "Response"])
    assert [sync.python for sync, _ in response] == ["DeliveredTask", "DeliveredTask2"]


def test_the_package_passes_mypy_strict_with_a_union_answer(built: Built) -> None:
    # start_either answers one of two models: the call hands mypy a union as its answer type.
    assert "cast(" in (built.out / "task_shapes" / "_client.py").read_text()
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "task_shapes"],
        cwd=built.out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
