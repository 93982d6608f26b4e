"""Shared fixtures: the project's paths, the pipeline's command line, snapshots of folders,
and clients of both kinds aimed at a real scripted server on loopback."""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings

from ecs_tasks import AsyncClient, Client
from scripted_server import ScriptedServer

# In CI the property and contract tests draw the same examples on every run, so that a
# submission never fails on a new random draw; locally each run explores new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "openapi.yaml"
GENERATED = ROOT / "generated"
SOURCE_DOCS = ROOT.parent / "shared" / "source-docs"
SPECS = Path(__file__).resolve().parent / "specs"


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str


def bundling(paths: list[Path]) -> list[Path]:
    """Those of ``paths`` that bundle (a missing one stays: its test says it is not here)."""
    from scripts.bundle import bundle
    from scripts.problems import SpecError

    def bundles(path: Path) -> bool:
        try:
            bundle(path)
        except SpecError:
            return False
        return True

    return [path for path in paths if not path.exists() or bundles(path)]


def run_pipeline(*args: str | Path, cwd: Path = ROOT) -> Run:
    """Run ``python -m scripts ARGS`` as a user would, in a separate process."""
    env_path = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "scripts", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (bytecode caches aside) with its content digest and mode."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        + f":{path.stat().st_mode:o}:{path.stat().st_mtime_ns}"
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="session")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of the project's spec into a scratch folder (built once per session)."""
    out = tmp_path_factory.mktemp("build") / "out"
    result = run_pipeline("build", "--spec", SPEC, "--out", out)
    assert result.status == 0, result.err
    return out


@pytest.fixture
def existing_output(built_once: Path, tmp_path: Path) -> Path:
    """A copy of a finished build that a later (failing) build must leave alone."""
    out = tmp_path / "out"
    shutil.copytree(built_once, out)
    return out


TOKEN = "tok-SECRET-1f2e3d4c5b6a"
PROJECT = "proj1"

AnyClient = Client | AsyncClient


async def call(result: Any) -> Any:
    """Let one test body drive both clients: await the result if the call was async."""
    if inspect.isawaitable(result):
        return await result
    return result


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    yield srv
    srv.close()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_client(mode: str, server: ScriptedServer) -> AsyncIterator[Callable[..., AnyClient]]:
    """make_client(**options) builds a Client or AsyncClient aimed at the scripted server.

    `transport=` wraps an httpx transport in a caller-owned HTTP client, closed here too.
    """
    clients: list[AnyClient] = []
    http_clients: list[httpx.Client | httpx.AsyncClient] = []

    def make(*, base_url: str | None = None, transport: Any = None, **options: Any) -> AnyClient:
        options.setdefault("token", TOKEN)
        if transport is not None:
            http_kind = httpx.Client if mode == "sync" else httpx.AsyncClient
            options["http_client"] = http_kind(transport=transport)
            http_clients.append(options["http_client"])
        kind = Client if mode == "sync" else AsyncClient
        client = kind(base_url or server.url, PROJECT, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        if isinstance(client, AsyncClient):
            await client.close()
        else:
            client.close()
    for http in http_clients:
        if isinstance(http, httpx.AsyncClient):
            await http.aclose()
        else:
            http.close()
