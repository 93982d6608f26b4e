"""Verify the AK/SK signature (SDK-HMAC-SHA256) of a received request, as the API gateway does.

The gateway's steps: read Access, SignedHeaders and Signature from Authorization; check the
access key and that X-Sdk-Date is within 15 minutes of its own clock; rebuild the canonical
request from what arrived (method, path, query, the signed headers, a SHA-256 of the body);
recompute the signature with the secret key and compare. Written apart from the generated
client's signer on purpose (scripts/ imports nothing from generated/): the mock must catch a
wrong signer, not agree with it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote, unquote_plus

ALGORITHM = "SDK-HMAC-SHA256"
#: How far X-Sdk-Date may be from the mock's clock, either way.
MAX_CLOCK_SKEW = timedelta(minutes=15)
#: Headers the signature must cover, whatever else it covers.
REQUIRED_SIGNED = ("host", "x-sdk-date")
_AUTHORIZATION = re.compile(
    ALGORITHM + r" Access=([^\s,]+), SignedHeaders=([^\s,]+), Signature=([0-9a-f]{64})"
)
_SIGNED_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
#: The gateway's wording, which the mock's messages start with.
_PREFIX = "Incorrect IAM authentication information: "


class SignatureError(Exception):
    """The request is not signed, or not validly; the message says why (never with the key)."""

    def __init__(self, reason: str) -> None:
        super().__init__(_PREFIX + reason)


@dataclass(frozen=True)
class KeyPair:
    """The one access key the mock accepts and its secret key (kept out of repr())."""

    access_key: str
    secret_key: str = field(repr=False)


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as the server got it: raw path and query, header lines, body bytes."""

    method: str
    raw_path: bytes
    query_string: bytes
    headers: Sequence[tuple[bytes, bytes]]
    body: bytes


def verify_signature(keys: KeyPair, request: ReceivedRequest, now: datetime) -> None:
    """Return when ``request`` is signed with ``keys``, else raise :class:`SignatureError`."""
    authorization = _header(request, "authorization")
    if authorization is None:
        raise SignatureError("the request is not signed (no Authorization header).")
    found = _AUTHORIZATION.fullmatch(authorization.decode("latin-1"))
    if found is None:
        raise SignatureError(
            f"Authorization is not '{ALGORITHM} Access=..., SignedHeaders=..., Signature=...'."
        )
    access_key, signed_list, signature = found.groups()
    if not hmac.compare_digest(access_key.encode(), keys.access_key.encode()):
        raise SignatureError(f"the access key {access_key!r} is not known.")
    signed = signed_list.split(";")
    _check_signed_names(signed)
    _check_date(_header(request, "x-sdk-date"), now)
    lines = []
    for name in signed:
        value = _header(request, name)
        if value is None:
            raise SignatureError(f"the signed header {name!r} is missing.")
        lines.append(name.encode() + b":" + value + b"\n")
    canonical = b"\n".join(
        [
            request.method.encode(),
            _canonical_path(request.raw_path),
            _canonical_query(request.query_string),
            b"".join(lines),
            signed_list.encode(),
            hashlib.sha256(request.body).hexdigest().encode(),
        ]
    )
    date = _header(request, "x-sdk-date") or b""
    to_sign = b"\n".join([ALGORITHM.encode(), date, hashlib.sha256(canonical).hexdigest().encode()])
    expected = hmac.new(keys.secret_key.encode(), to_sign, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise SignatureError("verify aksk signature fail: the signature does not match.")


def _header(request: ReceivedRequest, name: str) -> bytes | None:
    """A header's trimmed value; the values of a repeated header joined by ","."""
    wanted = name.encode()
    values = [value.strip() for key, value in request.headers if key.lower() == wanted]
    return b",".join(values) if values else None


def _check_signed_names(signed: list[str]) -> None:
    if any(_SIGNED_NAME.fullmatch(name) is None for name in signed):
        raise SignatureError("SignedHeaders must list lower-case header names.")
    if signed != sorted(set(signed)):
        raise SignatureError("SignedHeaders must be sorted and without repeats.")
    missing = [name for name in REQUIRED_SIGNED if name not in signed]
    if missing:
        raise SignatureError(f"SignedHeaders must include {' and '.join(missing)}.")
    if "authorization" in signed:
        raise SignatureError("SignedHeaders cannot include authorization.")


def _check_date(value: bytes | None, now: datetime) -> None:
    try:
        moment = datetime.strptime((value or b"").decode("ascii"), "%Y%m%dT%H%M%SZ")
    except (UnicodeDecodeError, ValueError):
        raise SignatureError("X-Sdk-Date must be a UTC time as YYYYMMDDTHHMMSSZ.") from None
    if abs(now - moment.replace(tzinfo=timezone.utc)) > MAX_CLOCK_SKEW:
        raise SignatureError("X-Sdk-Date is more than 15 minutes away from the server's time.")


def _escape(text: str) -> bytes:
    # RFC 3986 unreserved characters stay; everything else, as UTF-8, becomes %XX.
    return quote(text, safe="").encode()


def _canonical_path(raw_path: bytes) -> bytes:
    # Decoded first, so an escaped "/" separates segments like a plain one.
    decoded = unquote(raw_path.decode("utf-8", errors="replace"))
    path = b"/".join(_escape(segment) for segment in decoded.split("/"))
    return path if path.endswith(b"/") else path + b"/"


def _canonical_query(query_string: bytes) -> bytes:
    pairs = sorted(
        (unquote_plus(key), unquote_plus(value))
        for key, _, value in (
            part.partition("=")
            for part in query_string.decode("utf-8", errors="replace").split("&")
            if part
        )
    )
    return b"&".join(_escape(key) + b"=" + _escape(value) for key, value in pairs)
