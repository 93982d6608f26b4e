"""The published spec in other languages' tools: its OpenAPI 3.0 rendering, client generators."""

from __future__ import annotations

import compileall
import copy
import importlib.resources
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import OpenAPIV30SpecValidator
from referencing import Registry
from referencing.jsonschema import DRAFT4

from conftest import ROOT, SPEC, SPECS
from scripts.bundle import bundle
from scripts.publish import render_published, to_openapi_30, to_yaml
from scripts.validate import iter_examples, validate

# --- the OpenAPI 3.0 rendering ----------------------------------------------------------------


def _doc(**fields: Any) -> dict[str, Any]:
    """A minimal 3.1 document with ``fields`` added or replaced."""
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, **fields}


def _schema_30(schema: Any) -> Any:
    """The 3.0 form of one schema, converted as part of a whole document."""
    converted = to_openapi_30(_doc(components={"schemas": {"S": schema, "T": {}}}))
    return converted["components"]["schemas"]["S"]


def _30_errors(data: dict[str, Any]) -> list[str]:
    return [error.message for error in OpenAPIV30SpecValidator(data).iter_errors()]


@pytest.fixture(scope="module")
def bundle_31() -> dict[str, Any]:
    """The bundled spec, as the build hands it to render_published."""
    return bundle(SPEC).data


@pytest.fixture(scope="module")
def rendered_30(bundle_31: dict[str, Any]) -> dict[str, Any]:
    return to_openapi_30(bundle_31)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param(
            {"type": ["string", "null"]}, {"type": "string", "nullable": True}, id="nullable-type"
        ),
        pytest.param(
            {"type": ["string", "integer"]},
            {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            id="type-list",
        ),
        pytest.param(
            {"type": ["string", "integer", "null"], "minLength": 1},
            {"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": True, "minLength": 1},
            id="nullable-type-list",
        ),
        pytest.param(
            {"type": ["string", "integer"], "anyOf": [{"minLength": 1}, {"minimum": 1}]},
            {
                "allOf": [{"anyOf": [{"type": "string"}, {"type": "integer"}]}],
                "anyOf": [{"minLength": 1}, {"minimum": 1}],
            },
            id="type-list-beside-anyOf",
        ),
        pytest.param({"type": "null"}, {"enum": [None], "nullable": True}, id="null-only"),
        pytest.param(
            {"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]},
            {"anyOf": [{"$ref": "#/components/schemas/T"}], "nullable": True},
            id="null-branch",
        ),
        pytest.param(
            {"type": "string", "examples": ["a", "b"]},
            {"type": "string", "example": "a"},
            id="examples-to-example",
        ),
        pytest.param(
            {"examples": ["a"], "example": "kept"}, {"example": "kept"}, id="example-wins"
        ),
        pytest.param({"type": "string", "examples": []}, {"type": "string"}, id="no-examples"),
        pytest.param({"const": "on"}, {"enum": ["on"]}, id="const"),
        pytest.param({"const": None}, {"enum": [None], "nullable": True}, id="const-null"),
        pytest.param(
            {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
            {
                "type": "number",
                "minimum": 0,
                "exclusiveMinimum": True,
                "maximum": 10,
                "exclusiveMaximum": True,
            },
            id="exclusive-bounds",
        ),
        pytest.param(
            {"minimum": 5, "exclusiveMinimum": 0, "maximum": 10, "exclusiveMaximum": 10},
            {"minimum": 5, "maximum": 10, "exclusiveMaximum": True},
            id="stricter-bound-kept",
        ),
        pytest.param(
            {"$ref": "#/components/schemas/T", "description": "d", "default": "x", "x-a": 1},
            {
                "allOf": [{"$ref": "#/components/schemas/T"}],
                "description": "d",
                "default": "x",
                "x-a": 1,
            },
            id="ref-siblings",
        ),
        pytest.param(
            {"$ref": "#/components/schemas/T", "type": ["object", "null"]},
            {"allOf": [{"$ref": "#/components/schemas/T"}], "type": "object", "nullable": True},
            id="nullable-ref",
        ),
        pytest.param(
            {"$ref": "#/components/schemas/T"}, {"$ref": "#/components/schemas/T"}, id="lone-ref"
        ),
        pytest.param(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": "urn:s",
                "$comment": "c",
                "$defs": {"D": {}},
                "type": "object",
                "unevaluatedProperties": False,
                "patternProperties": {"^a": {}},
                "propertyNames": {"maxLength": 3},
                "dependentRequired": {"a": ["b"]},
                "if": {},
                "then": {},
                "else": {},
                "x-kept": True,
            },
            {"type": "object", "x-kept": True},
            id="json-schema-only-keywords",
        ),
        pytest.param(
            {"type": "string", "contentEncoding": "base64", "contentMediaType": "image/png"},
            {"type": "string", "format": "byte"},
            id="base64",
        ),
        pytest.param(
            {"type": "string", "contentMediaType": "application/octet-stream"},
            {"type": "string", "format": "binary"},
            id="binary",
        ),
        pytest.param(
            {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "integer"}],
                "items": False,
                "maxItems": 5,
            },
            {
                "type": "array",
                "maxItems": 2,
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            id="closed-tuple",
        ),
        pytest.param(
            {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "null"}},
            {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"enum": [None], "nullable": True}]},
            },
            id="tuple-with-rest",
        ),
        pytest.param(
            {"type": "array", "prefixItems": [{"type": "string"}], "items": True},
            {"type": "array", "items": {}},
            id="open-tuple",
        ),
        pytest.param(
            {
                "type": "object",
                "required": [],
                "properties": {"a": True, "b": False},
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"a": {}, "b": {"not": {}}},
                "additionalProperties": False,
            },
            id="boolean-schemas",
        ),
        pytest.param(
            {
                "type": "object",
                "additionalProperties": {"type": ["integer", "null"]},
                "properties": {"l": {"type": "array", "items": {"const": 1}}},
                "allOf": [{"examples": [1]}],
                "not": {"const": 2},
            },
            {
                "type": "object",
                "additionalProperties": {"type": "integer", "nullable": True},
                "properties": {"l": {"type": "array", "items": {"enum": [1]}}},
                "allOf": [{"example": 1}],
                "not": {"enum": [2]},
            },
            id="nested",
        ),
    ],
)
def test_a_31_schema_becomes_its_30_form(schema: Any, expected: Any) -> None:
    converted = _schema_30(schema)
    assert converted == expected
    assert json.dumps(converted) == json.dumps(expected), "keys keep the author's order"
    assert (
        _30_errors(_doc(openapi="3.0.3", components={"schemas": {"S": converted, "T": {}}})) == []
    )


def test_a_31_document_becomes_a_valid_30_document() -> None:
    note = {"examples": ["an extension, left as it is"]}
    header = {"description": "h", "schema": {"type": ["string", "null"], "examples": ["x"]}}
    media = {
        "schema": {"$ref": "#/components/schemas/Thing", "description": "sibling"},
        "examples": {"One": {"$ref": "#/components/examples/One", "summary": "override"}},
    }
    item = {
        "summary": "a reusable path item",
        "get": {
            "operationId": "getThing",
            "parameters": [{"$ref": "#/components/parameters/Id", "description": "override"}],
            "responses": {
                "200": {"description": "ok", "headers": {"H": header}, "content": {"a/b": media}},
                "x-note": note,
            },
            "callbacks": {
                "done": {"{$request.body#/url}": {"$ref": "#/components/pathItems/Hook"}}
            },
        },
    }
    hook = {"post": {"responses": {"204": {"description": "seen"}}}}
    source = {
        "openapi": "3.1.1",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "t",
            "summary": "no place for it in 3.0",
            "version": "1",
            "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"},
        },
        "paths": {"/things/{id}": {"$ref": "#/components/pathItems/Things"}},
        "webhooks": {"thingChanged": {"$ref": "#/components/pathItems/Hook"}},
        "components": {
            "schemas": {"Thing": {"type": "object", "examples": [{}]}},
            "parameters": {
                "Id": {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "const": "a"},
                    "examples": {"A": {"value": "a"}},
                }
            },
            "examples": {"One": {"summary": "one", "value": {}}},
            "pathItems": {"Things": item, "Hook": hook},
        },
    }
    before = copy.deepcopy(source)
    converted = to_openapi_30(source)
    assert source == before, "the input is left as it was"
    assert _30_errors(converted) == []
    assert converted["openapi"] == "3.0.3"
    assert "jsonSchemaDialect" not in converted
    assert converted["info"] == {
        "title": "t",
        "version": "1",
        "license": {"name": "Apache 2.0", "url": "https://spdx.org/licenses/Apache-2.0.html"},
    }
    assert "pathItems" not in converted["components"]
    assert converted["x-webhooks"] == {"thingChanged": hook}
    get = converted["paths"]["/things/{id}"]["get"]
    assert converted["paths"]["/things/{id}"]["summary"] == "a reusable path item"
    assert get["parameters"] == [{"$ref": "#/components/parameters/Id"}]
    assert get["callbacks"]["done"] == {"{$request.body#/url}": hook}
    response = get["responses"]["200"]
    assert response["headers"]["H"]["schema"] == {
        "type": "string",
        "nullable": True,
        "example": "x",
    }
    assert response["content"]["a/b"] == {
        "schema": {"allOf": [{"$ref": "#/components/schemas/Thing"}], "description": "sibling"},
        "examples": {"One": {"$ref": "#/components/examples/One"}},
    }
    assert get["responses"]["x-note"] == note
    assert converted["components"]["schemas"]["Thing"] == {"type": "object", "example": {}}
    parameter = converted["components"]["parameters"]["Id"]
    assert parameter["schema"] == {"type": "string", "enum": ["a"]}
    assert parameter["examples"] == {"A": {"value": "a"}}, "Example Object maps are 3.0 too"
    # The same path item, inlined in three places, is written out three times, not aliased.
    assert "&id" not in to_yaml(converted)


def test_a_document_without_paths_gets_the_empty_paths_30_requires() -> None:
    source = _doc()
    del source["paths"]
    converted = to_openapi_30(source)
    assert converted["paths"] == {}
    assert _30_errors(converted) == []


def test_a_30_document_is_published_as_it_is() -> None:
    source = _doc(openapi="3.0.2", components={"schemas": {"S": {"exclusiveMinimum": True}}})
    assert to_openapi_30(source) == source


def test_the_rendering_is_deterministic(bundle_31: dict[str, Any]) -> None:
    first = render_published(bundle_31)
    assert first == render_published(copy.deepcopy(bundle_31))
    assert sorted(first) == ["openapi-3.0.yaml", "openapi.json", "openapi.yaml"]


def test_the_30_rendering_of_our_bundle_is_valid_openapi_30(rendered_30: dict[str, Any]) -> None:
    assert rendered_30["openapi"] == "3.0.3"
    assert _30_errors(rendered_30) == []


def test_the_30_rendering_of_a_foreign_spec_is_valid_openapi_30() -> None:
    converted = to_openapi_30(bundle(SPECS / "foreign" / "openapi.yaml").data)
    assert _30_errors(converted) == []


def test_every_example_of_the_30_rendering_matches_its_schema_by_30_rules(
    rendered_30: dict[str, Any],
) -> None:
    # OAS30Validator reads 3.0 schemas as 3.0 tools do: with nullable, on a JSON Schema draft 4
    # base. (scripts.validate reads every spec's examples with draft 2020-12 rules.)
    uri = "urn:ecs-tasks:openapi-3.0"
    registry: Registry[Any] = Registry().with_resource(uri, DRAFT4.create_resource(rendered_30))
    checked = 0
    problems: list[str] = []
    for schema_pointer, example_pointer, value in iter_examples(rendered_30):
        validator = OAS30Validator(
            {"$ref": f"{uri}#{quote(schema_pointer, safe='/~')}"}, registry=registry
        )
        problems += [
            f"{example_pointer}: {error.message}" for error in validator.iter_errors(value)
        ]
        checked += 1
    assert problems == []
    assert checked > 50  # every media type, parameter, header and schema example was seen


def test_the_pipeline_validates_the_30_rendering_without_problems(
    built_once: Path, tmp_path: Path
) -> None:
    copy_30 = tmp_path / "openapi-3.0.yaml"
    shutil.copyfile(built_once / "openapi-3.0.yaml", copy_30)
    assert [problem.format() for problem in validate(bundle(copy_30))] == []


def test_the_build_publishes_the_30_rendering(built_once: Path) -> None:
    published = built_once / "openapi-3.0.yaml"
    bundled = yaml.safe_load((built_once / "openapi.yaml").read_text())
    assert published.read_text() == to_yaml(to_openapi_30(bundled))


# --- client generators ------------------------------------------------------------------------

JAVA = shutil.which("java")
needs_java = pytest.mark.skipif(
    JAVA is None, reason="no Java runtime: openapi-generator runs on the JVM (.ci/run installs one)"
)
needs_node = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="Node.js (node, npm) is not installed: tsc runs on it (.ci/run installs it)",
)

#: openapi-generator warnings that are about the generator, not about the spec. Each one is
#: printed for any spec; test_the_allowed_warnings_come_from_the_generator shows it does.
GENERATOR_OWN_WARNINGS = {
    # Printed for every 3.1 document; the 3.0 rendering exists for such tools.
    "OpenAPI 3.1 support is still in beta.",
    # openapi-generator 7.26.0 looks up the name of a null $ref for any response with content,
    # even in a one-operation spec.
    "Failed to get the schema name: null",
}
#: Warnings about the spec that we accept, each with the reason.
ACCEPTED_SPEC_WARNINGS = {
    # TypeScript has a built-in `Error`, so typescript-fetch calls our schema ModelError. The
    # name is fine in OpenAPI and is the public model name of the Python client
    # (ecs_tasks.models.Error); renaming the schema would rename that too.
    "Error (model name matches existing language type) cannot be used as a model name. "
    "Renamed to ModelError",
}
PUBLISHED = ["openapi.yaml", "openapi-3.0.yaml"]


def _openapi_generator(generator: str, spec: Path, out: Path) -> list[str]:
    """Generate a client (validation on) and return the warnings and errors it printed."""
    jar = importlib.resources.files("openapi_generator_cli") / "openapi-generator.jar"
    done = subprocess.run(
        [
            str(JAVA),
            "-jar",
            str(jar),
            "generate",
            "-g",
            generator,
            "-i",
            str(spec),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return [line for line in output.splitlines() if " WARN " in line or " ERROR " in line]


def _compiles(folder: Path) -> bool:
    """Whether every Python file under ``folder`` compiles, warnings counting as errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return compileall.compile_dir(folder, quiet=1, legacy=True)


def _unexpected(printed: list[str], allowed: set[str]) -> list[str]:
    return [line for line in printed if not any(text in line for text in allowed)]


@needs_java
def test_the_allowed_warnings_come_from_the_generator(tmp_path: Path) -> None:
    tiny = _doc(
        paths={
            "/x": {
                "get": {
                    "operationId": "getX",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"type": "string"}}},
                        }
                    },
                }
            }
        }
    )
    spec = tmp_path / "tiny.yaml"
    spec.write_text(to_yaml(tiny))
    printed = _openapi_generator("python", spec, tmp_path / "out")
    for text in GENERATOR_OWN_WARNINGS:
        assert any(text in line for line in printed), text


@needs_java
@pytest.mark.parametrize("published", PUBLISHED)
def test_openapi_generator_python_client(published: str, built_once: Path, tmp_path: Path) -> None:
    out = tmp_path / "client"
    printed = _openapi_generator("python", built_once / published, out)
    assert _unexpected(printed, GENERATOR_OWN_WARNINGS) == []
    # Its setup.py is left out: the generator writes info.description into it with `\&quot;`
    # for each double quote, an invalid escape (a template bug, not the spec's).
    assert _compiles(out / "openapi_client")


@needs_java
@needs_node
@pytest.mark.parametrize("published", PUBLISHED)
def test_openapi_generator_typescript_client_compiles(
    published: str, built_once: Path, tmp_path: Path
) -> None:
    out = tmp_path / "client"
    printed = _openapi_generator("typescript-fetch", built_once / published, out)
    assert _unexpected(printed, GENERATOR_OWN_WARNINGS | ACCEPTED_SPEC_WARNINGS) == []
    tsconfig = {
        "compilerOptions": {
            "target": "es2022",
            "module": "esnext",
            "moduleResolution": "bundler",
            "lib": ["es2022", "dom"],  # the client uses the browser's (and Node's) fetch types
            "strict": True,
            "noEmit": True,
        },
        "include": ["**/*.ts"],
    }
    (out / "tsconfig.json").write_text(json.dumps(tsconfig))
    # TypeScript comes pinned from package-lock.json, installed the way `make lint-spec` does.
    ready = subprocess.run(
        ["make", "--no-print-directory", "node_modules/.ready"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert ready.returncode == 0, ready.stdout + ready.stderr
    tsc = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "tsc"), "-p", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr


@pytest.mark.parametrize("published", PUBLISHED)
def test_openapi_python_client(published: str, built_once: Path, tmp_path: Path) -> None:
    out = tmp_path / "client"
    # Its post-generation hooks run ruff, which it looks for on PATH.
    path = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(built_once / published),
            "--output-path",
            str(out),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={"PATH": path},
    )
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 0, output
    # It prints warnings (and what it skipped) to stdout; a clean run says only this line.
    assert output == f"Generating {out}"
    assert _compiles(out)
