"""Compare the parameter tables of RST API reference pages with the spec's component schemas.

Each ``Parameter | Type | Description`` table (grid or simple, parsed by docutils) is matched to
the component schema whose properties cover its rows most closely; then every row is checked
for the property's presence, type (spelled the docs' way: String, Integer, Array of objects,
...), optionality ("This field is optional." or a Mandatory column) and description.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docutils.core
import docutils.nodes

from scripts.pointers import join_pointer, resolve
from scripts.problems import display_path

_OPTIONAL = "This field is optional."
_SCALAR_NAMES = {"string": "String", "integer": "Integer", "number": "Number", "boolean": "Boolean"}


@dataclass(frozen=True)
class Row:
    name: str
    type: str
    description: str
    optional: bool
    line: int


@dataclass(frozen=True)
class Table:
    path: Path
    title: str
    line: int
    rows: tuple[Row, ...]


def _cell_text(entry: docutils.nodes.Element) -> str:
    paragraphs = [" ".join(p.astext().split()) for p in entry.findall(docutils.nodes.paragraph)]
    return "\n\n".join(paragraphs) if paragraphs else " ".join(entry.astext().split())


def read_tables(path: Path) -> list[Table]:
    """The parameter tables of one RST page (tables without a Parameter column are skipped)."""
    source = path.read_text(encoding="utf-8")
    settings = {"report_level": 5, "halt_level": 5, "file_insertion_enabled": False}
    tree = docutils.core.publish_doctree(source, source_path=str(path), settings_overrides=settings)
    tables = []
    for table in tree.findall(docutils.nodes.table):
        grid = [
            list(row.findall(docutils.nodes.entry)) for row in table.findall(docutils.nodes.row)
        ]
        if not grid:
            continue
        header = [_cell_text(cell).lower() for cell in grid[0]]
        if "parameter" not in header or "type" not in header:
            continue
        column = {name: header.index(name) for name in header}
        title_node = table.next_node(docutils.nodes.title)
        title = title_node.astext() if title_node is not None else f"table on line {table.line}"
        rows = []
        for cells in grid[1:]:
            text = [_cell_text(cell) for cell in cells]
            description = text[column["description"]] if "description" in column else ""
            mandatory = text[column["mandatory"]].lower() if "mandatory" in column else ""
            optional = mandatory == "no" or _OPTIONAL in description
            line = next((p.line for p in cells[0].findall(docutils.nodes.paragraph) if p.line), 0)
            rows.append(
                Row(
                    name=text[column["parameter"]],
                    type=text[column["type"]],
                    description=description,
                    optional=optional,
                    line=line or table.line or 0,
                )
            )
        tables.append(Table(path=path, title=title, line=table.line or 0, rows=tuple(rows)))
    return tables


def _resolve(data: dict[str, Any], schema: Any) -> Any:
    """The schema behind a reference; {} where there is none, so lookups find nothing."""
    found = resolve(data, schema)
    return {} if found is None else found


def docs_type(data: dict[str, Any], schema: Any) -> str:
    """The type of ``schema`` spelled as the docs spell it."""
    schema = _resolve(data, schema)
    kinds = _kind(schema)
    if kinds == "array":
        # One level is enough to name it, and a recursive array (items: itself) has no end.
        item = _resolve(data, schema.get("items", {}))
        if _kind(item) == "array":
            return "Array of arrays"
        return f"Array of {docs_type(data, item).lower()}s"
    return _SCALAR_NAMES.get(str(kinds), "Object")


def _kind(schema: Any) -> str | None:
    """The JSON type a schema describes, as far as the docs tell types apart."""
    if not isinstance(schema, dict):
        return None
    kinds = schema.get("type")
    if isinstance(kinds, list):
        kinds = next((k for k in kinds if k != "null"), None)
    if kinds is None and ("properties" in schema or "oneOf" in schema or "anyOf" in schema):
        kinds = "object"
    if kinds is None and "enum" in schema:
        kinds = "string"
    return kinds if isinstance(kinds, str) else None


def _match(table: Table, schemas: dict[str, Any], data: dict[str, Any]) -> str | None:
    names = {row.name for row in table.rows}

    def score(item: tuple[str, Any]) -> tuple[int, int, int]:
        properties = (_resolve(data, item[1]) or {}).get("properties") or {}
        same_text = sum(
            1
            for row in table.rows
            if " ".join(str((properties.get(row.name) or {}).get("description", "")).split())
            == " ".join(row.description.split())
        )
        return (len(names & set(properties)), same_text, -len(set(properties) - names))

    best = max(schemas.items(), key=score, default=None)
    return best[0] if best is not None and score(best)[0] > 0 else None


def _normal(text: str) -> str:
    """Text as a reader sees it: paragraphs of single-spaced words, code quotes dropped
    (the spec writes Markdown `code`, the docs RST ``code``; both read the same)."""
    paragraphs = re.split(r"\n\s*\n", text.replace("`", "").strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def compare(tables: list[Table], data: dict[str, Any]) -> Iterator[str]:
    """One line per difference between the docs' tables and the spec."""
    schemas = (data.get("components") or {}).get("schemas") or {}
    for table in tables:
        where = f"{display_path(table.path)}:{table.line}"
        name = _match(table, schemas, data)
        if name is None:
            yield f"{where}: '{table.title}': no component schema has any of its parameters"
            continue
        schema = _resolve(data, schemas[name])
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        for row in table.rows:
            at = f"{display_path(table.path)}:{row.line}: '{table.title}' row '{row.name}'"
            pointer = "#" + join_pointer("/components/schemas", name, "properties", row.name)
            if row.name not in properties:
                yield f"{at}: schema {name} has no property '{row.name}'"
                continue
            prop = properties[row.name]
            spec_type = docs_type(data, prop)
            if spec_type != row.type:
                yield f"{at}: type is '{row.type}' in the docs, '{spec_type}' in {pointer}"
            if row.optional == (row.name in required):
                docs_says = "optional" if row.optional else "mandatory"
                spec_says = "required" if row.name in required else "optional"
                yield f"{at}: the docs say {docs_says}, {pointer} is {spec_says}"
            # A description beside a $ref describes this use; the target's is the fallback.
            description = str(prop.get("description", _resolve(data, prop).get("description", "")))
            documented = row.description
            if _OPTIONAL not in description:
                # Optionality is compared above; the sentence saying it is not description.
                documented = documented.replace(_OPTIONAL, "")
            if _normal(description) != _normal(documented):
                yield f"{at}: description differs from {pointer}"


def check_docs(docs: Path, data: dict[str, Any]) -> list[str]:
    """Every difference between the RST pages under ``docs`` (or one page) and the spec."""
    pages = sorted(docs.rglob("*.rst")) if docs.is_dir() else [docs]
    tables = [table for page in pages for table in read_tables(page)]
    return list(compare(tables, data))
