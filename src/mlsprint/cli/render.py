"""Rich tables for command results: rendering only, no logic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table

from mlsprint.cli.app import console

__all__ = ["baseline", "findings", "gate", "holdout", "leaderboard", "mitigation", "monitoring"]

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def findings(items: Iterable[Any]) -> None:
    table = Table(title="Findings")
    for column in ("severity", "rule", "finding"):
        table.add_column(column, overflow="fold")
    for f in items:  # the suggested actions and thresholds are in the HTML report
        style = SEVERITY_STYLE.get(f.severity, "")
        table.add_row(f"[{style}]{f.severity}[/]", f.rule, f.message)
    console.print(table)


def baseline(summary: dict[str, Any]) -> None:
    primary = summary["primary"]
    table = Table(title=f"Baselines ({summary['split']['strategy']} CV, {primary})")
    for column in ("model", f"{primary} mean", "std"):
        table.add_column(column)
    for name, model in summary["models"].items():
        table.add_row(name, f"{model['cv_mean'][primary]:.4f}",
                      f"{model['cv_std'][primary] or 0:.4f}")
    console.print(table)


def leaderboard(result: Any, top: int = 15) -> None:
    table = Table(title=f"Leaderboard ({result.metric}, cross-validated)")
    for column in ("#", "candidate", "family", "mean", "std", "fit s", "predict µs/row",
                   "size KB"):
        table.add_column(column, justify="right" if column not in ("candidate", "family")
                         else "left")
    rows = sorted(result.leaderboard, key=lambda r: r.cv_mean,
                  reverse=result.greater_is_better)
    for rank, rec in enumerate(rows[:top], 1):
        table.add_row(str(rank), rec.name, rec.family, f"{rec.cv_mean:.4f}",
                      f"{rec.cv_std:.4f}", f"{rec.fit_seconds:.2f}",
                      f"{rec.predict_seconds_per_row * 1e6:.1f}", f"{rec.size_bytes / 1024:.0f}")
    console.print(table)
    if result.ensemble is not None:
        verdict = "kept" if result.ensemble.kept else "not kept"
        console.print(f"Ensemble {verdict}: {result.ensemble.reason}")


STATUS_STYLE = {"pass": "green", "fail": "bold red", "review": "yellow", "pending": "cyan"}
VERDICT_STYLE = {"GO": "bold green", "NO-GO": "bold red", "REVIEW": "bold yellow"}


def holdout(report: dict[str, Any]) -> None:
    table = Table(title=f"Holdout ({report['n_rows']:,} rows, 95% bootstrap intervals)")
    for column in ("metric", "value", "interval"):
        table.add_column(column)
    for name, iv in report["metrics"].items():
        table.add_row(name, f"{iv['estimate']:.4f}", f"[{iv['low']:.4f}, {iv['high']:.4f}]")
    for name, iv in report.get("improvement", {}).items():
        table.add_row(f"improvement vs baseline ({name})", f"{iv['estimate']:+.1%}",
                      f"[{iv['low']:+.1%}, {iv['high']:+.1%}]")
    console.print(table)


def gate(report: Any) -> None:
    table = Table(title="Go/no-go gate")
    for column in ("criterion", "status", "evidence"):
        table.add_column(column, overflow="fold")
    for c in report.criteria:
        style = STATUS_STYLE.get(c.status, "")
        table.add_row(c.title, f"[{style}]{c.status}[/]", c.evidence)
    console.print(table)
    style = VERDICT_STYLE.get(report.verdict, "bold")
    console.print(f"Verdict: [{style}]{report.verdict}[/]")
    for reason in report.reasons:
        console.print(f"  - {reason}", highlight=False)


LEVEL_STYLE = {"ok": "green", "warning": "yellow", "critical": "bold red"}


def _level(level: str) -> str:
    return f"[{LEVEL_STYLE.get(level, '')}]{level}[/]"


def monitoring(reports: list[Any]) -> None:
    table = Table(title="Monitoring by window")
    for column in ("window", "rows", "level", "drifted features", "performance"):
        table.add_column(column, overflow="fold")
    for r in reports:
        drift = r.drift
        perf = r.performance or r.estimated_performance
        shown = ""
        if perf is not None:
            values = getattr(perf, "metrics", None) or perf.estimates
            kind = "measured" if r.performance is not None else "estimated"
            shown = f"{kind}: " + ", ".join(f"{k} {v:.3f}" for k, v in values.items())
        table.add_row(r.window, f"{drift.n_current:,}" if drift else "", _level(r.worst),
                      f"{drift.drift_share:.0%}: " + ", ".join(drift.drifted_features[:6])
                      if drift else "", shown)
    console.print(table)
    last = reports[-1].drift
    if last is None:
        return
    flagged = [c for c in last.checks if c.level != "ok"]
    if flagged:
        checks = Table(title=f"Checks above ok (window {reports[-1].window})")
        for column in ("column", "check", "test", "PSI", "level", "finding"):
            checks.add_column(column, overflow="fold")
        for c in flagged[:20]:
            checks.add_row(c.column, c.check, c.test, "" if c.psi is None else f"{c.psi:.3f}",
                           _level(c.level), c.message)
        console.print(checks)


def mitigation(result: dict[str, Any] | None) -> None:
    """Fairlearn's ThresholdOptimizer: each disparity before and after, side by side."""
    if not result:
        return
    shipped = "shipped" if result.get("shipped") else "reported, not shipped"
    table = Table(title=f"Fairness mitigation ({result['constraints']} on "
                        f"{result['attribute']}; {shipped})")
    rows = result["side_by_side"]
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.values()))
    console.print(table)
    console.print(f"accuracy {result['accuracy_before']:.3f} → {result['accuracy_after']:.3f}")
    if result.get("not_shipped_because"):
        console.print(f"[yellow]not shipped: {result['not_shipped_because']}[/yellow]")
