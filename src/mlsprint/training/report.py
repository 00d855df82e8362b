"""``reports/training.html``: leaderboard, CV scores per family, errors by slice.

Pure rendering: a :class:`SearchResult` and an :class:`ErrorAnalysisReport` in, one
self-contained HTML string out (inline SVG plots through :mod:`mlsprint.reporting`).
"""

from __future__ import annotations

import json
from typing import Any

from mlsprint.reporting.html import Section, figure_svg, page, table_html
from mlsprint.training.result import SearchResult
from mlsprint.training.slices import ErrorAnalysisReport

__all__ = ["render_training_html"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _summary(result: SearchResult) -> Section:
    rows = [
        ("primary metric", f"{result.metric} ({'higher' if result.greater_is_better else 'lower'}"
                           " is better)"),
        ("chosen model", result.best),
        ("out-of-fold score of the chosen model", result.oof_score),
        ("decision threshold", "—" if result.threshold is None
         else f"{result.threshold:.4f} (maximises {result.threshold_objective})"),
        ("trials (pruned, cut by the budget)", f"{result.n_trials} ({result.n_pruned}, "
                                               f"{result.n_cut})"),
        ("cross-validation folds", result.folds),
        ("budget", "none (fixed number of trials)" if result.budget_seconds is None
         else f"{result.budget_seconds:.0f} s"),
        ("search time / final refit (estimated)", f"{result.search_seconds:.1f} s / "
         f"{result.refit_seconds:.1f} s ({result.refit_estimate_seconds:.1f} s)"
         + ("" if result.refit_rows is None else
            f", on {result.refit_rows:,} rows: the time left was too short for all")),
        ("why the search stopped", result.stop_reason),
        ("seed", result.random_state),
    ]
    return Section("Summary", table_html(rows, ["item", "value"]))


def _leaderboard(result: SearchResult) -> Section:
    rows = [(r.name, r.family, r.cv_mean, r.cv_std,
             "all" if r.train_rows is None else f"{r.train_rows:,}", r.fit_seconds,
             r.predict_seconds_per_row * 1e6, r.size_bytes / 1024,
             json.dumps(r.params, default=str, sort_keys=True))
            for r in result.leaderboard]
    classes = ["pass" if r.name == result.best else None for r in result.leaderboard]
    table = table_html(rows, ["candidate", "family", f"CV {result.metric} mean", "CV std",
                              "fit rows / fold", "fit s / fold", "predict µs / row",
                              "size KiB", "parameters"],
                       classes=classes)
    return Section("Leaderboard", table + _family_plot(result))


def _family_plot(result: SearchResult) -> str:
    plt = _pyplot()
    families = sorted({r.family for r in result.leaderboard})
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for i, family in enumerate(families):
        rows = [r for r in result.leaderboard if r.family == family]
        for j, r in enumerate(rows):
            x = i + (j - (len(rows) - 1) / 2) * min(0.05, 0.6 / max(len(rows), 1))
            ax.errorbar(x, r.cv_mean, yerr=r.cv_std, fmt="o", color="#175cd3",
                        alpha=0.6, ms=4, capsize=2)
    best = result.leaderboard[0]
    ax.axhline(best.cv_mean, color="#067647", lw=1, ls="--", label=f"best: {best.name}")
    ax.set_xticks(range(len(families)), families, rotation=20, fontsize=8)
    ax.set_ylabel(f"CV {result.metric}")
    ax.legend(fontsize=8)
    return figure_svg(fig, caption="Cross-validated score of every candidate, by family "
                                   "(mean ± std over folds)")


def _ensemble(result: SearchResult) -> Section | None:
    info = result.ensemble
    if info is None:
        return None
    rows = [(name, weight) for name, weight in info.weights.items()]
    averaged = ("" if result.task == "regression" else
                " (the weighted geometric mean of the members' probabilities)"
                if info.average == "geometric" else
                " (the weighted arithmetic mean of the members' probabilities)")
    text = (f"<p>Greedy ensemble selection{averaged}: out-of-fold {result.metric} "
            f"{info.oof_score:.4f} against {info.best_single_score:.4f} for the best single "
            f"model ({info.best_single}). <strong>{'Kept' if info.kept else 'Not kept'}"
            f"</strong>: {info.reason}.</p>")
    return Section("Ensemble", text + table_html(rows, ["member", "weight"]))


def _outcome_plot(errors: ErrorAnalysisReport) -> str:
    plt = _pyplot()
    if errors.task == "regression":
        fig, ax = plt.subplots(figsize=(5, 3.5))
        xs = [p for p, _ in errors.residual_sample]
        ys = [r for _, r in errors.residual_sample]
        ax.scatter(xs, ys, s=4, alpha=0.4, color="#175cd3")
        ax.axhline(0, color="#b42318", lw=1)
        ax.set_xlabel("out-of-fold prediction")
        ax.set_ylabel("residual (true − predicted)")
        return figure_svg(fig, caption="Residuals against predictions (a sample of rows)")
    n = len(errors.labels)
    fig, ax = plt.subplots(figsize=(1.2 + 0.7 * n, 1.0 + 0.6 * n))
    ax.imshow(errors.confusion, cmap="Blues")
    top = max(max(row) for row in errors.confusion) or 1
    for i, row in enumerate(errors.confusion):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=8,
                    color="white" if value > top / 2 else "black")
    ax.set_xticks(range(n), errors.labels, rotation=30, fontsize=8)
    ax.set_yticks(range(n), errors.labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return figure_svg(fig, caption="Confusion matrix of out-of-fold predictions")


def _worst_plot(errors: ErrorAnalysisReport) -> str:
    plt = _pyplot()
    worst = list(errors.worst)[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(worst) + 1))
    labels = [f"{s.feature} = {s.value}"[:60] for s in worst]
    values = [s.error for s in worst]
    low = [s.error - s.ci_low for s in worst]
    high = [s.ci_high - s.error for s in worst]
    ax.barh(range(len(worst)), values, xerr=[low, high], color="#b54708", alpha=0.7,
            capsize=2)
    ax.axvline(errors.overall_error, color="#175cd3", ls="--", lw=1, label="overall")
    ax.set_yticks(range(len(worst)), labels, fontsize=7)
    ax.set_xlabel(errors.error_name.replace("_", " "))
    ax.legend(fontsize=8)
    return figure_svg(fig, caption="Worst slices with 95 % confidence intervals")


def _errors(errors: ErrorAnalysisReport) -> Section:
    intro = (f"<p>{errors.n_rows} rows with out-of-fold predictions; overall "
             f"{errors.error_name.replace('_', ' ')} {errors.overall_error:.4f}"
             + ("" if errors.overall_metric is None
                else f", {errors.metric} {errors.overall_metric:.4f}")
             + (f", threshold {errors.threshold:.4f}" if errors.threshold is not None else "")
             + ". Slices: each categorical value, quantile bins of numeric features, and "
               "pairs of the features whose slices differ most; ranked by the lower bound "
               "of the 95 % interval (Wilson for error rates, bootstrap for MAE).</p>")
    rows = [(s.feature, s.value, s.size, s.error, f"[{s.ci_low:.4f}, {s.ci_high:.4f}]",
             s.metric) for s in errors.worst]
    table = table_html(rows, ["feature", "slice", "rows", errors.error_name, "95 % CI",
                              errors.metric])
    plots = _outcome_plot(errors) + (_worst_plot(errors) if errors.worst else "")
    return Section("Error analysis (out of fold)", intro + table + plots)


def render_training_html(result: SearchResult, errors: ErrorAnalysisReport) -> str:
    """The training report as one self-contained HTML page.

    Parameters
    ----------
    result : SearchResult
    errors : ErrorAnalysisReport

    Returns
    -------
    str
        A complete HTML document (inline CSS and SVG, no scripts, no external links).
    """
    sections = [_summary(result), _leaderboard(result)]
    ensemble = _ensemble(result)
    if ensemble is not None:
        sections.append(ensemble)
    sections.append(_errors(errors))
    return page("Training report", sections,
                subtitle=f"{result.task} task · {len(result.leaderboard)} candidates · "
                         f"chosen: {result.best}")
