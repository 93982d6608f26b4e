"""Command line of the pipeline: ``python -m scripts {validate,build,check}``."""

from scripts.cli import main

raise SystemExit(main())
