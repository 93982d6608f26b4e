"""Render the bundled spec as published files: one YAML and one JSON document, no external refs."""

from __future__ import annotations

import json
from typing import Any

import yaml

try:  # libyaml's emitter is much faster; the output is the same.
    _Dumper: type[Any] = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Dumper = yaml.SafeDumper


def to_yaml(data: Any) -> str:
    """Block-style YAML in the spec's own key order, UTF-8 text kept as it is."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_published(data: dict[str, Any]) -> dict[str, bytes]:
    """The published files of a bundled spec, by name."""
    return {
        "openapi.yaml": to_yaml(data).encode(),
        "openapi.json": to_json(data).encode(),
    }
