"""Render the pydantic v2 models of a bundled spec with datamodel-code-generator.

The generator's options live in pyproject.toml under ``[tool.datamodel-codegen]``, written with
its command-line names, so that running ``datamodel-codegen`` by hand in this folder gives the
same models. The pipeline adds only what must not vary: the input type, a fixed header, the
field names of the naming module, and a request for the generator's own account of what it
wrote (its model metadata), from which the client learns every class and field name: the
generator renames classes on its own (a component ``Error`` becomes ``Error1`` when an inline
property ``error`` took ``Error`` first), so names are read back, never guessed.

Inline request and response schemas (and arrays of them) are hoisted into named component
schemas first, named by the naming module, so that every body and answer has a model.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts import naming
from scripts.pointers import join_pointer, resolve, split_pointer
from scripts.problems import Problem, SpecError
from scripts.templating import docstring, environment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = PROJECT_ROOT / "pyproject.toml"

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMAS = "/components/schemas/"
#: Keywords that make a schema worth a model of its own (a bare string or number is not).
_STRUCTURED = {"properties", "items", "allOf", "oneOf", "anyOf", "enum"}


@dataclass(frozen=True)
class Models:
    """``models.py`` and what the rest of the package needs to know about it."""

    source: str
    #: The bundled spec with inline request and response schemas moved to components and
    #: replaced by references to them; walk this to find each operation's models.
    document: dict[str, Any]
    #: JSON pointer of a schema (in ``document``; hoisted ones at their original place too)
    #: -> the class the generator wrote for it.
    classes: dict[str, str]
    #: class -> property name as the API spells it -> the model's attribute.
    fields: dict[str, dict[str, str]]
    #: class -> property name -> the class of that field's type, where it is one model.
    field_classes: dict[str, dict[str, str]]

    def class_of(self, schema: Any) -> str | None:
        """The class modelling ``schema`` (a ``$ref`` to a component), or None."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith("#"):
            return self.classes.get(ref[1:])
        return None

    def attribute_path(self, class_name: str, pointer: str) -> list[str] | None:
        """The attributes to follow from an instance of ``class_name`` to the value at the
        JSON ``pointer`` of its serialised form (``/job/id`` -> ``["job", "id"]``), or None
        when the pointer leaves the models (an array index, an unknown property)."""
        attributes: list[str] = []
        current: str | None = class_name
        for token in split_pointer(pointer):
            if current is None or token not in self.fields.get(current, {}):
                return None
            attributes.append(self.fields[current][token])
            current = self.field_classes.get(current, {}).get(token)
        return attributes


@functools.cache
def _pyproject() -> dict[str, Any]:
    with PYPROJECT.open("rb") as handle:
        table: dict[str, Any] = tomllib.load(handle)
    return table


def generator_options() -> dict[str, Any]:
    """The ``[tool.datamodel-codegen]`` table with option names turned into keyword names and
    its relative paths made absolute (they are relative to the project, as for the CLI)."""
    table = _pyproject().get("tool", {}).get("datamodel-codegen", {})
    options = {key.replace("-", "_"): value for key, value in table.items()}
    if "custom_template_dir" in options:
        options["custom_template_dir"] = PROJECT_ROOT / options["custom_template_dir"]
    return options


def project_version() -> str:
    """The version of this project, which generated packages carry as ``__version__``."""
    return str(_pyproject()["project"]["version"])


def render_models(
    data: dict[str, Any], spec_name: str, *, warnings: list[tuple[str, str]] | None = None
) -> Models:
    """``models.py`` for the bundled document ``data``, with its class and field names."""
    del warnings  # nothing here is left out: a schema the generator cannot model is an error
    document, hoisted = hoist_inline_schemas(data)
    document = adjust_schemas(document)
    info = data.get("info")
    title = str(info.get("title") or spec_name) if isinstance(info, dict) else spec_name
    # Descriptions make long lines, which no formatter wraps; E501 is not among ruff's default
    # rules, and this project ignores it for generated/ (pyproject.toml).
    header = (
        f'"""Data models for {docstring(title)}, generated by datamodel-code-generator.\n\n'
        'Do not edit: change the spec and run `make build`."""'
    )
    if not ((document.get("components") or {}).get("schemas")):
        # The generator refuses a spec without component schemas; the package still needs
        # its (empty) models module.
        context = {"title": title, "header": header}
        source = environment().get_template("client/models_empty.py.jinja").render(context)
        return Models(source, document, {}, {}, {})
    source, metadata = _generate(document, spec_name, header, aliases={})
    aliases = _field_aliases(metadata)
    if aliases:
        # The generator's own field names differ from the naming rule somewhere (it cannot be
        # told the rule, only each name, per class, once it has named the classes).
        source, metadata = _generate(document, spec_name, header, aliases=aliases)
        _check_field_names(metadata, spec_name)
    return _models(source, document, hoisted, metadata)


def _generate(
    document: dict[str, Any], spec_name: str, header: str, aliases: dict[str, str]
) -> tuple[str, list[dict[str, Any]]]:
    """Run the generator; the source it wrote and its metadata of every model."""
    from datamodel_code_generator import InputFileType, generate
    from datamodel_code_generator.config import GenerateConfig

    with tempfile.TemporaryDirectory() as scratch:
        metadata_path = Path(scratch) / "models.json"
        options = {
            **generator_options(),
            "input_file_type": InputFileType.OpenAPI,
            "custom_file_header": header,
            "emit_model_metadata": metadata_path,
            "aliases": aliases or None,
        }
        config = GenerateConfig.model_validate(options)
        try:
            with warnings.catch_warnings():
                # Its warnings are advice for command-line users; problems come back as errors.
                warnings.simplefilter("ignore")
                source = generate(document, config=config)
        except Exception as exc:  # the generator raises many kinds; each is a spec it cannot model
            message = (
                f"datamodel-code-generator cannot model this spec: {' '.join(str(exc).split())}"
            )
            raise SpecError([Problem(Path(spec_name), 1, 1, message)]) from None
        if not isinstance(source, str):
            raise SpecError([Problem(Path(spec_name), 1, 1, "the generator wrote several modules")])
        models: list[dict[str, Any]] = json.loads(metadata_path.read_text("utf-8"))["models"]
    return source, models


def _wire_fields(model: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of a model that stand for a property (not a root model's ``root``)."""
    return [f for f in model["fields"] if isinstance(f.get("original_name"), str)]


def _field_aliases(metadata: list[dict[str, Any]]) -> dict[str, str]:
    """``Class.property`` -> field name, for every field the generator named otherwise than
    the naming module does (empty when it agrees everywhere, the usual case)."""
    aliases: dict[str, str] = {}
    for model in metadata:
        fields = _wire_fields(model)
        wanted = naming.field_names([f["original_name"] for f in fields])
        for field in fields:
            name = wanted[field["original_name"]].python
            if field["name"] != name:
                aliases[f"{model['class_name']}.{field['original_name']}"] = name
        if any(f"{model['class_name']}." in key for key in aliases):
            # Within a class every field is given, so the generator cannot pick a name that a
            # given one is about to take.
            for field in fields:
                key = f"{model['class_name']}.{field['original_name']}"
                aliases[key] = wanted[field["original_name"]].python
    return aliases


def _check_field_names(metadata: list[dict[str, Any]], spec_name: str) -> None:
    """Refuse models whose fields the generator did not make distinct public attributes.

    The generator takes the naming module's names as given, except in corners of its own (a
    class it renamed after naming fields): there its own name stands, and the client reads it
    back like every other; but a model must never have two fields of one name.
    """
    for model in metadata:
        names = [f["name"] for f in _wire_fields(model)]
        clash = next((n for n in names if names.count(n) > 1 or n.startswith("_")), None)
        if clash is not None:
            message = (
                f"datamodel-code-generator gave {model['class_name']} a field '{clash}' that "
                "is private or not unique"
            )
            raise SpecError([Problem(Path(spec_name), 1, 1, message)])


_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _models(
    source: str,
    document: dict[str, Any],
    hoisted: dict[str, str],
    metadata: list[dict[str, Any]],
) -> Models:
    classes: dict[str, str] = {}
    fields: dict[str, dict[str, str]] = {}
    for model in metadata:
        pointer = join_pointer("", *(model.get("source_path") or []))
        classes.setdefault(pointer, model["class_name"])
        fields[model["class_name"]] = {f["original_name"]: f["name"] for f in _wire_fields(model)}
    # Hoisted schemas (and the inline models nested in them) answer at their old place too.
    for original, moved in hoisted.items():
        for pointer, name in list(classes.items()):
            if pointer == moved or pointer.startswith(moved + "/"):
                classes.setdefault(original + pointer[len(moved) :], name)
    field_classes: dict[str, dict[str, str]] = {}
    for model in metadata:
        for field in _wire_fields(model):
            # "Job | None" names one model; "list[Job]" or "Job | Error" do not.
            words = [w for w in _TYPE_NAME.findall(field["type"]) if w != "None"]
            if len(words) == 1 and words[0] in fields:
                field_classes.setdefault(model["class_name"], {})[field["original_name"]] = words[0]
    return Models(source, document, classes, fields, field_classes)


# --- schemas adjusted for the model generator ----------------------------------------------

#: Enums with more values than this become ``Literal`` types rather than Enum classes: the
#: generator names members in quadratic time (100,000 values would take many minutes; as a
#: Literal they take about a second), and a class of thousands of members helps no reader.
LARGE_ENUM = 1000


def adjust_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with its component schemas adjusted for the model generator (copied where
    they change; ``document`` is kept): required properties that are ``readOnly`` or
    ``writeOnly`` made optional, objects without ``additionalProperties`` given JSON Schema's
    default (true) explicitly, and enums over LARGE_ENUM values marked to be Literals.

    OpenAPI requires a readOnly property in answers only and a writeOnly one in requests only,
    while one model serves both directions: required there, a correct answer (without the
    writeOnly field) would fail validation, and so would a correct request.
    """
    schemas = (document.get("components") or {}).get("schemas")
    if not isinstance(schemas, dict):
        return document
    adjusted = {name: _adjusted(document, schema) for name, schema in schemas.items()}
    if all(adjusted[name] is schemas[name] for name in schemas):
        return document
    return {**document, "components": {**document["components"], "schemas": adjusted}}


def _adjusted(document: dict[str, Any], node: Any) -> Any:
    """``node``, or an adjusted copy of it (see :func:`adjust_schemas`)."""
    if isinstance(node, list):
        items = [_adjusted(document, item) for item in node]
        return node if all(a is b for a, b in zip(items, node, strict=True)) else items
    if not isinstance(node, dict):
        return node
    values = {key: _adjusted(document, value) for key, value in node.items()}
    changed = any(values[key] is not node[key] for key in node)
    required, properties = node.get("required"), node.get("properties")
    if isinstance(required, list) and isinstance(properties, dict):
        directed = {
            name
            for name, prop in properties.items()
            if _is_directed(prop) or _is_directed(resolve(document, prop))
        }
        if directed & set(required):
            values["required"] = [name for name in required if name not in directed]
            if not values["required"]:
                del values["required"]
            changed = True
    if isinstance(properties, dict) and "additionalProperties" not in node:
        # JSON Schema's default, said out loud: the model keeps fields the spec does not list
        # (answers stay tolerant; request bodies are checked strictly when sent).
        values["additionalProperties"] = True
        changed = True
    enum = node.get("enum")
    if isinstance(enum, list) and len(enum) > LARGE_ENUM:
        values["x-enum-field-as-literal"] = True
        changed = True
    return values if changed else node


def _is_directed(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("readOnly") is True or schema.get("writeOnly") is True
    )


# --- hoisting inline request and response schemas --------------------------------------------


def _is_model_media_type(media_type: str) -> bool:
    """JSON (``application/json``, ``*+json``), form and multipart bodies are objects."""
    essence = media_type.split(";")[0].strip().lower()
    return essence.endswith(("/json", "+json")) or essence in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    )


def _wants_model(schema: Any) -> bool:
    """Whether an inline schema describes a shape worth a class. A bare object (or a map by
    additionalProperties) is not: its model would have no fields and drop what it is given,
    where a plain ``dict`` keeps it."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return "array" in kinds or bool(_STRUCTURED & schema.keys())


def _content_schemas(holder: Any, pointer: str) -> Iterator[str]:
    """Pointers of the inline schemas of a request body's or response's model media types."""
    if not isinstance(holder, dict) or "$ref" in holder:
        return
    content = holder.get("content")
    if not isinstance(content, dict):
        return
    for media_type, media in content.items():
        if (
            isinstance(media, dict)
            and _is_model_media_type(str(media_type))
            and _wants_model(media.get("schema"))
        ):
            yield join_pointer(pointer, "content", media_type, "schema")


def _inline_schemas(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(pointer of an inline body schema, the name wanted for its model), in spec order."""
    for path, item in (data.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in _HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            base = naming.operation_natural_name(method, str(path), operation.get("operationId"))
            pointer = join_pointer("", "paths", path, method)
            for schema in _content_schemas(
                operation.get("requestBody"), join_pointer(pointer, "requestBody")
            ):
                yield schema, f"{base} request"
            responses = operation.get("responses")
            if not isinstance(responses, dict):
                continue
            codes = [c for c in responses if str(c).startswith("2")]
            for code in codes:
                where = join_pointer(pointer, "responses", code)
                suffix = "response" if code == codes[0] else f"response {code}"
                for schema in _content_schemas(responses[code], where):
                    yield schema, f"{base} {suffix}"
    components = data.get("components") or {}
    for kind, suffix in (("requestBodies", "body"), ("responses", "response")):
        holders = components.get(kind)
        if isinstance(holders, dict):
            for key, holder in holders.items():
                where = join_pointer("", "components", kind, key)
                # `PetBody` stays PetBody, `Pet` becomes PetBody.
                wanted = (
                    key if naming.pascal_case(key).endswith(suffix.title()) else f"{key} {suffix}"
                )
                for schema in _content_schemas(holder, where):
                    yield schema, wanted


def hoist_inline_schemas(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``data`` with every inline request or response schema that deserves a model moved to
    ``components/schemas`` under a name from the naming module, and replaced by a ``$ref``;
    and the map from each old place to the new one. ``data`` itself is not changed."""
    found = list(_inline_schemas(data))
    if not found:
        return data, {}
    schemas = (data.get("components") or {}).get("schemas") or {}
    taken = {*schemas, *(naming.pascal_case(str(key)) for key in schemas)}
    scope = naming.model_scope(taken)
    document = dict(data)
    components = document["components"] = dict(data.get("components") or {})
    components["schemas"] = dict(schemas)
    fresh = {id(components), id(components["schemas"])}
    moved: dict[str, str] = {}
    for pointer, wanted in found:
        tokens = split_pointer(pointer)
        # A path item (paths/{path}) or a component (components/{kind}/{key}) is copied whole
        # the first time it changes; the maps above it are copied shallowly.
        parent = _writable_parent(document, tokens, 2 if tokens[0] == "paths" else 3, fresh)
        name = scope.claim(wanted, naming.pascal_case(wanted)).python
        components["schemas"][name] = parent[tokens[-1]]
        moved[pointer] = join_pointer("", "components", "schemas", name)
        parent[tokens[-1]] = {"$ref": "#" + moved[pointer]}
    return document, moved


def _writable_parent(document: Any, tokens: list[str], unit: int, fresh: set[int]) -> Any:
    """The container of the last of ``tokens``, made a copy that may be changed."""
    node = document
    for depth, token in enumerate(tokens[:-1]):
        child = node[token]
        if depth < unit and id(child) not in fresh:
            child = copy.deepcopy(child) if depth == unit - 1 else copy.copy(child)
            node[token] = child
            fresh.add(id(child))
        node = child
    return node


__all__ = [
    "Models",
    "adjust_schemas",
    "generator_options",
    "hoist_inline_schemas",
    "project_version",
    "render_models",
]
