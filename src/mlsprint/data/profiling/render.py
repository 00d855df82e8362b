"""``render_profile_html``: one self-contained HTML page from a :class:`ProfileReport`.

A handful of matplotlib figures (target balance, target over time, association with the
target, missingness, the association matrix) rendered as inline SVG, plus one small
hand-drawn SVG bar chart per column (fast for wide tables). No CDN, no JavaScript.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from mlsprint.data.profiling.findings import SEVERITIES, Finding
from mlsprint.data.profiling.report import ProfileReport
from mlsprint.data.profiling.summary import ColumnSummary
from mlsprint.reporting import Section, figure_svg, page, table_html

__all__ = ["render_profile_html"]

MAX_BARS = 40  # columns shown in the bar charts of association and missingness


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def bars_svg(heights: Sequence[float], labels: Sequence[str], *, width: int = 240,
             height: int = 56) -> str:
    """A tiny inline SVG bar chart; each bar has its label and value as a tooltip."""
    values = np.asarray(heights, dtype="float64")
    if values.size == 0 or not np.isfinite(values).any() or values.max() <= 0:
        return '<span class="muted">no values</span>'
    step = width / values.size
    top = float(np.nanmax(values))
    rects = []
    for i, (v, label) in enumerate(zip(values, labels, strict=True)):
        h = 0.0 if not np.isfinite(v) else (height - 2) * v / top
        rects.append(f'<rect x="{i * step:.1f}" y="{height - h:.1f}" width="'
                     f'{max(step - 1, 0.5):.1f}" height="{h:.1f}" fill="#4c78a8">'
                     f"<title>{_esc(label)}: {v:g}</title></rect>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img">{"".join(rects)}</svg>')


def _column_chart(col: ColumnSummary) -> str:
    if col.histogram is not None:
        edges, counts = col.histogram
        labels = [f"[{edges[i]:.4g}, {edges[i + 1]:.4g})" for i in range(len(counts))]
        return bars_svg(counts, labels)
    return bars_svg([c for _, c in col.top_values], [v for v, _ in col.top_values])


def _column_stats(col: ColumnSummary) -> str:
    if col.mean is not None:
        q = col.quantiles
        return (f"mean {col.mean:.4g}, sd {col.std:.4g}, min {col.min:.4g}, median "
                f"{q.get('0.5', float('nan')):.4g}, max {col.max:.4g}, skew {col.skew:.2f}, "
                f"outliers {col.outlier_rate:.1%}")
    top = ", ".join(f"{v} ({c:,})" for v, c in col.top_values[:3])
    return f"top: {top}" if top else ""


def _columns_section(report: ProfileReport) -> Section:
    excluded = report.exclusion_reasons
    rows = []
    for col in report.columns:
        role = ("excluded" if col.name in excluded else
                "protected" if col.name in report.protected_columns else "feature")
        rows.append(
            f"<tr><td><b>{_esc(col.name)}</b><br><span class='muted'>{_esc(col.kind)}, "
            f"{_esc(col.dtype)}, {role}</span></td><td>{col.missing_rate:.1%}</td>"
            f"<td>{col.n_unique:,}</td><td>{_column_chart(col)}</td>"
            f"<td>{_esc(_column_stats(col))}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("column", "missing", "distinct",
                                              "distribution", "statistics"))
    body = (f"<p class='muted'>Every row counts here ({report.n_rows:,} rows); numeric "
            "bars are a 20-bin histogram, categorical bars the 10 most frequent values "
            "(hover for values).</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return Section("Columns: distribution and missingness", body)


def _overview(report: ProfileReport) -> Section:
    counts = {s: len(report.by_severity(s)) for s in SEVERITIES}
    rows = [
        ("rows x columns", f"{report.n_rows:,} x {report.n_columns}"),
        ("task / target", f"{report.task} / {report.target.name}"),
        ("findings", ", ".join(f"{n} {s}" for s, n in counts.items())),
        ("time column", f"{report.time_column or 'none'}"
         + (" (rows in time order)" if report.time_ordered else "")),
        ("group column", report.group_column or "none"),
        ("id columns", ", ".join(report.id_columns) or "none"),
        ("protected columns", ", ".join(report.protected_columns) or "none"),
        ("duplicate rows", f"{report.duplicate_rows:,}"),
        ("sample", report.sample_note),
    ]
    return Section("Overview", table_html(rows, ["", ""]))


def _excluded(report: ProfileReport) -> Section:
    rows = [(name, reason) for name, reason in report.exclusion_reasons.items()]
    note = ("<p>These columns are <b>excluded from training</b>. A critical leakage finding "
            "excludes its column unless the spec lists it under "
            "<code>data.columns.keep</code>; identifiers and single-valued columns are "
            "always excluded.</p>")
    body = table_html(rows, ["column", "reason"]) if rows else "<p>None.</p>"
    return Section("Excluded from training", note + body)


def _evidence(f: Finding) -> str:
    parts = []
    for key, value in f.to_dict()["evidence"].items():
        text = json.dumps(value, default=str) if isinstance(value, (dict, list)) else value
        parts.append(f"{key}={text}")
    return "; ".join(map(str, parts))[:400]


def _findings(report: ProfileReport) -> Section:
    if not report.findings:
        return Section("Findings", "<p>No findings.</p>")
    by_rule: dict[str, list[Finding]] = {}
    for f in report.findings:  # already sorted: critical first
        by_rule.setdefault(f.rule, []).append(f)
    parts = ["<p>Grouped by rule, most severe first; each rule states its threshold.</p>"]
    for rule, found in by_rule.items():
        rows = [(f.severity, ", ".join(f.columns), f.message, _evidence(f), f.action)
                for f in found]
        parts.append(f"<h3>{_esc(rule)} ({len(found)})</h3><p class='muted'>threshold: "
                     f"{_esc(found[0].threshold)}</p>")
        parts.append(table_html(rows, ["severity", "columns", "finding", "evidence",
                                       "action"], classes=[f.severity for f in found]))
    return Section("Findings", "".join(parts))


def _thresholds(report: ProfileReport) -> Section:
    fired = {f.rule for f in report.findings}
    rows = [(rule, text, "yes" if rule in fired else "no")
            for rule, text in report.thresholds.items()]
    return Section("Rules and thresholds", table_html(rows, ["rule", "threshold", "fired"]))


def _target(report: ProfileReport) -> Section:
    plt = _plt()
    t = report.target
    fig, ax = plt.subplots(figsize=(5, 2.6))
    if t.class_counts:
        labels = [c for c, _ in t.class_counts]
        ax.bar(labels, [n for _, n in t.class_counts], color="#4c78a8")
        ax.set_ylabel("rows")
        caption = "class balance: " + ", ".join(
            f"{c} {n / max(sum(k for _, k in t.class_counts), 1):.1%}" for c, n in
            t.class_counts)
    else:
        edges, counts = t.column.histogram
        ax.stairs(counts, edges, fill=True, color="#4c78a8")
        ax.set_xlabel(t.name)
        caption = f"distribution of {t.name}"
    ax.set_title(f"target {t.name}")
    body = figure_svg(fig, caption=caption)
    trend = report.target_over_time
    if trend:
        fig, ax = plt.subplots(figsize=(5, 2.6))
        per = np.asarray(trend["per_period"])
        ax.plot(range(1, len(per) + 1), per, marker="o")
        ax.set_xlabel(f"tenth of {report.time_column} (equal row counts)")
        ax.set_ylabel("target mean / class share")
        body += figure_svg(fig, caption=f"target over time ({trend['statistic']} "
                                        f"{trend['effect']:.3f})")
    return Section("Target", body)


def _barh(names: list[str], values: list[float], xlabel: str, title: str) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 0.22 * len(names) + 0.9))
    ax.barh(range(len(names)), values, color="#4c78a8")
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=9)
    return figure_svg(fig)


def _association(report: ProfileReport) -> Section:
    scores = sorted(report.feature_scores.items(), key=lambda kv: -kv[1])[:MAX_BARS]
    metric = report.score_metric
    body = (f"<p>Each feature alone: out-of-fold {metric} of a one-feature histogram model "
            f"(5 folds, sample of {report.sample_size_used:,} rows). Chance is "
            f"{'0 (R2)' if metric == 'r2' else '0.5'}.</p>")
    if scores:
        body += _barh([n for n, _ in scores], [v for _, v in scores], metric,
                      "association of each feature with the target")
        body += table_html([(n, round(v, 4)) for n, v in scores], ["feature", metric])
    return Section("Association with the target", body)


def _matrix(report: ProfileReport) -> Section:
    m = report.associations
    if len(m.columns) < 2:
        return Section("Association matrix", "<p>Fewer than two columns.</p>")
    plt = _plt()
    k = len(m.columns)
    fig, ax = plt.subplots(figsize=(0.28 * k + 2.5, 0.28 * k + 2))
    im = ax.imshow(np.asarray(m.values, dtype=float), vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(k), m.columns, rotation=90, fontsize=6)
    ax.set_yticks(range(k), m.columns, fontsize=6)
    fig.colorbar(im, ax=ax, shrink=0.7)
    note = ("<p>|Spearman rho| between numbers, Cramer's V between categories, the "
            "correlation ratio eta between a number and a category; the target and the "
            f"{k - 1} features most associated with it; sample of "
            f"{report.sample_size_used:,} rows.</p>")
    return Section("Association matrix", note + figure_svg(fig))


def _missingness(report: ProfileReport) -> Section:
    cols = sorted((c for c in report.columns if c.n_missing), key=lambda c: -c.missing_rate)
    if not cols:
        return Section("Missingness", "<p>No missing values.</p>")
    cols = cols[:MAX_BARS]
    body = _barh([c.name for c in cols], [c.missing_rate for c in cols], "share missing",
                 "missing values per column")
    return Section("Missingness", body)


def render_profile_html(report: ProfileReport, *, title: str | None = None) -> str:
    """The profile as one self-contained HTML page (inline SVG and CSS, no JavaScript)."""
    sections = [_overview(report), _excluded(report), _findings(report), _target(report),
                _association(report), _matrix(report), _missingness(report),
                _columns_section(report), _thresholds(report)]
    return page(title or f"Data profile: {report.target.name}", sections,
                subtitle=report.sample_note)
