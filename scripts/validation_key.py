"""The key under which a clean validation is remembered: the document, its descriptions left out.

A build that finds a spec free of any problem remembers so (see :func:`scripts.build._validate`);
the next build of a spec with the same key is not validated again. Descriptions (of OpenAPI
objects and of schemas) are left out of the key, so that editing one does not cost a whole
validation: no check the build runs reads a description's text. openapi-spec-validator and the
OpenAPI schemas ask only that a description be a string; in a schema ``description`` is an
annotation, which no validator applies to a value; the build's own checks (references, loops,
operationIds, examples, enums, ``x-waiter``) never read one. Only where a description is
reached by the OpenAPI structure is it left out, never in a value (an example, a default, an
enum, an extension), and only in a document whose every reference names a whole component
(``#/components/<kind>/<name>``): another reference could make a description a value or a
schema. Any other document is keyed by its whole content. tests/test_validation.py shows that
rewriting every description this leaves out changes no finding of the build's validation,
over the public and test specs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scripts.cache import digest_value
from scripts.fingerprint import PROJECT_ROOT
from scripts.problems import ERROR, WARNING, UnusableInputError
from scripts.publish import OBJECT_FIELDS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Keywords whose value is a subschema, a list of subschemas, or a map of subschemas.
SUBSCHEMA = (
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")

#: Keys whose string value names another place of the document (or of another one).
_REFERRING = ("$ref", "$dynamicRef", "operationRef")
#: Keys that give a schema a name of its own, which a reference may use instead of a pointer.
_NAMING = ("$id", "$anchor", "$dynamicAnchor")
_WHOLE_COMPONENT = re.compile(r"#/components/[^/]+/[^/]+")


def examples_policy(spec: Path, requested: str | None = None) -> str:
    """How a mismatching example in ``spec`` is reported: as ``requested`` when given; for a
    spec under this project's ``spec/`` folder, as ``[tool.ecs-tasks] examples`` in
    pyproject.toml says; otherwise as a warning. (Here, not in :mod:`scripts.validate`, so
    that a build whose validation is remembered does not import the validators.)"""
    if requested is not None:
        return requested
    own = PROJECT_ROOT / "spec"
    if spec.resolve().is_relative_to(own):
        with (PROJECT_ROOT / "pyproject.toml").open("rb") as handle:
            settings = tomllib.load(handle).get("tool", {}).get("ecs-tasks", {})
        policy = settings.get("examples", WARNING)
        if policy not in (ERROR, WARNING):
            reason = f"[tool.ecs-tasks] examples must be 'error' or 'warning', not {policy!r}"
            raise UnusableInputError(PROJECT_ROOT / "pyproject.toml", reason)
        return str(policy)
    return WARNING


def validation_key(data: dict[str, Any], examples: str) -> str:
    """The key of a clean validation of ``data`` with mismatching examples reported as
    ``examples`` (see the module's docstring)."""
    if _refers_only_to_components(data):
        blanked = rewrite_descriptions(data, lambda _: "")
        return f"descriptions-left-out|{examples}|{digest_value(blanked)}"
    return f"whole|{examples}|{digest_value(data)}"


def _refers_only_to_components(data: Any) -> bool:
    """Whether every reference in ``data`` (also in values, to be safe) names a whole
    component, and no schema names itself."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in _NAMING:
                    return False
                if key in _REFERRING and isinstance(item, str):
                    if not _WHOLE_COMPONENT.fullmatch(item):
                        return False
                elif key == "mapping" and isinstance(item, dict):
                    # A discriminator's mapping may name its schemas by reference.
                    targets = [t for t in item.values() if isinstance(t, str) and "/" in t]
                    if not all(_WHOLE_COMPONENT.fullmatch(t) for t in targets):
                        return False
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return True


def rewrite_descriptions(data: dict[str, Any], rewrite: Callable[[str], str]) -> dict[str, Any]:
    """``data`` with ``rewrite`` applied to the description of every OpenAPI object and schema
    that the key leaves out; what holds no description is shared with ``data``, not copied."""
    return _Rewriter(rewrite).document(data)


class _Rewriter:
    def __init__(self, rewrite: Callable[[str], str]) -> None:
        self.rewrite = rewrite

    def document(self, data: dict[str, Any]) -> dict[str, Any]:
        out = dict(data)
        if isinstance(out.get("info"), dict):
            out["info"] = self.own(out["info"])
        for section in ("paths", "webhooks"):
            if section in out:
                out[section] = self.map_of("pathItem", out[section])
        if "components" in out:
            out["components"] = self.object("components", out["components"])
        return out

    def own(self, holder: dict[str, Any]) -> dict[str, Any]:
        """``holder`` with its own description rewritten."""
        text = holder.get("description")
        return {**holder, "description": self.rewrite(text)} if isinstance(text, str) else holder

    def map_of(self, kind: str, value: Any) -> Any:
        """A map of OpenAPI objects of one kind; its extensions (``x-`` keys) are values."""
        if not isinstance(value, dict):
            return value
        return {
            key: item if key.startswith("x-") else self.object(kind, item)
            for key, item in value.items()
        }

    def object(self, kind: str, value: Any) -> Any:
        """An OpenAPI object of the given kind (see :data:`scripts.publish.OBJECT_FIELDS`)."""
        if kind == "schema":
            return self.schema(value)
        if kind == "callback":
            return self.map_of("pathItem", value)
        if not isinstance(value, dict):
            return value
        out = dict(self.own(value))
        if "$ref" in value:  # a Reference Object: its other fields hold no such objects
            return out
        fields = OBJECT_FIELDS[kind]
        for key, item in value.items():
            if key not in fields:
                continue
            shape, inner = fields[key]
            if shape == "one":
                out[key] = self.object(inner, item)
            elif shape == "list" and isinstance(item, list):
                out[key] = [self.object(inner, element) for element in item]
            else:
                out[key] = self.map_of(inner, item)
        return out

    def schema(self, schema: Any) -> Any:
        """A schema and the schemas in it (references are not followed)."""
        if not isinstance(schema, dict):
            return schema
        out = dict(self.own(schema))
        for key in SUBSCHEMA:
            if key in out:
                out[key] = self.schema(out[key])
        for key in SUBSCHEMA_LISTS:
            if isinstance(out.get(key), list):
                out[key] = [self.schema(item) for item in out[key]]
        for key in SUBSCHEMA_MAPS:
            if isinstance(out.get(key), dict):
                out[key] = {name: self.schema(item) for name, item in out[key].items()}
        return out
