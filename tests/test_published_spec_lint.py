"""The linters other teams run on the published files: Redocly (recommended) and spectral:oas."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("npm") is None or shutil.which("npx") is None,
    reason="Node.js (npm, npx) is not installed; .ci/run installs it",
)

PUBLISHED = ("openapi.yaml", "openapi.json", "openapi-3.0.yaml")


def _lint_spec(out: Path, *make_options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *make_options, "lint-spec", f"OUT={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_lint_spec_runs_both_linters_on_every_published_file(built_once: Path) -> None:
    commands = _lint_spec(built_once, "--dry-run").stdout.splitlines()
    for linter in ("redocly lint", "spectral lint"):
        [command] = [line for line in commands if linter in line]
        for name in PUBLISHED:
            assert str(built_once / name) in command, f"{linter} skips {name}"


def test_redocly_and_spectral_accept_the_published_files(built_once: Path) -> None:
    # A fresh build, not generated/: the files as this checkout writes them.
    done = _lint_spec(built_once)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    for name in PUBLISHED:
        shown = os.path.relpath(built_once / name, ROOT)  # Redocly names files from its cwd
        assert f"{shown}: validated" in output, f"Redocly did not read {name}"
    assert "Your API descriptions are valid." in output
    assert re.search(r"You have \d+ warnings?", output) is None, output
    assert "No results with a severity of 'warn' or higher found!" in output
