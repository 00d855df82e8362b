"""Decision thresholds per protected group: the mitigated model's deterministic rule.

Fairlearn's ``ThresholdOptimizer`` answers with a *randomised* rule (for some rows of a
group it flips a biased coin between two cut-offs), so the same applicant could get two
different answers. A shipped model must not. :class:`GroupThresholds` keeps one cut-off
per group instead, chosen so that each group's selection rate equals the randomised
rule's expected rate on the rows it was fitted on (see :func:`.mitigate.mitigate`).

Groups are the values of the protected columns (numeric ones cut into the fitted bands),
joined with `` & `` when several columns are mitigated together. A group not seen when
fitting (or pooled there for being small) gets the ``default`` cut-off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlsprint.fairness.groups import MISSING

__all__ = ["GroupThresholds", "group_keys"]


def _text(value: Any) -> str:
    """A categorical value as text; 1 and 1.0 are the same group."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return MISSING
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, np.generic):
        value = value.item()
    return str(value)


def _band(value: Any, edges: Sequence[float]) -> str:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return MISSING
    if np.isnan(x):
        return MISSING
    return f"band {int(np.searchsorted(np.asarray(edges, dtype=float), x, side='right'))}"


def group_keys(columns: Mapping[str, Sequence[Any]], attributes: Sequence[str],
               bins: Mapping[str, Sequence[float] | None]) -> list[str]:
    """One group key per row: each attribute's value (or band), joined with `` & ``.

    ``columns`` maps each attribute to its values (a frame's columns or lists taken from
    JSON records), so the serving path needs no DataFrame.
    """
    parts = []
    for name in attributes:
        edges = bins.get(name)
        values = columns[name]
        parts.append([_band(v, edges) for v in values] if edges is not None
                     else [_text(v) for v in values])
    return [" & ".join(p) for p in zip(*parts, strict=True)]


@dataclass(frozen=True, slots=True)
class GroupThresholds:
    """One decision threshold on the positive-class probability per protected group.

    Parameters
    ----------
    attributes : the protected columns, in order
    bins : band edges of numeric attributes (None: the values are the groups)
    thresholds : cut-off per group key (see :func:`group_keys`)
    default : cut-off of groups absent from ``thresholds``
    rates : the selection rate each group's cut-off was chosen for (documentation)
    """

    attributes: tuple[str, ...]
    bins: dict[str, list[float] | None]
    thresholds: dict[str, float]
    default: float
    rates: dict[str, float] = field(default_factory=dict)

    def for_columns(self, columns: Mapping[str, Sequence[Any]]) -> np.ndarray:
        """The cut-off of each row, given the protected columns' values."""
        keys = group_keys(columns, self.attributes, self.bins)
        return np.array([self.thresholds.get(k, self.default) for k in keys], dtype="float64")

    def for_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """The cut-off of each row of ``frame`` (which must hold the protected columns)."""
        missing = [a for a in self.attributes if a not in frame.columns]
        if missing:
            raise KeyError(f"group thresholds need the protected columns {missing}; the "
                           f"rows have {list(frame.columns)[:20]}")
        return self.for_columns({a: frame[a].tolist() for a in self.attributes})

    def for_records(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The cut-off of each JSON record (an absent attribute is a missing value)."""
        return self.for_columns({a: [r.get(a) for r in records] for a in self.attributes})

    def to_dict(self) -> dict[str, Any]:
        return {"attributes": list(self.attributes), "bins": dict(self.bins),
                "thresholds": dict(self.thresholds), "default": self.default,
                "rates": dict(self.rates)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroupThresholds:
        return cls(attributes=tuple(data["attributes"]), bins=dict(data["bins"]),
                   thresholds={str(k): float(v) for k, v in data["thresholds"].items()},
                   default=float(data["default"]), rates=dict(data.get("rates", {})))
