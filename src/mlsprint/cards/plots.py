"""Plots of validation evidence as inline SVG (matplotlib, Agg backend).

Each function reads the JSON form of one report and returns an HTML ``<figure>``, or an
empty string when the evidence holds nothing to draw.
"""

from __future__ import annotations

from typing import Any

from mlsprint.reporting import figure_svg

__all__ = ["group_bars", "importance_bars", "lift_curve", "reliability_plot"]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def reliability_plot(calibration: dict[str, Any] | None) -> str:
    """Observed frequency against mean predicted probability, with the diagonal."""
    if not calibration or not calibration.get("prob_pred"):
        return ""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.2, 4.0))
    ax.plot([0, 1], [0, 1], linestyle="--", color="#8c959f", label="perfectly calibrated")
    ax.plot(calibration["prob_pred"], calibration["prob_true"], marker="o", color="#0969da",
            label="model")
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(f"Reliability (Brier {calibration['brier']:.3f}, ECE {calibration['ece']:.3f})",
                 fontsize=9)
    return figure_svg(fig, caption="Reliability curve on the holdout")


def group_bars(audit: dict[str, Any], metric: str = "selection_rate") -> str:
    """Bars of one metric per group of one attribute; unjudged groups drawn pale."""
    groups = audit.get("groups") or []
    if not groups:
        return ""
    plt = _plt()
    height = max(2.0, 0.28 * len(groups) + 1.0)
    fig, ax = plt.subplots(figsize=(5.5, height))
    labels = [f"{g['group']} (n={g['size']})" for g in groups]
    values = [g[metric] if g[metric] == g[metric] else 0.0 for g in groups]
    colors = ["#0969da" if g["judged"] else "#b6d4f5" for g in groups]
    ax.barh(labels, values, color=colors)
    ax.invert_yaxis()
    ax.set_xlabel(metric.replace("_", " "))
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(f"{audit['attribute']}: {metric.replace('_', ' ')} by group", fontsize=9)
    return figure_svg(fig, caption=f"{audit['attribute']} (pale bars: too small to judge)")


def lift_curve(business: dict[str, Any] | None) -> str:
    """Cumulative gain and lift against the share of rows targeted."""
    if not business or not business.get("fractions"):
        return ""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.5, 3.2))
    x = [0.0, *business["fractions"]]
    ax1.plot(x, [0.0, *business["gain"]], marker=".", color="#0969da", label="model")
    ax1.plot([0, 1], [0, 1], linestyle="--", color="#8c959f", label="random")
    ax1.set_xlabel("share of rows targeted")
    ax1.set_ylabel("share of positives captured")
    ax1.set_title("Cumulative gain", fontsize=9)
    ax1.legend(fontsize=8)
    ax2.plot(business["fractions"], business["lift"], marker=".", color="#1a7f37")
    ax2.axhline(1.0, linestyle="--", color="#8c959f")
    ax2.set_xlabel("share of rows targeted")
    ax2.set_ylabel("lift")
    ax2.set_title("Lift", fontsize=9)
    fig.tight_layout()
    return figure_svg(fig, caption="Cumulative gain and lift on the holdout")


def importance_bars(importance: dict[str, Any] | None, k: int = 12) -> str:
    """The ``k`` largest permutation importances with their standard deviations."""
    if not importance or not importance.get("permutation"):
        return ""
    plt = _plt()
    top = sorted(importance["permutation"].items(), key=lambda kv: -kv[1])[:k]
    std = importance.get("permutation_std", {})
    fig, ax = plt.subplots(figsize=(5.5, max(2.0, 0.3 * len(top) + 1.0)))
    ax.barh([n for n, _ in top], [v for _, v in top], xerr=[std.get(n, 0.0) for n, _ in top],
            color="#8250df")
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel(f"drop in {importance['primary']} when shuffled")
    ax.set_title("Permutation importance (holdout)", fontsize=9)
    return figure_svg(fig, caption="Permutation importance")
