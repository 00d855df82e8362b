"""The command line (an edge): one short typer command per workflow."""

from mlsprint.cli.app import main

__all__ = ["main"]
