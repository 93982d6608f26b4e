"""What the mock serves, read from a bundled spec: operations, their inputs and their roles.

Two roles come from the spec itself, never from operationIds: the *job query* is the operation
that carries ``x-waiter``; a *task-delivering* operation is one whose success response links
to it. The link also says where the job ID sits in the answer body and which request path
parameters the job query must repeat. Anything the mock could not serve faithfully (cookie
parameters, non-string parameters, other security schemes, other link expressions) is refused
at start-up with :class:`SpecNotServableError` instead of being half-served.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from scripts.bundle import bundle
from scripts.pointers import join_pointer, lookup, split_pointer
from scripts.problems import SpecError
from scripts.validate import iter_operations

#: The URI the spec is registered under, so that every ``$ref`` in it resolves.
SPEC_URI = "urn:ecs-tasks:mock:spec"
_SCHEMAS = "/components/schemas/"
# The two runtime expressions of a link the mock can serve (OpenAPI 3.1, "Runtime Expressions").
_RESPONSE_BODY = "$response.body#"
_REQUEST_PATH = "$request.path."


class SpecNotServableError(Exception):
    """The spec is valid OpenAPI but uses something the mock cannot serve."""


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter and the validator for its raw text."""

    name: str
    location: str
    required: bool
    validator: Draft202012Validator


@dataclass(frozen=True)
class RequestBody:
    """A JSON request body; ``shapes`` names the branches of a ``oneOf``/``anyOf`` body."""

    required: bool
    media_types: frozenset[str]
    validator: Draft202012Validator
    name: str | None
    shapes: tuple[tuple[str, Draft202012Validator], ...]

    def shape_of(self, body: Any) -> str | None:
        """The component name of the schema ``body`` was sent as, when the spec names one."""
        for name, validator in self.shapes:
            if validator.is_valid(body):
                return name
        return self.name


@dataclass(frozen=True)
class TaskDelivery:
    """Role of an operation that delivers a task: answer ``status`` with a fresh job ID.

    The job ID goes into the answer body at ``job_id_pointer``; the job query takes it in its
    ``job_id_parameter``. ``scope`` pairs each other job query path parameter with the path
    parameter of this operation whose value it must repeat (a job belongs to its project).
    """

    status: int
    job_id_pointer: tuple[str, ...]
    job_id_parameter: str
    scope: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class JobQuery:
    """Role of the operation that reports a job's state; ``job_id_parameter`` names the job."""

    job_id_parameter: str


@dataclass(frozen=True)
class Operation:
    """One operation of the spec with everything needed to check and answer a request."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    #: Alternatives of the security requirement, each the header names it needs; an empty
    #: alternative means no credentials are needed, no alternatives at all the same.
    security: tuple[tuple[str, ...], ...]
    role: TaskDelivery | JobQuery | None


@dataclass(frozen=True)
class Api:
    """The operations of a spec, in the order the spec lists them."""

    operations: tuple[Operation, ...]


def load_api(path: Path) -> Api:
    """Read the spec at ``path`` (bundled or not) and derive what the mock serves from it."""
    spec = bundle(path)
    if spec.problems:
        raise SpecError(spec.problems)
    return build_api(spec.data)


def build_api(data: dict[str, Any]) -> Api:
    """Derive the served operations from the data of a bundled spec."""
    return _Reader(data).api()


class _Reader:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        resource = Resource.from_contents(data, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)

    def api(self) -> Api:
        found = [
            (pointer, path, method.upper(), operation)
            for pointer, path, method, operation in iter_operations(self.data)
            if pointer.startswith("/paths/")
        ]
        waiters = [entry for entry in found if "x-waiter" in entry[3]]
        if len(waiters) != 1:
            raise SpecNotServableError(
                f"expected one operation with x-waiter (the job query), found {len(waiters)}"
            )
        waiter = waiters[0]
        roles: dict[str, TaskDelivery | JobQuery | None] = {
            pointer: self._task_delivery(pointer, path, operation, waiter)
            for pointer, path, _, operation in found
            if pointer != waiter[0]
        }
        job_id_parameters = {role.job_id_parameter for role in roles.values() if role is not None}
        if len(job_id_parameters) > 1:
            names = ", ".join(sorted(job_id_parameters))
            raise SpecNotServableError(f"links feed the job ID into different parameters: {names}")
        roles[waiter[0]] = JobQuery(job_id_parameters.pop()) if job_id_parameters else None
        return Api(
            tuple(
                Operation(
                    operation_id=str(operation.get("operationId", f"{method} {path}")),
                    method=method,
                    path=path,
                    parameters=tuple(self._parameters(pointer, path, operation)),
                    body=self._body(
                        join_pointer(pointer, "requestBody"), operation.get("requestBody")
                    ),
                    security=self._security(pointer, operation),
                    role=roles[pointer],
                )
                for pointer, path, method, operation in found
            )
        )

    # --- references ------------------------------------------------------------------------

    def resolve(self, pointer: str, node: Any) -> tuple[str, Any]:
        """Follow ``$ref`` chains; returns the pointer and the value finally reached."""
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            reference: str = node["$ref"]
            if not reference.startswith("#") or reference in seen:
                raise SpecNotServableError(f"{pointer}: cannot follow $ref {reference!r}")
            seen.add(reference)
            pointer = reference[1:]
            found, node = lookup(self.data, pointer)
            if not found:
                raise SpecNotServableError(f"{pointer}: $ref {reference!r} leads nowhere")
        return pointer, node

    def validator(self, pointer: str) -> Draft202012Validator:
        """A JSON Schema 2020-12 validator for the schema at ``pointer`` in the spec."""
        return Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry)

    # --- inputs ----------------------------------------------------------------------------

    def _parameters(
        self, pointer: str, path: str, operation: dict[str, Any]
    ) -> Iterator[Parameter]:
        item_pointer = join_pointer("/paths", path)
        item = self.resolve(item_pointer, self.data["paths"][path])[1]
        declared: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        # Operation-level parameters override path-level ones of the same name and location.
        for owner_pointer, owner in ((item_pointer, item), (pointer, operation)):
            for index, entry in enumerate(owner.get("parameters", [])):
                where, parameter = self.resolve(
                    join_pointer(owner_pointer, "parameters", index), entry
                )
                declared[(parameter["name"], parameter["in"])] = (where, parameter)
        for (name, location), (where, parameter) in declared.items():
            if location not in ("path", "query", "header"):
                raise SpecNotServableError(f"{where}: {location} parameters are not supported")
            schema_pointer, schema = self.resolve(
                join_pointer(where, "schema"), parameter.get("schema")
            )
            # Parameters arrive as text and are checked as text, which is only faithful for
            # string schemas; the mock refuses others rather than guess at their coercion.
            if not isinstance(schema, dict) or schema.get("type") != "string":
                raise SpecNotServableError(f"{where}: only string parameters are supported")
            yield Parameter(
                name=name,
                location=location,
                required=bool(parameter.get("required", False)),
                validator=self.validator(schema_pointer),
            )

    def _body(self, pointer: str, node: Any) -> RequestBody | None:
        if node is None:
            return None
        pointer, body = self.resolve(pointer, node)
        content: dict[str, Any] = body.get("content", {})
        json_types = [name for name in content if _is_json(name)]
        if not json_types:
            raise SpecNotServableError(f"{pointer}: only JSON request bodies are supported")
        schema_pointer = join_pointer(pointer, "content", json_types[0], "schema")
        name, target, schema = self._named_schema(schema_pointer, content[json_types[0]]["schema"])
        branches = [
            self._named_schema(join_pointer(target, keyword, index), branch)
            for keyword in ("oneOf", "anyOf")
            for index, branch in enumerate(schema.get(keyword, []))
        ]
        # Shapes are only useful when every branch has a name to tell it by.
        named = all(branch_name is not None for branch_name, _, _ in branches)
        return RequestBody(
            required=bool(body.get("required", False)),
            media_types=frozenset(media_type_essence(name) for name in json_types),
            validator=self.validator(schema_pointer),
            name=name,
            shapes=tuple(
                (str(branch_name), self.validator(branch_pointer))
                for branch_name, branch_pointer, _ in (branches if named else [])
            ),
        )

    def _named_schema(self, pointer: str, node: Any) -> tuple[str | None, str, dict[str, Any]]:
        """The schema reached from ``node``, and the last component name on the way there."""
        name = None
        while isinstance(node, dict) and "$ref" in node:
            pointer, node = self.resolve(pointer, {"$ref": node["$ref"]})
            if pointer.startswith(_SCHEMAS):
                name = split_pointer(pointer)[2]
        return name, pointer, node if isinstance(node, dict) else {}

    def _security(self, pointer: str, operation: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
        requirements = operation.get("security", self.data.get("security", []))
        schemes = self.data.get("components", {}).get("securitySchemes", {})
        alternatives = []
        for requirement in requirements:
            headers = []
            for scheme_name in requirement:
                where = join_pointer("/components/securitySchemes", scheme_name)
                scheme = self.resolve(where, schemes.get(scheme_name))[1]
                kind = (scheme.get("type"), scheme.get("in")) if isinstance(scheme, dict) else None
                if kind != ("apiKey", "header"):
                    raise SpecNotServableError(
                        f"{pointer}: security scheme {scheme_name!r} is not an API key in a "
                        "header, the only kind the mock checks"
                    )
                headers.append(str(scheme["name"]))
            alternatives.append(tuple(headers))
        return tuple(alternatives)

    # --- roles -----------------------------------------------------------------------------

    def _task_delivery(
        self,
        pointer: str,
        path: str,
        operation: dict[str, Any],
        waiter: tuple[str, str, str, dict[str, Any]],
    ) -> TaskDelivery | None:
        """The role of an operation whose lowest 2xx response links to the job query."""
        waiter_pointer, waiter_path, _, waiter_operation = waiter
        responses = operation.get("responses", {})
        # Ranges such as "2XX" cannot be answered as such; the mock needs an exact status.
        statuses = sorted(str(code) for code in responses if re.fullmatch(r"2\d\d", str(code)))
        for status in statuses:
            where, response = self.resolve(
                join_pointer(pointer, "responses", status), responses[status]
            )
            for name, entry in response.get("links", {}).items():
                link_pointer, link = self.resolve(join_pointer(where, "links", name), entry)
                if link.get("operationRef") == "#" + waiter_pointer or (
                    "operationId" in link
                    and link["operationId"] == waiter_operation.get("operationId")
                ):
                    return _delivery(link_pointer, int(status), link, path, waiter_path)
        return None


def _delivery(
    pointer: str, status: int, link: dict[str, Any], path: str, waiter_path: str
) -> TaskDelivery:
    """Read a link to the job query: which body field is the job ID, which values carry over."""
    job_id: tuple[str, tuple[str, ...]] | None = None
    scope = []
    for parameter, expression in link.get("parameters", {}).items():
        if "{" + parameter + "}" not in waiter_path:
            raise SpecNotServableError(
                f"{pointer}: {parameter!r} is not a job query path parameter"
            )
        text = str(expression)
        source = text.removeprefix(_REQUEST_PATH)
        if text.startswith(_RESPONSE_BODY + "/") and job_id is None:
            job_id = (parameter, tuple(split_pointer(text.removeprefix(_RESPONSE_BODY))))
        elif text.startswith(_REQUEST_PATH) and "{" + source + "}" in path:
            scope.append((parameter, source))
        else:
            raise SpecNotServableError(
                f"{pointer}: cannot serve {parameter!r}: {text!r}; the mock understands one "
                "$response.body#/POINTER and any $request.path.NAME of the linking operation"
            )
    if job_id is None:
        raise SpecNotServableError(f"{pointer}: no parameter takes the job ID from the body")
    return TaskDelivery(status, job_id[1], job_id[0], tuple(scope))


def media_type_essence(media_type: str) -> str:
    """``application/json`` of ``Application/JSON; charset=utf-8``: type and subtype only."""
    return media_type.split(";", 1)[0].strip().lower()


def _is_json(media_type: str) -> bool:
    """Whether a media type is JSON (``application/json`` or a ``+json`` type)."""
    essence = media_type_essence(media_type)
    return essence == "application/json" or essence.endswith("+json")
