"""What a delivered job works on, by operation: the ECS rules by operationId, and a fallback.

The ECS rules follow the API reference's job pages (querying_job_execution_status.rst and each
operation's page): a create job has one ``createSingleServer`` sub-job per ECS created (the
body's ``count``), each with the new ECS's ``server_id``; batch operations have one sub-job
per server of the body; an operation on one ECS (resize, migrate, OS change or reinstall,
disk attach or detach) shows that ECS's ``server_id`` in the job's own entities; NIC jobs
show the ECS and have one sub-job per NIC, with its ``nic_id``. Any other operation, of this
spec or another, gets the fallback: a job named after the request's schema or operationId
with one sub-job per ``servers[].id`` in the body, if it has any. A task answer carries the job
ID, and for CreateServers also the new ECSs' IDs (``serverIds``), those its sub-jobs show.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from scripts.mock.jobs import Work


@dataclass(frozen=True)
class Delivery:
    """A request that delivered a task: its operation, body shape, path values and body."""

    operation_id: str
    shape: str | None
    path: Mapping[str, str]
    body: Any


Rule = Callable[[Delivery], Work]


def work_for(delivery: Delivery) -> Work:
    """What the job of ``delivery`` works on: its operation's rule, or the fallback."""
    return ECS_RULES.get(delivery.operation_id, _per_server)(delivery)


def answer_fields(operation_id: str, work: Work) -> dict[str, Any]:
    """What the answer delivering ``work`` carries besides the job ID, by operationId."""
    if operation_id == "CreateServers":
        return {"serverIds": [server_id for server_id, _ in work.subjects]}
    return {}


def job_type_for(name: str) -> str:
    """The job type for a request schema or operation name: ``BatchStopServersRequest`` ->
    ``batchStopServers``, ``DeleteServers`` -> ``deleteServers``."""
    return _lower_first(name.removesuffix("Request"))


def sub_job_type_for(job_type: str) -> str:
    """The type of a job's per-server parts, after the documented ``createServer`` ->
    ``createSingleServer``: ``batchStopServers`` -> ``stopSingleServer``."""
    stem = _lower_first(job_type.removeprefix("batch"))
    return stem.removesuffix("Servers") + "SingleServer" if stem.endswith("Servers") else stem


def server_ids(body: Any) -> list[str]:
    """The ``id`` of every entry of every ``servers`` list in a request body, in order."""
    return list(_server_ids(body))


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _server_ids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "servers" and isinstance(item, list):
                yield from (
                    str(entry["id"]) for entry in item if isinstance(entry, dict) and "id" in entry
                )
            else:
                yield from _server_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _server_ids(item)


def _field(value: Any, *names: str) -> Any:
    """``value[names[0]][names[1]]...``, or ``None`` where the body has no such field."""
    for name in names:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _texts(*values: Any) -> tuple[str, ...]:
    return tuple(value for value in values if isinstance(value, str))


# --- the rules ---------------------------------------------------------------------------


def _per_server(delivery: Delivery) -> Work:
    """One sub-job per server of the body; the fallback, and the batch operations' rule."""
    job_type = job_type_for(delivery.shape or delivery.operation_id)
    servers = server_ids(delivery.body)
    return Work(job_type, sub_job_type_for(job_type), subjects=tuple((s, s) for s in servers))


def _create_servers(delivery: Delivery) -> Work:
    # Each ECS created gets a new ID; the name, shared by all, is the fail trigger.
    count = _field(delivery.body, "server", "count")
    created = tuple(str(uuid.uuid4()) for _ in range(count if isinstance(count, int) else 1))
    return Work(
        "createServer",
        "createSingleServer",
        subjects=tuple((server_id, server_id) for server_id in created),
        triggers=_texts(_field(delivery.body, "server", "name")),
    )


def _on_server(job_type: str, trigger: Callable[[Delivery], Any] = lambda _: None) -> Rule:
    """An operation on the ECS of the path; ``trigger`` picks another value that can fail it."""

    def rule(delivery: Delivery) -> Work:
        server_id = delivery.path.get("server_id", "")
        return Work(
            job_type,
            sub_jobs=False,
            entities=(("server_id", server_id),),
            triggers=_texts(server_id, trigger(delivery)),
        )

    return rule


def _nics(job_type: str, sub_job_type: str, *, added: bool) -> Rule:
    """NICs added to or deleted from the ECS of the path, one sub-job per NIC of the body."""

    def rule(delivery: Delivery) -> Work:
        nics = _field(delivery.body, "nics")
        entries = [nic for nic in nics if isinstance(nic, dict)] if isinstance(nics, list) else []
        # An added NIC gets a new ID, and fails by its subnet; a deleted one is named.
        subjects = tuple(
            (str(uuid.uuid4()), str(nic.get("subnet_id", "")))
            if added
            else (str(nic.get("id", "")), str(nic.get("id", "")))
            for nic in entries
        )
        server_id = delivery.path.get("server_id", "")
        return Work(
            job_type,
            sub_job_type,
            subject_key="nic_id",
            subjects=subjects,
            entities=(("server_id", server_id),),
            triggers=_texts(server_id),
        )

    return rule


#: The ECS operations whose jobs the fallback would not show as the docs do, by operationId
#: (the names huaweicloudsdkecs uses); the batch ones are listed so the table is complete.
ECS_RULES: dict[str, Rule] = {
    "CreateServers": _create_servers,
    "DeleteServers": _per_server,
    "BatchServerAction": _per_server,
    "ResizeServer": _on_server("resizeServer"),
    "MigrateServer": _on_server("migrateServer"),
    "ChangeServerOsWithCloudInit": _on_server(
        "changeOS", lambda delivery: _field(delivery.body, "os-change", "imageid")
    ),
    "ReinstallServerWithCloudInit": _on_server("reinstallOS"),
    "AttachServerVolume": _on_server(
        "attachVolume", lambda delivery: _field(delivery.body, "volumeAttachment", "volumeId")
    ),
    "DetachServerVolume": _on_server(
        "detachVolume", lambda delivery: delivery.path.get("volume_id")
    ),
    "BatchAddServerNics": _nics("batchAddNics", "addSingleNic", added=True),
    "BatchDeleteServerNics": _nics("batchDeleteNics", "deleteSingleNic", added=False),
}
