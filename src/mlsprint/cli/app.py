"""The typer application and the one place errors become exit codes.

Exit codes (every command): 0 success / GO / monitoring OK, 1 internal error, 2 usage,
spec or data error, 3 gate NO-GO, 4 gate REVIEW, 5 monitoring warning, 6 monitoring
critical.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import typer
from rich.console import Console
from rich.markup import escape

from mlsprint import __version__
from mlsprint.errors import MlsprintError

__all__ = ["EXIT", "app", "console", "err_console", "main", "state"]

EXIT = {"ok": 0, "internal": 1, "user": 2, "nogo": 3, "review": 4, "warning": 5,
        "critical": 6}

console = Console()
err_console = Console(stderr=True)
state = {"debug": False}

app = typer.Typer(
    name="mlsprint",
    help="Carry a tabular ML project through the whole cycle: data, training, validation, "
         "serving, monitoring. Every step leaves evidence in MLflow.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        console.print(f"mlsprint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    state["debug"] = debug


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return (and exit with) the command's exit code."""
    from mlsprint.cli import commands  # noqa: F401  (registers the commands)

    args = list(sys.argv[1:] if argv is None else argv)
    state["debug"] = "--debug" in args
    try:
        result = app(args=args, prog_name="mlsprint", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        err_console.print("aborted")
        code = 130
    except typer.TyperException as exc:  # typer's (vendored) click usage errors
        show = getattr(exc, "show", None)
        if show:
            show()
        code = EXIT["user"]
    except MlsprintError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                          soft_wrap=True)
        code = EXIT["user"]
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:  # a bug: say so, and how to see the traceback
        if state["debug"]:
            traceback.print_exc()
        else:
            err_console.print(f"[bold red]internal error:[/] {type(exc).__name__}: "
                              f"{escape(str(exc))}\n"
                              "rerun with --debug for the traceback, and please report it",
                              highlight=False, soft_wrap=True)
        code = EXIT["internal"]
    else:
        code = result if isinstance(result, int) else 0
    return code


def run() -> None:
    sys.exit(main())
