"""Build a spec into a scratch package, import it, and record what its client sends."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from conftest import run_pipeline

BASE_URL = "https://api.example"


@dataclass(frozen=True)
class Built:
    """A package built from a spec: the module, where it is, and what the build printed."""

    package: ModuleType
    out: Path
    err: str


def build_package(spec: Path, out: Path, package: str) -> Built:
    """Build ``spec`` into ``out`` as ``package`` (the build must succeed) and import it."""
    result = run_pipeline("build", "--spec", spec, "--out", out, "--package", package)
    assert result.status == 0, result.err
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
    return Built(module, out, result.err)


@dataclass
class Recorder:
    """An httpx transport that keeps every request and answers each with one reply."""

    status: int = 200
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        # A stream, as from the network: the client reads the raw bytes itself.
        stream = httpx.ByteStream(self.content)
        return httpx.Response(self.status, headers=self.headers, stream=stream)

    def client(self, package: ModuleType, *args: Any, **options: Any) -> Any:
        """A blocking client of ``package`` that sends through this recorder."""
        http = httpx.Client(transport=httpx.MockTransport(self.handle))
        return package.Client(BASE_URL, *args, http_client=http, **options)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]
