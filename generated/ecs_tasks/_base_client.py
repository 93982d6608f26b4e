"""The request machinery every operation goes through, written once for the sync and async clients.

The decisions (URL, headers, body, error parsing, whether and when to retry) are pure functions
or methods of `_BaseClient`; `SyncBaseClient` and `AsyncBaseClient` only add the I/O loop.

Every attempt has one deadline covering the wait for a connection, connecting, sending and the
whole body; redirects are never followed; a body is read raw and decoded here, so that its
decoded size is bounded while it arrives.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import enum
import functools
import json
import logging
import math
import random
import re
import ssl
import threading
import time
import types
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import PurePath
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
)
from urllib.parse import quote

import httpcore
import httpx
from pydantic import BaseModel, RootModel, TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError, to_jsonable_python

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self needs Python 3.11

from ._exceptions import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    RateLimitError,
    RedirectError,
    RequestNotSentError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
    error_class_for_status,
)

__version__ = "0.1.0"
USER_AGENT = f"ecs-tasks-python/{__version__}"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
#: The largest decoded response body a client keeps, in bytes.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
#: How many requests one client keeps in flight at once; further calls wait for a free slot.
DEFAULT_MAX_IN_FLIGHT = 50
#: Connections in each connection pool the client makes for itself (see _Lanes).
LANE_CONNECTIONS = 5
# The encodings the client decodes itself, under its size limit.
ACCEPT_ENCODING = "gzip, deflate"

logger = logging.getLogger("ecs_tasks")

T = TypeVar("T")
HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)

# Passed as pydantic validation context so a parsed model can refer back to its client.
CLIENT_CONTEXT_KEY = "client"


@dataclass(frozen=True)
class Operation:
    """What the generator knows about one API operation, apart from its response model."""

    method: str
    path: str
    idempotent: bool = False
    params: tuple[Param, ...] = ()
    body: RequestBody | None = None
    # Alternatives, each the names of the SCHEMES applied together; () sends no credential.
    security: tuple[tuple[str, ...], ...] = ()
    accept: str = "application/json"

    @property
    def safe_to_repeat(self) -> bool:
        """Whether sending this request twice is harmless (reads, or explicitly idempotent)."""
        return self.idempotent or self.method in ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff numbers: full jitter over base * factor**attempt, capped; Retry-After up to a cap."""

    base_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def backoff(self, attempt: int, rand: Callable[[], float]) -> float:
        return rand() * min(self.max_delay, self.base_delay * self.factor**attempt)


DEFAULT_RETRY_POLICY = RetryPolicy()


class _Secret:
    """A credential that stays out of repr(), so it cannot reach logs or traceback locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<redacted>"


# --- Arguments ----------------------------------------------------------------------------


def check_seconds(name: str, value: object) -> float:
    """A duration argument as a float, or a TypeError or ValueError that names it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number of seconds above 0, not {value!r}")
    return float(value)


def check_count(name: str, value: object, *, minimum: int) -> int:
    """A whole-number argument, or a TypeError or ValueError that names it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def check_timeout(timeout: object) -> tuple[httpx.Timeout, float]:
    """The per-phase limits httpx applies, and the deadline of one whole attempt in seconds.

    A number is both; an httpx.Timeout keeps its phases, and its longest phase is the deadline.
    """
    if isinstance(timeout, httpx.Timeout):
        phases = {k: v for k, v in timeout.as_dict().items() if v is not None}
        for phase, value in phases.items():
            check_seconds(f"timeout.{phase}", value)
        if not phases:
            raise ValueError("timeout must limit at least one phase: a request needs a deadline")
        return timeout, max(phases.values())
    seconds = check_seconds("timeout", timeout)
    return httpx.Timeout(seconds), seconds


def check_secret(argument: str, value: object) -> str:
    """A credential argument (a token, a key); its value never appears in the message."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{argument} must not be empty; leave it out (None) to send none")
    if not (value.isascii() and value.isprintable()):
        # Caught here, because the HTTP library's complaint would quote the header value.
        raise ValueError(f"{argument} must be printable ASCII to fit in an HTTP header")
    return value


def check_base_url(base_url: object) -> str:
    """The base URL without a trailing slash; it must be a plain absolute http(s) URL."""
    if not isinstance(base_url, str | httpx.URL):
        raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
    text = str(base_url)
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise ValueError(f"base_url is not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("base_url must be an absolute http(s) URL")
    if url.userinfo:
        raise ValueError("base_url must not carry credentials; pass them as arguments or auth=")
    if "?" in text or "#" in text:
        # Paths are appended to it, so a query or a fragment would swallow them.
        raise ValueError("base_url must not have a query (?...) or a fragment (#...)")
    return str(url).rstrip("/")


def path_value(name: str, value: object) -> str:
    """A path parameter's text, or a TypeError or ValueError that names the parameter."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    text = str(value)
    if not text:
        # An empty segment would silently address a different resource (e.g. the job list).
        raise ValueError(f"{name} must not be empty")
    if text in (".", ".."):
        # As a whole segment, RFC 3986 reads them (even percent-encoded) as "here" and "up".
        raise ValueError(f"{name} must not be {text!r}, which a server reads as a relative path")
    return text


# --- URL, headers and body ----------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of an operation and how OpenAPI 3 serialises it (`style`, `explode`)."""

    name: str  # as the API spells it
    location: str  # path, query, header or cookie
    style: str
    explode: bool
    allow_reserved: bool = False
    # A parameter described by `content: {application/json: ...}` goes out as JSON text.
    as_json: bool = False
    type: Any = None  # what a value is checked against before sending (None: anything)
    argument: str = ""  # the method's argument, for error messages


@dataclass(frozen=True)
class RequestBody:
    """The media type an operation's body is sent as, and what it is validated against."""

    media_type: str
    kind: str  # json, form, multipart, binary or text
    required: bool = False
    type: Any = None  # validated with encode_body (json, form, multipart)
    # Per property of a form or multipart body: (content type, style, explode), from `encoding`.
    encoding: Mapping[str, tuple[str, str, bool]] = field(default_factory=dict)
    files: frozenset[str] = frozenset()  # multipart properties that are files


@dataclass(frozen=True)
class Scheme:
    """A security scheme of the spec, as far as a client applies it."""

    kind: str  # header, query, cookie (apiKey), bearer or basic
    name: str = ""  # the header, query parameter or cookie an apiKey goes in


@dataclass(frozen=True)
class Arguments:
    """What a method was called with, by location; mappings keyed by the API's names."""

    path_params: Mapping[str, object] | None = None
    query: Mapping[str, object] | None = None
    headers: Mapping[str, object] | None = None
    cookies: Mapping[str, object] | None = None
    body: object = None


@dataclass(frozen=True)
class EncodedRequest:
    """Everything but the method that goes on the wire for one call."""

    url: str
    headers: dict[str, str]
    content: bytes | None


def quote_path_param(value: str) -> str:
    """Percent-encode one path segment so that it can never become another path."""
    # quote() leaves dots alone, and httpx would then collapse "." / ".." segments.
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


# Any name but braces and slashes: specs name path parameters `job-id`, `job.id`, ...
_PLACEHOLDER = re.compile(r"\{([^{}/]+)\}")
# RFC 3986 reserved characters, which `allowReserved` lets through unencoded.
_RESERVED = ":/?#[]@!$&'()*+,;="


def _plain(value: object) -> object:
    """A value as JSON would carry it: models by their JSON names, enums by their values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _text(value: object) -> str:
    """One primitive as parameter text: JSON's spelling for booleans and null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def serialize_param(
    param: Param, value: object, encode: Callable[[str], str]
) -> list[tuple[str, str]]:
    """(name, value) pairs for one parameter, by its style and explode, each text encoded.

    Path, header and "simple"/"label"/"matrix" styles yield one pair whose name is unused
    beyond matrix's own prefix; query and cookie styles may yield several.
    """
    plain = _plain(value)
    if param.as_json:
        return [(param.name, encode(json.dumps(plain, separators=(",", ":"))))]
    name, style, explode = param.name, param.style, param.explode
    if isinstance(plain, dict):
        items = [(str(k), encode(_text(v))) for k, v in plain.items() if v is not None]
        if style == "deepObject":
            return [(f"{name}[{k}]", v) for k, v in items]
        if explode and style in ("form", "spaceDelimited", "pipeDelimited"):
            return items
        if explode:
            pairs = [f"{k}={v}" for k, v in items]
            separator = {"label": ".", "matrix": ";"}.get(style, ",")
            return [(name, _prefix(style, name, separator.join(pairs), exploded=True))]
        separator = {"spaceDelimited": "%20", "pipeDelimited": "|"}.get(style, ",")
        flat = separator.join(part for k, v in items for part in (k, v))
        return [(name, _prefix(style, name, flat, exploded=False))]
    if isinstance(plain, list):
        texts = [encode(_text(v)) for v in plain]
        if explode and style in ("form", "spaceDelimited", "pipeDelimited"):
            return [(name, t) for t in texts]
        if explode and style == "matrix":
            return [(name, "".join(f";{name}={t}" for t in texts))]
        if explode and style == "label":
            return [(name, "".join(f".{t}" for t in texts))]
        separator = {"spaceDelimited": "%20", "pipeDelimited": "|"}.get(style, ",")
        return [(name, _prefix(style, name, separator.join(texts), exploded=False))]
    return [(name, _prefix(style, name, encode(_text(plain)), exploded=False))]


def _prefix(style: str, name: str, text: str, *, exploded: bool) -> str:
    if style == "label":
        return "." + text
    if style == "matrix":
        return f";{text}" if exploded else f";{name}={text}" if text else f";{name}"
    return text


def _quote_segment(text: str) -> str:
    return quote(text, safe="")


def _quote_query(allow_reserved: bool) -> Callable[[str], str]:
    # Even where reserved characters are allowed, "&" and "=" would split the pair.
    safe = _RESERVED.replace("&", "").replace("=", "") if allow_reserved else ""
    return lambda text: quote(text, safe=safe)


def _as_is(_: bool) -> Callable[[str], str]:
    return lambda text: text


def build_url(
    base_url: str, path_template: str, params: Mapping[str, object], specs: Mapping[str, Param]
) -> str:
    """Join base_url (with or without a trailing slash) and the template filled with params."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        spec = specs.get(name) or Param(name, "path", "simple", False)
        value = params[name]
        if value is None or isinstance(value, str):
            text = path_value(name, value)
            if spec.style == "simple" and not spec.as_json:
                return quote_path_param(text)
        return serialize_param(spec, value, _quote_segment)[0][1]

    return base_url.rstrip("/") + "/" + _PLACEHOLDER.sub(fill, path_template).lstrip("/")


def _form_pairs(body: RequestBody, data: Mapping[str, object]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        content_type, style, explode = body.encoding.get(key, ("", "form", True))
        spec = Param(key, "query", style, explode, as_json=content_type.endswith("json"))
        pairs += serialize_param(spec, value, _quote_segment)
    return pairs


def _file_part(name: str, value: object, content_type: str) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) of a file given as bytes, a file object or a tuple."""
    if isinstance(value, tuple):
        filename, content, *rest = value
        return str(filename), _binary(content), str(rest[0]) if rest else content_type
    filename = getattr(value, "name", None)
    filename = PurePath(filename).name if isinstance(filename, str) else name
    return filename, _binary(value), content_type


def _binary(value: object) -> bytes:
    """The bytes of a binary body: bytes as they are, a binary file object read whole."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    read = getattr(value, "read", None)
    if callable(read):
        data = read()
        if isinstance(data, bytes):
            return data
    raise RequestValidationError(
        [f"<body>: expected bytes or a binary file, got {type(value).__name__}"]
    )


def _multipart(body: RequestBody, value: object) -> tuple[bytes, str]:
    """The encoded parts and the Content-Type (with its boundary) of a multipart body."""
    if isinstance(value, BaseModel):
        raw: dict[str, object] = value.model_dump(mode="python", by_alias=True, exclude_unset=True)
    elif isinstance(value, Mapping):
        raw = dict(value)
    else:
        raise RequestValidationError([f"<body>: expected a mapping, got {type(value).__name__}"])
    files = {key: raw.pop(key) for key in body.files if raw.get(key) is not None}
    # Files are checked for presence here; their content is bytes that JSON cannot carry.
    checked = json.loads(encode_body(body.type, {**raw, **dict.fromkeys(files, "")}))
    fields: list[tuple[str, str]] = []
    for key, item in checked.items():
        if key in files or item is None:
            continue
        content_type = body.encoding.get(key, ("", "form", True))[0]
        values = item if isinstance(item, list) and not content_type.endswith("json") else [item]
        fields += [(key, v if isinstance(v, str) else _text(v)) for v in values]
    parts = [
        (key, _file_part(key, item, body.encoding.get(key, ("application/octet-stream",))[0]))
        for key, item in files.items()
    ]
    request = httpx.Request(
        "POST", "http://multipart.invalid", data=dict(_group(fields)), files=parts
    )
    return request.read(), request.headers["Content-Type"]


def _group(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def encode_content(body: RequestBody, value: object) -> tuple[bytes, str]:
    """The bytes and Content-Type of a request body, as its media type says."""
    if body.kind == "json":
        return encode_body(body.type, value), body.media_type
    if body.kind == "form":
        data = json.loads(encode_body(body.type, value))
        if not isinstance(data, dict):
            raise RequestValidationError(["<body>: a form body must be an object"])
        text = "&".join(f"{quote(k, safe='[]')}={v}" for k, v in _form_pairs(body, data))
        return text.encode("ascii"), body.media_type
    if body.kind == "multipart":
        return _multipart(body, value)
    if body.kind == "text" and isinstance(value, str):
        return value.encode("utf-8"), body.media_type
    return _binary(value), body.media_type


def check_param(param: Param, value: object) -> object:
    """``value`` as its parameter's type reads it (an enum member becomes its value later),
    or a RequestValidationError naming the argument; nothing is sent with a wrong value."""
    if param.type is None or value is None:
        return value
    try:
        return _adapter(param.type).validate_python(value)
    except ValidationError as exc:
        where = param.argument or param.name
        lines = [
            ".".join([where, *(str(part) for part in err["loc"])]) + f": {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False)
        ]
        raise RequestValidationError(lines, summary="invalid argument") from None


def encode_request(
    operation: Operation,
    base_url: str,
    arguments: Arguments,
    *,
    path_defaults: Mapping[str, object],
    credentials: Mapping[str, _Secret],
) -> EncodedRequest:
    """URL, headers and content of one call; arguments left at None are not sent at all."""
    specs = {(p.location, p.name): p for p in operation.params}

    def pairs(
        location: str,
        values: Mapping[str, object] | None,
        encoder: Callable[[bool], Callable[[str], str]],
    ) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for name, value in (values or {}).items():
            if value is not None:
                spec = specs.get((location, name)) or Param(name, location, "form", True)
                checked = check_param(spec, value)
                found += serialize_param(spec, checked, encoder(spec.allow_reserved))
        return found

    path_specs = {p.name: p for p in operation.params if p.location == "path"}
    path_params = {**path_defaults}
    for name, value in (arguments.path_params or {}).items():
        spec = path_specs.get(name)
        path_params[name] = value if spec is None else check_param(spec, value)
    url = build_url(base_url, operation.path, path_params, path_specs)
    query_pairs = pairs("query", arguments.query, _quote_query)
    cookie_pairs = pairs("cookie", arguments.cookies, _quote_query)
    body = arguments.body
    sent: dict[str, str] = {"Accept": operation.accept, "User-Agent": USER_AGENT}
    content = None
    if operation.body is not None and (body is not None or operation.body.required):
        content, sent["Content-Type"] = encode_content(operation.body, body)
    for name, text in pairs("header", arguments.headers, _as_is):
        sent[name] = text
    _authorize(operation, credentials, sent, query_pairs, cookie_pairs)
    if cookie_pairs:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookie_pairs)
    if query_pairs:
        url += "?" + "&".join(f"{quote(k, safe='[]')}={v}" for k, v in query_pairs)
    for name, value in sent.items():
        if not (value.isascii() and value.isprintable()):
            # Caught here, because the HTTP library's complaint would quote the header value.
            raise RequestValidationError([f"{name}: must be printable ASCII to fit in a header"])
    return EncodedRequest(url, sent, content)


def credential(argument: str, value: str | tuple[str, str]) -> _Secret:
    """A constructor's credential, held secret; a (username, password) pair for basic auth."""
    if isinstance(value, tuple) and len(value) == 2:
        user, password = (check_secret(f"{argument}[{i}]", part) for i, part in enumerate(value))
        return _Secret(f"{user}:{password}")
    return _Secret(check_secret(argument, value))


def _authorize(
    operation: Operation,
    credentials: Mapping[str, _Secret],
    headers: dict[str, str],
    query: list[tuple[str, str]],
    cookies: list[tuple[str, str]],
) -> None:
    """Apply the first alternative of the operation's security whose credentials were given."""
    for alternative in operation.security:
        if all(credentials.get(name) is not None for name in alternative):
            for name in alternative:
                _apply(SCHEMES[name], credentials[name], headers, query, cookies)
            return


def _apply(
    scheme: Scheme,
    secret_holder: _Secret,
    headers: dict[str, str],
    query: list[tuple[str, str]],
    cookies: list[tuple[str, str]],
) -> None:
    secret = secret_holder.reveal()
    if scheme.kind == "basic":  # held as "username:password"
        headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode("ascii")
    elif scheme.kind == "bearer":
        headers["Authorization"] = f"Bearer {secret}"
    elif scheme.kind == "header":
        headers[scheme.name] = secret
    elif scheme.kind == "query":
        query.append((scheme.name, quote(secret, safe="")))
    elif scheme.kind == "cookie":
        cookies.append((scheme.name, quote(secret, safe="")))


#: The security schemes of the spec that a client can apply, by their name in the spec.
SCHEMES: dict[str, Scheme] = {
    "XAuthToken": Scheme("header", "X-Auth-Token"),
}


# Building a TypeAdapter compiles a validator; do it once per type.
_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(tp: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(tp)
    if adapter is None:
        adapter = _ADAPTERS.setdefault(tp, TypeAdapter(tp))
    return adapter


def _error_lines(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in err["loc"]) or "<body>"
        lines.append(f"{where}: {err['msg']}")
    return lines


def _union_members(body_type: Any) -> tuple[Any, ...]:
    """The alternatives of a oneOf body (a RootModel over a union, or a bare union), else ()."""
    target = body_type
    if isinstance(body_type, type) and issubclass(body_type, RootModel):
        target = body_type.model_fields["root"].annotation
    if get_origin(target) in (Union, types.UnionType):
        return get_args(target)
    return ()


def _validate_strictly(tp: Any, data: bytes) -> Any:
    # Strict JSON validation: no lax coercion ("yes" is not a boolean, 1 is not a string), and
    # unknown keys refused at every level, whatever the models' own `extra` setting (they may
    # keep unknown fields of responses).
    return _adapter(tp).validate_json(data, strict=True, extra="forbid")


def _body_error(body_type: Any, data: bytes, exc: ValidationError) -> RequestValidationError:
    # pydantic reports every alternative's complaints, prefixed with class names; a user wants
    # those of the alternative their body was meant to be: the one with the fewest complaints
    # at its top level (missing or unexpected keys) and then the fewest overall.
    ranked: list[tuple[tuple[int, int], str, list[str]]] = []
    for member in _union_members(body_type):
        try:
            _validate_strictly(member, data)
        except ValidationError as member_exc:
            errors = member_exc.errors(include_url=False, include_input=False)
            top_level = sum(1 for err in errors if len(err["loc"]) <= 1)
            name = getattr(member, "__name__", repr(member))
            ranked.append(((top_level, len(errors)), name, _error_lines(member_exc)))
    if not ranked:
        return RequestValidationError(_error_lines(exc))
    best = min(score for score, _, _ in ranked)
    closest = [entry for entry in ranked if entry[0] == best]
    if len(closest) == 1:
        return RequestValidationError(closest[0][2])
    names = ", ".join(name for _, name, _ in closest)
    # What every alternative complains about (an unknown key) is said once, first.
    common = [line for line in closest[0][2] if all(line in entry[2] for entry in closest)]
    rest = [line for _, _, member_lines in closest for line in member_lines if line not in common]
    lines = list(dict.fromkeys(common + rest))
    return RequestValidationError(lines, summary=f"request body matches none of {names}")


def encode_body(body_type: Any, body: object) -> bytes:
    """Validate a model instance or a mapping with JSON names against body_type; return JSON.

    Validation is strict and refuses unknown keys at every level (see `_validate_strictly`).
    Instances are validated again from their JSON form, so a model built with
    model_construct() or changed after construction cannot slip an invalid body through,
    and an alternative of a oneOf body may be passed without its RootModel wrapper.
    """
    try:
        if isinstance(body, BaseModel):
            data: object = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
        else:
            # Models, enums and dates nested in a mapping take their JSON form.
            data = to_jsonable_python(body, by_alias=True)
        text = json.dumps(data, ensure_ascii=False, allow_nan=False).encode()
    except (PydanticSerializationError, TypeError, ValueError) as exc:
        raise RequestValidationError(
            [f"<body>: {exc}"], summary="request body is not JSON"
        ) from None
    try:
        value = _validate_strictly(body_type, text)
    except ValidationError as exc:
        raise _body_error(body_type, text, exc) from None
    return _adapter(body_type).dump_json(value, by_alias=True, exclude_unset=True)


# --- Responses ----------------------------------------------------------------------------


# Set while an answer is parsed: only then may an enum keep a value the spec does not list.
_READING_ANSWER: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ecs_tasks_reading_answer", default=False
)


def keeps_unknown_enum_values() -> bool:
    """Whether an enum of the models should keep an unlisted value: in answers, not requests.

    Services add values (D19: a job status such as PENDING_PAYMENT); an answer carrying one
    still parses, while a request body never sends one.
    """
    return _READING_ANSWER.get()


def parse_response(response_type: type[T], status_code: int, body: bytes, client: object) -> T:
    """Validate a 2xx body into response_type, or raise ResponseValidationError.

    `type(None)` is an answer without content (whatever body came is dropped); `bytes` and
    `str` take the body as it is.
    """
    if response_type is type(None):
        return None
    if not body.strip() and (response_type is Any or type(None) in get_args(response_type)):
        # One of the operation's 2xx answers (a 204) has no content, or none is described.
        return cast(T, None)
    if response_type is bytes:
        return cast(T, body)
    if response_type is str:
        return cast(T, body.decode("utf-8", errors="replace"))
    reading = _READING_ANSWER.set(True)
    try:
        parsed: T = _adapter(response_type).validate_json(
            body, context={CLIENT_CONTEXT_KEY: client}
        )
    except ValidationError as exc:
        # Not chained: the pydantic error repeats the whole body, which is on the exception.
        raise ResponseValidationError(
            status_code=status_code,
            body=body,
            model=getattr(response_type, "__name__", str(response_type)),
            errors="; ".join(_error_lines(exc)[:5]),
        ) from None
    finally:
        _READING_ANSWER.reset(reading)
    return parsed


_CODE_KEYS = ("code", "error_code", "errorCode")
_MESSAGE_KEYS = ("message", "error_msg", "errorMsg", "error")
# Pulls fields out of a body that is almost JSON, such as one cut off in transit.
_LOOSE_FIELD = re.compile(
    r'"(' + "|".join(_CODE_KEYS + _MESSAGE_KEYS) + r')"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)'
)
_TAG = re.compile(r"<[^>]*>")
_SNIPPET_LENGTH = 200


def _scalar_text(value: object) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _first_text(fields: Mapping[str, object], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        text = _scalar_text(fields.get(key))
        if text is not None:
            return text
    return None


def _snippet(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    if text.startswith("<"):
        text = _TAG.sub(" ", text)
    text = " ".join(text.split())
    if len(text) > _SNIPPET_LENGTH:
        text = text[:_SNIPPET_LENGTH] + "..."
    return text


def _loose_fields(body: bytes) -> dict[str, object]:
    found: dict[str, object] = {}
    for match in _LOOSE_FIELD.finditer(body.decode("utf-8", errors="replace")):
        try:
            found.setdefault(match.group(1), json.loads(match.group(2)))
        except ValueError:
            continue
    return found


def parse_error_body(body: bytes, status_code: int) -> tuple[str | None, str, list[dict[str, Any]]]:
    """Read (code, message, details) from any error body form; never raises.

    Forms: the documented {"error": {"code", "message", "details"}} envelope, the job query's
    flat {"code", "message"}, the gateways' {"error_code", "error_msg"} and
    {"errorCode", "errorMsg"}; anything else (HTML, text, empty, cut off) yields a message
    made from the status and the start of the body.
    """
    reason = httpx.codes.get_reason_phrase(status_code)
    fallback = f"HTTP {status_code} {reason}".rstrip()
    try:
        data: object = json.loads(body)
    except (ValueError, RecursionError):
        fields = _loose_fields(body)
        snippet = _snippet(body)
        message = _first_text(fields, _MESSAGE_KEYS) or (
            f"{fallback}: {snippet}" if snippet else fallback
        )
        return _first_text(fields, _CODE_KEYS), message, []
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        data = data["error"]
    if not isinstance(data, dict):
        return None, _scalar_text(data) or f"{fallback}: {_snippet(body)}", []
    raw_details = data.get("details")
    details = (
        [d for d in raw_details if isinstance(d, dict)] if isinstance(raw_details, list) else []
    )
    return (
        _first_text(data, _CODE_KEYS),
        _first_text(data, _MESSAGE_KEYS) or fallback,
        details,
    )


# Delta-seconds; a fraction is tolerated, "nan", "inf" and exponents are not.
_DELTA_SECONDS = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _http_date(value: str) -> datetime | None:
    """An HTTP date as an aware datetime, or None for anything that is not one."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        # Server headers are untrusted: a zone offset of 20 digits overflows, for one.
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return max(0.0, float(value))
    when = _http_date(value)
    if when is None:
        return None
    try:
        return max(0.0, (when - now).total_seconds())
    except OverflowError:
        return None


def _response_now(response: httpx.Response) -> datetime:
    """The server's clock if it sent a Date header, so an HTTP-date Retry-After is skew-free."""
    return _http_date(response.headers.get("Date", "")) or datetime.now(timezone.utc)


def retry_after_seconds(response: httpx.Response) -> float | None:
    return parse_retry_after(response.headers.get("Retry-After"), _response_now(response))


def make_api_error(response: httpx.Response, body: bytes) -> ApiError:
    code, message, details = parse_error_body(body, response.status_code)
    fields: dict[str, Any] = {
        "status_code": response.status_code,
        "code": code,
        "message": message,
        "details": details,
        "request_id": response.headers.get("X-Request-Id"),
        "body": body,
    }
    if response.status_code == 429:
        return RateLimitError(retry_after=retry_after_seconds(response), **fields)
    if response.is_redirect or 300 <= response.status_code < 400:
        location = response.headers.get("Location")
        fields["message"] = (
            f"redirected to {_snippet(location.encode())}, which the client never follows"
            if location
            else "a redirect without a Location, which the client never follows"
        )
        return RedirectError(location=location, **fields)
    return error_class_for_status(response.status_code)(**fields)


# --- Retries ------------------------------------------------------------------------------

# Failures that happen before any byte of the request left: repeating cannot duplicate it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures worth another try when repeating the request is harmless.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def is_retryable_status(status_code: int, *, safe_to_repeat: bool) -> bool:
    """429 means the request was turned away, so any request may be repeated after it.

    408 and 5xx may come after the server acted, so only repeatable requests are retried;
    501 says the server cannot do it at all, so it is never retried.
    """
    if status_code == 429:
        return True
    return safe_to_repeat and (status_code == 408 or (status_code >= 500 and status_code != 501))


@dataclass(frozen=True)
class _Attempt:
    """What one send produced: a response with its (possibly partial) body, or an error."""

    response: httpx.Response | None = None
    body: bytes = b""
    error: httpx.RequestError | None = None
    # False when the request surely never left: no connection was free or could be made.
    sent: bool = True

    @property
    def not_sent(self) -> bool:
        return self.error is not None and (not self.sent or isinstance(self.error, _NOT_SENT))


def _read_outcome(
    response: httpx.Response, chunks: list[bytes], error: httpx.RequestError | None
) -> _Attempt:
    # For an error answer the status says enough, so a body cut off in transit is still
    # reported as that ApiError; a success whose body was lost is a transport failure.
    if error is not None and response.is_success:
        return _Attempt(error=error)
    return _Attempt(response=response, body=b"".join(chunks))


def retry_delay(
    attempt: _Attempt,
    *,
    safe_to_repeat: bool,
    attempt_number: int,
    max_retries: int,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before sending again, or None to stop and report this attempt."""
    if attempt_number >= max_retries:
        return None
    if attempt.error is not None:
        if attempt.not_sent or (safe_to_repeat and isinstance(attempt.error, _TRANSIENT)):
            return policy.backoff(attempt_number, rand)
        return None
    assert attempt.response is not None
    if not is_retryable_status(attempt.response.status_code, safe_to_repeat=safe_to_repeat):
        return None
    hint = retry_after_seconds(attempt.response)
    if hint is None:
        return policy.backoff(attempt_number, rand)
    # A server asking for a long pause is better answered now with the error than by hanging.
    return hint if hint <= policy.max_retry_after else None


# --- Transport ----------------------------------------------------------------------------


def cap_timeout(timeout: httpx.Timeout, limit: float) -> httpx.Timeout:
    """timeout with every phase limited to at most `limit` seconds."""

    def cap(value: float | None) -> float:
        return limit if value is None else min(value, limit)

    return httpx.Timeout(
        connect=cap(timeout.connect),
        read=cap(timeout.read),
        write=cap(timeout.write),
        pool=cap(timeout.pool),
    )


# The deadline (time.monotonic()) of the attempt this thread is making, if any.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "ecs_tasks_deadline", default=None
)


def _within_deadline(timeout: float | None, expired: type[Exception]) -> float | None:
    """A socket operation's timeout, shortened to what is left of the attempt's deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes end by the deadline of the attempt using it."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, limit))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Opens connections that keep to the deadline of the attempt using them."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        limit = _within_deadline(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, limit, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        limit = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, limit, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class _Lanes(Generic[H]):
    """The HTTP clients a client sends through, and how many attempts each has in flight.

    httpcore's connection pool walks all its connections (and, for each idle one, all of them
    again) whenever a request starts or ends (encode/httpcore#1035), so with 1,000 calls on one
    client a single pool of 50 connections spends more time on bookkeeping than on requests.
    The client's own connections are therefore spread over pools of LANE_CONNECTIONS, opened
    as they are needed, and each attempt takes the least busy pool: with no more attempts in
    flight than connections in all, one always has a free connection. A caller's HTTP client
    is the only lane.
    """

    def __init__(self, first: H, more: Sequence[Callable[[], H]]) -> None:
        self.clients: list[H] = [first]
        self._busy = [0]
        self._more: list[Callable[[], H]] = list(more)
        self._lock = threading.Lock()

    @contextmanager
    def least_busy(self) -> Iterator[H]:
        with self._lock:
            index = min(range(len(self._busy)), key=self._busy.__getitem__)
            if self._busy[index] >= LANE_CONNECTIONS and self._more:
                self.clients.append(self._more.pop(0)())
                self._busy.append(0)
                index = len(self._busy) - 1
            self._busy[index] += 1
        try:
            yield self.clients[index]
        finally:
            with self._lock:
                self._busy[index] -= 1


def _connection_pools(http: httpx.Client | httpx.AsyncClient) -> list[Any] | None:
    """The httpcore pools behind http's transports, or None if one is of another kind.

    httpx has no public hook for this; it is read defensively, so that another httpx
    version or a custom transport only means None.
    """
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    pools = [getattr(t, "_pool", None) for t in transports if t is not None]
    if not all(hasattr(pool, "_network_backend") for pool in pools):
        return None
    return pools


def _deadline_keeping_client(options: dict[str, Any]) -> httpx.Client:
    """A new HTTP client of the given options whose connections keep the attempt's deadline."""
    client = httpx.Client(**options)
    _keep_deadlines(client)
    return client


def _keep_deadlines(http: httpx.Client) -> None:
    """Make http's connections end every socket wait at the attempt's deadline, if it can.

    httpx limits each socket operation, not a whole request: a server trickling a byte at a
    time would never time out. The connection pool's network backend is where one deadline
    can hold while the status line and headers arrive; outside the client's own calls (no
    deadline set) it changes nothing. Transports it cannot reach are left alone: for them the
    deadline is checked between body chunks.
    """
    pools = _connection_pools(http)
    if pools is None:
        return
    for pool in pools:
        backend = pool._network_backend
        if not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)


class _Progress:
    """Follows httpcore's trace events, to tell a request never sent from one maybe sent."""

    def __init__(self, *, traced: bool, deadline: float | None) -> None:
        # The attempt's deadline, once it has a slot; until then the call's, if it has one.
        self.deadline = deadline
        # Without httpcore's events (another transport), a request may always have been sent.
        self.maybe_sent = not traced
        self.had_slot = False

    def saw(self, event: str) -> None:
        if event.endswith(".send_request_headers.started"):
            self.maybe_sent = True

    def expired(self, request: httpx.Request) -> _Attempt:
        """The outcome of an attempt its deadline cut short."""
        if not self.had_slot:
            return _no_slot(request)
        if not self.maybe_sent:
            return _Attempt(
                error=httpx.ConnectTimeout("no connection before the deadline", request=request),
                sent=False,
            )
        return _Attempt(error=httpx.ReadTimeout("no whole answer by the deadline", request=request))


def _no_slot(request: httpx.Request) -> _Attempt:
    # The client's own limit on requests in flight: waiting for it sends nothing.
    return _Attempt(
        error=httpx.PoolTimeout("no free slot before the deadline", request=request), sent=False
    )


def _seconds_left(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)


class _BodyReader:
    """Collects a response body from its raw bytes, decoding gzip and deflate here so that a
    small compressed answer cannot expand in memory past the limit before it is noticed."""

    def __init__(self, response: httpx.Response, limit: int, deadline: float) -> None:
        self._response = response
        self._limit = limit
        self._deadline = deadline
        self._chunks: list[bytes] = []
        self._size = 0
        coding = response.headers.get("Content-Encoding", "").strip().lower()
        # Other encodings are not asked for (ACCEPT_ENCODING); sent anyway, they stay as they are.
        self._inflate = (
            zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib, told by the header
            if coding in ("gzip", "x-gzip", "deflate")
            else None
        )
        # Some servers send "deflate" without its zlib wrapper, as raw deflate.
        self._may_be_raw_deflate = coding == "deflate"
        self._compressed = False  # whether any compressed byte came

    def feed(self, raw: bytes) -> None:
        if time.monotonic() > self._deadline:
            raise httpx.ReadTimeout(
                "the deadline passed while the body arrived", request=self._response.request
            )
        if self._inflate is None:
            self._keep(raw)
            return
        while raw:
            try:
                self._keep(self._inflate.decompress(raw, self._limit - self._size + 1))
            except zlib.error as exc:
                if self._may_be_raw_deflate and self._size == 0:
                    self._may_be_raw_deflate = False
                    self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise self._corrupt(str(exc)) from None
            self._compressed = True
            raw = self._inflate.unconsumed_tail

    def take_decoded(self, data: bytes) -> None:
        """A whole body the transport has already read and decoded."""
        self._inflate = None
        self._keep(data)

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise ResponseTooLargeError(
                f"{_where(self._response.request)} answered HTTP {self._response.status_code} "
                f"with a body of more than {self._limit} bytes (max_response_bytes); "
                "it was not read further",
                status_code=self._response.status_code,
                limit=self._limit,
            )
        if data:
            self._chunks.append(data)

    def outcome(self, error: httpx.RequestError | None) -> _Attempt:
        if error is None and self._inflate is not None and self._compressed:
            try:
                self._keep(self._inflate.flush())
            except zlib.error as exc:
                error = self._corrupt(str(exc))
            else:
                if not self._inflate.eof:
                    error = self._corrupt("it stops before the compressed stream ends")
        return _read_outcome(self._response, self._chunks, error)

    def _corrupt(self, why: str) -> httpx.DecodingError:
        return httpx.DecodingError(
            f"the compressed body is corrupt: {why}", request=self._response.request
        )


def _where(request: httpx.Request) -> str:
    """Method, origin and path of a request; never its query or headers, which may hold secrets."""
    url = request.url
    return f"{request.method} {url.scheme}://{url.netloc.decode('ascii', 'replace')}{url.path}"


def _not_sent_reason(error: httpx.RequestError) -> str:
    if isinstance(error, httpx.PoolTimeout):
        return f"no free connection in time: {error}"
    if isinstance(error, httpx.ConnectTimeout):
        return f"connecting timed out: {error}"
    return f"{type(error).__name__}: {error}"


def _transport_error(request: httpx.Request, attempt: _Attempt) -> ApiConnectionError:
    error = attempt.error
    assert error is not None
    where = _where(request)
    if attempt.not_sent:
        return RequestNotSentError(
            f"{where} was not sent ({_not_sent_reason(error)}); sending it again is safe"
        )
    if isinstance(error, httpx.TimeoutException):
        return ApiTimeoutError(
            f"{where} timed out ({type(error).__name__}: {error}); the server may have acted on it"
        )
    if isinstance(error, httpx.LocalProtocolError):
        # Its text may quote a header value, such as a signature an auth hook added.
        return ApiConnectionError(f"{where} could not be sent: {type(error).__name__}")
    return ApiConnectionError(f"{where} failed: {type(error).__name__}: {error}")


# --- Clients ------------------------------------------------------------------------------


class _BaseClient(Generic[HttpClientT]):
    """Configuration and the I/O-free steps of a request, shared by both clients."""

    _http: HttpClientT

    def __init__(
        self,
        base_url: str,
        project_id: str,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        auth: httpx.Auth | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        self.base_url = check_base_url(base_url)
        path_value("project_id", project_id)
        self.timeout, self._attempt_seconds = check_timeout(timeout)
        self.max_retries = check_count("max_retries", max_retries, minimum=0)
        self.max_response_bytes = check_count("max_response_bytes", max_response_bytes, minimum=1)
        self.max_in_flight = check_count("max_in_flight", max_in_flight, minimum=1)
        self.project_id = project_id
        # Filled into every path: the parameters the client holds rather than each call.
        self._path_defaults: dict[str, str] = {
            "project_id": str(project_id),
        }
        # By scheme name in the spec; a scheme whose credential is not given is never applied.
        self._credentials: dict[str, _Secret] = {}
        if token is not None:
            self._credentials["XAuthToken"] = credential("token", token)
        # Passed per request; left out when None so a caller-owned client's own auth applies.
        self._send_options: dict[str, Any] = {} if auth is None else {"auth": auth}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, project_id={self.project_id!r})"

    def _new_http_client_options(self) -> list[dict[str, Any]]:
        """Options of the HTTP clients the client makes for itself, one per lane (see _Lanes):
        as many connections in all as requests in flight, so that none waits for a pool. The
        lanes share one TLS context, which is costly to make."""
        full, rest = divmod(self.max_in_flight, LANE_CONNECTIONS)
        sizes = [LANE_CONNECTIONS] * full + ([rest] if rest else [])
        common = {
            "timeout": self.timeout,
            "verify": httpx.create_ssl_context(),
            "follow_redirects": False,
        }
        return [
            {**common, "limits": httpx.Limits(max_connections=n, max_keepalive_connections=n)}
            for n in sizes
        ]

    def _build_request(self, operation: Operation, arguments: Arguments) -> httpx.Request:
        encoded = encode_request(
            operation,
            self.base_url,
            arguments,
            path_defaults=self._path_defaults,
            credentials=self._credentials,
        )
        request = self._http.build_request(
            operation.method,
            encoded.url,
            content=encoded.content,
            headers=encoded.headers,
        )
        # Only what _BodyReader decodes itself, under the size limit.
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        return request

    def _attempt_deadline(self, call_deadline: float | None) -> float:
        """When the attempt starting now must be over: the timeout from now, or the call's end."""
        deadline = time.monotonic() + self._attempt_seconds
        return deadline if call_deadline is None else min(deadline, call_deadline)

    def _limit_phases(self, request: httpx.Request, deadline: float) -> None:
        """No phase's own timeout may reach past the attempt's deadline."""
        left = max(deadline - time.monotonic(), 1e-3)
        request.extensions["timeout"] = cap_timeout(self.timeout, left).as_dict()

    def _retry_delay(
        self,
        operation: Operation,
        request: httpx.Request,
        attempt: _Attempt,
        attempt_number: int,
        max_retries: int,
        call_deadline: float | None,
    ) -> float | None:
        outcome = (
            type(attempt.error).__name__
            if attempt.response is None
            else attempt.response.status_code
        )
        logger.debug(
            "%s %s -> %s (attempt %d)",
            request.method,
            request.url.path,
            outcome,
            attempt_number + 1,
        )
        delay = retry_delay(
            attempt,
            safe_to_repeat=operation.safe_to_repeat,
            attempt_number=attempt_number,
            max_retries=max_retries,
        )
        if (
            delay is not None
            and call_deadline is not None
            and time.monotonic() + delay >= call_deadline
        ):
            delay = None  # the call would end before the retry could be sent
        if delay is not None:
            logger.debug(
                "retrying %s %s in %.2f s (retry %d of %d)",
                request.method,
                request.url.path,
                delay,
                attempt_number + 1,
                max_retries,
            )
        return delay

    def _finish(self, request: httpx.Request, attempt: _Attempt, response_type: type[T]) -> T:
        if attempt.error is not None:
            raise _transport_error(request, attempt) from attempt.error
        assert attempt.response is not None
        if not attempt.response.is_success:
            raise make_api_error(attempt.response, attempt.body)
        return parse_response(response_type, attempt.response.status_code, attempt.body, self)


class SyncBaseClient(_BaseClient[httpx.Client]):
    """The blocking request loop; see _BaseClient for everything it decides."""

    def __init__(
        self,
        base_url: str,
        project_id: str,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        auth: httpx.Auth | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            base_url,
            project_id,
            token,
            timeout=timeout,
            max_retries=max_retries,
            auth=auth,
            max_response_bytes=max_response_bytes,
            max_in_flight=max_in_flight,
        )
        self._owns_http = http_client is None
        if http_client is None:
            first, *more = [
                functools.partial(_deadline_keeping_client, options)
                for options in self._new_http_client_options()
            ]
            self._lanes = _Lanes(first(), more)
        else:
            _keep_deadlines(http_client)
            self._lanes = _Lanes(http_client, [])
        self._http = self._lanes.clients[0]
        self._slots = threading.BoundedSemaphore(self.max_in_flight)

    def close(self) -> None:
        """Close the HTTP clients this object created; a caller-owned one stays open."""
        if self._owns_http:
            for client in self._lanes.clients:
                client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _attempt(
        self, request: httpx.Request, call_deadline: float | None
    ) -> tuple[_Attempt, float | None]:
        """Send once within one deadline (connecting, sending, the body) once a slot is free;
        return the outcome and that deadline."""
        if not self._slots.acquire(timeout=_seconds_left(call_deadline)):
            return _no_slot(request), call_deadline
        try:
            deadline = self._attempt_deadline(call_deadline)
            self._limit_phases(request, deadline)
            token = _DEADLINE.set(deadline)
            try:
                with self._lanes.least_busy() as http:
                    return self._exchange(http, request, deadline), deadline
            finally:
                _DEADLINE.reset(token)
        finally:
            self._slots.release()

    def _exchange(self, http: httpx.Client, request: httpx.Request, deadline: float) -> _Attempt:
        try:
            response = http.send(request, stream=True, follow_redirects=False, **self._send_options)
        except httpx.RequestError as exc:
            return _Attempt(error=exc)
        reader = _BodyReader(response, self.max_response_bytes, deadline)
        if response.is_stream_consumed:  # a transport that read it, like httpx.MockTransport
            reader.take_decoded(response.content)
            return reader.outcome(None)
        try:
            for raw in response.iter_raw():
                reader.feed(raw)
        except httpx.RequestError as exc:
            return reader.outcome(exc)
        finally:
            response.close()
        return reader.outcome(None)

    def _request(
        self,
        operation: Operation,
        response_type: type[T],
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        cookies: Mapping[str, object] | None = None,
        body: object = None,
        time_limit: float | None = None,
        max_retries: int | None = None,
    ) -> T:
        arguments = Arguments(path_params, query, headers, cookies, body)
        request = self._build_request(operation, arguments)
        # Until the first attempt has a slot, only a waiter's time limit applies; from then on
        # that attempt's deadline is the call's: retries and their pauses must fit in it.
        call_deadline = None if time_limit is None else time.monotonic() + time_limit
        retries = self.max_retries if max_retries is None else max_retries
        attempt_number = 0
        while True:
            attempt, call_deadline = self._attempt(request, call_deadline)
            delay = self._retry_delay(
                operation, request, attempt, attempt_number, retries, call_deadline
            )
            if delay is None:
                return self._finish(request, attempt, response_type)
            time.sleep(delay)
            attempt_number += 1


class AsyncBaseClient(_BaseClient[httpx.AsyncClient]):
    """The asyncio request loop; see _BaseClient for everything it decides."""

    def __init__(
        self,
        base_url: str,
        project_id: str,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        auth: httpx.Auth | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            base_url,
            project_id,
            token,
            timeout=timeout,
            max_retries=max_retries,
            auth=auth,
            max_response_bytes=max_response_bytes,
            max_in_flight=max_in_flight,
        )
        self._owns_http = http_client is None
        if http_client is None:
            first, *more = [
                functools.partial(httpx.AsyncClient, **options)
                for options in self._new_http_client_options()
            ]
            self._lanes = _Lanes(first(), more)
        else:
            self._lanes = _Lanes(http_client, [])
        self._http = self._lanes.clients[0]
        # httpcore's trace events tell whether a request cut short by its deadline had left
        # (every lane is of the first one's kind).
        self._traced = _connection_pools(self._http) is not None
        self._slots = asyncio.Semaphore(self.max_in_flight)

    async def close(self) -> None:
        """Close the HTTP clients this object created; a caller-owned one stays open."""
        if self._owns_http:
            for client in self._lanes.clients:
                await client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _attempt(
        self, request: httpx.Request, call_deadline: float | None
    ) -> tuple[_Attempt, float | None]:
        """Send once within one deadline (connecting, sending, the body) once a slot is free;
        return the outcome and that deadline."""
        progress = _Progress(traced=self._traced, deadline=call_deadline)

        async def trace(event: str, info: Mapping[str, Any]) -> None:
            progress.saw(event)

        request.extensions["trace"] = trace
        try:
            attempt = await asyncio.wait_for(
                self._attempt_in_slot(request, call_deadline, progress),
                _seconds_left(call_deadline),
            )
        except asyncio.TimeoutError:
            attempt = progress.expired(request)
        return attempt, progress.deadline

    async def _attempt_in_slot(
        self, request: httpx.Request, call_deadline: float | None, progress: _Progress
    ) -> _Attempt:
        async with self._slots:
            progress.had_slot = True
            deadline = progress.deadline = self._attempt_deadline(call_deadline)
            self._limit_phases(request, deadline)
            with self._lanes.least_busy() as http:
                return await asyncio.wait_for(
                    self._exchange(http, request, deadline), max(deadline - time.monotonic(), 0.0)
                )

    async def _exchange(
        self, http: httpx.AsyncClient, request: httpx.Request, deadline: float
    ) -> _Attempt:
        try:
            response = await http.send(
                request, stream=True, follow_redirects=False, **self._send_options
            )
        except httpx.RequestError as exc:
            return _Attempt(error=exc)
        reader = _BodyReader(response, self.max_response_bytes, deadline)
        if response.is_stream_consumed:  # a transport that read it, like httpx.MockTransport
            reader.take_decoded(response.content)
            return reader.outcome(None)
        try:
            async for raw in response.aiter_raw():
                reader.feed(raw)
        except httpx.RequestError as exc:
            return reader.outcome(exc)
        finally:
            await response.aclose()
        return reader.outcome(None)

    async def _request(
        self,
        operation: Operation,
        response_type: type[T],
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        cookies: Mapping[str, object] | None = None,
        body: object = None,
        time_limit: float | None = None,
        max_retries: int | None = None,
    ) -> T:
        arguments = Arguments(path_params, query, headers, cookies, body)
        request = self._build_request(operation, arguments)
        # Until the first attempt has a slot, only a waiter's time limit applies; from then on
        # that attempt's deadline is the call's: retries and their pauses must fit in it.
        call_deadline = None if time_limit is None else time.monotonic() + time_limit
        retries = self.max_retries if max_retries is None else max_retries
        attempt_number = 0
        while True:
            attempt, call_deadline = await self._attempt(request, call_deadline)
            delay = self._retry_delay(
                operation, request, attempt, attempt_number, retries, call_deadline
            )
            if delay is None:
                return self._finish(request, attempt, response_type)
            await asyncio.sleep(delay)
            attempt_number += 1
