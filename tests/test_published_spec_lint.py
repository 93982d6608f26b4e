"""The linters other teams run on the published spec: Redocly (recommended) and spectral:oas."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("npm") is None or shutil.which("npx") is None,
    reason="Node.js (npm, npx) is not installed; .ci/run installs it",
)


def test_redocly_and_spectral_accept_the_published_spec() -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "lint-spec"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Your API description is valid." in output
    assert "No results with a severity of 'warn' or higher found!" in output
