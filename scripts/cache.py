"""Keep what a build computed, keyed by the content it came from, so the next build can skip it.

The cache lives in a folder beside OUT (``.OUT.cache``). Every entry is named by a digest of
its key, which includes this generator's own digest (code, templates, tool versions), and
starts with a digest of its payload: an entry that is missing, from another generator, cut
short or tampered with reads as missing, so a bad cache only costs time. Entries are written
only after a build succeeded, each by an atomic rename, and the entries that build did not use
are removed then: the folder holds one build's worth, never grows without bound, and a failed
build writes nothing.

What is kept (see :mod:`scripts.build`): that a bundled document validated clean, keyed
without its descriptions where that is sound (:mod:`scripts.validation_key`); the schemas that
passed openapi-spec-validator's meta-schema check (:mod:`scripts.schema_check`); the package
rendered from a spec's content; the models datamodel-code-generator wrote for a spec's
structure (:mod:`scripts.render_models`); that a package of a given shape imports; ruff's
formatting of each module by its text; and the pieces the published files and docs are made
of (:mod:`scripts.fragments`). None of it is output: a build with an empty cache writes the
same bytes.

A forked process works on a branch of the cache: it hands what it read and staged back with
:meth:`BuildCache.record`, which the parent takes with :meth:`BuildCache.merge`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts import fingerprint

_MAGIC = b"ecs-tasks-cache 1\n"
#: Libraries whose verdicts are cached (validation), beside those that shape the output.
_VALIDATORS = ("openapi-spec-validator", "openapi-schema-validator", "jsonschema", "jsonschema-rs")


def digest_value(value: Any) -> str:
    """A digest of a JSON-like value that tells apart what a validator could tell apart.

    ``repr`` keeps key order, and the difference between ``1``, ``1.0``, ``True`` and ``"1"``;
    the loader only makes dicts, lists and scalars, whose ``repr`` is stable across runs.
    """
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class CacheRecord:
    """The entries one process read and staged, to be taken over by another."""

    used: frozenset[str] = frozenset()
    staged: dict[str, bytes] = field(default_factory=dict)

    def names(self) -> list[str]:
        """The entries read or staged, for :meth:`BuildCache.keep` in a later build."""
        return sorted(self.used | set(self.staged))


class BuildCache:
    """Entries read and staged during one build; :meth:`save` writes them once it succeeded."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._stamp: str | None = None
        self._used: set[str] = set()
        self._staged: dict[str, bytes] = {}

    @classmethod
    def beside(cls, out: Path) -> BuildCache:
        """The cache of the builds into ``out``."""
        return cls(out.parent / f".{out.name or 'out'}.cache")

    @classmethod
    def disabled(cls) -> BuildCache:
        """A cache that never finds anything and never writes (``--no-cache``, ``check``)."""
        return cls(None)

    def _name(self, kind: str, key: str) -> str:
        if self._stamp is None:
            self._stamp = fingerprint.tools_digest(_VALIDATORS)
        return f"{kind}-{fingerprint.digest_bytes(f'{self._stamp}|{kind}|{key}'.encode())}"

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored for ``(kind, key)``, or None when there is no sound entry."""
        if self.folder is None:
            return None
        name = self._name(kind, key)
        try:
            raw = (self.folder / name).read_bytes()
        except OSError:
            return None
        header, _, payload = raw.partition(b"\n\n")
        if header != _MAGIC + fingerprint.digest_bytes(payload).encode():
            return None
        self._used.add(name)
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> None:
        """Stage an entry; it is written by :meth:`save`, after the build succeeded."""
        if self.folder is not None:
            self._staged[self._name(kind, key)] = payload

    def branch(self) -> BuildCache:
        """A cache of the same folder that has read and staged nothing yet: what one part of
        the build (in a forked process, say) uses, for :meth:`record`."""
        branch = BuildCache(self.folder)
        branch._stamp = self._stamp
        return branch

    def keep(self, names: list[str]) -> None:
        """Keep entries a reused result depends on, without reading them (see
        :meth:`CacheRecord.names`)."""
        if self.folder is not None:
            self._used.update(names)

    def record(self) -> CacheRecord:
        """What this copy of the cache read and staged (see :meth:`merge`)."""
        return CacheRecord(frozenset(self._used), dict(self._staged))

    def merge(self, record: CacheRecord) -> None:
        """Take over what another copy of this cache (a forked process's) read and staged."""
        if self.folder is not None:
            self._used |= record.used
            self._staged.update(record.staged)

    def save(self) -> None:
        """Write the staged entries and drop those this build neither read nor wrote.

        A cache that cannot be written is not an error: the next build only takes longer.
        """
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, payload in self._staged.items():
                _write_atomically(self.folder / name, payload)
            keep = self._used | set(self._staged)
            for path in self.folder.iterdir():
                if path.name not in keep:
                    with contextlib.suppress(OSError):
                        path.unlink()


def _write_atomically(path: Path, payload: bytes) -> None:
    handle, name = tempfile.mkstemp(prefix=".tmp.", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(_MAGIC + fingerprint.digest_bytes(payload).encode() + b"\n\n" + payload)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def pack_files(files: dict[str, bytes]) -> bytes:
    """Output files (relative path -> content) as one cache payload."""
    parts = []
    for name, data in files.items():
        parts.append(f"{name}\0{len(data)}\0".encode() + data)
    return b"".join(parts)


def unpack_files(payload: bytes | None) -> dict[str, bytes] | None:
    """The files of :func:`pack_files`, or None for no payload or one that does not parse."""
    if payload is None:
        return None
    files: dict[str, bytes] = {}
    at = 0
    try:
        while at < len(payload):
            name_end = payload.index(b"\0", at)
            size_end = payload.index(b"\0", name_end + 1)
            size = int(payload[name_end + 1 : size_end])
            start = size_end + 1
            if size < 0 or start + size > len(payload):
                return None
            files[payload[at:name_end].decode()] = payload[start : start + size]
            at = start + size
    except ValueError:  # also UnicodeDecodeError
        return None
    return files
