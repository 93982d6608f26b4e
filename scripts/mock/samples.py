"""Sample values made from JSON Schemas: what the mock answers where a spec gives no example.

The value is the first the schema suggests: ``const``, an example, ``default``, the first of
``enum``; otherwise one is built from ``type`` and the constraints that are easy to meet
(lengths, bounds, item counts, common formats, simple patterns). Every optional property is
included up to a depth, so the answer shows the whole shape. A sample is checked against its
schema by the caller: a complex ``pattern`` or a ``not``, say, may not be met.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

# The regular expression parser of the re module: typeshed does not describe it.
re_parser: Any = importlib.import_module("re._parser")

#: Below this depth only required properties are filled in, which ends recursive schemas.
_FULL_DEPTH = 6
#: A required property this deep is given up on (``None``): a schema that requires itself.
_MAX_DEPTH = 32
_FORMATS = {
    "date-time": "2016-04-25T20:04:34.604Z",
    "date": "2016-04-25",
    "time": "20:04:34Z",
    "email": "user@example.com",
    "uuid": "bae51750-0089-41a1-9b18-5c777978ff6d",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "ZXhhbXBsZQ==",
}

#: Follows a ``$ref`` and returns the schema it reaches.
Resolver = Callable[[dict[str, Any]], Any]


def sample(schema: Any, resolve: Resolver, depth: int = 0) -> Any:
    """A value for ``schema``, whose ``$ref`` are followed with ``resolve``."""
    if depth > _MAX_DEPTH or not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        return sample(resolve(schema), resolve, depth + 1)
    for keyword in ("const", "example", "default"):
        if keyword in schema:
            return schema[keyword]
    for keyword in ("examples", "enum"):
        values = schema.get(keyword)
        if isinstance(values, list) and values:
            return values[0]
    if isinstance(schema.get("allOf"), list):
        merged: Any = None
        for part in schema["allOf"]:
            value = sample(part, resolve, depth + 1)
            merged = (
                {**merged, **value}
                if isinstance(merged, dict) and isinstance(value, dict)
                else value
            )
        own = {key: value for key, value in schema.items() if key != "allOf"}
        rest = _typed(own, resolve, depth) if own.get("properties") else None
        return {**merged, **rest} if isinstance(merged, dict) and isinstance(rest, dict) else merged
    for keyword in ("oneOf", "anyOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list) and branches:
            return sample(branches[0], resolve, depth + 1)
    return _typed(schema, resolve, depth)


def _typed(schema: dict[str, Any], resolve: Resolver, depth: int) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((name for name in kind if name != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        required = schema.get("required", [])
        properties = schema.get("properties", {})
        return {
            name: sample(property_schema, resolve, depth + 1)
            for name, property_schema in properties.items()
            if depth < _FULL_DEPTH or name in required
        }
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        if schema.get("maxItems") == 0:
            return []
        return [sample(schema.get("items", {}), resolve, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    text = _FORMATS.get(str(schema.get("format")), "string")
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        text = _matching(pattern) or text
    minimum, maximum = int(schema.get("minLength", 0)), schema.get("maxLength")
    text = text.ljust(minimum, "x")
    return text[: int(maximum)] if isinstance(maximum, int) else text


def _matching(pattern: str) -> str | None:
    """The shortest text of a simple regular expression, if it is simple enough."""
    try:
        text = _shortest(re_parser.parse(pattern))
    except (re.error, _TooHardError, RecursionError, OverflowError):
        return None
    return text if re.search(pattern, text) else None


class _TooHardError(Exception):
    """A construct :func:`_shortest` does not make text for (a lookaround, a backreference)."""


_CATEGORIES = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}


def _shortest(items: Any) -> str:
    text = ""
    for opcode, argument in items:
        name = str(opcode)
        if name == "LITERAL":
            text += chr(argument)
        elif name == "ANY":
            text += "a"
        elif name == "IN":
            text += _member(argument)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _, body = argument
            text += _shortest(body) * low
        elif name == "SUBPATTERN":
            text += _shortest(argument[-1])
        elif name == "ATOMIC_GROUP":
            text += _shortest(argument)
        elif name == "BRANCH":
            text += _shortest(argument[1][0])
        elif name != "AT":
            raise _TooHardError(name)
    return text


def _member(items: Any) -> str:
    """A character of a class ``[...]``."""
    for opcode, argument in items:
        name = str(opcode)
        if name == "NEGATE":
            raise _TooHardError(name)
        if name == "LITERAL":
            return chr(argument)
        if name == "RANGE":
            return chr(argument[0])
        if name == "CATEGORY" and str(argument) in _CATEGORIES:
            return _CATEGORIES[str(argument)]
    raise _TooHardError("IN")


def _number(schema: dict[str, Any], *, integer: bool) -> int | float:
    value: float = 0
    if isinstance(schema.get("minimum"), (int, float)):
        value = schema["minimum"]
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        value = max(value, schema["exclusiveMinimum"] + 1)
    if isinstance(schema.get("maximum"), (int, float)):
        value = min(value, schema["maximum"])
    if isinstance(schema.get("exclusiveMaximum"), (int, float)):
        value = min(value, schema["exclusiveMaximum"] - 1)
    step = schema.get("multipleOf")
    if isinstance(step, (int, float)) and step > 0:
        value = -(-value // step) * step
    return int(value) if integer or float(value).is_integer() else value
