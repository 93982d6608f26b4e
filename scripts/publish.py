"""Render the bundled spec as published files: YAML and JSON as written, and an OpenAPI 3.0 YAML."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from scripts.fragments import Fragments
from scripts.methods import HTTP_METHODS
from scripts.pointers import copy_tree, lookup

try:  # libyaml's emitter is much faster; the output is the same.
    _Dumper: type[Any] = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Dumper = yaml.SafeDumper


def to_yaml(data: Any) -> str:
    """Block-style YAML in the spec's own key order, UTF-8 text kept as it is."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_published(data: dict[str, Any], fragments: Fragments | None = None) -> dict[str, bytes]:
    """The published files of a bundled spec, by name; with ``fragments``, the pieces of them
    an earlier build made from the same parts of a spec are taken from there."""
    fragments = fragments or Fragments()
    downgraded = to_openapi_30(data)
    return {
        "openapi.yaml": _in_pieces(data, _YAML, fragments).encode(),
        "openapi.json": _in_pieces(data, _JSON, fragments).encode(),
        "openapi-3.0.yaml": _in_pieces(downgraded, _YAML, fragments).encode(),
    }


# --- published files in pieces -----------------------------------------------------------------

#: Top-level fields whose entries (and, for components, whose entries' entries) are written
#: one by one: the parts of a spec that grow with it.
_SPLIT = {"paths": 1, "webhooks": 1, "x-webhooks": 1, "components": 2}


@dataclass(frozen=True)
class _Format:
    """A way to write a document, and how its text is made of the texts of its entries.

    YAML (block style) and indented JSON write a mapping entry after entry, each at an
    indentation that depends on its depth alone: the text of an entry is that of a document
    holding only it (inside its parents), less the parents' lines around it.
    tests/test_build_cache.py shows that the pieces joined are the whole, byte for byte.
    """

    name: str
    dump: Callable[[Any], str]
    #: The lines before (``head``) and after (``tail``) the entry at ``path`` in a document
    #: that holds only it and its parents.
    head: Callable[[tuple[str, ...]], str]
    tail: Callable[[tuple[str, ...]], str]
    #: The lines that open and close the mapping at ``path``, around its entries.
    opening: Callable[[tuple[str, ...]], str]
    closing: Callable[[tuple[str, ...]], str]
    separator: str
    #: Whether a value that appears twice is written differently (as an anchor and aliases).
    aliases: bool

    def entry(self, path: tuple[str, ...], value: Any) -> str | None:
        """The text of the entry at ``path``; None if it cannot be cut out of the document
        (a parent key written in another form than the one expected)."""
        document: Any = value
        for key in reversed(path):
            document = {key: document}
        text = self.dump(document)
        head, tail = self.head(path), self.tail(path)
        if not (text.startswith(head) and text.endswith(tail)):
            return None
        return text[len(head) : len(text) - len(tail)]


def _indent(depth: int) -> str:
    return "  " * depth


def _json_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


_YAML = _Format(
    name="yaml",
    dump=to_yaml,
    head=lambda path: "".join(f"{_indent(i)}{key}:\n" for i, key in enumerate(path[:-1])),
    tail=lambda path: "",
    opening=lambda path: f"{_indent(len(path) - 1)}{path[-1]}:\n",
    closing=lambda path: "",
    separator="",
    aliases=True,
)
_JSON = _Format(
    name="json",
    dump=to_json,
    head=lambda path: (
        "{\n"
        + "".join(f"{_indent(i + 1)}{_json_key(key)}: {{\n" for i, key in enumerate(path[:-1]))
    ),
    tail=lambda path: (
        "".join(f"\n{_indent(i + 1)}}}" for i in reversed(range(len(path) - 1))) + "\n}\n"
    ),
    opening=lambda path: f"{_indent(len(path))}{_json_key(path[-1])}: {{\n",
    closing=lambda path: f"\n{_indent(len(path))}}}",
    separator=",\n",
    aliases=False,
)


def _in_pieces(document: dict[str, Any], form: _Format, fragments: Fragments) -> str:
    """``form.dump(document)``, made entry by entry, each taken from ``fragments`` when an
    earlier build made it from the same value at the same place; made whole where a value
    appears twice (YAML numbers its anchors across the whole document) or an entry cannot
    be cut out."""
    if not document or (form.aliases and _shares_values(document)):
        return form.dump(document)
    pieces = []
    for key, value in document.items():
        piece = _piece(form, fragments, (key,), value, _SPLIT.get(key, 0))
        if piece is None:
            return form.dump(document)
        pieces.append(piece)
    return form.head(("",)) + form.separator.join(pieces) + form.tail(("",))


def _piece(
    form: _Format, fragments: Fragments, path: tuple[str, ...], value: Any, levels: int
) -> str | None:
    """The text of the entry at ``path``, its entries made one by one ``levels`` deep."""
    if levels and isinstance(value, dict) and value and all(isinstance(k, str) for k in path):
        pieces = []
        for key, item in value.items():
            piece = _piece(form, fragments, (*path, key), item, levels - 1)
            if piece is None:
                return None
            pieces.append(piece)
        return form.opening(path) + form.separator.join(pieces) + form.closing(path)
    if not all(isinstance(key, str) for key in path[:-1]):
        return None
    return fragments.text(f"published-{form.name}", (path, value), lambda: form.entry(path, value))


def _shares_values(document: Any) -> bool:
    """Whether a mapping or list appears more than once in ``document``."""
    seen: set[int] = set()
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            items: Any = value.values()
        elif isinstance(value, list):
            items = value
        else:
            continue
        if id(value) in seen:
            return True
        seen.add(id(value))
        stack.extend(items)
    return False


# --- OpenAPI 3.0 -----------------------------------------------------------------------------

OPENAPI_30 = "3.0.3"

#: How the fields of each OpenAPI object the conversion walks into hold other such objects:
#: ("one", kind) a single object, ("list", kind) a list of them, ("map", kind) a map of them.
#: Fields not listed here hold nothing that differs between 3.0 and 3.1 and are copied.
OBJECT_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "pathItem": {
        **dict.fromkeys(HTTP_METHODS, ("one", "operation")),
        "parameters": ("list", "parameter"),
    },
    "operation": {
        "parameters": ("list", "parameter"),
        "requestBody": ("one", "requestBody"),
        "responses": ("map", "response"),
        "callbacks": ("map", "callback"),
    },
    "parameter": {
        "schema": ("one", "schema"),
        "content": ("map", "mediaType"),
        "examples": ("map", "example"),
    },
    "header": {
        "schema": ("one", "schema"),
        "content": ("map", "mediaType"),
        "examples": ("map", "example"),
    },
    "requestBody": {"content": ("map", "mediaType")},
    "response": {
        "headers": ("map", "header"),
        "content": ("map", "mediaType"),
        "links": ("map", "link"),
    },
    "mediaType": {
        "schema": ("one", "schema"),
        "examples": ("map", "example"),
        "encoding": ("map", "encoding"),
    },
    "encoding": {"headers": ("map", "header")},
    "components": {
        "schemas": ("map", "schema"),
        "responses": ("map", "response"),
        "parameters": ("map", "parameter"),
        "examples": ("map", "example"),
        "requestBodies": ("map", "requestBody"),
        "headers": ("map", "header"),
        "securitySchemes": ("map", "securityScheme"),
        "links": ("map", "link"),
        "callbacks": ("map", "callback"),
    },
    "example": {},
    "link": {},
    "securityScheme": {},
}

#: The Schema Object keywords of OpenAPI 3.0. Every other keyword is JSON Schema that 3.0
#: cannot express (``$id``, ``if``, ``patternProperties``, ``unevaluatedProperties``, ...);
#: it is left out, which makes the 3.0 schema accept more, never less, than the 3.1 one.
_SCHEMA_30_KEYWORDS = frozenset(
    {
        "$ref",
        "title",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "maxProperties",
        "minProperties",
        "required",
        "enum",
        "type",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "items",
        "properties",
        "additionalProperties",
        "description",
        "format",
        "default",
        "nullable",
        "discriminator",
        "readOnly",
        "writeOnly",
        "xml",
        "externalDocs",
        "example",
        "deprecated",
    }
)

#: A bound keyword -> (inclusive keyword, exclusive keyword, "the inclusive bound is stricter").
_BOUNDS: dict[str, tuple[str, str, Callable[[Any, Any], bool]]] = {
    "minimum": ("minimum", "exclusiveMinimum", operator.gt),
    "exclusiveMinimum": ("minimum", "exclusiveMinimum", operator.gt),
    "maximum": ("maximum", "exclusiveMaximum", operator.lt),
    "exclusiveMaximum": ("maximum", "exclusiveMaximum", operator.lt),
}


#: The answer the 3.0 rendering gives an operation whose 3.1 source describes none.
NO_RESPONSES = "Unspecified: the OpenAPI 3.1 source describes no response."


def to_openapi_30(data: dict[str, Any]) -> dict[str, Any]:
    """The same API described in OpenAPI 3.0.3, for tools that cannot read 3.1.

    A 3.0 document is returned as it is. The input is never changed, and the result shares no
    object with it or with itself (YAML would otherwise write anchors and aliases).
    """
    if str(data.get("openapi", "")).startswith("3.0."):
        unchanged: dict[str, Any] = copy_tree(data)
        return unchanged
    return _Downgrade(data).document()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_null_only(schema: Any) -> bool:
    """A 3.1 schema that allows nothing but null: the null branch of a nullable anyOf/oneOf."""
    return isinstance(schema, dict) and schema.get("type") in ("null", ["null"])


class _Downgrade:
    """One conversion of a 3.1 document; it knows the document to inline path item references."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def document(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.data.items():
            if key == "openapi":
                out[key] = OPENAPI_30
            elif key == "info":
                out[key] = _info(value)
            elif key == "paths":
                out[key] = self.map_of("pathItem", value, extensible=True)
            elif key == "webhooks":
                # 3.0 has no webhooks; Redoc and Redocly read this extension in their place.
                out["x-webhooks"] = self.map_of("pathItem", value)
            elif key == "components":
                out[key] = self.walk("components", value)
            elif key != "jsonSchemaDialect":  # the 3.0 schema dialect is fixed
                out[key] = copy_tree(value)
        out.setdefault("paths", {})  # optional in 3.1, required in 3.0
        return out

    def walk(self, kind: str, value: Any) -> Any:
        """The 3.0 form of an OpenAPI object of the given kind."""
        if kind == "schema":
            return _schema(value)
        if not isinstance(value, dict):
            return copy_tree(value)
        if kind == "pathItem":
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/pathItems/"):
                # 3.0 has no reusable path items, so the one referenced takes the reference's
                # place; fields beside the reference win, as they would in a merge.
                rest = {key: item for key, item in value.items() if key != "$ref"}
                return self.walk(kind, {**self.resolve(ref), **rest})
        elif "$ref" in value:
            # 3.0 Reference Objects take no other field: 3.1's summary and description
            # overrides have no 3.0 form, and the target's own text is shown instead.
            return {"$ref": copy_tree(value["$ref"])}
        if kind == "callback":
            return self.map_of("pathItem", value, extensible=True)
        fields = OBJECT_FIELDS[kind]
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "pathItems" and kind == "components":
                continue  # every reference to one was replaced by the path item itself
            if key not in fields:
                out[key] = copy_tree(item)
                continue
            shape, inner = fields[key]
            if shape == "one":
                out[key] = self.walk(inner, item)
            elif shape == "list" and isinstance(item, list):
                out[key] = [self.walk(inner, element) for element in item]
            else:
                # Like Paths and Callback, Responses may hold extensions among its entries.
                out[key] = self.map_of(inner, item, extensible=key == "responses")
        if kind == "operation":
            # Optional in 3.1, required in 3.0; validation warns where the source has none.
            out.setdefault("responses", {"default": {"description": NO_RESPONSES}})
        return out

    def map_of(self, kind: str, value: Any, *, extensible: bool = False) -> Any:
        """A map of objects of one kind; in an ``extensible`` map, ``x-`` keys are extensions."""
        if not isinstance(value, dict):
            return copy_tree(value)
        return {
            key: copy_tree(item) if extensible and key.startswith("x-") else self.walk(kind, item)
            for key, item in value.items()
        }

    def resolve(self, ref: str) -> Any:
        return lookup(self.data, ref[1:])[1]


def _info(info: Any) -> Any:
    """3.0 Info has no ``summary``, and its License no SPDX ``identifier``, only a ``url``."""
    if not isinstance(info, dict):
        return copy_tree(info)
    out = {key: copy_tree(value) for key, value in info.items() if key != "summary"}
    license_ = out.get("license")
    if isinstance(license_, dict) and "identifier" in license_:
        identifier = license_.pop("identifier")
        license_.setdefault("url", f"https://spdx.org/licenses/{identifier}.html")
    return out


def _schema(schema: Any) -> Any:
    """The 3.0 form of a 3.1 Schema Object (a JSON Schema 2020-12 schema), and of its parts."""
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    if not isinstance(schema, dict):
        return copy_tree(schema)
    out: dict[str, Any] = {}
    nullable = False
    for key, value in schema.items():
        if key == "type":
            types = value if isinstance(value, list) else [value]
            nullable = nullable or "null" in types
            others = [kind for kind in types if kind != "null"]
            if len(others) == 1:
                out["type"] = others[0]
            elif len(others) > 1:
                alternatives = [{"type": kind} for kind in others]
                if "anyOf" in schema:  # the schema's own anyOf must hold as well
                    out.setdefault("allOf", []).append({"anyOf": alternatives})
                else:
                    out["anyOf"] = alternatives
            else:  # null and nothing else: 3.0 says so with an enum
                out["enum"] = [None]
            if nullable:
                out["nullable"] = True  # beside the type, where a reader looks for it
        elif key == "const":
            out["enum"] = [copy_tree(value)]
            nullable = nullable or value is None
        elif key == "examples":
            if "example" not in schema and isinstance(value, list) and value:
                out["example"] = copy_tree(value[0])  # 3.0 has room for one example
        elif key in _BOUNDS:
            out.update(_bound(schema, key))
        elif key in ("anyOf", "oneOf") and isinstance(value, list):
            # 3.1 writes a nullable choice as one more branch that allows only null.
            nullable = nullable or any(_is_null_only(branch) for branch in value)
            branches = [_schema(branch) for branch in value if not _is_null_only(branch)]
            if branches:  # 3.0 wants at least one; null alone is said by nullable
                out[key] = branches
        elif key == "allOf" and isinstance(value, list):
            out.setdefault("allOf", []).extend(_schema(branch) for branch in value)
        elif key == "items":
            if "prefixItems" not in schema:  # else it is read with them, below
                out[key] = _schema(value)
        elif key == "not":
            out[key] = _schema(value)
        elif key == "additionalProperties":
            out[key] = value if isinstance(value, bool) else _schema(value)
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: _schema(item) for name, item in value.items()}
        elif key == "contentEncoding":
            if value == "base64" and "format" not in schema:
                out["format"] = "byte"
        elif key == "contentMediaType":
            if "contentEncoding" not in schema and "format" not in schema:
                out["format"] = "binary"
        elif key == "required":
            if value:  # 3.0 wants at least one name
                out[key] = copy_tree(value)
        elif key in _SCHEMA_30_KEYWORDS or key.startswith("x-"):
            out[key] = copy_tree(value)
    if isinstance(schema.get("prefixItems"), list):
        out.update(_tuple_items(schema, schema["prefixItems"]))
    if out.get("type") == "array" and "items" not in out:
        out["items"] = {}  # required in 3.0; an empty schema allows what 3.1 allowed
    if nullable:
        out["nullable"] = True
    if "$ref" in out and len(out) > 1:
        # 3.0 ignores whatever stands beside a $ref, so the reference moves into an allOf;
        # its description, default and extensions stay where the author put them.
        siblings = {key: value for key, value in out.items() if key not in ("$ref", "allOf")}
        out = {"allOf": [{"$ref": out["$ref"]}, *out.get("allOf", [])], **siblings}
    return out


def _bound(schema: dict[str, Any], key: str) -> dict[str, Any]:
    """The 3.0 form of the lower or upper bound ``key`` belongs to.

    3.1 writes an exclusive bound as a number of its own; 3.0 as a flag on the inclusive one.
    When a schema has both, the stricter one is kept.
    """
    inclusive, exclusive, inclusive_is_stricter = _BOUNDS[key]
    limit, open_limit = schema.get(inclusive), schema.get(exclusive)
    if not _is_number(open_limit):
        return {} if limit is None else {inclusive: limit}
    if limit is not None and inclusive_is_stricter(limit, open_limit):
        return {inclusive: limit}
    return {inclusive: open_limit, exclusive: True}


def _tuple_items(schema: dict[str, Any], prefix: list[Any]) -> dict[str, Any]:
    """3.0 has no tuples: each item must match one of the positions' schemas instead."""
    items = schema.get("items", True)
    if items is True:
        return {}  # later items may be anything, so nothing can be said of every item
    branches = [_schema(branch) for branch in prefix]
    if items is False:
        length = min(len(prefix), schema.get("maxItems", len(prefix)))
        return {"items": {"anyOf": branches}, "maxItems": length}
    return {"items": {"anyOf": [*branches, _schema(items)]}}
