"""One short function per command: parse, call one workflow, render."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mlsprint.cli import render
from mlsprint.cli.app import app, console
from mlsprint.cli.progress import progress_bar, working

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


@app.command()
def profile(project: ProjectDir = Path(".")) -> None:
    """Profile the data: quality, leakage and temporal findings, the split to cut."""
    from mlsprint.workflows.profile import run_profile

    with working("Profiling the data"):
        outcome = run_profile(project)
    render.findings(outcome.findings)
    if outcome.excluded:
        console.print(f"Excluded from training (critical leakage or ids): "
                      f"[bold]{', '.join(outcome.excluded)}[/] (keep one with "
                      "data.columns.keep)")
    console.print(f"Split to cut: [bold]{outcome.plan.strategy}[/] ({outcome.plan.reason}); "
                  "'mlsprint split' cuts it ('baseline' and 'train' do when none was cut)")
    console.print(f"Report: {outcome.html}")


@app.command()
def split(
    project: ProjectDir = Path("."),
    resplit: Annotated[bool, typer.Option(
        "--resplit", help="Cut a new holdout (after the data changed).")] = False,
) -> None:
    """Cut the holdout once, by the strategy profiling chose; fingerprint both sides."""
    from mlsprint.workflows.split import run_split

    with working("Cutting the holdout"):
        outcome = run_split(project, resplit=resplit)
    verb = "Reused" if outcome.reused else "Cut"
    console.print(f"{verb} the holdout: [bold]{outcome.plan.strategy}[/] split, "
                  f"{outcome.train_rows:,} training / {outcome.holdout_rows:,} holdout rows "
                  f"({outcome.plan.reason})")


@app.command()
def baseline(project: ProjectDir = Path(".")) -> None:
    """Cross-validate the dummy and linear baselines that the gate compares against."""
    from mlsprint.workflows.baseline import run_baseline

    with working("Cross-validating the baselines"):
        outcome = run_baseline(project)
    render.baseline(outcome.summary)


@app.command()
def train(
    project: ProjectDir = Path("."),
    budget: Annotated[float | None, typer.Option(
        "--budget", min=1, help="Wall-clock seconds for the whole command.")] = None,
    trials: Annotated[int | None, typer.Option(
        "--trials", min=1, help="Number of trials (reproducible; no time limit).")] = None,
    refit_full: Annotated[bool, typer.Option(
        "--refit-full", help="Refit on every row, holdout included (no validation after).")
    ] = False,
) -> None:
    """Search model families under a time budget; ensemble; analyse errors."""
    from mlsprint.workflows.train import run_train

    if budget is not None and trials is not None:
        raise typer.BadParameter("give --budget or --trials, not both", param_hint="--budget")
    with progress_bar("Training") as update:
        outcome = run_train(project, budget_seconds=budget, n_trials=trials,
                            refit_full=refit_full, progress=update)
    render.leaderboard(outcome.result)
    limit = f" of {outcome.budget_seconds:g} s" if outcome.budget_seconds else ""
    console.print(f"Candidate [bold]{outcome.result.best}[/] saved in {outcome.candidate_dir} "
                  f"({outcome.seconds:.0f} s{limit}). Report: {outcome.report}")
    if refit_full:
        console.print("[yellow]Refitted on every row, holdout included: this candidate "
                      "cannot be validated.[/]")


ModelRef = Annotated[str | None, typer.Option(
    "--model", help="A bundle path or models:/NAME@ALIAS (default: champion, else the latest "
                    "validated candidate, else the latest trained one).")]


@app.command()
def predict(
    data: Annotated[Path, typer.Option("--data", help="CSV or Parquet file to score.")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.csv or .parquet).")],
    project: ProjectDir = Path("."),
    model: ModelRef = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help="Rows per streamed chunk.")] = 100_000,
) -> None:
    """Score a file: input rows plus prediction and proba_<class> columns."""
    from mlsprint.workflows.predict import run_predict

    with working("Scoring"):
        outcome = run_predict(project, data=data, out=out, model=model, chunk_rows=chunk_rows)
    console.print(f"Model: {outcome.model}")
    if outcome.warnings:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(outcome.warnings.items()))
        console.print(f"[yellow]Contract warnings (predictions still made):[/] {counts}")
    console.print(f"Wrote {outcome.rows:,} rows to {outcome.out}")


@app.command()
def validate(
    project: ProjectDir = Path("."),
    model: Annotated[str | None, typer.Option(
        "--model", help="A candidate bundle path (default: the latest trained).")] = None,
    n_boot: Annotated[int, typer.Option(min=100, help="Bootstrap resamples.")] = 1000,
    mitigate: Annotated[bool, typer.Option(
        "--mitigate", help="Also fit Fairlearn's ThresholdOptimizer; report before/after.")
    ] = False,
) -> int:
    """Evaluate the candidate once on the holdout; card, gate, register as challenger."""
    from mlsprint.workflows.validate import run_validate

    with working("Validating on the holdout"):
        outcome = run_validate(project, model=model, n_boot=n_boot, mitigate=mitigate)
    render.holdout(outcome.evidence["holdout"])
    render.mitigation((outcome.evidence.get("fairness") or {}).get("mitigation"))
    render.gate(outcome.gate)
    registered = f"version {outcome.version} registered as challenger"
    if outcome.champion:
        registered += " and champion (first deployment)"
    console.print(f"{registered}. Card: {outcome.reports['card_html']}; report: "
                  f"{outcome.reports['validation']}")
    return outcome.gate.exit_code


@app.command()
def gate(project: ProjectDir = Path("."), as_json: JsonFlag = False) -> int:
    """The go/no-go verdict from the tracker's evidence (exit 0 GO, 3 NO-GO, 4 REVIEW)."""
    from mlsprint.workflows.gate import run_gate

    report = run_gate(project)
    if as_json:
        console.print_json(json.dumps(report.to_dict()))
    else:
        render.gate(report)
    return report.exit_code


@app.command()
def run(
    project: ProjectDir = Path("."),
    budget: Annotated[float | None, typer.Option(
        "--budget", min=1, help="Seconds for training (default: the spec's).")] = None,
    trials: Annotated[int | None, typer.Option("--trials", min=1)] = None,
) -> int:
    """Every phase so far: check, profile, split, baseline, train, validate, card, gate,
    register."""
    from mlsprint.workflows.cycle import run_cycle

    with working("Running the cycle"):
        outcome = run_cycle(project, budget_seconds=budget, n_trials=trials,
                            on_phase=lambda phase, _o: console.print(f"[green]✔[/] {phase}"))
    render.holdout(outcome.evidence["holdout"])
    render.gate(outcome.gate)
    if outcome.champion:
        console.print(f"Version {outcome.version} is now the champion (first deployment).")
    return outcome.gate.exit_code


@app.command()
def promote(
    project: ProjectDir = Path("."),
    version: Annotated[str | None, typer.Option(help="Default: the challenger.")] = None,
    why: Annotated[str, typer.Option(help="Reason, kept in the promotion log.")] = "promoted",
) -> None:
    """Make a registered version the champion (logged: MLflow keeps no alias history)."""
    from mlsprint.workflows.registry import run_promote

    move = run_promote(project, version=version, why=why)
    console.print(f"champion: {move.from_version or '-'} → {move.to_version} ({move.why})")


@app.command()
def rollback(
    project: ProjectDir = Path("."),
    why: Annotated[str, typer.Option(help="Reason, kept in the promotion log.")] = "rollback",
) -> None:
    """Give champion back to the version it replaced."""
    from mlsprint.workflows.registry import run_rollback

    move = run_rollback(project, why=why)
    console.print(f"champion: {move.from_version} → {move.to_version} ({move.why})")


@app.command()
def serve(
    project: ProjectDir = Path("."),
    model: ModelRef = None,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the model over HTTP (REST, KServe V2, MLflow scoring) with uvicorn."""
    import os

    import uvicorn

    from mlsprint.workflows.serve import plan_serving

    plan = plan_serving(project, model=model, workers=workers)
    console.print(f"Serving {plan.how}\n  from {plan.model_path}\n  on http://{host}:{port} "
                  f"(docs at /docs, metrics at /metrics)")
    os.environ.update(plan.environ)  # the app factory reads its settings from MLSPRINT_*
    uvicorn.run("mlsprint.serving.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_config=None, timeout_graceful_shutdown=30)


@app.command()
def package(
    out: Annotated[Path, typer.Option("--out", help="The deployable folder to write.")],
    project: ProjectDir = Path("."),
    model: ModelRef = None,
) -> None:
    """Write a deployable folder: bundle, locked requirements, Dockerfile, Kubernetes."""
    from mlsprint.workflows.serve import run_package

    with working("Packaging"):
        resolved, written = run_package(project, out=out, model=model)
    console.print(f"Packaged {resolved.how}\n  into {written} (Dockerfile, k8s.yaml, "
                  "requirements.lock, bundle/)")


@app.command()
def monitor(
    project: ProjectDir = Path("."),
    current: Annotated[Path | None, typer.Option(
        "--current", help="CSV or Parquet of current rows (labels optional).")] = None,
    log: Annotated[bool, typer.Option("--log", help="Monitor the prediction log.")] = False,
    window: Annotated[str | None, typer.Option(
        "--window", help="1d, 7d (with --log) or a number of rows per window.")] = None,
    model: ModelRef = None,
    tests: Annotated[str, typer.Option(
        help="mlsprint (calibrated defaults) or evidently (its exact tests).")] = "mlsprint",
    export_config: Annotated[Path | None, typer.Option(
        "--export-config", help="Write Prometheus alert rules and a Grafana dashboard here "
                                "and exit.", file_okay=False)] = None,
) -> int:
    """Drift, performance and serving health against the bundle's reference (exit 0/5/6)."""
    from mlsprint.workflows.monitor import run_export_config, run_monitor

    if export_config is not None:
        for what, path in run_export_config(project, export_config).items():
            console.print(f"Wrote {what}: {path}")
        return 0
    if tests not in ("mlsprint", "evidently"):
        raise typer.BadParameter(f"got {tests!r}; expected mlsprint or evidently",
                                 param_hint="--tests")
    with working("Monitoring"):
        outcome = run_monitor(project, current=current, log=log, window=window, model=model,
                              tests=tests)
    console.print(f"Model: {outcome.model}")
    render.monitoring(outcome.reports)
    console.print(f"Report: {outcome.outputs['html']}")
    return outcome.exit_code
