"""The Starlette application: every request runs one pipeline that the spec drives.

Order: latency, then routing (404, 405, 400 for a path that is not UTF-8), the body size
(413), injected faults (429, 5xx), credentials (401: the token, or with ``aksk`` the AK/SK
signature instead), an operation the mock cannot serve (501, said at start-up), validation
(400), and last the operation's role: a task-delivering operation starts a job and answers
its ID, the job query answers the job's state, and any other operation answers its example.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime, timezone
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from scripts.mock.api import Api, Credential, JobQuery, Operation, TaskDelivery, load_api
from scripts.mock.entities import Delivery, answer_fields, work_for
from scripts.mock.errors import (
    BAD_SIGNATURE,
    ILLEGAL_REQUEST,
    NO_SUCH_JOB,
    REQUEST_ERROR,
    SYSTEM_ERROR,
    UNAUTHENTICATED,
    error_response,
)
from scripts.mock.faults import Faults
from scripts.mock.jobs import JobStore
from scripts.mock.options import MockOptions
from scripts.mock.routing import Router, WrongMethod
from scripts.mock.signing import KeyPair, ReceivedRequest, SignatureError, verify_signature
from scripts.mock.validation import InvalidRequestError, validate_request

REQUEST_ID_HEADER = "X-Request-Id"


def create_app(options: MockOptions, api: Api | None = None) -> Starlette:
    """The mock as an ASGI application serving ``api``, by default read from ``options.spec``."""
    route = SpecRoute(api or load_api(options.spec), options)
    return Starlette(routes=[route], exception_handlers={Exception: _crashed})


class SpecRoute(BaseRoute):
    """The one Starlette route: takes every HTTP request and answers it as the spec says.

    Starlette's own routes match the decoded path with patterns that stop at a newline or an
    encoded "/" inside a parameter; this route leaves matching to the spec's :class:`Router`.
    """

    def __init__(self, api: Api, options: MockOptions) -> None:
        self._options = options
        self._router = Router(api.operations)
        self._faults = Faults(options)
        self._jobs = JobStore(options.job_duration, options.job_ttl, options.max_jobs)
        self._keys = None if options.aksk is None else KeyPair(*options.aksk)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        return (Match.FULL if scope["type"] == "http" else Match.NONE), {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._answer(Request(scope, receive))
        await _with_request_id(response)(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        await self._faults.delay()
        # The raw path keeps a percent-encoded "/" inside its parameter.
        raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
        try:
            path = raw_path.decode("utf-8")
            found = self._router.match(request.method, path)
        except UnicodeDecodeError:
            message = "The path is not UTF-8 text, raw or percent-encoded."
            return error_response(400, ILLEGAL_REQUEST, message)
        if found is None:
            return error_response(404, REQUEST_ERROR, f"No API operation is at {path}.")
        if isinstance(found, WrongMethod):
            allowed = ", ".join(found.allowed)
            message = f"{request.method} is not allowed on {path}; allowed: {allowed}."
            return error_response(405, REQUEST_ERROR, message, headers={"Allow": allowed})
        raw_body = await _read_body(request, self._options.max_body)
        if raw_body is None:
            message = f"The request body is larger than {self._options.max_body} bytes."
            # The rest of the body is not read, so the connection cannot carry another request.
            return error_response(413, ILLEGAL_REQUEST, message, headers={"Connection": "close"})
        fault = self._faults.draw()
        if fault is not None:
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            return error_response(fault.status, fault.code, fault.message, headers=headers)
        operation = found.operation
        if self._keys is not None:
            if operation.security:
                try:
                    _verify(self._keys, request, raw_body)
                except SignatureError as exc:
                    return error_response(401, BAD_SIGNATURE, str(exc))
        elif self._options.auth and not self._authorized(operation, request):
            return _unauthorized(operation, request)
        if operation.unservable is not None:
            message = f"The mock cannot serve {operation.operation_id}: {operation.unservable}."
            return error_response(501, SYSTEM_ERROR, message)
        try:
            body = validate_request(
                operation,
                path=found.path_parameters,
                query=request.query_params,
                headers=request.headers,
                cookies=request.cookies,
                body=raw_body,
            )
        except InvalidRequestError as exc:
            return error_response(400, ILLEGAL_REQUEST, str(exc), details=exc.problems)
        role = operation.role
        if isinstance(role, TaskDelivery):
            return self._deliver(operation, role, found.path_parameters, body)
        if isinstance(role, JobQuery):
            return self._show_job(role, found.path_parameters)
        answer = operation.answer
        if answer is None:  # pragma: no cover - every operation without a role has one
            raise AssertionError(operation.operation_id)
        return Response(answer.content, answer.status, media_type=answer.media_type)

    def _authorized(self, operation: Operation, request: Request) -> bool:
        if not operation.security:
            return True
        return any(
            all(self._valid_token(_credential(credential, request)) for credential in alternative)
            for alternative in operation.security
        )

    def _valid_token(self, token: str | None) -> bool:
        if not token:
            return False
        expected = self._options.token
        return expected is None or secrets.compare_digest(token.encode(), expected.encode())

    def _deliver(
        self, operation: Operation, task: TaskDelivery, parameters: dict[str, str], body: Any
    ) -> Response:
        shape = operation.body.shape_of(body) if operation.body is not None else None
        scope = {query_parameter: parameters[own] for query_parameter, own in task.scope}
        work = work_for(Delivery(operation.operation_id, shape, parameters, body))
        job = self._jobs.deliver(work, scope)
        answer: Any = job.job_id
        for token in reversed(task.job_id_pointer):
            answer = {token: answer}
        if isinstance(answer, dict):
            answer |= answer_fields(operation.operation_id, work)
        return JSONResponse(answer, status_code=task.status)

    def _show_job(self, query: JobQuery, parameters: dict[str, str]) -> Response:
        job_id = parameters[query.job_id_parameter]
        state = self._jobs.state(job_id, parameters)
        if state is None:
            return error_response(
                404, NO_SUCH_JOB, f"Failed to query system tasks: no job {job_id}."
            )
        return JSONResponse(state)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or ``None`` as soon as it is known to be longer than ``limit``."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _credential(credential: Credential, request: Request) -> str | None:
    """The credential a request carries where ``credential`` says, if any."""
    if credential.kind in ("bearer", "basic"):
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != credential.kind:
            return None
        if credential.kind == "bearer":
            return value.strip()
        # Basic: user:password in base64; the password is what a pinned token pins.
        try:
            user_password = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        return user_password.partition(":")[2] if ":" in user_password else None
    source = {"header": request.headers, "query": request.query_params, "cookie": request.cookies}
    return source[credential.kind].get(credential.name)


def _verify(keys: KeyPair, request: Request, body: bytes) -> None:
    """Check the request's AK/SK signature over what arrived: raw path, query and headers."""
    scope = request.scope
    received = ReceivedRequest(
        method=request.method,
        raw_path=scope.get("raw_path") or scope["path"].encode(),
        query_string=scope.get("query_string", b""),
        headers=scope["headers"],
        body=body,
    )
    verify_signature(keys, received, datetime.now(timezone.utc))


def _unauthorized(operation: Operation, request: Request) -> Response:
    credentials = [credential for alternative in operation.security for credential in alternative]
    if any(_credential(credential, request) for credential in credentials):
        return error_response(401, UNAUTHENTICATED, "Invalid token.")
    places = dict.fromkeys(_place(credential) for credential in credentials)
    return error_response(401, UNAUTHENTICATED, f"A token is required in {' or '.join(places)}.")


def _place(credential: Credential) -> str:
    """Where a credential goes, as the 401 message names it."""
    if credential.kind in ("bearer", "basic"):
        return f"Authorization: {credential.kind.title()}"
    if credential.kind == "header":
        return credential.name
    return f"the {credential.kind} parameter {credential.name}"


async def _crashed(request: Request, exc: Exception) -> Response:
    # A bug in the mock still answers in the envelope, so clients under test see a 500 they
    # can parse; the traceback goes to the server log.
    message = f"The mock failed: {type(exc).__name__}."
    return _with_request_id(error_response(500, SYSTEM_ERROR, message))


def _with_request_id(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = uuid.uuid4().hex
    return response
