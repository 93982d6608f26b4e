"""The mock's command line: ``python -m scripts.mock [--port 4010] [--spec ...] [knobs]``.

Prints one line with the base URL once it listens, then serves until stopped. Exit status:
130 after Ctrl-C (SIGTERM ends it as the signal does); 2 when the spec cannot be read or
served, when an option is out of range, or when the port is taken.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts.mock.api import SpecNotServableError
from scripts.mock.jobs import FAIL_PREFIX
from scripts.mock.options import DEFAULT_SPEC, MockOptions
from scripts.mock.server import base_url, listening_socket, make_server
from scripts.problems import EXIT_UNUSABLE, SpecError, UnusableInputError, display_path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.mock",
        description="Serve the ECS task API from its OpenAPI spec on 127.0.0.1.",
        epilog=f"Fail trigger: a server ID starting with {FAIL_PREFIX!r} makes its sub-job "
        "and its job end in FAIL.",
    )
    add = parser.add_argument
    add("--port", type=int, default=4010, help="port to listen on; 0 picks a free one (4010)")
    add("--spec", type=Path, default=DEFAULT_SPEC, help="bundled spec to serve")
    add("--no-auth", action="store_true", help="do not require X-Auth-Token")
    add("--token", help="accept only this X-Auth-Token (default: any non-empty token)")
    add(
        "--aksk",
        type=_key_pair,
        metavar="AK:SK",
        help="require requests signed (SDK-HMAC-SHA256) with this access key and secret key "
        "instead of X-Auth-Token; unsigned or badly signed ones get 401 APIGW.0301",
    )
    add(
        "--job-duration",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="from delivery to SUCCESS/FAIL (2.0)",
    )
    add("--latency", type=float, default=0.0, metavar="MS", help="added before every answer (0)")
    add(
        "--rate-limit-every",
        type=int,
        default=0,
        metavar="N",
        help="answer every Nth operation request with 429",
    )
    add("--retry-after", type=int, default=1, metavar="S", help="Retry-After of 429/503 (1)")
    add(
        "--error-rate",
        type=float,
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
            latency_ms=args.latency,
            rate_limit_every=args.rate_limit_every,
            retry_after=args.retry_after,
            error_rate=args.error_rate,
            seed=args.seed,
        )
    except ValueError as exc:
        parser.error(str(exc))
    try:
        server = make_server(options, log_level=args.log_level)
        sock = listening_socket(args.port)
    except SpecError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_UNUSABLE
    except (UnusableInputError, SpecNotServableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        print(f"error: cannot listen on port {args.port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(f"mock of {display_path(options.spec)} listening on {base_url(sock)}", flush=True)
    with sock:
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            return 130
    return 0
