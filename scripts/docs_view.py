"""The view model of the reference documentation: what the docs say, built once from a spec.

Spec text is untrusted. It is cleaned here, once, when the views are built (no control
characters, no bidi overrides, line ends and tabs made plain); the renderers (docs_html,
docs_md, docs_rst) escape it for their output. Views are plain frozen dataclasses.
"""

from __future__ import annotations

import http
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from scripts.methods import HTTP_METHODS
from scripts.pointers import resolve, split_pointer

# C0/C1 controls other than tab and newline could end a line of RST or Markdown early, or
# are invalid in HTML; line separators split lines for Python but not for readers; bidi
# overrides make text read differently from what it is; lone surrogates cannot be encoded.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_OPTIONAL = "This field is optional."
_COMPONENT_SCHEMA = "#/components/schemas/"
_SCALAR_NAMES = {"string": "String", "integer": "Integer", "number": "Number", "boolean": "Boolean"}
_FACT_KEYWORDS = (
    ("enum", "Allowed values"),
    ("const", "Value"),
    ("default", "Default"),
    ("minimum", "Minimum"),
    ("exclusiveMinimum", "Greater than"),
    ("maximum", "Maximum"),
    ("exclusiveMaximum", "Less than"),
    ("multipleOf", "Multiple of"),
    ("minLength", "Minimum length"),
    ("maxLength", "Maximum length"),
    ("pattern", "Pattern"),
    ("minItems", "Minimum items"),
    ("maxItems", "Maximum items"),
    ("uniqueItems", "Unique items"),
    ("minProperties", "Minimum properties"),
    ("maxProperties", "Maximum properties"),
)
_COMPOSITIONS = (("oneOf", "One of"), ("anyOf", "Any of"), ("allOf", "All of"))
#: How deep inline object schemas are unfolded into tables of their own.
_MAX_DEPTH = 8


def clean(value: object) -> str:
    """Spec text as it may appear in any output: LF line ends, tabs expanded, unsafe characters
    replaced by U+FFFD so that they stay visible as something odd instead of acting."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("\ufffd", text).expandtabs(4)


def one_line(value: object) -> str:
    return " ".join(clean(value).split())


def _plain(value: Any) -> Any:
    """A YAML value as JSON can write it: keys as strings, dates and other scalars as text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def pretty_json(value: Any) -> str:
    """``value`` as indented JSON; unsafe characters in strings become JSON escapes, so the text
    is still valid JSON for the same value."""
    text = json.dumps(_plain(value), indent=2, ensure_ascii=False)
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _value(value: Any) -> str:
    """A value of a schema keyword (default, enum member, ...) as one line of text."""
    if isinstance(value, str):
        return one_line(value)
    return one_line(json.dumps(_plain(value), ensure_ascii=False))


def docs_type(data: dict[str, Any], schema: Any) -> str:
    """The type of ``schema`` spelled as the docs spell it (String, Array of objects, ...)."""
    schema = resolve(data, schema)
    if not isinstance(schema, dict):
        return "Object"
    kinds = schema.get("type")
    if isinstance(kinds, list):
        kinds = next((k for k in kinds if k != "null"), None)
    if kinds is None and ("properties" in schema or "oneOf" in schema or "anyOf" in schema):
        kinds = "object"
    if kinds == "array":
        # One level names it: a recursive array (``Tree: {items: Tree}``) would have no end.
        item = resolve(data, schema.get("items", {}))
        if isinstance(item, dict) and item.get("type") == "array":
            return "Array of arrays"
        return f"Array of {docs_type(data, item).lower()}s"
    if kinds is None and "enum" in schema:
        kinds = "string"
    return _SCALAR_NAMES.get(str(kinds), "Object")


# --- Views --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A section of the documentation: what it is called and its anchor."""

    label: str
    anchor: str


@dataclass(frozen=True)
class Shape:
    """The type of a value as the docs spell it, the section it refers to, and qualifiers."""

    label: str
    target: Link | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    """A keyword of a schema worth telling the reader, with its values (shown as code)."""

    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    name: str
    summary: str
    description: str
    json: str
    external: str


@dataclass(frozen=True)
class Field:
    """A property of an object schema: one row of its table."""

    name: str
    shape: Shape
    required: bool
    description: str
    facts: tuple[Fact, ...]

    @property
    def docs_description(self) -> str:
        """The description as the docs write it: an optional field says so in its last line."""
        if self.required or _OPTIONAL in self.description:
            return self.description
        return f"{self.description}\n\n{_OPTIONAL}" if self.description.strip() else _OPTIONAL


@dataclass(frozen=True)
class Composition:
    kind: str
    options: tuple[Shape, ...]


@dataclass(frozen=True)
class SchemaView:
    """A schema with a section (a component) or a table of its own (an inline object)."""

    name: str
    anchor: str
    description: str
    shape: Shape
    fields: tuple[Field, ...]
    facts: tuple[Fact, ...]
    compositions: tuple[Composition, ...]
    examples: tuple[Example, ...]
    nested: tuple[SchemaView, ...]
    search: str


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    shape: Shape
    description: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Media:
    """One media type of a body: its schema (linked, or as an inline table) and examples."""

    media_type: str
    shape: Shape | None
    schema: SchemaView | None
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class Body:
    required: bool
    description: str
    media: tuple[Media, ...]


@dataclass(frozen=True)
class Header:
    name: str
    required: bool
    shape: Shape
    description: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class ResponseLink:
    """An OpenAPI link: the operation a response leads to, and how its parameters are filled."""

    name: str
    operation: str
    target: Link | None
    parameters: tuple[tuple[str, str], ...]
    description: str


@dataclass(frozen=True)
class Response:
    status: str
    reason: str
    description: str
    headers: tuple[Header, ...]
    media: tuple[Media, ...]
    links: tuple[ResponseLink, ...]

    @property
    def family(self) -> str:
        """``2xx``, ``4xx``, ... for styling; ``other`` for ``default``."""
        return f"{self.status[0]}xx" if self.status[:1] in "12345" and self.status else "other"


@dataclass(frozen=True)
class Operation:
    anchor: str
    operation_id: str
    method: str
    path: str
    summary: str
    description: str
    deprecated: bool
    security: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: tuple[Response, ...]
    search: str

    @property
    def title(self) -> str:
        return self.summary or self.operation_id or f"{self.method} {self.path}"

    @property
    def link(self) -> Link:
        return Link(self.title, self.anchor)


@dataclass(frozen=True)
class Tag:
    """A group of operations: those it lists in the navigation, and those whose section it holds
    (an operation with several tags has its section under the first)."""

    name: str
    anchor: str
    description: str
    entries: tuple[Operation, ...]
    operations: tuple[Operation, ...]

    @property
    def elsewhere(self) -> tuple[Operation, ...]:
        """The operations of this group whose section is under another group."""
        here = {op.anchor for op in self.operations}
        return tuple(op for op in self.entries if op.anchor not in here)


@dataclass(frozen=True)
class ServerVariable:
    name: str
    default: str
    values: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Server:
    url: str
    description: str
    variables: tuple[ServerVariable, ...]


@dataclass(frozen=True)
class Scheme:
    """A security scheme: ``kind`` says what it is, ``where`` where the credential goes."""

    name: str
    anchor: str
    kind: str
    where: str
    parameter: str
    description: str


@dataclass(frozen=True)
class Reference:
    """Everything the three outputs show, in the order they show it."""

    title: str
    version: str
    openapi: str
    description: str
    servers: tuple[Server, ...]
    schemes: tuple[Scheme, ...]
    tags: tuple[Tag, ...]
    schemas: tuple[SchemaView, ...]


class _Anchors:
    """Unique, stable anchors made of lowercase letters, digits and hyphens (RST compares target
    names without case, so anchors must differ in more than case)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, prefix: str, name: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unnamed"
        anchor, number = f"{prefix}-{slug}", 2
        while anchor in self.used:
            anchor, number = f"{prefix}-{slug}-{number}", number + 1
        self.used.add(anchor)
        return anchor


def _kind(schema: Any) -> str | None:
    kinds = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kinds, list):
        kinds = next((kind for kind in kinds if kind != "null"), None)
    return kinds if isinstance(kinds, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class _Builder:
    """Turns the bundled spec into views; resolves internal references on the way."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.anchors = _Anchors()
        schemas = _dict(_dict(data.get("components")).get("schemas"))
        self.schema_links = {
            str(name): Link(clean(name), self.anchors.new("schema", str(name))) for name in schemas
        }

    def resolve(self, node: Any) -> Any:
        """``node`` with internal references followed; {} for a reference that goes nowhere."""
        found = resolve(self.data, node)
        return {} if found is None else found

    def component(self, node: Any) -> Link | None:
        """The schema section ``node`` refers to, when it is a reference to a component."""
        ref = node.get("$ref") if isinstance(node, dict) else None
        if isinstance(ref, str) and ref.startswith(_COMPONENT_SCHEMA):
            tokens = split_pointer(unquote(ref[1:]))
            if len(tokens) == 3:
                return self.schema_links.get(tokens[2])
        return None

    # -- schemas

    def shape(self, schema: Any, target: Link | None = None) -> Shape:
        node, found = schema, None
        for _ in range(_MAX_DEPTH):  # a component, or the component of an array's items
            found = self.component(node)
            resolved = _dict(self.resolve(node))
            if found is not None or _kind(resolved) != "array":
                break
            node = resolved.get("items")
        notes: list[str] = []
        for part in (_dict(schema), _dict(self.resolve(schema))):
            kinds = part.get("type")
            if "format" in part:
                notes.append(one_line(part["format"]))
            if (isinstance(kinds, list) and "null" in kinds) or part.get("nullable") is True:
                notes.append("nullable")
            notes += [
                label
                for key, label in (
                    ("deprecated", "deprecated"),
                    ("readOnly", "read-only"),
                    ("writeOnly", "write-only"),
                )
                if part.get(key) is True
            ]
        return Shape(
            label=docs_type(self.data, self.typed(schema)),
            target=target or found,
            notes=tuple(dict.fromkeys(notes)),
        )

    def typed(self, schema: Any, depth: int = 0) -> Any:
        """``schema`` with the references that decide its type (its own, its items') followed,
        so that ``docs_type`` reads only local keywords."""
        resolved = self.resolve(schema)
        if depth < _MAX_DEPTH and isinstance(resolved, dict) and _kind(resolved) == "array":
            return {**resolved, "items": self.typed(resolved.get("items", {}), depth + 1)}
        return resolved

    def facts(self, schema: Any, extra: Iterable[Fact] = ()) -> tuple[Fact, ...]:
        """What a reader should know beyond the type. A reference to a component keeps only
        the keywords beside it: the component's own are told in its section."""
        part = _dict(schema)
        keywords = part if "$ref" in part else _dict(self.resolve(schema))
        found = [*extra]
        for key, label in _FACT_KEYWORDS:
            if key in keywords:
                value = keywords[key]
                values = value if key == "enum" and isinstance(value, list) else [value]
                found.append(Fact(label, tuple(_value(item) for item in values)))
        return tuple(found)

    def example_fact(self, *sources: Any) -> tuple[Fact, ...]:
        """The first example of the first source that has one, when it fits in a table cell (a
        scalar); the example of a referenced component is told in the component's section."""
        for source in sources:
            part = _dict(source)
            if "$ref" in part:
                continue
            found: list[Any] = _list(part.get("examples"))[:1]
            if "example" in part:
                found.append(part["example"])
            for example in _dict(part.get("examples")).values():
                found += [
                    value for key, value in _dict(self.resolve(example)).items() if key == "value"
                ]
            if found:
                scalar = found[0] is None or isinstance(found[0], (str, int, float, bool))
                return (Fact("Example", (_value(found[0]),)),) if scalar else ()
        return ()

    def _inline_object(self, schema: Any) -> dict[str, Any] | None:
        """The object schema to unfold into a table of its own: an inline object (or an array
        of them) with properties or a composition, never a component."""
        node = schema
        for _ in range(_MAX_DEPTH):
            if self.component(node) is not None:
                return None
            resolved = _dict(self.resolve(node))
            if _kind(resolved) == "array":
                node = resolved.get("items")
                continue
            has_shape = "properties" in resolved or any(key in resolved for key, _ in _COMPOSITIONS)
            return resolved if has_shape else None
        return None

    def schema_view(self, name: str, anchor: str, schema: Any, depth: int = 0) -> SchemaView:
        resolved = _dict(self.resolve(schema))
        fields: list[Field] = []
        nested: list[SchemaView] = []
        # The own properties and those of inline allOf members form one table; referenced
        # members are listed as compositions and keep their own section.
        parts = [resolved, *(m for m in _list(resolved.get("allOf")) if self.component(m) is None)]
        required: set[str] = set()
        seen: set[str] = set()
        for part in parts:
            part = _dict(self.resolve(part))
            required |= {str(item) for item in _list(part.get("required"))}
        for part in parts:
            part = _dict(self.resolve(part))
            for key, prop in _dict(part.get("properties")).items():
                if str(key) in seen:
                    continue
                seen.add(str(key))
                target = None
                inline = self._inline_object(prop) if depth < _MAX_DEPTH else None
                if inline is not None:
                    child_name = f"{name}.{clean(key)}"
                    child = self.schema_view(
                        child_name, self.anchors.new("schema", child_name), inline, depth + 1
                    )
                    nested.append(child)
                    target = Link(child.name, child.anchor)
                description = _dict(prop).get(
                    "description", _dict(self.resolve(prop)).get("description", "")
                )
                fields.append(
                    Field(
                        name=clean(key),
                        shape=self.shape(prop, target),
                        required=str(key) in required,
                        description=clean(description),
                        facts=self.facts(prop, self.example_fact(prop)),
                    )
                )
        compositions = []
        for key, kind in _COMPOSITIONS:
            options = []
            for number, option in enumerate(_list(resolved.get(key)), 1):
                if key == "allOf" and self.component(option) is None:
                    continue  # merged into the table above
                target = None
                inline = self._inline_object(option) if depth < _MAX_DEPTH else None
                if inline is not None:
                    child_name = f"{name} ({kind.lower()}, option {number})"
                    child = self.schema_view(
                        child_name, self.anchors.new("schema", child_name), inline, depth + 1
                    )
                    nested.append(child)
                    target = Link(child.name, child.anchor)
                options.append(self.shape(option, target))
            if options:
                compositions.append(Composition(kind, tuple(options)))
        values = _list(resolved.get("examples"))
        if "example" in resolved:  # OpenAPI 3.0's single example
            values = [*values, resolved["example"]]
        examples = [Example("", "", "", pretty_json(value), "") for value in values]
        title = one_line(resolved.get("title", ""))
        search = " ".join([name, title, *(f.name for f in fields)])
        return SchemaView(
            name=name,
            anchor=anchor,
            description=clean(resolved.get("description", "")),
            shape=self.shape(schema),
            fields=tuple(fields),
            facts=self.facts(resolved),
            compositions=tuple(compositions),
            examples=tuple(examples),
            nested=tuple(nested),
            search=one_line(search).lower(),
        )

    # -- operations

    def examples(self, holder: dict[str, Any]) -> tuple[Example, ...]:
        """The examples of a media type object (``examples`` map, then ``example``)."""
        found = []
        for name, raw in _dict(holder.get("examples")).items():
            example = _dict(self.resolve(raw))
            found.append(
                Example(
                    name=one_line(name),
                    summary=one_line(example.get("summary", "")),
                    description=clean(example.get("description", "")),
                    json=pretty_json(example["value"]) if "value" in example else "",
                    external=one_line(example.get("externalValue", "")),
                )
            )
        if "example" in holder:
            found.append(Example("", "", "", pretty_json(holder["example"]), ""))
        return tuple(found)

    def media(self, content: Any, owner: str) -> tuple[Media, ...]:
        found = []
        for media_type, raw in _dict(content).items():
            media = _dict(self.resolve(raw))
            schema = media.get("schema")
            view = None
            if schema is not None and self._inline_object(schema) is not None:
                name = f"{owner} ({one_line(media_type)})" if len(_dict(content)) > 1 else owner
                view = self.schema_view(name, self.anchors.new("schema", name), schema)
            found.append(
                Media(
                    media_type=one_line(media_type),
                    shape=None
                    if schema is None
                    else self.shape(schema, Link(view.name, view.anchor) if view else None),
                    schema=view,
                    examples=self.examples(media),
                )
            )
        return tuple(found)

    def parameter(self, raw: Any) -> Parameter | None:
        parameter = _dict(self.resolve(raw))
        if "name" not in parameter:
            return None
        schema = parameter.get("schema")
        if schema is None:  # a parameter described by a media type instead of a schema
            schema = next(
                (_dict(m).get("schema") for m in _dict(parameter.get("content")).values()), {}
            )
        location = one_line(parameter.get("in", ""))
        return Parameter(
            name=one_line(parameter["name"]),
            location=location,
            required=parameter.get("required") is True or location == "path",
            shape=self.shape(schema),
            description=clean(parameter.get("description", "")),
            facts=self.facts(schema, self.example_fact(parameter, schema, self.resolve(schema))),
        )

    def response(self, status: str, raw: Any, owner: str, operations: dict[str, Link]) -> Response:
        response = _dict(self.resolve(raw))
        headers = []
        for name, header_raw in _dict(response.get("headers")).items():
            header = _dict(self.resolve(header_raw))
            schema = header.get("schema", {})
            headers.append(
                Header(
                    name=one_line(name),
                    required=header.get("required") is True,
                    shape=self.shape(schema),
                    description=clean(header.get("description", "")),
                    facts=self.facts(
                        schema, self.example_fact(header, schema, self.resolve(schema))
                    ),
                )
            )
        links = []
        for name, link_raw in _dict(response.get("links")).items():
            link = _dict(self.resolve(link_raw))
            operation = one_line(link.get("operationId", link.get("operationRef", "")))
            links.append(
                ResponseLink(
                    name=one_line(name),
                    operation=operation,
                    target=operations.get(str(link.get("operationId"))),
                    parameters=tuple(
                        (one_line(key), _value(value))
                        for key, value in _dict(link.get("parameters")).items()
                    ),
                    description=clean(link.get("description", "")),
                )
            )
        if status.isdigit():
            try:
                reason = http.HTTPStatus(int(status)).phrase
            except ValueError:
                reason = ""
        elif status.lower() == "default":
            reason = "Any other status"
        else:
            reason = f"Any {status.lower()} status"
        return Response(
            status=status,
            reason=reason,
            description=clean(response.get("description", "")),
            headers=tuple(headers),
            media=self.media(response.get("content"), f"{owner} {status} response"),
            links=tuple(links),
        )

    def security(self, requirements: Any) -> tuple[str, ...]:
        """The ways to authenticate, each a scheme or schemes used together; ``none`` for an
        explicit empty list, nothing when the spec does not say."""
        if requirements == []:
            return ("none",)
        alternatives = []
        for requirement in _list(requirements):
            names = [one_line(name) for name in _dict(requirement)]
            alternatives.append(" and ".join(names) if names else "none")
        return tuple(alternatives)

    def operations(self) -> list[tuple[Operation, list[str]]]:
        """Every operation with its tags, in the spec's order."""
        found: list[tuple[dict[str, Any], str, str, Any, str]] = []
        operation_links: dict[str, Link] = {}
        for path, raw_item in _dict(self.data.get("paths")).items():
            item = _dict(self.resolve(raw_item))
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                operation_id = one_line(operation.get("operationId", ""))
                label = operation_id or f"{method.upper()} {one_line(path)}"
                anchor = self.anchors.new("operation", label)
                found.append((operation, method, str(path), item.get("parameters"), anchor))
                if operation_id:
                    operation_links.setdefault(operation_id, Link(label, anchor))
        views = []
        for operation, method, path, shared, anchor in found:
            parameters: dict[tuple[str, str], Parameter] = {}
            for raw in [*_list(shared), *_list(operation.get("parameters"))]:
                view = self.parameter(raw)
                if view is not None:
                    parameters[(view.location, view.name)] = view
            operation_id = one_line(operation.get("operationId", ""))
            summary = one_line(operation.get("summary", ""))
            owner = operation_id or summary or f"{method.upper()} {path}"
            body = None
            if "requestBody" in operation:
                raw_body = _dict(self.resolve(operation["requestBody"]))
                body = Body(
                    required=raw_body.get("required") is True,
                    description=clean(raw_body.get("description", "")),
                    media=self.media(raw_body.get("content"), f"{owner} request body"),
                )
            responses = tuple(
                self.response(one_line(status), raw, owner, operation_links)
                for status, raw in _dict(operation.get("responses")).items()
            )
            tags = [one_line(tag) for tag in _list(operation.get("tags"))]
            security = operation.get("security", self.data.get("security"))
            search = " ".join([operation_id, method, one_line(path), summary, *tags])
            views.append(
                (
                    Operation(
                        anchor=anchor,
                        operation_id=operation_id,
                        method=method.upper(),
                        path=one_line(path),
                        summary=summary,
                        description=clean(operation.get("description", "")),
                        deprecated=operation.get("deprecated") is True,
                        security=self.security(security),
                        parameters=tuple(parameters.values()),
                        body=body,
                        responses=responses,
                        search=search.lower(),
                    ),
                    tags,
                )
            )
        return views

    def tags(self, operations: list[tuple[Operation, list[str]]]) -> tuple[Tag, ...]:
        declared = {
            one_line(_dict(tag).get("name", "")): clean(_dict(tag).get("description", ""))
            for tag in _list(self.data.get("tags"))
        }
        order = list(declared)
        for _, tags in operations:
            order += [tag for tag in tags if tag not in order]
        untagged = "Operations" if not order else "Other operations"
        if any(not tags for _, tags in operations) and untagged not in order:
            order.append(untagged)
        result = []
        for name in order:
            entries = [
                op for op, tags in operations if name in tags or (not tags and name == untagged)
            ]
            if not entries:
                continue
            sections = [op for op, tags in operations if (tags[0] if tags else untagged) == name]
            result.append(
                Tag(
                    name=name,
                    anchor=self.anchors.new("tag", name),
                    description=declared.get(name, ""),
                    entries=tuple(entries),
                    operations=tuple(sections),
                )
            )
        return tuple(result)

    def servers(self) -> tuple[Server, ...]:
        servers = []
        for raw in _list(self.data.get("servers")):
            server = _dict(raw)
            variables = tuple(
                ServerVariable(
                    name=one_line(name),
                    default=_value(_dict(variable).get("default", "")),
                    values=tuple(_value(v) for v in _list(_dict(variable).get("enum"))),
                    description=clean(_dict(variable).get("description", "")),
                )
                for name, variable in _dict(server.get("variables")).items()
            )
            servers.append(
                Server(
                    url=one_line(server.get("url", "")),
                    description=clean(server.get("description", "")),
                    variables=variables,
                )
            )
        return tuple(servers)

    def schemes(self) -> tuple[Scheme, ...]:
        kinds = {
            "apiKey": "API key",
            "oauth2": "OAuth 2.0",
            "openIdConnect": "OpenID Connect",
            "mutualTLS": "Mutual TLS",
        }
        schemes = []
        raw_schemes = _dict(_dict(self.data.get("components")).get("securitySchemes"))
        for name, raw in raw_schemes.items():
            scheme = _dict(self.resolve(raw))
            kind = str(scheme.get("type", ""))
            label, where, parameter = kinds.get(kind, one_line(kind)), "", ""
            if kind == "apiKey":
                location = one_line(scheme.get("in", ""))
                where = "query parameter" if location == "query" else location
                parameter = one_line(scheme.get("name", ""))
            elif kind == "http":
                label = f"HTTP {one_line(scheme.get('scheme', ''))} authentication"
                where = "Authorization header"
            schemes.append(
                Scheme(
                    name=one_line(name),
                    anchor=self.anchors.new("security", str(name)),
                    kind=label,
                    where=where,
                    parameter=parameter,
                    description=clean(scheme.get("description", "")),
                )
            )
        return tuple(schemes)

    def reference(self) -> Reference:
        info = _dict(self.data.get("info"))
        schemas = _dict(_dict(self.data.get("components")).get("schemas"))
        schema_views = tuple(
            self.schema_view(link.label, link.anchor, schemas[name])
            for name, link in self.schema_links.items()
        )
        operations = self.operations()
        return Reference(
            title=one_line(info.get("title", "")) or "API reference",
            version=one_line(info.get("version", "")),
            openapi=one_line(self.data.get("openapi", "")),
            description=clean(info.get("description", "")),
            servers=self.servers(),
            schemes=self.schemes(),
            tags=self.tags(operations),
            schemas=schema_views,
        )


def build_reference(data: dict[str, Any]) -> Reference:
    """The views of the bundled spec ``data``."""
    return _Builder(data).reference()
