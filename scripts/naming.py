"""Every Python name the generator makes, by one rule: safe, unique in its scope, wire name kept.

A name is made in three steps. The *style* turns the spec's spelling (the wire name) into its
natural Python form (``getJob`` -> ``get_job``, ``task response`` -> ``TaskResponse``). If that
form is unusable (a keyword, a builtin the generated code calls, a module it imports, a member
of the client or of pydantic's BaseModel) it gets a trailing underscore (``class_``, ``self_``,
``schema_``). If it is already taken in its scope by another wire name, it gets the first free
suffix ``_2``, ``_3``, ... (``jobId`` next to ``job_id`` gives ``job_id_2``). Wire names that
already are their natural form (``job_id``) are served first, so they keep it whatever their
order; the rest are served in spec order. The same spec therefore always gives the same names,
and every :class:`Name` keeps the wire name beside the Python one, for the request and for the
docstring that shows a rename.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

#: Builtins an argument may shadow: the generated methods never call them, and they are among
#: the most common parameter names. Every other builtin is unusable as an argument.
_SHADOWABLE_BUILTINS = frozenset({"id", "type"})
#: Builtins an argument must not shadow, since generated method bodies may call them. (Only
#: lower-case ones: the styles never make another; Python adds exception classes, not these.)
BUILTINS = frozenset(n for n in dir(builtins) if n.islower() and n[0] != "_") - _SHADOWABLE_BUILTINS
#: Names pycodestyle (ruff E741) calls ambiguous; never generated.
_AMBIGUOUS = frozenset({"l", "O", "I"})

#: Module-level names of the generated ``_client.py`` (and what its method bodies use) that an
#: argument must not hide.
CLIENT_MODULE_NAMES = frozenset(
    {
        "models",
        "httpx",
        "pydantic",
        "typing",
        "json",
        "wait",
        "async_wait",
        "annotations",
        "path_value",
    }
)
#: What every generated method already has besides its parameters.
CALL_INTERNALS = frozenset({"self", "body", "timeout", "max_retries", "cls"})
#: Name of the request body argument of every method that sends one.
BODY_ARGUMENT = "body"
#: Members of the generated clients (public attributes, methods, context-manager and async
#: variants) that an operation's method or a client parameter must not replace.
CLIENT_MEMBERS = frozenset(
    {
        "aclose",
        "auth",
        "base_url",
        "close",
        "http_client",
        "max_in_flight",
        "max_response_bytes",
        "max_retries",
        "timeout",
        "token",
        "wait_for_job",
    }
)
#: Arguments of the client constructors other than the spec's client parameters, and the
#: local names their bodies use.
CONSTRUCTOR_ARGUMENTS = frozenset(
    {
        "self",
        "base_url",
        "token",
        "timeout",
        "max_retries",
        "max_response_bytes",
        "max_in_flight",
        "auth",
        "http_client",
        "url",
    }
)
#: Arguments and locals of ``wait_for_job``, which the job query's parameter must not take.
WAITER_ARGUMENTS = frozenset(
    {
        "self",
        "timeout",
        "poll_interval",
        "max_interval",
        "on_progress",
        "poll",
        "seconds_left",
        "clock",
        "path_value",
    }
)
#: Attributes of pydantic's BaseModel (pydantic 2.x, public API and deprecated v1 names; the
#: ``model_*`` ones are avoided by prefix), of the delivered-task models built on a task model,
#: and builtin types the annotations use: a model field must not shadow them.
MODEL_MEMBERS = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "fields",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
        # the delivered task: `task.wait(...)` and the methods pydantic calls on it
        "wait",
        "model_post_init",
        # types the model annotations name: a field called `str` would hide them
        "bool",
        "bytes",
        "float",
        "frozenset",
        "int",
        "list",
        "object",
        "set",
        "str",
        "tuple",
    }
)
#: Names of ``models.py`` that a model class must not take: what it imports.
MODEL_MODULE_NAMES = frozenset(
    {
        "Annotated",
        "Any",
        "AnyUrl",
        "AwareDatetime",
        "BaseModel",
        "ConfigDict",
        "Enum",
        "Field",
        "Literal",
        "RootModel",
        "UUID",
        "annotations",
    }
)


@dataclass(frozen=True)
class Name:
    """A generated Python name and the wire name it stands for."""

    wire: str  # as the spec spells it: operationId, parameter or property name, ...
    python: str  # the identifier the generated code uses
    natural: str  # what the style made of ``wire`` before safety and uniqueness

    @property
    def renamed(self) -> bool:
        """True when the name had to differ from its natural form (unsafe or taken)."""
        return self.python != self.natural

    def note(self, what: str) -> str:
        """A docstring line saying which wire name ``python`` stands for, when it was renamed;
        ``what`` says what the wire name is (``"query parameter"``, ``"operationId"``)."""
        if not self.renamed:
            return ""
        return (
            f"`{self.python}` is the {what} `{self.wire}` "
            f"(renamed: `{self.natural}` is reserved or already used)."
        )


# --- styles: wire name -> natural Python form ---------------------------------------------


def _words(text: str) -> list[str]:
    """ASCII words of ``text``, split at separators and case changes (``getHTTPStatus`` ->
    ``get HTTP Status``)."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return re.findall(r"[0-9A-Za-z]+", text)


def snake_case(text: str, fallback: str = "name") -> str:
    """``ShowJob`` -> ``show_job``; ``getHTTPStatus`` -> ``get_http_status``; a valid
    identifier that does not start with an underscore (pydantic keeps such fields private):
    ``fallback`` when ``text`` has no ASCII letter or digit, ``fallback_2xx`` for ``2xx``."""
    name = "_".join(_words(text)).lower() or fallback
    return f"{fallback}_{name}" if name[0].isdigit() else name


def pascal_case(text: str, fallback: str = "Model") -> str:
    """``task_response`` -> ``TaskResponse``; words already capitalised keep their case."""
    name = "".join(word[0].upper() + word[1:] for word in _words(text)) or fallback
    return fallback + name if name[0].isdigit() else name


def operation_natural_name(method: str, path: str, operation_id: str | None) -> str:
    """The natural method name of an operation: its operationId, or, without one, a stable
    name from method and path (``GET /things/{id}`` -> ``get_things_by_id``)."""
    if operation_id:
        return snake_case(operation_id, "operation")
    parts = [method.lower()]
    for segment in path.split("/"):
        match = re.fullmatch(r"\{(.+)\}", segment)
        parts.append(f"by {match.group(1)}" if match else segment)
    return snake_case(" ".join(parts), "operation")


def operation_wire_name(method: str, path: str, operation_id: str | None) -> str:
    """What the spec calls an operation: its operationId, else ``METHOD /path``."""
    return operation_id or f"{method.upper()} {path}"


# --- safety and uniqueness ----------------------------------------------------------------


def is_unusable(name: str, reserved: Collection[str] = frozenset()) -> bool:
    """True for a keyword, an ambiguous name, or a name in ``reserved``. (Soft keywords such
    as ``match`` and ``type`` are valid names, and which words are soft keywords changes with
    the Python version; the same spec must give the same names on every one.)"""
    return keyword.iskeyword(name) or name in _AMBIGUOUS or name in reserved


def safe(name: str, reserved: Collection[str] = frozenset()) -> str:
    """``name`` made usable: a trailing underscore for a keyword or reserved name."""
    while is_unusable(name, reserved):
        name += "_"
    return name


class Scope:
    """The names handed out in one Python namespace (a module, a class, a signature).

    ``separator`` goes before the number that makes a name unique, and ``escape`` is appended to
    an unusable name: ``_`` and ``_`` for functions, arguments and fields (``job_id_2``,
    ``class_``); class names stay CapWords, so for them both are empty and an unusable name is
    numbered like a taken one (``BaseModel2``).
    """

    def __init__(self, reserved: Iterable[str] = (), *, separator: str = "_", escape: str = "_"):
        self.reserved = frozenset(reserved)
        self.taken: set[str] = set()
        self.separator = separator
        self.escape = escape

    def _usable(self, name: str) -> str | None:
        """``name``, escaped if it must be, or None if it cannot be used here."""
        if self.escape:
            name = safe(name, self.reserved)
        elif is_unusable(name, self.reserved):
            return None
        return None if name in self.taken else name

    def claim(self, wire: str, natural: str) -> Name:
        """A safe name not yet taken here, made from ``natural``, for ``wire``."""
        candidate = self._usable(natural)
        number = 2
        while candidate is None:
            candidate = self._usable(f"{natural}{self.separator}{number}")
            number += 1
        self.taken.add(candidate)
        return Name(wire=wire, python=candidate, natural=natural)

    def claim_together(self, wire: str, naturals: Sequence[str]) -> list[Name]:
        """Names for several forms of one wire name (a class and its asyncio twin), all free
        with one shared number, so that they stay recognisably a pair."""
        number = 1
        while True:
            suffix = "" if number == 1 else f"{self.separator}{number}"
            candidates = [self._usable(natural + suffix) for natural in naturals]
            found = [c for c in candidates if c is not None]
            if len(set(found)) == len(naturals):
                self.taken.update(found)
                return [
                    Name(wire=wire, python=python, natural=natural)
                    for python, natural in zip(found, naturals, strict=True)
                ]
            number += 1

    def claim_all(self, wires: Sequence[str], style: Callable[[str], str]) -> list[Name]:
        """Names for ``wires`` (distinct wire names), in the same order. Wire names that are
        already their natural form claim first, so that they keep it; then the rest in order."""
        naturals = [style(wire) for wire in wires]
        names: dict[int, Name] = {}
        exact = [i for i, wire in enumerate(wires) if naturals[i] == wire]
        for index in [*exact, *(i for i in range(len(wires)) if i not in set(exact))]:
            names[index] = self.claim(wires[index], naturals[index])
        return [names[i] for i in range(len(wires))]


# --- the names of a generated package ------------------------------------------------------


@dataclass(frozen=True)
class OperationRef:
    """An operation as the namer needs it: where it is and what the spec calls it."""

    path: str
    method: str  # lower case, as under a path item
    operation_id: str | None


@dataclass(frozen=True)
class ClientNames:
    """Names on the client classes and in ``_client.py``, which share the client's namespace."""

    params: dict[str, Name]  # client parameter wire name -> constructor argument and attribute
    methods: dict[tuple[str, str], Name]  # (path, method) -> method name
    constants: dict[tuple[str, str], Name]  # (path, method) -> module constant of the operation
    schemes: dict[str, Name]  # credential argument wire name (token, credentials, scheme) -> Name


def client_names(
    client_params: Sequence[str],
    operations: Sequence[OperationRef],
    *,
    schemes: Sequence[str] = (),
) -> ClientNames:
    """Names of the constructor's credential arguments (one per security scheme, wire names
    as the renderer picks them: ``token``, ``credentials`` or the scheme's name), of the client
    parameters, then of one method and one module constant per operation. All of them are
    arguments or attributes of one client, so they share one scope."""
    members = Scope(
        (CLIENT_MEMBERS | CONSTRUCTOR_ARGUMENTS | BUILTINS | CLIENT_MODULE_NAMES) - set(schemes)
    )
    credentials = members.claim_all(schemes, lambda wire: snake_case(wire, "credentials"))
    params = members.claim_all(client_params, lambda wire: snake_case(wire, "param"))
    keys = [(op.path, op.method) for op in operations]
    wires = [operation_wire_name(op.method, op.path, op.operation_id) for op in operations]
    natural = {
        wire: operation_natural_name(op.method, op.path, op.operation_id)
        for wire, op in zip(wires, operations, strict=True)
    }
    methods = members.claim_all(wires, natural.__getitem__)
    # One constant per method, made from the method's (unique, lower-case) name, so two
    # methods can never share one; module names of _client.py are upper case or start with _.
    constants = Scope(_CLIENT_MODULE_CONSTANTS)
    return ClientNames(
        params={name.wire: name for name in params},
        methods=dict(zip(keys, methods, strict=True)),
        constants={
            key: constants.claim(method.wire, "_" + method.python.upper())
            for key, method in zip(keys, methods, strict=True)
        },
        schemes={name.wire: name for name in credentials},
    )


#: Module constants of the generated ``_client.py`` that are not per operation.
_CLIENT_MODULE_CONSTANTS = frozenset(
    {"_JOB_WAITER", "DEFAULT_POLL_INTERVAL", "DEFAULT_MAX_INTERVAL", "CLIENT_CONTEXT_KEY"}
)


def argument_names(
    parameters: Sequence[tuple[str, str]], *, extra_reserved: Iterable[str] = ()
) -> dict[tuple[str, str], Name]:
    """Argument names of one method's parameters, by (location, wire name) in spec order.

    Arguments never take the body argument's name, ``self``, other internals of a call, a
    builtin the method body may call, or a module name of ``_client.py``.
    """
    scope = Scope(CALL_INTERNALS | BUILTINS | CLIENT_MODULE_NAMES | set(extra_reserved))
    wires = [wire for _, wire in parameters]
    if len(set(wires)) == len(wires):
        names = scope.claim_all(wires, lambda wire: snake_case(wire, "param"))
    else:  # the same wire name in two locations (path `id` and query `id`): spec order
        names = [scope.claim(wire, snake_case(wire, "param")) for wire in wires]
    return dict(zip(parameters, names, strict=True))


def waiter_argument_name(wire: str) -> Name:
    """The name of ``wait_for_job``'s job id argument, from the job query's parameter."""
    return Scope(WAITER_ARGUMENTS | BUILTINS | CLIENT_MODULE_NAMES).claim(
        wire, snake_case(wire, "job_id")
    )


#: Names of the generated ``_client.py`` (and of the package that re-exports its classes) that
#: a delivered-task class must not take: its imports and public classes. (Its helpers start
#: with an underscore, which a class name never does; the exception classes end in ``Error``.)
CLIENT_MODULE_CLASSES = frozenset(
    {
        "AKSKAuth",
        "Any",
        "AsyncBaseClient",
        "AsyncClient",
        "AsyncClock",
        "AsyncSystemClock",
        "BaseModel",
        "ClassVar",
        "Client",
        "Clock",
        "IO",
        "Literal",
        "Mapping",
        "Operation",
        "Param",
        "PrivateAttr",
        "ProgressCallback",
        "RequestBody",
        "Sequence",
        "SyncBaseClient",
        "SystemClock",
        "WaiterSpec",
    }
)
#: The blocking client's delivered-task class of the most common task answer.
DELIVERED_TASK = "DeliveredTask"


def delivered_task_names(
    answers: Sequence[str], *, taken: Iterable[str] = ()
) -> list[tuple[Name, Name]]:
    """(blocking, asyncio) delivered-task class names of each task answer, by its model class
    name: the first (the most common answer) gets ``DeliveredTask``/``AsyncDeliveredTask``, the
    others their model's name without a trailing ``Response`` before it
    (``CreateServersResponse`` -> ``CreateServersDeliveredTask``). A model may give its name to
    several (one per job id pointer), which are numbered. ``taken`` are the model classes, so
    that the package never offers two classes of one name."""
    scope = Scope(CLIENT_MODULE_CLASSES | set(taken), separator="", escape="")
    names: list[tuple[Name, Name]] = []
    for index, model in enumerate(answers):
        natural = DELIVERED_TASK if index == 0 else model.removesuffix("Response") + DELIVERED_TASK
        sync, asynchronous = scope.claim_together(model, [natural, "Async" + natural])
        names.append((sync, asynchronous))
    return names


def _field_natural(wire: str) -> str:
    name = snake_case(wire, "field")
    # `model_*` belongs to pydantic; a leading underscore would make a private attribute.
    return "field_" + name if name.startswith("model_") else name


def field_names(wires: Sequence[str]) -> dict[str, Name]:
    """Field names of one model's properties (distinct wire names), by wire name."""
    names = Scope(MODEL_MEMBERS).claim_all(wires, _field_natural)
    return {name.wire: name for name in names}


def model_scope(taken: Iterable[str] = ()) -> Scope:
    """The scope of class names in ``models.py``, with ``taken`` already in use."""
    return Scope(MODEL_MODULE_NAMES | set(taken), separator="", escape="")


__all__ = [
    "BODY_ARGUMENT",
    "ClientNames",
    "Name",
    "OperationRef",
    "Scope",
    "argument_names",
    "client_names",
    "delivered_task_names",
    "field_names",
    "model_scope",
    "operation_natural_name",
    "pascal_case",
    "snake_case",
    "waiter_argument_name",
]
