"""The exceptions the client raises, in one hierarchy rooted at ApiClientError."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import models

__all__ = [
    "ApiClientError",
    "ApiConnectionError",
    "ApiError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "JobFailedError",
    "JobTimeoutError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "RequestNotSentError",
    "RequestTimeoutError",
    "RequestValidationError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "error_class_for_status",
]


class ApiClientError(Exception):
    """Base class of every error this package raises."""


class ApiError(ApiClientError):
    """The API answered with a non-2xx status.

    `code` and `message` come from whichever error body form the server used (see
    `_base_client.parse_error_body`); `body` keeps the raw bytes for anything else.
    """

    def __init__(
        self,
        *,
        status_code: int,
        code: str | None,
        message: str,
        details: list[dict[str, Any]],
        request_id: str | None,
        body: bytes,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details
        self.request_id = request_id
        self.body = body
        text = f"HTTP {status_code}"
        if code:
            text += f" [{code}]"
        text += f": {message}"
        if request_id:
            text += f" (request id {request_id})"
        super().__init__(text)


class RedirectError(ApiError):
    """3xx: the server pointed elsewhere; `location` is where. Redirects are never followed,
    so neither the credentials nor the body of a request can reach another address."""

    def __init__(self, *, location: str | None = None, **kwargs: Any) -> None:
        self.location = location
        super().__init__(**kwargs)


class BadRequestError(ApiError):
    """400: the request was malformed or illegal."""


class AuthenticationError(ApiError):
    """401: the token or signature was missing, wrong or expired."""


class PermissionDeniedError(ApiError):
    """403: authenticated, but not allowed to do this."""


class NotFoundError(ApiError):
    """404: the project, job or server does not exist."""


class MethodNotAllowedError(ApiError):
    """405: the path does not accept this method."""


class RequestTimeoutError(ApiError):
    """408: the server gave up waiting for the request."""


class ConflictError(ApiError):
    """409: the request conflicts with the resource's current state."""


class RateLimitError(ApiError):
    """429: flow control; `retry_after` is the server's requested pause in seconds, if any."""

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class InternalServerError(ApiError):
    """Any 5xx: the server or a gateway in front of it failed."""


_ERROR_CLASSES: Mapping[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    408: RequestTimeoutError,
    409: ConflictError,
    429: RateLimitError,
}


def error_class_for_status(status_code: int) -> type[ApiError]:
    """Return the ApiError subclass for a status, or ApiError itself for unlisted ones."""
    if status_code >= 500:
        return InternalServerError
    if 300 <= status_code < 400:
        return RedirectError
    return _ERROR_CLASSES.get(status_code, ApiError)


class ApiConnectionError(ApiClientError):
    """The request could not be completed at the transport level (DNS, refused, reset...)."""


class ApiTimeoutError(ApiConnectionError):
    """The request was sent, or may have been, and no whole answer came before its deadline.

    The server may have acted on it: a task-delivering call that raised this may have delivered.
    """


class RequestNotSentError(ApiConnectionError):
    """The request surely never left: no free connection in time, or none could be opened.

    Nothing reached the server, so sending it again is safe for any operation.
    """


class ResponseTooLargeError(ApiClientError):
    """The answer's decoded body grew past the client's `max_response_bytes`; it was not kept."""

    def __init__(self, message: str, *, status_code: int, limit: int) -> None:
        self.status_code = status_code
        self.limit = limit
        super().__init__(message)


class ResponseValidationError(ApiClientError):
    """A 2xx answer whose body is not JSON or does not match the declared schema."""

    def __init__(self, *, status_code: int, body: bytes, model: str, errors: str) -> None:
        self.status_code = status_code
        self.body = body
        self.errors = errors
        super().__init__(f"HTTP {status_code} response does not match {model}: {errors}")


class RequestValidationError(ApiClientError, ValueError):
    """A request body that does not match its schema; raised before anything is sent.

    Each entry of `errors` reads `json.path.to.field: problem`, using JSON names.
    """

    def __init__(self, errors: list[str], *, summary: str = "invalid request body") -> None:
        self.errors = errors
        super().__init__(f"{summary}: " + "; ".join(errors))


#: The job statuses that mean failure, from the spec's `x-waiter` extension.
FAILURE_STATUSES: tuple[str, ...] = ("FAIL",)


def _job_fields(job: models.Job) -> dict[str, Any]:
    # The JSON view keeps this readable whatever Python names the generator picks.
    fields: dict[str, Any] = job.model_dump(mode="json", by_alias=True)
    return fields


def _reason(fields: Mapping[str, Any]) -> str:
    """`error_code: fail_reason` of a job or sub-job, leaving out what the server left null."""
    reason = fields.get("fail_reason") or (fields.get("entities") or {}).get("errorcode_message")
    return ": ".join(str(part) for part in (fields.get("error_code"), reason) if part)


def _describe_failure(job: models.Job) -> str:
    data = _job_fields(job)
    text = f"job {data.get('job_id')} failed"
    if reason := _reason(data):
        text += f" ({reason})"
    failed = [
        f"{sub.get('job_id')} ({_reason(sub) or 'no reason given'})"
        for sub in (data.get("entities") or {}).get("sub_jobs") or []
        if isinstance(sub, dict) and (sub.get("status") in FAILURE_STATUSES or _reason(sub))
    ]
    if failed:
        text += "; failed sub-jobs: " + ", ".join(failed)
    return text


class JobFailedError(ApiClientError):
    """The job ended in a failure status; `job` is the final state the server reported."""

    def __init__(self, job: models.Job) -> None:
        self.job = job
        super().__init__(_describe_failure(job))


class JobTimeoutError(ApiClientError, TimeoutError):
    """The job did not finish in time; `job` is the last state seen (None if no poll worked)."""

    def __init__(self, job: models.Job | None, *, elapsed: float, timeout: float) -> None:
        self.job = job
        self.elapsed = elapsed
        self.timeout = timeout
        if job is None:
            state = "no successful poll"
        else:
            data = _job_fields(job)
            state = f"job {data.get('job_id')} last seen {data.get('status')}"
        super().__init__(
            f"job did not finish within {timeout:g} s ({elapsed:.1f} s elapsed; {state})"
        )
