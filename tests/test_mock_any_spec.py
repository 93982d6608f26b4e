"""``make mock SPEC=...`` serves any spec: examples or schema samples, request validation,
credentials of every scheme, and live jobs only where ``x-waiter`` is declared.

Every public spec in ../shared/public-specs/ starts and answers one request per operation
with a status it documents and, for JSON, a body its schema accepts.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mock_helpers import REPO, mock_process
from scripts.bundle import bundle
from scripts.mock import run_mock
from scripts.mock.api import SpecNotServableError, build_api
from scripts.mock.samples import sample
from scripts.pointers import lookup
from scripts.validate import iter_operations

PUBLIC = REPO.parent / "shared" / "public-specs"
_URI = "urn:test:public"


def _public_specs() -> list[Any]:
    if not PUBLIC.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{PUBLIC} is absent"))]
    roots = sorted(PUBLIC.glob("*.yaml")) + sorted(PUBLIC.glob("*/openapi/openapi.yaml"))
    return [pytest.param(root, id=str(root.relative_to(PUBLIC))) for root in roots]


class _Spec:
    """A bundled public spec read on its own, to build requests and check answers."""

    def __init__(self, root: Path) -> None:
        self.data: dict[str, Any] = bundle(root).data
        self.version_30 = str(self.data.get("openapi", "")).startswith("3.0")
        resource = Resource.from_contents(
            _nullable(self.data) if self.version_30 else self.data,
            default_specification=DRAFT202012,
        )
        self.registry: Registry[Any] = Registry().with_resource(_URI, resource)

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = lookup(self.data, node["$ref"][1:])[1]
        return node

    def value(self, schema: Any) -> Any:
        return sample(schema, self.resolve)

    def operations(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        for pointer, path, method, operation in iter_operations(self.data):
            if pointer.startswith("/paths/"):
                yield pointer, path, method, operation

    def request(self, path: str, operation: dict[str, Any]) -> dict[str, Any]:
        """httpx.request arguments for a valid request to ``operation``."""
        item = self.resolve(self.data["paths"][path])
        parameters = [self.resolve(p) for p in item.get("parameters", [])]
        parameters += [self.resolve(p) for p in operation.get("parameters", [])]
        url, params, headers, cookies = path, {}, {}, {}
        for parameter in parameters:
            value = self.value(parameter.get("schema", {}))
            text = ",".join(map(_text, value)) if isinstance(value, list) else _text(value)
            where = parameter["in"]
            if where == "path":
                url = url.replace("{" + parameter["name"] + "}", quote(text, safe=""))
            elif parameter.get("required"):
                {"query": params, "header": headers, "cookie": cookies}[where][
                    parameter["name"]
                ] = text
        arguments: dict[str, Any] = {"url": url, "params": params, "headers": headers}
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        body = self.resolve(operation.get("requestBody"))
        if body:
            media_type, media = next(iter(body["content"].items()))
            media = self.resolve(media)
            value = media["example"] if "example" in media else self.value(media.get("schema"))
            headers["Content-Type"] = media_type.replace("*", "octet-stream")
            if "json" in media_type:
                arguments["content"] = json.dumps(value).encode()
            elif media_type == "application/x-www-form-urlencoded":
                arguments["content"] = urlencode(value or {}, doseq=True).encode()
            else:
                arguments["content"] = b"data"
        return arguments

    def check(self, pointer: str, operation: dict[str, Any], answer: httpx.Response) -> None:
        responses = operation.get("responses", {})
        status = str(answer.status_code)
        assert status in responses or (not responses and status == "204"), answer.text
        if status not in responses:
            return
        content = self.resolve(responses[status]).get("content", {})
        media_type = answer.headers.get("content-type", "").split(";")[0]
        if "json" in media_type and "schema" in content.get(media_type, {}):
            schema_pointer = f"{pointer}/responses/{status}/content/{_escape(media_type)}/schema"
            validator = Draft202012Validator(
                {"$ref": f"{_URI}#{schema_pointer}"}, registry=self.registry
            )
            validator.validate(answer.json())


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _nullable(value: Any) -> Any:
    # OpenAPI 3.0's "nullable: true" is JSON Schema's "null" in the type list.
    if isinstance(value, list):
        return [_nullable(item) for item in value]
    if not isinstance(value, dict):
        return value
    copy = {key: _nullable(item) for key, item in value.items()}
    if copy.get("nullable") is True and isinstance(copy.get("type"), str):
        copy["type"] = [copy["type"], "null"]
    return copy


@pytest.mark.parametrize("root", _public_specs())
def test_a_public_spec_answers_one_request_per_operation(root: Path) -> None:
    spec = _Spec(root)
    operations = list(spec.operations())
    with run_mock(root, auth=False) as base_url, httpx.Client(base_url=base_url) as session:
        for pointer, path, method, operation in operations:
            arguments = spec.request(path, operation)
            answer = session.request(method.upper(), **arguments)
            assert answer.status_code < 300, f"{method} {path}: {answer.text}"
            spec.check(pointer, operation, answer)


# --- a small spec of every kind of input -----------------------------------------------------

SMALL = {
    "openapi": "3.1.0",
    "info": {"title": "small", "version": "1"},
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"},
            "query": {"type": "apiKey", "in": "query", "name": "api_key"},
            "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        }
    },
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "security": [{"bearer": []}, {"query": []}],
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer", "maximum": 10},
                    },
                    {
                        "name": "tag",
                        "in": "query",
                        "schema": {"type": "array", "items": {"enum": ["a", "b"]}},
                    },
                    {"name": "flag", "in": "cookie", "schema": {"type": "boolean"}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["id", "made"],
                                        "properties": {
                                            "id": {"type": "integer", "minimum": 5},
                                            "made": {"type": "string", "format": "date-time"},
                                        },
                                    },
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "security": [{"basic": []}, {"cookie": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["name", "size"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "size": {"type": "integer"},
                                },
                                "additionalProperties": False,
                            }
                        },
                        "application/octet-stream": {},
                    },
                },
                "responses": {"204": {"description": "made"}},
            },
        },
        "/things/{id}": {
            "get": {
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "object"},
                        "style": "simple",
                    }
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


#: user:t0k, the pinned token as the password.
BASIC = base64.b64encode(b"user:t0k").decode()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("small") / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL, sort_keys=False), encoding="utf-8")
    with run_mock(path, token="t0k") as base_url:
        yield base_url


def test_answers_are_samples_of_the_schema_when_there_is_no_example(small: str) -> None:
    answer = httpx.get(
        f"{small}/things", params={"limit": "3"}, headers={"Authorization": "Bearer t0k"}
    )
    assert answer.status_code == 200
    assert answer.json() == [{"id": 5, "made": "2016-04-25T20:04:34.604Z"}]


@pytest.mark.parametrize(
    ("arguments", "status"),
    [
        ({"headers": {"Authorization": "Bearer t0k"}}, 400),  # limit is required
        ({"params": {"limit": "3", "api_key": "t0k"}}, 200),
        ({"params": {"limit": "3", "api_key": "other"}}, 401),
        ({"params": {"limit": "3"}}, 401),
        ({"params": {"limit": "3"}, "headers": {"Authorization": f"Basic {BASIC}"}}, 401),
        ({"params": {"limit": "11", "api_key": "t0k"}}, 400),
        ({"params": {"limit": "x", "api_key": "t0k"}}, 400),
        ({"params": {"limit": "3", "tag": ["a", "b"], "api_key": "t0k"}}, 200),
        ({"params": {"limit": "3", "tag": ["a", "c"], "api_key": "t0k"}}, 400),
        ({"params": {"limit": "3", "api_key": "t0k"}, "cookies": {"flag": "true"}}, 200),
        ({"params": {"limit": "3", "api_key": "t0k"}, "cookies": {"flag": "maybe"}}, 400),
    ],
)
def test_parameters_and_credentials_of_every_kind_are_checked(
    small: str, arguments: dict[str, Any], status: int
) -> None:
    cookies = arguments.pop("cookies", None)
    with httpx.Client(base_url=small, cookies=cookies) as session:
        answer = session.get("/things", **arguments)
    assert answer.status_code == status, answer.text


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"name=box&size=3", "application/x-www-form-urlencoded", 204),
        (b"name=box&size=big", "application/x-www-form-urlencoded", 400),
        (b"name=box", "application/x-www-form-urlencoded", 400),
        (b"name=box&size=3&color=red", "application/x-www-form-urlencoded", 400),
        (b"\x00\x01", "application/octet-stream", 204),
        (b"{}", "application/json", 400),
    ],
)
def test_form_bodies_are_validated_and_other_types_checked_by_type(
    small: str, content: bytes, content_type: str, status: int
) -> None:
    headers = {"Content-Type": content_type, "Authorization": f"Basic {BASIC}"}
    answer = httpx.post(f"{small}/things", content=content, headers=headers)
    assert answer.status_code == status, answer.text
    assert answer.content == b"" or answer.status_code != 204


def test_what_cannot_be_served_is_said_at_start_up_with_a_location_and_answered_501(
    small: str,
) -> None:
    api = build_api(SMALL)
    assert [note.message for note in api.notes] == [
        "request bodies of type application/octet-stream are checked for their type only",
        "GET /things/{id} answers 501: cannot read a object from text",
    ]
    assert api.notes[1].pointer == "/paths/~1things~1{id}/get/parameters/0/schema"
    answer = httpx.get(f"{small}/things/1")
    assert answer.status_code == 501
    assert "cannot read a object from text" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("pattern", "served", "said"),
    [
        ("[0-9]+", [{"id": 5, "made": "0"}], "served: a value made from the schema"),
        ("(?=x)y", [{"id": 1}], "nor does a value made from it; served: the example"),
    ],
)
def test_an_example_that_does_not_match_is_said_and_replaced_when_it_can_be(
    pattern: str, served: list[dict[str, Any]], said: str
) -> None:
    spec = copy.deepcopy(SMALL)
    media = spec["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"]
    media["example"] = [{"id": 1}]
    made = media["schema"]["items"]["properties"]["made"]
    made |= {"format": "not-known", "pattern": pattern}
    api = build_api(spec)
    listing = next(op for op in api.operations if op.operation_id == "listThings")
    assert listing.answer is not None
    assert json.loads(listing.answer.content) == served
    notes = [note for note in api.notes if "example" in note.message]
    assert [note.pointer for note in notes] == [
        "/paths/~1things/get/responses/200/content/application~1json/example"
    ]
    assert notes[0].message.endswith(said)


def test_a_spec_with_two_job_queries_is_refused_with_both_locations() -> None:
    spec = copy.deepcopy(SMALL)
    waiter = {"status": "/status", "success": ["done"], "failure": ["failed"]}
    spec["paths"]["/things"]["get"]["x-waiter"] = waiter
    spec["paths"]["/things/{id}"]["get"]["x-waiter"] = waiter
    with pytest.raises(SpecNotServableError) as refused:
        build_api(spec)
    assert [problem.pointer for problem in refused.value.problems] == [
        "/paths/~1things/get/x-waiter",
        "/paths/~1things~1{id}/get/x-waiter",
    ]


def test_the_command_line_prints_located_notes_before_it_serves(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL, sort_keys=False), encoding="utf-8")
    command = [sys.executable, "-m", "scripts.mock", "--port", "0", "--spec", str(path)]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    try:
        ready, _, _ = select.select([process.stdout], [], [], 20)
        listening = process.stdout.readline() if ready else ""
    finally:
        process.terminate()
        _, notes = process.communicate(timeout=10)
    assert "listening on http://127.0.0.1:" in listening
    lines = notes.splitlines()
    assert re.fullmatch(
        r".*small\.yaml:\d+:\d+: GET /things/\{id\} answers 501: cannot read a object from "
        r"text \[#/paths/~1things~1\{id\}/get/parameters/0/schema\] \(note\)",
        lines[1],
    ), notes
    assert "application/octet-stream are checked for their type only" in lines[0]


def test_the_command_line_serves_the_spec_it_is_given(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL, sort_keys=False), encoding="utf-8")
    with mock_process("--spec", str(path), "--token", "t0k") as base_url:
        answer = httpx.post(
            f"{base_url}/things",
            content=b"name=a&size=1",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": "session=t0k"},
        )
    assert answer.status_code == 204
