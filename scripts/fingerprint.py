"""Decide, cheaply, whether a build would write exactly what is already in the output folder.

A build records in ``OUT/.fingerprint`` a digest of everything that goes into its output (the
spec files it read, the package name, this generator's own source and templates, the versions
of the tools that shape the output) and a digest of each file it wrote. When both still match,
the build has nothing to do. This module imports only the standard library, so that the
nothing-changed path stays fast.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from scripts.problems import UnusableInputError
from scripts.spec_files import read_source

FINGERPRINT_NAME = ".fingerprint"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The distributions whose version can change a byte of the output.
TOOLS = (
    "datamodel-code-generator",
    "ruff",
    "PyYAML",
    "Jinja2",
    "pydantic",
    "markdown-it-py",
    "docutils",
)
_FORMAT = 1


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def _generator_digest() -> str:
    """One digest of the pipeline's code, its templates and its configuration."""
    sha = hashlib.sha256()
    files = sorted(
        [
            *(PROJECT_ROOT / "scripts").glob("*.py"),
            *(p for p in (PROJECT_ROOT / "templates").rglob("*") if p.is_file()),
            PROJECT_ROOT / "pyproject.toml",
        ]
    )
    for path in files:
        sha.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    sha.update(f"{_versions(TOOLS)}\0".encode())
    return sha.hexdigest()


def tools_digest(extra: tuple[str, ...]) -> str:
    """This generator's digest together with the versions of the ``extra`` distributions."""
    return digest_bytes(f"{_generator_digest()}|{_versions(extra)}".encode())


def _versions(tools: tuple[str, ...]) -> str:
    found = []
    for tool in tools:
        try:
            version = metadata.version(tool)
        except metadata.PackageNotFoundError:
            version = "missing"
        found.append(f"{tool}=={version}")
    return "\0".join(found)


def input_digest(spec_files: dict[str, str], package: str) -> str:
    """Digest of a build's inputs: spec files (relative name -> sha256) and the package name."""
    payload = json.dumps(
        {
            "format": _FORMAT,
            "spec": spec_files,
            "package": package,
            "generator": _generator_digest(),
        },
        sort_keys=True,
    )
    return digest_bytes(payload.encode())


def render(spec_files: dict[str, str], package: str, outputs: dict[str, bytes]) -> bytes:
    """The fingerprint file for a build that read ``spec_files`` and wrote ``outputs``."""
    record = {
        "format": _FORMAT,
        "inputs": input_digest(spec_files, package),
        "spec": dict(sorted(spec_files.items())),
        "outputs": {name: digest_bytes(data) for name, data in sorted(outputs.items())},
    }
    return (json.dumps(record, indent=2) + "\n").encode()


def _read(out: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((out / FINGERPRINT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == _FORMAT else None


def is_up_to_date(spec: Path, out: Path, package: str) -> bool:
    """True when ``out`` holds exactly what a build of ``spec`` for ``package`` would write."""
    record = _read(out)
    if record is None:
        return False
    spec_files = record.get("spec")
    outputs = record.get("outputs")
    if not isinstance(spec_files, dict) or not isinstance(outputs, dict):
        return False
    base = spec.resolve().parent
    current: dict[str, str] = {}
    for name in spec_files:
        try:
            # The loader's reader: a spec file replaced by a FIFO must not block this check.
            current[name] = digest_bytes(read_source(base / name))
        except UnusableInputError:
            return False
    if spec.resolve().relative_to(base).as_posix() not in current:
        return False
    if current != spec_files or record.get("inputs") != input_digest(current, package):
        return False
    if set(list_outputs(out)) != set(outputs):
        return False
    return all(digest_bytes((out / name).read_bytes()) == sha for name, sha in outputs.items())


def is_ours(out: Path) -> bool:
    """Whether ``out`` may be replaced: it is missing, empty, or was written by a build."""
    if not out.exists():
        return True
    return out.is_dir() and (not any(out.iterdir()) or (out / FINGERPRINT_NAME).is_file())


def list_outputs(out: Path) -> list[str]:
    """The files of an output folder a build accounts for (bytecode caches are not output)."""
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name != FINGERPRINT_NAME and "__pycache__" not in p.parts
    )
