"""Property tests: random names, enums and descriptions never break generation.

For any spec drawn here, the pipeline either reports located problems (never crashes) or
renders a package whose every module compiles, whose class and field names are valid and
unique, and whose docstrings give back the spec's text exactly.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scripts.bundle import Bundle
from scripts.load_spec import Document
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
    problems = validate(_bundle(data))
    if problems:
        # A spec can be refused, e.g. for two properties that become one Python field, but
        # only with located problems, never with an exception.
        assert all(p.message and p.line >= 1 for p in problems)
        event("refused with located problems")
        return
    event("rendered")
    files = render_package(data, "drawn", "openapi.yaml")
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
