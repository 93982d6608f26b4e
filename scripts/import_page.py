"""Draft an OpenAPI 3.1 document for one operation page of an RST API reference (`make import`).

The draft is where a new operation starts: method and path from the URI section; path and
query parameters from the URI table; the request body and the first answer from the Request
and Response tables, each nested table (reached through a ``:ref:`` link or by its
"**xxx** field description" title, on this page or another page of the docs root) a component
schema; examples from the example blocks. Every node carries ``x-source`` (page, table, row),
the trace link ``make conformance`` follows. What the page does not let it read (an example
that is not JSON or does not fit the tables, a table it cannot parse, a ``:ref:`` to a page it
was not given) is a located warning, ``FILE:LINE: warning: ...``; the draft passes
``make validate``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from scripts.problems import display_path
from scripts.rst_page import DocsProblem, DocsRoot, Page, Row, Table, row_keywords

#: The answer a drafted operation declares; pages send readers to a general returned-values
#: page rather than naming one, and 200 is what that page lists first.
SUCCESS_STATUS = "200"


@dataclass
class Draft:
    """A drafted document, the file it should be written to, and what could not be read."""

    document: dict[str, Any]
    name: str
    warnings: list[DocsProblem] = field(default_factory=list)


def docs_root_of(page: Path) -> Path:
    """The docs root a page belongs to: the highest folder above it that, like every folder
    of these references, has an index.rst (the page's own folder when none has)."""
    root = page.parent
    while (root.parent / "index.rst").is_file() and root.parent != root:
        root = root.parent
    return root


def camel(text: str) -> str:
    """``sub_jobs.entities`` -> ``SubJobsEntities``; ``os-stop`` -> ``OsStop``."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    name = "".join(word[:1].upper() + word[1:] for word in words)
    return name if name[:1].isalpha() else "Schema" + name


def operation_id(title: str) -> str:
    """An operationId from the page title ("Detaching an EVS Disk from an ECS" ->
    ``DetachingAnEvsDiskFromAnEcs``), to be renamed by whoever adopts the draft."""
    return camel(" ".join(word.capitalize() for word in re.findall(r"[A-Za-z0-9]+", title)))


class _Importer:
    def __init__(self, root: DocsRoot, page: Page) -> None:
        self.root = root
        self.page = page
        self.warnings: list[DocsProblem] = list(page.problems)
        self.schemas: dict[str, dict[str, Any]] = {}
        self.by_table: dict[tuple[Path, int], str] = {}

    def warn(self, path: Path, line: int, message: str) -> None:
        self.warnings.append(DocsProblem(path, line, message))

    def source(self, page: Page, table: Table | None = None, row: Row | None = None) -> Any:
        trace: dict[str, Any] = {"page": self.root.relative(page.path)}
        if page.topic:
            trace["topic"] = page.topic
        if table is not None:
            trace["table"] = table.title
        if row is not None:
            trace["row"] = row.name
        return trace

    # --- tables to schemas -------------------------------------------------------------------

    def nested_table(self, page: Page, row: Row) -> tuple[Page, Table] | None:
        found, unresolved = self.root.nested(page, row)
        for ref in unresolved:
            self.warn(
                page.path,
                ref.line,
                f"row '{row.name}' links to '{ref.label}', which no page under "
                f"{display_path(self.root.root)} has; the field is drafted without its table",
            )
        return found

    def schema_for(self, page: Page, table: Table, name: str) -> str:
        """The component schema of a table (made once, however often it is reached)."""
        key = (page.path, table.line)
        if key in self.by_table:
            return self.by_table[key]
        unique, number = name, 2
        while unique in self.schemas:
            unique, number = f"{name}{number}", number + 1
        self.by_table[key] = unique
        schema: dict[str, Any] = {"type": "object", "x-source": self.source(page, table)}
        self.schemas[unique] = schema
        properties: dict[str, Any] = {}
        required = []
        for row in table.rows:
            if not row.name or row.name in properties:
                self.warn(page.path, row.line, f"row '{row.name}' repeats or has no name; skipped")
                continue
            properties[row.name] = self.property_for(page, table, row)
            if row.mandatory:
                required.append(row.name)
        schema["properties"] = properties
        if required:
            schema["required"] = required
        return unique

    def property_for(self, page: Page, table: Table, row: Row) -> dict[str, Any]:
        keywords = row_keywords(row)
        if row.type is not None and "type" not in keywords:
            self.warn(
                page.path,
                row.line,
                f"row '{row.name}': type '{row.type}' is not a docs type this importer knows; "
                "drafted without a type",
            )
        if keywords.get("type") == "object" or keywords.get("items", {}).get("type") == "object":
            nested = self.nested_table(page, row)
            if nested is not None:
                target = {
                    "$ref": "#/components/schemas/" + self.schema_for(*nested, camel(row.name))
                }
                if keywords["type"] == "array":
                    keywords["items"] = target
                elif "additionalProperties" in keywords:
                    keywords["additionalProperties"] = target
                else:
                    keywords = {key: value for key, value in keywords.items() if key != "type"}
                    keywords = {"$ref": target["$ref"], **keywords}
        description = row.description.definition
        if description:
            keywords["description"] = description
        keywords["x-source"] = self.source(page, table, row)
        return keywords

    # --- the operation ---------------------------------------------------------------------

    def parameters(self, path: str) -> list[dict[str, Any]]:
        # A URI may show its query too ("/detail?flavor={flavor}"): those are query parameters.
        base, _, query = path.partition("?")
        in_path = list(dict.fromkeys(re.findall(r"{([^{}]+)}", base)))  # once each
        rows = {row.name: (table, row) for table in self.page.uri_tables() for row in table.rows}
        where = self.page.endpoint.line if self.page.endpoint else 1
        parameters = []
        for name in in_path:
            table, row = rows.get(name, (None, None))
            if row is None:
                self.warn(self.page.path, where, f"path parameter '{name}' is in no URI table")
            parameters.append(self.parameter(name, "path", row, table))
        for name in re.findall(r"{([^{}]+)}", query):
            if name not in rows:
                self.warn(self.page.path, where, f"query parameter '{name}' is in no URI table")
                parameters.append(self.parameter(name, "query", None, None))
        for name, (table, row) in rows.items():
            if name not in in_path:
                parameters.append(self.parameter(name, "query", row, table))
        return parameters

    def parameter(
        self, name: str, where: str, row: Row | None, table: Table | None
    ) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        parameter: dict[str, Any] = {"name": name, "in": where}
        if row is not None:
            keywords = row_keywords(row)
            schema = {key: value for key, value in keywords.items() if key != "description"}
            schema.setdefault("type", "string")
            if row.description.definition:
                parameter["description"] = row.description.definition
        parameter["required"] = True if where == "path" else bool(row and row.mandatory)
        parameter["schema"] = schema
        if table is not None:
            parameter["x-source"] = self.source(self.page, table, row)
        return parameter

    def examples(self, kind: str, schema: dict[str, Any] | None) -> dict[str, Any]:
        """The page's example bodies of one kind that fit the drafted schema."""
        found: dict[str, Any] = {}
        components = {"components": {"schemas": self.schemas}}
        for example in self.page.examples:
            if example.kind != kind or not example.has_body or example.error:
                continue  # an invalid one is already a warning from the page reader
            if schema is None:
                self.warn(
                    self.page.path,
                    example.body_line,
                    f"{kind} example has a body, but the page has no {kind} table; left out",
                )
                continue
            validator = Draft202012Validator({**schema, **components})
            error = best_match(validator.iter_errors(example.body))
            if error is not None:
                at = "/" + "/".join(str(part) for part in error.absolute_path)
                self.warn(
                    self.page.path,
                    example.body_line,
                    f"{kind} example does not fit the tables at {at}: {error.message[:200]}; "
                    "left out",
                )
                continue
            declared = self.schemas[schema["$ref"].rsplit("/", 1)[1]].get("properties", {})
            if (
                isinstance(example.body, dict)
                and declared
                and not set(example.body) & set(declared)
            ):
                # Fits only because nothing is required: an answer of another kind (an error
                # body shown after "Or"), not an example of this table.
                self.warn(
                    self.page.path,
                    example.body_line,
                    f"{kind} example has none of the table's fields; left out",
                )
                continue
            name = f"{kind.capitalize()}{len(found) + 1}"
            found[name] = {
                "value": example.body,
                "x-source": {**self.source(self.page), "line": example.line},
            }
        return found

    def draft(self) -> Draft:
        page = self.page
        endpoint = page.endpoint
        assert endpoint is not None  # checked by import_page
        path = endpoint.path.split("?", 1)[0]
        # A brace that opens or closes no {name} (a typo on the page) would make the path
        # template invalid; it is dropped, and said so.
        well_formed = "".join(
            part if re.fullmatch(r"{[^{}/]+}", part) else part.replace("{", "").replace("}", "")
            for part in re.split(r"({[^{}/]+})", path)
        )
        if well_formed != path:
            self.warn(
                page.path,
                endpoint.line,
                f"the URI {path} has a stray brace; drafted as {well_formed}",
            )
            path = well_formed
        op_id = operation_id(page.title or page.path.stem)
        operation: dict[str, Any] = {"operationId": op_id, "summary": page.title or op_id}
        parameters = self.parameters(endpoint.path)
        if parameters:
            operation["parameters"] = parameters
        request = page.body_table("request")
        if request is not None:
            ref = {
                "$ref": "#/components/schemas/" + self.schema_for(page, request, op_id + "Request")
            }
            content: dict[str, Any] = {"schema": ref}
            examples = self.examples("request", ref)
            if examples:
                content["examples"] = examples
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": content},
            }
        response = page.body_table("response")
        answer: dict[str, Any] = {"description": f"{page.title or op_id}: the answer."}
        if response is not None:
            ref = {
                "$ref": "#/components/schemas/"
                + self.schema_for(page, response, op_id + "Response")
            }
            content = {"schema": ref}
            examples = self.examples("response", ref)
            if examples:
                content["examples"] = examples
            answer["content"] = {"application/json": content}
        else:
            self.examples("response", None)
        operation["responses"] = {SUCCESS_STATUS: answer}
        operation["x-source"] = self.source(page)
        document: dict[str, Any] = {
            "openapi": "3.1.0",
            "info": {
                "title": f"Draft: {page.title or op_id}",
                "version": "0.0.0",
                "description": f"Drafted by `make import` from {self.root.relative(page.path)}.",
            },
            "paths": {path: {endpoint.method.lower(): operation}},
        }
        if self.schemas:
            document["components"] = {"schemas": self.schemas}
        warnings = sorted(set(self.warnings), key=lambda w: (str(w.path), w.line, w.message))
        return Draft(document=document, name=page.path.stem, warnings=warnings)


def import_page(page_path: Path, docs: Path | None = None) -> Draft:
    """Draft the document for one page (``docs``: the root its ``:ref:`` links resolve in).

    Raises ``ValueError`` (with a located message) when the page names no method and path."""
    root = DocsRoot(docs if docs is not None else docs_root_of(page_path))
    page = root.read(page_path)
    if page.endpoint is None:
        raise ValueError(
            DocsProblem(
                page_path,
                1,
                "no request line (METHOD /path) in a URI section; this is not an operation page",
            ).format("error")
        )
    return _Importer(root, page).draft()


class _Dumper(yaml.SafeDumper):
    """YAML as people write it: block literals for text of several lines."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not any(c in value for c in "\t\r") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def render(draft: Draft) -> str:
    """The draft as YAML."""
    return yaml.dump(draft.document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
