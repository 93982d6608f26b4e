"""The naming module: every generated Python name is safe, unique in its scope and stable.

Each case is one that broke a generated package (issue 11: "a package that does not import",
"the wrong request sent"): duplicate arguments, shadowed builtins and modules, two operations
sharing one module constant, a method replacing a client member.
"""

from __future__ import annotations

import builtins
import importlib
import keyword
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts import naming
from scripts.build import check_imports, check_syntax
from scripts.naming import OperationRef, argument_names, client_names, field_names, model_scope
from scripts.render_client import render_package


def _arguments(*pairs: tuple[str, str]) -> dict[tuple[str, str], str]:
    return {key: name.python for key, name in argument_names(list(pairs)).items()}


def test_parameters_that_would_repeat_an_argument_get_distinct_names() -> None:
    names = _arguments(("path", "jobId"), ("path", "job_id"), ("query", "job-id"))
    assert len(set(names.values())) == 3
    # The one already spelled as Python keeps its name, whatever the order.
    assert names[("path", "job_id")] == "job_id"
    assert names[("path", "jobId")] == "job_id_2"
    assert names[("query", "job-id")] == "job_id_3"


def test_names_that_differ_only_in_punctuation_are_told_apart() -> None:
    names = _arguments(("query", "StartTime"), ("query", "StartTime>"), ("query", "StartTime<"))
    assert names == {
        ("query", "StartTime"): "start_time",
        ("query", "StartTime>"): "start_time_2",
        ("query", "StartTime<"): "start_time_3",
    }


def test_the_same_name_in_two_locations_gives_two_arguments() -> None:
    names = _arguments(("path", "id"), ("query", "id"), ("header", "id"))
    assert names == {("path", "id"): "id", ("query", "id"): "id_2", ("header", "id"): "id_3"}


@pytest.mark.parametrize(
    "wire", ["self", "body", "timeout", "max_retries", "models", "httpx", "str", "list", "class"]
)
def test_arguments_never_take_what_a_method_body_needs(wire: str) -> None:
    name = argument_names([("query", wire)])[("query", wire)]
    assert name.python == wire + "_"
    assert name.renamed
    assert f"`{wire}`" in name.note("query parameter")


def test_common_names_that_no_method_body_calls_are_kept() -> None:
    assert _arguments(("path", "id"), ("query", "type")) == {
        ("path", "id"): "id",
        ("query", "type"): "type",
    }


def test_an_escaped_name_does_not_collide_with_a_parameter_of_that_spelling() -> None:
    names = _arguments(("query", "body"), ("query", "body_"))
    assert names == {("query", "body"): "body_", ("query", "body_"): "body_2"}


@pytest.mark.parametrize("wire", ["", "ÄÖÜ", "名前", "---", "123"])
def test_names_without_ascii_letters_still_become_identifiers(wire: str) -> None:
    python = argument_names([("query", wire)])[("query", wire)].python
    assert python.isidentifier() and python.isascii() and not keyword.iskeyword(python)


def test_operation_ids_that_differ_in_case_style_get_distinct_methods_and_constants() -> None:
    names = client_names(
        [],
        [
            OperationRef("/things", "get", "getThing"),
            OperationRef("/things/danger", "delete", "get_thing"),
        ],
    )
    get, delete = ("/things", "get"), ("/things/danger", "delete")
    assert names.methods[delete].python == "get_thing"
    assert names.methods[get].python == "get_thing_2"
    assert names.constants[get].python != names.constants[delete].python


def test_constants_stay_distinct_where_a_method_name_ends_in_an_underscore() -> None:
    # `get_thing_` (escaped) and `get_thing` once shared `_GET_THING` (stripped underscores).
    names = client_names(
        [], [OperationRef("/a", "get", "get_thing"), OperationRef("/b", "get", "getThing_")]
    )
    constants = [n.python for n in names.constants.values()]
    assert len(set(constants)) == 2


def test_an_operation_cannot_replace_a_client_member_or_the_waiter() -> None:
    operations = [
        OperationRef(f"/{i}", "get", op)
        for i, op in enumerate(["close", "waitForJob", "jobWaiter", "base_url", "timeout"])
    ]
    names = client_names([], operations)
    methods = {n.wire: n.python for n in names.methods.values()}
    assert methods["close"] == "close_"
    assert methods["waitForJob"] == "wait_for_job_"
    assert methods["base_url"] == "base_url_"
    assert methods["timeout"] == "timeout_"
    # The waiter's own constant is not taken by an operation called jobWaiter.
    constants = {n.wire: n.python for n in names.constants.values()}
    assert constants["jobWaiter"] != "_JOB_WAITER"


def test_client_parameters_and_credentials_share_the_client_namespace() -> None:
    names = client_names(
        ["token", "project_id", "timeout"],
        [OperationRef("/p", "get", "project_id")],
        schemes=["token"],
    )
    assert names.schemes["token"].python == "token"
    assert names.params["token"].python == "token_2"
    assert names.params["project_id"].python == "project_id"
    assert names.params["timeout"].python == "timeout_"
    assert names.methods[("/p", "get")].python == "project_id_2"


def test_a_client_parameter_named_token_does_not_repeat_the_token_argument() -> None:
    names = client_names(["token"], [])
    assert names.params["token"].python == "token_"


def test_operations_without_an_operation_id_get_a_stable_name_from_method_and_path() -> None:
    operations = [
        OperationRef("/things/{thingId}", "get", None),
        OperationRef("/things", "post", None),
        OperationRef("/things", "get", "getThingsByThingId"),
    ]
    names = client_names([], operations)
    assert names.methods[("/things/{thingId}", "get")].python == "get_things_by_thing_id"
    assert names.methods[("/things", "post")].python == "post_things"
    assert names.methods[("/things", "post")].wire == "POST /things"
    assert names.methods[("/things", "get")].python == "get_things_by_thing_id_2"
    # The same input gives the same names, every time.
    assert client_names([], operations) == names


def test_the_waiter_argument_avoids_the_waiters_own_arguments() -> None:
    for wire in ("timeout", "poll_interval", "on_progress", "self", "max_interval"):
        assert naming.waiter_argument_name(wire).python == wire + "_"
    assert naming.waiter_argument_name("jobId").python == "job_id"


def test_fields_avoid_pydantic_members_and_the_task_wait_method() -> None:
    wires = ["schema", "json", "copy", "dict", "model_config", "model_dump", "wait", "class"]
    names = {wire: name.python for wire, name in field_names(wires).items()}
    assert names == {
        "schema": "schema_",
        "json": "json_",
        "copy": "copy_",
        "dict": "dict_",
        "model_config": "field_model_config",
        "model_dump": "field_model_dump",
        "wait": "wait_",
        "class": "class_",
    }


def test_fields_are_snake_case_unique_and_never_private() -> None:
    names = {w: n.python for w, n in field_names(["jobId", "job_id", "_links", "links"]).items()}
    assert names == {"job_id": "job_id", "jobId": "job_id_2", "links": "links", "_links": "links_2"}
    assert all(not n.startswith("_") and n == n.lower() for n in names.values())


def test_fields_do_not_hide_the_types_their_annotations_use() -> None:
    names = {w: n.python for w, n in field_names(["str", "int", "id", "type"]).items()}
    assert names == {"str": "str_", "int": "int_", "id": "id", "type": "type"}


_WIRES = ["list pets response", "BaseModel", "Field"]


def test_model_names_are_capwords_and_avoid_what_models_py_imports() -> None:
    scope = model_scope(taken={"ListPetsResponse"})
    names = {n.wire: n.python for n in scope.claim_all(_WIRES, naming.pascal_case)}
    assert names == {
        "list pets response": "ListPetsResponse2",
        "BaseModel": "BaseModel2",
        "Field": "Field2",
    }


def test_builtins_listed_as_shadowable_are_real_builtins() -> None:
    # A guard on the one exception to the rule: it names builtins that exist.
    assert all(hasattr(builtins, n) for n in ("id", "type"))
    assert "str" in naming.BUILTINS and "id" not in naming.BUILTINS


def test_a_rename_is_visible_and_a_plain_conversion_is_not_a_rename() -> None:
    plain = argument_names([("path", "jobId")])[("path", "jobId")]
    assert plain.python == "job_id" and not plain.renamed and plain.note("path parameter") == ""
    renamed = argument_names([("path", "self")])[("path", "self")]
    assert renamed.note("path parameter") == (
        "`self_` is the path parameter `self` (renamed: `self` is reserved or already used)."
    )


# --- end to end: a waiter spec whose names collide everywhere --------------------------------


def _waiter_spec() -> dict[str, Any]:
    """A task API whose job query takes `{timeout}`, whose task answer has a field `wait` and
    nests the job id, and which has an operation called jobWaiter."""
    job = {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"type": "string"}, "self": {"type": "string"}},
    }
    task = {
        "type": "object",
        "properties": {
            "wait": {"type": "string"},
            "job": {"type": "object", "properties": {"id": {"type": "string"}}},
        },
    }
    ok = {"description": "ok"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "waiter", "version": "1"},
        "paths": {
            "/jobs/{timeout}": {
                "get": {
                    "operationId": "showJob",
                    "parameters": [
                        {
                            "name": "timeout",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {"200": {**ok, **_content("#/components/schemas/Job")}},
                    "x-waiter": {"status": "/status", "success": ["DONE"], "failure": ["FAILED"]},
                }
            },
            "/tasks": {
                "post": {
                    "operationId": "jobWaiter",
                    "responses": {
                        "202": {
                            **ok,
                            **_content("#/components/schemas/Task"),
                            "links": {
                                "job": {
                                    "operationId": "showJob",
                                    "parameters": {"timeout": "$response.body#/job/id"},
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {"schemas": {"Job": job, "Task": task}},
    }


_STRING = {"type": "string"}


def _content(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": ref}}}}


def test_a_waiter_spec_with_colliding_names_imports_and_waits_on_the_right_job(
    tmp_path: Path,
) -> None:
    files = render_package(_waiter_spec(), "waiter_pkg", "openapi.yaml", warnings=[])
    folder = tmp_path / "waiter_pkg"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    check_syntax(folder)
    check_imports(folder)
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("waiter_pkg")
    finally:
        sys.path.remove(str(tmp_path))
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            return httpx.Response(202, json={"wait": "w", "job": {"id": "j-1"}})
        return httpx.Response(200, json={"status": "DONE", "self": "s"})

    with package.Client(
        "http://api.test", http_client=httpx.Client(transport=httpx.MockTransport(handler))
    ) as client:
        task = client.job_waiter()
        assert task.wait_ == "w"  # the field, renamed; `wait` is still the method
        job = task.wait(timeout=5, poll_interval=0.01)
        again = client.wait_for_job("j-1", timeout=5, poll_interval=0.01)
    assert seen == ["POST /tasks", "GET /jobs/j-1", "GET /jobs/j-1"]
    assert job.status == "DONE" and job.self == "s" and again == job


def test_a_renamed_method_and_argument_say_so_in_their_docstrings(tmp_path: Path) -> None:
    parameter = {"name": "self", "in": "query", "schema": _STRING}
    ok = {"200": {"description": "ok"}}
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "renames", "version": "1"},
        "paths": {
            "/a": {"get": {"operationId": "get_thing", "responses": ok}},
            "/b": {"get": {"operationId": "getThing", "parameters": [parameter], "responses": ok}},
        },
    }
    files = render_package(spec, "renames_pkg", "openapi.yaml", warnings=[])
    folder = tmp_path / "renames_pkg"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("renames_pkg")
    finally:
        sys.path.remove(str(tmp_path))
    doc = " ".join(str(package.Client.get_thing_2.__doc__).split())
    assert "`get_thing_2` is the operation `getThing`" in doc
    assert "`self_` is the query parameter `self`" in doc
    assert "renamed" not in str(package.Client.get_thing.__doc__)


def test_names_that_start_with_a_digit_get_a_word_in_front_not_an_underscore() -> None:
    # A field starting with `_` would be a private attribute to pydantic, not a field.
    assert field_names(["0", "2fa"]) == {
        "0": naming.Name("0", "field_0", "field_0"),
        "2fa": naming.Name("2fa", "field_2fa", "field_2fa"),
    }
    assert _arguments(("query", "1st")) == {("query", "1st"): "param_1st"}
    assert model_scope().claim("200 response", naming.pascal_case("200 response")).python == (
        "Model200Response"
    )
