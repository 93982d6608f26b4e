"""Error answers in the documented envelope, and the error codes the mock uses in them.

Codes and messages follow the ECS error-code appendix and the spec's examples where they
name one; the rest (unknown path, wrong method) use the generic request error ``Ecs.0000``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.responses import JSONResponse

#: A request that breaks the spec: bad parameter, bad or unreadable body.
ILLEGAL_REQUEST = "Ecs.0005"
#: Missing, wrong or (for a pinned token) unknown ``X-Auth-Token``.
UNAUTHENTICATED = "Common.0013"
#: With AK/SK checking on: a request that is not signed, or not validly (the API gateway's
#: code for incorrect IAM authentication information).
BAD_SIGNATURE = "APIGW.0301"
#: The job ID names no job (of this project); the spec's code for a failed job query.
NO_SUCH_JOB = "Common.0011"
#: No operation at this path, or none for this method.
REQUEST_ERROR = "Ecs.0000"
#: API flow control (429).
FLOW_CONTROL = "Common.1503"
#: A system error: injected 5xx faults, operations without behaviour, bugs in the mock.
SYSTEM_ERROR = "Common.0001"

#: More details than this are cut: a body with 1,000 bad entries needs not list them all.
MAX_DETAILS = 20


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    details: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """``{"error": {"code", "message", "details"?}}`` with ``status``; a detail per line."""
    error: dict[str, object] = {"code": code, "message": message}
    if details:
        error["details"] = [{"code": code, "message": line} for line in details[:MAX_DETAILS]]
    return JSONResponse({"error": error}, status_code=status, headers=headers)
