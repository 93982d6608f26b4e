"""Parse one YAML or JSON spec file once, keeping the line and column of every value.

PyYAML's loaders silently keep the last of two equal keys and turn unquoted dates into
``datetime`` objects; neither is acceptable for an API description. So the file is only
*composed* by libyaml (fast, C) into a node tree, and this module builds plain JSON-like data
from the nodes itself: duplicate keys become problems, every scalar that is not a JSON
number, boolean or null stays the string it was written as, and each JSON pointer is mapped
to the place it came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scripts.pointers import join_pointer
from scripts.problems import EXIT_INVALID, Problem, SpecError, UnusableInputError

try:  # libyaml is bundled with PyYAML's wheels; the pure-Python loader is the fallback.
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

#: Larger files are refused before parsing: no real API description comes near this size.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Values a document may expand to; YAML aliases nested in each other (a "billion laughs")
#: would otherwise expand exponentially and exhaust memory.
MAX_VALUES = 5_000_000

_JSON_SCALAR_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass(frozen=True)
class Document:
    """A parsed file: its data and, for every JSON pointer in it, a 1-based (line, column)."""

    path: Path
    data: Any
    locations: dict[str, tuple[int, int]] = field(repr=False)
    digest: str = ""

    def location(self, pointer: str) -> tuple[int, int]:
        """The place of ``pointer``, or of its nearest ancestor that has one."""
        while True:
            found = self.locations.get(pointer)
            if found is not None:
                return found
            if not pointer:
                return (1, 1)
            pointer = pointer.rsplit("/", 1)[0]

    def problem(self, pointer: str, message: str) -> Problem:
        """A problem located at ``pointer`` in this file."""
        line, column = self.location(pointer)
        return Problem(self.path, line, column, message, pointer)


def read_source(path: Path) -> bytes:
    """The raw bytes of a spec file; an :class:`UnusableInputError` when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnusableInputError(path, "no such file") from None
    except IsADirectoryError:
        raise UnusableInputError(path, "is a directory, not a spec file") from None
    except PermissionError:
        raise UnusableInputError(path, "permission denied") from None
    except OSError as exc:
        raise UnusableInputError(path, exc.strerror or "cannot be read") from None


def load_spec(path: Path) -> Document:
    """Read and parse ``path``; raise :class:`SpecError` listing every problem found."""
    import hashlib

    raw = read_source(path)
    return parse_spec(path, raw, digest=hashlib.sha256(raw).hexdigest())


def parse_spec(path: Path, raw: bytes, *, digest: str = "") -> Document:
    """Parse the bytes of a spec file that lives at ``path``."""
    if len(raw) > MAX_FILE_BYTES:
        size = f"{len(raw) / 1024 / 1024:.1f} MiB"
        limit = f"{MAX_FILE_BYTES // 1024 // 1024} MiB"
        raise SpecError(
            [Problem(path, 1, 1, f"the file is {size}; files over {limit} are refused")]
        )
    text = _decode(path, raw)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        raise SpecError([Problem(path, line, column, f"YAML syntax error: {reason}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(path, 1, 1, f"YAML error: {exc}")]) from None
    if node is None:
        raise SpecError([Problem(path, 1, 1, "the file is empty: expected an OpenAPI document")])
    if _expanded_size(node, {}) > MAX_VALUES:
        message = f"the document expands to more than {MAX_VALUES:,} values (nested YAML aliases?)"
        raise SpecError([Problem(path, 1, 1, message)])
    builder = _Builder(path)
    data = builder.build(node, "")
    if builder.problems:
        raise SpecError(builder.problems)
    return Document(path=path, data=data, locations=builder.locations, digest=digest)


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        message = f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded"
        raise SpecError([Problem(path, line, column, message)]) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        message = "a NUL character is not allowed in YAML (write it as \\0 in a quoted string)"
        raise SpecError([Problem(path, line, column, message)])
    return text


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values ``node`` becomes once every alias is expanded, counted without
    expanding anything: each node's size is computed once, however often it is referred to."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # an alias cycle counts once here; the builder reports it
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(item, sizes) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(v, sizes) for _, v in node.value)
    else:
        size = 1
    sizes[id(node)] = size
    return size


class _Builder:
    """Turns a composed node tree into JSON-like data, recording where each value stands."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.locations: dict[str, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._constructor = yaml.constructor.SafeConstructor()
        self._active: set[int] = set()

    def _problem(self, node: yaml.Node, pointer: str, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message, pointer))

    def build(self, node: yaml.Node, pointer: str) -> Any:
        self.locations.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, pointer)
        if id(node) in self._active:
            self._problem(node, pointer, "a YAML alias refers to a node that contains it")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    self.build(item, join_pointer(pointer, i)) for i, item in enumerate(node.value)
                ]
            return self._mapping(node, pointer)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.Node, pointer: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, pointer, "a mapping key must be a plain string")
                continue
            key = key_node.value
            if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_node, pointer, "YAML merge keys ('<<') are not supported")
                continue
            child = join_pointer(pointer, key)
            if key in first_seen:
                self._problem(
                    key_node,
                    child,
                    f"duplicate key '{key}' (first defined on line {first_seen[key]})",
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            # A collection is best pointed at by its key; a scalar by the value itself.
            anchor = key_node if not isinstance(value_node, yaml.ScalarNode) else value_node
            self.locations[child] = (anchor.start_mark.line + 1, anchor.start_mark.column + 1)
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: yaml.ScalarNode, pointer: str) -> Any:
        if node.tag not in _JSON_SCALAR_TAGS:
            return node.value  # strings, and dates or binaries kept exactly as written
        value = self._constructor.construct_object(node)
        if isinstance(value, float) and not math.isfinite(value):
            self._problem(node, pointer, f"'{node.value}' is not a JSON number")
            return None
        return value


__all__ = ["EXIT_INVALID", "Document", "load_spec", "parse_spec", "read_source"]
