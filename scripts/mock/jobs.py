"""Jobs the mock has delivered, and their state at any moment, computed when asked.

A job stores only when it started and what it works on; its status is derived from the clock
at query time, so a thousand jobs cost a thousand small records and no background work. For a
job of duration ``D`` with ``n`` sub-jobs (one per server of the request):

- ``INIT`` for the first quarter of ``D``;
- then ``RUNNING``; sub-job ``i`` (0-based) finishes at ``D/4 + 3D/4 * (i + 1) / n``;
- at ``D`` the last sub-job finishes and the job is ``SUCCESS``, or ``FAIL`` when a sub-job
  failed. A server ID starting with ``fail-`` makes its sub-job fail (the fail trigger).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

#: Server IDs with this prefix make their sub-job, and so their job, fail.
FAIL_PREFIX = "fail-"
#: The ``error_code`` of a job or sub-job failed by the trigger: the generic request error.
FAIL_CODE = "Ecs.0000"
#: Share of a job's duration spent in ``INIT`` before any sub-job runs.
INIT_SHARE = 0.25


def new_job_id() -> str:
    """A job ID in the form the live service uses: 32 lowercase hexadecimal characters."""
    return secrets.token_hex(16)


def job_type_for(name: str) -> str:
    """The job type for a request schema or operation name: ``BatchStopServersRequest`` ->
    ``batchStopServers``, ``DeleteServers`` -> ``deleteServers``."""
    return _lower_first(name.removesuffix("Request"))


def sub_job_type_for(job_type: str) -> str:
    """The type of a job's per-server parts, after the documented ``createServer`` ->
    ``createSingleServer``: ``batchStopServers`` -> ``stopSingleServer``."""
    stem = _lower_first(job_type.removeprefix("batch"))
    return stem.removesuffix("Servers") + "SingleServer" if stem.endswith("Servers") else stem


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def server_ids(body: Any) -> list[str]:
    """The ``id`` of every entry of every ``servers`` list in a request body, in order."""
    return list(_server_ids(body))


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


@dataclass(frozen=True)
class SubJob:
    """The part of a job that works on one server."""

    job_id: str
    server_id: str

    @property
    def failure(self) -> str | None:
        """Why this sub-job fails, or ``None`` when it succeeds."""
        if not self.server_id.startswith(FAIL_PREFIX):
            return None
        trigger = f"mock trigger: its ID starts with {FAIL_PREFIX!r}"
        return f"The operation on ECS {self.server_id} failed ({trigger})."


@dataclass(frozen=True)
class Job:
    """A delivered job: what it works on, when it started and how long it takes."""

    job_id: str
    job_type: str
    sub_jobs: tuple[SubJob, ...]
    #: Values of the job query's path parameters that must match to see this job.
    scope: Mapping[str, str]
    #: The job clock's reading at delivery: progress is measured from it.
    clock_start: float
    #: The same moment in seconds since the epoch, for the times the answer shows.
    started_at: float
    duration: float

    def state(self, now: float) -> dict[str, Any]:
        """The job as ShowJob answers it when the job clock reads ``now``."""
        elapsed = now - self.clock_start
        sub_jobs = [
            self._sub_job_state(index, sub_job, elapsed)
            for index, sub_job in enumerate(self.sub_jobs)
        ]
        entities = {"sub_jobs_total": len(sub_jobs), "sub_jobs": sub_jobs}
        if elapsed < self.duration:
            status = "INIT" if elapsed < self.duration * INIT_SHARE else "RUNNING"
            return _record(status, entities, self.job_id, self.job_type, self.started_at)
        failed = next((sub_job for sub_job in sub_jobs if sub_job["status"] == "FAIL"), None)
        return _record(
            "SUCCESS" if failed is None else "FAIL",
            entities,
            self.job_id,
            self.job_type,
            self.started_at,
            self.started_at + self.duration,
            failure=None if failed is None else (failed["error_code"], failed["fail_reason"]),
        )

    def _sub_job_state(self, index: int, sub_job: SubJob, elapsed: float) -> dict[str, Any]:
        begins = self.duration * INIT_SHARE
        ends = begins + (self.duration - begins) * (index + 1) / len(self.sub_jobs)
        job_type = sub_job_type_for(self.job_type)
        entities: dict[str, Any] = {"server_id": sub_job.server_id}
        if elapsed < begins:
            return _record("INIT", entities, sub_job.job_id, job_type)
        start, end = self.started_at + begins, self.started_at + ends
        if elapsed < ends:
            return _record("RUNNING", entities, sub_job.job_id, job_type, start)
        reason = sub_job.failure
        if reason is None:
            return _record("SUCCESS", entities, sub_job.job_id, job_type, start, end)
        entities["errorcode_message"] = reason
        failure = (FAIL_CODE, reason)
        return _record("FAIL", entities, sub_job.job_id, job_type, start, end, failure=failure)


def _record(
    status: str,
    entities: dict[str, Any],
    job_id: str,
    job_type: str,
    begin: float | None = None,
    end: float | None = None,
    *,
    failure: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A job or sub-job in the documented field order; times only once they are known."""
    record: dict[str, Any] = {
        "status": status,
        "entities": entities,
        "job_id": job_id,
        "job_type": job_type,
    }
    if begin is not None:
        record["begin_time"] = _timestamp(begin)
    if end is not None:
        record["end_time"] = _timestamp(end)
    record["error_code"], record["fail_reason"] = failure or (None, None)
    return record


@dataclass
class JobStore:
    """Every job delivered since start-up, by ID; ``clock`` drives their progress."""

    duration: float
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    _jobs: dict[str, Job] = field(default_factory=dict, init=False, repr=False)

    def deliver(self, job_type: str, servers: list[str], scope: Mapping[str, str]) -> Job:
        """Start a job of ``job_type`` with one sub-job per server."""
        job = Job(
            job_id=new_job_id(),
            job_type=job_type,
            sub_jobs=tuple(SubJob(new_job_id(), server) for server in servers),
            scope=dict(scope),
            clock_start=self.clock(),
            started_at=self.wall_clock(),
            duration=self.duration,
        )
        self._jobs[job.job_id] = job
        return job

    def state(self, job_id: str, scope: Mapping[str, str]) -> dict[str, Any] | None:
        """The current state of a job, or ``None`` when no job has this ID in this scope."""
        job = self._jobs.get(job_id)
        if job is None or any(scope.get(name) != value for name, value in job.scope.items()):
            return None
        return job.state(self.clock())


def _timestamp(seconds: float) -> str:
    """Times as the service writes them: ``2016-04-25T20:04:34.604Z`` (UTC, milliseconds)."""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"
