"""What a generated client sends for each parameter style, media type and security scheme.

The specs are small ones in tests/specs/client/; the expected wire forms are those of the
style table and the media type rules of OpenAPI 3.1, written out here by hand.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qsl

import httpx
import pytest

from client_builds import BASE_URL, Built, Recorder, build_package
from conftest import SPECS

CLIENT_SPECS = SPECS / "client"
COLOR = {"R": 100, "G": 200, "B": 150}
COLORS = ["blue", "black", "brown"]


@pytest.fixture(scope="module")
def styles(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_package(CLIENT_SPECS / "styles.yaml", tmp_path_factory.mktemp("s"), "t_styles")


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_package(CLIENT_SPECS / "media.yaml", tmp_path_factory.mktemp("m"), "t_media")


@pytest.fixture(scope="module")
def security(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_package(CLIENT_SPECS / "security.yaml", tmp_path_factory.mktemp("a"), "t_security")


# --- parameter styles ---------------------------------------------------------------------


def test_query_styles_follow_the_style_table(styles: Built) -> None:
    recorder = Recorder(status=204)
    recorder.client(styles.package).query_styles(
        prim="blue",
        form_exploded=COLORS,
        form_flat=COLORS,
        obj_exploded=COLOR,
        obj_flat=COLOR,
        spaced=COLORS,
        piped=COLORS,
        deep=COLOR,
        count=0,
        flag=False,
        reserved="a/b?c",
        escaped="a/b c&d=e",
        filter_={"a": 1},
    )
    sent = recorder.last
    assert sent.method == "GET"
    assert sent.url.path == "/query"
    assert sent.url.query.decode() == "&".join(
        [
            "prim=blue",
            "formExploded=blue&formExploded=black&formExploded=brown",
            "formFlat=blue,black,brown",
            "R=100&G=200&B=150",
            "objFlat=R,100,G,200,B,150",
            "spaced=blue%20black%20brown",
            "piped=blue|black|brown",
            "deep[R]=100&deep[G]=200&deep[B]=150",
            "count=0",
            "flag=false",
            "reserved=a/b?c",
            "escaped=a%2Fb%20c%26d%3De",
            "filter=%7B%22a%22%3A1%7D",
        ]
    )


def test_optional_parameters_left_out_are_not_sent(styles: Built) -> None:
    recorder = Recorder(status=204)
    result = recorder.client(styles.package).query_styles(count=3)
    assert result is None
    assert recorder.last.url.query == b"count=3"


def test_path_styles_follow_the_style_table(styles: Built) -> None:
    recorder = Recorder(status=204)
    recorder.client(styles.package).path_styles(
        simple="a b/c",
        simple_arr=COLORS,
        simple_obj=COLOR,
        label="blue",
        label_arr=COLORS,
        matrix="blue",
        matrix_arr=COLORS,
        matrix_obj=COLOR,
    )
    assert recorder.last.url.raw_path.decode() == "/".join(
        [
            "/path",
            "a%20b%2Fc",
            "blue,black,brown",
            "R=100,G=200,B=150",
            ".blue",
            ".blue.black.brown",
            ";matrix=blue",
            ";matrixArr=blue;matrixArr=black;matrixArr=brown",
            ";matrixObj=R,100,G,200,B,150",
        ]
    )


def test_header_and_cookie_parameters_are_sent(styles: Built) -> None:
    recorder = Recorder(status=204)
    client = recorder.client(styles.package)
    client.header_styles(x_prim="p", x_arr=[1, 2], x_obj=COLOR)
    sent = recorder.last.headers
    assert (sent["X-Prim"], sent["X-Arr"], sent["X-Obj"]) == ("p", "1,2", "R=100,G=200,B=150")
    assert sent["Accept"] == "application/json"
    client.cookie_styles(session="s 1", prefs=["a", "b"])
    assert recorder.last.headers["Cookie"] == "session=s%201; prefs=a,b"


def test_the_ignored_accept_header_parameter_is_a_located_warning(styles: Built) -> None:
    assert (
        "styles.yaml:51:11: warning: header parameter 'Accept' is ignored" in styles.err
        and "[#/paths/~1headers/get/parameters/3]" in styles.err
    )
    assert "accept" not in styles.package.Client.header_styles.__code__.co_varnames


def test_only_path_parameters_and_the_body_are_positional(styles: Built) -> None:
    client = Recorder(status=204).client(styles.package)
    with pytest.raises(TypeError):
        client.query_styles(3)


def test_enum_parameters_are_literals_and_every_value_is_checked(styles: Built) -> None:
    hints = styles.package.Client.checked_arguments.__annotations__
    assert hints["delete_flag"] == "Literal['true', 'false'] | None"
    assert hints["x_level"] == "Literal[1, 2] | None"
    recorder = Recorder(status=204)
    client = recorder.client(styles.package)
    client.checked_arguments(5, delete_flag="true", modes=["slow", "fast"], x_level=2)
    assert recorder.last.url.path == "/checked/5"
    assert recorder.last.url.query == b"delete_flag=true&modes=slow&modes=fast"
    assert recorder.last.headers["X-Level"] == "2"
    bad = [
        ({"id": 5, "delete_flag": "2"}, "delete_flag: Input should be 'true' or 'false'"),
        ({"id": 5, "modes": ["fast", "warp"]}, "modes.1: Input should be 'fast' or 'slow'"),
        ({"id": 5, "x_level": 3}, "x_level: Input should be 1 or 2"),
        ({"id": "five"}, "id: Input should be a valid integer"),
    ]
    for arguments, message in bad:
        with pytest.raises(styles.package.RequestValidationError) as caught:
            client.checked_arguments(**arguments)
        assert isinstance(caught.value, ValueError)
        assert message in str(caught.value)
    assert len(recorder.requests) == 1


def test_array_parameters_are_typed_lists(styles: Built) -> None:
    hints = styles.package.Client.query_styles.__annotations__
    assert hints["form_exploded"] == "list[str] | None"
    assert hints["count"] == "int"


# --- media types --------------------------------------------------------------------------


def test_inline_json_body_and_response_have_models(media: Built) -> None:
    recorder = Recorder(content=b'{"id": 7}', headers={"Content-Type": "application/json"})
    result = recorder.client(media.package).send_inline({"name": "n", "tags": ["a"]})
    assert json.loads(recorder.last.content) == {"name": "n", "tags": ["a"]}
    assert recorder.last.headers["Content-Type"] == "application/json"
    assert type(result).__module__ == "t_media.models"
    assert result.id == 7


def test_json_array_body(media: Built) -> None:
    recorder = Recorder(content=b'[{"id": 1}]')
    recorder.client(media.package).send_array([{"id": 1, "name": "x"}, {"id": 2}])
    assert json.loads(recorder.last.content) == [{"id": 1, "name": "x"}, {"id": 2}]


def test_form_body_is_urlencoded(media: Built) -> None:
    recorder = Recorder(status=204)
    body = {"name": "a b&c", "count": 2, "tags": ["x", "y"], "meta": {"a": 1}}
    assert recorder.client(media.package).send_form(body) is None
    sent = recorder.last
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(sent.content.decode(), strict_parsing=True) == [
        ("name", "a b&c"),
        ("count", "2"),
        ("tags", "x"),
        ("tags", "y"),
        ("meta", '{"a":1}'),
    ]


def _parts(request_content: bytes, content_type: str) -> dict[str, tuple[str | None, str, bytes]]:
    """name -> (filename, content type, payload) of each part of a multipart body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request_content
    )
    found = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        found[str(name)] = (
            part.get_filename(),
            part.get_content_type(),
            part.get_payload(decode=True),
        )
    return found


@pytest.mark.parametrize("kind", ["bytes", "file", "tuple"])
def test_multipart_body_sends_fields_and_files(media: Built, kind: str, tmp_path: Path) -> None:
    payload = b"\x89PNG\r\n\x00binary"
    if kind == "bytes":
        file: object = payload
    elif kind == "file":
        path = tmp_path / "photo.png"
        path.write_bytes(payload)
        file = path.open("rb")
    else:
        file = ("given.png", io.BytesIO(payload), "image/x-custom")
    recorder = Recorder(status=201, content=b'{"id": 3}')
    item = recorder.client(media.package).upload({"title": "T", "file": file, "labels": ["a"]})
    assert item.id == 3
    sent = recorder.last
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    parts = _parts(sent.content, sent.headers["Content-Type"])
    filename = {"bytes": "file", "file": "photo.png", "tuple": "given.png"}[kind]
    content_type = "image/x-custom" if kind == "tuple" else "image/png"
    assert parts["file"] == (filename, content_type, payload)
    assert parts["title"][1:] == ("text/plain", b"T")
    assert parts["labels"][2] == b"a"


def test_multipart_without_a_required_file_is_refused(media: Built) -> None:
    recorder = Recorder(status=201, content=b'{"id": 3}')
    with pytest.raises(media.package.RequestValidationError, match="file"):
        recorder.client(media.package).upload({"title": "T"})
    assert recorder.requests == []


@pytest.mark.parametrize("kind", ["bytes", "file"])
def test_octet_stream_body(media: Built, kind: str) -> None:
    payload = bytes(range(256))
    recorder = Recorder(status=204)
    body = payload if kind == "bytes" else io.BytesIO(payload)
    assert recorder.client(media.package).put_binary(body) is None
    assert recorder.last.method == "PUT"
    assert recorder.last.headers["Content-Type"] == "application/octet-stream"
    assert recorder.last.content == payload


def test_text_body_and_text_answer(media: Built) -> None:
    recorder = Recorder(content="HÉ".encode(), headers={"Content-Type": "text/plain"})
    assert recorder.client(media.package).send_text("hé") == "HÉ"
    assert recorder.last.headers["Content-Type"] == "text/plain"
    assert recorder.last.headers["Accept"] == "text/plain"
    assert recorder.last.content == "hé".encode()


def test_binary_answer_is_bytes(media: Built) -> None:
    recorder = Recorder(content=b"\x00\x01", headers={"Content-Type": "application/octet-stream"})
    assert recorder.client(media.package).download() == b"\x00\x01"
    assert recorder.last.headers["Accept"] == "application/octet-stream"


def test_xml_and_other_types_are_sent_as_given(media: Built) -> None:
    xml = "<Item><id>1</id></Item>"
    recorder = Recorder(content=xml.encode(), headers={"Content-Type": "application/xml"})
    client = recorder.client(media.package)
    assert client.send_xml(xml) == xml
    assert (recorder.last.headers["Content-Type"], recorder.last.content) == (
        "application/xml",
        xml.encode(),
    )
    recorder.status = 204
    assert client.put_image(b"\x89PNG") is None
    assert (recorder.last.headers["Content-Type"], recorder.last.content) == (
        "image/png",
        b"\x89PNG",
    )


def test_an_answer_that_may_be_empty_is_the_model_or_none(media: Built) -> None:
    assert media.package.Client.maybe.__annotations__["return"] == "models.Item | None"
    recorder = Recorder(content=b'{"id": 4}')
    client = recorder.client(media.package)
    assert client.maybe().id == 4
    recorder.status, recorder.content = 204, b""
    assert client.maybe() is None


def test_an_operation_without_described_2xx_returns_the_json_or_none(media: Built) -> None:
    recorder = Recorder(content=b'{"any": [1]}')
    client = recorder.client(media.package)
    assert client.undescribed() == {"any": [1]}
    recorder.content = b""
    assert client.undescribed() is None


def test_json_is_chosen_over_xml_and_the_docstring_says_so(media: Built) -> None:
    recorder = Recorder()
    assert recorder.client(media.package).choose({"id": 1}) is None
    assert recorder.last.headers["Content-Type"] == "application/json"
    doc = media.package.Client.choose.__doc__
    assert "sent as application/json" in doc and "application/xml" in doc


def test_operation_without_id_is_named_from_method_and_path(media: Built) -> None:
    recorder = Recorder(status=204)
    assert recorder.client(media.package).delete_things_by_id(5) is None
    assert (recorder.last.method, recorder.last.url.path) == ("DELETE", "/things/5")


def test_webhooks_and_callbacks_are_not_methods(media: Built) -> None:
    methods = {name for name in vars(media.package.Client) if not name.startswith("_")}
    assert methods == {
        "send_inline",
        "send_array",
        "send_form",
        "upload",
        "put_binary",
        "send_text",
        "download",
        "choose",
        "send_xml",
        "put_image",
        "maybe",
        "undescribed",
        "delete_things_by_id",
    }


# --- security schemes ---------------------------------------------------------------------

CREDENTIALS = {
    "key_header": "kh",
    "key_query": "kq",
    "key_cookie": "kc",
    "bearer": "tb",
    "basic": ("user", "pa:ss"),
    "oauth": "to",
    "oidc": "ti",
}
BASIC = "Basic " + base64.b64encode(b"user:pa:ss").decode()


@pytest.mark.parametrize(
    ("method", "header", "value", "query"),
    [
        ("get_default", "Authorization", "Bearer tb", b""),
        ("get_header", "X-Key", "kh", b""),
        ("get_query", None, None, b"key=kq"),
        ("get_cookie", "Cookie", "sid=kc", b""),
        ("get_basic", "Authorization", BASIC, b""),
        ("get_oauth", "Authorization", "Bearer to", b""),
        ("get_oidc", "Authorization", "Bearer ti", b""),
        ("get_either", "Authorization", BASIC, b""),
    ],
)
def test_each_scheme_is_applied_as_its_operation_requires(
    security: Built, method: str, header: str | None, value: str | None, query: bytes
) -> None:
    recorder = Recorder(status=204)
    getattr(recorder.client(security.package, **CREDENTIALS), method)()
    sent = recorder.last
    credentials = {"authorization", "x-key", "cookie"}
    assert {k for k in sent.headers if k in credentials} == ({header.lower()} if header else set())
    if header:
        assert sent.headers[header] == value
    assert sent.url.query == query


def test_schemes_applied_together(security: Built) -> None:
    recorder = Recorder(status=204)
    recorder.client(security.package, **CREDENTIALS).get_both()
    assert recorder.last.headers["X-Key"] == "kh"
    assert recorder.last.url.query == b"key=kq"


def test_an_alternative_is_taken_when_the_first_lacks_its_credential(security: Built) -> None:
    recorder = Recorder(status=204)
    recorder.client(security.package, key_header="kh").get_either()
    assert recorder.last.headers["X-Key"] == "kh"
    assert "Authorization" not in recorder.last.headers


def test_security_none_sends_no_credential(security: Built) -> None:
    recorder = Recorder(status=204)
    recorder.client(security.package, **CREDENTIALS).get_public()
    assert not {"authorization", "x-key", "cookie"} & set(recorder.last.headers)
    assert recorder.last.url.query == b""


def test_an_unsupported_scheme_is_a_located_warning(security: Built) -> None:
    assert "security.yaml:67:5: warning: security scheme 'digest'" in security.err
    recorder = Recorder(status=204)
    recorder.client(security.package, **CREDENTIALS).get_digest()
    assert "Authorization" not in recorder.last.headers


def test_an_unknown_aksk_signature_is_a_located_warning(security: Built) -> None:
    assert (
        "security.yaml:55:64: warning: x-aksk must be 'SDK-HMAC-SHA256', the one signature the "
        "client can make; no AKSKAuth is generated for it "
        "[#/components/securitySchemes/keyHeader/x-aksk]"
    ) in security.err


def test_credentials_stay_out_of_repr(security: Built) -> None:
    client = Recorder().client(security.package, **CREDENTIALS)
    assert not any(secret in repr(client) for secret in ("kh", "tb", "pa:ss"))


def _exports(package: ModuleType) -> set[str]:
    return set(package.__all__)


def test_a_package_exports_only_what_its_spec_uses(security: Built, media: Built) -> None:
    for built in (security, media):
        exports = _exports(built.package)
        assert not exports & {"AKSKAuth", "DeliveredTask", "JobFailedError", "JobTimeoutError"}
        assert not (built.out / built.package.__name__ / "_auth.py").exists()
        assert not (built.out / built.package.__name__ / "_waiter.py").exists()


def test_the_ecs_spec_declares_aksk_and_keeps_its_token() -> None:
    import ecs_tasks

    assert "AKSKAuth" in ecs_tasks.__all__
    recorder = Recorder(content=b'{"job_id": "j1"}')
    http = recorder.client(ecs_tasks, "proj", "tok")
    http.delete_servers({"servers": [{"id": "s1"}]})
    assert recorder.last.headers["X-Auth-Token"] == "tok"
    assert recorder.last.url == f"{BASE_URL}/v1/proj/cloudservers/delete"


# --- what cannot be sent as described -----------------------------------------------------


def test_what_cannot_be_sent_is_a_located_warning_and_the_rest_is_sent(
    tmp_path: Path,
) -> None:
    built = build_package(CLIENT_SPECS / "warnings.yaml", tmp_path, "t_warnings")
    for line in (
        "warnings.yaml:10:42: warning: deepObject applies to objects only; the value is sent "
        "with style 'form' [#/paths/~1report/post/parameters/0/style]",
        "warnings.yaml:14:13: warning: parameter content 'text/csv' cannot be serialised; the "
        "argument is sent as text [#/paths/~1report/post/parameters/1/content/text~1csv]",
        "warnings.yaml:20:13: warning: the application/x-www-form-urlencoded body must be an "
        "object; the method takes a mapping",
    ):
        assert line in built.err
    recorder = Recorder(status=204)
    recorder.client(built.package).report({"a": "1"}, mode="m", csv="x,y")
    assert recorder.last.url.query == b"mode=m&csv=x%2Cy"
    assert recorder.last.content == b"a=1"


async def test_the_async_client_sends_the_same_request(media: Built, security: Built) -> None:
    recorder = Recorder(status=204)
    transport = httpx.MockTransport(recorder.handle)
    async with httpx.AsyncClient(transport=transport) as http:
        client = media.package.AsyncClient(BASE_URL, http_client=http)
        assert await client.send_form({"name": "n", "tags": ["x", "y"]}) is None
        assert recorder.last.content == b"name=n&tags=x&tags=y"
        secured = security.package.AsyncClient(BASE_URL, key_cookie="kc", http_client=http)
        await secured.get_cookie()
        assert recorder.last.headers["Cookie"] == "sid=kc"
