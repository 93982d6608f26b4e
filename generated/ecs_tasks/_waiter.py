"""Polling a job until it reaches a final status, with capped backoff and a hard deadline.

The decisions live in `_WaitState`; `wait` and `async_wait` are the two thin loops around it.

Policy:
- `timeout`, `poll_interval` and `max_interval` are finite numbers of seconds above 0;
- the first poll happens at once; the pause then starts at `poll_interval` and doubles up to
  `max_interval`, each pause shortened by up to 20 % at random so many waiters spread out;
- no pause and no poll's HTTP timeout reaches past the deadline, and once the deadline has
  passed JobTimeoutError is raised, carrying the last job seen;
- connection errors, timeouts, 408, 429 (pausing at least its Retry-After) and 5xx are ridden
  out, since the next poll may well succeed; any other ApiError (401, 403, 404, ...) is raised
  at once, since waiting cannot fix it;
- ResponseValidationError is raised at once too: a 2xx body that is not a job is a contract
  problem that more polling would only hide until the deadline;
- a status in neither `success` nor `failure`, even one the spec does not list, is not final:
  `on_progress` sees it and polling goes on (D19).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

from . import models
from ._base_client import check_seconds, is_retryable_status
from ._exceptions import (
    ApiClientError,
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    JobFailedError,
    JobTimeoutError,
    RateLimitError,
)

_JITTER = 0.2

ProgressCallback = Callable[[models.Job], object]


@dataclass(frozen=True)
class WaiterSpec:
    """Where a job's status is and which values end the wait, as in the spec's `x-waiter`.

    `status` is a JSON pointer into the job's JSON form, e.g. "/status".
    """

    status: str
    success: Collection[str]
    failure: Collection[str]


class Clock(Protocol):
    """Time source and sleep for the blocking waiter; replaceable in tests and benchmarks."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class AsyncClock(Protocol):
    """Time source and sleep for the asyncio waiter; replaceable in tests and benchmarks."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class AsyncSystemClock:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at an RFC 6901 JSON pointer, or None where the path does not exist."""
    if not pointer:
        return document
    for raw in pointer.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict):
            document = document.get(token)
        elif isinstance(document, list) and token.isdigit() and int(token) < len(document):
            document = document[int(token)]
        else:
            return None
    return document


class _WaitState:
    """Everything one wait decides, so the sync and async loops only do the I/O."""

    def __init__(
        self,
        spec: WaiterSpec,
        *,
        timeout: float,
        poll_interval: float,
        max_interval: float,
        on_progress: ProgressCallback | None,
        start: float,
        rand: Callable[[], float] = random.random,
    ) -> None:
        timeout = check_seconds("timeout", timeout)
        poll_interval = check_seconds("poll_interval", poll_interval)
        max_interval = check_seconds("max_interval", max_interval)
        self._spec = spec
        self._timeout = timeout
        self._start = start
        self._deadline = start + timeout
        self._interval = min(poll_interval, max_interval)
        self._max_interval = max_interval
        self._on_progress = on_progress
        self._rand = rand
        self._last_job: models.Job | None = None
        self._last_error: ApiClientError | None = None

    def budget(self, now: float) -> float:
        """Seconds the next poll may take; raises JobTimeoutError when none are left."""
        remaining = self._deadline - now
        if remaining <= 0:
            raise JobTimeoutError(
                self._last_job, elapsed=now - self._start, timeout=self._timeout
            ) from self._last_error
        return remaining

    def observe(self, job: models.Job) -> bool:
        """Record a polled job: True if it succeeded; raises JobFailedError if it failed."""
        self._last_job = job
        self._last_error = None
        if self._on_progress is not None:
            self._on_progress(job)
        status = resolve_pointer(job.model_dump(mode="json", by_alias=True), self._spec.status)
        if status in self._spec.failure:
            raise JobFailedError(job)
        return status in self._spec.success

    def excuse(self, error: ApiClientError, now: float) -> float:
        """Accept a transient poll failure, returning the least pause it asks for; else re-raise."""
        transient = isinstance(error, ApiConnectionError) or (
            isinstance(error, ApiError)
            and is_retryable_status(error.status_code, safe_to_repeat=True)
        )
        if not transient:
            raise error
        # A poll cut short by this wait's own deadline says nothing about the job or the
        # server: the failure before it stays the one JobTimeoutError names as its cause.
        cut_by_deadline = isinstance(error, ApiTimeoutError) and now >= self._deadline
        if not (cut_by_deadline and self._last_error is not None):
            self._last_error = error
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return error.retry_after
        return 0.0

    def pause(self, now: float, at_least: float) -> float:
        """How long to sleep before the next poll: never past the deadline."""
        delay = max(self._interval * (1 - _JITTER * self._rand()), at_least)
        self._interval = min(self._interval * 2, self._max_interval)
        return max(0.0, min(delay, self._deadline - now))


def wait(
    poll: Callable[[float], models.Job],
    spec: WaiterSpec,
    *,
    timeout: float,
    poll_interval: float,
    max_interval: float,
    on_progress: ProgressCallback | None,
    clock: Clock,
) -> models.Job:
    """Call poll(seconds_left) until the job succeeds; see the module docstring for the rules."""
    state = _WaitState(
        spec,
        timeout=timeout,
        poll_interval=poll_interval,
        max_interval=max_interval,
        on_progress=on_progress,
        start=clock.now(),
    )
    while True:
        budget = state.budget(clock.now())
        try:
            job = poll(budget)
        except ApiClientError as error:
            at_least = state.excuse(error, clock.now())
        else:
            if state.observe(job):
                return job
            at_least = 0.0
        clock.sleep(state.pause(clock.now(), at_least))


async def async_wait(
    poll: Callable[[float], Awaitable[models.Job]],
    spec: WaiterSpec,
    *,
    timeout: float,
    poll_interval: float,
    max_interval: float,
    on_progress: ProgressCallback | None,
    clock: AsyncClock,
) -> models.Job:
    """The asyncio twin of `wait`."""
    state = _WaitState(
        spec,
        timeout=timeout,
        poll_interval=poll_interval,
        max_interval=max_interval,
        on_progress=on_progress,
        start=clock.now(),
    )
    while True:
        budget = state.budget(clock.now())
        try:
            job = await poll(budget)
        except ApiClientError as error:
            at_least = state.excuse(error, clock.now())
        else:
            if state.observe(job):
                return job
            at_least = 0.0
        await clock.sleep(state.pause(clock.now(), at_least))
