"""The models: classes named as the generator wrote them, inline bodies modelled, fields in
snake_case with the wire names as aliases, enums that print their value, descriptions kept at
run time."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from conftest import SPEC
from ecs_tasks import models as ecs_models
from scripts.render_models import hoist_inline_schemas, render_models

_loaded = itertools.count()


def _load(source: str, tmp_path: Path) -> ModuleType:
    """Import a rendered models.py under a name of its own."""
    name = f"rendered_models_{next(_loaded)}"
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _spec(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas},
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def test_a_component_the_generator_renames_is_found_under_its_new_name(tmp_path: Path) -> None:
    # An inline property `error` makes the generator name its own model Error first, so the
    # component Error becomes Error1; the client must use Error1 for the component.
    data = _spec(
        {
            "Error": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
            "Outcome": {
                "type": "object",
                "properties": {
                    "error": {"type": "object", "properties": {"reason": {"type": "integer"}}}
                },
            },
        }
    )
    models = render_models(data, "openapi.yaml")
    component = models.classes["/components/schemas/Error"]
    inline = models.classes["/components/schemas/Outcome/properties/error"]
    assert component != inline
    assert models.fields[component] == {"code": "code", "message": "message"}
    module = _load(models.source, tmp_path)
    error = getattr(module, component).model_validate({"code": "E1", "message": "m"})
    assert error.code == "E1" and error.message == "m"


def test_inline_request_and_response_schemas_get_models(tmp_path: Path) -> None:
    item = {"type": "object", "properties": {"petId": {"type": "integer"}}}
    body = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    operation = {
        "operationId": "listPets",
        "requestBody": _json(body),
        "responses": {"200": {"description": "ok", **_json({"type": "array", "items": item})}},
    }
    data = _spec({"Other": {"type": "string"}}, {"/pets": {"post": operation}})
    models = render_models(data, "openapi.yaml")
    where = "/paths/~1pets/post"
    request = models.classes[f"{where}/requestBody/content/application~1json/schema"]
    response = models.classes[f"{where}/responses/200/content/application~1json/schema"]
    items = models.classes[f"{where}/responses/200/content/application~1json/schema/items"]
    assert (request, response) == ("ListPetsRequest", "ListPetsResponse")
    module = _load(models.source, tmp_path)
    pets = getattr(module, response).model_validate([{"petId": 1}, {"petId": 2}])
    assert [pet.pet_id for pet in pets.root] == [1, 2]
    assert isinstance(pets.root[0], getattr(module, items))
    assert getattr(module, request)(name="x").model_dump() == {"name": "x"}
    # The spec itself is left as it was.
    assert data["paths"]["/pets"]["post"]["requestBody"]["content"]["application/json"] == {
        "schema": body
    }


def test_hoisted_names_do_not_take_a_component_name() -> None:
    thing = {"type": "object", "properties": {"a": {"type": "string"}}}
    operation = {
        "operationId": "getThing",
        "responses": {"200": {"description": "ok", **_json(thing)}},
    }
    data = _spec({"GetThingResponse": {"type": "string"}}, {"/t": {"get": operation}})
    document, moved = hoist_inline_schemas(data)
    assert moved == {
        "/paths/~1t/get/responses/200/content/application~1json/schema": (
            "/components/schemas/GetThingResponse2"
        )
    }
    assert document["components"]["schemas"]["GetThingResponse"] == {"type": "string"}


def test_a_bare_object_is_left_a_mapping_not_an_empty_model() -> None:
    # A model without fields would drop every key it is given; a dict keeps them.
    bare = {"type": "object", "additionalProperties": {"type": "integer"}}
    operation = {
        "operationId": "getCounts",
        "responses": {"200": {"description": "ok", **_json(bare)}},
    }
    _, moved = hoist_inline_schemas(_spec({}, {"/counts": {"get": operation}}))
    assert moved == {}


def test_fields_are_snake_case_with_the_wire_names_as_aliases(tmp_path: Path) -> None:
    properties = {
        name: {"type": "string"}
        for name in ("jobId", "job_id", "StartTime", "StartTime>", "schema", "wait", "class")
    }
    models = render_models(_spec({"Thing": {"type": "object", "properties": properties}}), "x")
    fields = models.fields["Thing"]
    assert fields == {
        "job_id": "job_id",
        "jobId": "job_id_2",
        "StartTime": "start_time",
        "StartTime>": "start_time_2",
        "schema": "schema_",
        "wait": "wait_",
        "class": "class_",
    }
    thing = _load(models.source, tmp_path).Thing
    wire = {name: f"value of {name}" for name in properties}
    parsed = thing.model_validate(wire)
    assert parsed.model_dump(by_alias=True) == wire
    assert parsed.job_id_2 == "value of jobId" and parsed.start_time_2 == "value of StartTime>"
    # Built from Python names too, as a caller would.
    assert thing(job_id_2="x").model_dump(by_alias=True, exclude_none=True) == {"jobId": "x"}


def test_enum_members_print_their_value() -> None:
    status = ecs_models.JobStatus.SUCCESS
    assert str(status) == "SUCCESS"
    assert f"{status}" == "SUCCESS"
    assert status == "SUCCESS"


def test_field_descriptions_are_there_at_run_time() -> None:
    job = yaml.safe_load((SPEC.parent / "schemas" / "Job.yaml").read_text())
    expected = " ".join(job["properties"]["status"]["description"].split())
    assert " ".join(str(ecs_models.Job.model_fields["status"].description).split()) == expected
    schema = ecs_models.Job.model_json_schema()
    assert " ".join(schema["properties"]["status"]["description"].split()) == expected


@pytest.mark.parametrize("wire", ["email", "idn-email", "ulid"])
def test_formats_needing_other_packages_stay_strings(wire: str, tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"v": {"type": "string", "format": wire}}}
    models = render_models(_spec({"Thing": schema}), "x")
    assert "import" not in "".join(
        line for line in models.source.splitlines() if "ulid" in line or "Email" in line
    )
    assert _load(models.source, tmp_path).Thing(v="a@b").v == "a@b"


def test_read_only_and_write_only_properties_are_never_required(tmp_path: Path) -> None:
    # A readOnly property is required in answers only, a writeOnly one in requests only, and
    # one model serves both: neither may be demanded.
    schemas = {
        "Id": {"type": "string", "readOnly": True},
        "Order": {
            "type": "object",
            "required": ["id", "secret", "item"],
            "properties": {
                "id": {"$ref": "#/components/schemas/Id"},
                "secret": {"type": "string", "writeOnly": True},
                "item": {"type": "string"},
            },
        },
    }
    data = _spec(schemas)
    order = _load(render_models(data, "x").source, tmp_path).Order
    assert order.model_validate({"id": "1", "item": "x"}).secret is None  # an answer
    assert order.model_validate({"secret": "s", "item": "x"}).id is None  # a request
    with pytest.raises(ValueError, match="item"):
        order.model_validate({"id": "1"})
    assert data["components"]["schemas"]["Order"]["required"] == ["id", "secret", "item"]


def test_a_huge_enum_becomes_a_literal_type(tmp_path: Path) -> None:
    # The generator names Enum members in quadratic time; 100,000 values as a Literal build at
    # the speed of any other schema (benchmarks measure it; here: the shape, and that it works).
    values = [f"v{i}" for i in range(100_000)]
    small = {"type": "string", "enum": ["a", "b"]}
    data = _spec({"Huge": {"type": "string", "enum": values}, "Small": small})
    models = render_models(data, "x")
    module = _load(models.source, tmp_path)
    assert module.Huge.model_validate("v99999").root == "v99999"
    with pytest.raises(ValueError, match="Huge"):
        module.Huge.model_validate("v100000")
    assert str(module.Small("a")) == "a"  # small enums stay Enum classes
    assert "x-enum-field-as-literal" not in data["components"]["schemas"]["Huge"]


def test_answers_keep_fields_the_spec_does_not_list_unless_it_forbids_them(
    tmp_path: Path,
) -> None:
    open_ = {"type": "object", "properties": {"a": {"type": "string"}}}
    closed = {**open_, "additionalProperties": False}
    module = _load(render_models(_spec({"Open": open_, "Closed": closed}), "x").source, tmp_path)
    assert module.Open.model_validate({"a": "1", "new": 2}).model_extra == {"new": 2}
    with pytest.raises(ValueError, match="new"):
        module.Closed.model_validate({"a": "1", "new": 2})
