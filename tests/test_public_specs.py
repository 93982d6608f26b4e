"""Published specs of other teams build into packages that import, type-check and send what
their spec describes.

For every operation of every spec in ../shared/public-specs the test calls the generated
method through an httpx.MockTransport with representative arguments, and compares the request
with one it derives here from the spec alone (its own reference resolution, sample values,
serialisation and naming rules, as the README states them), not from the generator's code.
"""

from __future__ import annotations

import base64
import builtins
import email.parser
import email.policy
import json
import keyword
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
import yaml

from client_builds import BASE_URL, Built, Recorder, build_package
from conftest import ROOT

PUBLIC = ROOT.parent / "shared" / "public-specs"
SPECS = {
    "api_with_examples": "api-with-examples.yaml",
    "callback_example": "callback-example.yaml",
    "link_example": "link-example.yaml",
    "non_oauth_scopes": "non-oauth-scopes.yaml",
    "petstore": "petstore.yaml",
    "petstore_expanded": "petstore-expanded.yaml",
    "redocly_starter": "redocly-starter/openapi/openapi.yaml",
    "swagger_petstore": "swagger-petstore.yaml",
    "twilio_studio_v2": "twilio_studio_v2.yaml",
    "uspto": "uspto.yaml",
    "webhook_example": "webhook-example.yaml",
}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

pytestmark = pytest.mark.skipif(
    not PUBLIC.is_dir(), reason=f"the public specs are not here ({PUBLIC})"
)


# --- the spec, read here -------------------------------------------------------------------


class Spec:
    """A spec's files, with `$ref` (internal or to a relative file) followed on demand."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[Path, Any] = {}

    def document(self, path: Path) -> Any:
        path = path.resolve()
        if path not in self.files:
            self.files[path] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return self.files[path]

    def deref(self, node: Any, where: Path) -> tuple[Any, Path]:
        """``node`` with its references followed, and the file it ends up in."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            target, _, pointer = node["$ref"].partition("#")
            where = (where.parent / target).resolve() if target else where
            node = self.document(where)
            for token in [t for t in pointer.split("/") if t]:
                token = token.replace("~1", "/").replace("~0", "~")
                node = node[int(token)] if isinstance(node, list) else node[token]
        return node, where


def sample(spec: Spec, schema: Any, where: Path, *, request: bool, depth: int = 0) -> Any:
    """A value valid for ``schema``; objects carry every property a request (response) may
    carry, so that a dropped field shows."""
    schema, where = spec.deref(schema, where)
    if not isinstance(schema, dict) or depth > 6:
        return "x"
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    if "const" in schema:
        return schema["const"]
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return sample(spec, schema[key][0], where, request=request, depth=depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(spec, part, where, request=request, depth=depth + 1)
            if not isinstance(value, dict):
                return value  # a scalar schema with more said about it
            merged.update(value)
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if own.get("properties"):
            merged.update(sample(spec, own, where, request=request, depth=depth + 1))
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind is None and "properties" in schema:
        kind = "object"
    if kind == "object":
        skip = "readOnly" if request else "writeOnly"
        value = {
            name: sample(spec, prop, where, request=request, depth=depth + 1)
            for name, prop in (schema.get("properties") or {}).items()
            if not spec.deref(prop, where)[0].get(skip)
        }
        extra = schema.get("additionalProperties")
        if not value and isinstance(extra, dict) and extra:
            value = {"k": sample(spec, extra, where, request=request, depth=depth + 1)}
        return value
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        item = sample(spec, schema.get("items") or {}, where, request=request, depth=depth + 1)
        return [item] * count
    if kind == "integer":
        return int(schema.get("minimum", schema.get("maximum", 7)))
    if kind == "number":
        return float(schema.get("minimum", schema.get("maximum", 1.5)))
    if kind == "boolean":
        return True
    if schema.get("format") == "binary" or "contentMediaType" in schema:
        return b"\x00\xffbytes"
    return _string(schema)


def _string(schema: dict[str, Any]) -> str:
    formats = {
        "date-time": "2024-01-02T03:04:05Z",
        "date": "2024-01-02",
        "email": "someone@example.com",
        "uuid": "0b6c7a44-0a26-4b5d-9f35-0d6c3e0e5a01",
        "uri": "https://example.com/x",
    }
    if schema.get("format") in formats:
        return formats[schema["format"]]
    text = "v" * max(1, int(schema.get("minLength", 1)))
    pattern = schema.get("pattern")
    if pattern is None or re.search(pattern, text):
        return text
    # The identifiers of these specs: a prefix, then N characters of one class.
    fixed = re.fullmatch(r"\^(\w*)\[(.)[^\]]*\]\{(\d+)\}\$", pattern)
    assert fixed, f"no sample for pattern {pattern}"
    return fixed.group(1) + fixed.group(2) * int(fixed.group(3))


# --- naming and serialisation, as the README states them --------------------------------

_UNUSABLE = (set(dir(builtins)) - {"id", "type"}) | {
    "self",
    "body",
    "timeout",
    "max_retries",
    "cls",
    "models",
    "httpx",
    "json",
    "wait",
}


def snake(text: str) -> str:
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return "_".join(re.findall(r"[0-9A-Za-z]+", text)).lower()


def argument(wire: str) -> str:
    name = snake(wire)
    return name + "_" if keyword.iskeyword(name) or name in _UNUSABLE else name


def method_name(method: str, path: str, operation: dict[str, Any]) -> str:
    if operation.get("operationId"):
        return snake(operation["operationId"])
    words = [method] + [f"by {s[1:-1]}" if s.startswith("{") else s for s in path.split("/") if s]
    return snake(" ".join(words))


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def query_pairs(name: str, value: Any, parameter: dict[str, Any]) -> list[tuple[str, str]]:
    style = parameter.get("style", "form")
    explode = parameter.get("explode", style == "form")
    assert style == "form", f"{name}: this test knows style form only"
    if isinstance(value, list):
        return (
            [(name, _text(v)) for v in value] if explode else [(name, ",".join(map(_text, value)))]
        )
    if isinstance(value, dict):
        if explode:
            return [(k, _text(v)) for k, v in value.items()]
        return [(name, ",".join(p for k, v in value.items() for p in (k, _text(v))))]
    return [(name, _text(value))]


def simple(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(map(_text, value))
    return _text(value)


def _kind(media_type: str) -> str:
    base = media_type.split(";")[0].strip().lower()
    if base == "application/json" or base.endswith("+json"):
        return "json"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base.startswith("text/") or base.endswith("xml"):
        return "text"
    return "binary"


def preferred(content: dict[str, Any]) -> str:
    """The media type a method sends or expects: JSON first, then form, multipart, text,
    binary (README, "Generating a client for another spec")."""
    order = ["json", "form", "multipart", "text", "binary"]
    return min(content, key=lambda m: (order.index(_kind(m)), "*" in m, m))


# --- one operation ------------------------------------------------------------------------


@dataclass
class Call:
    """A call of one generated method and the request the spec says it makes."""

    name: str
    kwargs: dict[str, Any]
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any  # what `check_body` compares with
    media_type: str | None
    status: int
    reply: bytes
    returns_none: bool


def credentials(spec: Spec, document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Constructor credentials for every usable scheme in use, and each scheme by name."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    used = sorted(
        {
            name
            for _, _, _, op, _ in operations(spec)
            for requirement in op.get("security", document.get("security") or [])
            for name in requirement
            if usable(spec.deref(schemes[name], spec.root)[0])
        }
    )
    given: dict[str, Any] = {}
    by_scheme: dict[str, Any] = {}
    for name in used:
        scheme = spec.deref(schemes[name], spec.root)[0]
        basic = scheme.get("type") == "http" and scheme["scheme"].lower() == "basic"
        # README: one scheme is the `token` (`credentials` for basic auth); several keep names.
        key = ("credentials" if basic else "token") if len(used) == 1 else snake(name)
        given[key] = ("user", "secret:pw") if basic else f"cred-{snake(name)}"
        by_scheme[name] = (scheme, given[key])
    return given, by_scheme


def usable(scheme: dict[str, Any]) -> bool:
    kind = scheme.get("type")
    if kind == "http":
        return str(scheme.get("scheme")).lower() in ("basic", "bearer")
    return kind in ("apiKey", "oauth2", "openIdConnect")


def operations(spec: Spec) -> Iterator[tuple[str, str, dict[str, Any], Any, Path]]:
    """(path, method, path item, operation, the file they are in) of every operation."""
    for path, raw in (spec.document(spec.root).get("paths") or {}).items():
        item, where = spec.deref(raw, spec.root)
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item, item[method], where


def expected_call(
    spec: Spec,
    document: dict[str, Any],
    path: str,
    method: str,
    item: dict[str, Any],
    operation: dict[str, Any],
    root: Path,
    schemes: dict[str, Any],
) -> Call:
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        parameter, _ = spec.deref(raw, root)
        params[(parameter["in"], parameter["name"])] = parameter
    kwargs: dict[str, Any] = {}
    url_path, query, headers, cookies = path, [], {}, []
    for (where, name), parameter in params.items():
        if where == "header" and name.lower() in ("accept", "content-type", "authorization"):
            continue
        value = sample(spec, parameter.get("schema") or {"type": "string"}, root, request=True)
        kwargs[argument(name)] = value
        if where == "path":
            url_path = url_path.replace("{" + name + "}", quote(simple(value), safe=","))
        elif where == "query":
            query += query_pairs(name, value, parameter)
        elif where == "header":
            headers[name] = simple(value)
        else:
            cookies.append(f"{name}={quote(simple(value), safe=',')}")
    for requirement in operation.get("security", document.get("security") or [])[:1]:
        for name in requirement:
            scheme, value = schemes[name]
            if scheme["type"] == "apiKey" and scheme["in"] == "header":
                headers[scheme["name"]] = value
            elif scheme["type"] == "apiKey" and scheme["in"] == "query":
                query.append((scheme["name"], value))
            elif scheme["type"] == "apiKey":
                cookies.append(f"{scheme['name']}={value}")
            elif scheme["type"] == "http" and scheme["scheme"].lower() == "basic":
                headers["Authorization"] = (
                    "Basic " + base64.b64encode(":".join(value).encode()).decode()
                )
            else:
                headers["Authorization"] = f"Bearer {value}"
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    body, media_type = None, None
    if "requestBody" in operation:
        request_body, where = spec.deref(operation["requestBody"], root)
        media_type = preferred(request_body["content"])
        schema = request_body["content"][media_type].get("schema") or {}
        body = sample(spec, schema, where, request=True)
        if _kind(media_type) == "binary":
            body = b"\x00\xffbytes"
        elif _kind(media_type) == "text" and not isinstance(body, str):
            body = "some text"
        kwargs["body"] = body
    status, reply, returns_none, accept = reply_of(spec, operation, root)
    headers["Accept"] = accept
    if media_type:
        headers["Content-Type"] = "application/octet-stream" if "*" in media_type else media_type
    return Call(
        method_name(method, path, operation),
        kwargs,
        method.upper(),
        url_path,
        query,
        headers,
        body,
        media_type,
        status,
        reply,
        returns_none,
    )


def reply_of(spec: Spec, operation: dict[str, Any], root: Path) -> tuple[int, bytes, bool, str]:
    """(status, body, whether the method returns None, Accept) of the first 2xx answer."""
    responses = {str(code): value for code, value in (operation.get("responses") or {}).items()}
    codes = sorted(code for code in responses if code.startswith("2"))
    if not codes:
        return 200, b"{}", False, "application/json"
    accept: list[str] = []
    for code in codes:
        response, _ = spec.deref(responses[code], root)
        if response.get("content"):
            media = preferred(response["content"])
            if media not in accept:
                accept.append(media)
    response, where = spec.deref(responses[codes[0]], root)
    status = 200 if codes[0] == "2XX" else int(codes[0])
    content = response.get("content")
    if not content:
        return status, b"", True, ", ".join(accept) or "application/json"
    media_type = preferred(content)
    if _kind(media_type) == "json":
        value = sample(spec, content[media_type].get("schema") or {}, where, request=False)
        return status, json.dumps(value).encode(), False, ", ".join(accept)
    return status, b"reply", False, ", ".join(accept)


def check_body(call: Call, sent: httpx.Request) -> None:
    if call.media_type is None:
        assert sent.content == b""
        return
    kind = _kind(call.media_type)
    if kind == "json":
        assert json.loads(sent.content) == call.body
    elif kind == "form":
        pairs = [
            pair
            for key, value in call.body.items()
            for pair in query_pairs(key, value, {"style": "form", "explode": True})
        ]
        assert parse_qsl(sent.content.decode(), keep_blank_values=True) == pairs
    elif kind == "multipart":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + sent.headers["Content-Type"].encode() + b"\r\n\r\n" + sent.content
        )
        parts = {
            part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in message.iter_parts()
        }
        assert set(parts) == set(call.body)
        for key, value in call.body.items():
            expected = value if isinstance(value, bytes) else _multipart_text(value)
            assert parts[key] == expected, key
    elif kind == "text":
        assert sent.content == call.body.encode()
    else:
        assert sent.content == call.body


def _multipart_text(value: Any) -> bytes:
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":")).encode()
    return _text(value).encode()


# --- the tests ----------------------------------------------------------------------------


class Builds:
    """Each public spec built once per module, on first use (a failing one fails its tests)."""

    def __init__(self, parent: Path) -> None:
        self.parent = parent
        self.done: dict[str, Built] = {}

    def __getitem__(self, name: str) -> Built:
        if name not in self.done:
            out = self.parent / name
            self.done[name] = build_package(PUBLIC / SPECS[name], out, f"pub_{name}")
        return self.done[name]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    return Builds(tmp_path_factory.mktemp("public"))


@pytest.mark.parametrize("name", SPECS)
def test_every_operation_sends_what_the_spec_describes(built: Builds, name: str) -> None:
    spec = Spec(PUBLIC / SPECS[name])
    document = spec.document(spec.root)
    given, schemes = credentials(spec, document)
    recorder = Recorder()
    client = recorder.client(built[name].package, **given)
    calls = [
        expected_call(spec, document, path, method, item, operation, where, schemes)
        for path, method, item, operation, where in operations(spec)
    ]
    methods = {m for m in vars(type(client)) if not m.startswith("_")}
    assert {call.name for call in calls} == methods - {"close", "wait_for_job"}
    for call in calls:
        recorder.status, recorder.content = call.status, call.reply
        result = getattr(client, call.name)(**call.kwargs)
        sent = recorder.last
        assert (sent.method, sent.url.path) == (call.method, urlsplit(BASE_URL + call.path).path)
        assert parse_qsl(sent.url.query.decode(), keep_blank_values=True) == call.query, call.name
        for header, value in call.headers.items():
            got = sent.headers.get(header, "")
            if header == "Content-Type" and value.startswith("multipart/"):
                got = got.partition(";")[0]  # the boundary is the client's to choose
            assert got == value, (call.name, header)
        credential_headers = {"authorization", "cookie"} | {
            s["name"].lower() for s, _ in schemes.values() if s.get("in") == "header"
        }
        assert {h for h in sent.headers if h in credential_headers} == {
            h.lower() for h in call.headers if h.lower() in credential_headers
        }, call.name
        check_body(call, sent)
        assert (result is None) == call.returns_none, call.name


def test_packages_pass_mypy_strict(built: Builds) -> None:
    """One mypy run over every package that built (the build test reports the others)."""
    folders = []
    for name in SPECS:
        try:
            folders.append(str(built[name].out / built[name].package.__name__))
        except AssertionError:
            continue
    assert folders
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *folders],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
