"""Jobs the mock has delivered, and their state at any moment, computed when asked.

A job stores only when it started and what it works on; its status is derived from the clock
at query time, so a thousand jobs cost a thousand small records and no background work. For a
job of duration ``D`` with ``n`` sub-jobs:

- ``INIT`` for the first quarter of ``D``;
- then ``RUNNING``; sub-job ``i`` (0-based) finishes at ``D/4 + 3D/4 * (i + 1) / n``;
- at ``D`` the last sub-job finishes and the job is ``SUCCESS``, or ``FAIL`` when a sub-job
  failed. An ID (or name) starting with ``fail-`` makes its sub-job, or a job without
  sub-jobs, fail (the fail trigger).

Finished jobs do not live forever: ``ttl`` seconds after it finished a job is forgotten, and
beyond ``max_jobs`` jobs the oldest finished ones are forgotten first, a job with ``n``
sub-jobs counting ``n`` times, so that the memory kept is bounded whatever the batch sizes
(about 0.8 KB per job, 80 bytes per sub-job). A forgotten job is unknown, exactly like one
never delivered.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

#: IDs (and names) with this prefix make their sub-job, and so their job, fail.
FAIL_PREFIX = "fail-"
#: The ``error_code`` of a job or sub-job failed by the trigger: the generic request error.
FAIL_CODE = "Ecs.0000"
#: Share of a job's duration spent in ``INIT`` before any sub-job runs.
INIT_SHARE = 0.25
#: How entities name what a sub-job works on, for its failure message.
_SUBJECT_NAMES = {"server_id": "ECS", "nic_id": "NIC", "volume_id": "disk"}


def new_job_id() -> str:
    """A job ID in the form the live service uses: 32 lowercase hexadecimal characters."""
    return secrets.token_hex(16)


def sub_job_id(job_id: str, index: int) -> str:
    """The ID of a job's sub-job ``index``: derived, not stored, so sub-jobs cost no memory."""
    return hashlib.blake2b(f"{job_id}/{index}".encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Work:
    """What a job works on, and how ShowJob shows it (see :mod:`scripts.mock.entities`).

    Each of ``subjects`` is one sub-job: the value of its ``subject_key`` entity and the text
    whose fail prefix makes it fail (often the same). ``entities`` are the job's own entity
    fields; with ``sub_jobs`` false the job lists no sub-jobs. ``triggers`` are texts whose
    fail prefix makes the whole job fail (a server name, a disk ID, ...).
    """

    job_type: str
    sub_job_type: str = ""
    subject_key: str = "server_id"
    subjects: tuple[tuple[str, str], ...] = ()
    sub_jobs: bool = True
    entities: tuple[tuple[str, str], ...] = ()
    triggers: tuple[str, ...] = ()

    def failure(self, subject: tuple[str, str] | None) -> str | None:
        """Why the sub-job on ``subject`` (``None``: the job itself) fails, if it does."""
        own = () if subject is None else (subject[1],)
        for value in (*own, *self.triggers):
            if value.startswith(FAIL_PREFIX):
                what = "the job" if subject is None else self._subject(subject[0])
                trigger = f"mock trigger: {value!r} starts with {FAIL_PREFIX!r}"
                return f"The operation on {what} failed ({trigger})."
        return None

    def _subject(self, subject: str) -> str:
        return f"{_SUBJECT_NAMES.get(self.subject_key, self.subject_key)} {subject}"


@dataclass(frozen=True, slots=True)
class Job:
    """A delivered job: what it works on, when it started and how long it takes."""

    job_id: str
    work: Work
    #: Values of the job query's path parameters that must match to see this job.
    scope: tuple[tuple[str, str], ...]
    #: The job clock's reading at delivery: progress is measured from it.
    clock_start: float
    #: The same moment in seconds since the epoch, for the times the answer shows.
    started_at: float
    duration: float

    @property
    def weight(self) -> int:
        """How many jobs this one counts as against the store's cap: one per sub-job."""
        return max(1, len(self.work.subjects))

    @property
    def clock_end(self) -> float:
        """The job clock's reading when the job is final."""
        return self.clock_start + self.duration

    def state(self, now: float) -> dict[str, Any]:
        """The job as ShowJob answers it when the job clock reads ``now``."""
        work = self.work
        elapsed = now - self.clock_start
        entities: dict[str, Any] = dict(work.entities)
        if work.sub_jobs:
            sub_jobs = [
                self._sub_job_state(index, subject, elapsed)
                for index, subject in enumerate(work.subjects)
            ]
            entities |= {"sub_jobs_total": len(sub_jobs), "sub_jobs": sub_jobs}
            failed = next((sub for sub in sub_jobs if sub["status"] == "FAIL"), None)
            failure = None if failed is None else (failed["error_code"], failed["fail_reason"])
        else:
            reason = work.failure(None)
            failure = None if reason is None else (FAIL_CODE, reason)
        if elapsed < self.duration:
            status = "INIT" if elapsed < self.duration * INIT_SHARE else "RUNNING"
            return _record(status, entities, self.job_id, work.job_type, self.started_at)
        return _record(
            "SUCCESS" if failure is None else "FAIL",
            entities,
            self.job_id,
            work.job_type,
            self.started_at,
            self.started_at + self.duration,
            failure=failure,
        )

    def _sub_job_state(
        self, index: int, subject: tuple[str, str], elapsed: float
    ) -> dict[str, Any]:
        work = self.work
        begins = self.duration * INIT_SHARE
        ends = begins + (self.duration - begins) * (index + 1) / len(work.subjects)
        job_id = sub_job_id(self.job_id, index)
        entities: dict[str, Any] = {work.subject_key: subject[0]}
        if elapsed < begins:
            return _record("INIT", entities, job_id, work.sub_job_type)
        start, end = self.started_at + begins, self.started_at + ends
        if elapsed < ends:
            return _record("RUNNING", entities, job_id, work.sub_job_type, start)
        reason = work.failure(subject)
        if reason is None:
            return _record("SUCCESS", entities, job_id, work.sub_job_type, start, end)
        entities["errorcode_message"] = reason
        failure = (FAIL_CODE, reason)
        return _record("FAIL", entities, job_id, work.sub_job_type, start, end, failure=failure)


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
    """The jobs delivered and not yet forgotten, by ID; ``clock`` drives their progress.

    Every job takes the same ``duration``, so jobs finish in the order they were delivered
    and the oldest one is always the first to forget: both limits cost O(1) per request.
    """

    duration: float
    ttl: float = 600.0
    max_jobs: int = 50_000
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    _jobs: OrderedDict[str, Job] = field(default_factory=OrderedDict, init=False, repr=False)
    _weight: int = field(default=0, init=False, repr=False)

    def __len__(self) -> int:
        return len(self._jobs)

    def deliver(self, work: Work, scope: Mapping[str, str]) -> Job:
        """Start a job doing ``work``; ``scope`` holds the values the job query must repeat."""
        now = self.clock()
        self._forget(now)
        job = Job(
            job_id=new_job_id(),
            work=work,
            scope=tuple(scope.items()),
            clock_start=now,
            started_at=self.wall_clock(),
            duration=self.duration,
        )
        self._jobs[job.job_id] = job
        self._weight += job.weight
        self._forget(now)
        return job

    def state(self, job_id: str, scope: Mapping[str, str]) -> dict[str, Any] | None:
        """The current state of a job, or ``None`` when no job has this ID in this scope."""
        now = self.clock()
        self._forget(now)
        job = self._jobs.get(job_id)
        if job is None or any(scope.get(name) != value for name, value in job.scope):
            return None
        return job.state(now)

    def _forget(self, now: float) -> None:
        jobs = self._jobs
        while jobs:
            oldest = next(iter(jobs.values()))
            finished = oldest.clock_end <= now
            expired = oldest.clock_end + self.ttl <= now
            if not finished or not (expired or self._weight > self.max_jobs):
                return
            jobs.popitem(last=False)
            self._weight -= oldest.weight


def _timestamp(seconds: float) -> str:
    """Times as the service writes them: ``2016-04-25T20:04:34.604Z`` (UTC, milliseconds)."""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"
