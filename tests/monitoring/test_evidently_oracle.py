"""Oracle: our reproduction of Evidently 0.7's statistics equals Evidently's own output.

The golden values were computed by Evidently 0.7.23 on the committed real-data samples
(``bench/monitoring/make_fixtures.py``): three datasets, a reference of 800 rows (its KS /
chi-square / Z regime) and of 3,000 rows (its Wasserstein / Jensen-Shannon regime).
"""

from __future__ import annotations

import pytest
from tests.monitoring.conftest import GOLDEN, make_reference, read_pair

from mlsprint.monitoring import (
    detect_drift,
    evidently_chi_square,
    evidently_jensen_shannon,
    evidently_ks,
    evidently_psi,
    evidently_stattest,
    evidently_wasserstein,
    evidently_z,
)

CASES = sorted(GOLDEN["cases"])


def _ours(method: str, ref, cur, numeric: bool) -> float:
    if method == "psi":
        return evidently_psi(ref, cur, numeric=numeric)
    if method == "jensenshannon":
        return evidently_jensen_shannon(ref, cur, numeric=numeric)
    if method == "ks":
        return evidently_ks(ref, cur)
    if method == "wasserstein":
        return evidently_wasserstein(ref, cur)
    if method == "chisquare":
        return evidently_chi_square(ref, cur)
    if method == "z":
        return evidently_z(ref, cur)
    return evidently_stattest(ref, cur, numeric=numeric)[1]


@pytest.mark.parametrize("case", CASES)
def test_every_statistic_matches_evidently(case: str) -> None:
    golden = GOLDEN["cases"][case]
    ref, cur = read_pair(golden["dataset"], golden["size"])
    compared = 0
    for column, methods in golden["columns"].items():
        numeric = column in golden["numeric"]
        for method, expected in methods.items():
            ours = _ours(method, ref[column], cur[column], numeric)
            assert ours == pytest.approx(expected["value"], rel=1e-9, abs=1e-9), (
                f"{case} {column} {method}: ours {ours}, Evidently {expected['value']}")
            compared += 1
    assert compared >= 40


@pytest.mark.parametrize("case", CASES)
def test_detect_drift_evidently_mode_matches_flags_and_share(case: str) -> None:
    golden = GOLDEN["cases"][case]
    ref, cur = read_pair(golden["dataset"], golden["size"])
    reference, _ = make_reference(ref)
    report = detect_drift(reference, cur, tests="evidently")
    for column, methods in golden["columns"].items():
        check = report.check(column)
        assert check.statistic == pytest.approx(methods["auto"]["value"], rel=1e-9, abs=1e-9)
        assert check.drifted is methods["auto"]["drifted"], column
    assert report.drift_share == pytest.approx(golden["drift_share"], abs=1e-12)
