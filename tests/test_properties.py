"""Property tests: random names, enums and descriptions never break generation, and colliding
names never make a package that does not import or a method that sends another's request.

For any spec drawn here, the pipeline either reports located problems (never crashes) or
renders a package whose every module compiles, whose class and field names are valid and
unique, and whose docstrings give back the spec's text exactly. For specs drawn from names
that collide once made Python (operationIds, parameters, properties, schema names), the
package imports and every method sends exactly its own operation's request.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import json
import re
import string
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scripts.build import check_syntax
from scripts.bundle import Bundle
from scripts.load_spec import Document
from scripts.problems import errors_in
from scripts.render_client import render_package
from scripts.validate import validate

# Component names as OpenAPI allows them; property names and text may be anything printable.
schema_names = st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=20)
property_names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=15
).filter(lambda name: name.strip() == name and name != "$ref")
texts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")) | st.sampled_from("\"'\\{}%#`\n"),
    min_size=1,
    max_size=80,
).filter(lambda text: text.strip() != "")


@st.composite
def specs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str]]:
    """A spec with a few object schemas and one string enum, and the descriptions it holds."""
    names = draw(st.lists(schema_names, min_size=1, max_size=4, unique_by=str.lower))
    descriptions: dict[str, str] = {}
    schemas: dict[str, Any] = {}
    for name in names:
        properties = draw(st.lists(property_names, min_size=1, max_size=4, unique=True))
        descriptions[name] = draw(texts)
        schemas[name] = {
            "type": "object",
            "description": descriptions[name],
            "properties": {p: {"type": "string", "description": draw(texts)} for p in properties},
        }
    values = draw(st.lists(st.text(max_size=10), min_size=1, max_size=5, unique=True))
    schemas["Choice"] = {"type": "string", "enum": values}
    operation_id = draw(st.text(string.ascii_letters + "_- ", min_size=1, max_size=20))
    summary = draw(texts)
    descriptions["#summary"] = summary
    data = {
        "openapi": "3.1.0",
        "info": {"title": draw(texts), "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": operation_id,
                    "summary": summary,
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": f"#/components/schemas/{names[0]}"}
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": schemas},
    }
    return data, descriptions


def _bundle(data: dict[str, Any]) -> Bundle:
    path = Path("/nowhere/openapi.yaml")
    document = Document(path=path, data=data, locations={})
    return Bundle(root=document, data=data, origins={}, documents={path: document}, problems=[])


def _docstring(node: ast.ClassDef | ast.FunctionDef) -> str:
    first = node.body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    return _lines(str(first.value.value))


def _lines(text: str) -> str:
    """Text as a reader sees it in help(): line by line, indentation aside."""
    return "\n".join(line.strip() for line in text.strip().splitlines())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_generation_never_breaks(drawn: tuple[dict[str, Any], dict[str, str]]) -> None:
    data, descriptions = drawn
    problems = errors_in(validate(_bundle(data)))
    if problems:
        # A spec can be refused, but only with located problems, never with an exception.
        assert all(p.message and p.line >= 1 for p in problems)
        event("refused with located problems")
        return
    event("rendered")
    files = render_package(data, "drawn", "openapi.yaml", warnings=[])
    trees = {name: ast.parse(text) for name, text in files.items() if name.endswith(".py")}
    for name, text in files.items():
        if name.endswith(".py"):
            compile(text, name, "exec")
    classes = [n for n in trees["models.py"].body if isinstance(n, ast.ClassDef)]
    assert len({c.name for c in classes}) == len(classes)
    for cls in classes:
        assert cls.name.isidentifier()
        fields = [n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)]  # type: ignore[attr-defined]
        assert len(set(fields)) == len(fields)
        assert all(field.isidentifier() for field in fields)
    documented = {_docstring(c) for c in classes if c.body and isinstance(c.body[0], ast.Expr)}
    for name, text in descriptions.items():
        if not name.startswith("#"):
            assert _lines(text) in documented, (name, text)
    client = next(
        n for n in trees["_client.py"].body if isinstance(n, ast.ClassDef) and n.name == "Client"
    )
    methods = [n for n in client.body if isinstance(n, ast.FunctionDef)]
    assert any(_lines(descriptions["#summary"]) in _docstring(m) for m in methods)


# --- colliding names -------------------------------------------------------------------------

#: Names that collide once made Python, or that a generated module or client already uses.
COLLIDING = [
    "jobId",
    "job_id",
    "JobId",
    "job-id",
    "StartTime",
    "StartTime>",
    "start_time",
    "self",
    "body",
    "str",
    "models",
    "httpx",
    "timeout",
    "token",
    "id",
    "type",
    "class",
    "wait",
    "close",
    "schema",
    "model_config",
    "_links",
    "links",
]
#: Header and cookie names must be HTTP tokens.
TOKEN_NAMES = [n for n in COLLIDING if n.replace("-", "").replace("_", "").isalnum()]
SCHEMA_NAMES = [
    "GetThingResponse",
    "getThingResponse",
    "get_thing_response",
    "GetThingRequest",
    "error",
    "Error1",
    "BaseModel",
    "Field",
    "Enum",
    "models",
]
OPERATION_IDS = [
    "getThing",
    "get_thing",
    "GetThing",
    "get-thing",
    "jobWaiter",
    "close",
    "waitForJob",
    "models",
    "self",
    "token",
    None,
]
_METHODS = ["get", "post", "put", "delete", "patch"]


@st.composite
def colliding_specs(draw: st.DrawFn) -> dict[str, Any]:
    """Operations, parameters, properties and schemas whose names collide as Python names."""
    client_param = draw(st.sampled_from([None, "token", "project_id", "timeout", "jobId"]))
    operation_ids = draw(
        st.lists(st.sampled_from(OPERATION_IDS), min_size=1, max_size=4, unique=True)
    )
    objects = {
        "Error": {"type": "object", "properties": {"code": {"type": "string"}}},
        # Its inline `error` property makes the generator take `Error` for itself.
        "Outcome": {
            "type": "object",
            "properties": {"error": {"type": "object", "properties": {"id": {"type": "string"}}}},
        },
    }
    # Schema names that collide with each other, with what models.py imports, and with the
    # names of hoisted inline schemas (GetThingResponse).
    for name in draw(st.lists(st.sampled_from(SCHEMA_NAMES), max_size=4, unique=True)):
        objects[name] = {"type": "object", "properties": {f"in {name}": {"type": "string"}}}
    paths: dict[str, Any] = {}
    for index, operation_id in enumerate(operation_ids):
        path_names = [
            n
            for n in draw(st.lists(st.sampled_from(COLLIDING), max_size=3, unique=True))
            if n != client_param
        ]
        query = draw(st.lists(st.sampled_from(COLLIDING), max_size=3, unique=True))
        headers = draw(st.lists(st.sampled_from(TOKEN_NAMES), max_size=2, unique_by=str.lower))
        cookies = draw(st.lists(st.sampled_from(TOKEN_NAMES), max_size=2, unique=True))
        template = f"/r{index}" + "".join("/{" + n + "}" for n in path_names)
        parameters: list[Any] = [
            {"name": n, "in": where, "required": where == "path", "schema": {"type": "string"}}
            for where, names in (
                ("path", path_names),
                ("query", query),
                ("header", headers),
                ("cookie", cookies),
            )
            for n in names
        ]
        if client_param is not None:
            template = "/{" + client_param + "}" + template
            parameters.insert(0, {"$ref": "#/components/parameters/ClientParam"})
        operation: dict[str, Any] = {
            "summary": f"marker-{index}",
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": draw(_response_schemas(objects))}},
                }
            },
        }
        if operation_id is not None:
            operation["operationId"] = operation_id
        method = draw(st.sampled_from(_METHODS))
        if method != "get" and draw(st.booleans()):
            properties = draw(st.lists(st.sampled_from(COLLIDING), min_size=1, unique=True))
            schema = {"type": "object", "properties": {p: {"type": "string"} for p in properties}}
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema}},
            }
        paths[template] = {method: operation}
    components: dict[str, Any] = {"schemas": objects}
    if client_param is not None:
        components["parameters"] = {
            "ClientParam": {
                "name": client_param,
                "in": "path",
                "required": True,
                "x-client-parameter": True,
                "schema": {"type": "string"},
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "colliding", "version": "1"},
        "paths": paths,
        "components": components,
    }


def _response_schemas(objects: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    inline = st.lists(st.sampled_from(COLLIDING), min_size=1, max_size=4, unique=True).map(
        lambda names: {"type": "object", "properties": {n: {"type": "string"} for n in names}}
    )
    return st.one_of(
        st.sampled_from(sorted(objects)).map(lambda n: {"$ref": f"#/components/schemas/{n}"}),
        inline,
        inline.map(lambda item: {"type": "array", "items": item}),
    )


def _example(schema: dict[str, Any], data: dict[str, Any]) -> Any:
    """An answer matching a response schema of the drawn specs, every property set."""
    if "$ref" in schema:
        schema = data["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if schema.get("type") == "array":
        return [_example(schema["items"], data)]
    return {
        name: _example(prop, data) if prop.get("type") == "object" else f"answer-{name}"
        for name, prop in schema["properties"].items()
    }


_PARAMETER_LINE = re.compile(r"- `(\w+)`: (path|query|header|cookie) parameter `([^`]*)`")
_packages = itertools.count()


def _import_package(files: dict[str, str], folder: Path) -> ModuleType:
    name = f"colliding_{next(_packages)}"
    package = folder / name
    package.mkdir()
    for file, text in files.items():
        (package / file).write_text(text, encoding="utf-8")
    check_syntax(package)
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(colliding_specs())
def test_colliding_names_give_a_package_that_imports_and_sends_each_request(
    data: dict[str, Any],
) -> None:
    assert errors_in(validate(_bundle(data))) == []
    with tempfile.TemporaryDirectory() as scratch:
        package = _import_package(
            render_package(data, "colliding", "openapi.yaml", warnings=[]), Path(scratch)
        )
    client_param = data["components"].get("parameters", {}).get("ClientParam", {}).get("name")
    sent: list[httpx.Request] = []
    answer: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=answer[0])

    http = httpx.Client(transport=httpx.MockTransport(handler))
    args = ["client-value"] if client_param is not None else []
    client = package.Client("http://api.test", *args, http_client=http)
    methods = {
        _lines(str(getattr(client, name).__doc__)).split("\n")[0]: getattr(client, name)
        for name in dir(type(client))
        if not name.startswith("_") and callable(getattr(client, name))
    }
    for template, item in data["paths"].items():
        ((method, operation),) = item.items()
        call = methods[operation["summary"]]
        documented = _PARAMETER_LINE.findall(str(call.__doc__))
        values = {python: f"v{i}" for i, (python, _, _) in enumerate(documented)}
        kwargs: dict[str, Any] = dict(values)
        body = None
        if "requestBody" in operation:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            body = {name: f"sent-{name}" for name in schema["properties"]}
            kwargs["body"] = body
        answer[:] = [
            _example(operation["responses"]["200"]["content"]["application/json"]["schema"], data)
        ]
        sent.clear()
        result = call(**kwargs)
        (request,) = sent
        assert request.method == method.upper()
        expected_path = template
        if client_param is not None:
            expected_path = expected_path.replace("{" + client_param + "}", "client-value", 1)
        by_place = {(where, wire): values[python] for python, where, wire in documented}
        for (where, wire), value in by_place.items():
            if where == "path":
                expected_path = expected_path.replace("{" + wire + "}", value)
            elif where == "query":
                assert request.url.params[wire] == value, (wire, str(request.url))
            elif where == "header":
                assert request.headers[wire] == value, wire
            else:
                assert f"{wire}={value}" in request.headers["cookie"].split("; "), wire
        assert request.url.path == expected_path
        wires = {wire for _, wire in by_place}
        declared = {p["name"] for p in operation["parameters"] if "name" in p}
        assert wires == declared, "every parameter is an argument"
        if body is not None:
            assert json.loads(request.content) == body
        dumped = (
            result.model_dump(by_alias=True, mode="json")
            if hasattr(result, "model_dump")
            else result
        )
        assert dumped == answer[0]
    http.close()
