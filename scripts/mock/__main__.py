"""Command line of the mock server: ``python -m scripts.mock --help``."""

from scripts.mock.cli import main

raise SystemExit(main())
