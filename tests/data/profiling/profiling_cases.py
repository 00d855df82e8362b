"""The real datasets as the profile tests use them: specs from the README, cached profiles."""

from __future__ import annotations

from functools import cache

from conftest import read_dataset
from mlsprint.data.profiling import ProfileReport, profile
from mlsprint.spec import parse_spec

# target, task, positive class: as the README of ../shared/data describes each dataset
DATASETS = {
    "adult": ("income", "binary", ">50K"),
    "ames_housing": ("SalePrice", "regression", None),
    "bank_marketing": ("y", "binary", "yes"),
    "bike_sharing_hourly": ("cnt", "regression", None),
    "compas": ("two_year_recid", "binary", 1),
    "credit_default": ("default_payment_next_month", "binary", 1),
    "diabetes_130us": ("readmitted", "multiclass", None),
    "dry_bean": ("Class", "multiclass", None),
    "elec2": ("class", "binary", "UP"),
    "german_credit": ("class", "binary", "bad"),
}
SAMPLE_ROWS = 5000  # rows of the expensive checks in tests (the library default is 20,000)


def make_spec(name: str, **columns):
    target, task, positive = DATASETS[name]
    return parse_spec({"name": name, "task": {"type": task, "positive_class": positive},
                       "data": {"source": f"{name}.csv.gz", "target": target,
                                "columns": columns}})


dataset = cache(read_dataset)


@cache
def dataset_profile(name: str) -> ProfileReport:
    """The profile of a whole real dataset; the expensive checks on 5,000 sampled rows."""
    return profile(dataset(name), make_spec(name), sample_rows=SAMPLE_ROWS)
