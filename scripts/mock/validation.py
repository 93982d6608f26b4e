"""Check a request against its operation in the spec: parameters, media type and body."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl

from jsonschema.exceptions import ValidationError

from scripts.mock.api import FORM, Operation, Parameter, media_type_essence, media_type_matches

#: Longer messages are cut: jsonschema quotes the failing value, which may be the whole body.
_MAX_MESSAGE = 200
_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


class InvalidRequestError(Exception):
    """The request breaks the spec; ``summary`` says where, ``problems`` say what, one each."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{summary}: {problems[0]}{more}")
        self.problems = problems


def validate_request(
    operation: Operation,
    *,
    path: Mapping[str, str],
    query: QueryValues,
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    body: bytes,
) -> Any:
    """The request's parsed body (``None`` without one); raises :class:`InvalidRequestError`."""
    problems = []
    for parameter in operation.parameters:
        where = f"{parameter.location} parameter {parameter.name!r}"
        if parameter.location == "query":
            values = query.getlist(parameter.name)
            text = None if not values else values[-1]
        else:
            source = {"path": path, "header": headers, "cookie": cookies}[parameter.location]
            text = source.get(parameter.name)
            values = [] if text is None else [text]
        if text is None:
            if parameter.required:
                problems.append(f"{where}: is required")
            continue
        value = _parameter_value(parameter, values)
        problems.extend(
            f"{where}: {_message(error)}" for error in parameter.validator.iter_errors(value)
        )
    if problems:
        raise InvalidRequestError("request parameters are illegal", problems)
    return _body(operation, headers.get("content-type"), body)


class QueryValues(Protocol):
    """The query of a request: every value a name has (Starlette's ``QueryParams``)."""

    def getlist(self, key: str) -> list[str]: ...


def _parameter_value(parameter: Parameter, values: list[str]) -> Any:
    """A parameter's text read as its schema's type; text that is not stays text."""
    if parameter.kind != "array":
        return _read(parameter.kind, values[-1])
    if not (parameter.location == "query" and parameter.explode):
        values = values[-1].split(",") if values[-1] else []
    return [_read(parameter.item_kind, value) for value in values]


def _read(kind: str, text: str) -> Any:
    # Text that does not read as the type is kept, so the validator names the type it wants.
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    try:
        if kind == "integer" and _INTEGER.fullmatch(text):
            return int(text)
        if kind == "number" and _NUMBER.fullmatch(text):
            return float(text)
    except ValueError:  # more digits than Python converts
        pass
    return text


def _body(operation: Operation, content_type: str | None, raw: bytes) -> Any:
    spec = operation.body
    if spec is None:
        return None
    if not raw:
        if spec.required:
            kind = "a JSON body" if spec.checked - {FORM} else "a body"
            raise InvalidRequestError("request body is illegal", [f"$: {kind} is required"])
        return None
    essence = media_type_essence(content_type or "")
    if not any(media_type_matches(declared, essence) for declared in spec.media_types):
        expected = " or ".join(spec.media_types)
        problem = f"Content-Type is {essence or 'missing'!r}; expected {expected}"
        raise InvalidRequestError("request body is illegal", [problem])
    if essence not in spec.checked:
        return None
    body = _form(spec.kinds, raw) if essence == FORM else _json(raw)
    if spec.validator is None:
        return body
    try:
        problems = [
            f"{_json_path(error.absolute_path)}: {_message(error)}"
            for top in spec.validator.iter_errors(body)
            for error in _causes(top)
        ]
    except RecursionError:
        problems = ["$: nested too deeply to check"]
    if problems:
        raise InvalidRequestError("request body is illegal", problems)
    return body


def _json(raw: bytes) -> Any:
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequestError("request body is not valid JSON", [str(exc)]) from None
    except RecursionError:
        # The parser recurses once per level of nesting; Python's stack ends before it.
        problem = "$: nested too deeply for the parser"
        raise InvalidRequestError("request body is not valid JSON", [problem]) from None
    _check_text(body)
    return body


def _form(kinds: tuple[tuple[str, str, str], ...], raw: bytes) -> dict[str, Any]:
    """A form-urlencoded body as a JSON object, each field read as its property's type."""
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequestError("request body is not a valid form", [str(exc)]) from None
    found: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        found[name].append(value)
    types = {name: (kind, item_kind) for name, kind, item_kind in kinds}
    form: dict[str, Any] = {}
    for name, values in found.items():
        kind, item_kind = types.get(name, ("string", "string"))
        if kind == "array":
            form[name] = [_read(item_kind, value) for value in values]
        else:
            form[name] = _read(kind, values[-1])
    return form


def _check_text(value: Any) -> None:
    """Refuse strings that are not Unicode text: JSON's ``\\ud800`` escapes, say."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            texts: Iterable[str] = (item,)
        elif isinstance(item, dict):
            texts = item.keys()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
            continue
        else:
            continue
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                problem = "$: a string holds a lone surrogate (\\ud800-\\udfff), not Unicode"
                raise InvalidRequestError("request body is not valid JSON", [problem]) from None


def _reject_constant(name: str) -> Any:
    # Python's json module reads NaN and Infinity, which JSON (RFC 8259) does not have.
    raise ValueError(f"{name} is not a JSON value")


def _causes(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that name the mistake: inside a failed oneOf/anyOf, those of the branch
    that got deepest into the body when one did; otherwise the error and every branch's."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for cause in error.context:
        branches[cause.relative_schema_path[0]].append(cause)
    depths = {
        key: max(len(cause.absolute_path) for cause in found) for key, found in branches.items()
    }
    deepest = max(depths.values())
    leaders = [key for key, depth in depths.items() if depth == deepest]
    if deepest > len(error.absolute_path) and len(leaders) == 1:
        causes = branches[leaders[0]]
    else:
        yield error
        causes = list(error.context)
    for cause in causes:
        yield from _causes(cause)


def _message(error: ValidationError) -> str:
    # jsonschema's own message for these quotes the whole value; the causes follow anyway.
    if error.validator in ("oneOf", "anyOf") and error.context:
        return "matches none of the allowed shapes"
    message = error.message
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def _json_path(parts: Iterable[str | int]) -> str:
    """``$.servers[0].id``, or ``$['os-stop']`` for names that are not identifiers."""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}"
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            text += f"['{escaped}']"
    return text
