"""Categorical encoding with missing, rare and unseen categories grouped.

``RareCategoryEncoder`` makes any categorical column safe: values are compared as text
(pandas ``str``, ``category``, ``bool`` and numeric codes alike; ``3`` and ``3.0`` are
one category), a missing value is its own category ``"__missing__"``, and a category
seen in fewer than ``min_fraction`` of the training rows -- or never seen in training,
which a prediction request may bring -- falls into ``"__rare__"``. A missing value in a
column that had none in training is unseen as well, so it maps to ``"__rare__"``:
prediction never fails on new values and its output is defined.

``encoding="onehot"`` gives one 0/1 column per kept category (named ``col_value``) for
linear models; ``encoding="ordinal"`` gives one integer code per column (``0..k``, the
last code is ``"__rare__"``), ready for the native categorical support of tree models
or for a target encoder.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from mlsprint.features.names import input_feature_names

__all__ = ["MISSING", "RARE", "RareCategoryEncoder", "as_text"]

MISSING = "__missing__"
RARE = "__rare__"


def as_text(X: np.ndarray) -> np.ndarray:
    """A 2-D object array of str labels, missing values as :data:`MISSING`.

    Examples
    --------
    >>> import numpy as np
    >>> as_text(np.array([[3.0], [np.nan], ["a"]], dtype=object)).ravel().tolist()
    ['3', '__missing__', 'a']
    """
    arr = np.asarray(X, dtype=object)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    out = np.empty(arr.shape, dtype=object)
    for j in range(arr.shape[1]):  # label each distinct value once, not each row
        codes, uniques = pd.factorize(arr[:, j], use_na_sentinel=True)
        labels = np.asarray([*(_label(u) for u in uniques), MISSING], dtype=object)
        out[:, j] = labels[codes]
    return out.reshape(np.shape(X))


def _label(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return MISSING
        if float(value).is_integer():
            return str(int(value))
    return str(value)


class RareCategoryEncoder(TransformerMixin, BaseEstimator):
    """Encode categories, grouping missing, rare and unseen ones into defined tokens.

    Parameters
    ----------
    min_fraction : float, default=0.01
        A category is kept when it appears in at least this share of the training rows;
        the others, and categories unseen in training, become ``"__rare__"``.
    encoding : {"onehot", "ordinal"}, default="onehot"
        One 0/1 column per kept category and one for ``"__rare__"``, or one integer
        code per input column.

    Attributes
    ----------
    categories_ : list of ndarray
        Per column, the kept categories (sorted text) followed by ``"__rare__"``; an
        ordinal code is the position in this array.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when fitted on a DataFrame with string column names.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"c": ["a"] * 9 + ["b"]})
    >>> enc = RareCategoryEncoder(min_fraction=0.2, encoding="ordinal").fit(X)
    >>> enc.transform(pd.DataFrame({"c": ["a", "b", "z", None]})).ravel().tolist()
    [0.0, 1.0, 1.0, 1.0]
    >>> enc.categories_[0].tolist()
    ['a', '__rare__']
    """

    _parameter_constraints: dict = {
        "min_fraction": [Interval(Real, 0, 1, closed="left")],
        "encoding": [StrOptions({"onehot", "ordinal"})],
    }

    def __init__(self, min_fraction: float = 0.01, encoding: str = "onehot") -> None:
        self.min_fraction = min_fraction
        self.encoding = encoding

    def fit(self, X: Any, y: Any = None) -> RareCategoryEncoder:
        """Learn the kept categories of each column."""
        self._validate_params()
        text = self._text(X, reset=True)
        self.categories_ = []
        for j in range(text.shape[1]):
            share = pd.Series(text[:, j], dtype=object).value_counts(normalize=True, sort=False)
            kept = sorted(str(v) for v in share.index[share.to_numpy() >= self.min_fraction])
            self.categories_.append(np.asarray([*kept, RARE], dtype=object))
        return self

    def codes(self, X: Any) -> np.ndarray:
        """Integer code of each value (position in ``categories_``; unknown -> rare)."""
        check_is_fitted(self)
        text = self._text(X, reset=False)
        out = np.empty(text.shape, dtype=np.int64)
        for j, cats in enumerate(self.categories_):
            codes, uniques = pd.factorize(text[:, j])
            found = pd.Index(cats[:-1]).get_indexer(uniques)
            out[:, j] = np.where(found < 0, len(cats) - 1, found)[codes]
        return out

    def transform(self, X: Any) -> np.ndarray:
        """Encode ``X``: float 0/1 indicators or float codes."""
        codes = self.codes(X)
        if self.encoding == "ordinal":
            return codes.astype(np.float64)
        widths = [len(cats) for cats in self.categories_]
        offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
        out = np.zeros((len(codes), sum(widths)))
        out[np.arange(len(codes))[:, None], codes + offsets] = 1.0
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``col`` per column (ordinal) or ``col_category`` per indicator (onehot)."""
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        if self.encoding == "ordinal":
            return names
        return np.asarray(
            [f"{name}_{cat}" for name, cats in zip(names, self.categories_, strict=True)
             for cat in cats],
            dtype=object,
        )

    def _text(self, X: Any, *, reset: bool) -> np.ndarray:
        if isinstance(X, pd.DataFrame):  # category/str/datetime columns as Python objects
            X = X.astype(object)
        arr = validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False)
        if np.iscomplexobj(arr):
            raise ValueError("Complex data not supported")
        return as_text(arr)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = []
        return tags
