"""The sections of a model card (Mitchell et al., 2019), filled from evidence and spec.

A section is a title plus blocks; a block is a small dict that both the Markdown and the
HTML renderer understand: ``text``, ``fields`` (label/value pairs), ``table`` (header and
rows), ``list`` and ``plot`` (drawn in HTML only, from the evidence).
Human fields left empty in the spec read ``to be completed``.
"""

from __future__ import annotations

from typing import Any

from mlsprint.evaluation.evidence import Evidence
from mlsprint.evaluation.gate import GateReport
from mlsprint.spec.model import ProjectSpec

__all__ = ["TO_BE_COMPLETED", "build_sections"]

TO_BE_COMPLETED = "to be completed"
Block = dict[str, Any]


def _human(value: Any) -> Any:
    if value is None or value == "" or value == []:
        return TO_BE_COMPLETED
    return ", ".join(map(str, value)) if isinstance(value, list) else value


def _fields(*pairs: tuple[str, Any]) -> Block:
    return {"kind": "fields", "fields": [[k, v] for k, v in pairs]}


def _table(header: list[str], rows: list[list[Any]]) -> Block:
    return {"kind": "table", "header": header, "rows": rows}


def _text(text: str) -> Block:
    return {"kind": "text", "text": text}


def _interval(iv: dict[str, Any]) -> str:
    return f"{iv['estimate']:.4f} [{iv['low']:.4f}, {iv['high']:.4f}]"


def _model_details(ev: Evidence, spec: ProjectSpec) -> list[Block]:
    lin, lb = ev.lineage or {}, ev.leaderboard or {}
    return [_fields(
        ("Project", spec.name), ("Model", lb.get("best", "unknown")),
        ("Registered version", lin.get("model_version", TO_BE_COMPLETED)),
        ("Created", lin.get("created_at", "unknown")),
        ("Task", f"{spec.task.type} on '{spec.data.target}'"
         + (f" (positive class '{spec.task.positive_class}')"
            if spec.task.positive_class is not None else "")),
        ("Code version", lin.get("code_version", "unknown")), ("Seed", spec.seed),
        ("Owners / stakeholders", _human(spec.problem.stakeholders)),
    )]


def _intended_use(ev: Evidence, spec: ProjectSpec) -> list[Block]:
    p = spec.problem
    return [_fields(("Business objective", _human(p.business_objective)), ("KPI", _human(p.kpi)),
                    ("Intended use", _human(p.intended_use)),
                    ("Out-of-scope uses", _human(p.out_of_scope_uses)))]


def _factors(ev: Evidence, spec: ProjectSpec) -> list[Block]:
    protected = spec.data.columns.protected
    if not protected:
        return [_text("No protected attribute is declared in the spec "
                      "(data.columns.protected); no group analysis was run.")]
    seen = {a["attribute"]: [g["group"] for g in a["groups"]]
            for a in (ev.fairness or {}).get("attributes", [])}
    rows = [[p.name, f"bins at {', '.join(f'{b:g}' for b in p.bins)}" if p.bins else
             "; ".join(seen.get(p.name, [])) or "quantile bands or values",
             "inferred" if p.inferred else "declared"] for p in protected]
    return [_table(["attribute", "groups", "source"], rows),
            _text("Each attribute and each pair of attributes is audited; groups smaller "
                  f"than {spec.gate.fairness.min_group_size} rows are shown but not judged.")]


def _metrics(ev: Evidence, spec: ProjectSpec) -> list[Block]:
    h = ev.holdout or {}
    f = spec.gate.fairness
    return [_fields(
        ("Primary metric", spec.task.primary),
        ("Secondary metrics", ", ".join(spec.task.secondary)),
        ("Decision threshold", h.get("threshold", "n/a")),
        ("Uncertainty", f"percentile bootstrap, {h.get('n_boot', 'n/a')} resamples, 95 %"),
        ("Improvement", f"relative error reduction vs the {spec.gate.baseline} baseline, "
         f"required > {spec.gate.min_improvement_over_baseline:.0%} on the lower bound"),
        ("Fairness thresholds", f"demographic parity ratio >= {f.min_demographic_parity_ratio}, "
         f"equalized odds difference <= {f.max_equalized_odds_difference}"),
    )]


def _evaluation_data(ev: Evidence, spec: ProjectSpec) -> list[Block]:
    fps = (ev.lineage or {}).get("data_fingerprints", {})
    return [_fields(
        ("Holdout rows", (ev.holdout or {}).get("n_rows", "unknown")),
        ("Split", f"{spec.split.strategy}, holdout fraction {spec.split.holdout_fraction}"),
        ("Holdout fingerprint", fps.get("holdout", "unknown")),
        ("Use", "scored once, after model selection; never used for training or tuning"),
    )]


def _training_data(ev: Evidence, spec: ProjectSpec) -> list[Block]:
    prof = ev.profile or {}
    fps = (ev.lineage or {}).get("data_fingerprints", {})
    source = spec.data.source or (f"SQL table {spec.data.sql.table}" if spec.data.sql
                                  and spec.data.sql.table else "SQL query")
    blocks = [_fields(("Source", source), ("Rows", prof.get("n_rows", "unknown")),
                      ("Columns", prof.get("n_columns", "unknown")),
                      ("Training fingerprint", fps.get("train", "unknown")))]
    findings = prof.get("findings") or []
    if findings:
        blocks.append({"kind": "list", "items": [
            f"{f.get('level', 'info')}: {f.get('message', f)}" if isinstance(f, dict) else str(f)
            for f in findings[:15]]})
    return blocks


def _holdout_table(ev: Evidence) -> list[Block]:
    h = ev.holdout
    if not h:
        return [_text("No holdout evaluation.")]
    rows = [[m, _interval(iv)] for m, iv in h["metrics"].items()]
    blocks = [_table(["metric", "holdout value [95 % interval]"], rows)]
    imp = [[name, f"{iv['estimate']:+.1%} [{iv['low']:+.1%}, {iv['high']:+.1%}]",
            f"{h['baseline_scores'].get(name, float('nan')):.4f}"]
           for name, iv in h.get("improvement", {}).items()]
    if imp:
        blocks.append(_table(["baseline", f"{h['primary']} error reduction [95 %]",
                              f"baseline {h['primary']}"], imp))
    return blocks


def _group_tables(ev: Evidence) -> list[Block]:
    if not ev.fairness:
        return []
    blocks: list[Block] = []
    for audit in ev.fairness["attributes"]:
        rows = [[g["group"], g["size"], "yes" if g["judged"] else "no (too small)",
                 g["selection_rate"], g["true_positive_rate"], g["false_positive_rate"],
                 g["precision"], g["primary"]] for g in audit["groups"]]
        blocks.append(_text(f"Per group: {audit['attribute']} (verdict {audit['verdict']})"))
        blocks.append(_table(["group", "size", "judged", "selection rate", "TPR", "FPR",
                              "precision", ev.fairness.get("primary", "primary")], rows))
        if "&" not in audit["attribute"]:
            blocks.append({"kind": "plot", "plot": "groups", "ref": audit["attribute"]})
    return blocks


def _quantitative(ev: Evidence, spec: ProjectSpec) -> list[Block]:
    blocks = _holdout_table(ev)
    if ev.calibration:
        c = ev.calibration
        blocks.append(_fields(("Brier score", c["brier"]), ("Expected calibration error", c["ece"]),
                              ("Recalibration", c.get("recalibration", "none"))))
        blocks.append({"kind": "plot", "plot": "reliability"})
    if ev.business:
        b = ev.business
        blocks.append(_fields(("Value at threshold", f"{b['value']:.4g} {spec.business.currency}"),
                              ("Value-maximising threshold", b.get("best_threshold")),
                              ("Value there", b.get("best_value"))))
        blocks.append({"kind": "plot", "plot": "lift"})
    if ev.latency:
        lat = ev.latency
        blocks.append(_fields(("Single-row latency p50 / p95 (ms)",
                               f"{lat['single_p50_ms']:.2f} / {lat['single_p95_ms']:.2f}"),
                              ("Rows per second by batch size", ", ".join(
                                  f"{k}: {v:,.0f}" for k, v in lat["rows_per_second"].items()))))
    if ev.importance:
        top = sorted(ev.importance["permutation"].items(), key=lambda kv: -kv[1])[:10]
        header = ["input column", f"permutation importance ({ev.importance['primary']})"]
        blocks.append(_table(header, [[n, v] for n, v in top]))
    return blocks + _group_tables(ev)


def _ethics(ev: Evidence, spec: ProjectSpec) -> list[Block]:
    blocks: list[Block] = []
    if ev.fairness:
        blocks.append(_fields(("Fairness verdict", ev.fairness["verdict"])))
        if ev.fairness.get("reasons"):
            blocks.append({"kind": "list", "items": list(ev.fairness["reasons"])})
        mit = ev.fairness.get("mitigation")
        if mit:
            shipped = ("The model ships with these group thresholds (the figures above are "
                       "of the mitigated model; it needs the protected columns at prediction "
                       "time)." if mit.get("shipped") else
                       "Reported only: the model ships unmitigated"
                       + (f" ({mit['not_shipped_because']})." if mit.get("not_shipped_because")
                          else " (set gate.fairness.mitigate: true to ship it)."))
            blocks.append(_text(f"Mitigation ({mit['constraints']} on {mit.get('attribute')}, "
                                f"Fairlearn's ThresholdOptimizer made deterministic: one "
                                f"threshold per group): accuracy {mit['accuracy_before']:.3f} "
                                f"-> {mit['accuracy_after']:.3f}; verdict "
                                f"{mit['before']['verdict']} -> {mit['after']['verdict']}. "
                                + shipped))
    else:
        blocks.append(_text("No fairness audit evidence."))
    pii = (ev.profile or {}).get("pii_columns") or []
    blocks.append(_fields(("Personal data flagged by the profile", ", ".join(pii) or "none"),
                          ("Sensitive use review", TO_BE_COMPLETED)))
    return blocks


def _caveats(ev: Evidence, gate: GateReport) -> list[Block]:
    items = [f"{c.title}: {c.status} ({c.reason})" for c in gate.criteria
             if c.status in ("fail", "review")]
    if ev.edge_cases and ev.edge_cases.get("n_failed"):
        items.append(f"{ev.edge_cases['n_failed']} edge case(s) without a defined prediction; "
                     "see the validation report")
    if ev.fairness:
        small = sum(not g["judged"] for a in ev.fairness["attributes"] for g in a["groups"])
        if small:
            items.append(f"{small} group(s) too small to judge; their figures are unreliable")
    items.append("Figures come from one holdout; monitor drift and performance after deployment.")
    return [{"kind": "list", "items": items}]


def _gate(gate: GateReport) -> list[Block]:
    rows = [[c.title, c.status, c.evidence, c.reason] for c in gate.criteria]
    return [_fields(("Verdict", gate.verdict)), {"kind": "list", "items": list(gate.reasons)},
            _table(["criterion", "status", "evidence", "reason"], rows)]


def _lineage(ev: Evidence) -> list[Block]:
    lin = ev.lineage or {}
    fps = lin.get("data_fingerprints", {})
    pairs = [("Data fingerprints", ", ".join(f"{k}: {v}" for k, v in fps.items()) or "unknown"),
             ("Code version", lin.get("code_version", "unknown")),
             ("Seed", lin.get("seed", "unknown")),
             ("Tracker run ids", ", ".join(f"{k}: {v}" for k, v in
                                           lin.get("run_ids", {}).items()) or "unknown")]
    blocks = [_fields(*pairs)]
    pkgs = lin.get("package_versions") or {}
    if pkgs:
        blocks.append(_table(["package", "version"], [[k, v] for k, v in sorted(pkgs.items())]))
    return blocks


def build_sections(ev: Evidence, spec: ProjectSpec, gate: GateReport) -> list[dict[str, Any]]:
    """Every card section in order, as ``{"key", "title", "blocks"}``."""
    parts = [
        ("model_details", "Model details", _model_details(ev, spec)),
        ("intended_use", "Intended use", _intended_use(ev, spec)),
        ("factors", "Factors", _factors(ev, spec)),
        ("metrics", "Metrics", _metrics(ev, spec)),
        ("evaluation_data", "Evaluation data", _evaluation_data(ev, spec)),
        ("training_data", "Training data", _training_data(ev, spec)),
        ("quantitative_analyses", "Quantitative analyses", _quantitative(ev, spec)),
        ("ethical_considerations", "Ethical considerations", _ethics(ev, spec)),
        ("caveats_and_recommendations", "Caveats and recommendations", _caveats(ev, gate)),
        ("go_no_go", "Go / no-go", _gate(gate)),
        ("lineage", "Lineage", _lineage(ev)),
    ]
    return [{"key": k, "title": t, "blocks": b} for k, t, b in parts]
