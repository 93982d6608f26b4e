"""Every example block of every page the spec traces (x-source) goes through the generated models.

A request example must be a request of the operation traced to its page (same method, a target
that fits the operation's path), and its body must validate through the operation's request
model and serialise back to the same JSON. A response example must parse into the model of the
operation's 2xx answer (or ErrorResponse for an error body) and serialise back to the same JSON.
Examples that are not JSON are docs problems: each must be one the decisions name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel

from conftest import ROOT, SPEC
from ecs_tasks import models
from ecs_tasks._base_client import encode_body
from scripts.bundle import bundle
from scripts.rst_page import DocsRoot, Example

API_REF = ROOT.parent / "shared" / "ecs-api-ref"
DATA = bundle(SPEC).data
DECISIONS = (SPEC.parent / "DECISIONS.md").read_text(encoding="utf-8")

# The examples that are not JSON, and the decision that replaces each with a valid one.
INVALID_JSON = {"common_parameters/job_request_results/responses_jobs.rst": "D2"}

needs_api_ref = pytest.mark.skipif(
    not API_REF.is_dir(),
    reason=f"the ECS API reference {API_REF} is not beside the project (../shared/ is absent)",
)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    node: dict[str, Any]


def _sources(node: dict[str, Any]) -> list[dict[str, Any]]:
    source = node.get("x-source")
    if source is None:
        return []
    return source if isinstance(source, list) else [source]


def _traced_pages() -> dict[str, list[Operation]]:
    """Each page the spec names in an x-source, with the operations traced to it (none for a
    page only schemas come from)."""
    pages: dict[str, list[Operation]] = {}
    for path, item in DATA["paths"].items():
        for method, node in item.items():
            if not isinstance(node, dict) or "operationId" not in node:
                continue
            operation = Operation(node["operationId"], method.upper(), path, node)
            for source in _sources(node):
                pages.setdefault(source["page"], []).append(operation)
    for schema in DATA["components"]["schemas"].values():
        for source in _sources(schema):
            pages.setdefault(source["page"], [])
    return pages


PAGES = _traced_pages()


def _cases() -> Iterator[Any]:
    if not API_REF.is_dir():
        return
    docs = DocsRoot(API_REF)
    for page, operations in sorted(PAGES.items()):
        found = docs.find(page)
        if found is None:
            yield pytest.param(page, None, operations, id=f"{page}:missing")
            continue
        for example in docs.read(found).examples:
            yield pytest.param(page, example, operations, id=f"{page}:{example.line}")


CASES = list(_cases())


def _model(schema: dict[str, Any]) -> type[BaseModel]:
    name = schema["$ref"].rsplit("/", 1)[1]
    model: type[BaseModel] = getattr(models, name)
    return model


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = DATA["components"][kind][name]
    return node


def _success_model(operation: Operation) -> type[BaseModel]:
    for status, response in sorted(operation.node["responses"].items()):
        if status.startswith("2"):
            return _model(_resolve(response)["content"]["application/json"]["schema"])
    raise AssertionError(f"{operation.operation_id} has no 2xx response")


def _fits(target: str, path: str) -> bool:
    """Whether a request line's target (``https://{endpoint}/v1/...``) is the operation's path."""
    target_path = re.sub(r"^https?://[^/]+", "", target).split("?", 1)[0]
    pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path))
    return re.fullmatch(pattern, target_path) is not None


def _round_trip(model: type[BaseModel], body: Any) -> None:
    """An answer parses into its model and serialises back to the same JSON."""
    parsed = model.model_validate(body)
    assert parsed.model_dump(mode="json", by_alias=True, exclude_unset=True) == body


def _request_round_trip(model: type[BaseModel], body: Any) -> None:
    """A request goes through the client's own strict validation and is sent as written."""
    assert json.loads(encode_body(model, body)) == body


@needs_api_ref
def test_the_spec_traces_pages_with_examples() -> None:
    assert sum(1 for case in CASES if case.values[1] is not None) >= 20
    assert {o.operation_id for ops in PAGES.values() for o in ops} >= {
        "CreateServers",
        "ResizeServer",
        "DetachServerVolume",
        "ShowJob",
    }


@needs_api_ref
@pytest.mark.parametrize(("page", "example", "operations"), CASES)
def test_each_docs_example_goes_through_the_generated_models(
    page: str, example: Example | None, operations: list[Operation]
) -> None:
    assert example is not None, f"{page}: traced by the spec but not in {API_REF}"
    where = f"{page}:{example.line}"
    if example.error is not None:
        decision = INVALID_JSON.get(page)
        assert decision is not None, f"{where}: example is not JSON ({example.error})"
        assert f"## {decision}:" in DECISIONS
        return
    if example.kind == "request":
        candidates = [o for o in operations if o.method == example.method]
        assert candidates, f"{where}: no {example.method} operation is traced to this page"
        assert example.target is not None
        operation = next((o for o in candidates if _fits(example.target, o.path)), None)
        assert operation is not None, f"{where}: {example.target} fits no traced operation"
        body = operation.node.get("requestBody")
        if not example.has_body:
            assert body is None or not body.get("required"), f"{where}: the body is missing"
            return
        assert body is not None, f"{where}: {operation.operation_id} takes no body"
        _request_round_trip(_model(body["content"]["application/json"]["schema"]), example.body)
        return
    if isinstance(example.body, dict) and "error" in example.body:
        _round_trip(models.ErrorResponse, example.body)
        return
    if operations:
        for operation in operations:
            _round_trip(_success_model(operation), example.body)
    else:  # a shared page (Responses (Jobs)): its normal example is the task response
        _round_trip(models.TaskResponse, example.body)


@needs_api_ref
def test_a_request_example_that_breaks_the_model_fails() -> None:
    # The request round trip is strict: a body that drops a required field, changes a type
    # or adds a key the spec does not describe fails, as the client refuses to send it.
    with pytest.raises(ValueError):
        _request_round_trip(models.ResizeServerRequest, {"resize": {}})
    with pytest.raises(ValueError):
        _request_round_trip(models.ResizeServerRequest, {"resize": {"flavorRef": 1}})
    with pytest.raises(ValueError):
        _request_round_trip(models.ResizeServerRequest, {"resize": {"flavorRef": "x"}, "x": 1})
