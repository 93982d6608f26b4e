"""Both clients over real HTTP: delivery, errors, retries, encoding and secrecy."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import httpx
import pytest

import ecs_tasks
from conftest import PROJECT, TOKEN, call
from ecs_tasks import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    AsyncDeliveredTask,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DeliveredTask,
    InternalServerError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    RequestValidationError,
    ResponseValidationError,
    models,
)
from scripted_server import Reply, ScriptedServer, closed_port_url, encode, job, script

STOP = {"os-stop": {"servers": [{"id": "srv-1"}, {"id": "srv-2"}]}}
TASK = Reply(200, {"job_id": "ff80808288d41e1b018990260955686a"})


# --- Delivering tasks -----------------------------------------------------------------------


async def test_delivers_a_task_from_a_mapping(make_client: Any, server: ScriptedServer) -> None:
    server.answer(TASK)
    client = make_client()

    task = await call(client.batch_server_action(STOP))

    assert isinstance(task, models.TaskResponse)
    assert isinstance(task, DeliveredTask | AsyncDeliveredTask)
    assert task == models.TaskResponse(job_id="ff80808288d41e1b018990260955686a")
    assert task.model_dump() == {"job_id": "ff80808288d41e1b018990260955686a"}
    [seen] = server.requests
    assert (seen.method, seen.path) == ("POST", f"/v1/{PROJECT}/cloudservers/action")
    # "type" was not given, so it is not sent: the server applies its own default.
    assert seen.json() == STOP
    assert seen.headers["x-auth-token"] == TOKEN
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["accept"] == "application/json"
    assert seen.headers["user-agent"] == f"ecs-tasks-python/{ecs_tasks.__version__}"


async def test_delivers_a_task_from_models(make_client: Any, server: ScriptedServer) -> None:
    server.answer(Reply(202, {"job_id": "70a599e0-31e7-49b7-b260-868f441e862b"}))
    client = make_client()
    reboot = models.BatchRebootServersRequest.model_validate(
        {"reboot": {"servers": [{"id": "srv-1"}], "type": "HARD"}}
    )
    delete = models.DeleteServersRequest.model_validate(
        {"servers": [{"id": "srv-9"}], "delete_volume": True}
    )

    await call(client.batch_server_action(models.BatchServerActionRequest(reboot)))
    await call(client.batch_server_action(reboot))  # an alternative without its wrapper
    task = await call(client.delete_servers(delete))

    assert task.job_id == "70a599e0-31e7-49b7-b260-868f441e862b"
    action1, action2, deletion = server.requests
    assert (
        action1.json()
        == action2.json()
        == {"reboot": {"servers": [{"id": "srv-1"}], "type": "HARD"}}
    )
    assert deletion.path == f"/v1/{PROJECT}/cloudservers/delete"
    assert deletion.json() == {"servers": [{"id": "srv-9"}], "delete_volume": True}


async def test_show_job_parses_the_documented_example(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(
        Reply(
            200,
            {
                "status": "SUCCESS",
                "entities": {
                    "sub_jobs_total": 1,
                    "sub_jobs": [
                        {
                            "status": "SUCCESS",
                            "entities": {"server_id": "bae51750-0089-41a1-9b18-5c777978ff6d"},
                            "job_id": "2c9eb2c5544cbf6101544f0602b2b50",
                            "job_type": "createSingleServer",
                            "begin_time": "2016-04-25T20:04:34.604Z",
                            "end_time": "2016-04-25T20:08:41.593Z",
                            "error_code": None,
                            "fail_reason": None,
                        }
                    ],
                },
                "job_id": "2c9eb2c5544cbf6101544f0602af2b4f",
                "job_type": "createServer",
                "begin_time": "2016-04-25T20:04:34.604Z",
                "end_time": "2016-04-25T20:08:41.593Z",
                "error_code": None,
                "fail_reason": None,
            },
        )
    )
    client = make_client()

    result = await call(client.show_job("2c9eb2c5544cbf6101544f0602af2b4f"))

    assert result.status == models.JobStatus.SUCCESS
    assert result.entities.sub_jobs[0].entities.server_id == "bae51750-0089-41a1-9b18-5c777978ff6d"
    assert server.requests[0].path == f"/v1/{PROJECT}/jobs/2c9eb2c5544cbf6101544f0602af2b4f"


# --- Errors ---------------------------------------------------------------------------------

ERROR_FORMS = [
    pytest.param(
        Reply(
            400,
            {
                "error": {
                    "code": "Ecs.0005",
                    "message": "request body is illegal.",
                    "details": [{"code": "Ecs.0005", "message": "servers is empty"}],
                }
            },
        ),
        BadRequestError,
        "Ecs.0005",
        "request body is illegal.",
        [{"code": "Ecs.0005", "message": "servers is empty"}],
        id="envelope",
    ),
    pytest.param(
        Reply(404, {"code": "Ecs.0114", "message": "The ECS does not exist."}),
        NotFoundError,
        "Ecs.0114",
        "The ECS does not exist.",
        [],
        id="flat",
    ),
    pytest.param(
        Reply(403, {"error_code": "Pdp.0001", "error_msg": "Policy doesn't allow"}),
        PermissionDeniedError,
        "Pdp.0001",
        "Policy doesn't allow",
        [],
        id="error_code-error_msg",
    ),
    pytest.param(
        Reply(401, {"errorCode": "Common.0013", "errorMsg": "invalid token"}),
        AuthenticationError,
        "Common.0013",
        "invalid token",
        [],
        id="errorCode-errorMsg",
    ),
    pytest.param(
        Reply(409, {"error": {"code": 1234, "message": "busy"}}),
        ConflictError,
        "1234",
        "busy",
        [],
        id="numeric-code",
    ),
    pytest.param(
        Reply(
            502,
            "<html><head><title>502 Bad Gateway</title></head>"
            "<body><h1>502 Bad Gateway</h1><hr>nginx</body></html>",
            {"Content-Type": "text/html"},
        ),
        InternalServerError,
        None,
        "HTTP 502 Bad Gateway: 502 Bad Gateway 502 Bad Gateway nginx",
        [],
        id="html",
    ),
    pytest.param(
        Reply(405, b""), MethodNotAllowedError, None, "HTTP 405 Method Not Allowed", [], id="empty"
    ),
    pytest.param(
        Reply(400, b'{"error": {"code": "Ecs.0005", "message": "request bo'),
        BadRequestError,
        "Ecs.0005",
        'HTTP 400 Bad Request: {"error": {"code": "Ecs.0005", "message": "request bo',
        [],
        id="truncated-json",
    ),
    pytest.param(
        Reply(
            500,
            {"error": {"code": "Ecs.0999", "message": "x" * 400}},
            fault="truncate",
        ),
        InternalServerError,
        "Ecs.0999",
        "HTTP 500 Internal Server Error: "
        + ('{"error": {"code": "Ecs.0999", "message": "' + "x" * 400)[:200]
        + "...",
        [],
        id="truncated-transfer",
    ),
    pytest.param(
        Reply(408, ["not", "an", "object"]),
        RequestTimeoutError,
        None,
        'HTTP 408 Request Timeout: ["not", "an", "object"]',
        [],
        id="non-dict-json",
    ),
    pytest.param(
        Reply(406, {"error": {"code": "Ecs.0000", "message": "not acceptable", "details": "x"}}),
        ApiError,
        "Ecs.0000",
        "not acceptable",
        [],
        id="unlisted-status",
    ),
]


@pytest.mark.parametrize(("reply", "kind", "code", "message", "details"), ERROR_FORMS)
async def test_error_bodies(
    make_client: Any,
    server: ScriptedServer,
    reply: Reply,
    kind: type[ApiError],
    code: str | None,
    message: str,
    details: list[dict[str, Any]],
) -> None:
    reply.headers["X-Request-Id"] = "req-42"
    server.answer(reply)
    client = make_client(max_retries=0)

    with pytest.raises(ApiError) as caught:
        await call(client.delete_servers({"servers": [{"id": "srv-1"}]}))

    error = caught.value
    assert type(error) is kind
    assert (error.status_code, error.code, error.message, error.details) == (
        reply.status,
        code,
        message,
        details,
    )
    assert error.request_id == "req-42"
    sent, _ = encode(reply)
    if reply.fault == "truncate":
        assert sent.startswith(error.body)
        assert 0 < len(error.body) < len(sent)
    else:
        assert error.body == sent
    assert "req-42" in str(error)


async def test_non_json_success_is_a_response_validation_error(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(200, "<html>maintenance</html>"), Reply(200, {"job_id": 5}))
    client = make_client()

    with pytest.raises(ResponseValidationError) as html:
        await call(client.show_job("j"))
    with pytest.raises(ResponseValidationError) as wrong_type:
        await call(client.delete_servers({"servers": [{"id": "srv-1"}]}))

    assert html.value.status_code == 200
    assert html.value.body == b"<html>maintenance</html>"
    assert "Invalid JSON" in str(html.value)
    assert "job_id: Input should be a valid string" in str(wrong_type.value)


# --- Retries --------------------------------------------------------------------------------


async def test_post_is_not_repeated_after_a_500(make_client: Any, server: ScriptedServer) -> None:
    server.answer(Reply(500, {"error": {"code": "Ecs.0500", "message": "oops"}}), TASK)
    client = make_client(max_retries=3)

    with pytest.raises(InternalServerError):
        await call(client.batch_server_action(STOP))

    assert server.count("POST") == 1


async def test_post_is_not_repeated_after_a_reset(make_client: Any, server: ScriptedServer) -> None:
    server.answer(Reply(fault="reset"), TASK)
    client = make_client(max_retries=3)

    with pytest.raises(ApiConnectionError) as caught:
        await call(client.batch_server_action(STOP))

    assert server.count("POST") == 1
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    assert f"POST {server.url}/v1/{PROJECT}/cloudservers/action failed" in str(caught.value)


async def test_post_is_not_repeated_after_a_read_timeout(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(Reply(delay=0.6, body={"job_id": "late"}), TASK)
    client = make_client(max_retries=3, timeout=0.2)

    with pytest.raises(ApiTimeoutError):
        await call(client.delete_servers({"servers": [{"id": "srv-1"}]}))

    assert server.count("POST") == 1


async def test_get_is_repeated_after_a_reset_and_5xx(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(
        Reply(fault="reset"),
        Reply(503, b"", {"Retry-After": "0"}),
        job("SUCCESS"),
    )
    client = make_client(max_retries=2)

    result = await call(client.show_job("job-1"))

    assert result.status == models.JobStatus.SUCCESS
    assert server.count("GET") == 3


async def test_get_gives_up_after_max_retries(make_client: Any, server: ScriptedServer) -> None:
    server.answer(Reply(503, b"", {"Retry-After": "0"}))
    client = make_client(max_retries=2)

    with pytest.raises(InternalServerError):
        await call(client.show_job("job-1"))

    assert server.count("GET") == 3


async def test_post_is_repeated_after_a_429(make_client: Any, server: ScriptedServer) -> None:
    server.answer(
        Reply(
            429, {"error": {"code": "Common.1503", "message": "flow control"}}, {"Retry-After": "0"}
        ),
        TASK,
    )
    client = make_client()

    task = await call(client.batch_server_action(STOP))

    assert task.job_id == "ff80808288d41e1b018990260955686a"
    assert server.count("POST") == 2


async def test_retry_after_in_seconds_is_honoured(make_client: Any, server: ScriptedServer) -> None:
    server.answer(Reply(429, b"", {"Retry-After": "1"}), TASK)
    client = make_client()

    await call(client.batch_server_action(STOP))

    first, second = server.requests
    assert second.at - first.at >= 1.0


async def test_retry_after_as_http_date_is_honoured(
    make_client: Any, server: ScriptedServer
) -> None:
    def throttled() -> Reply:
        now = int(time.time())
        return Reply(
            503,
            b"",
            {"Date": formatdate(now, usegmt=True), "Retry-After": formatdate(now + 2, usegmt=True)},
        )

    server.responder = script(throttled(), job("SUCCESS"))
    client = make_client()

    await call(client.show_job("job-1"))

    first, second = server.requests
    assert second.at - first.at >= 2.0


async def test_too_long_retry_after_gives_up_at_once(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(
        Reply(429, {"code": "Common.1503", "message": "slow down"}, {"Retry-After": "120"})
    )
    client = make_client()

    with pytest.raises(RateLimitError) as caught:
        await call(client.show_job("job-1"))

    assert caught.value.retry_after == 120.0
    assert server.count("GET") == 1


class _RefuseOnce(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Fails the first connection as a refused one would, then connects for real."""

    def __init__(self) -> None:
        self.attempts = 0
        self._sync = httpx.HTTPTransport()
        self._async = httpx.AsyncHTTPTransport()

    def _refuse_first(self, request: httpx.Request) -> None:
        self.attempts += 1
        if self.attempts == 1:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._refuse_first(request)
        return self._sync.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._refuse_first(request)
        return await self._async.handle_async_request(request)

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()


async def test_post_is_repeated_after_connection_refused(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(TASK)
    transport = _RefuseOnce()
    client = make_client(transport=transport)

    task = await call(client.batch_server_action(STOP))

    assert task.job_id == "ff80808288d41e1b018990260955686a"
    assert transport.attempts == 2
    assert server.count("POST") == 1


async def test_closed_port_is_a_connection_error(make_client: Any) -> None:
    with closed_port_url() as url:
        client = make_client(base_url=url, max_retries=0)
        with pytest.raises(ApiConnectionError) as caught:
            await call(client.batch_server_action(STOP))
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert not isinstance(caught.value, ApiTimeoutError)


# --- Request bodies and paths -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body", "expected"),
    [
        (
            "batch_server_action",
            {"os-stop": {"servers": [{}]}},
            "os-stop.servers.0.id: Field required",
        ),
        (
            "batch_server_action",
            {"reboot": {"servers": [{"id": "a"}]}},
            "reboot.type: Field required",
        ),
        (
            "batch_server_action",
            {"os-stop": {"servers": [{"id": "a"}], "type": "GENTLE"}},
            "os-stop.type: Input should be 'SOFT' or 'HARD'",
        ),
        (
            "batch_server_action",
            {"os-start": {"servers": [{"id": "a"}]}, "reboot": {}},
            "reboot: Extra inputs",
        ),
        (
            "batch_server_action",
            {},
            "matches none of BatchStartServersRequest, BatchStopServersRequest",
        ),
        ("delete_servers", {"servers": []}, "servers: List should have at least 1 item"),
        (
            "delete_servers",
            {"servers": [{"id": "a"}] * 1001},
            "servers: List should have at most 1000",
        ),
        (
            "delete_servers",
            {"servers": [{"id": 7}]},
            "servers.0.id: Input should be a valid string",
        ),
        # Strict: nothing is coerced, and no key is dropped, at any level.
        (
            "delete_servers",
            {"servers": [{"id": "a"}], "delete_eip": True},
            "delete_eip: Extra inputs are not permitted",
        ),
        (
            "delete_servers",
            {"servers": [{"id": "a", "name": "x"}]},
            "servers.0.name: Extra inputs are not permitted",
        ),
        (
            "delete_servers",
            {"servers": [{"id": "a"}], "delete_volume": "yes"},
            "delete_volume: Input should be a valid boolean",
        ),
        (
            "delete_servers",
            {"servers": [{"id": "a"}], "delete_volume": "off"},
            "delete_volume: Input should be a valid boolean",
        ),
        (
            "delete_servers",
            {"servers": [{"id": "a"}], "delete_volume": 1},
            "delete_volume: Input should be a valid boolean",
        ),
        (
            "batch_server_action",
            {"os-stop": {"servers": [{"id": "a"}], "typ": "HARD"}},
            "os-stop.typ: Extra inputs are not permitted",
        ),
        (
            "batch_server_action",
            {"os-stop": {"servers": [{"id": "a"}]}, "os-start": {"servers": [{"id": "b"}]}},
            "matches none of",
        ),
        ("delete_servers", {"servers": [{"id": "a"}], "x": float("nan")}, "not JSON"),
    ],
)
async def test_bad_bodies_are_never_sent(
    make_client: Any, server: ScriptedServer, method: str, body: Any, expected: str
) -> None:
    client = make_client()

    with pytest.raises(RequestValidationError) as caught:
        await call(getattr(client, method)(body))

    assert expected in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert server.requests == []


async def test_a_wrong_top_level_key_is_named_once(
    make_client: Any, server: ScriptedServer
) -> None:
    client = make_client()

    with pytest.raises(RequestValidationError) as caught:
        await call(client.batch_server_action({"os-stopp": {"servers": [{"id": "a"}]}}))

    text = str(caught.value)
    assert text.count("os-stopp") == 1
    assert "os-stopp: Extra inputs are not permitted" in caught.value.errors
    assert server.requests == []


async def test_answers_with_unknown_fields_still_parse(
    make_client: Any, server: ScriptedServer
) -> None:
    server.answer(job("RUNNING", new_field={"added": "later"}))
    client = make_client()

    result = await call(client.show_job("job-1"))

    assert result.job_id == "job-1"
    assert result.model_extra == {"new_field": {"added": "later"}}


async def test_a_model_changed_after_validation_is_checked_again(
    make_client: Any, server: ScriptedServer
) -> None:
    body = models.DeleteServersRequest.model_validate({"servers": [{"id": "a"}]})
    body.servers.clear()
    client = make_client()

    with pytest.raises(RequestValidationError, match="servers: List should have at least 1 item"):
        await call(client.delete_servers(body))

    assert server.requests == []


@pytest.mark.parametrize(
    ("job_id", "raw_path"),
    [
        ("../x", "/v1/proj1/jobs/..%2Fx"),
        ("a/b", "/v1/proj1/jobs/a%2Fb"),
        ("...", "/v1/proj1/jobs/..."),
        ("a b?c#d%", "/v1/proj1/jobs/a%20b%3Fc%23d%25"),
    ],
)
async def test_path_parameters_stay_in_their_segment(
    make_client: Any, server: ScriptedServer, job_id: str, raw_path: str
) -> None:
    client = make_client()

    await call(client.show_job(job_id))

    assert server.requests[0].path == raw_path


@pytest.mark.parametrize("suffix", ["", "/"])
async def test_base_url_with_a_prefix_joins_cleanly(
    make_client: Any, server: ScriptedServer, suffix: str
) -> None:
    client = make_client(base_url=f"{server.url}/ecs{suffix}")

    await call(client.show_job("j1"))

    assert server.requests[0].path == "/ecs/v1/proj1/jobs/j1"


# --- Authentication, secrets, lifecycle -------------------------------------------------------


class _Signer(httpx.Auth):
    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["X-Signed"] = "yes"
        yield request


async def test_auth_is_applied_per_request(make_client: Any, server: ScriptedServer) -> None:
    client = make_client(token=None, auth=_Signer())

    await call(client.show_job("j1"))

    headers = server.requests[0].headers
    assert headers["x-signed"] == "yes"
    assert "x-auth-token" not in headers


async def test_token_never_shows(
    make_client: Any, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.answer(Reply(401, {"errorCode": "Common.0013", "errorMsg": "invalid token"}))
    client = make_client()
    errors: list[Exception] = []

    attempts: list[Callable[[], Any]] = [
        lambda: client.show_job("j1"),
        lambda: client.batch_server_action({"x": 1}),
    ]
    for attempt in attempts:
        try:
            await call(attempt())
        except ecs_tasks.ApiClientError as exc:
            errors.append(exc)
    with closed_port_url() as url:
        closed = make_client(base_url=url, max_retries=1)
        try:
            await call(closed.show_job("j1"))
        except ecs_tasks.ApiClientError as exc:
            errors.append(exc)

    assert server.requests[0].headers["x-auth-token"] == TOKEN  # it was really sent
    assert len(errors) == 3
    assert caplog.records, "expected debug logging from the client"
    assert any(record.name == "ecs_tasks" for record in caplog.records)
    for text in [repr(client), str(client), *map(str, errors), *map(repr, errors), caplog.text]:
        assert TOKEN not in text
    assert repr(client) == f"{type(client).__name__}(base_url={server.url!r}, project_id='proj1')"
    assert TOKEN not in repr(vars(client))


async def test_debug_log_names_attempts_and_delays(
    make_client: Any, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ecs_tasks")
    server.answer(Reply(503, b"", {"Retry-After": "0"}), job())
    client = make_client()

    await call(client.show_job("j1"))

    messages = [r.getMessage() for r in caplog.records if r.name == "ecs_tasks"]
    assert messages == [
        "GET /v1/proj1/jobs/j1 -> 503 (attempt 1)",
        "retrying GET /v1/proj1/jobs/j1 in 0.00 s (retry 1 of 2)",
        "GET /v1/proj1/jobs/j1 -> 200 (attempt 2)",
    ]


async def test_caller_owned_http_client_stays_open(mode: str, server: ScriptedServer) -> None:
    if mode == "sync":
        with httpx.Client() as http:
            with ecs_tasks.Client(server.url, PROJECT, http_client=http) as client:
                client.show_job("j1")
            assert not http.is_closed
        with ecs_tasks.Client(server.url, PROJECT) as owned:
            owned.show_job("j1")
        assert owned._http.is_closed
    else:
        async with httpx.AsyncClient() as ahttp:
            async with ecs_tasks.AsyncClient(server.url, PROJECT, http_client=ahttp) as aclient:
                await aclient.show_job("j1")
            assert not ahttp.is_closed
        async with ecs_tasks.AsyncClient(server.url, PROJECT) as aowned:
            await aowned.show_job("j1")
        assert aowned._http.is_closed
    assert server.count("GET") == 2


@pytest.mark.parametrize(
    "base_url", ["ftp://example.com", "example.com/v1", "https://user:pw@example.com"]
)
def test_bad_base_urls_are_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        ecs_tasks.Client(base_url, PROJECT)


def test_timeout_accepts_a_number_or_an_httpx_timeout() -> None:
    assert ecs_tasks.Client("https://h", "p", timeout=5).timeout == httpx.Timeout(5.0)
    fine = httpx.Timeout(10.0, connect=2.0)
    assert ecs_tasks.Client("https://h", "p", timeout=fine).timeout is fine


def test_json_of_the_delivered_task_is_the_model_json() -> None:
    task = DeliveredTask(job_id="abc")
    assert task.model_dump_json() == models.TaskResponse(job_id="abc").model_dump_json()
    assert json.loads(task.model_dump_json()) == {"job_id": "abc"}
    assert task != models.TaskResponse(job_id="other")
    with pytest.raises(RuntimeError, match="did not come from a Client"):
        task.wait(timeout=1)


@pytest.mark.parametrize("token", ["secret\r\nX-Evil: 1", "tök-secret", "tok\x00secret"])
def test_tokens_that_cannot_be_header_values_are_refused_unquoted(token: str) -> None:
    with pytest.raises(ValueError, match="token must be printable ASCII") as caught:
        ecs_tasks.Client("https://h", PROJECT, token)
    assert "secret" not in str(caught.value)
