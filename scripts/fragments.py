"""Pieces of output kept from one build to the next, by a digest of what each was made from.

An edit to a large spec changes few of the pieces its published files and docs are made of;
the others are taken as the build before made them. The pieces travel as one payload of the
build cache (see :mod:`scripts.cache`), and the next one holds only the pieces this build used,
so it never grows beyond one build's worth. A piece is only ever looked up by the digest of its
source and the name of what made it, so a stale or missing one only costs the time to make it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scripts.cache import digest_value, pack_files, unpack_files


class Fragments:
    """The pieces of an earlier build, and those this build used or made."""

    def __init__(self, payload: bytes | None = None) -> None:
        self._earlier = unpack_files(payload) or {}
        self._used: dict[str, bytes] = {}

    def text(self, maker: str, source: Any, make: Callable[[], str | None]) -> str | None:
        """The text ``make()`` returns, which depends on ``source`` and on nothing else but
        the code of ``maker`` (which is part of every cache key): the earlier build's when it
        made one. None, which is not kept, when ``make`` has none."""
        key = f"{maker}|{digest_value(source)}"
        kept = self._used.get(key, self._earlier.get(key))
        if kept is None:
            made = make()
            if made is None:
                return None
            kept = made.encode("utf-8", "surrogatepass")
        self._used[key] = kept
        return kept.decode("utf-8", "surrogatepass")

    def payload(self) -> bytes:
        """What the next build is given."""
        return pack_files(self._used)
