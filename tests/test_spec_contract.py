"""The spec says what the source docs say, and every example survives the generated models."""

from __future__ import annotations

import json
import re
from enum import Enum
from pathlib import Path
from typing import Any

import docutils.core
import docutils.nodes
import pytest
from pydantic import BaseModel, TypeAdapter

from conftest import SOURCE_DOCS, SPEC
from ecs_tasks import models
from scripts.bundle import bundle
from scripts.pointers import split_pointer
from scripts.rst_page import DocsRoot
from scripts.validate import iter_examples

SOURCE_PAGE = SOURCE_DOCS / "responses_task.rst"
needs_source_docs = pytest.mark.skipif(
    not SOURCE_PAGE.is_file(),
    reason=f"the source page {SOURCE_PAGE} is not beside the project (../shared/ is absent)",
)
DATA = bundle(SPEC).data


def _component(pointer: str) -> tuple[str, list[str]]:
    """The component schema a schema pointer belongs to, and the path inside it."""
    tokens = split_pointer(pointer)
    node: Any = DATA
    for index, token in enumerate(tokens):
        node = node[int(token)] if isinstance(node, list) else node[token]
        ref = node.get("$ref") if isinstance(node, dict) else None
        if index == len(tokens) - 1 and isinstance(ref, str):
            return _component(ref[1:])
    if tokens[:2] == ["components", "schemas"]:
        return tokens[2], tokens[3:]
    return "", tokens


def _model_for(pointer: str) -> Any:
    """A pydantic type that models the schema at ``pointer``, or None where there is none."""
    name, inside = _component(pointer)
    model = getattr(models, name, None) if name else None
    if model is None:
        return None
    if not inside:
        return model
    if len(inside) == 2 and inside[0] == "properties" and issubclass(model, BaseModel):
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        return fields[inside[1]].annotation
    return None


EXAMPLES = list(iter_examples(DATA))


def test_there_are_examples_to_check() -> None:
    assert len(EXAMPLES) > 50


@pytest.mark.parametrize(("schema", "where", "value"), EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_every_example_round_trips_through_the_models(schema: str, where: str, value: Any) -> None:
    model = _model_for(schema)
    if model is None:
        # Parameter and header schemas are plain strings with no model; jsonschema checked them.
        assert split_pointer(schema)[:2] != ["components", "schemas"], schema
        assert "parameters" in where or "headers" in where, where
        return
    if isinstance(model, type) and issubclass(model, BaseModel):
        parsed = model.model_validate(value)
        assert parsed.model_dump(mode="json", by_alias=True, exclude_unset=True) == value
    elif isinstance(model, type) and issubclass(model, Enum):
        assert model(value).value == value
    else:
        adapter: TypeAdapter[Any] = TypeAdapter(model)
        dumped = adapter.dump_python(adapter.validate_python(value), mode="json", by_alias=True)
        assert dumped == value


def _code_blocks(page: Path) -> list[str]:
    settings = {"report_level": 5, "halt_level": 5}
    tree = docutils.core.publish_doctree(page.read_text(), settings_overrides=settings)
    return [block.astext() for block in tree.findall(docutils.nodes.literal_block)]


@needs_source_docs
def test_the_source_pages_normal_example_parses_as_task_response() -> None:
    normal = json.loads(_code_blocks(SOURCE_PAGE)[0])
    parsed = models.TaskResponse.model_validate(normal)
    assert parsed.job_id == "70a599e0-31e7-49b7-b260-868f441e862b"
    assert parsed.model_dump(mode="json", exclude_unset=True) == normal


@needs_source_docs
def test_the_source_pages_abnormal_example_is_the_documented_invalid_json() -> None:
    # D2: the page's abnormal example is not JSON; the spec carries a corrected one instead.
    with pytest.raises(json.JSONDecodeError):
        json.loads(_code_blocks(SOURCE_PAGE)[1])
    corrected = DATA["components"]["responses"]["BadRequest"]["content"]["application/json"]
    body = next(iter(corrected["examples"].values()))["value"]
    assert models.ErrorResponse.model_validate(body).error.code == "Ecs.0005"


API_REF = SOURCE_DOCS.parent / "ecs-api-ref"
DECISIONS = (SPEC.parent / "DECISIONS.md").read_text(encoding="utf-8")


def _nodes(node: Any, pointer: str = "") -> Any:
    """Every mapping of the bundled spec with its JSON pointer."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            yield from _nodes(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, f"{pointer}/{index}")


def _traces(node: dict[str, Any]) -> list[dict[str, Any]]:
    source = node.get("x-source", [])
    return source if isinstance(source, list) else [source]


def test_every_decision_the_spec_names_is_in_decisions_md_and_numbered_in_order() -> None:
    named = {d for _, node in _nodes(DATA) for d in node.get("x-decision", [])}
    headings = [int(n) for n in re.findall(r"^## D(\d+):", DECISIONS, re.M)]
    assert headings == list(range(1, len(headings) + 1))
    assert named <= {f"D{n}" for n in headings}
    assert {f"D{n}" for n in range(21, 35)} <= named  # issue 10's decisions are all in use


def test_every_operation_names_its_page() -> None:
    for path, item in DATA["paths"].items():
        for method, operation in item.items():
            traces = _traces(operation)
            assert traces, f"{method.upper()} {path} has no x-source"
            for trace in traces:
                assert trace["page"].endswith(".rst") and trace["topic"].startswith("en-us_topic_")


@pytest.mark.skipif(not API_REF.is_dir(), reason=f"{API_REF} is absent (../shared/ is not here)")
def test_every_trace_link_names_a_page_and_table_that_exist() -> None:
    docs = DocsRoot(API_REF)
    for pointer, node in _nodes(DATA):
        for trace in _traces(node):
            found = docs.find(trace["page"], trace["topic"])
            assert found is not None, f"{pointer}: no page {trace['page']}"
            page = docs.read(found)
            assert page.topic == trace["topic"], pointer
            if "table" in trace:
                assert page.table(trace["table"]) is not None, f"{pointer}: {trace['table']}"
