"""The waiter's policy on a fake clock: request counts, deadlines, backoff and error handling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ecs_tasks import (
    ApiConnectionError,
    ApiTimeoutError,
    InternalServerError,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    RateLimitError,
    models,
)
from ecs_tasks._waiter import WaiterSpec, async_wait, resolve_pointer, wait

SPEC = WaiterSpec(status="/status", success=("SUCCESS",), failure=("FAIL",))


class FakeClock:
    """Time that only moves when the waiter sleeps; records every sleep."""

    def __init__(self) -> None:
        self.time = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        assert len(self.sleeps) < 10_000, "the waiter never stopped"
        self.sleeps.append(seconds)
        self.time += seconds


class AsyncFakeClock:
    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now()

    async def sleep(self, seconds: float) -> None:
        self._clock.sleep(seconds)


def make_job(status: str) -> models.Job:
    return models.Job.model_validate({"status": status, "job_id": "job-1"})


Poll = Callable[[float], models.Job]


async def run(mode: str, clock: FakeClock, poll: Poll, **options: Any) -> models.Job:
    """Run the sync or the async waiter loop with the same poll and clock."""
    options = {"poll_interval": 1.0, "max_interval": 15.0, "on_progress": None, **options}
    if mode == "sync":
        return wait(poll, SPEC, clock=clock, **options)

    async def async_poll(seconds_left: float) -> models.Job:
        return poll(seconds_left)

    return await async_wait(async_poll, SPEC, clock=AsyncFakeClock(clock), **options)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def finishing_at(clock: FakeClock, seconds: float, calls: list[float]) -> Poll:
    start = clock.time

    def poll(seconds_left: float) -> models.Job:
        calls.append(seconds_left)
        return make_job("SUCCESS" if clock.time - start >= seconds else "RUNNING")

    return poll


async def test_a_30_second_job_costs_a_handful_of_polls(mode: str) -> None:
    clock = FakeClock()
    calls: list[float] = []

    job = await run(mode, clock, finishing_at(clock, 30, calls), timeout=300)

    assert job.status == models.JobStatus.SUCCESS
    # Pauses of about 1, 2, 4, 8, 15 s (each up to 20 % shorter): 6 or 7 polls, not 31.
    assert 6 <= len(calls) <= 7


async def test_pauses_double_up_to_the_cap(mode: str) -> None:
    clock = FakeClock()

    with pytest.raises(JobTimeoutError):
        await run(mode, clock, finishing_at(clock, 10_000, []), timeout=200)

    nominal = [1, 2, 4, 8, 15, 15, 15]
    for pause, expected in zip(clock.sleeps, nominal, strict=False):
        assert 0.8 * expected <= pause <= expected


async def test_never_sleeps_or_polls_past_the_deadline(mode: str) -> None:
    clock = FakeClock()
    start = clock.time
    budgets: list[float] = []
    times: list[float] = []

    def poll(seconds_left: float) -> models.Job:
        budgets.append(seconds_left)
        times.append(clock.time)
        return make_job("RUNNING")

    with pytest.raises(JobTimeoutError) as caught:
        await run(mode, clock, poll, timeout=20)

    assert clock.time == pytest.approx(start + 20)
    assert caught.value.elapsed == pytest.approx(20)
    assert caught.value.job is not None
    assert caught.value.job.status == models.JobStatus.RUNNING
    # Every poll may take only the time that is left.
    for at, budget in zip(times, budgets, strict=True):
        assert budget == pytest.approx(start + 20 - at)
        assert budget > 0


async def test_progress_is_reported_after_every_successful_poll(mode: str) -> None:
    clock = FakeClock()
    seen: list[str] = []
    answers = iter(["INIT", "RUNNING", "SUCCESS"])

    await run(
        mode,
        clock,
        lambda _: make_job(next(answers)),
        timeout=60,
        on_progress=lambda job: seen.append(job.status.value),
    )

    assert seen == ["INIT", "RUNNING", "SUCCESS"]


async def test_failure_raises_job_failed(mode: str) -> None:
    clock = FakeClock()

    with pytest.raises(JobFailedError) as caught:
        await run(mode, clock, lambda _: make_job("FAIL"), timeout=60)

    assert caught.value.job.status == models.JobStatus.FAIL
    assert clock.sleeps == []


async def test_retry_after_stretches_the_pause(mode: str) -> None:
    clock = FakeClock()
    answers: list[models.Job | Exception] = [_rate_limited(7.0), make_job("SUCCESS")]

    def poll(_: float) -> models.Job:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    await run(mode, clock, poll, timeout=60)

    assert clock.sleeps == [7.0]


async def test_retry_after_beyond_the_deadline_ends_at_the_deadline(mode: str) -> None:
    clock = FakeClock()
    start = clock.time

    def poll(_: float) -> models.Job:
        raise _rate_limited(120.0)

    with pytest.raises(JobTimeoutError) as caught:
        await run(mode, clock, poll, timeout=10)

    assert clock.time == pytest.approx(start + 10)
    assert isinstance(caught.value.__cause__, RateLimitError)
    assert caught.value.job is None


async def test_connection_errors_are_ridden_out(mode: str) -> None:
    clock = FakeClock()
    answers: list[models.Job | Exception] = [ApiConnectionError("reset"), make_job("SUCCESS")]

    def poll(_: float) -> models.Job:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    job = await run(mode, clock, poll, timeout=60)

    assert job.status == models.JobStatus.SUCCESS
    assert len(clock.sleeps) == 1


async def test_not_found_is_raised_at_once(mode: str) -> None:
    clock = FakeClock()
    calls: list[float] = []

    def poll(seconds_left: float) -> models.Job:
        calls.append(seconds_left)
        raise NotFoundError(
            status_code=404, code="Ecs.0114", message="gone", details=[], request_id=None, body=b""
        )

    with pytest.raises(NotFoundError):
        await run(mode, clock, poll, timeout=60)

    assert len(calls) == 1


@pytest.mark.parametrize("options", [{"timeout": 0}, {"timeout": 5, "poll_interval": 0}])
async def test_nonsense_arguments_are_refused(mode: str, options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be a finite number of seconds above 0"):
        await run(mode, FakeClock(), lambda _: make_job("SUCCESS"), **options)


def test_status_pointer_reads_the_json_form() -> None:
    document = {"status": "RUNNING", "a/b": {"c~d": [10, {"e": "deep"}]}}
    assert resolve_pointer(document, "/status") == "RUNNING"
    assert resolve_pointer(document, "/a~1b/c~0d/1/e") == "deep"
    assert resolve_pointer(document, "/a~1b/c~0d/5") is None
    assert resolve_pointer(document, "/missing/x") is None
    assert resolve_pointer(document, "") is document


def _rate_limited(retry_after: float) -> RateLimitError:
    return RateLimitError(
        retry_after=retry_after,
        status_code=429,
        code="Common.1503",
        message="flow control",
        details=[],
        request_id=None,
        body=b"",
    )


async def test_a_poll_cut_by_the_deadline_does_not_hide_the_failure_before_it(
    mode: str,
) -> None:
    # The last poll gets only what is left of the wait and times out at the deadline; the
    # 503 before it is what the caller needs to see as the cause.
    clock = FakeClock()
    down = InternalServerError(
        status_code=503, code="Ecs.0503", message="down", details=[], request_id=None, body=b""
    )

    def poll(seconds_left: float) -> models.Job:
        if seconds_left >= 2:
            raise down
        clock.time += seconds_left
        raise ApiTimeoutError("GET /jobs/job-1 timed out")

    with pytest.raises(JobTimeoutError) as caught:
        await run(mode, clock, poll, timeout=3.0)
    assert caught.value.__cause__ is down


async def test_a_timeout_with_time_left_is_itself_the_cause(mode: str) -> None:
    clock = FakeClock()
    slow = ApiTimeoutError("GET /jobs/job-1 timed out")

    def poll(seconds_left: float) -> models.Job:
        clock.time += min(1.0, seconds_left)
        raise slow

    with pytest.raises(JobTimeoutError) as caught:
        await run(mode, clock, poll, timeout=3.0)
    assert caught.value.__cause__ is slow
