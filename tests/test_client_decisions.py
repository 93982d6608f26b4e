"""The pure decisions of _base_client: retry policy, error parsing, URLs, bodies, timeouts."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from ecs_tasks import RequestValidationError, models
from ecs_tasks._base_client import (
    RetryPolicy,
    _Attempt,
    build_url,
    cap_timeout,
    encode_body,
    parse_error_body,
    parse_retry_after,
    quote_path_param,
    retry_delay,
)

REQUEST = httpx.Request("POST", "https://ecs.example/v1/p/cloudservers/action")
NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


def failed(error_type: type[httpx.RequestError]) -> _Attempt:
    return _Attempt(error=error_type("boom", request=REQUEST))


def answered(status: int, **headers: str) -> _Attempt:
    return _Attempt(response=httpx.Response(status, headers=headers, request=REQUEST))


def decide(attempt: _Attempt, *, safe: bool, number: int = 0) -> float | None:
    return retry_delay(
        attempt, safe_to_repeat=safe, attempt_number=number, max_retries=2, rand=lambda: 1.0
    )


@pytest.mark.parametrize(
    ("attempt", "post", "get"),
    [
        # Nothing left the machine: both may go again.
        (failed(httpx.ConnectError), True, True),
        (failed(httpx.ConnectTimeout), True, True),
        (failed(httpx.PoolTimeout), True, True),
        # The request may have reached the server: only reads go again.
        (failed(httpx.ReadTimeout), False, True),
        (failed(httpx.WriteTimeout), False, True),
        (failed(httpx.ReadError), False, True),
        (failed(httpx.WriteError), False, True),
        (failed(httpx.RemoteProtocolError), False, True),
        (answered(500), False, True),
        (answered(502), False, True),
        (answered(503), False, True),
        (answered(504), False, True),
        (answered(408), False, True),
        # Turned away by flow control: both go again.
        (answered(429), True, True),
        # Final answers.
        (answered(501), False, False),
        (answered(400), False, False),
        (answered(401), False, False),
        (answered(404), False, False),
        (answered(409), False, False),
        (answered(200), False, False),
        (failed(httpx.UnsupportedProtocol), False, False),
    ],
)
def test_which_failures_are_retried(attempt: _Attempt, post: bool, get: bool) -> None:
    assert (decide(attempt, safe=False) is not None) == post
    assert (decide(attempt, safe=True) is not None) == get


def test_retries_stop_at_max_retries() -> None:
    assert decide(answered(503), safe=True, number=1) is not None
    assert decide(answered(503), safe=True, number=2) is None


def test_backoff_is_full_jitter_capped() -> None:
    policy = RetryPolicy()
    assert [policy.backoff(n, lambda: 1.0) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert policy.backoff(3, lambda: 0.0) == 0.0
    assert policy.backoff(3, lambda: 0.25) == 1.0


def test_retry_after_wins_over_backoff_up_to_its_cap() -> None:
    assert decide(answered(429, **{"Retry-After": "3"}), safe=False) == 3.0
    assert decide(answered(503, **{"Retry-After": "60"}), safe=True) == 60.0
    assert decide(answered(503, **{"Retry-After": "61"}), safe=True) is None


def test_retry_after_as_a_date_uses_the_servers_clock() -> None:
    attempt = answered(
        503,
        Date="Thu, 01 Jan 2026 12:00:00 GMT",
        **{"Retry-After": "Thu, 01 Jan 2026 12:00:05 GMT"},
    )
    assert decide(attempt, safe=True) == 5.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 11:59:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"error": "Unauthorized"}', (None, "Unauthorized", [])),
        (b'{"error": {"code": true, "message": 5}}', (None, "5", [])),
        (
            b'{"error": {"code": "E", "message": "m", "details": [{"code": "d"}, "x", 3]}}',
            ("E", "m", [{"code": "d"}]),
        ),
        (
            b'{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication"}',
            ("APIGW.0301", "Incorrect IAM authentication", []),
        ),
        (b'"plain string"', (None, "plain string", [])),
        (b"null", (None, "HTTP 400 Bad Request: null", [])),
        (b"\xff\xfe\x00garbage", (None, "HTTP 400 Bad Request: \ufffd\ufffd\x00garbage", [])),
        (
            b'{"errorCode": 17, "errorMsg": "cut',
            ("17", 'HTTP 400 Bad Request: {"errorCode": 17, "errorMsg": "cut', []),
        ),
        (b"[" * 100_000 + b"]" * 100_000, (None, "HTTP 400 Bad Request: " + "[" * 200 + "...", [])),
    ],
)
def test_error_bodies_never_raise(body: bytes, expected: tuple[object, ...]) -> None:
    assert parse_error_body(body, 400) == expected


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("abc", "abc"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("ü", "%C3%BC"),
        ("...", "..."),
    ],
)
def test_quote_path_param(value: str, encoded: str) -> None:
    assert quote_path_param(value) == encoded


@pytest.mark.parametrize("base", ["https://h", "https://h/", "https://h//"])
def test_build_url_joins_with_or_without_slash(base: str) -> None:
    url = build_url(
        base, "/v1/{project_id}/jobs/{job_id}", {"project_id": "p/1", "job_id": "../x"}, {}
    )
    assert url == "https://h/v1/p%2F1/jobs/..%2Fx"
    assert httpx.URL(url).raw_path == b"/v1/p%2F1/jobs/..%2Fx"


def test_cap_timeout_limits_every_phase() -> None:
    capped = cap_timeout(httpx.Timeout(30.0, connect=2.0, pool=None), 5.0)
    assert capped.as_dict() == {"connect": 2.0, "read": 5.0, "write": 5.0, "pool": 5.0}


def test_bodies_are_sent_by_json_name_without_unset_defaults() -> None:
    stop = models.BatchStopServersRequest.model_validate({"os-stop": {"servers": [{"id": "a"}]}})
    assert (
        encode_body(models.BatchServerActionRequest, stop)
        == b'{"os-stop":{"servers":[{"id":"a"}]}}'
    )
    delete = {"servers": [{"id": "a"}], "delete_publicip": True}
    assert (
        encode_body(models.DeleteServersRequest, delete)
        == b'{"servers":[{"id":"a"}],"delete_publicip":true}'
    )


def test_body_errors_name_the_json_path() -> None:
    with pytest.raises(RequestValidationError) as caught:
        encode_body(models.BatchServerActionRequest, {"os-stop": {"servers": [{"id": "a"}, {}]}})
    assert caught.value.errors == ["os-stop.servers.1.id: Field required"]
    assert str(caught.value) == "invalid request body: os-stop.servers.1.id: Field required"
