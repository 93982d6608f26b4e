"""A mock of the ECS task API, driven by its bundled OpenAPI spec (``python -m scripts.mock``)."""

from scripts.mock.app import create_app
from scripts.mock.options import DEFAULT_SPEC, MockOptions
from scripts.mock.server import run_mock

__all__ = ["DEFAULT_SPEC", "MockOptions", "create_app", "run_mock"]
