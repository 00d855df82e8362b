"""The model card: assembled from evidence and spec, rendered as Markdown, HTML and JSON."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from mlsprint.cards import plots
from mlsprint.cards.sections import build_sections
from mlsprint.evaluation.evidence import Evidence
from mlsprint.evaluation.gate import GateReport, decide_gate
from mlsprint.reporting import Section, page, table_html
from mlsprint.spec.model import ProjectSpec

__all__ = ["ModelCard", "blocks_html", "blocks_markdown", "build_card"]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def _md_cell(value: Any) -> str:
    return _fmt(value).replace("|", "\\|").replace("\n", " ")


def blocks_markdown(blocks: list[dict[str, Any]]) -> str:
    """Markdown of card blocks (plots are left to the HTML card)."""
    out: list[str] = []
    for b in blocks:
        if b["kind"] == "text":
            out.append(b["text"])
        elif b["kind"] == "fields":
            out.append("\n".join(f"- **{k}**: {_md_cell(v)}" for k, v in b["fields"]))
        elif b["kind"] == "list":
            out.append("\n".join(f"- {_md_cell(i)}" for i in b["items"]))
        elif b["kind"] == "table":
            head = "| " + " | ".join(map(_md_cell, b["header"])) + " |"
            rule = "|" + "---|" * len(b["header"])
            rows = ["| " + " | ".join(map(_md_cell, r)) + " |" for r in b["rows"]]
            out.append("\n".join([head, rule, *rows]))
    return "\n\n".join(out)


def _plot(block: dict[str, Any], ev: Evidence) -> str:
    if block["plot"] == "reliability":
        return plots.reliability_plot(ev.calibration)
    if block["plot"] == "lift":
        return plots.lift_curve(ev.business)
    if block["plot"] == "importance":
        return plots.importance_bars(ev.importance)
    for audit in (ev.fairness or {}).get("attributes", []):
        if audit["attribute"] == block.get("ref"):
            return plots.group_bars(audit)
    return ""


def blocks_html(blocks: list[dict[str, Any]], ev: Evidence) -> str:
    """HTML of card blocks, plots drawn from ``ev``."""
    out: list[str] = []
    for b in blocks:
        if b["kind"] == "text":
            out.append(f"<p>{html.escape(b['text'])}</p>")
        elif b["kind"] == "fields":
            out.append(table_html([[k, _fmt(v)] for k, v in b["fields"]], ["field", "value"]))
        elif b["kind"] == "list":
            items = "".join(f"<li>{html.escape(_fmt(i))}</li>" for i in b["items"])
            out.append(f"<ul>{items}</ul>")
        elif b["kind"] == "table":
            classes = [_status_class(r) for r in b["rows"]]
            out.append(table_html(b["rows"], b["header"], classes=classes))
        elif b["kind"] == "plot":
            out.append(_plot(b, ev))
    return "".join(out)


def _status_class(row: list[Any]) -> str | None:
    for cell in row:
        if cell in ("pass", "fail", "review", "pending"):
            return str(cell)
    return None


@dataclass(frozen=True, slots=True)
class ModelCard:
    """A model card: sections of Mitchell et al. (2019) plus the gate and lineage."""

    name: str
    sections: tuple[dict[str, Any], ...]
    gate: GateReport
    evidence: Evidence

    def section(self, key: str) -> dict[str, Any]:
        for s in self.sections:
            if s["key"] == key:
                return s
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """The card as JSON-ready data (sections and gate; evidence is kept apart)."""
        return {"name": self.name, "verdict": self.gate.verdict,
                "sections": [dict(s) for s in self.sections], "gate": self.gate.to_dict()}

    def to_markdown(self) -> str:
        parts = [f"# Model card: {self.name}", f"**Go / no-go verdict: {self.gate.verdict}**"]
        for s in self.sections:
            parts.append(f"## {s['title']}\n\n{blocks_markdown(s['blocks'])}")
        return "\n\n".join(parts) + "\n"

    def to_html(self) -> str:
        verdict_class = self.gate.verdict.lower()
        banner = (f'<p>Go / no-go verdict: <span class="{verdict_class}">'
                  f"{html.escape(self.gate.verdict)}</span></p>")
        sections = [Section("Verdict", banner)] + [
            Section(s["title"], blocks_html(s["blocks"], self.evidence)) for s in self.sections
        ]
        return page(f"Model card: {self.name}", sections,
                    subtitle="Sections after Mitchell et al. (2019), filled from evidence")


def build_card(evidence: Evidence | dict[str, Any], spec: ProjectSpec, *,
               gate: GateReport | None = None) -> ModelCard:
    """Assemble the model card of a candidate from its evidence.

    Parameters
    ----------
    evidence : Evidence or dict
        See :mod:`mlsprint.evaluation.evidence`.
    spec : ProjectSpec
        Gives the human fields (``spec.problem``), metrics and thresholds.
    gate : GateReport, optional
        The verdict to show; computed with :func:`decide_gate` when omitted.

    Returns
    -------
    ModelCard
    """
    ev = Evidence.from_dict(evidence)
    gate = gate or decide_gate(ev, spec)
    return ModelCard(name=spec.name, sections=tuple(build_sections(ev, spec, gate)), gate=gate,
                     evidence=ev)
