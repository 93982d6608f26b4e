"""Render the Python package of a bundled spec: its models and the files that make it a package."""

from __future__ import annotations

from typing import Any

from scripts.render_models import render_models
from scripts.templating import environment


def render_package(data: dict[str, Any], package: str, spec_name: str) -> dict[str, str]:
    """The package's files by name, relative to the package folder."""
    info = data.get("info") or {}
    context = {
        "package": package,
        "spec_name": spec_name,
        "title": str(info.get("title") or package),
        "api_version": str(info.get("version") or ""),
    }
    env = environment()
    return {
        "models.py": render_models(data, spec_name),
        "__init__.py": env.get_template("package/__init__.py.jinja").render(context),
        "py.typed": "",
    }
