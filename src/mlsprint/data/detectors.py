"""Detectors over one column: is it an id, a date, free text, a protected attribute?

Small pure functions shared by ``infer_roles`` (what ``mlsprint init`` writes) and the
profiler. Each looks at the column's name words and a sample of its distinct values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from mlsprint.data.fingerprint import kind_of

__all__ = [
    "datetime_format",
    "integral",
    "is_free_text",
    "is_id_like",
    "is_stringish",
    "looks_like_datetime",
    "protected_reason",
    "tokens",
    "weight_reason",
]

SAMPLE = 500  # distinct string values inspected by the value-pattern detectors
ID_TOKENS = {"id", "pid", "uid", "uuid", "guid", "idx", "index", "key"}
ID_SUFFIXES = {"nbr", "no", "num", "number"}
DATE_FORMATS = ("ISO8601", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M",
                "%m/%d/%y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%b %d, %Y", "%d %b %Y",
                "%d %B %Y", "%B %d, %Y", "%Y%m%d")
DATE_SHAPE = re.compile(r"^\s*(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{8}"
                        r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2} [A-Za-z]{3,9}\.? \d{4})"
                        r"([ T]\d{1,2}:\d{2}.*)?\s*$")
WEIGHT_NAMES = {"weight", "weights", "wgt", "wt", "fnlwgt", "sample_weight", "sampleweight"}

# protected grounds by name token (lower-case), and by a value vocabulary
PROTECTED_TOKENS = {
    "sex": "sex", "gender": "gender", "race": "race", "ethnicity": "ethnicity",
    "ethnic": "ethnicity", "age": "age", "religion": "religion", "religious": "religion",
    "marital": "marital status", "marriage": "marital status", "married": "marital status",
    "nationality": "nationality", "citizenship": "nationality", "disability": "disability",
    "disabled": "disability", "pregnancy": "pregnancy", "pregnant": "pregnancy",
    "veteran": "veteran status", "orientation": "sexual orientation", "dob": "age",
    "birthdate": "age", "caste": "caste", "tribe": "ethnicity",
}
PROTECTED_NAMES = {
    "personal_status": "sex and marital status", "foreign_worker": "nationality",
    "native_country": "nationality", "country_of_birth": "nationality",
    "birth_country": "nationality", "date_of_birth": "age", "year_of_birth": "age",
    "birth_year": "age", "mother_tongue": "nationality",
}
PROTECTED_VALUES = {
    "sex": {"male", "female", "man", "woman", "men", "women", "non-binary", "nonbinary"},
    "race": {"white", "black", "asian", "hispanic", "caucasian", "african-american",
             "africanamerican", "asian-pac-islander", "amer-indian-eskimo", "latino",
             "native american", "pacific islander", "asian-american"},
    "marital status": {"married", "single", "divorced", "widowed", "never-married",
                       "separated", "married-civ-spouse", "unmarried"},
    "religion": {"christian", "muslim", "jewish", "hindu", "buddhist", "atheist", "catholic"},
}


def tokens(name: str) -> list[str]:
    """Lower-case words of a column name: ``'CustomerID'`` -> ``['customer', 'id']``.

    Examples
    --------
    >>> tokens("marital-status"), tokens("patient_nbr"), tokens("Yr Sold")
    (['marital', 'status'], ['patient', 'nbr'], ['yr', 'sold'])
    """
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def is_stringish(series: pd.Series) -> bool:
    """True for text-like columns: strings, objects and categoricals."""
    return kind_of(series) == "string"


def integral(series: pd.Series) -> bool:
    """True for integers, and for floats whose values are all whole (ids read with NaN)."""
    kind = kind_of(series)
    if kind == "integer":
        return True
    if kind == "float":
        values = series.dropna().to_numpy(dtype="float64")
        whole = np.isfinite(values) & (values == np.round(values))
        return bool(len(values)) and bool(whole.all())
    return False


def _id_name(name: str) -> bool:
    words = tokens(name)
    if not words:
        return False
    return bool(ID_TOKENS & set(words)) or (len(words) > 1 and words[-1] in ID_SUFFIXES)


def is_id_like(series: pd.Series, name: str | None = None) -> bool:
    """True when a column identifies rows rather than describing them.

    An id is an integer or string column that is either named like an id (``id``,
    ``*_id``, ``CustomerID``, ``*_nbr``, ``PID``) with at least half its values distinct,
    or has all values distinct and no missing value, being a run of consecutive integers,
    an integer column of 1,000 rows or more, or short strings.

    Examples
    --------
    >>> import pandas as pd
    >>> is_id_like(pd.Series(range(1, 31)), "Order")
    True
    >>> is_id_like(pd.Series([1, 2, 3, 1] * 10), "admission_type_id")
    False
    """
    name = str(series.name if name is None else name)
    values = series.dropna()
    if len(values) < 2 or not (integral(series) or is_stringish(series)):
        return False
    ratio = values.nunique() / len(values)
    if _id_name(name) and ratio >= 0.5:
        return True
    if ratio < 1.0 or len(values) != len(series) or len(values) < 20:
        return False
    if integral(series):
        ints = values.to_numpy(dtype="float64")
        return bool(ints.max() - ints.min() + 1 == len(ints)) or len(ints) >= 1000
    return not looks_like_datetime(series) and not is_free_text(series)


def _distinct_sample(series: pd.Series) -> pd.Series:
    values = series.dropna()
    uniq = pd.Series(values.unique())
    if len(uniq) > SAMPLE:
        uniq = uniq.sample(SAMPLE, random_state=0)
    return uniq.astype(str)


def _parse_rate(sample: pd.Series, fmt: str) -> float:
    """Share of values that parse with ``fmt`` to a plausible date (years 1800-2200)."""
    parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
    years = parsed.dt.year
    return float((parsed.notna() & years.between(1800, 2200)).mean())


def datetime_format(series: pd.Series) -> str | None:
    """The format that parses at least 95 % of a string column's values, else None."""
    if not is_stringish(series):
        return None
    sample = _distinct_sample(series)
    if sample.empty or sample.str.match(DATE_SHAPE).mean() < 0.95:
        return None
    for fmt in DATE_FORMATS:
        if _parse_rate(sample, fmt) >= 0.95:
            return fmt
    return None


def looks_like_datetime(series: pd.Series) -> bool:
    """True for a datetime column or for strings that parse as dates (``'2013-08-14'``).

    Numbers are never dates here (a year or a month column is judged by ``infer_roles``).

    Examples
    --------
    >>> import pandas as pd
    >>> looks_like_datetime(pd.Series(["2011-01-01", "2011-01-02 10:00:00", None]))
    True
    >>> looks_like_datetime(pd.Series(["250.83", "276", "V27"]))
    False
    """
    if kind_of(series) == "datetime":
        return True
    return datetime_format(series) is not None


def is_free_text(series: pd.Series) -> bool:
    """True for prose: strings of three words or more (median) that mostly differ.

    Examples
    --------
    >>> import pandas as pd
    >>> notes = pd.Series([f"customer called about invoice {i} twice" for i in range(40)])
    >>> is_free_text(notes), is_free_text(pd.Series(["red", "blue"] * 20))
    (True, False)
    """
    if not is_stringish(series):
        return False
    values = series.dropna().astype(str)
    if len(values) < 10:
        return False
    sample = values.sample(min(len(values), SAMPLE), random_state=0)
    words = sample.str.split().str.len()
    distinct = values.nunique() / len(values)
    long_prose = sample.str.len().mean() >= 50 and distinct >= 0.2
    return bool((words.median() >= 3 and distinct >= 0.5) or long_prose)


def _value_ground(series: pd.Series) -> str | None:
    if not is_stringish(series):
        return None
    values = {str(v).strip().lower() for v in series.dropna().unique()[:SAMPLE]}
    if len(values) < 2:
        return None
    for ground, vocab in PROTECTED_VALUES.items():
        hits = values & vocab
        if len(hits) >= 2 and len(hits) >= len(values) / 2:
            return ground
    return None


def protected_reason(name: str, series: pd.Series | None = None) -> str | None:
    """Why a column may be a protected attribute, or None.

    Judged by the words of its name (sex, gender, race, age, marital status, nationality,
    religion, disability, ...) and, for strings, by its values (``Male``/``Female``).

    Examples
    --------
    >>> protected_reason("marital-status")
    "name suggests marital status ('marital')"
    >>> protected_reason("Average") is None
    True
    """
    key = "_".join(tokens(name))
    if key in PROTECTED_NAMES:
        return f"name suggests {PROTECTED_NAMES[key]} ({name!r})"
    for word in tokens(name):
        if word in PROTECTED_TOKENS:
            return f"name suggests {PROTECTED_TOKENS[word]} ({word!r})"
    ground = _value_ground(series) if series is not None else None
    if ground:
        return f"values look like {ground} categories"
    return None


def weight_reason(name: str, series: pd.Series) -> str | None:
    """Why a column may hold sample weights (weight-like name, numbers >= 0), or None."""
    words = tokens(name)
    if "_".join(words) not in WEIGHT_NAMES and not (words and words[-1] in {"weight", "wgt"}):
        return None
    if kind_of(series) not in ("integer", "float"):
        return None
    values = series.dropna()
    if values.empty or (values < 0).any() or series.isna().any():
        return None
    return f"weight-like name {name!r} with non-negative numbers: use as sample weights?"
