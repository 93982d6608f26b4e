"""Run a command and measure its wall time and the peak memory of its whole process tree.

Both tools start other processes (our build forks two renderers, openapi-python-client runs
ruff), so the memory of the first process alone says little. While the command runs, every
process of its tree is found through ``/proc/PID/task/TID/children`` every few milliseconds,
and the proportional set sizes (Pss, from ``smaps_rollup``) are added up: a page shared by
forked processes or libraries counts once in all, split between its sharers. The peak of that
sum is the tree's peak. The largest resident set of a single process (``ru_maxrss`` of the
children) is reported too, as the kernel counts it. A spike shorter than the sampling period
can be missed; both tools are sampled alike.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_PERIOD = 0.01
_PROC = Path("/proc")


@dataclass(frozen=True)
class Measure:
    seconds: float
    cpu_seconds: float  # user + system time of the process and its waited-for descendants
    tree_mib: float  # peak of the tree's summed Pss; NaN where /proc has no smaps_rollup
    largest_mib: float  # peak resident set of the largest single process


def _descendants(pid: int) -> list[int]:
    found = [pid]
    index = 0
    while index < len(found):
        current = found[index]
        index += 1
        with contextlib.suppress(OSError):
            for task in (_PROC / str(current) / "task").iterdir():
                with contextlib.suppress(OSError):
                    found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _pss_kib(pid: int) -> int:
    try:
        text = (_PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return 0  # ended between listing and reading
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def measure(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, *, sample: bool = False
) -> Measure:
    """Run ``command`` to its end; a failure stops the benchmark with its error output."""
    sampling = sample and (_PROC / str(os.getpid()) / "smaps_rollup").exists()
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 - the benchmark's own fixed commands
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        peak = 0
        while True:
            if sampling:
                peak = max(peak, sum(_pss_kib(pid) for pid in _descendants(process.pid)))
            # wait4 gives the rusage of this child (and its waited-for descendants) alone.
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(_PERIOD)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            shown = errors.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{shown}")
    return Measure(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        tree_mib=peak / 1024 if sampling else float("nan"),
        largest_mib=usage.ru_maxrss / 1024,
    )
