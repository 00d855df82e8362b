"""Summarise bench/results/automl.jsonl as Markdown: scores, ranks, time and memory.

    python3 bench/automl/report.py [--budget 60] [--results PATH]

For each dataset the systems are ranked by their test metric (ROC AUC: higher is better;
log loss and RMSE: lower is better; ties share the mean rank); a failed or timed-out run
ranks last. The mean rank is over the datasets where every listed system has a record.
When a key was run more than once, the latest record counts. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "automl.jsonl"
HIGHER = {"roc_auc"}


def _label(record: dict) -> str:
    preset = record.get("preset")
    return f"{record['system']} ({preset})" if preset else record["system"]


def load(path: Path, budget: float) -> dict[str, dict[str, dict]]:
    table: dict[str, dict[str, dict]] = {}
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if float(record["budget"]) != budget:
            continue
        table.setdefault(record["dataset"], {})[_label(record)] = record
    return table


def _ranks(row: dict[str, dict]) -> dict[str, float]:
    ok = {s: r for s, r in row.items() if r.get("status") == "ok"}
    metric = next(iter(ok.values()))["metric"] if ok else None
    sign = -1.0 if metric in HIGHER else 1.0
    ordered = sorted(ok, key=lambda s: sign * ok[s]["value"])
    ranks: dict[str, float] = {}
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ok[ordered[j + 1]]["value"] == ok[ordered[i]]["value"]:
            j += 1
        for k in range(i, j + 1):
            ranks[ordered[k]] = (i + j) / 2 + 1
        i = j + 1
    for system in row:
        ranks.setdefault(system, float(len(row)))
    return ranks


def render(table: dict[str, dict[str, dict]], budget: float) -> str:
    systems = sorted({s for row in table.values() for s in row})
    lines = [f"### Budget {budget:.0f} s", "",
             "| dataset | metric | " + " | ".join(systems) + " |",
             "|---|---|" + "---:|" * len(systems)]
    all_ranks: dict[str, list[float]] = {s: [] for s in systems}
    for dataset in sorted(table):
        row = table[dataset]
        metric = next((r["metric"] for r in row.values() if r.get("metric")), "?")
        cells = []
        for system in systems:
            record = row.get(system)
            if record is None:
                cells.append("—")
            elif record.get("status") != "ok":
                cells.append(record.get("status", "error"))
            else:
                cells.append(f"{record['value']:.4f}")
        lines.append(f"| {dataset} | {metric} | " + " | ".join(cells) + " |")
        if set(row) >= set(systems):
            for system, rank in _ranks(row).items():
                all_ranks[system].append(rank)
    lines += ["", "| system | mean rank | datasets ranked | median fit s | median peak MB |",
              "|---|---:|---:|---:|---:|"]
    for system in systems:
        records = [row[system] for row in table.values()
                   if system in row and row[system].get("status") == "ok"]
        fit = statistics.median(r["fit_seconds"] for r in records) if records else float("nan")
        mem = statistics.median(r["peak_rss_mb"] for r in records) if records else float("nan")
        ranks = all_ranks[system]
        mean = statistics.mean(ranks) if ranks else float("nan")
        lines.append(f"| {system} | {mean:.2f} | {len(ranks)} | {fit:.1f} | {mem:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    print(render(load(args.results, args.budget), args.budget))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
