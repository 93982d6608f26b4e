"""The knobs of the mock server, shared by its command line and :func:`run_mock`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: The bundled spec of this repository, found wherever the mock is started from.
DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "generated" / "openapi.yaml"


@dataclass(frozen=True)
class MockOptions:
    """How the mock behaves; every fault is off by default."""

    spec: Path = DEFAULT_SPEC
    #: Require the spec's API key headers (``X-Auth-Token``).
    auth: bool = True
    #: The only token accepted; ``None`` accepts any non-empty token.
    token: str | None = None
    #: ``(access_key, secret_key)``: require requests signed with this pair (SDK-HMAC-SHA256)
    #: instead of a token. Out of repr(), which would show the secret key.
    aksk: tuple[str, str] | None = field(default=None, repr=False)
    #: Seconds from delivery until a job is final.
    job_duration: float = 2.0
    #: Milliseconds added before every answer.
    latency_ms: float = 0.0
    #: Answer every Nth request to an operation with 429 (0: never).
    rate_limit_every: int = 0
    #: Seconds sent in ``Retry-After`` with 429 and 503.
    retry_after: int = 1
    #: Share of requests to an operation answered with 500 or 503.
    error_rate: float = 0.0
    #: Seed of the fault draws, for a reproducible sequence.
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.job_duration < 0:
            raise ValueError("job_duration must be 0 or more seconds")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be 0 or more milliseconds")
        if self.rate_limit_every < 0:
            raise ValueError("rate_limit_every must be 0 (off) or more")
        if self.retry_after < 0:
            raise ValueError("retry_after must be 0 or more seconds")
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0.0 and 1.0")
        if self.token is not None and not self.token:
            raise ValueError("token must not be empty")
        if self.aksk is not None:
            access_key, secret_key = self.aksk
            if not (access_key.isascii() and access_key.isprintable()) or any(
                ch in access_key for ch in " ,:"
            ):
                raise ValueError("the access key must be printable ASCII without ' ', ',' or ':'")
            if not access_key or not secret_key:
                raise ValueError("the access key and the secret key must not be empty")
            if not self.auth or self.token is not None:
                raise ValueError("aksk replaces the token check: it excludes no-auth and token")
