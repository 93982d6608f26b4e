"""AK/SK authentication: an httpx.Auth that signs every request it sends with SDK-HMAC-SHA256.

httpx runs an auth flow once per send, so each retry is signed anew with a fresh X-Sdk-Date.
The secret key is held in a `_Secret` and used only to compute signatures: it is never sent,
logged or shown by repr().
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote, unquote, unquote_plus

import httpx

from ._base_client import _Secret, logger

__all__ = ["AKSKAuth", "SignedRequest"]

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"

#: Headers left out of the signature. Authorization carries it (and, when a request is sent
#: again, still holds the previous signature until it is replaced); the others belong to the
#: connection rather than to the request: httpx sets them, and a proxy may drop or rewrite
#: them in transit (RFC 9110, 7.6.1), which would void a signature over them. The content
#: itself is covered by the body hash. Requests of the reference SDK leave Accept-Encoding,
#: Connection and Content-Length unsigned too: its HTTP library adds them after signing.
UNSIGNED_HEADERS = frozenset(
    {
        "accept-encoding",
        "authorization",
        "connection",
        "content-length",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


@dataclass(frozen=True)
class SignedRequest:
    """The intermediate steps of one signature, to compare with what a server computed."""

    # Out of repr(): it holds header values, which may include a token.
    canonical_request: str = field(repr=False)
    string_to_sign: str
    signed_headers: tuple[str, ...]
    authorization: str


def sdk_date(moment: datetime) -> str:
    """The X-Sdk-Date form of a moment: UTC, `YYYYMMDDTHHMMSSZ`."""
    if moment.utcoffset() is None:
        raise ValueError("the signing clock must return a timezone-aware datetime")
    return moment.astimezone(timezone.utc).strftime(DATE_FORMAT)


def _escape(text: str) -> str:
    # Only unreserved characters (letters, digits, "-", ".", "_", "~") stay as they are.
    return quote(text, safe="")


def canonical_uri(raw_path: bytes) -> str:
    """The path decoded, each segment percent-encoded anew, and ending in "/".

    Decoding first makes the result independent of how the sender escaped the path; an
    escaped "/" inside a segment therefore counts as a separator, as it does for the gateway.
    """
    path = unquote(raw_path.decode("utf-8", errors="replace"))
    uri = "/".join(_escape(segment) for segment in path.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(raw_query: bytes) -> str:
    """`key=value` pairs decoded and escaped anew, sorted by key, then by value.

    Repeated keys stay repeated; a key without "=" has the empty value; "+" means a space,
    as in the form encoding httpx uses for `params`.
    """
    values: dict[str, list[str]] = {}
    for item in raw_query.decode("utf-8", errors="replace").split("&"):
        if item:
            key, _, value = item.partition("=")
            values.setdefault(unquote_plus(key), []).append(unquote_plus(value))
    return "&".join(
        f"{_escape(key)}={_escape(value)}"
        for key in sorted(values)
        for value in sorted(values[key])
    )


def canonical_headers(headers: httpx.Headers) -> tuple[bytes, tuple[str, ...]]:
    """The `name:value\\n` lines of the signed headers (sorted, names lower-cased, values
    trimmed, repeated ones joined by ","), and the names in that order.

    Values are taken as the bytes that go on the wire.
    """
    values: dict[str, list[bytes]] = {}
    for raw_name, raw_value in headers.raw:
        name = raw_name.decode("latin-1").lower()
        if name not in UNSIGNED_HEADERS:
            values.setdefault(name, []).append(raw_value.strip())
    names = tuple(sorted(values))
    block = b"".join(
        name.encode("latin-1") + b":" + b",".join(values[name]) + b"\n" for name in names
    )
    return block, names


def hmac_signature(secret_key: _Secret, string_to_sign: str) -> str:
    """The hex HMAC-SHA256 of the string to sign, keyed with the secret key as it is."""
    return hmac.new(
        secret_key.reveal().encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256
    ).hexdigest()


class AKSKAuth(httpx.Auth):
    """Sign requests with an access key (AK) and secret key (SK) instead of sending a token.

    Pass it as `auth=` to Client or AsyncClient. `clock` returns the signing time as a
    timezone-aware datetime; it defaults to the current time.
    """

    requires_request_body = True

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not access_key or not (access_key.isascii() and access_key.isprintable()):
            raise ValueError("access_key must be non-empty printable ASCII")
        if " " in access_key or "," in access_key:
            raise ValueError("access_key must not contain spaces or commas")
        if not secret_key:
            raise ValueError("secret_key must not be empty")
        self.access_key = access_key
        self._secret_key = _Secret(secret_key)
        self._clock = clock or _utc_now

    def __repr__(self) -> str:
        return f"{type(self).__name__}(access_key={self.access_key!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def sign(self, request: httpx.Request) -> SignedRequest:
        """Sign `request` in place: set X-Sdk-Date, Host when missing, then Authorization.

        Both headers replace any earlier values, so signing a request again (a retry) is safe.
        """
        date = sdk_date(self._clock())
        request.headers[DATE_HEADER] = date
        if "Host" not in request.headers:
            request.headers["Host"] = request.url.netloc.decode("ascii")
        header_block, signed = canonical_headers(request.headers)
        signed_list = ";".join(signed)
        canonical = b"\n".join(
            [
                request.method.encode("ascii"),
                canonical_uri(request.url.raw_path.partition(b"?")[0]).encode("ascii"),
                canonical_query(request.url.query).encode("ascii"),
                header_block,
                signed_list.encode("ascii"),
                hashlib.sha256(request.content).hexdigest().encode("ascii"),
            ]
        )
        string_to_sign = f"{ALGORITHM}\n{date}\n{hashlib.sha256(canonical).hexdigest()}"
        signature = hmac_signature(self._secret_key, string_to_sign)
        authorization = (
            f"{ALGORITHM} Access={self.access_key}, SignedHeaders={signed_list}, "
            f"Signature={signature}"
        )
        request.headers["Authorization"] = authorization
        logger.debug(
            "signed %s %s (X-Sdk-Date %s, SignedHeaders %s)",
            request.method,
            request.url.path,
            date,
            signed_list,
        )
        return SignedRequest(
            canonical_request=canonical.decode("utf-8", errors="replace"),
            string_to_sign=string_to_sign,
            signed_headers=signed,
            authorization=authorization,
        )


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)
