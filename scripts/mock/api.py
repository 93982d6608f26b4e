"""What the mock serves, read from a bundled spec: operations, their inputs and their answers.

Two roles come from the spec itself, never from operationIds: the *job query* is the operation
that carries ``x-waiter``; a *task-delivering* operation is one whose success response links
to it. The link also says where the job ID sits in the answer body and which request path
parameters the job query must repeat. Every other operation answers its lowest 2xx response
with the spec's example, or a sample made from the response schema.

What the mock cannot check or answer faithfully is said at start-up as located notes: an
operation it cannot serve at all (an object parameter, say) answers 501 with the reason; a
spec it cannot serve as a whole (two job queries, a link it cannot follow) is refused with
:class:`SpecNotServableError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from scripts.bundle import bundle
from scripts.mock.samples import sample
from scripts.pointers import join_pointer, lookup, split_pointer
from scripts.problems import Problem, SpecError
from scripts.validate import iter_operations

#: The URI the spec is registered under, so that every ``$ref`` in it resolves.
SPEC_URI = "urn:ecs-tasks:mock:spec"
_SCHEMAS = "/components/schemas/"
# The two runtime expressions of a link the mock can serve (OpenAPI 3.1, "Runtime Expressions").
_RESPONSE_BODY = "$response.body#"
_REQUEST_PATH = "$request.path."
#: Parameter types the mock reads from text; arrays of them too.
_SCALARS = ("string", "integer", "number", "boolean")
FORM = "application/x-www-form-urlencoded"

#: Places a problem about the bundled value at a JSON pointer in its source file.
Locate = Callable[[str, str], Problem]


class SpecNotServableError(Exception):
    """The spec is valid OpenAPI but the mock cannot serve it; ``problems`` say where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.format() for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Parameter:
    """A parameter, how to read its text (``kind``, arrays: ``item_kind``), and its validator.

    ``explode`` says whether an array query parameter repeats its name (``?a=1&a=2``) or
    joins its values with commas (``?a=1,2``).
    """

    name: str
    location: str
    required: bool
    kind: str
    item_kind: str
    explode: bool
    validator: Draft202012Validator


@dataclass(frozen=True)
class RequestBody:
    """A request body; ``shapes`` names the branches of a ``oneOf``/``anyOf`` JSON body.

    ``media_types`` are the declared types (``image/*`` patterns kept); ``checked`` the ones
    whose content is parsed and validated (JSON and form-urlencoded); others are checked by
    their type only. ``validator`` checks a parsed body; ``kinds`` read form fields.
    """

    required: bool
    media_types: tuple[str, ...]
    checked: frozenset[str]
    validator: Draft202012Validator | None
    name: str | None
    shapes: tuple[tuple[str, Draft202012Validator], ...]
    kinds: tuple[tuple[str, str, str], ...] = ()

    def shape_of(self, body: Any) -> str | None:
        """The component name of the schema ``body`` was sent as, when the spec names one."""
        for name, validator in self.shapes:
            if validator.is_valid(body):
                return name
        return self.name


@dataclass(frozen=True)
class Credential:
    """Where a security scheme's credential arrives: ``kind`` is ``header``, ``query``,
    ``cookie`` (an API key named ``name``), ``bearer`` or ``basic`` (``Authorization``)."""

    kind: str
    name: str


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
class Answer:
    """The fixed answer of an operation without a job role: status, media type and body."""

    status: int
    media_type: str | None
    content: bytes


@dataclass(frozen=True)
class Operation:
    """One operation of the spec with everything needed to check and answer a request."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    #: Alternatives of the security requirement, each the credentials it needs; an empty
    #: alternative means no credentials are needed, no alternatives at all the same.
    security: tuple[tuple[Credential, ...], ...]
    role: TaskDelivery | JobQuery | None
    answer: Answer | None = None
    #: Why the mock cannot serve this operation (it answers 501 saying so), if it cannot.
    unservable: str | None = None


@dataclass(frozen=True)
class Api:
    """The operations of a spec, in the order the spec lists them, and the start-up notes."""

    operations: tuple[Operation, ...]
    notes: tuple[Problem, ...] = ()


class _UnservableError(Exception):
    """An operation the mock cannot serve: ``pointer`` is where, the message says why."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(reason)
        self.pointer = pointer


def load_api(path: Path) -> Api:
    """Read the spec at ``path`` (bundled or not) and derive what the mock serves from it."""
    spec = bundle(path)
    if spec.problems:
        raise SpecError(spec.problems)
    return build_api(spec.data, spec.locate)


def build_api(data: dict[str, Any], locate: Locate | None = None) -> Api:
    """Derive the served operations from the data of a bundled spec."""
    return _Reader(data, locate or _unlocated).api()


def _unlocated(pointer: str, message: str) -> Problem:
    return Problem(Path("<spec>"), 1, 1, message, pointer)


class _Reader:
    def __init__(self, data: dict[str, Any], locate: Locate) -> None:
        self.data = data
        self.locate = locate
        self.notes: list[Problem] = []
        schemas = _as_json_schema(data) if str(data.get("openapi", "")).startswith("3.0") else data
        resource = Resource.from_contents(schemas, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)

    def api(self) -> Api:
        found = [
            (pointer, path, method.upper(), operation)
            for pointer, path, method, operation in iter_operations(self.data)
            if pointer.startswith("/paths/")
        ]
        waiters = [entry for entry in found if "x-waiter" in entry[3]]
        if len(waiters) > 1:
            raise SpecNotServableError(
                [
                    self.locate(join_pointer(pointer, "x-waiter"), "the mock serves one job query")
                    for pointer, *_ in waiters
                ]
            )
        waiter = waiters[0] if waiters else None
        roles: dict[str, TaskDelivery | JobQuery | None] = {
            pointer: None if waiter is None else self._task_delivery(pointer, operation, waiter)
            for pointer, _, _, operation in found
        }
        job_id_parameters = {role.job_id_parameter for role in roles.values() if role is not None}
        if len(job_id_parameters) > 1:
            names = ", ".join(sorted(job_id_parameters))
            raise SpecNotServableError(
                [self.locate(waiter[0] if waiter else "", f"links feed the job ID into {names}")]
            )
        if waiter is not None:
            roles[waiter[0]] = JobQuery(job_id_parameters.pop()) if job_id_parameters else None
        operations = tuple(
            self._operation(pointer, path, method, operation, roles[pointer])
            for pointer, path, method, operation in found
        )
        return Api(operations, tuple(self.notes))

    def _operation(
        self,
        pointer: str,
        path: str,
        method: str,
        operation: dict[str, Any],
        role: TaskDelivery | JobQuery | None,
    ) -> Operation:
        name = str(operation.get("operationId", f"{method} {path}"))
        try:
            return Operation(
                operation_id=name,
                method=method,
                path=path,
                parameters=tuple(self._parameters(pointer, path, operation)),
                body=self._body(join_pointer(pointer, "requestBody"), operation.get("requestBody")),
                security=self._security(pointer, operation),
                role=role,
                answer=None if role is not None else self._answer(pointer, operation),
            )
        except _UnservableError as exc:
            self.notes.append(self.locate(exc.pointer, f"{name} answers 501: {exc}"))
            return Operation(name, method, path, (), None, (), None, None, str(exc))

    def note(self, pointer: str, message: str) -> None:
        """Say at start-up that something at ``pointer`` is served with a limitation."""
        self.notes.append(self.locate(pointer, message))

    # --- references ------------------------------------------------------------------------

    def resolve(self, pointer: str, node: Any) -> tuple[str, Any]:
        """Follow ``$ref`` chains; returns the pointer and the value finally reached."""
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            reference: str = node["$ref"]
            if not reference.startswith("#") or reference in seen:
                raise _UnservableError(pointer, f"cannot follow $ref {reference!r}")
            seen.add(reference)
            pointer = reference[1:]
            found, node = lookup(self.data, pointer)
            if not found:
                raise _UnservableError(pointer, f"$ref {reference!r} leads nowhere")
        return pointer, node

    def validator(self, pointer: str) -> Draft202012Validator:
        """A JSON Schema 2020-12 validator for the schema at ``pointer`` in the spec."""
        return Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry)

    def _schema_kind(self, pointer: str, schema: Any) -> str:
        """The JSON type a text value of ``schema`` is read as: a scalar type or ``array``."""
        pointer, schema = self.resolve(pointer, schema)
        if not isinstance(schema, dict):
            return "string"
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((name for name in kind if name != "null"), None)
        if kind is None and ("properties" in schema or "additionalProperties" in schema):
            kind = "object"
        if kind in (*_SCALARS, "array") or kind is None:
            return str(kind or "string")
        raise _UnservableError(pointer, f"cannot read a {kind} from text")

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
            if "schema" not in parameter:
                raise _UnservableError(where, "parameters described by content are not supported")
            schema_pointer = join_pointer(where, "schema")
            kind = self._schema_kind(schema_pointer, parameter["schema"])
            item_kind = "string"
            if kind == "array":
                items = self.resolve(schema_pointer, parameter["schema"])[1].get("items", {})
                item_kind = self._schema_kind(join_pointer(schema_pointer, "items"), items)
                if item_kind == "array":
                    raise _UnservableError(where, "arrays of arrays cannot be read from text")
            style = parameter.get("style", "form" if location in ("query", "cookie") else "simple")
            if style not in ("form", "simple"):
                raise _UnservableError(where, f"style {style!r} is not supported")
            yield Parameter(
                name=name,
                location=location,
                required=bool(parameter.get("required", False)),
                kind=kind,
                item_kind=item_kind,
                explode=bool(parameter.get("explode", style == "form")),
                validator=self.validator(schema_pointer),
            )

    def _body(self, pointer: str, node: Any) -> RequestBody | None:
        if node is None:
            return None
        pointer, body = self.resolve(pointer, node)
        content: dict[str, Any] = body.get("content", {})
        checked = [name for name in content if _is_json(name) or media_type_essence(name) == FORM]
        unchecked = [name for name in content if name not in checked]
        if unchecked:
            self.note(
                join_pointer(pointer, "content", unchecked[0]),
                f"request bodies of type {', '.join(unchecked)} are checked for their type only",
            )
        media_types = tuple(media_type_essence(name) for name in content)
        if not checked:
            return RequestBody(bool(body.get("required")), media_types, frozenset(), None, None, ())
        chosen = checked[0]
        media = content[chosen] if isinstance(content[chosen], dict) else {}
        schema_pointer = join_pointer(pointer, "content", chosen, "schema")
        name, target, schema = self._named_schema(schema_pointer, media.get("schema", {}))
        branches = [
            self._named_schema(join_pointer(target, keyword, index), branch)
            for keyword in ("oneOf", "anyOf")
            for index, branch in enumerate(schema.get(keyword, []))
        ]
        # Shapes are only useful when every branch has a name to tell it by.
        named = all(branch_name is not None for branch_name, _, _ in branches)
        return RequestBody(
            required=bool(body.get("required", False)),
            media_types=media_types,
            checked=frozenset(media_type_essence(name) for name in checked),
            validator=self.validator(schema_pointer) if "schema" in media else None,
            name=name,
            shapes=tuple(
                (str(branch_name), self.validator(branch_pointer))
                for branch_name, branch_pointer, _ in (branches if named else [])
            ),
            kinds=tuple(self._form_kinds(target, schema)),
        )

    def _form_kinds(self, pointer: str, schema: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
        """(field, kind, item kind) of each property, to read a form-urlencoded body."""
        for name, property_schema in schema.get("properties", {}).items():
            where = join_pointer(pointer, "properties", name)
            try:
                kind = self._schema_kind(where, property_schema)
                items = self.resolve(where, property_schema)[1]
                item_kind = (
                    self._schema_kind(join_pointer(where, "items"), items.get("items", {}))
                    if kind == "array"
                    else "string"
                )
            except _UnservableError:
                continue  # a JSON-valued form field: sent as text, validated as text
            yield name, kind, item_kind

    def _named_schema(self, pointer: str, node: Any) -> tuple[str | None, str, dict[str, Any]]:
        """The schema reached from ``node``, and the last component name on the way there."""
        name = None
        while isinstance(node, dict) and "$ref" in node:
            pointer, node = self.resolve(pointer, {"$ref": node["$ref"]})
            if pointer.startswith(_SCHEMAS):
                name = split_pointer(pointer)[2]
        return name, pointer, node if isinstance(node, dict) else {}

    def _security(
        self, pointer: str, operation: dict[str, Any]
    ) -> tuple[tuple[Credential, ...], ...]:
        requirements = operation.get("security", self.data.get("security", []))
        schemes = self.data.get("components", {}).get("securitySchemes", {})
        alternatives = []
        for requirement in requirements:
            credentials = []
            for scheme_name in requirement:
                where = join_pointer("/components/securitySchemes", scheme_name)
                scheme = self.resolve(where, schemes.get(scheme_name))[1]
                credentials.append(_credential(where, scheme))
            alternatives.append(tuple(credentials))
        return tuple(alternatives)

    # --- answers ---------------------------------------------------------------------------

    def _answer(self, pointer: str, operation: dict[str, Any]) -> Answer:
        """The lowest 2xx response (or ``default``) with its example or a sample."""
        responses = operation.get("responses", {})
        codes = sorted(str(code) for code in responses if re.fullmatch(r"2(\d\d|XX)", str(code)))
        code = codes[0] if codes else "default" if "default" in responses else None
        if code is None:
            if responses:
                raise _UnservableError(join_pointer(pointer, "responses"), "no 2xx response")
            self.note(pointer, "no responses are declared; answered 204 without a body")
            return Answer(204, None, b"")
        where, response = self.resolve(join_pointer(pointer, "responses", code), responses[code])
        status = int(code.replace("XX", "00")) if code != "default" else 200
        content = response.get("content") or {}
        if not content or status in (204, 205, 304):
            return Answer(status, None, b"")
        chosen = next((name for name in content if _is_json(name)), next(iter(content)))
        media_pointer = join_pointer(where, "content", chosen)
        media = self.resolve(media_pointer, content[chosen])[1]
        media_type = "application/json" if "*" in chosen else chosen
        value = self._example(media_pointer, media)
        if _is_json(media_type) or "*" in chosen:
            return Answer(status, media_type, json.dumps(value).encode())
        if isinstance(value, str):
            return Answer(status, media_type, value.encode())
        self.note(media_pointer, f"answers of type {chosen} are served empty (no text example)")
        return Answer(status, media_type, b"")

    def _example(self, pointer: str, media: dict[str, Any]) -> Any:
        """The first of the media type's examples that matches its schema, else a sample.

        An example that does not match is said at start-up; it is still served when the
        sample made from the schema does not match either.
        """
        schema_pointer = join_pointer(pointer, "schema")
        validator = self.validator(schema_pointer) if "schema" in media else None
        candidates: list[tuple[str, Any]] = []
        if "example" in media:
            candidates.append((join_pointer(pointer, "example"), media["example"]))
        for name, entry in (media.get("examples") or {}).items():
            where, example = self.resolve(join_pointer(pointer, "examples", name), entry)
            if isinstance(example, dict) and "value" in example:
                candidates.append((join_pointer(where, "value"), example["value"]))
        for _, value in candidates:
            if validator is None or validator.is_valid(value):
                return value
        made = sample(media.get("schema", {}), lambda node: self.resolve(schema_pointer, node)[1])
        made_matches = validator is None or validator.is_valid(made)
        if candidates:
            where, value = candidates[0]
            if made_matches:
                self.note(
                    where,
                    "this example does not match its schema; served: a value made from the schema",
                )
                return made
            self.note(
                where,
                "this example does not match its schema, nor does a value made "
                "from it; served: the example",
            )
            return value
        if not made_matches:
            self.note(schema_pointer, "the value made from this schema does not match it")
        return made

    # --- roles -----------------------------------------------------------------------------

    def _task_delivery(
        self,
        pointer: str,
        operation: dict[str, Any],
        waiter: tuple[str, str, str, dict[str, Any]],
    ) -> TaskDelivery | None:
        """The role of an operation whose lowest 2xx response links to the job query."""
        waiter_pointer, waiter_path, _, waiter_operation = waiter
        if pointer == waiter_pointer:
            return None
        path = split_pointer(pointer)[1]
        responses = operation.get("responses", {})
        # Ranges such as "2XX" cannot be answered as such; the mock needs an exact status.
        statuses = sorted(str(code) for code in responses if re.fullmatch(r"2\d\d", str(code)))
        try:
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
        except _UnservableError as exc:
            raise SpecNotServableError([self.locate(exc.pointer, str(exc))]) from None
        return None


def _as_json_schema(value: Any) -> Any:
    """A copy of OpenAPI 3.0 data whose schemas say in JSON Schema what 3.0 says its own way:
    ``nullable: true`` adds ``null`` to the type (and enum), boolean ``exclusiveMinimum`` and
    ``exclusiveMaximum`` become the bound itself."""
    if isinstance(value, list):
        return [_as_json_schema(item) for item in value]
    if not isinstance(value, dict):
        return value
    copy = {key: _as_json_schema(item) for key, item in value.items()}
    if copy.get("nullable") is True:
        if isinstance(copy.get("type"), str):
            copy["type"] = [copy["type"], "null"]
        if isinstance(copy.get("enum"), list) and None not in copy["enum"]:
            copy["enum"] = [*copy["enum"], None]
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(copy.get(exclusive), bool):
            flag = copy.pop(exclusive)
            if flag and bound in copy:
                copy[exclusive] = copy.pop(bound)
    return copy


def _credential(pointer: str, scheme: Any) -> Credential:
    """Where the credential of a security scheme arrives."""
    kind = scheme.get("type") if isinstance(scheme, dict) else None
    if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
        return Credential(str(scheme["in"]), str(scheme["name"]))
    if kind == "http" and str(scheme.get("scheme", "")).lower() in ("bearer", "basic"):
        return Credential(str(scheme["scheme"]).lower(), "Authorization")
    if kind in ("oauth2", "openIdConnect"):
        return Credential("bearer", "Authorization")
    raise _UnservableError(pointer, "this security scheme is not one the mock checks")


def _delivery(
    pointer: str, status: int, link: dict[str, Any], path: str, waiter_path: str
) -> TaskDelivery:
    """Read a link to the job query: which body field is the job ID, which values carry over."""
    job_id: tuple[str, tuple[str, ...]] | None = None
    scope = []
    for parameter, expression in link.get("parameters", {}).items():
        if "{" + parameter + "}" not in waiter_path:
            raise _UnservableError(pointer, f"{parameter!r} is not a job query path parameter")
        text = str(expression)
        source = text.removeprefix(_REQUEST_PATH)
        if text.startswith(_RESPONSE_BODY + "/") and job_id is None:
            job_id = (parameter, tuple(split_pointer(text.removeprefix(_RESPONSE_BODY))))
        elif text.startswith(_REQUEST_PATH) and "{" + source + "}" in path:
            scope.append((parameter, source))
        else:
            raise _UnservableError(
                pointer,
                f"cannot serve {parameter!r}: {text!r}; the mock understands one "
                "$response.body#/POINTER and any $request.path.NAME of the linking operation",
            )
    if job_id is None:
        raise _UnservableError(pointer, "the link does not say where the job ID is")
    return TaskDelivery(status, job_id[1], job_id[0], tuple(scope))


def media_type_essence(media_type: str) -> str:
    """``application/json`` of ``Application/JSON; charset=utf-8``: type and subtype only."""
    return media_type.split(";", 1)[0].strip().lower()


def media_type_matches(declared: str, received: str) -> bool:
    """Whether a received media type (essence) fits a declared one, ``image/*`` included."""
    if declared in (received, "*/*"):
        return True
    return declared.endswith("/*") and received.startswith(declared[:-1])


def _is_json(media_type: str) -> bool:
    """Whether a media type is JSON (``application/json`` or a ``+json`` type)."""
    essence = media_type_essence(media_type)
    return essence == "application/json" or essence.endswith("+json")
