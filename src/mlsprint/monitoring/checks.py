"""The three column checks behind ``detect_drift``: distribution, missing rate, new levels.

Each returns a plain dict (test, statistic, p-value, effect size, whether the effect clears
its floor, and callables for severity and message); ``drift`` applies Holm's correction
across a family of columns and turns the dicts into :class:`DriftCheck` records.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mlsprint.monitoring import evidently_stats as ev
from mlsprint.monitoring.stats import (
    chi_square,
    ks,
    psi_from_counts,
    total_variation,
    wasserstein_normed,
    z_test,
)

__all__ = ["distribution_check", "missing_check", "new_category_check"]

SMALL_SAMPLE = 100  # below this many current values, numbers are tested with KS
WASSERSTEIN_FLOOR = 0.1  # in reference standard deviations
TV_FLOOR = 0.05  # share of rows that changed level
MISSING_FLOOR, MISSING_CRITICAL = 0.01, 0.10
NEW_LEVEL_FLOOR, NEW_LEVEL_CRITICAL = 0.01, 0.05


def _aligned_levels(ref: dict[str, Any], cur: dict[str, Any]) -> tuple[list[str], np.ndarray,
                                                                         np.ndarray]:
    keys = sorted(set(ref["levels"]) | set(cur["levels"]))
    r = np.array([ref["levels"].get(k, 0) for k in keys] + [ref["other"]], dtype="float64")
    c = np.array([cur["levels"].get(k, 0) for k in keys] + [cur["other"]], dtype="float64")
    if r[-1] == 0 and c[-1] == 0:
        r, c = r[:-1], c[:-1]
    return keys, r, c


def _counts(ref: dict[str, Any], cur: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    if ref["kind"] == "numeric":
        return np.asarray(ref["counts"], dtype="float64"), np.asarray(cur["counts"], "float64")
    _, r, c = _aligned_levels(ref, cur)
    return r, c


def distribution_check(name: str, ref: dict[str, Any], cur: dict[str, Any],
                       ref_sample: np.ndarray, cur_sample: np.ndarray | None, *,
                       tests: str = "mlsprint") -> dict[str, Any]:
    """Has the distribution of the present (non-missing) values moved?"""
    ref_counts, cur_counts = _counts(ref, cur)
    value_psi = psi_from_counts(ref_counts, cur_counts) if cur_counts.sum() else float("nan")
    if tests == "evidently":
        return _evidently_check(name, ref, ref_sample, cur_sample, value_psi)
    if cur_counts.sum() == 0:
        return _result("distribution", "none", float("nan"), None, float("nan"), False,
                       value_psi, "no present values in current")
    if ref["kind"] == "numeric":
        test, stat, p = _numeric_test(ref_counts, cur_counts, ref_sample, cur_sample)
        effect = (wasserstein_normed(ref_sample, cur_sample)
                  if cur_sample is not None and ref_sample.size else float("nan"))
        floor, effect_name = WASSERSTEIN_FLOOR, "normed Wasserstein"
    else:
        if np.count_nonzero(ref_counts + cur_counts) == 2:
            nz = np.flatnonzero(ref_counts + cur_counts)
            test, (stat, p) = "z", z_test(ref_counts[nz[0]], ref_counts.sum(),
                                          cur_counts[nz[0]], cur_counts.sum())
        else:
            test, (stat, p) = "chi_square", chi_square(ref_counts, cur_counts)
        effect, floor, effect_name = total_variation(ref_counts, cur_counts), TV_FLOOR, "TV"
    out = _result("distribution", test, stat, p, effect, effect >= floor, value_psi,
                  f"{test} p={p:.3g}, {effect_name}={effect:.3f}, PSI={value_psi:.3f}")
    out["psi_floor"] = True
    return out


def _numeric_test(ref_counts, cur_counts, ref_sample, cur_sample) -> tuple[str, float, float]:
    """Chi-square on the reference bins and KS on the samples, Bonferroni over the two (the
    bins see tied masses and tails, KS sees shifts inside a bin); KS alone when small."""
    if cur_sample is None or ref_sample.size == 0:
        stat, p = chi_square(ref_counts, cur_counts)
        return "chi_square", stat, p
    d, p_ks = ks(ref_sample, cur_sample)
    if cur_counts.sum() < SMALL_SAMPLE:
        return "ks", d, p_ks
    stat, p_chi = chi_square(ref_counts, cur_counts)
    return "chi_square+ks", stat, min(1.0, 2 * min(p_chi, p_ks))


def _result(check: str, test: str, stat: float, p: float | None, effect: float,
            effect_ok: bool, value_psi: float | None, detail: str,
            critical_effect: float | None = None) -> dict[str, Any]:
    def severe(spec) -> bool:
        if critical_effect is not None:
            return abs(effect) >= critical_effect
        return value_psi is not None and value_psi >= spec.psi.critical

    def describe(drifted: bool) -> str:
        return f"{'drift' if drifted else 'no drift'}: {detail}"

    return {"check": check, "test": test, "statistic": float(stat), "p_value": p,
            "effect": float(effect), "effect_ok": bool(effect_ok), "psi": value_psi,
            "severe": severe, "describe": describe, "decided": None}


def _evidently_check(name, ref, ref_sample, cur_sample, value_psi) -> dict[str, Any]:
    numeric = ref["kind"] == "numeric"
    if cur_sample is None or cur_sample.size == 0 or ref_sample.size == 0:
        out = _result("distribution", "none", float("nan"), None, float("nan"), False,
                      value_psi, "no present values")
        out["decided"] = False
        return out
    test, value, drifted = ev.evidently_stattest(ref_sample, cur_sample, numeric=numeric)
    e_psi = ev.evidently_psi(ref_sample, cur_sample, numeric=numeric)
    is_p = test in ("ks", "chisquare", "z")
    out = _result("distribution", f"evidently_{test}", value, value if is_p else None,
                  float("nan") if is_p else value, True, e_psi,
                  f"Evidently {test}={value:.4g}")
    out["decided"] = bool(drifted)
    return out


def missing_check(ref: dict[str, Any], cur: dict[str, Any]) -> dict[str, Any]:
    """Has the share of missing values changed?"""
    if cur["n"] == 0:
        return _result("missing_rate", "z", float("nan"), None, float("nan"), False, None,
                       "no current rows")
    z, p = z_test(ref["n_missing"], ref["n"], cur["n_missing"], cur["n"])
    delta = cur["n_missing"] / cur["n"] - ref["n_missing"] / max(ref["n"], 1)
    if not np.isfinite(p):
        p = 1.0
    return _result("missing_rate", "z", z, p, delta, abs(delta) >= MISSING_FLOOR, None,
                   f"missing rate {ref['n_missing'] / max(ref['n'], 1):.2%} -> "
                   f"{cur['n_missing'] / cur['n']:.2%} (z-test p={p:.3g})",
                   critical_effect=MISSING_CRITICAL)


def new_category_check(ref: dict[str, Any], cur: dict[str, Any]) -> dict[str, Any]:
    """Do current rows carry levels the reference never saw, more than chance allows?"""
    from scipy.stats import binom

    unseen = {k: v for k, v in cur["levels"].items() if k not in ref["levels"]}
    k = int(sum(unseen.values()))
    n_present = cur["n"] - cur["n_missing"]
    ref_present = max(ref["n"] - ref["n_missing"], 1)
    rare = sum(1 for v in ref["levels"].values() if v <= 2) + ref["other"]
    expected = (rare + 1) / ref_present  # Good-Turing unseen mass, padded: new levels cluster
    p = float(binom.sf(k - 1, n_present, expected)) if n_present and k else 1.0
    share = k / n_present if n_present else 0.0
    top = ", ".join(sorted(unseen, key=lambda key: (-unseen[key], key))[:5])
    return _result("new_categories", "binomial_unseen_mass", float(k), p, share,
                   share >= NEW_LEVEL_FLOOR, None,
                   f"{share:.2%} of rows in {len(unseen)} unseen level(s)"
                   + (f": {top}" if top else ""), critical_effect=NEW_LEVEL_CRITICAL)
