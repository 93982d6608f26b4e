"""Compare the spec with the RST reference pages it traces (`make conformance`).

Nothing is matched by guessing: the spec names its sources. An operation's
``x-source: {page, topic}`` names its page; there the URI table is compared with the
operation's parameters, the Request table with its request body, the Response table with its
first 2xx answer, following each row's nested table (``:ref:`` link or "**xxx** field
description" title, on any page) into the schema the property leads to; the status codes the
page lists (itself or on the returned-values page it links to) with the declared responses; its
example blocks are validated against those schemas. A component schema's
``x-source: {page, topic, table}`` names a table to compare it with directly.

A table row and a property are compared both ways: missing and extra properties, type,
required (only where the table has a Mandatory column), enum, default and bounds (from the
Definition / Constraints / Range / Default Value blocks), and description (the spec's must
start with the docs' Definition text). A difference on a node with ``x-decision: [Dn]`` is
accepted and printed as such: the property (a row's differences, a property no row has), the
parameter, the response (a status code the page does not list), the operation (a listed status
code it lacks, its examples, its method and path, a table of its page no schema is compared
with). A docs row the spec lacks is never accepted. An example that is not JSON is a docs
problem. A traced page is
found by its path under the docs root, or else by its topic id, so an older copy of a page
under another file name is still compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from scripts.bundle import Bundle
from scripts.pointers import join_pointer, lookup, resolve
from scripts.problems import display_path
from scripts.rst_page import DocsRoot, Example, Page, Row, Table, row_keywords, type_keywords
from scripts.validate import iter_operations

_BOUNDS = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems")
_MAX_QUOTE = 70


@dataclass(frozen=True)
class Finding:
    """One difference between a page and the spec (or a problem of the page itself)."""

    path: Path
    line: int
    message: str
    pointer: str = ""
    accepted: tuple[str, ...] = ()
    docs_problem: bool = False

    @property
    def fails(self) -> bool:
        return not self.accepted and not self.docs_problem

    def format(self) -> str:
        """``FILE:LINE: [accepted (Dn): | docs problem: ]message [#pointer]``."""
        where = f"{display_path(self.path)}:{self.line}: "
        if self.docs_problem:
            where += "docs problem: "
        elif self.accepted:
            where += f"accepted ({', '.join(self.accepted)}): "
        return where + self.message + (f" [#{self.pointer}]" if self.pointer else "")


@dataclass
class Report:
    """Everything one run found, and what it covered."""

    findings: list[Finding] = field(default_factory=list)
    pages: set[Path] = field(default_factory=set)
    tables: int = 0
    rows: int = 0
    examples: int = 0
    missing_pages: list[str] = field(default_factory=list)
    operation_pages: int = 0
    #: The pages operations trace, and those the docs have that no operation traces.
    operation_files: set[Path] = field(default_factory=set)
    undescribed: list[Path] = field(default_factory=list)

    @property
    def failures(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.fails]

    def lines(self) -> list[str]:
        ordered = sorted(self.findings, key=lambda f: (str(f.path), f.line, f.message))
        return [finding.format() for finding in ordered]

    def summary(self) -> str:
        accepted: dict[str, int] = {}
        for finding in self.findings:
            for decision in finding.accepted:
                accepted[decision] = accepted.get(decision, 0) + 1
        by_decision = ", ".join(
            f"{name} x{count}" for name, count in sorted(accepted.items(), key=_decision_order)
        )
        parts = [
            f"compared {len(self.pages)} traced page(s): {self.tables} table(s), "
            f"{self.rows} row(s), {self.examples} example(s)",
            f"{len(self.failures)} difference(s)",
            f"{sum(1 for f in self.findings if f.accepted)} accepted"
            + (f" ({by_decision})" if by_decision else ""),
            f"{sum(1 for f in self.findings if f.docs_problem)} docs problem(s)",
        ]
        text = "; ".join(parts)
        if self.operation_pages:
            text += (
                f"\nthe spec does not describe {len(self.undescribed)} of the "
                f"{self.operation_pages} operation pages in the docs"
            )
        if self.missing_pages:
            text += (
                f"\n{len(self.missing_pages)} traced page(s) are not in the docs folder "
                f"(neither by path nor by topic id): {', '.join(sorted(self.missing_pages))}"
            )
        return text


def _decision_order(item: tuple[str, int]) -> tuple[int, str]:
    digits = re.sub(r"\D", "", item[0])
    return (int(digits) if digits else 0, item[0])


def _traces(value: Any) -> list[dict[str, Any]]:
    """The trace links of an ``x-source`` (one mapping or a list of them)."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def _decisions(node: Any) -> tuple[str, ...]:
    found = node.get("x-decision") if isinstance(node, dict) else None
    return tuple(str(item) for item in found) if isinstance(found, list) else ()


def normal_text(text: str) -> str:
    """Text as a reader compares it: emphasis, code quotes, bullets and links reduced to
    words, all whitespace single spaces (the spec writes Markdown, the docs RST)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(?<!\S)[-*](?=\s)", "", text)  # bullets, wherever a line break went
    text = text.replace("**", "").replace("`", "")
    return " ".join(text.split())


def _quote(text: str) -> str:
    return repr(text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 3] + "...")


def _kind(schema: Any, data: Any = None) -> str:
    """A schema's shape in words: string, integer, array of object, map of string, ...
    (``data``: the document its references resolve in)."""
    if data is not None and isinstance(schema, dict) and "$ref" in schema:
        target = resolve(data, schema)
        schema = {**target, **schema} if isinstance(target, dict) else schema
    if not isinstance(schema, dict):
        return "any"
    kinds = schema.get("type")
    if isinstance(kinds, list):
        kinds = next((k for k in kinds if k != "null"), None)
    if kinds is None:
        if any(key in schema for key in ("properties", "oneOf", "anyOf", "allOf")):
            kinds = "object"
        elif "enum" in schema:
            kinds = "string"
        else:
            return "any"
    if kinds == "array":
        return "array of " + _kind(schema.get("items", {}), data)
    values = schema.get("additionalProperties")
    if kinds == "object" and isinstance(values, dict) and not schema.get("properties"):
        return "map of " + _kind(values, data)
    return str(kinds)


def _same_kind(docs: str, spec: str) -> bool:
    """Docs "Object" also covers a map; an untyped spec node ("any") matches nothing."""
    if docs == spec:
        return True
    if docs == "object" and spec.startswith("map of "):
        return True
    prefix = "array of "
    both_arrays = docs.startswith(prefix) and spec.startswith(prefix)
    return both_arrays and _same_kind(docs[len(prefix) :], spec[len(prefix) :])


class _Checker:
    def __init__(self, root: DocsRoot, spec: Bundle) -> None:
        self.root = root
        self.spec = spec
        self.data = spec.data
        self.report = Report()
        self.compared: set[tuple[Path, int, str]] = set()
        self.seen_tables: set[tuple[Path, int]] = set()
        self.schema_pages: dict[Path, list[tuple[Table, str]]] = {}

    # --- helpers ---------------------------------------------------------------------------

    def find(
        self, path: Path, line: int, message: str, node: Any = None, pointer: str = ""
    ) -> None:
        self.report.findings.append(
            Finding(path, line, message, pointer=pointer, accepted=_decisions(node))
        )

    def docs_problem(self, path: Path, line: int, message: str) -> None:
        self.report.findings.append(Finding(path, line, message, docs_problem=True))

    def spec_problem(self, pointer: str, message: str) -> None:
        problem = self.spec.locate(pointer, message)
        self.report.findings.append(Finding(problem.file, problem.line, message, pointer))

    def deref(self, pointer: str) -> tuple[str, Any]:
        """The pointer and node a pointer leads to once its ``$ref`` chain is followed."""
        found, node = lookup(self.data, pointer)
        for _ in range(64):
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not (found and isinstance(ref, str) and ref.startswith("#")):
                break
            pointer = ref[1:]
            found, node = lookup(self.data, pointer)
        return pointer, node if found else None

    def effective(self, pointer: str) -> dict[str, Any]:
        """A property's keywords: its own beside a ``$ref`` first, then its target's."""
        _, node = lookup(self.data, pointer)
        _, target = self.deref(pointer)
        merged = dict(target) if isinstance(target, dict) else {}
        if isinstance(node, dict):
            merged.update({key: value for key, value in node.items() if key != "$ref"})
        return merged

    def traces(self, node: Any, pointer: str) -> list[dict[str, Any]]:
        """A node's trace links; an ``x-source`` of another shape is a problem of the spec."""
        value = node.get("x-source") if isinstance(node, dict) else None
        if value is not None and (
            not _traces(value)
            or len(_traces(value)) != (len(value) if isinstance(value, list) else 1)
        ):
            self.spec_problem(
                join_pointer(pointer, "x-source"),
                "x-source must be a mapping {page, topic, table} or a list of them",
            )
        return _traces(value)

    def page_at(self, trace: dict[str, Any], pointer: str) -> Page | None:
        page = trace.get("page")
        topic = trace.get("topic")
        if not isinstance(page, str) or (topic is not None and not isinstance(topic, str)):
            self.spec_problem(pointer, "x-source needs `page` (and optionally `topic`) as text")
            return None
        file = self.root.find(page, topic)
        if file is None:
            if page not in self.report.missing_pages:
                self.report.missing_pages.append(page)
            return None
        self.report.pages.add(file)
        return self.root.read(file)

    def traced_here(self, node: Any, page: Page, table: Table) -> bool:
        for trace in _traces(node.get("x-source") if isinstance(node, dict) else None):
            if trace.get("table") != table.title:
                continue
            file = self.root.find(str(trace.get("page", "")), trace.get("topic"))
            if file == page.path:
                return True
        return False

    # --- tables and schemas ------------------------------------------------------------------

    def object_view(
        self, page: Page, table: Table, pointer: str
    ) -> tuple[str, Any, dict[str, str], set[str]] | None:
        """The object schema a table is compared with: its pointer and node, the pointer of
        each property, and the required names. A ``oneOf``/``anyOf`` contributes the branch
        that traces this table, else the one whose properties are exactly the table's rows."""
        pointer, node = self.deref(pointer)
        if not isinstance(node, dict):
            return None
        for keyword in ("oneOf", "anyOf"):
            branches = node.get(keyword)
            if isinstance(branches, list) and branches:
                names = {row.name for row in table.rows}
                choices = [join_pointer(pointer, keyword, i) for i in range(len(branches))]
                chosen = [c for c in choices if self.traced_here(self.deref(c)[1], page, table)]
                chosen = chosen or [
                    c for c in choices if set(self.properties(c)[0]) == names and names
                ]
                if len(chosen) != 1:
                    self.find(
                        page.path,
                        table.line,
                        f"'{table.title}': no single branch of the {keyword} at {pointer} "
                        "traces this table or has exactly its rows",
                        node,
                        pointer,
                    )
                    return None
                return self.object_view(page, table, chosen[0])
        properties, required = self.properties(pointer)
        return pointer, node, properties, required

    def properties(self, pointer: str) -> tuple[dict[str, str], set[str]]:
        pointer, node = self.deref(pointer)
        found: dict[str, str] = {}
        required: set[str] = set()
        if not isinstance(node, dict):
            return found, required
        for index, part in enumerate(node.get("allOf") or []):
            if isinstance(part, dict):
                more, needed = self.properties(join_pointer(pointer, "allOf", index))
                found.update(more)
                required |= needed
        for name in node.get("properties") or {}:
            found[name] = join_pointer(pointer, "properties", name)
        required |= {str(name) for name in node.get("required") or [] if isinstance(name, str)}
        return found, required

    def compare_table(self, page: Page, table: Table, pointer: str) -> None:
        self.seen_tables.add((page.path, table.line))
        view = self.object_view(page, table, pointer)
        if view is None:
            return
        pointer, node, properties, required = view
        key = (page.path, table.line, pointer)
        if key in self.compared:
            return
        self.compared.add(key)
        self.report.tables += 1
        title = f"'{table.title}'"
        if not properties and table.rows:
            self.find(page.path, table.line, f"{title}: {pointer} has no properties", node, pointer)
            return
        for row in table.rows:
            self.report.rows += 1
            if row.name not in properties:
                # Never accepted by the schema's decisions: they are about what the schema
                # says, and would otherwise silence every row the docs add later.
                message = f"{title} row '{row.name}' is not a property of {pointer}"
                self.find(page.path, row.line, message, pointer=pointer)
                continue
            self.compare_row(page, table, row, properties[row.name], row.name in required)
        rows = {row.name for row in table.rows}
        for name, at in properties.items():
            if name not in rows:
                _, prop = lookup(self.data, at)
                self.find(page.path, table.line, f"{title} has no row '{name}'", prop, at)

    def compare_row(self, page: Page, table: Table, row: Row, pointer: str, required: bool) -> None:
        _, node = lookup(self.data, pointer)
        spec = self.effective(pointer)
        docs = row_keywords(row)
        at = f"'{table.title}' row '{row.name}'"

        def differ(message: str) -> None:
            self.find(page.path, row.line, f"{at}: {message}", node, pointer)

        if row.type is not None:
            if "type" not in docs:
                self.docs_problem(
                    page.path, row.line, f"{at}: type '{row.type}' is not a docs type"
                )
            elif not _same_kind(_kind(docs), _kind(spec, self.data)):
                differ(f"type is {row.type} in the docs, {_kind(spec, self.data)} in the spec")
        if row.mandatory is not None and row.mandatory != required:
            docs_says = "mandatory" if row.mandatory else "optional"
            differ(f"the docs say {docs_says}, the spec {'requires it' if required else 'not'}")
        self.compare_values(docs, spec, differ)
        documented = normal_text(row.description.definition)
        described = normal_text(str(spec.get("description", "")))
        if not described.startswith(documented):
            differ(f"description does not start with the docs' text {_quote(documented)}")
        nested, unresolved = self.root.nested(page, row)
        for ref in unresolved:
            self.docs_problem(page.path, ref.line, f"{at} links to '{ref.label}', on no page")
        if nested is not None:
            kind = _kind(spec, self.data)
            inner = pointer
            if kind.startswith("array of"):
                _, target = self.deref(pointer)
                inner = join_pointer(self.deref(pointer)[0], "items") if target else pointer
            elif kind.startswith("map of"):
                inner = join_pointer(self.deref(pointer)[0], "additionalProperties")
            self.compare_table(nested[0], nested[1], inner)

    def compare_values(self, docs: dict[str, Any], spec: dict[str, Any], differ: Any) -> None:
        """enum, default and bounds, both ways."""
        docs_enum, spec_enum = docs.get("enum"), spec.get("enum")
        if (docs_enum or spec_enum) and sorted(map(str, docs_enum or [])) != sorted(
            map(str, spec_enum or [])
        ):
            differ(f"values are {docs_enum or 'not listed'} in the docs, {spec_enum} in the spec")
        if ("default" in docs or "default" in spec) and docs.get("default") != spec.get("default"):
            shown = repr(docs["default"]) if "default" in docs else "not stated"
            differ(f"default is {shown} in the docs, {spec.get('default')!r} in the spec")
        for bound in _BOUNDS:
            if docs.get(bound) != spec.get(bound):
                differ(f"{bound} is {docs.get(bound)} in the docs, {spec.get(bound)} in the spec")

    # --- operations ---------------------------------------------------------------------------

    def schema_pointer(self, pointer: str) -> str | None:
        """The JSON body schema of a request body or response at ``pointer``."""
        pointer, node = self.deref(pointer)
        content = node.get("content") if isinstance(node, dict) else None
        if not isinstance(content, dict):
            return None
        media = next((m for m in content if m.split(";")[0].strip().endswith("json")), None)
        if media is None or not isinstance(content[media], dict):
            return None
        if "schema" not in content[media]:
            return None
        return join_pointer(pointer, "content", media, "schema")

    def answer(self, operation: dict[str, Any], pointer: str, success: bool) -> str | None:
        for code in sorted(str(c) for c in operation.get("responses") or {}):
            if code[:1] == ("2" if success else "4"):
                found = self.schema_pointer(join_pointer(pointer, "responses", code))
                if found:
                    return found
        return None

    def check_operation(self, pointer: str, path: str, method: str, operation: Any) -> None:
        for trace in self.traces(operation, pointer):
            page = self.page_at(trace, join_pointer(pointer, "x-source"))
            if page is None:
                continue
            self.report.operation_files.add(page.path)
            self.check_endpoint(page, pointer, path, method, operation)
            self.check_parameters(page, pointer, path, operation)
            for section, at in (
                ("request", self.schema_pointer(join_pointer(pointer, "requestBody"))),
                ("response", self.answer(operation, pointer, success=True)),
            ):
                table = page.body_table(section)
                if table is not None and at is not None:
                    self.compare_table(page, table, at)
                elif table is not None:
                    self.find(
                        page.path,
                        table.line,
                        f"'{table.title}' describes a {section} body; {pointer} has none",
                        operation,
                        pointer,
                    )
                elif at is not None:
                    line = next((s[1] for s in page.sections if s[0].lower() == section), 1)
                    self.find(
                        page.path,
                        line,
                        f"the page has no {section} table; {pointer} has a {section} body",
                        operation,
                        pointer,
                    )
            self.check_status_codes(page, pointer, operation)
            for example in page.examples:
                self.check_example(page, example, pointer, path, method, operation)
            for table in page.tables:
                typed = any(column.lower() == "type" for column in table.columns)
                if (
                    table.is_parameter_table
                    and typed
                    and (page.path, table.line) not in self.seen_tables
                ):
                    self.find(
                        page.path,
                        table.line,
                        f"'{table.title}' is compared with no schema of {pointer}",
                        operation,
                        pointer,
                    )

    def check_endpoint(
        self, page: Page, pointer: str, path: str, method: str, operation: Any
    ) -> None:
        if page.endpoint is None:
            self.find(page.path, 1, "the page gives no METHOD /path", operation, pointer)
            return
        documented = page.endpoint.path.split("?", 1)[0]
        if (page.endpoint.method.lower(), documented) != (method, path):
            self.find(
                page.path,
                page.endpoint.line,
                f"the page says {page.endpoint.method} {documented}, the spec "
                f"{method.upper()} {path}",
                operation,
                pointer,
            )

    def check_parameters(self, page: Page, pointer: str, path: str, operation: Any) -> None:
        declared: dict[str, tuple[str, Any]] = {}
        path_item = pointer.rsplit("/", 1)[0]
        for base in (path_item, pointer):
            _, holder = lookup(self.data, base)
            for index, _item in enumerate((holder or {}).get("parameters") or []):
                at, parameter = self.deref(join_pointer(base, "parameters", index))
                if isinstance(parameter, dict) and parameter.get("in") in ("path", "query"):
                    declared[str(parameter.get("name"))] = (at, parameter)
        tables = page.uri_tables()
        in_path = set(re.findall(r"{([^{}]+)}", path))
        rows = {}
        for table in tables:
            self.seen_tables.add((page.path, table.line))
            self.report.tables += 1
            for row in table.rows:
                self.report.rows += 1
                rows[row.name] = (table, row)
        for name, (table, row) in rows.items():
            if name in declared:
                self.compare_parameter(page, table, row, *declared[name], name in in_path)
            else:
                self.find(
                    page.path,
                    row.line,
                    f"'{table.title}' row '{name}' is not a parameter of {pointer}",
                    operation,
                    pointer,
                )
        line = tables[0].line if tables else (page.endpoint.line if page.endpoint else 1)
        for name, (where, parameter) in declared.items():
            if name not in rows:
                self.find(
                    page.path, line, f"parameter '{name}' is in no URI table", parameter, where
                )

    def compare_parameter(
        self, page: Page, table: Table, row: Row, where: str, parameter: Any, in_path: bool
    ) -> None:
        at = f"'{table.title}' row '{row.name}'"

        def differ(message: str) -> None:
            self.find(page.path, row.line, f"{at}: {message}", parameter, where)

        expected = "path" if in_path else "query"
        if parameter.get("in") != expected:
            differ(f"is a {expected} parameter in the docs, {parameter.get('in')} in the spec")
        if row.mandatory is not None and row.mandatory != bool(parameter.get("required")):
            differ(f"the docs say {'mandatory' if row.mandatory else 'optional'}")
        schema = parameter.get("schema") if isinstance(parameter.get("schema"), dict) else {}
        docs = row_keywords(row)
        known = row.type is not None and type_keywords(row.type) is not None
        if known and not _same_kind(_kind(docs), _kind(schema, self.data)):
            differ(f"type is {row.type} in the docs, {_kind(schema, self.data)} in the spec")
        if "type" not in docs and "default" in docs:
            # Without a Type column a stated default is text; compare it as the spec types it.
            docs["default"] = _typed_like(docs["default"], schema)
        self.compare_values(docs, schema, differ)
        documented = normal_text(row.description.definition)
        if not normal_text(str(parameter.get("description", ""))).startswith(documented):
            differ(f"description does not start with the docs' text {_quote(documented)}")

    def status_codes(self, page: Page) -> list[tuple[Path, int, int]]:
        """(file, line, code) of the codes a page lists, itself or on the page it links to
        from its Returned Values section."""
        if page.status_codes:
            return [(page.path, s.line, s.code) for s in page.status_codes]
        for section, ref in page.refs:
            if section.lower().startswith("returned value"):
                found = self.root.resolve(ref.label)
                if found is not None and found[0].status_codes:
                    self.report.pages.add(found[0].path)
                    return [(found[0].path, s.line, s.code) for s in found[0].status_codes]
                if found is None:
                    self.docs_problem(page.path, ref.line, f"link to '{ref.label}', on no page")
        return []

    def check_status_codes(self, page: Page, pointer: str, operation: Any) -> None:
        listed = self.status_codes(page)
        if not listed:
            return
        declared = {str(code) for code in operation.get("responses") or {} if str(code).isdigit()}
        documented = {str(code) for _, _, code in listed}
        for file, line, code in listed:
            if str(code) not in declared:
                self.find(
                    file, line, f"status {code} is not a response of {pointer}", operation, pointer
                )
        section = next((s[1] for s in page.sections if s[0].lower().startswith("returned")), 1)
        for extra in sorted(declared - documented):
            # Accepted by a decision on the response itself, the node that says it.
            at, response = self.deref(join_pointer(pointer, "responses", extra))
            self.find(
                page.path,
                section,
                f"{pointer} answers {extra}, which the page does not list",
                response,
                at,
            )

    def check_example(
        self, page: Page, example: Example, pointer: str, path: str, method: str, operation: Any
    ) -> None:
        self.report.examples += 1
        if example.error:
            self.docs_problem(
                page.path, example.error_line, f"example is not JSON: {example.error}"
            )
            return
        if example.method and example.target:
            target = re.sub(r"^https?://[^/]*", "", example.target).split("?", 1)[0]
            if example.method.lower() != method or not _same_path(target, path):
                self.find(
                    page.path,
                    example.line,
                    f"the example requests {example.method} {target}, the spec "
                    f"{method.upper()} {path}",
                    operation,
                    pointer,
                )
        if not example.has_body:
            return
        if example.kind == "request":
            schemas = [self.schema_pointer(join_pointer(pointer, "requestBody"))]
        else:
            # A response example is right when some declared answer fits it: pages show the
            # error body too, often introduced by no more than "Or".
            schemas = [
                self.schema_pointer(join_pointer(pointer, "responses", str(code)))
                for code in sorted(str(c) for c in operation.get("responses") or {})
            ]
        candidates = [schema for schema in schemas if schema is not None]
        if not candidates:
            self.find(
                page.path,
                example.body_line,
                f"{example.kind} example has a body; {pointer} declares no schema for it",
                operation,
                pointer,
            )
            return
        errors = [self.first_error(schema, example.body) for schema in candidates]
        if all(errors):
            self.find(
                page.path,
                example.body_line,
                f"{example.kind} example fits no declared schema; {candidates[0]}: {errors[0]}",
                operation,
                pointer,
            )

    def first_error(self, schema_pointer: str, value: Any) -> str | None:
        # The schema itself, with the components its references lead into beside it.
        _, node = self.deref(schema_pointer)
        schema = {"allOf": [node if isinstance(node, dict) else {}]}
        schema["components"] = self.data.get("components", {})
        error = best_match(Draft202012Validator(schema).iter_errors(value))
        if error is None:
            return None
        at = "/" + "/".join(str(part) for part in error.absolute_path)
        message = error.message if len(error.message) < 200 else error.message[:197] + "..."
        return f"at {at}: {message}"

    # --- schemas traced directly -----------------------------------------------------------

    def check_schema(self, name: str, schema: Any) -> None:
        pointer = join_pointer("/components/schemas", name)
        for trace in self.traces(schema, pointer):
            title = trace.get("table")
            if not isinstance(title, str):
                self.spec_problem(join_pointer(pointer, "x-source"), "x-source needs `table`")
                continue
            page = self.page_at(trace, join_pointer(pointer, "x-source"))
            if page is None:
                continue
            table = page.table(title)
            if table is None:
                self.find(page.path, 1, f"no table titled '{title}' on the page", schema, pointer)
                continue
            self.compare_table(page, table, pointer)
            self.schema_pages.setdefault(page.path, []).append((table, pointer))

    def check_schema_page_examples(self, page_path: Path, traced: list[tuple[Table, str]]) -> None:
        """Examples on a page only schemas trace (no operation): each must fit the schema of
        the table its lead-in names ("Normal response" -> "Normal response description")."""
        page = self.root.read(page_path)
        for example in page.examples:
            self.report.examples += 1
            if example.error:
                self.docs_problem(
                    page.path, example.error_line, f"example is not JSON: {example.error}"
                )
                continue
            if not example.has_body:
                continue
            lead = example.context.lower()
            match = [p for t, p in traced if lead and t.title.lower().startswith(lead)]
            candidates = match or [p for _, p in traced]
            errors = [self.first_error(p, example.body) for p in candidates]
            if all(errors):
                _, node = lookup(self.data, candidates[0])
                self.find(
                    page.path, example.body_line, f"example: {errors[0]}", node, candidates[0]
                )

    def run(self) -> Report:
        for pointer, path, method, operation in iter_operations(self.data):
            self.check_operation(pointer, path, method, operation)
        schemas = (self.data.get("components") or {}).get("schemas") or {}
        for name, schema in schemas.items():
            self.check_schema(name, schema)
        operation_files = self.report.operation_files
        for page_path, traced in self.schema_pages.items():
            if page_path not in operation_files:
                self.check_schema_page_examples(page_path, traced)
        pages = self.root.operation_files
        self.report.operation_pages = len(pages)
        self.report.undescribed = [p for p in pages if p not in operation_files]
        return self.report


def _typed_like(value: Any, schema: dict[str, Any]) -> Any:
    """A default read as text, converted to the spec's type where it reads as one."""
    kind = _kind(schema)
    if kind in ("integer", "number") and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if kind == "boolean" and str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    return value


def _same_path(documented: str, declared: str) -> bool:
    """Paths agree when their segments do, a ``{name}`` matching any one segment."""
    a, b = documented.strip("/").split("/"), declared.strip("/").split("/")
    return len(a) == len(b) and all(
        x == y or x.startswith("{") or y.startswith("{") for x, y in zip(a, b, strict=True)
    )


def check(docs: Path, spec: Bundle) -> Report:
    """Compare the spec with the pages it traces under ``docs`` (a folder, or one page)."""
    return _Checker(DocsRoot(docs), spec).run()
