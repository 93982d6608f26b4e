"""Check a bundled spec: openapi-spec-validator, and the rules it does not have.

openapi-spec-validator checks the document against the OpenAPI 3.x schema and a few semantic
rules, but reports most of the latter without a location. Its keyword validators are wrapped
here so that every error carries the place it was found at. On top of it this stage checks
that every ``$ref`` resolves, that no ``$ref`` chain loops on itself, that every operation has
a unique operationId, and that every example (schema ``example``/``examples``, media type,
parameter and header ``example`` and ``examples`` maps) validates against its schema.
"""

from __future__ import annotations

import copy as copy_module
import functools
import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

# openapi-spec-validator picks its schema backend by what happens to be installed, and the two
# word their messages differently; the same spec must get the same report everywhere. The Rust
# one (jsonschema-rs, pinned in requirements-dev.txt) checks a large spec twice as fast.
os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = "jsonschema-rs"

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema_path import SchemaPath
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from scripts.bundle import Bundle
from scripts.methods import HTTP_METHODS
from scripts.pointers import join_pointer, lookup
from scripts.problems import Problem
from scripts.schema_check import remembering_schema_checks

_SPEC_URI = "urn:ecs-tasks:spec"
_MAX_MESSAGE = 300

# Keywords whose value is a subschema, a list of subschemas, or a map of subschemas.
_SUBSCHEMA = (
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
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def validate(spec: Bundle) -> list[Problem]:
    """Every problem in the bundled spec, each reported once at its source location."""
    problems = list(spec.problems)
    broken: list[str] = []
    for pointer, message in _reference_problems(spec.data):
        problems.append(spec.locate(join_pointer(pointer, "$ref"), message))
        broken.append(pointer)
    # The validators below follow references; a broken one is replaced by an empty schema so
    # that they can still report everything else.
    data = _without_references(spec.data, broken) if broken else spec.data
    for pointer, message in _validator_problems(data):
        problems.append(spec.locate(pointer, message))
    for pointer, message in _operation_id_problems(data):
        problems.append(spec.locate(pointer, message))
    for pointer, message in _example_problems(data):
        problems.append(spec.locate(pointer, message))
    for pointer, message in _field_name_problems(data):
        problems.append(spec.locate(pointer, message))
    return problems


def validate_derived(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(pointer, message) for each problem of a document derived from a valid spec, such as
    its OpenAPI 3.0 rendering: it has no source file, so problems are not located here."""
    checks = (
        _reference_problems,
        _validator_problems,
        _operation_id_problems,
        _example_problems,
    )
    return [problem for check in checks for problem in check(data)]


def _shorten(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


# --- references --------------------------------------------------------------------------


def _iter_refs(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """(pointer of the object holding ``$ref``, the ``$ref`` value) for every reference."""
    if isinstance(value, dict):
        if "$ref" in value:
            yield pointer, value["$ref"]
        for key, item in value.items():
            if key != "$ref":
                yield from _iter_refs(item, join_pointer(pointer, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _iter_refs(item, join_pointer(pointer, index))


def _reference_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(pointer of the object holding ``$ref``, message) for each reference that leads nowhere,
    or into a loop of objects that are nothing but references (reported once per loop)."""
    targets: dict[str, str] = {}
    for pointer, ref in _iter_refs(data):
        if not isinstance(ref, str) or not ref.startswith("#"):
            continue  # external references were resolved (or reported) by the bundler
        if lookup(data, ref[1:])[0]:
            targets[pointer] = ref[1:]
        else:
            yield pointer, f"unresolvable $ref '{ref}': nothing at that place"
    in_loops: set[str] = set()
    for start in targets:
        if start in in_loops:
            continue
        chain = [start]
        current = targets.get(start)
        while current is not None and current not in chain:
            chain.append(current)
            current = targets.get(current)
        if current == start:
            in_loops.update(chain)
            loop = " -> ".join("#" + p for p in [*chain, start])
            yield start, f"cyclic $ref: {loop}"


def _without_references(data: Any, broken: list[str]) -> Any:
    """A copy of ``data`` in which the objects at ``broken`` lose their ``$ref``."""
    copy = copy_module.deepcopy(data)
    for pointer in broken:
        holder = lookup(copy, pointer)[1]
        if isinstance(holder, dict):
            holder.pop("$ref", None)
    return copy


# --- openapi-spec-validator -----------------------------------------------------------------


def _locating(cls: type[Any]) -> type[Any]:
    """A keyword validator that stamps the place it works on onto the errors it finds."""

    class Locating(cls):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
            place = next((arg for arg in args if isinstance(arg, SchemaPath)), None)
            for error in super().__call__(*args, **kwargs):
                if place is not None and not hasattr(error, "ecs_parts"):
                    error.ecs_parts = (*place.parts, *error.path)
                yield error

    Locating.__name__ = cls.__name__
    return Locating


@functools.cache
def _validator_class(version: str) -> type[Any]:
    base: type[Any] = OpenAPIV30SpecValidator if version == "3.0" else OpenAPIV31SpecValidator
    wrapped = {
        name: _locating(remembering_schema_checks(cls) if name == "schema" else cls)
        for name, cls in base.keyword_validators.items()
    }
    return type(f"Locating{base.__name__}", (base,), {"keyword_validators": wrapped})


def _bundle_pointer(data: Any, parts: tuple[Any, ...]) -> str:
    """Turn a validator's path, which runs through references, into a pointer in the bundle."""
    pointer = ""
    node = data
    for part in parts:
        token = str(part)
        while isinstance(node, dict) and token not in node and isinstance(node.get("$ref"), str):
            pointer = node["$ref"][1:]
            node = lookup(data, pointer)[1]
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return join_pointer(pointer, token)
        pointer = join_pointer(pointer, token)
    return pointer


def _most_specific(error: ValidationError) -> ValidationError:
    """The deepest of an error's alternatives (for anyOf/oneOf), which names the real mistake."""
    while error.context:
        error = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.schema_path)))
    return error


def _validator_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if "openapi" not in data:
        if "swagger" in data:
            yield "/swagger", "Swagger (OpenAPI 2.0) is not supported: convert it to OpenAPI 3"
        else:
            yield "", "not an OpenAPI document: the 'openapi' version field is missing"
        return
    version = str(data["openapi"])
    if not version.startswith(("3.0.", "3.1.")):
        yield "/openapi", f"unsupported OpenAPI version '{version}': expected 3.0.x or 3.1.x"
        return
    validator = _validator_class(version[:3])(data)
    for error in validator.iter_errors():
        if isinstance(error, DuplicateOperationIDError):
            continue  # reported by _operation_id_problems with both places
        parts = getattr(error, "ecs_parts", None)
        if parts is None:
            error = _most_specific(error)
            parts = tuple(error.absolute_path)
        # Wrapped errors repeat the failing schema after the message; the message is enough.
        message = error.message.split("\n\nFailed validating")[0]
        yield _bundle_pointer(data, parts), _shorten(message)


# --- operationIds ----------------------------------------------------------------------------


def iter_operations(data: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(pointer, path, method, operation) for every operation under ``paths`` and ``webhooks``."""
    for section in ("paths", "webhooks"):
        items = data.get(section)
        if not isinstance(items, dict):
            continue
        for path, item in items.items():
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    yield join_pointer("", section, path, method), path, method, operation


def _operation_id_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    first: dict[str, str] = {}
    for pointer, path, method, operation in iter_operations(data):
        operation_id = operation.get("operationId")
        if operation_id is None:
            yield pointer, f"operation {method.upper()} {path} has no operationId"
        elif isinstance(operation_id, str):
            if operation_id in first:
                message = (
                    f"operationId '{operation_id}' is not unique (also at #{first[operation_id]})"
                )
                yield join_pointer(pointer, "operationId"), message
            else:
                first[operation_id] = join_pointer(pointer, "operationId")


# --- names that generated code cannot tell apart ---------------------------------------------


def python_field_name(name: str) -> str:
    """The identifier a property name becomes in generated models (as the model generator
    spells it: characters that cannot be in an identifier become underscores)."""
    field = re.sub(r"\W", "_", name)
    return "_" + field if field[:1].isdigit() else field


def _field_name_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Properties of one schema whose names become the same Python field (``job-id``,
    ``job_id``): the model generator would keep one and silently drop the other."""
    components = (data.get("components") or {}).get("schemas") or {}
    roots = [(join_pointer("", "components", "schemas", n), s) for n, s in components.items()]
    roots += [(join_pointer(p, "schema"), c["schema"]) for p, c in _schema_carriers(data)]
    for root_pointer, root in roots:
        for pointer, schema in _subschemas(root, root_pointer):
            properties = schema.get("properties")
            if not isinstance(properties, dict):
                continue
            seen: dict[str, str] = {}
            for name in properties:
                field = python_field_name(name)
                if field in seen:
                    message = (
                        f"properties '{seen[field]}' and '{name}' would both become the Python "
                        f"field '{field}'; rename one"
                    )
                    yield join_pointer(pointer, "properties", name), message
                else:
                    seen[field] = name


# --- examples --------------------------------------------------------------------------------


def _subschemas(schema: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schema at ``pointer`` and every schema nested in it (not following references)."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for key in _SUBSCHEMA:
        if key in schema:
            yield from _subschemas(schema[key], join_pointer(pointer, key))
    for key in _SUBSCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            for index, item in enumerate(schema[key]):
                yield from _subschemas(item, join_pointer(pointer, key, index))
    for key in _SUBSCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            for name, item in schema[key].items():
                yield from _subschemas(item, join_pointer(pointer, key, name))


def _schema_carriers(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every parameter, header and media type object (they hold a schema and examples)."""

    def walk_content(content: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(content, dict):
            for media_type, media in content.items():
                if isinstance(media, dict) and isinstance(media.get("schema"), (dict, bool)):
                    yield join_pointer(pointer, media_type), media

    def walk_holder(holder: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """A parameter, header, request body or response."""
        if not isinstance(holder, dict) or "$ref" in holder:
            return
        if isinstance(holder.get("schema"), (dict, bool)):
            yield pointer, holder
        yield from walk_content(holder.get("content"), join_pointer(pointer, "content"))
        headers = holder.get("headers")
        if isinstance(headers, dict):
            for name, header in headers.items():
                yield from walk_holder(header, join_pointer(pointer, "headers", name))

    def walk_operation(
        operation: dict[str, Any], pointer: str
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        for index, parameter in enumerate(operation.get("parameters") or []):
            yield from walk_holder(parameter, join_pointer(pointer, "parameters", index))
        yield from walk_holder(operation.get("requestBody"), join_pointer(pointer, "requestBody"))
        responses = operation.get("responses")
        if isinstance(responses, dict):
            for status, response in responses.items():
                yield from walk_holder(response, join_pointer(pointer, "responses", status))

    for section in ("paths", "webhooks"):
        for path, item in (data.get(section) or {}).items():
            if isinstance(item, dict):
                for index, parameter in enumerate(item.get("parameters") or []):
                    pointer = join_pointer("", section, path, "parameters", index)
                    yield from walk_holder(parameter, pointer)
    for pointer, _, _, operation in iter_operations(data):
        yield from walk_operation(operation, pointer)
    components = data.get("components") or {}
    for kind in ("parameters", "headers", "requestBodies", "responses"):
        for name, holder in (components.get(kind) or {}).items():
            yield from walk_holder(holder, join_pointer("", "components", kind, name))


def iter_examples(data: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(schema pointer, example pointer, value) for every example in the bundled document."""
    schema_roots = [
        (join_pointer("", "components", "schemas", name), schema)
        for name, schema in ((data.get("components") or {}).get("schemas") or {}).items()
    ]
    for carrier_pointer, carrier in _schema_carriers(data):
        schema_pointer = join_pointer(carrier_pointer, "schema")
        schema_roots.append((schema_pointer, carrier["schema"]))
        for example_pointer, value in _carrier_examples(data, carrier, carrier_pointer):
            yield schema_pointer, example_pointer, value
    for root_pointer, root in schema_roots:
        for pointer, schema in _subschemas(root, root_pointer):
            if "example" in schema:
                yield pointer, join_pointer(pointer, "example"), schema["example"]
            if isinstance(schema.get("examples"), list):
                for index, value in enumerate(schema["examples"]):
                    yield pointer, join_pointer(pointer, "examples", index), value


def _example_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    # A 3.0 schema is JSON Schema draft 4 with OpenAPI's own keywords (nullable, boolean
    # exclusiveMinimum/Maximum); a 3.1 schema is JSON Schema 2020-12.
    if str(data.get("openapi", "")).startswith("3.0."):
        validator_class: type[Any] = OAS30Validator
        resource = DRAFT4.create_resource(data)
    else:
        validator_class = Draft202012Validator
        resource = DRAFT202012.create_resource(data)
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    for schema_pointer, example_pointer, value in iter_examples(data):
        ref = _SPEC_URI + "#" + quote(schema_pointer, safe="/~")
        validator = validator_class({"$ref": ref}, registry=registry)
        for error in validator.iter_errors(value):
            error = best_match([error])
            where = join_pointer(example_pointer, *error.absolute_path)
            message = f"example does not match its schema #{schema_pointer}: {error.message}"
            yield where, _shorten(message)


def _carrier_examples(
    data: dict[str, Any], carrier: dict[str, Any], pointer: str
) -> Iterator[tuple[str, Any]]:
    """A carrier's ``example`` and ``examples`` map, with ``$ref``'d Example Objects followed."""
    if "example" in carrier:
        yield join_pointer(pointer, "example"), carrier["example"]
    named = carrier.get("examples")
    if not isinstance(named, dict):
        return
    for name, example in named.items():
        example_pointer = join_pointer(pointer, "examples", name)
        if isinstance(example, dict) and isinstance(example.get("$ref"), str):
            example_pointer = example["$ref"][1:]
            example = lookup(data, example_pointer)[1]
        if isinstance(example, dict) and "value" in example:
            yield join_pointer(example_pointer, "value"), example["value"]
