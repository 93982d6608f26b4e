"""Join a spec split over several files into one document with internal references only.

External ``$ref``s (``schemas/Job.yaml``, ``common.yaml#/Error``) are resolved relative to the
file that holds them and replaced: a reference that stands alone as a component
(``components/schemas/Job: {$ref: schemas/Job.yaml}``) is inlined in that slot; any later
reference to the same target becomes an internal ``#/components/...`` reference, so each
schema is defined exactly once and generators give it one model. Internal references are kept.
Every value of the result can be traced to the file and JSON pointer it came from, so later
stages report problems where the author can fix them. Memory is kept to one copy of the data:
the root file's values are shared with the bundle wherever bundling changes nothing in them, and
an origin is only recorded where a value does not come from the same place in the same file as
its parent (an inlined file, a reference's siblings).

Refused: references that are not strings, remote references (nothing is ever fetched),
references that climb out of the root spec's folder, and targets that do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scripts.load_spec import MAX_DEPTH, Document, collection_paused, load_spec
from scripts.pointers import join_pointer, lookup, split_pointer, unescape_token
from scripts.problems import Problem, SpecError, UnusableInputError

#: Where a value of the bundle came from: the file and the JSON pointer inside it.
Origin = tuple[Path, str]
#: Fields beside a ``$ref`` that only annotate that use, and may travel with a shared copy.
_ANNOTATIONS = {"summary", "description", "title", "example", "examples", "deprecated"}
#: How deep the joined document may be: every later stage walks it recursively.
MAX_BUNDLED_DEPTH = 2 * MAX_DEPTH


@dataclass(frozen=True)
class Bundle:
    """The single-file document, the files it was made from, and where each value came from.

    The documents keep their places but not their data, which is the bundle's to use.
    """

    root: Document
    data: dict[str, Any]
    #: Where each value whose origin its parent's does not imply came from (see ``locate``).
    origins: dict[str, Origin]
    documents: dict[Path, Document]
    problems: list[Problem]

    def locate(self, pointer: str, message: str) -> Problem:
        """A problem about the bundled value at ``pointer``, placed in its source file.

        A value comes from where its nearest ancestor with a recorded origin came from,
        followed by the same path below it.
        """
        probe = pointer
        while probe not in self.origins and probe:
            probe = probe.rsplit("/", 1)[0]
        path, source_pointer = self.origins.get(probe, (self.root.path, ""))
        # Keep what lies below the nearest known value (a missing key, say) in the pointer.
        source_pointer += pointer[len(probe) :]
        line, column = self.documents[path].location(source_pointer)
        return Problem(path, line, column, message, source_pointer)


def bundle(root_path: Path) -> Bundle:
    """Load ``root_path`` and every file it references.

    A root that cannot be parsed raises SpecError. Reference problems are collected in
    ``Bundle.problems`` instead, with each broken reference left out of the data, so that
    validation can go on and report everything else in the same run.
    """
    root_path = root_path.resolve()
    root = load_spec(root_path)
    if not isinstance(root.data, dict):
        raise SpecError([root.problem("", "an OpenAPI document must be a mapping at the top")])
    bundler = _Bundler(root)
    with collection_paused():
        data = bundler.run()
    # The files' own data is no longer needed; the bundle shares what it kept of the root's.
    documents = {path: replace(doc, data=None) for path, doc in bundler.documents.items()}
    return Bundle(
        root=documents[root.path],
        data=data,
        origins=bundler.origins,
        documents=documents,
        problems=bundler.problems,
    )


class _Bundler:
    def __init__(self, root: Document) -> None:
        self.root = root
        self.base = root.path.parent
        self.documents: dict[Path, Document] = {root.path: root}
        self.origins: dict[str, Origin] = {}
        self.problems: list[Problem] = []
        # (file, pointer) of an external target -> the pointer where the bundle defines it.
        self.placed: dict[Origin, str] = {}
        self._failed_files: set[Path] = set()
        self._reserved: set[str] = set()
        self._too_deep = False
        # (bundle pointer, file, pointer in it, value) of each file reference in a mapping.
        self._mappings: list[tuple[str, Document, str, str]] = []

    def run(self) -> dict[str, Any]:
        data = self.root.data
        self.origins[""] = (self.root.path, "")
        # Components first, so that a target defined as a component is placed in its slot even
        # when a path refers to it before the components section.
        converted: dict[str, Any] = {}
        self._reserve_component_slots(data.get("components"))
        if "components" in data:
            pointer = join_pointer("", "components")
            converted["components"] = self._copy(data["components"], self.root, pointer, pointer)
        result: dict[str, Any] = {}
        for key, value in data.items():
            if key in converted:
                result[key] = converted[key]
            else:
                pointer = join_pointer("", key)
                result[key] = self._copy(value, self.root, pointer, pointer)
        self._rewrite_mappings(result)
        return result

    def _rewrite_mappings(self, result: dict[str, Any]) -> None:
        """Point each discriminator ``mapping`` entry that names a file at the schema's place
        in the bundle, as ``$ref``s are; a schema that only the mapping names gets a
        component of its own."""
        for target, doc, source, ref in self._mappings:
            resolved = self._resolve(ref, doc, source)
            if resolved is None:
                continue  # reported
            target_doc, target_pointer = resolved
            if target_doc is self.root:
                internal: str | None = target_pointer
            else:
                internal = self._placed_at((target_doc.path, target_pointer))
            if internal is None:
                schemas = result.setdefault("components", {}).setdefault("schemas", {})
                stem = Path(urlsplit(ref).path).stem or "Schema"
                name = next(
                    n for n in (stem, *(f"{stem}{i}" for i in range(2, 10_000))) if n not in schemas
                )
                internal = join_pointer("", "components", "schemas", name)
                self.placed[(target_doc.path, target_pointer)] = internal
                content = lookup(target_doc.data, target_pointer)[1]
                self.origins[internal] = (target_doc.path, target_pointer)
                schemas[name] = self._copy(content, target_doc, target_pointer, internal)
            parent, _, key = target.rpartition("/")
            holder = lookup(result, parent)[1]
            if isinstance(holder, dict):
                holder[unescape_token(key)] = "#" + internal

    def _reserve_component_slots(self, components: Any) -> None:
        """Give each component defined as a lone external ``$ref`` its slot before anything else.

        Otherwise a component that another one refers to first would be defined inside that
        other one, and its own slot would become a reference into it.
        """
        if not isinstance(components, dict):
            return
        for kind, entries in components.items():
            if not isinstance(entries, dict):
                continue
            for name, entry in entries.items():
                if not (isinstance(entry, dict) and set(entry) == {"$ref"}):
                    continue
                ref = entry["$ref"]
                if not isinstance(ref, str) or ref.startswith("#"):
                    continue
                slot = join_pointer("", "components", kind, name)
                resolved = self._resolve(ref, self.root, join_pointer(slot, "$ref"))
                if resolved is not None and resolved[0] is not self.root:
                    key = (resolved[0].path, resolved[1])
                    if key not in self.placed:
                        self.placed[key] = slot
                        self._reserved.add(slot)

    def _copy(self, value: Any, doc: Document, source: str, target: str) -> Any:
        """``value`` (at ``source`` in ``doc``) as the bundle holds it at ``target``.

        The caller records the origin of ``target`` when its parent's does not imply it. A
        value of the root file is copied once, to where it stands (``source is target``), so
        it is returned itself when nothing in it changes.
        """
        if isinstance(value, (dict, list)) and target.count("/") >= MAX_BUNDLED_DEPTH:
            # Each file is at most MAX_DEPTH deep, but files inlined in each other add up.
            if not self._too_deep:
                self._too_deep = True
                message = f"nested more than {MAX_BUNDLED_DEPTH} levels deep once bundled"
                self.problems.append(doc.problem(source, message))
            return {}  # an empty object, valid nearly anywhere: no follow-on problems
        if isinstance(value, list):
            items = [self._child(item, doc, source, target, i) for i, item in enumerate(value)]
            return self._unchanged(value, items, source, target, items)
        if not isinstance(value, dict):
            return value
        if "$ref" in value:
            return self._reference(value, doc, source, target)
        noted = self._note_mapping(value, doc, source, target)
        copied = {key: self._child(item, doc, source, target, key) for key, item in value.items()}
        if noted:
            return copied  # its mapping is rewritten in place once every schema is placed
        return self._unchanged(value, copied, source, target, copied.values())

    def _child(self, item: Any, doc: Document, source: str, target: str, token: str | int) -> Any:
        child_source = join_pointer(source, token)
        child_target = child_source if source is target else join_pointer(target, token)
        return self._copy(item, doc, child_source, child_target)

    @staticmethod
    def _unchanged(original: Any, copied: Any, source: str, target: str, items: Any) -> Any:
        """``original`` rather than its copy when it is the root file's, copied to its own place,
        and each of its items came back as it was."""
        values = original.values() if isinstance(original, dict) else original
        if source is target and all(new is old for new, old in zip(items, values, strict=True)):
            return original
        return copied

    def _note_mapping(self, value: dict[str, Any], doc: Document, source: str, target: str) -> bool:
        """Remember the discriminator mapping entries that refer to files, to be rewritten once
        every schema has its place; whether there was one."""
        discriminator = value.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        if not isinstance(mapping, dict):
            return False
        noted = False
        for name, ref in mapping.items():
            # A value is a schema name ("Dog") or a reference; only a file reference changes.
            if isinstance(ref, str) and not ref.startswith("#") and ("/" in ref or "." in ref):
                where = ("discriminator", "mapping", name)
                self._mappings.append(
                    (join_pointer(target, *where), doc, join_pointer(source, *where), ref)
                )
                noted = True
        return noted

    def _reference(self, value: dict[str, Any], doc: Document, source: str, target: str) -> Any:
        ref = value["$ref"]
        ref_pointer = join_pointer(source, "$ref")
        siblings = {
            key: self._child(item, doc, source, target, key)
            for key, item in value.items()
            if key != "$ref"
        }
        if not isinstance(ref, str):
            self.problems.append(doc.problem(ref_pointer, "$ref must be a string"))
            return siblings
        resolved = self._resolve(ref, doc, ref_pointer)
        if resolved is None:
            return siblings  # reported; later stages see an empty (any) schema in its place
        target_doc, target_pointer = resolved
        if target_doc is self.root:
            if ref != "#" + target_pointer or next(iter(value)) != "$ref":
                return {"$ref": "#" + target_pointer, **siblings}
            kept = {"$ref": ref, **siblings}
            return self._unchanged(value, kept, source, target, kept.values())
        internal = self._placed_at((target_doc.path, target_pointer))
        if internal == target and target in self._reserved:
            self._reserved.discard(target)  # the reserved slot itself: define it here
            internal = None
        if internal is not None:
            if internal == target:
                self.problems.append(doc.problem(ref_pointer, f"cyclic $ref '{ref}'"))
                return {}
            return {"$ref": "#" + internal, **siblings}
        # The first reference to an external target defines it in the bundle: in its component
        # slot when it stands there alone, otherwise where it is first used.
        content = lookup(target_doc.data, target_pointer)[1]
        key = (target_doc.path, target_pointer)
        self.placed[key] = target
        # The siblings came from beside the $ref; what they override of the target is theirs.
        beside = {
            name: self.origins.get(
                join_pointer(target, name), (doc.path, join_pointer(source, name))
            )
            for name in siblings
        }
        self.origins[target] = (target_doc.path, target_pointer)
        copied = self._copy(content, target_doc, target_pointer, target)
        if siblings and isinstance(copied, dict):
            self.origins.update((join_pointer(target, name), at) for name, at in beside.items())
            if any(name not in _ANNOTATIONS and not name.startswith("x-") for name in siblings):
                # Fields that change this use (`required: true`, `nullable`) stay with it: a
                # later reference gets the target as written, not as this use amended it.
                del self.placed[key]
            return {**copied, **siblings}
        return copied

    def _placed_at(self, origin: Origin) -> str | None:
        """The bundle pointer of an external target, or of the placed value that contains it."""
        path, pointer = origin
        probe = pointer
        while True:
            found = self.placed.get((path, probe))
            if found is not None:
                return found + pointer[len(probe) :]
            if not probe:
                return None
            probe = probe.rsplit("/", 1)[0]

    def _resolve(self, ref: str, doc: Document, ref_pointer: str) -> tuple[Document, str] | None:
        """The document and pointer ``ref`` names, or None after recording why it cannot."""
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            message = f"remote $ref '{ref}' refused: only files under the spec's folder are read"
            self.problems.append(doc.problem(ref_pointer, message))
            return None
        pointer = unquote(parts.fragment)
        if pointer and not pointer.startswith("/"):
            message = f"$ref '{ref}': the part after '#' must be a JSON pointer starting with '/'"
            self.problems.append(doc.problem(ref_pointer, message))
            return None
        if not parts.path and doc is self.root:
            # Root-internal references stay as they are; the validator checks that they resolve
            # in the bundle, which is where they will be followed.
            return doc, pointer
        target_doc = doc
        if parts.path:
            file_path = (doc.path.parent / unquote(parts.path)).resolve()
            if not file_path.is_relative_to(self.base.resolve()):
                message = f"$ref '{ref}' points outside the spec's folder; refused"
                self.problems.append(doc.problem(ref_pointer, message))
                return None
            loaded = self._load(file_path, doc, ref_pointer, ref)
            if loaded is None:
                return None
            target_doc = loaded
        found = self._follow(target_doc, pointer, ref_pointer)
        if found is None:
            where = "" if target_doc is doc else f" in {target_doc.path.name}"
            message = f"unresolvable $ref '{ref}': nothing at '{pointer or '/'}'{where}"
            self.problems.append(doc.problem(ref_pointer, message))
            return None
        return found

    def _follow(self, doc: Document, pointer: str, ref_pointer: str) -> tuple[Document, str] | None:
        """Where ``pointer`` really lands, following a ``$ref`` met on the way there."""
        data = doc.data
        tokens = split_pointer(pointer)
        for index, token in enumerate(tokens):
            if isinstance(data, dict) and token in data:
                data = data[token]
            elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
                data = data[int(token)]
            elif isinstance(data, dict) and isinstance(data.get("$ref"), str):
                here = join_pointer("", *tokens[:index])
                through = self._resolve(data["$ref"], doc, join_pointer(here, "$ref"))
                if through is None:
                    return None
                rest = join_pointer(through[1], *tokens[index:])
                return self._follow(through[0], rest, ref_pointer)
            else:
                return None
        return doc, pointer

    def _load(self, path: Path, doc: Document, ref_pointer: str, ref: str) -> Document | None:
        key = path
        if key in self.documents:
            return self.documents[key]
        if key in self._failed_files:
            return None
        try:
            loaded = load_spec(path)
        except UnusableInputError as exc:
            self._failed_files.add(key)
            self.problems.append(doc.problem(ref_pointer, f"$ref '{ref}': {exc.reason}"))
            return None
        except SpecError as exc:
            self._failed_files.add(key)
            self.problems.extend(exc.problems)
            return None
        self.documents[key] = loaded
        return loaded
