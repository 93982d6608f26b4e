"""Bad arguments and hostile header values: a TypeError or ValueError naming the argument,
or a typed error, before anything is sent; never a raw Python error from deep inside."""

from __future__ import annotations

import math
from typing import Any

import pytest

from conftest import PROJECT, TOKEN, call
from ecs_tasks import ApiConnectionError, AsyncClient, Client, RateLimitError, models
from scripted_server import Reply, ScriptedServer, closed_port_url, job

BAD_SECONDS = [
    (None, TypeError),
    ("5", TypeError),
    (True, TypeError),
    (math.nan, ValueError),
    (math.inf, ValueError),
    (-1, ValueError),
    (0, ValueError),
]


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        (b"tok", TypeError),
        (5, TypeError),
        ({"t": 1}, TypeError),
        ("", ValueError),
        ("   ", ValueError),
    ],
)
def test_bad_tokens_are_refused_by_name(token: object, kind: type[Exception]) -> None:
    with pytest.raises(kind, match=r"^token "):
        Client("https://h", PROJECT, token)  # type: ignore[arg-type]


@pytest.mark.parametrize(("timeout", "kind"), BAD_SECONDS)
def test_bad_client_timeouts_are_refused_by_name(timeout: object, kind: type[Exception]) -> None:
    with pytest.raises(kind, match=r"^timeout must"):
        Client("https://h", PROJECT, timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("argument", "value", "kind"),
    [
        ("max_retries", -1, ValueError),
        ("max_retries", 1.5, TypeError),
        ("max_response_bytes", 0, ValueError),
        ("max_in_flight", 0, ValueError),
        ("max_in_flight", None, TypeError),
    ],
)
def test_bad_limits_are_refused_by_name(
    argument: str, value: object, kind: type[Exception]
) -> None:
    with pytest.raises(kind, match=rf"^{argument} must"):
        Client("https://h", PROJECT, **{argument: value})


@pytest.mark.parametrize(
    "base_url", ["http://h?a=1", "http://h/ecs?", "http://h#top", "https://h/v1?x=1#y"]
)
def test_a_base_url_with_a_query_or_fragment_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url must not have a query"):
        Client(base_url, PROJECT)


@pytest.mark.parametrize(
    ("project", "kind"),
    [(None, TypeError), ("", ValueError), (".", ValueError), ("..", ValueError)],
)
def test_bad_client_parameters_are_refused_by_name(project: object, kind: type[Exception]) -> None:
    with pytest.raises(kind, match=r"^project_id must"):
        Client("https://h", project)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("job_id", "kind"),
    [
        (None, TypeError),
        ("", ValueError),
        (".", ValueError),
        ("..", ValueError),
    ],
)
async def test_bad_ids_are_refused_by_name_and_never_sent(
    make_client: Any, server: ScriptedServer, job_id: object, kind: type[Exception]
) -> None:
    client = make_client()

    with pytest.raises(kind, match=r"^job_id must"):
        await call(client.show_job(job_id))
    with pytest.raises(kind, match=r"^job_id must"):
        await call(client.wait_for_job(job_id, timeout=1))

    assert server.requests == []


@pytest.mark.parametrize("argument", ["timeout", "poll_interval", "max_interval"])
@pytest.mark.parametrize(("value", "kind"), BAD_SECONDS)
async def test_bad_waiting_times_are_refused_by_name(
    make_client: Any,
    server: ScriptedServer,
    argument: str,
    value: object,
    kind: type[Exception],
) -> None:
    client = make_client()
    options: dict[str, Any] = {"timeout": 5, argument: value}

    with pytest.raises(kind, match=rf"^{argument} must"):
        await call(client.wait_for_job("job-1", **options))

    assert server.requests == []


def test_waiting_needs_a_timeout() -> None:
    with Client("https://h", PROJECT) as client, pytest.raises(TypeError, match="timeout"):
        client.wait_for_job("job-1")  # type: ignore[call-arg]


# --- Hostile header values ------------------------------------------------------------------

HUGE_OFFSET_DATE = "Mon, 01 Jan 2024 00:00:00 +99999999999999999999"


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "+99999999999999999999", "Date": HUGE_OFFSET_DATE},
        {"Retry-After": HUGE_OFFSET_DATE},
        {
            "Retry-After": "Fri, 31 Dec 9999 23:59:59 -2359",
            "Date": "Mon, 01 Jan 0001 00:00:00 +2359",
        },
        {"Retry-After": "1e400"},
        {"Retry-After": "nan"},
        {"Retry-After": "\xff garbage", "Date": "yesterday"},
    ],
)
async def test_hostile_retry_headers_give_the_typed_error(
    make_client: Any, server: ScriptedServer, headers: dict[str, str]
) -> None:
    server.answer(Reply(429, {"code": "Common.1503", "message": "slow down"}, headers))
    client = make_client(max_retries=0)

    with pytest.raises(RateLimitError) as caught:
        await call(client.show_job("job-1"))

    retry_after = caught.value.retry_after
    assert retry_after is None or (retry_after >= 0 and not math.isnan(retry_after))


async def test_hostile_headers_do_not_upset_the_waiter(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(
        Reply(503, b"", {"Retry-After": "+99999999999999999999", "Date": HUGE_OFFSET_DATE}),
        Reply(429, b"", {"Retry-After": HUGE_OFFSET_DATE, "Date": HUGE_OFFSET_DATE}),
        job("SUCCESS"),
    )
    client = make_client()

    result = await call(client.wait_for_job("job-1", timeout=5, poll_interval=0.01))

    assert result.status == models.JobStatus.SUCCESS


async def test_connection_errors_name_method_host_and_path(make_client: Any) -> None:
    with closed_port_url() as url:
        client = make_client(base_url=url, max_retries=0)
        with pytest.raises(ApiConnectionError) as caught:
            await call(client.show_job("job-1"))
    assert f"GET {url}/v1/{PROJECT}/jobs/job-1 " in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_async_client_checks_its_arguments_too() -> None:
    with pytest.raises(TypeError, match=r"^token must be a str"):
        AsyncClient("https://h", PROJECT, b"tok")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^timeout must"):
        AsyncClient("https://h", PROJECT, timeout=math.nan)
