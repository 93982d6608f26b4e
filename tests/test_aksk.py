"""AK/SK signing (SDK-HMAC-SHA256): known answers, the reference signer, the mock, secrecy.

The known answers were worked out by hand (canonical request) and with coreutils/openssl
(hashes, HMAC), not with the code under test. The cross-check compares every Authorization
header with the one huaweicloudsdkcore's signer makes for the same request and date.
"""

from __future__ import annotations

import json
import logging
import random
import string
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from ecs_tasks import AKSKAuth, AsyncClient, AuthenticationError, Client
from ecs_tasks._auth import canonical_query, canonical_uri, hmac_signature
from ecs_tasks._base_client import _Secret
from mock_helpers import mock_process
from scripts.mock import MockOptions, run_mock
from scripts.mock.cli import main as mock_main
from scripts.mock.signing import KeyPair, ReceivedRequest, SignatureError, verify_signature

# The example key pair of the public API signing guide.
AK = "QTWAOYTTINDUT2QVKYUC"
SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
PROJECT = "5dd3c0b24cdc4d31952c49589182a89d"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#: Headers of the transport, never signed (the Authorization header carries the signature).
TRANSPORT_HEADERS = {
    "accept-encoding",
    "authorization",
    "connection",
    "content-length",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
START = {"os-start": {"servers": [{"id": "srv-1"}, {"id": "srv-2"}]}}


def fixed(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


# --- Known answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Vector:
    name: str
    request: Callable[[], httpx.Request]
    moment: datetime
    canonical_request: str
    string_to_sign: str
    signature: str


VECTORS = [
    Vector(
        "job query, clock in UTC+2",
        lambda: httpx.Request(
            "GET",
            f"https://ecs.eu-de.otc.t-systems.com/v1/{PROJECT}/jobs/2c9eb2c5544cbf6101544f0602af2b4f",
            headers={"Accept": "application/json"},
        ),
        datetime(2016, 4, 25, 22, 4, 34, tzinfo=timezone(timedelta(hours=2))),
        "GET\n"
        f"/v1/{PROJECT}/jobs/2c9eb2c5544cbf6101544f0602af2b4f/\n"
        "\n"
        "accept:application/json\n"
        "host:ecs.eu-de.otc.t-systems.com\n"
        "x-sdk-date:20160425T200434Z\n"
        "\n"
        "accept;host;x-sdk-date\n"
        f"{EMPTY_SHA256}",
        "SDK-HMAC-SHA256\n20160425T200434Z\n"
        "c95fa436d57732dea29ef84fb5cd26893d65240e2e7ff8af00ec3e7e59d80294",
        "aef8058e15757de950dbcd0e56d21b83a3b0127b68a533392870c657f6fc01f9",
    ),
    Vector(
        "body, port, query with repeated and blank keys, stale signature, transport headers",
        lambda: httpx.Request(
            "POST",
            "https://ecs.eu-nl.otc.t-systems.com:8443/v1/proj1/cloudservers/action"
            "?marker=b&limit=10&marker=a&name=web+server&flag&tag=%E2%9C%93",
            headers=[
                ("Content-Type", "application/json"),
                ("X-Project-Id", "  proj1  "),
                ("Connection", "keep-alive"),
                ("Accept-Encoding", "gzip"),
                ("X-Trace", "a"),
                ("x-trace", "b"),
                ("Authorization", "SDK-HMAC-SHA256 Access=OLD, SignedHeaders=host, Signature=00"),
                ("X-Sdk-Date", "19990101T000000Z"),
            ],
            content=b'{"os-stop":{"servers":[{"id":"srv-1"}],"type":"HARD"}}',
        ),
        datetime(2024, 2, 29, 23, 59, 59, tzinfo=timezone.utc),
        "POST\n"
        "/v1/proj1/cloudservers/action/\n"
        "flag=&limit=10&marker=a&marker=b&name=web%20server&tag=%E2%9C%93\n"
        "content-type:application/json\n"
        "host:ecs.eu-nl.otc.t-systems.com:8443\n"
        "x-project-id:proj1\n"
        "x-sdk-date:20240229T235959Z\n"
        "x-trace:a,b\n"
        "\n"
        "content-type;host;x-project-id;x-sdk-date;x-trace\n"
        "9b2c6c2540c80df9eb717926af43f996ab081594d3ffbefd5cb62f8d384d4959",
        "SDK-HMAC-SHA256\n20240229T235959Z\n"
        "12c27fac73d160877ad4ec9824f778e48381a53b0028a06cd530474ceb380981",
        "4d2a58747fafeea71c58aa283eec7f81e088be9e4f3a53c6b7766ab1e5eb1171",
    ),
    Vector(
        "unicode and reserved characters in the path, an escaped slash",
        lambda: httpx.Request(
            "GET",
            "https://ecs.eu-de.otc.t-systems.com/v1/proj1/jobs/caf%c3%a9%20~!*'()%2Fx+=y;z@",
        ),
        datetime(2016, 4, 25, 20, 4, 34, tzinfo=timezone.utc),
        "GET\n"
        "/v1/proj1/jobs/caf%C3%A9%20~%21%2A%27%28%29/x%2B%3Dy%3Bz%40/\n"
        "\n"
        "host:ecs.eu-de.otc.t-systems.com\n"
        "x-sdk-date:20160425T200434Z\n"
        "\n"
        "host;x-sdk-date\n"
        f"{EMPTY_SHA256}",
        "SDK-HMAC-SHA256\n20160425T200434Z\n"
        "837cf344d3d4d5dde46d0ffb350bbbba8c19a5d1c7a50a98849a7b173e00f60d",
        "845c49ce1fba92435ef5deb25ad339cc6405641f840824b367672102eb175928",
    ),
]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.name)
def test_known_answers(vector: Vector) -> None:
    request = vector.request()

    signed = AKSKAuth(AK, SK, clock=fixed(vector.moment)).sign(request)

    assert signed.canonical_request == vector.canonical_request
    assert signed.string_to_sign == vector.string_to_sign
    signed_list = vector.canonical_request.split("\n")[-2]
    authorization = (
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders={signed_list}, Signature={vector.signature}"
    )
    assert signed.authorization == authorization
    assert signed.signed_headers == tuple(signed_list.split(";"))
    # The request carries exactly one date and one Authorization: the new ones.
    assert request.headers.get_list("Authorization") == [authorization]
    assert request.headers.get_list("X-Sdk-Date") == [vector.string_to_sign.split("\n")[1]]


def test_the_published_example_signature() -> None:
    # The API signing guide's example: this string to sign, this key, this signature.
    string_to_sign = (
        "SDK-HMAC-SHA256\n20191115T033655Z\n"
        "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    )
    assert (
        hmac_signature(_Secret(SK), string_to_sign)
        == "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
    )


@pytest.mark.parametrize(
    ("raw_path", "expected"),
    [
        (b"", "/"),
        (b"/", "/"),
        (b"//", "//"),
        (b"/v1/jobs", "/v1/jobs/"),
        (b"/v1/jobs/", "/v1/jobs/"),
        (b"/a%2fb", "/a/b/"),
        (b"/%7e~", "/~~/"),
        (b"/a+b", "/a%2Bb/"),
        (b"/a%zz", "/a%25zz/"),
        (b"/a%FF", "/a%EF%BF%BD/"),
        (b"/%2E/%2e%2E", "/./../"),
        ("/中/😀".encode(), "/%E4%B8%AD/%F0%9F%98%80/"),
    ],
)
def test_canonical_uri(raw_path: bytes, expected: str) -> None:
    assert canonical_uri(raw_path) == expected


@pytest.mark.parametrize(
    ("raw_query", "expected"),
    [
        (b"", ""),
        (b"b=2&a=1", "a=1&b=2"),
        (b"k=z&k=a&k=m", "k=a&k=m&k=z"),
        (b"k=1&k=1", "k=1&k=1"),
        (b"flag&&x=", "flag=&x="),
        (b"a+b=c+d&p=%2B", "a%20b=c%20d&p=%2B"),
        (b"q=%7e~%2a*", "q=~~%2A%2A"),
        # Sorted by the decoded text, not by its escaped form.
        (b"k=%C3%A9&k=z&k=%25", "k=%25&k=z&k=%C3%A9"),
        (b"%C3%A9=1&z=2", "z=2&%C3%A9=1"),
    ],
)
def test_canonical_query(raw_query: bytes, expected: str) -> None:
    assert canonical_query(raw_query) == expected


def test_host_is_added_when_missing() -> None:
    request = httpx.Request("GET", "https://ecs.eu-de.otc.t-systems.com:8443/v1/p/jobs/j")
    del request.headers["Host"]

    signed = AKSKAuth(AK, SK, clock=fixed(VECTORS[0].moment)).sign(request)

    assert request.headers["Host"] == "ecs.eu-de.otc.t-systems.com:8443"
    assert "host:ecs.eu-de.otc.t-systems.com:8443\n" in signed.canonical_request
    assert "host" in signed.signed_headers


def test_signing_again_replaces_date_and_signature() -> None:
    moments = iter([VECTORS[0].moment, VECTORS[0].moment + timedelta(seconds=3)])
    auth = AKSKAuth(AK, SK, clock=lambda: next(moments))
    request = httpx.Request("GET", "https://h.example/v1/p/jobs/j")

    first = auth.sign(request)
    second = auth.sign(request)

    assert first.authorization != second.authorization
    assert "authorization" not in second.signed_headers
    assert request.headers.get_list("Authorization") == [second.authorization]
    assert request.headers.get_list("X-Sdk-Date") == ["20160425T200437Z"]


def test_a_naive_clock_is_refused() -> None:
    auth = AKSKAuth(AK, SK, clock=lambda: datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        auth.sign(httpx.Request("GET", "https://h.example/"))


@pytest.mark.parametrize("access_key", ["", "AK WITH SPACE", "AK,1", "ÄK", "AK\n"])
def test_a_bad_access_key_is_refused(access_key: str) -> None:
    with pytest.raises(ValueError, match="access_key") as caught:
        AKSKAuth(access_key, SK)
    assert SK not in str(caught.value)


def test_an_empty_secret_key_is_refused() -> None:
    with pytest.raises(ValueError, match="secret_key"):
        AKSKAuth(AK, "")


def test_a_streamed_body_is_read_and_signed() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(handler)
    with httpx.Client(transport=transport, auth=AKSKAuth(AK, SK)) as http:
        http.post("https://h.example/v1/p", content=iter([b'{"a":', b"1}"]))
    [request] = seen
    assert request.content == b'{"a":1}'
    verify_signature(KeyPair(AK, SK), received(request), datetime.now(timezone.utc))


async def test_a_streamed_body_is_read_and_signed_async() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"a":'
        yield b"1}"

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport, auth=AKSKAuth(AK, SK)) as http:
        await http.post("https://h.example/v1/p", content=chunks())
    [request] = seen
    assert request.content == b'{"a":1}'
    verify_signature(KeyPair(AK, SK), received(request), datetime.now(timezone.utc))


# --- Generated requests: the reference signer and the mock's verifier -----------------------

_SEGMENT = string.ascii_letters + string.digits + "-._~ !*'();:@&=+$,/?#[]%" + "éü中😀"
_VALUE = string.ascii_letters + string.digits + " -_.~!*'()+&=/?#%,;:@$" + "éß中😀"
_KEYS = ["limit", "marker", "name", "a b", "x+y", "é", "~", "tag[]", "K", "k"]
_HEADER_VALUE = string.ascii_letters + string.digits + " -_.:;,/=+*\"'()?!@#$%&"
_EXTRA_HEADERS = [
    "X-Project-Id",
    "X-Auth-Token",
    "X-Trace-Id",
    "x-custom",
    "Content-Type",
    "Accept",
    "User-Agent",
    "If-Match",
    "Keep-Alive",
    "TE",
    "Connection",
    "Accept-Encoding",
]


@dataclass(frozen=True)
class Generated:
    request: httpx.Request
    params: list[tuple[str, str]]
    access_key: str
    secret_key: str
    moment: datetime


def _text(rng: random.Random, alphabet: str, longest: int, shortest: int = 0) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(shortest, longest)))


def _json_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(6 if depth < 2 else 4)
    if kind == 0:
        return _text(rng, _VALUE, 8)
    if kind == 1:
        return rng.randint(-(10**6), 10**6)
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.random()
    if kind == 4:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {_text(rng, _VALUE, 5, 1): _json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def generate(rng: random.Random, http: httpx.Client) -> Generated:
    method = rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
    host = rng.choice(["ecs.eu-de.otc.t-systems.com", "ecs.eu-nl.otc.t-systems.com:8443"])
    segments = [quote(_text(rng, _SEGMENT, 8, 1), safe="") for _ in range(rng.randint(0, 4))]
    path = "/" + "/".join(segments) + rng.choice(["", "/"])
    params = [(rng.choice(_KEYS), _text(rng, _VALUE, 6)) for _ in range(rng.randint(0, 5))]
    headers = {
        name: rng.choice(["", " "]) + _text(rng, _HEADER_VALUE, 16) + rng.choice(["", "  "])
        for name in rng.sample(_EXTRA_HEADERS, rng.randint(0, 5))
    }
    body_kind = rng.randrange(3)
    body = (
        None
        if body_kind == 0
        else b""
        if body_kind == 1
        else json.dumps(_json_value(rng), ensure_ascii=rng.random() < 0.5).encode()
    )
    request = http.build_request(
        method, f"https://{host}{path}", params=params, headers=headers, content=body
    )
    return Generated(
        request=request,
        params=params,
        access_key=_text(rng, string.ascii_uppercase + string.digits, 20, 20),
        secret_key=_text(rng, string.ascii_letters + string.digits, 40, 40),
        moment=datetime(2000, 1, 1, tzinfo=timezone.utc)
        + timedelta(seconds=rng.randrange(100 * 365 * 86400)),
    )


def reference_authorization(case: Generated) -> str:
    """What huaweicloudsdkcore's signer makes of the same request: its own header list, as
    its SDK hands it (the HTTP library's transport headers are added after signing)."""
    request = case.request
    headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in TRANSPORT_HEADERS
    }
    sdk_request = SdkRequest(
        method=request.method,
        schema=request.url.scheme,
        host=request.url.netloc.decode(),
        resource_path=request.url.raw_path.partition(b"?")[0].decode("ascii"),
        query_params=list(case.params),
        header_params=headers,
        body=request.content,
    )
    credentials = BasicCredentials(case.access_key, case.secret_key)
    signed = Signer(credentials).sign(sdk_request)
    authorization: str = signed.header_params["Authorization"]
    return authorization


@pytest.fixture(scope="module")
def generated() -> Iterator[list[Generated]]:
    rng = random.Random(20240229)  # reproducible test data
    with httpx.Client() as http:
        yield [generate(rng, http) for _ in range(400)]


def test_the_reference_signer_agrees_on_generated_requests(generated: list[Generated]) -> None:
    for case in generated:
        auth = AKSKAuth(case.access_key, case.secret_key, clock=fixed(case.moment))
        ours = auth.sign(case.request)
        expected_names = sorted({name.lower() for name in case.request.headers} - TRANSPORT_HEADERS)
        assert list(ours.signed_headers) == expected_names
        assert ours.authorization == reference_authorization(case), (
            case.request.method,
            case.request.url,
            case.request.headers,
        )
    # The generator reaches the cases that matter.
    paths = [case.request.url.raw_path for case in generated]
    assert any(b"%2F" in path for path in paths)
    assert any(b"%F0%9F%98%80" in path for path in paths)
    assert any(len({k for k, _ in case.params}) < len(case.params) for case in generated)
    assert any(case.request.content == b"" for case in generated)
    assert any(len(case.request.content) > 20 for case in generated)


def received(request: httpx.Request) -> ReceivedRequest:
    """The request as a server gets it: the bytes on the wire, header names lower-cased."""
    raw_path, _, query = request.url.raw_path.partition(b"?")
    return ReceivedRequest(
        method=request.method,
        raw_path=raw_path,
        query_string=query,
        headers=[(name.lower(), value) for name, value in request.headers.raw],
        body=request.content,
    )


def _replace_header(got: ReceivedRequest, name: bytes, value: bytes) -> ReceivedRequest:
    headers = [(key, val) for key, val in got.headers if key != name] + [(name, value)]
    return ReceivedRequest(got.method, got.raw_path, got.query_string, headers, got.body)


def test_the_mock_verifier_accepts_signed_and_refuses_tampered_requests(
    generated: list[Generated],
) -> None:
    for case in generated[:150]:
        AKSKAuth(case.access_key, case.secret_key, clock=fixed(case.moment)).sign(case.request)
        keys = KeyPair(case.access_key, case.secret_key)
        got = received(case.request)
        verify_signature(keys, got, case.moment + timedelta(minutes=14))
        # Transport headers may change on the way.
        verify_signature(keys, _replace_header(got, b"connection", b"close"), case.moment)
        tampered = [
            ReceivedRequest(got.method, got.raw_path, got.query_string, got.headers, b"x"),
            ReceivedRequest(
                got.method, got.raw_path + b"x", got.query_string, got.headers, got.body
            ),
            ReceivedRequest(
                got.method, got.raw_path, got.query_string + b"&z=1", got.headers, got.body
            ),
            ReceivedRequest("OPTIONS", got.raw_path, got.query_string, got.headers, got.body),
            _replace_header(got, b"host", b"evil.example"),
        ]
        for bad in tampered:
            with pytest.raises(SignatureError, match="signature"):
                verify_signature(keys, bad, case.moment)
        with pytest.raises(SignatureError, match="not known"):
            verify_signature(KeyPair("OTHER", case.secret_key), got, case.moment)
        with pytest.raises(SignatureError, match="does not match"):
            verify_signature(KeyPair(case.access_key, "wrong"), got, case.moment)
        with pytest.raises(SignatureError, match="15 minutes"):
            verify_signature(keys, got, case.moment + timedelta(minutes=16))


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "not signed"),
        ("Basic dXNlcjpwYXNz", "is not 'SDK-HMAC-SHA256"),
        (f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=x-sdk-date, Signature={'0' * 64}", "host"),
        (
            f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=x-sdk-date;host, Signature={'0' * 64}",
            "sorted",
        ),
        (
            f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=Host;x-sdk-date, Signature={'0' * 64}",
            "lower-case",
        ),
        (
            f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-a;x-sdk-date, Signature={'0' * 64}",
            "'x-a' is missing",
        ),
    ],
)
def test_the_mock_verifier_names_what_is_wrong(authorization: str | None, reason: str) -> None:
    headers = [(b"host", b"h"), (b"x-sdk-date", b"20240101T000000Z")]
    if authorization is not None:
        headers.append((b"authorization", authorization.encode()))
    request = ReceivedRequest("GET", b"/", b"", headers, b"")
    with pytest.raises(SignatureError, match=reason) as caught:
        verify_signature(KeyPair(AK, SK), request, datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert str(caught.value).startswith("Incorrect IAM authentication information: ")


# --- End to end: the clients and the mock in signature-checking mode -------------------------


@pytest.fixture(scope="module")
def signing_mock() -> Iterator[str]:
    with run_mock(aksk=(AK, SK), job_duration=0.2) as url:
        yield url


class Recorder:
    """Event hooks that keep every request as sent (signed) and every answer's status."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []

    def hooks(self) -> dict[str, list[Callable[..., Any]]]:
        return {"request": [self.requests.append], "response": [self._status]}

    def async_hooks(self) -> dict[str, list[Callable[..., Any]]]:
        async def request(req: httpx.Request) -> None:
            self.requests.append(req)

        async def response(resp: httpx.Response) -> None:
            self._status(resp)

        return {"request": [request], "response": [response]}

    def _status(self, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)


def ticking_clock() -> Callable[[], datetime]:
    """Now, plus one second more at each call: every signature has its own date."""
    ticks = count()
    return lambda: datetime.now(timezone.utc) + timedelta(seconds=next(ticks))


def test_sync_client_delivers_and_waits_with_a_key_pair(signing_mock: str) -> None:
    recorder = Recorder()
    with (
        httpx.Client(event_hooks=recorder.hooks()) as http,
        Client(signing_mock, PROJECT, auth=AKSKAuth(AK, SK), http_client=http) as client,
    ):
        task = client.batch_server_action(START)
        job = task.wait(timeout=10, poll_interval=0.02)

    assert job.status == "SUCCESS"
    assert len(recorder.requests) >= 2
    assert all(status == 200 for status in recorder.statuses)
    for sent in recorder.requests:
        assert "X-Auth-Token" not in sent.headers
        assert sent.headers["Authorization"].startswith(f"SDK-HMAC-SHA256 Access={AK}, ")


async def test_async_client_delivers_and_waits_with_a_key_pair(signing_mock: str) -> None:
    recorder = Recorder()
    async with (
        httpx.AsyncClient(event_hooks=recorder.async_hooks()) as http,
        AsyncClient(signing_mock, PROJECT, auth=AKSKAuth(AK, SK), http_client=http) as client,
    ):
        task = await client.delete_servers({"servers": [{"id": "srv-9"}]})
        job = await task.wait(timeout=10, poll_interval=0.02)

    assert job.status == "SUCCESS"
    assert len(recorder.requests) >= 2
    assert all(status == 200 for status in recorder.statuses)
    assert all("X-Auth-Token" not in sent.headers for sent in recorder.requests)


@pytest.mark.parametrize(
    "credentials",
    [
        {"auth": AKSKAuth(AK, "not-the-secret")},
        {"auth": AKSKAuth("AKNOTKNOWN", SK)},
        {"auth": AKSKAuth(AK, SK, clock=lambda: datetime.now(timezone.utc) - timedelta(hours=1))},
        {"token": "a-token-is-not-enough"},
    ],
    ids=["wrong secret", "unknown access key", "stale date", "token only"],
)
async def test_bad_credentials_get_401(
    signing_mock: str, mode: str, credentials: dict[str, Any]
) -> None:
    kind = Client if mode == "sync" else AsyncClient
    client = kind(signing_mock, PROJECT, **credentials)
    try:
        with pytest.raises(AuthenticationError) as caught:
            result = client.batch_server_action(START)
            if mode == "async":
                await result
    finally:
        closed = client.close()
        if closed is not None:
            await closed
    assert caught.value.status_code == 401
    assert caught.value.code == "APIGW.0301"
    assert caught.value.message.startswith("Incorrect IAM authentication information: ")


def _assert_retries_were_signed_anew(recorder: Recorder) -> None:
    assert 429 in recorder.statuses, "the mock answered no 429: nothing was retried"
    assert recorder.statuses[-1] == 200
    keys = KeyPair(AK, SK)
    for index, status in enumerate(recorder.statuses[:-1]):
        if status != 429:
            continue
        first, again = recorder.requests[index], recorder.requests[index + 1]
        assert (first.method, first.url) == (again.method, again.url)
        assert first.headers["X-Sdk-Date"] != again.headers["X-Sdk-Date"]
        assert first.headers["Authorization"] != again.headers["Authorization"]
    # Every attempt, the turned-away ones included, carries a valid signature of its own.
    for sent in recorder.requests:
        assert sent.headers.get_list("Authorization") == [sent.headers["Authorization"]]
        verify_signature(keys, received(sent), datetime.now(timezone.utc))


def test_sync_retries_are_signed_anew() -> None:
    recorder = Recorder()
    auth = AKSKAuth(AK, SK, clock=ticking_clock())
    with (
        run_mock(aksk=(AK, SK), job_duration=0.1, rate_limit_every=2, retry_after=0) as url,
        httpx.Client(event_hooks=recorder.hooks()) as http,
        Client(url, PROJECT, auth=auth, http_client=http) as client,
    ):
        job = client.batch_server_action(START).wait(timeout=10, poll_interval=0.02)

    assert job.status == "SUCCESS"
    _assert_retries_were_signed_anew(recorder)


async def test_async_retries_are_signed_anew() -> None:
    recorder = Recorder()
    auth = AKSKAuth(AK, SK, clock=ticking_clock())
    with run_mock(aksk=(AK, SK), job_duration=0.1, rate_limit_every=2, retry_after=0) as url:
        async with (
            httpx.AsyncClient(event_hooks=recorder.async_hooks()) as http,
            AsyncClient(url, PROJECT, auth=auth, http_client=http) as client,
        ):
            task = await client.batch_server_action(START)
            job = await task.wait(timeout=10, poll_interval=0.02)

    assert job.status == "SUCCESS"
    _assert_retries_were_signed_anew(recorder)


def test_the_mock_command_line_checks_signatures() -> None:
    with mock_process("--aksk", f"{AK}:{SK}", "--job-duration", "0.1") as url:
        path = f"/v1/{PROJECT}/cloudservers/action"
        with httpx.Client(base_url=url, auth=AKSKAuth(AK, SK), timeout=10) as signed:
            assert signed.post(path, json=START).status_code == 200
        with httpx.Client(base_url=url, timeout=10) as unsigned:
            answer = unsigned.post(path, json=START, headers={"X-Auth-Token": "t"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "APIGW.0301"
    assert "X-Request-Id" in answer.headers


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--aksk", f"{AK}{SK}"], "expected ACCESS_KEY:SECRET_KEY"),
        (["--aksk", f"{AK}:{SK}", "--token", "t"], "excludes no-auth and token"),
        (["--aksk", f"{AK}:{SK}", "--no-auth"], "excludes no-auth and token"),
        (["--aksk", f"{AK}:"], "must not be empty"),
        (["--aksk", f"A K:{SK}"], "access key"),
    ],
)
def test_the_mock_refuses_bad_key_options_without_showing_the_secret(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        mock_main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert SK not in err


# --- The secret key stays secret ---------------------------------------------------------------


def test_the_secret_key_is_not_in_reprs() -> None:
    auth = AKSKAuth(AK, SK)
    signed = auth.sign(httpx.Request("POST", "https://h.example/v1/p", content=b"{}"))

    assert repr(auth) == f"AKSKAuth(access_key={AK!r})"
    # Its attributes too, as a debugger or a traceback with locals shows them.
    assert SK not in repr(vars(auth))
    for value in (signed, MockOptions(aksk=(AK, SK)), KeyPair(AK, SK)):
        assert SK not in repr(value)
        assert SK not in str(value)
    with Client("https://h.example", PROJECT, auth=auth) as client:
        assert SK not in repr(client)
        assert SK not in repr(vars(client))


def test_a_signed_request_does_not_show_header_values_in_its_repr() -> None:
    request = httpx.Request("GET", "https://h.example/", headers={"X-Auth-Token": "tok-SECRET"})
    signed = AKSKAuth(AK, SK).sign(request)
    assert "tok-SECRET" in signed.canonical_request
    assert "tok-SECRET" not in repr(signed)


async def test_the_secret_key_is_not_in_logs_or_errors(
    signing_mock: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ecs_tasks")
    kind = Client if mode == "sync" else AsyncClient
    errors: list[BaseException] = []
    for secret in (SK, SK[::-1]):
        client = kind(signing_mock, PROJECT, auth=AKSKAuth(AK, secret), max_retries=0)
        try:
            result = client.batch_server_action(START)
            if mode == "async":
                await result
        except AuthenticationError as exc:
            errors.append(exc)
        finally:
            closed = client.close()
            if closed is not None:
                await closed

    assert len(errors) == 1  # the reversed secret is refused
    records = [r for r in caplog.records if r.name.startswith("ecs_tasks")]
    assert any("signed POST" in r.getMessage() for r in records)
    for secret in (SK, SK[::-1]):
        for record in records:
            assert secret not in record.getMessage()
            assert secret not in repr(record.args)
        for error in errors:
            assert secret not in "".join(traceback.format_exception(error))
            assert secret not in repr(error)
