"""`python -m bench [build|client|scale|mock] [options]`: run one benchmark, or all in turn."""

from __future__ import annotations

import sys

from bench import build, client, mock, scale

BENCHMARKS = {
    "build": build.main,
    "client": client.main,
    "scale": scale.main,
    "mock": mock.main,
}


def main() -> int:
    args = sys.argv[1:]
    if args and args[0] in BENCHMARKS:
        BENCHMARKS[args[0]](args[1:])
        return 0
    if args:
        print(f"usage: python -m bench [{'|'.join(BENCHMARKS)}] [options]", file=sys.stderr)
        return 2
    for name, run in BENCHMARKS.items():
        print(f"== {name}")
        run([])
        print()
    return 0


raise SystemExit(main())
