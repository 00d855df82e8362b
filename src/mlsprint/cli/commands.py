"""One short function per command: parse, call one workflow, render."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mlsprint.cli.app import app, console
from mlsprint.cli.progress import working

ProjectDir = Annotated[Path, typer.Option("--project", "-p", help="The project folder.",
                                          file_okay=False)]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Project folder (created if missing).")],
    data: Annotated[Path, typer.Option("--data", help="CSV or Parquet file of the data.")],
    target: Annotated[str, typer.Option("--target", help="The column to predict.")],
    task: Annotated[str | None, typer.Option(
        "--task", help="binary, multiclass or regression (default: inferred).")] = None,
    name: Annotated[str | None, typer.Option(help="Project and model name.")] = None,
    na_values: Annotated[list[str] | None, typer.Option(
        "--na-value", help="A string that means missing (repeatable), e.g. '?'.")] = None,
    keep_default_na: Annotated[bool, typer.Option(
        help="Also treat pandas' default markers (NA, null, ...) as missing.")] = True,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an edited spec.")] = False,
) -> None:
    """Write a commented mlsprint.yaml with everything that can be inferred from the data."""
    from mlsprint.workflows.init import run_init

    if task not in (None, "binary", "multiclass", "regression"):
        raise typer.BadParameter(f"got {task!r}; expected binary, multiclass or regression",
                                 param_hint="--task")
    with working("Reading the data and inferring roles"):
        result = run_init(folder, data=data, target=target, task=task, name=name, force=force,
                          na_values=na_values, keep_default_na=keep_default_na)
    roles = result.roles
    verb = "Wrote" if result.written else "Unchanged:"
    console.print(f"{verb} [bold]{result.spec_path}[/] ({result.rows:,} rows, task "
                  f"[bold]{roles.task}[/])")
    for label, cols in (("id", roles.id), ("time", roles.time), ("protected", roles.protected),
                        ("constant", roles.constant), ("text", roles.text)):
        if cols:
            console.print(f"  {label}: {', '.join(cols)}")
    console.print("Next: edit the fields marked TO BE COMPLETED, then "
                  f"[bold]mlsprint check -p {folder}[/]")


@app.command()
def check(project: ProjectDir = Path("."), as_json: JsonFlag = False) -> None:
    """Validate the spec and the data together; list every problem."""
    from mlsprint.workflows.check import run_check

    with working("Checking the spec against the data"):
        result = run_check(project)
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
        return
    console.print(f"[green]OK[/]: spec and data agree ({result.rows:,} rows x "
                  f"{result.columns} columns, {result.fingerprint[:19]}...)")


@app.command()
def status(project: ProjectDir = Path("."), as_json: JsonFlag = False) -> None:
    """The cycle's checklist, ticked only from evidence in the tracker."""
    from mlsprint.workflows.status import run_status

    report = run_status(project)
    if as_json:
        console.print_json(json.dumps(report.to_dict()))
        return
    table = Table(title=f"{report.project}: checklist from tracker evidence")
    for column in ("", "phase", "item", "evidence / missing", "command"):
        table.add_column(column)
    for item in report.items:
        mark = "[green]✔[/]" if item.done else "[red]✘[/]"
        table.add_row(mark, item.section, item.label, item.evidence,
                      "" if item.done else item.command)
    console.print(table)
    if report.gate_verdict:
        console.print(f"Gate verdict: [bold]{report.gate_verdict}[/]")
