"""The request machinery every operation goes through, written once for the sync and async clients.

The decisions (URL, headers, body, error parsing, whether and when to retry) are pure functions
or methods of `_BaseClient`; `SyncBaseClient` and `AsyncBaseClient` only add the I/O loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar, Union, get_args, get_origin
from urllib.parse import quote

import httpx
from pydantic import BaseModel, RootModel, TypeAdapter, ValidationError

from ._exceptions import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
    error_class_for_status,
)

__version__ = "0.1.0"
USER_AGENT = f"ecs-tasks-python/{__version__}"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2

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
    body_type: Any = None
    idempotent: bool = False

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


# --- URL, headers and body ----------------------------------------------------------------


def quote_path_param(value: str) -> str:
    """Percent-encode one path segment so that it can never become another path."""
    # quote() leaves dots alone, and httpx would then collapse "." / ".." segments.
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


# Any name but braces and slashes: specs name path parameters `job-id`, `job.id`, ...
_PLACEHOLDER = re.compile(r"\{([^{}/]+)\}")


def build_url(base_url: str, path_template: str, params: Mapping[str, str]) -> str:
    """Join base_url (with or without a trailing slash) and the template filled with params."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = str(params[name])
        if not value:
            # An empty segment would silently address a different resource (e.g. the job list).
            raise RequestValidationError([f"{name}: must not be empty"], summary="invalid path")
        return quote_path_param(value)

    return base_url.rstrip("/") + "/" + _PLACEHOLDER.sub(fill, path_template).lstrip("/")


def build_headers(token: _Secret | None, *, has_body: bool) -> dict[str, str]:
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if has_body:
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["X-Auth-Token"] = token.reveal()
    return headers


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


def _body_error(body_type: Any, data: object, exc: ValidationError) -> RequestValidationError:
    # pydantic reports every alternative's complaints, prefixed with class names; a user wants
    # those of the alternative their body was meant to be: the one with the fewest complaints
    # at its top level (missing or unexpected keys) and then the fewest overall.
    ranked: list[tuple[tuple[int, int], str, list[str]]] = []
    for member in _union_members(body_type):
        try:
            _adapter(member).validate_python(data)
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
    lines = [line for _, _, member_lines in closest for line in member_lines]
    return RequestValidationError(lines, summary=f"request body matches none of {names}")


def encode_body(body_type: Any, body: object) -> bytes:
    """Validate a model instance or a mapping with JSON names against body_type; return JSON.

    Instances are validated again from their JSON form, so a model built with
    model_construct() or changed after construction cannot slip an invalid body through,
    and an alternative of a oneOf body may be passed without its RootModel wrapper.
    """
    if isinstance(body, BaseModel):
        data: object = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    elif isinstance(body, Mapping):
        data = dict(body)
    else:
        data = body
    adapter = _adapter(body_type)
    try:
        value = adapter.validate_python(data)
    except ValidationError as exc:
        raise _body_error(body_type, data, exc) from None
    return adapter.dump_json(value, by_alias=True, exclude_unset=True)


# --- Responses ----------------------------------------------------------------------------


def parse_response(response_type: type[T], status_code: int, body: bytes, client: object) -> T:
    """Validate a 2xx body into response_type, or raise ResponseValidationError."""
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


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _response_now(response: httpx.Response) -> datetime:
    """The server's clock if it sent a Date header, so an HTTP-date Retry-After is skew-free."""
    try:
        when = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return datetime.now(timezone.utc)
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


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
        if isinstance(attempt.error, _NOT_SENT) or (
            safe_to_repeat and isinstance(attempt.error, _TRANSIENT)
        ):
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


def _transport_error(request: httpx.Request, error: httpx.RequestError) -> ApiConnectionError:
    # Name the method and path only: the request's headers carry the credentials.
    where = f"{request.method} {request.url.path}"
    if isinstance(error, httpx.TimeoutException):
        return ApiTimeoutError(f"{where} timed out ({type(error).__name__})")
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
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("base_url must be an absolute http(s) URL")
        if url.userinfo:
            raise ValueError("base_url must not carry credentials; pass token= or auth=")
        if not project_id:
            raise ValueError("project_id must not be empty")
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if token is not None and not (token.isascii() and token.isprintable()):
            # Caught here, because the HTTP library's complaint would quote the header value.
            raise ValueError("token must be printable ASCII to fit in an HTTP header")
        self.base_url = str(url).rstrip("/")
        self.project_id = project_id
        # Filled into every path: the parameters the client holds rather than each call.
        self._path_defaults: dict[str, str] = {
            "project_id": str(project_id),
        }
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.max_retries = max_retries
        self._token = _Secret(token) if token else None
        # Passed per request; left out when None so a caller-owned client's own auth applies.
        self._send_options: dict[str, Any] = {} if auth is None else {"auth": auth}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, project_id={self.project_id!r})"

    def _new_http_client_options(self) -> dict[str, Any]:
        return {"timeout": self.timeout, "verify": True, "follow_redirects": False}

    def _build_request(
        self,
        operation: Operation,
        path_params: Mapping[str, str] | None,
        query: Mapping[str, object] | None,
        body: object,
        time_limit: float | None,
    ) -> httpx.Request:
        url = build_url(
            self.base_url,
            operation.path,
            {**self._path_defaults, **(path_params or {})},
        )
        content = None if operation.body_type is None else encode_body(operation.body_type, body)
        timeout = self.timeout if time_limit is None else cap_timeout(self.timeout, time_limit)
        # An optional query parameter left at None is not sent at all.
        params: dict[str, Any] = {k: v for k, v in (query or {}).items() if v is not None}
        return self._http.build_request(
            operation.method,
            url,
            params=params or None,
            content=content,
            headers=build_headers(self._token, has_body=content is not None),
            timeout=timeout,
        )

    def _retry_delay(
        self,
        operation: Operation,
        request: httpx.Request,
        attempt: _Attempt,
        attempt_number: int,
        max_retries: int,
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
            raise _transport_error(request, attempt.error) from attempt.error
        assert attempt.response is not None
        if not attempt.response.is_success:
            raise make_api_error(attempt.response, attempt.body)
        return parse_response(response_type, attempt.response.status_code, attempt.body, self)


_SyncSelfT = TypeVar("_SyncSelfT", bound="SyncBaseClient")


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
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            base_url,
            project_id,
            token,
            timeout=timeout,
            max_retries=max_retries,
            auth=auth,
        )
        self._owns_http = http_client is None
        self._http = (
            httpx.Client(**self._new_http_client_options()) if http_client is None else http_client
        )

    def close(self) -> None:
        """Close the HTTP client if this object created it; a caller-owned one stays open."""
        if self._owns_http:
            self._http.close()

    def __enter__(self: _SyncSelfT) -> _SyncSelfT:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(self, request: httpx.Request) -> _Attempt:
        try:
            response = self._http.send(request, stream=True, **self._send_options)
        except httpx.RequestError as exc:
            return _Attempt(error=exc)
        chunks: list[bytes] = []
        try:
            for chunk in response.iter_bytes():
                chunks.append(chunk)
        except httpx.RequestError as exc:
            return _read_outcome(response, chunks, exc)
        finally:
            response.close()
        return _read_outcome(response, chunks, None)

    def _request(
        self,
        operation: Operation,
        response_type: type[T],
        *,
        path_params: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        time_limit: float | None = None,
        max_retries: int | None = None,
    ) -> T:
        request = self._build_request(operation, path_params, query, body, time_limit)
        retries = self.max_retries if max_retries is None else max_retries
        attempt_number = 0
        while True:
            attempt = self._send(request)
            delay = self._retry_delay(operation, request, attempt, attempt_number, retries)
            if delay is None:
                return self._finish(request, attempt, response_type)
            time.sleep(delay)
            attempt_number += 1


_AsyncSelfT = TypeVar("_AsyncSelfT", bound="AsyncBaseClient")


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
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            base_url,
            project_id,
            token,
            timeout=timeout,
            max_retries=max_retries,
            auth=auth,
        )
        self._owns_http = http_client is None
        self._http = (
            httpx.AsyncClient(**self._new_http_client_options())
            if http_client is None
            else http_client
        )

    async def close(self) -> None:
        """Close the HTTP client if this object created it; a caller-owned one stays open."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self: _AsyncSelfT) -> _AsyncSelfT:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _send(self, request: httpx.Request) -> _Attempt:
        try:
            response = await self._http.send(request, stream=True, **self._send_options)
        except httpx.RequestError as exc:
            return _Attempt(error=exc)
        chunks: list[bytes] = []
        try:
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
        except httpx.RequestError as exc:
            return _read_outcome(response, chunks, exc)
        finally:
            await response.aclose()
        return _read_outcome(response, chunks, None)

    async def _request(
        self,
        operation: Operation,
        response_type: type[T],
        *,
        path_params: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        time_limit: float | None = None,
        max_retries: int | None = None,
    ) -> T:
        request = self._build_request(operation, path_params, query, body, time_limit)
        retries = self.max_retries if max_retries is None else max_retries
        attempt_number = 0
        while True:
            attempt = await self._send(request)
            delay = self._retry_delay(operation, request, attempt, attempt_number, retries)
            if delay is None:
                return self._finish(request, attempt, response_type)
            await asyncio.sleep(delay)
            attempt_number += 1
