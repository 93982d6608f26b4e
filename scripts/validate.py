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
from typing import Any, cast
from urllib.parse import quote, unquote

# openapi-spec-validator picks its schema backend by what happens to be installed, and the two
# word their messages differently; the same spec must get the same report everywhere. The Rust
# one (jsonschema-rs, pinned in requirements-dev.txt) checks a large spec twice as fast.
os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = "jsonschema-rs"

import pathable.accessors
from jsonschema import Draft202012Validator
from jsonschema import validators as validators_module
from jsonschema.exceptions import UnknownType, ValidationError, best_match
from jsonschema_path import SchemaPath
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.schemas import schema_v30, schema_v31
from openapi_spec_validator.validation.exceptions import (
    DuplicateOperationIDError,
    OpenAPIValidationError,
)
from openapi_spec_validator.validation.keywords import ValueValidator
from pathable.protocols import Subscriptable
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from scripts.bundle import Bundle
from scripts.methods import HTTP_METHODS
from scripts.pointers import MAX_CHAIN, join_pointer, lookup, resolve
from scripts.problems import ERROR, WARNING, Problem
from scripts.schema_check import remembering_schema_checks
from scripts.validation_key import SUBSCHEMA, SUBSCHEMA_LISTS, SUBSCHEMA_MAPS
from scripts.validation_key import examples_policy as examples_policy

_SPEC_URI = "urn:ecs-tasks:spec"
#: The largest enum the models are generated for; see _enum_size_problems.
MAX_ENUM_VALUES = 10_000
_MAX_MESSAGE = 300


#: Whether a value of each type a loaded spec is made of is a pathable ``Subscriptable``: such
#: a value has no attributes of its own, so its type decides.
_SUBSCRIPTABLE_TYPES: dict[type, bool] = {
    kind: issubclass(kind, Subscriptable)
    for kind in (dict, list, str, int, float, bool, type(None))
}


class _QuickSubscriptable(type):
    """pathable's ``Subscriptable`` protocol as an ``isinstance`` check, answered once per type
    of JSON value.

    openapi-spec-validator walks the spec through pathable, which asks whether each node it
    steps into is a Subscriptable. On Python 3.11 a runtime protocol check gathers the
    protocol's members again every time: about 20 µs, 70,000 times for a 500-operation spec
    and its 3.0 rendering, a third of the validator's time. The answer is the protocol's own;
    tests/test_validation.py compares the two.
    """

    def __instancecheck__(cls, value: object) -> bool:
        answer = _SUBSCRIPTABLE_TYPES.get(type(value))
        return isinstance(value, Subscriptable) if answer is None else answer


# pathable looks the name up when it checks a node; nothing else of it changes. A pathable
# whose module no longer holds the protocol under that name keeps its own check.
if getattr(pathable.accessors, "Subscriptable", None) is Subscriptable:
    pathable.accessors.Subscriptable = _QuickSubscriptable("Subscriptable", (), {})  # type: ignore[attr-defined,assignment]


def validate(spec: Bundle, *, examples: str = WARNING) -> list[Problem]:
    """Every problem in the bundled spec, each reported once at its source location.

    Errors and warnings both; ``examples`` says which of the two a mismatching example is
    (OpenAPI says examples SHOULD match their schema, so other people's specs get warnings).
    """
    problems = list(spec.problems)
    broken: list[str] = []
    for pointer, message in _reference_problems(spec.data):
        problems.append(spec.locate(join_pointer(pointer, "$ref"), message))
        broken.append(pointer)
    # The validators below follow references; a broken one is replaced by an empty schema so
    # that they can still report everything else.
    data = _without_references(spec.data, broken) if broken else spec.data
    malformed = _malformed_paths(data)
    for pointer, message in malformed:
        problems.append(spec.locate(pointer, message))
    if malformed:  # the validator below would stop at the first with an exception
        data = {**data, "paths": {k: v for k, v in data["paths"].items() if not _bad_template(k)}}
    cycles = _all_of_cycles(data)
    for pointer, message in cycles:
        problems.append(spec.locate(pointer, message))
    if cycles:
        return problems  # every other check would follow the loop without end
    for pointer, message, severity in _validator_problems(data):
        problems.append(_at(spec, pointer, message, severity))
    for pointer, message in _operation_id_problems(data):
        problems.append(spec.locate(pointer, message))
    for pointer, message in _example_problems(data):
        problems.append(_at(spec, pointer, message, examples))
    for pointer, message in _enum_size_problems(data):
        problems.append(spec.locate(pointer, message))
    for pointer, message in waiter_problems(data):
        problems.append(spec.locate(pointer, message))
    for pointer, message in _no_responses(data):
        problems.append(spec.locate(pointer, message).as_warning())
    return problems


def _at(spec: Bundle, pointer: str, message: str, severity: str) -> Problem:
    problem = spec.locate(pointer, message)
    return problem.as_warning() if severity == WARNING else problem


def validate_derived(data: dict[str, Any], *, examples: str = WARNING) -> list[tuple[str, str]]:
    """(pointer, message) for each error of a document derived from a valid spec, such as
    its OpenAPI 3.0 rendering: it has no source file, so problems are not located here.

    Its examples are those of the source, already reported there; they are checked again
    only where a mismatching example is an error."""
    found = list(_reference_problems(data))
    found += [(p, m) for p, m, severity in _validator_problems(data) if severity == ERROR]
    found += _operation_id_problems(data)
    if examples == ERROR:
        found += _example_problems(data)
    return found


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


def _ref_target(data: dict[str, Any], ref: str) -> str | None:
    """The pointer of the schema an internal ``$ref`` names, through plain reference chains;
    None for a reference that leads nowhere (reported elsewhere)."""
    target = ref[1:] if ref.startswith("#") else None
    for _ in range(MAX_CHAIN):
        if target is None:
            return None
        found, node = lookup(data, target)
        if not found:
            return None
        if not (isinstance(node, dict) and set(node) == {"$ref"} and isinstance(node["$ref"], str)):
            return target
        target = node["$ref"][1:] if node["$ref"].startswith("#") else None
    return None


def _all_of_cycles(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(pointer of the ``$ref`` that closes the loop, message) for each schema that is, through
    ``allOf``, all of itself: no value could be checked against it, and no model made."""
    edges: dict[str, list[tuple[str, str]]] = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, dict):
            parts = value.get("allOf")
            for index, part in enumerate(parts if isinstance(parts, list) else []):
                where = join_pointer(pointer, "allOf", index)
                ref = part.get("$ref") if isinstance(part, dict) else None
                if isinstance(ref, str):
                    target = _ref_target(data, ref)
                    if target is not None:
                        edges.setdefault(pointer, []).append((target, join_pointer(where, "$ref")))
                else:  # an inline part: its own allOf may lead back
                    edges.setdefault(pointer, []).append((where, where))
            stack.extend((join_pointer(pointer, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((join_pointer(pointer, i), item) for i, item in enumerate(value))
    found: list[tuple[str, str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if state.get(start):
            continue
        path: list[str] = [start]
        state[start] = 1
        iterators = [iter(edges.get(start, []))]
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = 2
                iterators.pop()
                continue
            target, ref_pointer = step
            if state.get(target) == 1:
                loop = [*path[path.index(target) :], target]
                chain = " -> ".join("#" + p for p in loop)
                found.append(
                    (ref_pointer, f"circular allOf: {chain}; a schema cannot include itself")
                )
            elif not state.get(target):
                state[target] = 1
                path.append(target)
                iterators.append(iter(edges.get(target, [])))
    return found


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
    # The value validator checks a schema's `default`, and is handed the schema, not the value.
    below = ("default",) if issubclass(cls, ValueValidator) else ()

    class Locating(cls):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
            place = next((arg for arg in args if isinstance(arg, SchemaPath)), None)
            for error in super().__call__(*args, **kwargs):
                if place is not None and not hasattr(error, "ecs_parts"):
                    # The library re-wraps plain jsonschema errors on the way out, losing any
                    # attribute set here; wrapped first, they keep it.
                    if not isinstance(error, OpenAPIValidationError):
                        error = OpenAPIValidationError.create_from(error)
                    error.ecs_parts = (*place.parts, *below, *error.path)  # type: ignore[attr-defined]
                yield error

        def _collect_properties(self, schema: SchemaPath) -> set[str]:
            # The library's version follows allOf/anyOf/oneOf/items/not without end through a
            # schema that contains itself (an array of arrays of itself); this one stops.
            found: set[str] = set()
            seen: set[int] = set()
            stack = [schema]
            while stack:
                current = stack.pop()
                with current.resolve() as resolved:
                    key = id(resolved.contents)
                if key in seen:
                    continue
                seen.add(key)
                if "properties" in current:
                    found.update(str(name) for name in (current / "properties").read_value())
                for keyword in ("allOf", "anyOf", "oneOf"):
                    if keyword in current:
                        stack.extend(current / keyword)
                stack.extend(current / kw for kw in ("items", "not") if kw in current)
            return found

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
    """The error of the alternative (for anyOf/oneOf) the author most likely meant, which names
    the real mistake: see :func:`_distance`. An object without ``$ref`` is not blamed for failing
    the Reference Object alternative ("'$ref' is a required property")."""
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(next(iter(sub.relative_schema_path), None), []).append(sub)
        meant = [b for b in branches.values() if not all(map(_wants_a_reference, b))]
        chosen = min(meant or list(branches.values()), key=_distance)
        error = max(chosen, key=lambda e: (len(e.absolute_path), -len(e.schema_path)))
    return error


def _wants_a_reference(error: ValidationError) -> bool:
    return error.validator == "required" and error.message.startswith("'$ref'")


def _validator_problems(data: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(pointer, message, severity) for what openapi-spec-validator finds."""
    if "openapi" not in data:
        if "swagger" in data:
            message = "Swagger (OpenAPI 2.0) is not supported: convert it to OpenAPI 3"
            yield "/swagger", message, ERROR
        else:
            yield "", "not an OpenAPI document: the 'openapi' version field is missing", ERROR
        return
    version = str(data["openapi"])
    if not version.startswith(("3.0.", "3.1.")):
        message = f"unsupported OpenAPI version '{version}': expected 3.0.x or 3.1.x"
        yield "/openapi", message, ERROR
        return
    validator = _validator_class(version[:3])(data)
    details: dict[tuple[Any, ...], ValidationError] | None = None
    reported: set[str] = set()  # the library checks some places twice, in different words
    for error in validator.iter_errors():
        if isinstance(error, DuplicateOperationIDError):
            continue  # reported by _operation_id_problems with both places
        parts = getattr(error, "ecs_parts", None)
        if parts is None:
            error = _most_specific(error)
            parts = tuple(error.absolute_path)
        elif error.context:
            deeper = _most_specific(error)
            below = list(deeper.absolute_path)[len(list(error.absolute_path)) :]
            error, parts = deeper, (*parts, *below)
        pointer = _bundle_pointer(data, parts)
        ignored = _ignored_reference_siblings(lookup(data, pointer)[1])
        if not ignored and not error.context and isinstance(error.instance, (dict, list)):
            # The fast schema backend says only that a whole object matches no alternative;
            # the Python one, asked only now, names the field at fault.
            if details is None:
                details = _detailed_errors(data, version[:3])
            detailed = details.get(tuple(str(part) for part in parts))
            if detailed is not None:
                error = detailed
                pointer = _bundle_pointer(data, tuple(detailed.absolute_path))
        if ignored:
            # OpenAPI: other fields of a Reference Object "SHALL be ignored"; say so, once.
            names = ", ".join(f"'{name}'" for name in ignored)
            message = (
                f"{names} next to $ref is ignored: a Reference Object takes only "
                "summary and description (repeat it in the referenced object instead)"
            )
            yield join_pointer(pointer, ignored[0]), message, WARNING
            continue
        if pointer in reported:
            continue
        reported.add(pointer)
        # Wrapped errors repeat the failing schema after the message; the message is enough.
        message = error.message.split("\n\nFailed validating")[0]
        yield pointer, _shorten(message), ERROR


def _detailed_errors(data: dict[str, Any], version: str) -> dict[tuple[Any, ...], ValidationError]:
    """The most specific error below each place where the document breaks the OpenAPI schema,
    by the place, as the (slower, more precise) Python jsonschema finds them."""
    schema = schema_v30 if version == "3.0" else schema_v31
    checker = validators_module.validator_for(schema)(schema)
    found: dict[tuple[Any, ...], ValidationError] = {}
    for error in checker.iter_errors(data):
        place = tuple(str(part) for part in error.absolute_path)
        # "Unevaluated properties" follows from another error of the same object (a missing
        # `in` leaves `name` unevaluated): the other one is the cause.
        if place not in found or found[place].validator == "unevaluatedProperties":
            found[place] = _most_specific(error)
    return found


#: A path template: literal text and ``{name}`` variables, no other brace.
_PATH_TEMPLATE = re.compile(r"[^{}]*(?:\{[^{}]+\}[^{}]*)*")


def _bad_template(path: Any) -> bool:
    return not (isinstance(path, str) and _PATH_TEMPLATE.fullmatch(path))


def _malformed_paths(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Path keys whose braces do not pair up into ``{name}`` template variables."""
    paths = data.get("paths")
    if not isinstance(paths, dict):
        return []
    return [
        (
            join_pointer("", "paths", path),
            f"path '{path}' is not a path template: each '{{' needs its '}}', around a name "
            "(like /servers/{server_id})",
        )
        for path in paths
        if _bad_template(path)
    ]


def _ignored_reference_siblings(node: Any) -> list[str]:
    """The fields of a Reference Object that OpenAPI says are ignored."""
    if not isinstance(node, dict) or "$ref" not in node:
        return []
    return [key for key in node if key not in ("$ref", "summary", "description")]


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


def _operation_id_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Two operations with one operationId. (An operation may have none: the client names its
    method from the HTTP method and path, and webhooks are no client methods at all.)"""
    found: list[tuple[str, str]] = []
    first: dict[str, str] = {}
    for pointer, _, _, operation in iter_operations(data):
        operation_id = operation.get("operationId")
        if isinstance(operation_id, str):
            if operation_id in first:
                message = (
                    f"operationId '{operation_id}' is not unique (also at #{first[operation_id]})"
                )
                found.append((join_pointer(pointer, "operationId"), message))
            else:
                first[operation_id] = join_pointer(pointer, "operationId")
    return found


def _no_responses(data: dict[str, Any]) -> list[tuple[str, str]]:
    """3.1 operations that describe no response (allowed there, not in 3.0): the client
    returns their answer undescribed, and the published 3.0 rendering says so."""
    if str(data.get("openapi", "")).startswith("3.0."):
        return []  # required in 3.0: the schema check reports it as an error
    return [
        (
            pointer,
            f"operation {method.upper()} {path} describes no response; the OpenAPI 3.0 "
            "rendering gives it a default response described as unspecified",
        )
        for pointer, path, method, operation in iter_operations(data)
        if "responses" not in operation
    ]


# --- x-waiter ---------------------------------------------------------------------------------

#: What ``x-waiter`` (on the job query a client's waiter polls) must look like; README
#: ("Generating a client for another spec") documents the same.
WAITER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "success"],
    "additionalProperties": False,
    "properties": {
        "status": {
            "description": "JSON pointer to the status field in the job query's response",
            "type": "string",
            "pattern": "^(/([^~]|~[01])*)+$",
        },
        "success": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "minLength": 1},
        },
        "failure": {
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "minLength": 1},
        },
    },
}


def waiter_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(pointer, message) for each ``x-waiter`` that does not follow :data:`WAITER_SCHEMA`."""
    found: list[tuple[str, str]] = []
    checker = Draft202012Validator(WAITER_SCHEMA)
    for pointer, _, _, operation in iter_operations(data):
        if "x-waiter" not in operation:
            continue
        waiter = operation["x-waiter"]
        where = join_pointer(pointer, "x-waiter")
        for error in sorted(checker.iter_errors(waiter), key=lambda e: list(e.absolute_path)):
            path = list(error.absolute_path)
            message = error.message
            if error.validator == "pattern":
                message = f"{error.instance!r} is not a JSON pointer (like '/status')"
            elif error.validator == "additionalProperties":
                extra = sorted(set(error.instance) - set(WAITER_SCHEMA["properties"]))
                path.append(extra[0])
                message = f"unknown field '{extra[0]}' (known: status, success, failure)"
            found.append((join_pointer(where, *path), f"x-waiter: {message}"))
        if isinstance(waiter, dict):
            success = waiter.get("success")
            for index, value in enumerate(waiter.get("failure") or []):
                if isinstance(success, list) and value in success:
                    message = f"x-waiter: '{value}' is both a success and a failure status"
                    found.append((join_pointer(where, "failure", index), message))
    return found


# --- enums too large to generate ----------------------------------------------------------------


def _all_schemas(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every component schema and every schema of a parameter, header or media type, with
    the schemas nested in them."""
    components = (data.get("components") or {}).get("schemas") or {}
    roots = [(join_pointer("", "components", "schemas", n), s) for n, s in components.items()]
    roots += [(join_pointer(p, "schema"), c["schema"]) for p, c, _ in _schema_carriers(data)]
    for root_pointer, root in roots:
        yield from _subschemas(root, root_pointer)


def _enum_size_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Enums too large for the generated code: formatting and importing it grow with every
    value (100,000 values: about 40 s of formatting, 8 s to import)."""
    for pointer, schema in _all_schemas(data):
        values = schema.get("enum")
        if isinstance(values, list) and len(values) > MAX_ENUM_VALUES:
            message = (
                f"an enum of {len(values):,} values is refused: at most {MAX_ENUM_VALUES:,} are "
                "supported (the package generated for 100,000 takes a minute to build and "
                "seconds to import); describe a longer list as a string with a pattern, or in "
                "the description"
            )
            yield join_pointer(pointer, "enum"), message


# --- examples --------------------------------------------------------------------------------


def _subschemas(schema: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schema at ``pointer`` and every schema nested in it (not following references)."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for key in SUBSCHEMA:
        if key in schema:
            yield from _subschemas(schema[key], join_pointer(pointer, key))
    for key in SUBSCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            for index, item in enumerate(schema[key]):
                yield from _subschemas(item, join_pointer(pointer, key, index))
    for key in SUBSCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            for name, item in schema[key].items():
                yield from _subschemas(item, join_pointer(pointer, key, name))


#: Where an example travels, which decides the properties it may leave out: a required
#: ``readOnly`` property is not sent in a request, a required ``writeOnly`` one not answered.
REQUEST = "request"
RESPONSE = "response"
#: A schema's own example can stand for either direction.
EITHER = "either"
_NOT_DEMANDED = {
    REQUEST: ("readOnly",),
    RESPONSE: ("writeOnly",),
    EITHER: ("readOnly", "writeOnly"),
}
#: Properties that do not travel in that direction at all, so their values are not checked.
_NOT_SENT = {REQUEST: ("readOnly",), RESPONSE: ("writeOnly",), EITHER: ()}


def _schema_carriers(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Every parameter, header and media type object (they hold a schema and examples), with
    the direction its examples travel in."""

    def walk_content(
        content: Any, pointer: str, direction: str
    ) -> Iterator[tuple[str, dict[str, Any], str]]:
        if isinstance(content, dict):
            for media_type, media in content.items():
                if isinstance(media, dict) and isinstance(media.get("schema"), (dict, bool)):
                    yield join_pointer(pointer, media_type), media, direction

    def walk_holder(
        holder: Any, pointer: str, direction: str
    ) -> Iterator[tuple[str, dict[str, Any], str]]:
        """A parameter, header, request body or response."""
        if not isinstance(holder, dict) or "$ref" in holder:
            return
        if isinstance(holder.get("schema"), (dict, bool)):
            yield pointer, holder, direction
        yield from walk_content(holder.get("content"), join_pointer(pointer, "content"), direction)
        headers = holder.get("headers")
        if isinstance(headers, dict):
            for name, header in headers.items():
                yield from walk_holder(header, join_pointer(pointer, "headers", name), direction)

    def walk_operation(
        operation: dict[str, Any], pointer: str
    ) -> Iterator[tuple[str, dict[str, Any], str]]:
        for index, parameter in enumerate(operation.get("parameters") or []):
            yield from walk_holder(parameter, join_pointer(pointer, "parameters", index), REQUEST)
        body = operation.get("requestBody")
        yield from walk_holder(body, join_pointer(pointer, "requestBody"), REQUEST)
        responses = operation.get("responses")
        if isinstance(responses, dict):
            for status, response in responses.items():
                where = join_pointer(pointer, "responses", status)
                yield from walk_holder(response, where, RESPONSE)

    for section in ("paths", "webhooks"):
        for path, item in (data.get(section) or {}).items():
            if isinstance(item, dict):
                for index, parameter in enumerate(item.get("parameters") or []):
                    pointer = join_pointer("", section, path, "parameters", index)
                    yield from walk_holder(parameter, pointer, REQUEST)
    for pointer, _, _, operation in iter_operations(data):
        yield from walk_operation(operation, pointer)
    components = data.get("components") or {}
    for kind, direction in (
        ("parameters", REQUEST),
        ("headers", RESPONSE),
        ("requestBodies", REQUEST),
        ("responses", RESPONSE),
    ):
        for name, holder in (components.get(kind) or {}).items():
            yield from walk_holder(holder, join_pointer("", "components", kind, name), direction)


def _directed_examples(data: dict[str, Any]) -> Iterator[tuple[str, str, Any, str]]:
    """(schema pointer, example pointer, value, direction) for every example in the document."""
    schema_roots = [
        (join_pointer("", "components", "schemas", name), schema, EITHER)
        for name, schema in ((data.get("components") or {}).get("schemas") or {}).items()
    ]
    for carrier_pointer, carrier, direction in _schema_carriers(data):
        schema_pointer = join_pointer(carrier_pointer, "schema")
        schema_roots.append((schema_pointer, carrier["schema"], direction))
        for example_pointer, value in _carrier_examples(data, carrier, carrier_pointer):
            yield schema_pointer, example_pointer, value, direction
    for root_pointer, root, direction in schema_roots:
        for pointer, schema in _subschemas(root, root_pointer):
            if "example" in schema:
                yield pointer, join_pointer(pointer, "example"), schema["example"], direction
            if isinstance(schema.get("examples"), list):
                for index, value in enumerate(schema["examples"]):
                    yield pointer, join_pointer(pointer, "examples", index), value, direction


def iter_examples(data: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(schema pointer, example pointer, value) for every example in the bundled document."""
    for schema_pointer, example_pointer, value, _ in _directed_examples(data):
        yield schema_pointer, example_pointer, value


def _example_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    # A 3.0 schema is JSON Schema draft 4 with OpenAPI's own keywords (nullable, boolean
    # exclusiveMinimum/Maximum); a 3.1 schema is JSON Schema 2020-12.
    if str(data.get("openapi", "")).startswith("3.0."):
        base: type[Any] = OAS30Validator
        resource = DRAFT4.create_resource(data)
    else:
        base = Draft202012Validator
        resource = DRAFT202012.create_resource(data)
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    validators = {
        direction: validators_module.extend(  # type: ignore[no-untyped-call]
            base,
            {
                "required": _required(data, flags),
                "properties": _properties(
                    data, base.VALIDATORS["properties"], _NOT_SENT[direction]
                ),
            },
        )
        for direction, flags in _NOT_DEMANDED.items()
    }
    found: list[tuple[str, str]] = []
    for schema_pointer, example_pointer, value, direction in _directed_examples(data):
        ref = _SPEC_URI + "#" + quote(schema_pointer, safe="/~")
        validator = validators[direction]({"$ref": ref}, registry=registry)
        try:
            errors = list(validator.iter_errors(value))
        except RecursionError:
            message = f"example not checked: its schema #{schema_pointer} nests without end"
            found.append((example_pointer, message))
            continue
        except UnknownType as exc:
            message = (
                f"example not checked: its schema #{schema_pointer} names a type JSON Schema "
                f"does not have ({exc.type!r})"
            )
            found.append((example_pointer, message))
            continue
        for error in errors:
            path, reason = _explain(data, error)
            message = f"example does not match its schema #{schema_pointer}: {reason}"
            found.append((join_pointer(example_pointer, *path), _shorten(message)))
    return found


def _required(data: dict[str, Any], flags: tuple[str, ...]) -> Any:
    """JSON Schema's ``required``, except for properties marked with one of ``flags``."""

    def required(
        validator: Any, names: Any, instance: Any, schema: dict[str, Any]
    ) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object") or not isinstance(names, list):
            return
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        for name in names:
            if name not in instance and not _marked(data, properties.get(name), flags):
                yield ValidationError(f"{name!r} is a required property")

    return required


def _properties(data: dict[str, Any], check: Any, flags: tuple[str, ...]) -> Any:
    """JSON Schema's ``properties``, leaving alone the values of properties marked with one
    of ``flags`` (a ``readOnly`` id in a request example is ignored, as the server would)."""

    def properties(
        validator: Any, schemas: Any, instance: Any, schema: dict[str, Any]
    ) -> Iterator[ValidationError]:
        if flags and isinstance(schemas, dict):
            schemas = {k: v for k, v in schemas.items() if not _marked(data, v, flags)}
        yield from check(validator, schemas, instance, schema)

    return properties


def _marked(data: dict[str, Any], schema: Any, flags: tuple[str, ...], depth: int = 0) -> bool:
    """Whether a property's schema (through references and allOf) sets one of ``flags``."""
    schema = resolve(data, schema)
    if not isinstance(schema, dict) or depth > MAX_CHAIN:
        return False
    if any(schema.get(flag) is True for flag in flags):
        return True
    parts = schema.get("allOf")
    return isinstance(parts, list) and any(_marked(data, p, flags, depth + 1) for p in parts)


def _explain(data: dict[str, Any], error: ValidationError) -> tuple[list[Any], str]:
    """Where below the example an error is, and why; a value that matches none of the
    ``oneOf``/``anyOf`` branches is explained by the branch that came closest."""
    branches: list[str] = []
    while error.validator in ("oneOf", "anyOf") and error.context:
        alternatives = cast(list[Any], error.validator_value)
        by_branch: dict[int, list[ValidationError]] = {}
        for sub in error.context:
            by_branch.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
        if len(by_branch) < len(alternatives):
            break  # some branch matched (a oneOf that matched twice): said as it is
        index = _discriminated(error, alternatives)
        if index is None or index not in by_branch:
            index = min(by_branch, key=lambda i: (_distance(by_branch[i]), i))
        errors = by_branch[index]
        branches.append(_branch_name(error.validator, alternatives[index], index))
        error = best_match(errors)
    path = list(error.absolute_path)
    if not branches:
        return path, error.message
    closest = " -> ".join(branches)
    return path, f"it matches no branch; the closest, {closest}, fails: {error.message}"


def _discriminated(error: ValidationError, alternatives: list[Any]) -> int | None:
    """The branch a ``discriminator`` names for the value, if the schema has one."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    discriminator = schema.get("discriminator")
    instance = error.instance
    if not (isinstance(discriminator, dict) and isinstance(instance, dict)):
        return None
    value = instance.get(discriminator.get("propertyName"))
    if not isinstance(value, str):
        return None
    mapping = discriminator.get("mapping")
    target = mapping.get(value) if isinstance(mapping, dict) else None
    for index, branch in enumerate(alternatives):
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if isinstance(ref, str) and (ref == target or ref.rsplit("/", 1)[-1] == value):
            return index
    return None


def _distance(errors: list[ValidationError]) -> tuple[bool, int, int]:
    """How far a value is from a branch: a wrong type or constant of the value itself or of
    one of its properties (the branch is for another kind of thing: `in: query` for a path
    parameter) is farthest, then more errors, then shallower ones."""
    kind_mismatch = any(
        (not e.path and e.validator in ("type", "const", "enum"))
        or (len(e.path) == 1 and (e.validator == "const" or _single_value_enum(e)))
        for e in errors
    )
    return kind_mismatch, len(errors), -max(len(e.path) for e in errors)


def _single_value_enum(error: ValidationError) -> bool:
    values = error.validator_value
    return error.validator == "enum" and isinstance(values, list) and len(values) == 1


def _branch_name(keyword: Any, branch: Any, index: int) -> str:
    """A branch as the author knows it: the schema it refers to, or its place."""
    if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
        target = branch["$ref"].split("#", 1)[-1]
        return f"{keyword}/{index} (#{unquote(target)})"
    return f"{keyword}/{index}"


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
