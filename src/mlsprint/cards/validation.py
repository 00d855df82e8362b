"""The validation report: every piece of holdout evidence on one self-contained page."""

from __future__ import annotations

import html
from typing import Any

from mlsprint.cards import plots
from mlsprint.cards.card import blocks_html
from mlsprint.evaluation.evidence import Evidence
from mlsprint.evaluation.gate import GateReport, decide_gate
from mlsprint.reporting import Section, page, table_html
from mlsprint.spec.model import ProjectSpec

__all__ = ["render_validation_html"]


def _iv(iv: dict[str, Any]) -> str:
    return f"{iv['estimate']:.4f} [{iv['low']:.4f}, {iv['high']:.4f}]"


def _holdout(ev: Evidence) -> str:
    h = ev.holdout
    if not h:
        return "<p>No holdout evaluation.</p>"
    body = table_html([[m, _iv(iv), iv["n_valid"]] for m, iv in h["metrics"].items()],
                      ["metric", "value [95 % bootstrap interval]", "valid resamples"])
    rows = [[n, f"{iv['estimate']:+.2%}", f"[{iv['low']:+.2%}, {iv['high']:+.2%}]",
             h["baseline_scores"].get(n)] for n, iv in h.get("improvement", {}).items()]
    if rows:
        body += f"<h3>Improvement over baselines ({html.escape(h['primary'])} error)</h3>"
        body += table_html(rows, ["baseline", "relative error reduction", "paired 95 % interval",
                                  f"baseline {h['primary']}"])
    return body + f"<p class=\"muted\">{h['n_rows']} holdout rows, {h['n_boot']} resamples.</p>"


def _calibration(ev: Evidence) -> str:
    c = ev.calibration
    if not c:
        return "<p>Not applicable (no binary probabilities) or not computed.</p>"
    rows = [["Brier score", c["brier"]], ["Expected calibration error", c["ece"]],
            ["Recalibration chosen out of fold", c.get("recalibration", "none")]]
    choice = c.get("choice") or {}
    for method, value in (choice.get("cv_brier") or {}).items():
        rows.append([f"cross-validated Brier, {method}", value])
    return table_html(rows, ["quantity", "value"]) + plots.reliability_plot(c)


def _fairness(ev: Evidence) -> str:
    f = ev.fairness
    if not f:
        return "<p>No fairness audit (no protected attribute declared).</p>"
    out = [f"<p>Verdict: <span class=\"{f['verdict']}\">{html.escape(f['verdict'])}</span></p>"]
    rows, classes = [], []
    for a in f["attributes"]:
        for d in a["disparities"]:
            rows.append([a["attribute"], d["name"], _iv(d["interval"]), d["threshold"],
                         d["verdict"]])
            classes.append(d["verdict"] if d["verdict"] in ("pass", "fail", "review") else None)
    out.append(table_html(rows, ["attribute", "disparity", "value [95 %]", "threshold",
                                 "verdict"], classes=classes))
    for a in f["attributes"]:
        out.append(f"<h3>{html.escape(a['attribute'])}</h3>")
        out.append(table_html(
            [[g["group"], g["size"], g["judged"], g["selection_rate"], g["true_positive_rate"],
              g["false_positive_rate"], g["precision"], g["primary"]] for g in a["groups"]],
            ["group", "size", "judged", "selection rate", "TPR", "FPR", "precision",
             f.get("primary", "primary")]))
        if "&" not in a["attribute"]:
            out.append(plots.group_bars(a))
    mit = f.get("mitigation")
    if mit:
        shipped = "shipped" if mit.get("shipped") else "reported, not shipped"
        out.append(f"<h3>Mitigation ({html.escape(mit['constraints'])} on "
                   f"{html.escape(str(mit.get('attribute')))}; {shipped})</h3>")
        if mit.get("not_shipped_because"):
            out.append(f"<p>Not shipped: {html.escape(mit['not_shipped_because'])}</p>")
        out.append(table_html([[r["attribute"], r["disparity"], r["before"], r["verdict_before"],
                                r["after"], r["verdict_after"]] for r in mit["side_by_side"]] +
                              [["all", "accuracy", mit["accuracy_before"], "",
                                mit["accuracy_after"], ""]],
                              ["attribute", "", "before", "verdict", "after", "verdict"]))
        rules = mit.get("thresholds") or {}
        out.append(table_html([[g, t, (rules.get("rates") or {}).get(g)]
                               for g, t in sorted((rules.get("thresholds") or {}).items())] +
                              [["any other group", rules.get("default"), None]],
                              ["group", "threshold", "selection rate (fit rows)"]))
    return "".join(out)


def _business(ev: Evidence, spec: ProjectSpec) -> str:
    b = ev.business
    if not b:
        return "<p>No cost matrix in the spec (business.cost_matrix).</p>"
    cur = spec.business.currency
    rows = [["value at the threshold", f"{b['value']:.4g} {cur}"],
            ["value per row", f"{b['value_per_row']:.4g} {cur}"],
            ["threshold", b.get("threshold")],
            ["value-maximising threshold", b.get("best_threshold")],
            ["value at that threshold",
             None if b.get("best_value") is None else f"{b['best_value']:.4g} {cur}"]]
    return table_html(rows, ["quantity", "value"]) + plots.lift_curve(b)


def _importance(ev: Evidence) -> str:
    imp = ev.importance
    if not imp:
        return "<p>Not computed.</p>"
    cols = sorted(imp["permutation"], key=lambda c: -imp["permutation"][c])[:20]
    rows = [[c, imp["permutation"][c], imp["permutation_std"].get(c),
             imp.get("contribution", {}).get(c)] for c in cols]
    return (table_html(rows, ["input column", "permutation importance", "std",
                              f"mean |contribution| ({imp['method']})"])
            + plots.importance_bars(imp))


def _edge_cases(ev: Evidence) -> str:
    e = ev.edge_cases
    if not e:
        return "<p>Not run.</p>"
    rows = [[c["name"], c["column"] or "(all)", c["description"], c["outcome"], c["detail"]]
            for c in e["cases"]]
    classes = ["pass" if c["passed"] else "fail" for c in e["cases"]]
    return (f"<p>{e['n_cases'] - e['n_failed']} of {e['n_cases']} cases defined or rejected "
            "by the contract.</p>"
            + table_html(rows, ["case", "column", "input", "outcome", "detail"], classes=classes))


def _latency(ev: Evidence) -> str:
    lat = ev.latency
    if not lat:
        return "<p>Not measured.</p>"
    rows = [["single row p50 (ms)", lat["single_p50_ms"]], ["single row p95 (ms)",
                                                             lat["single_p95_ms"]]]
    rows += [[f"rows/s, batch of {k}", v] for k, v in lat["rows_per_second"].items()]
    return table_html(rows, ["quantity", "value"])


def _gate(gate: GateReport) -> str:
    rows = [[c.title, c.status, c.evidence, c.reason] for c in gate.criteria]
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in gate.reasons)
    return (f"<p>Verdict: <span class=\"{gate.verdict.lower()}\">{gate.verdict}</span> "
            f"(exit code {gate.exit_code})</p><ul>{reasons}</ul>"
            + table_html(rows, ["criterion", "status", "evidence", "reason"],
                         classes=[c.status for c in gate.criteria]))


def render_validation_html(evidence: Evidence | dict[str, Any], spec: ProjectSpec, *,
                           gate: GateReport | None = None) -> str:
    """The validation report as one self-contained HTML page.

    Parameters
    ----------
    evidence : Evidence or dict
    spec : ProjectSpec
    gate : GateReport, optional
        Computed from the evidence when omitted.

    Returns
    -------
    str
        A complete HTML document (inline CSS and SVG, no scripts).
    """
    ev = Evidence.from_dict(evidence)
    gate = gate or decide_gate(ev, spec)
    sections = [
        Section("Go / no-go", _gate(gate)),
        Section("Holdout metrics", _holdout(ev)),
        Section("Calibration", _calibration(ev)),
        Section("Fairness", _fairness(ev)),
        Section("Business value", _business(ev, spec)),
        Section("Explanations", _importance(ev)),
        Section("Edge cases", _edge_cases(ev)),
        Section("Latency", _latency(ev)),
    ]
    lineage = (ev.lineage or {})
    if lineage:
        sections.append(Section("Lineage", blocks_html(
            [{"kind": "fields", "fields": [[k, str(v)] for k, v in lineage.items()]}], ev)))
    return page(f"Validation report: {spec.name}", sections,
                subtitle=f"{spec.task.type} task, target '{spec.data.target}'")
