"""Every transformer of mlsprint.features passes scikit-learn's estimator checks."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from mlsprint.features import DatetimeFeatures, RareCategoryEncoder

OURS = [
    RareCategoryEncoder(),
    RareCategoryEncoder(min_fraction=0.2, encoding="ordinal"),
    DatetimeFeatures(),
    DatetimeFeatures(cyclical=False, elapsed=False),
]


@parametrize_with_checks(OURS)
def test_sklearn_compatible(estimator, check) -> None:
    check(estimator)
