"""Render the Python package of a bundled spec: models, client, waiter, errors, package files.

The runtime pieces (request loop, retries, errors, waiter) are hand-tuned templates rendered
once; what varies with the spec is gathered here into plain view objects -- one per operation
-- and poured into thin per-operation methods by ``templates/client/_client.py.jinja``.
Whatever an operation describes that a method cannot send is reported as a warning with the
JSON pointer of the node at fault; the method is still generated and sends the rest.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import Any

from scripts import naming
from scripts.methods import HTTP_METHODS
from scripts.pointers import join_pointer, lookup, resolve
from scripts.problems import RenderWarning
from scripts.render_models import Models, project_version, render_models
from scripts.templating import environment

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
#: The default style of each parameter location.
_STYLES = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}
#: Headers OpenAPI says a parameter definition must not describe (they are ignored).
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}
#: The extension that declares AK/SK signing (SDK-HMAC-SHA256) as accepted where a scheme is.
AKSK_EXTENSION = "x-aksk"
AKSK_ALGORITHM = "SDK-HMAC-SHA256"
#: Body kinds in the order a method prefers them when an operation offers several.
_BODY_PREFERENCE = ("json", "form", "multipart", "text", "binary")


@dataclass(frozen=True)
class Parameter:
    """A parameter of an operation (path, query, header or cookie), or of the client."""

    name: str  # as the API spells it
    python_name: str
    location: str
    required: bool
    annotation: str
    description: str
    style: str = "simple"
    explode: bool = False
    allow_reserved: bool = False
    as_json: bool = False
    note: str = ""  # says which wire name a renamed argument stands for
    check: str = "Any"  # the type a value is checked against before it is sent


@dataclass(frozen=True)
class BodyView:
    """The request body an operation's method sends, in the one media type it chose."""

    media_type: str
    kind: str  # json, form, multipart, text or binary
    annotation: str  # what the caller may pass
    type: str  # what it is validated against (json, form, multipart)
    required: bool
    encoding: tuple[tuple[str, str, str, bool], ...]  # (property, content type, style, explode)
    files: tuple[str, ...]
    others: tuple[str, ...]  # the media types the operation offers besides


@dataclass(frozen=True)
class SchemeView:
    """A security scheme the client applies, and the constructor argument holding it."""

    key: str  # its name under components/securitySchemes
    argument: str
    kind: str  # header, query, cookie, bearer or basic
    param: str  # the header, query parameter or cookie of an apiKey
    annotation: str


@dataclass(frozen=True)
class OperationView:
    """What a method of the generated clients needs to know about one operation."""

    operation_id: str  # the operationId, or METHOD /path when the spec gives none
    method_name: str
    constant: str
    http_method: str
    path: str
    summary: str
    description: str
    path_params: tuple[Parameter, ...]
    query_params: tuple[Parameter, ...]
    header_params: tuple[Parameter, ...]
    cookie_params: tuple[Parameter, ...]
    body: BodyView | None
    body_argument: str
    response_type: str  # a type expression; "None" for an answer without content
    response_model: str | None  # set when the response type is one model class
    accept: str
    security: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]  # docstring lines: renames, media type choices
    task: TaskView | None = None  # set when the operation delivers a task to wait on

    @property
    def safe_to_repeat(self) -> bool:
        return self.http_method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")

    @property
    def params(self) -> tuple[Parameter, ...]:
        return self.path_params + self.query_params + self.header_params + self.cookie_params


@dataclass(frozen=True)
class TaskView:
    """The delivered-task classes of one task answer: the model they are, and where in its JSON
    the job id is (from the operations' links to the job query)."""

    name: str  # the class the blocking client returns
    async_name: str  # the class the asyncio client returns
    model: str  # the answer model, `models.X`
    job_id_pointer: str


@dataclass(frozen=True)
class WaiterView:
    """The job query a task is waited on with, from its ``x-waiter`` extension."""

    operation: OperationView
    job_param: str  # wait_for_job's argument for the job id
    job_param_wire: str  # the job query's path parameter that takes it, as the spec names it
    tasks: tuple[TaskView, ...]  # one per distinct (answer model, job id pointer)
    status: str
    success: tuple[str, ...]
    failure: tuple[str, ...]


def module_exports(source: str) -> list[str]:
    """The names in the ``__all__`` list of a module's source."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [str(v) for v in ast.literal_eval(node.value)]
    return []


class _Types:
    """Python type expressions for the schemas of a document whose models are known."""

    def __init__(self, data: dict[str, Any], classes: dict[str, str]) -> None:
        self.data = data
        self.classes = classes  # JSON pointer of a schema -> class name in models.py

    def of(
        self, schema: Any, pointer: str, *, accept: bool, depth: int = 0, model: bool = True
    ) -> str:
        """The type of values of ``schema``: what is validated (``accept=False``) or what a
        caller may pass (``accept=True``: a model, or its JSON form with the JSON names)."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith("#"):
            found, schema = lookup(self.data, ref[1:])
            if not found:
                return "Any"
            return self.of(schema, ref[1:], accept=accept, depth=depth + 1)
        if not isinstance(schema, dict) or depth > 32:
            return "Any"
        if model and pointer in self.classes:
            name = f"models.{self.classes[pointer]}"
            if not accept:
                return name
            if _is_object(schema):
                return f"{name} | Mapping[str, Any]"
            # A root model (a list, a scalar, a union): its plain value is accepted too.
            plain = self.of(schema, pointer, accept=True, depth=depth + 1, model=False)
            return _union([name, plain])
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and all(_literal(v) or v is None for v in enum):
            literal = "Literal[" + ", ".join(repr(v) for v in enum if v is not None) + "]"
            return f"{literal} | None" if None in enum else literal
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list) and members:
                types = [
                    self.of(m, join_pointer(pointer, key, i), accept=accept, depth=depth + 1)
                    for i, m in enumerate(members)
                ]
                return _union(types)
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            return self.of(all_of[0], join_pointer(pointer, "allOf", 0), accept=accept)
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
        nullable = "null" in kinds or schema.get("nullable") is True
        kind = next((k for k in kinds if k != "null"), None)
        if kind is None and ("properties" in schema or "additionalProperties" in schema):
            kind = "object"
        if kind == "array":
            items = self.of(
                schema.get("items"), join_pointer(pointer, "items"), accept=accept, depth=depth + 1
            )
            text = f"Sequence[{items}]" if accept else f"list[{items}]"
        elif kind == "object":
            extra = schema.get("additionalProperties")
            values = (
                self.of(extra, join_pointer(pointer, "additionalProperties"), accept=accept)
                if isinstance(extra, dict) and extra
                else "Any"
            )
            text = f"Mapping[str, {values}]" if accept else f"dict[str, {values}]"
        elif kind == "string" and _is_binary(schema):
            text = "bytes"
        elif kind in _SCALARS:
            text = _SCALARS[kind]
        elif kind == "null":
            return "None"
        else:
            return "Any"
        return f"{text} | None" if nullable else text


def _literal(value: Any) -> bool:
    """Whether an enum value can be written in ``Literal[...]``."""
    return isinstance(value, str | int) and not isinstance(value, bool)


def _is_object(schema: dict[str, Any]) -> bool:
    """Whether a schema describes JSON objects (its caller passes a mapping or a model)."""
    kinds = schema.get("type")
    return (
        kinds == "object"
        or (isinstance(kinds, list) and "object" in kinds)
        or (kinds is None and ("properties" in schema or "allOf" in schema))
    )


def _union(types: list[str]) -> str:
    """One union of type expressions, each member once, in order; Any absorbs the rest."""
    parts: list[str] = []
    for text in types:
        for part in _members(text):
            if part == "Any":
                return "Any"
            if part not in parts:
                parts.append(part)
    return " | ".join(parts)


def _members(text: str) -> list[str]:
    """The members of a union expression, split at the ``|`` outside brackets."""
    members, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "|" and depth == 0:
            members.append(text[start:index].strip())
            start = index + 1
    return [*members, text[start:].strip()]


def _is_binary(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "binary" or (
        "contentMediaType" in schema and "contentEncoding" not in schema
    )


def _media_kind(media_type: str) -> str:
    """How a body of this media type is encoded: json, form, multipart, text or binary."""
    base = media_type.split(";")[0].strip().lower()
    if base == "application/json" or base.endswith("+json") or base == "text/json":
        return "json"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base.startswith("text/") or base.endswith("+xml") or base == "application/xml":
        return "text"
    return "binary"


def _by_preference(content: dict[str, Any]) -> list[str]:
    """The media types of a ``content`` map, the one a client sends or expects first: JSON,
    then form, multipart, text, binary; a wildcard after an exact type; then by name."""
    return sorted(
        (str(m) for m in content),
        key=lambda m: (_BODY_PREFERENCE.index(_media_kind(m)), "*" in m, m),
    )


def _wire_media_type(media_type: str) -> str:
    """The Content-Type to send for a (possibly wildcard) media type of the spec."""
    return "application/octet-stream" if "*" in media_type else media_type


class _Renderer:
    """Collects the views of one document, and the warnings met on the way."""

    def __init__(
        self, data: dict[str, Any], classes: dict[str, str], warnings: list[RenderWarning]
    ) -> None:
        self.data = data
        self.types = _Types(data, classes)
        self.warnings = warnings

    def warn(self, pointer: str, message: str) -> None:
        # The document's `security` is met once per operation; say it once.
        if (pointer, message) not in self.warnings:
            self.warnings.append((pointer, message))

    # --- security ------------------------------------------------------------------------

    def scheme_kinds(self) -> dict[str, tuple[str, str]]:
        """(kind, parameter) of each scheme a client can apply, by name; the others warned."""
        kinds: dict[str, tuple[str, str]] = {}
        schemes = (self.data.get("components") or {}).get("securitySchemes") or {}
        for key, raw in schemes.items():
            pointer = join_pointer("/components/securitySchemes", key)
            scheme = resolve(self.data, raw)
            if not isinstance(scheme, dict):
                continue
            kind = scheme.get("type")
            http = str(scheme.get("scheme") or "").lower()
            if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
                kinds[key] = (str(scheme["in"]), str(scheme.get("name") or ""))
            elif kind == "http" and http in ("bearer", "basic"):
                kinds[key] = (http, "")
            elif kind in ("oauth2", "openIdConnect"):
                kinds[key] = ("bearer", "")  # the caller brings the access token
            else:
                what = f"http scheme {http!r}" if kind == "http" else f"type {kind!r}"
                self.warn(
                    pointer,
                    f"security scheme {key!r} ({what}) cannot be applied by the client; "
                    "operations that need it are sent without it (pass auth= or http_client=)",
                )
        return kinds

    def security(
        self, operation: dict[str, Any], pointer: str, kinds: dict[str, tuple[str, str]]
    ) -> tuple[tuple[str, ...], ...]:
        """The operation's alternatives of schemes (its own `security`, else the document's)."""
        own = "security" in operation
        requirements = operation.get("security") if own else self.data.get("security")
        where = join_pointer(pointer, "security") if own else "/security"
        alternatives: list[tuple[str, ...]] = []
        for index, requirement in enumerate(requirements or []):
            if not isinstance(requirement, dict):
                continue
            names = tuple(sorted(str(name) for name in requirement))
            if all(name in kinds for name in names):
                alternatives.append(names)
            elif not any(name in kinds for name in names) and len(requirements or []) == 1:
                self.warn(
                    join_pointer(where, index),
                    "no scheme of this requirement can be applied; the request is sent without",
                )
        return tuple(alternatives)

    # --- parameters ----------------------------------------------------------------------

    def parameters(
        self,
        path: str,
        method: str,
        item: dict[str, Any],
        operation: dict[str, Any],
        client_params: set[str],
    ) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
        """The operation's parameters (the path item's, overridden by its own) by (location,
        name), each with where it is; the client's own parameters are left out."""
        found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for base, raws in (
            (join_pointer("/paths", path, "parameters"), item.get("parameters") or []),
            (join_pointer("/paths", path, method, "parameters"), operation.get("parameters") or []),
        ):
            for index, raw in enumerate(raws):
                entry = self.parameter(raw, join_pointer(base, index))
                if entry is not None:
                    key = (str(entry[0]["in"]), str(entry[0]["name"]))
                    if not (key[0] == "path" and key[1] in client_params):
                        found[key] = entry
        return found

    def parameter(self, raw: Any, pointer: str) -> tuple[dict[str, Any], str] | None:
        """The parameter object (references followed) and where it is, or None to skip it."""
        parameter = resolve(self.data, raw)
        ref = raw.get("$ref") if isinstance(raw, dict) else None
        where = ref[1:] if isinstance(ref, str) and ref.startswith("#") else pointer
        if not isinstance(parameter, dict) or parameter.get("in") not in _STYLES:
            return None
        if parameter["in"] == "header" and str(parameter.get("name")).lower() in _IGNORED_HEADERS:
            self.warn(
                where,
                f"header parameter {parameter.get('name')!r} is ignored, as OpenAPI says: "
                "the client sets it itself",
            )
            return None
        return parameter, where

    def parameter_view(
        self, parameter: dict[str, Any], where: str, python: naming.Name
    ) -> Parameter:
        location = str(parameter["in"])
        # Validation has refused a style its location does not define.
        style = str(parameter.get("style") or _STYLES[location])
        explode = parameter.get("explode")
        explode = bool(explode) if explode is not None else style == "form"
        schema_at = join_pointer(where, "schema")
        schema = parameter.get("schema")
        as_json = False
        content = parameter.get("content")
        if schema is None and isinstance(content, dict) and content:
            media_type, media = next(iter(content.items()))
            schema_at = join_pointer(where, "content", media_type, "schema")
            schema = media.get("schema") if isinstance(media, dict) else None
            as_json = _media_kind(str(media_type)) == "json"
            if not as_json:
                self.warn(
                    join_pointer(where, "content", media_type),
                    f"parameter content {media_type!r} cannot be serialised; "
                    "the argument is sent as text",
                )
                schema = {"type": "string"}
        annotation = self.types.of(schema, schema_at, accept=True)
        check = self.types.of(schema, schema_at, accept=False)
        if style == "deepObject" and not annotation.startswith(("models.", "Mapping")):
            self.warn(
                join_pointer(where, "style"),
                "deepObject applies to objects only; the value is sent with style 'form'",
            )
            style, explode = "form", True
        required = bool(parameter.get("required")) or location == "path"
        return Parameter(
            name=str(parameter["name"]),
            python_name=python.python,
            location=location,
            required=required,
            # Arguments are what a caller builds: array parameters are lists.
            annotation=annotation.replace("Sequence[", "list[").replace("Mapping[", "dict["),
            description=str(parameter.get("description") or ""),
            style=style,
            explode=explode,
            allow_reserved=parameter.get("allowReserved") is True,
            as_json=as_json,
            note=python.note(f"{location} parameter"),
            check=check,
        )

    # --- bodies and responses ------------------------------------------------------------

    def body(self, operation: dict[str, Any], pointer: str) -> BodyView | None:
        raw = operation.get("requestBody")
        if raw is None:
            return None
        ref = raw.get("$ref") if isinstance(raw, dict) else None
        where = ref[1:] if isinstance(ref, str) and ref.startswith("#") else pointer
        body = resolve(self.data, raw)
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict) or not content:
            self.warn(where, "the request body has no content; the method sends none")
            return None
        media_types = _by_preference(content)
        chosen = media_types[0]
        kind = _media_kind(chosen)
        media_at = join_pointer(where, "content", chosen)
        media = content[chosen] if isinstance(content[chosen], dict) else {}
        schema = media.get("schema")
        schema_at = join_pointer(media_at, "schema")
        encoding: list[tuple[str, str, str, bool]] = []
        files: list[str] = []
        if kind in ("json", "form", "multipart"):
            annotation = self.types.of(schema, schema_at, accept=True)
            type_ = self.types.of(schema, schema_at, accept=False)
            if kind != "json" and not self._object_like(schema):
                self.warn(
                    schema_at,
                    f"the {chosen} body must be an object; the method takes a mapping",
                )
                annotation, type_ = "Mapping[str, Any]", "dict[str, Any]"
            if kind != "json":
                files = self._files(schema)
                for prop, spec in (media.get("encoding") or {}).items():
                    if isinstance(spec, dict):
                        explode = spec.get("explode")
                        style = str(spec.get("style") or "form")
                        encoding.append(
                            (
                                str(prop),
                                str(spec.get("contentType") or ""),
                                style,
                                bool(explode) if explode is not None else style == "form",
                            )
                        )
                if files:
                    annotation = "Mapping[str, Any]" if "Mapping" not in annotation else annotation
                    annotation = annotation.replace("Mapping[str, Any]", "Mapping[str, object]")
        elif kind == "text":
            annotation, type_ = "str | bytes", "Any"
        else:
            annotation, type_ = "bytes | IO[bytes]", "Any"
        return BodyView(
            media_type=_wire_media_type(chosen),
            kind=kind,
            annotation=annotation,
            type=type_,
            required=isinstance(body, dict) and body.get("required") is True,
            encoding=tuple(encoding),
            files=tuple(files),
            others=tuple(media_types[1:]),
        )

    def _object_like(self, schema: Any, depth: int = 0) -> bool:
        """Whether values of ``schema`` are JSON objects (or it says nothing against that)."""
        schema = resolve(self.data, schema)
        if not isinstance(schema, dict) or depth > 32:
            return True
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                return all(self._object_like(m, depth + 1) for m in schema[key])
        return schema.get("type") is None or _is_object(schema)

    def _files(self, schema: Any) -> list[str]:
        """Properties of a form or multipart schema whose values are files (binary strings)."""
        schema = resolve(self.data, schema)
        if not isinstance(schema, dict):
            return []
        found: list[str] = []
        for name, prop in (schema.get("properties") or {}).items():
            prop = resolve(self.data, prop)
            if isinstance(prop, dict) and _is_binary(prop):
                found.append(str(name))
        for key in ("allOf", "oneOf", "anyOf"):
            for part in schema.get(key) or []:
                found += [name for name in self._files(part) if name not in found]
        return found

    def response(self, operation: dict[str, Any], pointer: str) -> tuple[str, str | None, str]:
        """(type expression, single model or None, Accept header) of the 2xx answers."""
        responses = operation.get("responses") or {}
        codes = sorted(str(c) for c in responses if str(c).startswith("2"))
        types: list[str] = []
        accept: list[str] = []
        for code in codes:
            raw = responses.get(code) if code in responses else responses.get(int(code))
            where = join_pointer(pointer, "responses", code)
            response = resolve(self.data, raw)
            content = response.get("content") if isinstance(response, dict) else None
            if not isinstance(content, dict) or not content:
                types.append("None")
                continue
            media_type = _by_preference(content)[0]
            kind = _media_kind(media_type)
            if kind == "json":
                media = content[media_type] if isinstance(content[media_type], dict) else {}
                schema_at = join_pointer(where, "content", media_type, "schema")
                types.append(self.types.of(media.get("schema"), schema_at, accept=False))
            else:
                types.append("str" if kind == "text" else "bytes")
            if media_type not in accept:
                accept.append(media_type)
        if not codes:
            types = ["Any"]
        kinds = {t if t in ("str", "bytes") else "json" for t in types if t != "None"}
        if len(kinds) > 1 and kinds != {"json"}:
            self.warn(
                join_pointer(pointer, "responses"),
                "2xx answers of different kinds (JSON, text, binary); the method returns the "
                "raw bytes",
            )
            types = ["bytes"]
        elif kinds in ({"str"}, {"bytes"}):
            types = list(kinds)  # an answer without content is then "" or b""
        response_type = _union(types)
        if "None" in types and response_type != "Any":
            response_type = _union([t for t in types if t != "None"] + ["None"])
        model = (
            response_type
            if response_type.startswith("models.") and " " not in response_type
            else None
        )
        return response_type, model, ", ".join(accept) or "application/json"


def _client_parameters(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Path parameters marked ``x-client-parameter``: arguments of the client, not of calls."""
    found: dict[str, dict[str, Any]] = {}
    for raw in ((data.get("components") or {}).get("parameters") or {}).values():
        parameter = resolve(data, raw)
        if (
            isinstance(parameter, dict)
            and parameter.get("x-client-parameter") is True
            and parameter.get("in") == "path"
        ):
            found[str(parameter["name"])] = parameter
    return dict(sorted(found.items()))


def _operations(data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, method, path item, operation) of every operation under ``paths``, in spec order."""
    found = []
    for path, raw in (data.get("paths") or {}).items():
        item = resolve(data, raw)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                found.append((str(path), method, item, operation))
    return found


def _scheme_wires(used: set[str], kinds: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The wire name each scheme in use gives its constructor argument, by scheme name: the
    only scheme is the client's `token` (`credentials` for basic auth), several keep theirs."""
    keys = sorted(used)
    if len(keys) == 1:
        return {keys[0]: "credentials" if kinds[keys[0]][0] == "basic" else "token"}
    return {key: key for key in keys}


def _schemes(
    wires: dict[str, str], kinds: dict[str, tuple[str, str]], names: dict[str, naming.Name]
) -> list[SchemeView]:
    return [
        SchemeView(
            key=key,
            argument=names[wire].python,
            kind=kinds[key][0],
            param=kinds[key][1],
            annotation="tuple[str, str]" if kinds[key][0] == "basic" else "str",
        )
        for key, wire in wires.items()
    ]


def _aksk(renderer: _Renderer, used: set[str]) -> bool:
    """Whether a scheme in use declares that requests may be signed with AK/SK instead."""
    schemes = (renderer.data.get("components") or {}).get("securitySchemes") or {}
    declared = False
    for key in sorted(used):
        value = (resolve(renderer.data, schemes.get(key)) or {}).get(AKSK_EXTENSION)
        if value == AKSK_ALGORITHM:
            declared = True
        elif value is not None:
            renderer.warn(
                join_pointer("/components/securitySchemes", key, AKSK_EXTENSION),
                f"{AKSK_EXTENSION} must be {AKSK_ALGORITHM!r}, the one signature the client "
                "can make; no AKSKAuth is generated for it",
            )
    return declared


def _views(
    renderer: _Renderer, client_params: dict[str, dict[str, Any]]
) -> tuple[list[OperationView], dict[str, dict[str, Any]], list[Parameter], list[SchemeView]]:
    data = renderer.data
    operations = _operations(data)
    kinds = renderer.scheme_kinds()
    securities = [
        renderer.security(op, join_pointer("/paths", path, method), kinds)
        for path, method, _, op in operations
    ]
    wires = _scheme_wires({name for s in securities for alt in s for name in alt}, kinds)
    names = naming.client_names(
        list(client_params),
        [
            naming.OperationRef(path, method, op.get("operationId"))
            for path, method, _, op in operations
        ],
        schemes=list(wires.values()),
    )
    views: list[OperationView] = []
    raw_by_id: dict[str, dict[str, Any]] = {}
    for (path, method, item, operation), security in zip(operations, securities, strict=True):
        pointer = join_pointer("/paths", path, method)
        own = renderer.parameters(path, method, item, operation, set(client_params))
        arguments = naming.argument_names(list(own))
        params = [
            renderer.parameter_view(p, where, arguments[key]) for key, (p, where) in own.items()
        ]
        body = renderer.body(operation, join_pointer(pointer, "requestBody"))
        response_type, response_model, accept = renderer.response(operation, pointer)
        method_name = names.methods[(path, method)]
        operation_id = naming.operation_wire_name(method, path, operation.get("operationId"))
        notes = [method_name.note("operation")] + [p.note for p in params]
        if body is not None and body.others:
            notes.append(
                f"The body is sent as {body.media_type}; the operation also accepts "
                + ", ".join(body.others)
                + "."
            )
        responses = operation.get("responses") or {}
        success = sorted(str(code) for code in responses if str(code).startswith("2"))
        first = resolve(data, responses.get(success[0])) if success else {}
        links = first.get("links") if isinstance(first, dict) else None
        views.append(
            OperationView(
                operation_id=operation_id,
                method_name=method_name.python,
                constant=names.constants[(path, method)].python,
                http_method=method.upper(),
                path=path,
                summary=str(operation.get("summary") or operation_id),
                description=str(operation.get("description") or ""),
                path_params=tuple(p for p in params if p.location == "path"),
                query_params=tuple(p for p in params if p.location == "query"),
                header_params=tuple(p for p in params if p.location == "header"),
                cookie_params=tuple(p for p in params if p.location == "cookie"),
                body=body,
                body_argument=naming.BODY_ARGUMENT,
                response_type=response_type,
                response_model=response_model,
                accept=accept,
                security=security,
                notes=tuple(note for note in notes if note),
            )
        )
        raw_by_id[operation_id] = {
            "operation": operation,
            "links": links or {},
            "links_at": join_pointer(pointer, "responses", success[0]) if success else pointer,
        }
    client_views = [
        renderer.parameter_view(
            parameter, join_pointer("/components/parameters", wire), names.params[wire]
        )
        for wire, parameter in client_params.items()
    ]
    return views, raw_by_id, client_views, _schemes(wires, kinds, names.schemes)


def _waiter(
    renderer: _Renderer, operations: list[OperationView], raw: dict[str, dict[str, Any]]
) -> tuple[WaiterView | None, list[OperationView]]:
    """The job query (the operation with ``x-waiter``) and how each task answer feeds it, and
    the operations with the task each delivers; no waiter when no operation delivers one."""
    query = next(
        (
            view
            for view in operations
            if isinstance(raw[view.operation_id]["operation"].get("x-waiter"), dict)
            and view.response_model is not None
        ),
        None,
    )
    if query is None:
        return None, operations
    # Each task-delivering operation's answer model and job id pointer, in spec order; the
    # first one's link says which parameter of the job query takes the job id.
    delivered: dict[str, tuple[str, str]] = {}
    wire = ""
    for view in operations:
        link = _job_link(raw[view.operation_id]["links"], query)
        if link is None:
            continue
        if view.response_model is None:
            problem = "its 2xx answers are not one model"
        elif wire and link[0] != wire:
            problem = f"it gives the job id to `{link[0]}`, not to `{wire}` as the first task does"
        else:
            wire = link[0]
            delivered[view.operation_id] = (view.response_model, link[1])
            continue
        renderer.warn(
            raw[view.operation_id]["links_at"],
            f"links to the job query {query.operation_id}, but {problem}; the method returns "
            "the answer, without wait()",
        )
    if not delivered:
        return None, operations
    kinds = list(dict.fromkeys(delivered.values()))
    counts = [list(delivered.values()).count(kind) for kind in kinds]
    # The answer most operations deliver (the first of them on a tie) keeps the plain name.
    kinds.insert(0, kinds.pop(counts.index(max(counts))))
    names = naming.delivered_task_names(
        [model.removeprefix("models.") for model, _ in kinds],
        taken=renderer.types.classes.values(),
    )
    tasks = {
        kind: TaskView(sync.python, asynchronous.python, kind[0], kind[1])
        for kind, (sync, asynchronous) in zip(kinds, names, strict=True)
    }
    spec = raw[query.operation_id]["operation"]["x-waiter"]
    return WaiterView(
        operation=query,
        job_param=naming.waiter_argument_name(wire).python,
        job_param_wire=wire,
        tasks=tuple(tasks.values()),
        status=str(spec.get("status", "/status")),
        success=_statuses(spec, "success"),
        failure=_statuses(spec, "failure"),
    ), [
        replace(view, task=tasks[delivered[view.operation_id]])
        if view.operation_id in delivered
        else view
        for view in operations
    ]


def _job_link(links: dict[str, Any], query: OperationView) -> tuple[str, str] | None:
    """(job query parameter, JSON pointer into the answer) of the first of an operation's
    links that gives the job query a path parameter from the answer's body, if any."""
    prefix = "$response.body#"
    for link in links.values():
        if not isinstance(link, dict) or link.get("operationId") != query.operation_id:
            continue
        for param, expression in (link.get("parameters") or {}).items():
            # A link may qualify a parameter by its location: "path.jobId".
            wire = str(param).removeprefix("path.")
            if (
                isinstance(expression, str)
                and expression.startswith(prefix + "/")
                and any(p.name == wire for p in query.path_params)
            ):
                return wire, expression[len(prefix) :]
    return None


def _statuses(spec: dict[str, Any], key: str) -> tuple[str, ...]:
    """The list of final statuses under ``key`` of an ``x-waiter`` (validated to be a list)."""
    values = spec.get(key) or []
    if not isinstance(values, list):
        # Validation refuses it first; iterating a string would wait for single letters.
        raise TypeError(f"x-waiter {key} must be a list, not {type(values).__name__}")
    return tuple(str(v) for v in values)


def render_package(
    data: dict[str, Any],
    package: str,
    spec_name: str,
    *,
    warnings: list[RenderWarning],
    models: Models | None = None,
) -> dict[str, str]:
    """The package's files by name, relative to the package folder; what the client cannot
    send as the spec says is appended to ``warnings``. ``models`` are those
    :func:`scripts.render_models.render_models` renders for ``data``, if made already."""
    models = models or render_models(data, spec_name, warnings=warnings)
    models_source = models.source
    # Classes are known by the original place of each schema, hoisted or not.
    renderer = _Renderer(data, models.classes, warnings)
    client_params = _client_parameters(data)
    operations, raw, client_views, schemes = _views(renderer, client_params)
    waiter, operations = _waiter(renderer, operations, raw)
    aksk = _aksk(renderer, {s.key for s in schemes})
    info = data.get("info") or {}
    clients = ["AsyncClient", "Client"]
    if waiter is not None:
        clients += [name for task in waiter.tasks for name in (task.name, task.async_name)]
    context: dict[str, Any] = {
        "package": package,
        "version": project_version(),
        "spec_name": spec_name,
        "title": str(info.get("title") or package),
        "api_version": str(info.get("version") or ""),
        "operations": operations,
        "client_params": client_views,
        "schemes": schemes,
        "aksk": aksk,
        "waiter": waiter,
        "job_type": waiter.operation.response_model if waiter else "Any",
        "failure_literal": repr(waiter.failure if waiter else ()),
        "clients": sorted(clients),
    }
    annotations = " ".join(
        [op.body.annotation for op in operations if op.body]
        + [p.annotation for op in operations for p in op.params]
    )
    context["uses_mapping"] = "Mapping[" in annotations
    context["uses_sequence"] = "Sequence[" in annotations
    checks = " ".join(p.check for op in operations for p in op.params)
    context["uses_literal"] = "Literal[" in annotations + checks
    context["uses_io"] = "IO[" in annotations
    # A union answer type is a value mypy cannot take as `type[T]`; the call casts it.
    context["uses_cast"] = any(" | " in op.response_type for op in operations if not op.task)
    env = environment()
    files = {"models.py": models_source, "py.typed": ""}
    modules = ["_exceptions.py", "_base_client.py", "_client.py"]
    if aksk:
        modules.append("_auth.py")
    if waiter is not None:
        modules.append("_waiter.py")
    for name in modules:
        files[name] = env.get_template(f"client/{name}.jinja").render(context)
    # The exceptions module says what it exports; the package re-exports its classes.
    exceptions = [n for n in module_exports(files["_exceptions.py"]) if n[0].isupper()]
    context["exceptions"] = exceptions
    context["exports"] = sorted(
        [*exceptions, *clients, *(["AKSKAuth"] if aksk else []), "__version__"]
    )
    files["__init__.py"] = env.get_template("client/__init__.py.jinja").render(context)
    return files
