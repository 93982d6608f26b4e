"""Read one YAML or JSON spec file into plain data; find where a value is written when asked.

PyYAML's loaders silently keep the last of two equal keys and turn unquoted dates into
``datetime`` objects; neither is acceptable for an API description. So libyaml (fast, C) only
parses the file, and this module builds plain JSON-like data itself: duplicate keys become
problems, and every scalar that is not a JSON number, boolean or null stays the string it was
written as. The data is built straight from the parser's events (:func:`_from_events`), or
for plain JSON by the json module (:func:`_from_json`); a file either leaves aside, because
something in it is a problem or could read differently, is composed into libyaml's node tree
and built from that (:class:`_Builder`), which words every problem. Where each JSON pointer
came from is only worked out, by composing the file again, once a problem must be located:
keeping it for every value of a large spec would cost more memory than the data itself.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import yaml

from scripts.pointers import copy_tree, join_pointer
from scripts.problems import EXIT_INVALID, Problem, SpecError
from scripts.spec_files import MAX_FILE_BYTES, read_source

try:  # libyaml is bundled with PyYAML's wheels; the pure-Python loader is the fallback.
    _BaseLoader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"

# The YAML 1.2 core schema, the YAML that OpenAPI 3.x names. PyYAML resolves plain scalars by
# YAML 1.1, where `yes`, `no`, `on`, `off` and `y` are booleans, `1:20` is the number 80 and
# `3e-05` a string: an enum [DE, NL, NO] would change meaning. Only the resolver is replaced;
# libyaml still parses, and asks it for the tag of each plain scalar.
_CORE_12 = (
    (_NULL, r"null|Null|NULL|~|", ("n", "N", "~", "")),
    (_BOOL, r"true|True|TRUE|false|False|FALSE", "tTfF"),
    (_INT, r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (
        _FLOAT,
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN",
        "-+.0123456789",
    ),
    # Not YAML 1.2, but a merge key meant as one must be refused rather than kept as a key.
    (_MERGE, r"<<", "<"),
)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """libyaml's loader with the YAML 1.2 core schema's implicit tags instead of YAML 1.1's."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}


for _tag, _pattern, _first in _CORE_12:
    _Loader.add_implicit_resolver(_tag, re.compile(f"^(?:{_pattern})$"), list(_first))

#: Values a document may expand to; YAML aliases nested in each other (a "billion laughs")
#: would otherwise expand exponentially and exhaust memory.
MAX_VALUES = 5_000_000
#: Mappings and lists nested deeper than this are refused where the limit is crossed. Real
#: API descriptions stay under 20 levels; every later stage walks the document recursively.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Document:
    """A parsed file: its data, and the 1-based (line, column) of each JSON pointer in it."""

    path: Path
    data: Any
    #: Known places by JSON pointer; None: found from ``source`` when first asked for.
    locations: dict[str, tuple[int, int]] | None = field(default=None, repr=False)
    digest: str = ""
    #: The file's bytes as parsed, so that places are found in what was read.
    source: bytes = field(default=b"", repr=False)

    @cached_property
    def _places(self) -> dict[str, tuple[int, int]]:
        if self.locations is not None:
            return self.locations
        return _locate_all(self.path, self.source)

    def location(self, pointer: str) -> tuple[int, int]:
        """The place of ``pointer``, or of its nearest ancestor that has one."""
        places = self._places
        while True:
            found = places.get(pointer)
            if found is not None:
                return found
            if not pointer:
                return (1, 1)
            pointer = pointer.rsplit("/", 1)[0]

    def problem(self, pointer: str, message: str) -> Problem:
        """A problem located at ``pointer`` in this file."""
        line, column = self.location(pointer)
        return Problem(self.path, line, column, message, pointer)


def load_spec(path: Path) -> Document:
    """Read and parse ``path``; raise :class:`SpecError` listing every problem found."""
    import hashlib

    raw = read_source(path)
    return parse_spec(path, raw, digest=hashlib.sha256(raw).hexdigest())


def parse_spec(path: Path, raw: bytes, *, digest: str = "") -> Document:
    """Parse the bytes of a spec file that lives at ``path``."""
    if len(raw) > MAX_FILE_BYTES:
        limit = f"{MAX_FILE_BYTES // 1024 // 1024} MiB"
        raise SpecError(
            [Problem(path, 1, 1, f"files over {limit} are refused, and this one is larger")]
        )
    text = _decode(path, raw)
    with collection_paused():
        data = _from_json(text)
        if data is _COMPOSE:
            data = _from_events(text)
        if data is _COMPOSE:
            builder = _Builder(path, record=False)
            data = builder.build(_compose(path, text), "")
            if builder.problems:
                raise SpecError(builder.problems)
    return Document(path=path, data=data, digest=digest, source=raw)


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Run the body without automatic garbage collection.

    Loading a spec makes hundreds of thousands of mappings and lists that all stay alive, and
    each automatic collection on the way walks all of those made so far: for a large spec
    that is most of the loading time. Nothing here makes garbage that only a collection frees
    (reference cycles) but for an alias cycle, which the next collection after this frees.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _compose(path: Path, text: str) -> yaml.Node:
    """The node tree of a decoded file, within the loader's limits; SpecError otherwise."""
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
    if _expanded_size(node) > MAX_VALUES:
        message = f"the document expands to more than {MAX_VALUES:,} values (nested YAML aliases?)"
        raise SpecError([Problem(path, 1, 1, message)])
    return node


def _locate_all(path: Path, raw: bytes) -> dict[str, tuple[int, int]]:
    """The place of every JSON pointer of a file that parsed before, by composing it again."""
    builder = _Builder(path, record=True)
    builder.build(_compose(path, _decode(path, raw)), "")
    return builder.locations


#: What a fast reader answers for a text it leaves to the composer and the builder.
_COMPOSE: Any = object()
#: Characters a JSON string may hold but libyaml refuses or reads differently: controls, NEL,
#: the Unicode line and paragraph separators (line breaks to YAML 1.1), non-characters.
_YAML_SPECIAL = re.compile(
    r"[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
#: libyaml refuses a surrogate escape, which JSON uses to write characters beyond U+FFFF.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
#: A key whose ':' comes on a later line, or far after it: libyaml only finds a key that ends
#: on its own line within 1,024 characters (keys longer than 150 are left to it below).
_FAR_COLON = re.compile(r'"[ \t\r\n]*[\r\n][ \t\r\n]*:|"[ \t]{100,}:')
#: Longest key (in characters, up to 6 source characters each) the JSON reader is trusted with.
_JSON_KEY_LENGTH = 150


class _NotPlainJsonError(ValueError):
    """The text is JSON that libyaml would read differently, or refuse: compose it as YAML."""


def _from_json(text: str) -> Any:
    """The data of a text written as JSON, read by the json module (in C, many times faster
    than libyaml, and without a node tree in memory), or :data:`_COMPOSE`.

    JSON is YAML 1.2, and for JSON text the YAML path gives the same data as the json module,
    except for what is refused here and left to that path, which then reports it as it does
    for any file: duplicate keys, NaN and numbers too large for a float, nesting beyond the
    depth limit, characters and escapes libyaml refuses, and keys libyaml cannot find.
    """
    if not text.lstrip(" \t\r\n").startswith(("{", "[")):
        return _COMPOSE
    if _YAML_SPECIAL.search(text) or _SURROGATE_ESCAPE.search(text) or _FAR_COLON.search(text):
        return _COMPOSE
    try:
        data = json.loads(
            text,
            object_pairs_hook=_json_mapping,
            parse_float=_json_float,
            parse_constant=_refuse_constant,
        )
    except (ValueError, RecursionError):
        return _COMPOSE
    return data if _depth_within_limit(data) else _COMPOSE


def _from_events(text: str) -> Any:
    """The data of a YAML text built straight from libyaml's parser events, without the node
    tree (several times the size of the data), or :data:`_COMPOSE`.

    It gives what composing and building give, an alias standing for a copy of the value it
    names; whatever could differ or be a problem is left to that path, which reports it:
    duplicate and merge keys, keys that are not plain scalars, anchors defined twice, aliases
    inside what they name, values that are not what their tag says, more than one document,
    nesting beyond the depth limit (aliases expanded), more than :data:`MAX_VALUES` values,
    and any syntax error.
    """
    loader = _Loader(text)
    try:
        return _build_from_events(loader)
    except yaml.YAMLError:
        return _COMPOSE
    finally:
        loader.dispose()


def _build_from_events(loader: Any) -> Any:
    root: Any = _COMPOSE
    # One frame per open mapping or list: [the container, the key whose value comes next,
    # its anchor, how many values came before it].
    stack: list[list[Any]] = []
    # Each anchored value: (the value, how many values it holds, how deeply its lists and
    # mappings nest); an alias stands for a copy of it, as the builder makes one.
    anchors: dict[str, tuple[Any, int, int]] = {}
    named: set[str] = set()
    documents = values = 0
    while loader.check_event():
        event = loader.get_event()
        kind = type(event)
        if kind in _ENDS:
            value, _, anchor, before = stack.pop()
            if anchor is not None:
                anchors[anchor] = (value, values - before, _height(value))
            continue
        if kind not in _NODES:
            documents += kind is yaml.DocumentStartEvent
            if documents > 1:
                return _COMPOSE
            continue  # the stream's start and end, a document's end
        frame = stack[-1] if stack else None
        if frame is not None and frame[1] is None and type(frame[0]) is dict:
            # A mapping's key: a plain string, once, and not a merge key.
            if kind is not yaml.ScalarEvent or event.anchor is not None:
                return _COMPOSE
            if event.value in frame[0] or event.value == "<<":
                return _COMPOSE
            frame[1] = event.value
            continue
        anchor = event.anchor
        if kind is not yaml.AliasEvent and anchor is not None:
            if anchor in named:
                return _COMPOSE  # an anchor defined again
            named.add(anchor)
        if kind is yaml.AliasEvent:
            if anchor not in anchors:
                return _COMPOSE  # undefined, or an alias inside the value it names
            value, size, height = anchors[anchor]
            if len(stack) + height > MAX_DEPTH:
                return _COMPOSE
            value = copy_tree(value)
            values += size
        elif kind is yaml.ScalarEvent:
            value = _event_scalar(loader, event)
            values += 1
            if anchor is not None:
                anchors[anchor] = (value, 1, 0)
        elif len(stack) < MAX_DEPTH:
            value = {} if kind is yaml.MappingStartEvent else []
            values += 1
        else:
            return _COMPOSE
        if value is _COMPOSE or values > MAX_VALUES:
            return _COMPOSE
        if frame is None:
            root = value
        elif frame[1] is None:
            frame[0].append(value)
        else:
            frame[0][frame[1]] = value
            frame[1] = None
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            stack.append([value, None, anchor, values - 1])
    return root


def _height(value: Any) -> int:
    """How many levels of mappings and lists ``value`` is (0 for a scalar)."""
    if isinstance(value, dict):
        return 1 + max(map(_height, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_height, value), default=0)
    return 0


_NODES = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _event_scalar(loader: Any, event: yaml.ScalarEvent) -> Any:
    """A scalar's value as :meth:`_Builder._scalar` makes it, or :data:`_COMPOSE`."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag not in _CONSTRUCT:
        return event.value
    try:
        value = _CONSTRUCT[tag](event.value)
    except ValueError:
        return _COMPOSE
    if isinstance(value, float) and not math.isfinite(value):
        return _COMPOSE
    return value


def _json_mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs) or any(len(key) > _JSON_KEY_LENGTH for key in mapping):
        raise _NotPlainJsonError
    return mapping


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotPlainJsonError
    return value


def _refuse_constant(text: str) -> Any:
    raise _NotPlainJsonError(text)  # NaN and Infinity: strings to YAML, not numbers


def _depth_within_limit(root: Any) -> bool:
    """Whether no mapping or list lies :data:`MAX_DEPTH` levels deep, as the builder requires."""
    level: list[Any] = [root]
    for _ in range(MAX_DEPTH):
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, (dict, list))
        ]
        if not level:
            return True
    return False


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


def _expanded_size(root: yaml.Node) -> int:
    """How many values ``root`` becomes once every alias is expanded, counted without
    expanding anything: each node's size is computed once, however often it is referred to.
    Iterative, since libyaml allows nesting far deeper than Python's recursion limit."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [value for _, value in node.value]
        else:
            children = []
        if finished:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
        elif id(node) not in sizes:
            sizes[id(node)] = 1  # an alias cycle counts once here; the builder reports it
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


class _Builder:
    """Turns a composed node tree into JSON-like data, recording where each value stands."""

    def __init__(self, path: Path, *, record: bool) -> None:
        self.path = path
        self.record = record
        self.locations: dict[str, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._active: set[int] = set()
        self._too_deep = False

    def _problem(self, node: yaml.Node, pointer: str, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message, pointer))

    def build(self, node: yaml.Node, pointer: str, depth: int = 0) -> Any:
        if self.record:
            mark = node.start_mark
            self.locations.setdefault(pointer, (mark.line + 1, mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, pointer)
        if id(node) in self._active:
            self._problem(node, pointer, "a YAML alias refers to a node that contains it")
            return None
        if depth >= MAX_DEPTH:
            if not self._too_deep:  # the deepest branch once; its siblings say nothing new
                self._too_deep = True
                self._problem(node, pointer, f"nested more than {MAX_DEPTH} levels deep")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    self.build(item, join_pointer(pointer, i), depth + 1)
                    for i, item in enumerate(node.value)
                ]
            return self._mapping(node, pointer, depth)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.Node, pointer: str, depth: int) -> dict[str, Any]:
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
            if self.record:
                anchor = key_node if not isinstance(value_node, yaml.ScalarNode) else value_node
                self.locations[child] = (anchor.start_mark.line + 1, anchor.start_mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode, pointer: str) -> Any:
        if node.tag not in _CONSTRUCT:
            return node.value  # strings, and dates or binaries kept exactly as written
        try:
            value = _CONSTRUCT[node.tag](node.value)
        except ValueError:
            kind = node.tag.rsplit(":", 1)[-1]
            self._problem(node, pointer, f"'{node.value}' is not a YAML 1.2 {kind}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self._problem(node, pointer, f"'{node.value}' is not a JSON number")
            return None
        return value


def _null(text: str) -> None:
    if text not in ("", "~", "null", "Null", "NULL"):
        raise ValueError(text)


def _bool(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(text)
    return text.lower() == "true"


def _int(text: str) -> int:
    """An integer as the YAML 1.2 core schema writes it: decimal, ``0o17`` or ``0x1F``
    (a leading zero is not octal, unlike YAML 1.1)."""
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered.lstrip("+-") in (".inf", ".nan"):
        return float(lowered.replace(".", ""))
    return float(text)


_CONSTRUCT: dict[str, Callable[[str], Any]] = {
    _NULL: _null,
    _BOOL: _bool,
    _INT: _int,
    _FLOAT: _float,
}


__all__ = [
    "EXIT_INVALID",
    "Document",
    "collection_paused",
    "load_spec",
    "parse_spec",
    "read_source",
]
