"""The knobs of the mock server, shared by its command line and :func:`run_mock`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

#: The project's spec, found wherever the mock is started from; the mock bundles it itself,
#: so it serves what spec/ says now, before or without ``make build``.
DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"
#: Highest TCP port number.
MAX_PORT = 65535


@dataclass(frozen=True)
class MockOptions:
    """How the mock behaves; every fault is off by default."""

    spec: Path = DEFAULT_SPEC
    #: Require the credentials the spec's security schemes name (``X-Auth-Token``).
    auth: bool = True
    #: The only token accepted; ``None`` accepts any non-empty token.
    token: str | None = None
    #: ``(access_key, secret_key)``: require requests signed with this pair (SDK-HMAC-SHA256)
    #: instead of a token. Out of repr(), which would show the secret key.
    aksk: tuple[str, str] | None = field(default=None, repr=False)
    #: Seconds from delivery until a job is final.
    job_duration: float = 2.0
    #: Seconds a finished job can still be queried; after that it is unknown (404).
    job_ttl: float = 600.0
    #: Jobs kept at most, a job counting once per sub-job; beyond it the oldest finished ones
    #: are forgotten first.
    max_jobs: int = 50_000
    #: Largest request body accepted, in bytes; a larger one is answered 413.
    max_body: int = 1_048_576
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
        for name, value in (
            ("job_duration", self.job_duration),
            ("latency_ms", self.latency_ms),
            ("job_ttl", self.job_ttl),
        ):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number, 0 or more; got {value}")
        if self.job_ttl == 0:
            raise ValueError("job_ttl must be more than 0: a job must be seen finished")
        if self.max_jobs < 1:
            raise ValueError(f"max_jobs must be 1 or more; got {self.max_jobs}")
        if self.max_body < 1:
            raise ValueError(f"max_body must be 1 or more bytes; got {self.max_body}")
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
