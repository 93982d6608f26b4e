"""The mock's command line: ``python -m scripts.mock [--port 4010] [--spec ...] [knobs]``.

Prints what it cannot serve fully (located notes), then one line with the base URL once it
listens, then serves until stopped. Exit status: 130 after Ctrl-C (SIGTERM ends it as the
signal does); 2 when the spec cannot be read or served, when an option is out of range, or
when the port is taken.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from scripts.mock.api import SpecNotServableError, load_api
from scripts.mock.jobs import FAIL_PREFIX
from scripts.mock.options import DEFAULT_SPEC, MAX_PORT, MockOptions
from scripts.mock.server import base_url, listening_socket, make_server
from scripts.problems import EXIT_UNUSABLE, SpecError, UnusableInputError, display_path


def _number(
    kind: Callable[[str], float], *, low: float = 0, high: float = math.inf, what: str = ""
) -> Callable[[str], float]:
    """An argparse type: a finite ``kind`` number from ``low`` to ``high``."""

    def read(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {what or 'number'}") from None
        if not math.isfinite(value) or not low <= value <= high:
            limits = f"from {low:g} to {high:g}" if math.isfinite(high) else f"{low:g} or more"
            raise argparse.ArgumentTypeError(f"must be {limits}, not {text}")
        return value

    return read


_SECONDS = _number(float, what="number of seconds")
_COUNT = _number(int, what="whole number")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.mock",
        description="Serve an API from its OpenAPI spec on 127.0.0.1, with live jobs where "
        "the spec declares x-waiter.",
        epilog=f"Fail trigger: an ID or name starting with {FAIL_PREFIX!r} makes its sub-job "
        "and its job end in FAIL.",
    )
    add = parser.add_argument
    add(
        "--port",
        type=_number(int, high=MAX_PORT, what="port number"),
        default=4010,
        help="port to listen on; 0 picks a free one (4010)",
    )
    add("--spec", type=Path, default=DEFAULT_SPEC, help="spec to serve (spec/openapi.yaml)")
    add("--no-auth", action="store_true", help="do not require the spec's credentials")
    add("--token", help="accept only this token (default: any non-empty token)")
    add(
        "--aksk",
        type=_key_pair,
        metavar="AK:SK",
        help="require requests signed (SDK-HMAC-SHA256) with this access key and secret key "
        "instead of X-Auth-Token; unsigned or badly signed ones get 401 APIGW.0301",
    )
    add(
        "--job-duration",
        type=_SECONDS,
        default=2.0,
        metavar="SECONDS",
        help="from delivery to SUCCESS/FAIL (2.0)",
    )
    add(
        "--job-ttl",
        type=_number(float, low=0.001, what="number of seconds"),
        default=600.0,
        metavar="SECONDS",
        help="how long a finished job can still be queried; then it is 404 (600)",
    )
    add(
        "--max-jobs",
        type=_number(int, low=1, what="whole number"),
        default=50_000,
        metavar="N",
        help="jobs kept at most, a job counting once per sub-job; the oldest finished ones "
        "are forgotten first (50000)",
    )
    add(
        "--max-body",
        type=_number(int, low=1, what="whole number"),
        default=1_048_576,
        metavar="BYTES",
        help="largest request body; a larger one is answered 413 (1048576)",
    )
    add(
        "--latency",
        type=_number(float, what="number of milliseconds"),
        default=0.0,
        metavar="MS",
        help="added before every answer (0)",
    )
    add(
        "--rate-limit-every",
        type=_COUNT,
        default=0,
        metavar="N",
        help="answer every Nth operation request with 429",
    )
    add("--retry-after", type=_COUNT, default=1, metavar="S", help="Retry-After of 429/503 (1)")
    add(
        "--error-rate",
        type=_number(float, high=1.0, what="share"),
        default=0.0,
        metavar="P",
        help="share of requests answered 500/503, 0.0-1.0",
    )
    add("--seed", type=int, help="seed of the fault draws, for reproducible runs")
    add("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return parser


def _key_pair(text: str) -> tuple[str, str]:
    access_key, colon, secret_key = text.partition(":")
    if not colon:
        # Not a ValueError: argparse would quote the value, and so the secret key.
        raise argparse.ArgumentTypeError("expected ACCESS_KEY:SECRET_KEY")
    return access_key, secret_key


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        options = MockOptions(
            spec=args.spec,
            auth=not args.no_auth,
            token=args.token,
            aksk=args.aksk,
            job_duration=args.job_duration,
            job_ttl=args.job_ttl,
            max_jobs=int(args.max_jobs),
            max_body=int(args.max_body),
            latency_ms=args.latency,
            rate_limit_every=int(args.rate_limit_every),
            retry_after=int(args.retry_after),
            error_rate=args.error_rate,
            seed=args.seed,
        )
    except ValueError as exc:
        parser.error(str(exc))
    try:
        api = load_api(options.spec)
        server = make_server(options, api, log_level=args.log_level)
        sock = listening_socket(int(args.port))
    except (SpecError, SpecNotServableError) as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_UNUSABLE
    except UnusableInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        print(f"error: cannot listen on port {args.port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    for note in api.notes:
        print(f"{note.format()} (note)", file=sys.stderr)
    print(f"mock of {display_path(options.spec)} listening on {base_url(sock)}", flush=True)
    with sock:
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            return 130
    return 0
