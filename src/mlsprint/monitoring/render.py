"""The monitoring HTML report: a verdict per window, PSI per feature, reference vs current
for each drifted feature, and a timeline over windows. Self-contained (inline SVG)."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from mlsprint.monitoring.levels import LEVELS, worst
from mlsprint.monitoring.reference import PREDICTION
from mlsprint.monitoring.report import MonitoringReport
from mlsprint.reporting.html import Section, figure_svg, page, table_html

__all__ = ["render_monitoring_html"]

MAX_DRIFT_PLOTS = 12


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(column: str) -> str:
    return "prediction" if column == PREDICTION else column


def _psi_figure(report: MonitoringReport, spec_psi: tuple[float, float]) -> str:
    psi = {k: v for k, v in report.drift.psi_by_column().items() if v == v}
    if not psi:
        return ""
    plt = _plt()
    names = sorted(psi, key=psi.get)
    fig, ax = plt.subplots(figsize=(6, 0.25 * len(names) + 1.2))
    colors = ["#b42318" if psi[n] >= spec_psi[1] else "#b54708" if psi[n] >= spec_psi[0]
              else "#2e90fa" for n in names]
    ax.barh([_label(n) for n in names], [psi[n] for n in names], color=colors)
    for x in spec_psi:
        ax.axvline(x, color="#57606a", linestyle="--", linewidth=0.8)
    ax.set_xlabel("PSI")
    return figure_svg(fig, caption="PSI per column; dashed: warning and critical thresholds")


def _compare_figure(name: str, entry: dict[str, Any], current: dict[str, Any]) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.2, 2.6))
    if entry["kind"] == "numeric":
        ref = np.asarray(entry["counts"], float)
        cur = np.asarray(current["counts"], float)
        edges = entry["edges"]
        labels = [f"<={edges[0]:.3g}"] + [f"<={e:.3g}" for e in edges[1:]] + [f">{edges[-1]:.3g}"] \
            if edges else ["all"]
    else:
        keys = sorted(set(entry["levels"]) | set(current["levels"]),
                      key=lambda k: -entry["levels"].get(k, 0))[:15]
        ref = np.array([entry["levels"].get(k, 0) for k in keys], float)
        cur = np.array([current["levels"].get(k, 0) for k in keys], float)
        labels = keys
    x = np.arange(len(labels))
    ax.bar(x - 0.2, ref / max(ref.sum(), 1), 0.4, label="reference", color="#98a2b3")
    ax.bar(x + 0.2, cur / max(cur.sum(), 1), 0.4, label="current", color="#b42318")
    ax.set_xticks(x, labels, rotation=60, fontsize=6, ha="right")
    ax.set_ylabel("share")
    ax.set_title(_label(name), fontsize=9)
    ax.legend(fontsize=7)
    return figure_svg(fig, caption=f"{_label(name)}: reference vs current")


def _timeline(reports: list[MonitoringReport]) -> str:
    if len(reports) < 2:
        return ""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 2.8))
    x = np.arange(len(reports))
    share = [r.drift.drift_share if r.drift else np.nan for r in reports]
    weighted = [r.drift.weighted_drift_share if r.drift else np.nan for r in reports]
    ax.plot(x, share, marker="o", label="drifted share")
    ax.plot(x, weighted, marker="s", label="importance-weighted")
    for i, r in enumerate(reports):
        ax.scatter([i], [1.05], color=["#067647", "#b54708", "#b42318"][LEVELS.index(r.worst)])
    ax.set_xticks(x, [r.window for r in reports], rotation=45, fontsize=7, ha="right")
    ax.set_ylim(0, 1.12)
    ax.legend(fontsize=7)
    return figure_svg(fig, caption="Drift over windows (dots on top: window level)")


def _window_section(report: MonitoringReport, reference: dict[str, Any] | None,
                    current_stats: dict[str, Any] | None, spec_psi) -> Section:
    parts = [f'<p>Level: <span class="{report.worst}">{report.worst}</span> '
             f"(exit code {report.exit_code})</p>"]
    if report.drift is not None:
        rows = [(_label(c.column), c.check, c.test, c.psi, c.p_value, c.effect, c.level,
                 c.message) for c in report.drift.checks if c.level != "ok"]
        parts.append(f"<p>{report.drift.drift_share:.0%} of features drifted "
                     f"({report.drift.weighted_drift_share:.0%} of importance); "
                     f"{report.drift.n_current} rows.</p>")
        parts.append(table_html(rows, ["column", "check", "test", "PSI", "p", "effect",
                                       "level", "detail"],
                                classes=[r[6] for r in rows]) if rows
                     else "<p class='ok'>No drift check fired.</p>")
        parts.append(_psi_figure(report, spec_psi))
        drifted = [c.column for c in sorted(
            (c for c in report.drift.checks if c.check == "distribution" and c.drifted),
            key=lambda c: -(c.psi or 0.0))][:MAX_DRIFT_PLOTS]  # the largest PSI first
        if reference and current_stats:
            parts += [_compare_figure(n, reference["columns"][n], current_stats[n])
                      for n in drifted if n in current_stats]
    for name in ("performance", "estimated_performance", "serving"):
        part = getattr(report, name)
        if part is not None:
            data = part.to_dict()
            rows = [(k, _short(v)) for k, v in data.items()]
            parts.append(f"<h3>{html.escape(name.replace('_', ' '))}</h3>"
                         + table_html(rows, ["quantity", "value"]))
    return Section(f"Window {report.window}", "".join(parts))


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_short(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def render_monitoring_html(reports: list[MonitoringReport], *,
                           reference: dict[str, Any] | None = None,
                           current_stats: list[dict[str, Any]] | None = None,
                           title: str = "Monitoring report",
                           psi_thresholds: tuple[float, float] = (0.1, 0.2)) -> str:
    """A self-contained HTML page for one or more windows.

    ``reference`` enables the reference-vs-current plots of drifted features (the window's
    counts come from ``report.drift.current_stats`` unless ``current_stats`` is given).
    """
    verdict = worst(r.worst for r in reports)
    summary = table_html([(r.window, r.worst, r.exit_code,
                           f"{r.drift.drift_share:.0%}" if r.drift else "") for r in reports],
                         ["window", "level", "exit code", "drifted features"],
                         classes=[r.worst for r in reports])
    sections = [Section("Summary", f'<p>Verdict: <span class="{verdict}">{verdict}</span></p>'
                        + summary + _timeline(reports))]
    for i, report in enumerate(reports):
        stats = current_stats[i] if current_stats and i < len(current_stats) else (
            report.drift.current_stats if report.drift is not None else None)
        sections.append(_window_section(report, reference, stats, psi_thresholds))
    return page(title, sections, subtitle=f"{len(reports)} window(s)")
