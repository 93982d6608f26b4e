"""Check schemas against their meta-schema with openapi-spec-validator's verdicts, in less time.

openapi-spec-validator checks every schema of a spec against its JSON Schema meta-schema with
the pure-Python jsonschema: the larger part of validating a spec. Two shortcuts give the same
verdicts, and everything else goes through the validator's own check, so that every problem is
still found and worded by it:

- a schema whose content passed before passes again: the verdict depends on the content, the
  validator (3.0 or 3.1) and the JSON Schema dialect alone. Passes are remembered in this
  process and, through :mod:`scripts.cache`, from one build to the next;
- a schema that jsonschema-rs finds valid against the same meta-schema passes, unless it holds
  a ``pattern`` or ``patternProperties`` key: their meta-schema format, ``regex``, is the only
  format the Python check asserts that jsonschema-rs is not asked to (it would judge another
  regex dialect). tests/test_build_cache.py compares both verdicts on every schema of the
  public and test specs and on thousands of generated ones.
"""

from __future__ import annotations

import functools
from typing import Any

from scripts.cache import BuildCache, digest_value

#: Keys (see :func:`_check_key`) of schemas that passed: loaded from the cache, or passed here.
_passed: set[str] = set()
#: The keys this build passed or found passed: what the next build is given.
_seen: set[str] = set()
_REGEX_KEYS = ("pattern", "patternProperties")
_OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"


def _check_key(kind: str, dialect: str, value: Any) -> str:
    return f"{kind}|{dialect}|{digest_value(value)}"


def _has_regex_key(value: Any) -> bool:
    if isinstance(value, dict):
        return any(key in _REGEX_KEYS or _has_regex_key(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_regex_key(item) for item in value)
    return False


@functools.cache
def _fast_validator(dialect: str) -> Any:
    """jsonschema-rs on the meta-schema the Python check uses: draft 4 for OpenAPI 3.0 (no
    dialect), the OpenAPI 3.1 base dialect; None for any other dialect."""
    import jsonschema_rs
    from openapi_schema_validator import OAS30Validator
    from openapi_schema_validator._specifications import REGISTRY

    if not dialect:
        return jsonschema_rs.validator_for(OAS30Validator.META_SCHEMA, validate_formats=False)
    if dialect != _OAS31_DIALECT:
        return None
    registry = jsonschema_rs.Registry([(uri, REGISTRY.contents(uri)) for uri in REGISTRY])
    return jsonschema_rs.validator_for(
        REGISTRY.contents(dialect), registry=registry, validate_formats=False
    )


def passes_quickly(dialect: str, value: Any) -> bool:
    """True when jsonschema-rs shows that the Python meta-schema check of ``value`` passes."""
    validator = _fast_validator(dialect)
    return validator is not None and not _has_regex_key(value) and validator.is_valid(value)


class _IdSet(set[int]):
    """A set with the one list method the validator calls on its lists of seen ids."""

    def append(self, item: int) -> None:
        self.add(item)


def remembering_schema_checks(base: type[Any]) -> type[Any]:
    """openapi-spec-validator's schema keyword validator ``base``, with the shortcuts above,
    and constant-time bookkeeping of the schemas it has visited."""
    kind = f"{base.__module__}.{base.__qualname__}"

    class Shortcut(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # The validator keeps the ids of the schemas it has seen in lists, and looks each
            # new one up in them: quadratic in the number of schemas (most of the time at
            # 5,000 operations). Sets answer the same questions at once.
            self.visited_schema_ids = _IdSet()
            self.meta_checked_schema_ids = _IdSet()

        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> Any:
            dialect = ""
            if hasattr(self, "_get_schema_dialect_id"):
                try:
                    dialect = str(self._get_schema_dialect_id(schema, schema_value))
                except ValueError:  # an unknown dialect: the check itself reports it
                    return super()._validate_schema_meta(schema, schema_value)
            key = _check_key(kind, dialect, schema_value)
            if key in _passed or passes_quickly(dialect, schema_value):
                _passed.add(key)
                _seen.add(key)
                return None
            error = super()._validate_schema_meta(schema, schema_value)
            if error is None:
                _passed.add(key)
                _seen.add(key)
            return error

    Shortcut.__name__ = Shortcut.__qualname__ = base.__name__
    return Shortcut


def load_passed(cache: BuildCache) -> None:
    """Take the passed checks of the build that saved ``cache``."""
    payload = cache.get("schema-checks", "")
    if payload:
        _passed.update(payload.decode("ascii", "replace").splitlines())


def stage_passed(cache: BuildCache) -> None:
    """Stage the passed checks of this build, for the next one."""
    cache.put("schema-checks", "", "\n".join(sorted(_seen)).encode())
