"""``render_profile_html``: one self-contained HTML page from a :class:`ProfileReport`.

Figures (target balance, target over time, association with the target, missingness,
the association matrix, one small chart per column) are inline SVG drawn by
:mod:`mlsprint.data.profiling.svg`, without matplotlib, whose import alone would cost
a sixth of the time budget on a million rows. No CDN, no JavaScript.
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
from mlsprint.data.profiling.svg import bar_chart, hbar_chart, heatmap, line_chart
from mlsprint.reporting import Section, page, table_html

__all__ = ["render_profile_html"]

MAX_BARS = 40  # columns shown in the bar charts of association and missingness


def _esc(value: Any) -> str:
    return html.escape(str(value))


def bars_svg(heights: Sequence[float], labels: Sequence[str], *, width: int = 240,
             height: int = 56) -> str:
    """A tiny inline SVG bar chart; each bar has its label and value as a tooltip."""
    return bar_chart(heights, labels, width=width, height=height)


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
    t = report.target
    if t.class_counts:
        total = max(sum(n for _, n in t.class_counts), 1)
        chart = bar_chart([n for _, n in t.class_counts], [c for c, _ in t.class_counts],
                          width=360, height=170, axis_labels=True, title=f"target {t.name}")
        caption = "class balance: " + ", ".join(f"{c} {n / total:.1%}"
                                                for c, n in t.class_counts)
    else:
        edges, counts = t.column.histogram
        labels = [f"[{edges[i]:.4g}, {edges[i + 1]:.4g})" for i in range(len(counts))]
        chart = bar_chart(counts, labels, width=360, height=170, title=f"target {t.name}")
        caption = (f"distribution of {t.name}: 20 bins from {edges[0]:.4g} to "
                   f"{edges[-1]:.4g}")
    body = _figure(chart, caption)
    trend = report.target_over_time
    if trend:
        per = np.asarray(trend["per_period"], dtype="float64")
        series = per if per.ndim == 1 else per[:, -1]
        label = "target mean" if per.ndim == 1 else "share of the last class"
        body += _figure(line_chart(series, title=f"{label} by tenth of {report.time_column}",
                                   xlabel="tenth of the rows in time order (equal counts)"),
                        f"target over time ({trend['statistic']} {trend['effect']:.3f})")
    return Section("Target", body)


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_esc(caption)}</figcaption></figure>"


def _association(report: ProfileReport) -> Section:
    scores = sorted(report.feature_scores.items(), key=lambda kv: -kv[1])[:MAX_BARS]
    metric = report.score_metric
    body = (f"<p>Each feature alone: out-of-fold {metric} of a one-feature histogram model "
            f"(5 folds, sample of {report.sample_size_used:,} rows). Chance is "
            f"{'0 (R2)' if metric == 'r2' else '0.5'}.</p>")
    if scores:
        body += _figure(hbar_chart([v for _, v in scores], [n for n, _ in scores],
                                   title=f"{metric} of each feature alone"),
                        "association of each feature with the target")
    return Section("Association with the target", body)


def _matrix(report: ProfileReport) -> Section:
    m = report.associations
    if len(m.columns) < 2:
        return Section("Association matrix", "<p>Fewer than two columns.</p>")
    k = len(m.columns)
    note = ("<p>|Spearman rho| between numbers, Cramer's V between categories, the "
            "correlation ratio eta between a number and a category; the target and the "
            f"{k - 1} features most associated with it; sample of "
            f"{report.sample_size_used:,} rows. Colour: dark purple 0, yellow 1 (hover a "
            "cell for its value).</p>")
    return Section("Association matrix", note + heatmap(m.values, m.columns))


def _missingness(report: ProfileReport) -> Section:
    cols = sorted((c for c in report.columns if c.n_missing), key=lambda c: -c.missing_rate)
    if not cols:
        return Section("Missingness", "<p>No missing values.</p>")
    cols = cols[:MAX_BARS]
    body = _figure(hbar_chart([c.missing_rate for c in cols], [c.name for c in cols],
                              title="share of rows missing"),
                   f"missing values per column ({len(cols)} columns with any)")
    return Section("Missingness", body)


def render_profile_html(report: ProfileReport, *, title: str | None = None) -> str:
    """The profile as one self-contained HTML page (inline SVG and CSS, no JavaScript)."""
    sections = [_overview(report), _excluded(report), _findings(report), _target(report),
                _association(report), _matrix(report), _missingness(report),
                _columns_section(report), _thresholds(report)]
    return page(title or f"Data profile: {report.target.name}", sections,
                subtitle=report.sample_note)
