"""Keep Jinja's compiled templates between builds, which saves compiling them on every start.

Jinja names each compiled template by its name and a checksum of its source, so an edited
template is compiled afresh. Each environment kind (Python, HTML, Markdown, RST) compiles the
same text differently (autoescaping, ``finalize``), so each has its own folder. A cache that is
missing, unreadable or unwritable only costs the compile.
"""

from __future__ import annotations

import contextlib

import jinja2

from scripts.fingerprint import PROJECT_ROOT

FOLDER = PROJECT_ROOT / ".jinja_cache"


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - any damage is a miss, and the template is compiled
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache(kind: str) -> jinja2.BytecodeCache | None:
    """The compiled-template cache of the environments of ``kind``, or None where the folder
    cannot be made (a read-only checkout)."""
    folder = FOLDER / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _TemplateCache(str(folder))
