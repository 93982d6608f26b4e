"""A mock server driven by an OpenAPI spec: the ECS task API by default, any spec on request."""

from scripts.mock.app import create_app
from scripts.mock.options import DEFAULT_SPEC, MockOptions
from scripts.mock.server import run_mock

__all__ = ["DEFAULT_SPEC", "MockOptions", "create_app", "run_mock"]
