"""Console entry point: ``mlsprint`` and ``python -m mlsprint``."""

from __future__ import annotations

import sys

from mlsprint.cli.app import main as _main

__all__ = ["main"]


def main() -> None:
    sys.exit(_main())
