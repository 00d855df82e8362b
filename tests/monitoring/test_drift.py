"""detect_drift on real data: quiet on an undrifted split, loud on planted drift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.monitoring.conftest import make_reference, read_pair

from mlsprint.monitoring import CurrentStats, detect_drift, drift_from_stats
from mlsprint.spec.model import MonitoringSpec, Thresholds


@pytest.fixture(scope="module")
def adult_iid():
    """Two random halves of the adult reference sample: the same distribution."""
    ref, _ = read_pair("adult")
    shuffled = ref.sample(frac=1.0, random_state=4).reset_index(drop=True)
    reference, _ = make_reference(shuffled.iloc[:1500], importance={"age": 3.0,
                                                                      "hours-per-week": 1.0})
    return reference, shuffled.iloc[1500:].reset_index(drop=True)


def test_false_alarms_stay_rare_on_undrifted_splits() -> None:
    ref, _ = read_pair("adult")
    flagged, checked = [], 0
    for seed in range(6):
        shuffled = ref.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        reference, _ = make_reference(shuffled.iloc[:1500])
        report = detect_drift(reference, shuffled.iloc[1500:])
        checked += len(ref.columns)
        flagged += [c.column for c in report.checks if c.role == "feature" and c.level != "ok"]
    assert checked == 84
    assert len(set(flagged)) <= 2, flagged  # family-wise 5 % per window, plus effect floors


def test_quiet_split_is_ok(adult_iid) -> None:
    reference, current = adult_iid
    report = detect_drift(reference, current)
    assert report.level == "ok", [c.message for c in report.checks if c.level != "ok"]
    assert report.drift_share == 0.0 and report.to_dict()["level"] == "ok"


def test_planted_mean_shift_is_flagged_with_psi_level(adult_iid) -> None:
    reference, current = adult_iid
    shifted = current.assign(age=current["age"] + current["age"].std())  # one sd
    report = detect_drift(reference, shifted)
    check = report.check("age")
    assert check.drifted and check.level == "critical"
    assert check.psi >= 0.2 and check.effect == pytest.approx(1.0, abs=0.1)
    assert report.drifted_features == ["age"]
    assert report.weighted_drift_share == pytest.approx(0.75)  # age holds 3 of 4 weight
    assert report.check("*", "dataset").level == "critical"


def test_trivial_shift_at_large_n_is_not_drift() -> None:
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(size=20000)})
    reference, _ = make_reference(ref)
    cur = pd.DataFrame({"x": rng.normal(0.05, 1, size=100_000)})
    check = detect_drift(reference, cur).check("x")
    assert check.p_value < 1e-4  # significant ...
    assert not check.drifted and check.level == "ok"  # ... but below the effect floor


def test_missing_jump_and_new_levels_are_their_own_checks(adult_iid) -> None:
    reference, current = adult_iid
    cur = current.copy()
    rng = np.random.default_rng(1)
    cur.loc[rng.random(len(cur)) < 0.15, "hours-per-week"] = np.nan
    cur.loc[rng.random(len(cur)) < 0.05, "race"] = "Martian"
    report = detect_drift(reference, cur)
    missing = report.check("hours-per-week", "missing_rate")
    assert missing.drifted and missing.level == "critical"
    assert missing.effect == pytest.approx(0.15, abs=0.03)
    assert not report.check("hours-per-week").drifted  # present values are unchanged
    new = report.check("race", "new_categories")
    assert new.drifted and "Martian" in new.message
    evidently = detect_drift(reference, cur, tests="evidently")
    assert not evidently.check("hours-per-week").drifted  # Evidently cannot see it


def test_prediction_and_target_drift(adult_iid) -> None:
    ref, _ = read_pair("adult")
    rng = np.random.default_rng(2)
    proba = rng.beta(2, 5, size=len(ref))
    target = np.where(rng.random(len(ref)) < 0.25, "1", "0")
    reference, _ = make_reference(ref, predictions=proba, task="binary", target="label",
                                  target_values=target, classes_from=target)
    cur = ref.head(1000)
    report = detect_drift(reference, cur, current_predictions=rng.beta(5, 2, size=1000),
                          current_target=np.where(rng.random(1000) < 0.6, "1", "0"))
    assert report.check("__prediction__").drifted
    assert report.check("label").drifted and report.check("label").role == "target"
    quiet = detect_drift(reference, cur, current_predictions=proba[:1000],
                         current_target=target[:1000])
    assert not quiet.check("__prediction__").drifted and not quiet.check("label").drifted


def test_real_later_slice_of_bank_marketing_drifts() -> None:
    ref, cur = read_pair("bank_marketing")
    reference, _ = make_reference(ref)
    report = detect_drift(reference, cur)
    assert "month" in report.drifted_features  # the campaign moved through the calendar
    assert report.level in ("warning", "critical")
    assert report.to_dict()["drifted_features"] == report.drifted_features


def test_chunked_accumulation_equals_one_pass(adult_iid) -> None:
    reference, current = adult_iid
    whole = CurrentStats(reference, sample_cap=None).update(current)
    chunked = CurrentStats(reference, sample_cap=None)
    for start in range(0, len(current), 400):
        chunked.update(current.iloc[start:start + 400])
    assert chunked.stats_ == whole.stats_
    a = drift_from_stats(reference, whole).to_dict()
    b = drift_from_stats(reference, chunked).to_dict()
    assert a == b


def test_bounded_sample_and_thresholds_from_spec(adult_iid) -> None:
    reference, current = adult_iid
    stats = CurrentStats(reference, sample_cap=100).update(current)
    assert stats.sample("age").size == 100
    shifted = current.assign(age=current["age"] + 0.5 * current["age"].std())
    strict = MonitoringSpec(psi=Thresholds(warning=0.01, critical=0.02))
    assert detect_drift(reference, shifted, spec_monitoring=strict).check("age").level == (
        "critical")


def test_absent_column_and_empty_window(adult_iid) -> None:
    reference, current = adult_iid
    report = detect_drift(reference, current.drop(columns=["age"]))
    absent = report.check("age", "presence")
    assert absent.level == "critical" and "absent" in absent.message
    empty = detect_drift(reference, current.iloc[:0])
    assert empty.level == "ok" and empty.n_current == 0


def test_unknown_tests_value_is_rejected(adult_iid) -> None:
    reference, current = adult_iid
    with pytest.raises(ValueError, match="tests must be 'mlsprint' or 'evidently'. Got 'ks'"):
        detect_drift(reference, current, tests="ks")
