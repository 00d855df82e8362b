"""Champion / challenger assignment: a deterministic hash of a unit id (sticky)."""

from __future__ import annotations

import hashlib

__all__ = ["assign_variant", "unit_position"]


def unit_position(unit_id: str, *, salt: str = "") -> float:
    """Where a unit falls in [0, 1): uniform over units, the same on every call.

    Examples
    --------
    >>> unit_position("customer-42") == unit_position("customer-42")
    True
    """
    digest = hashlib.sha256(f"{salt}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_variant(unit_id: str, *, challenger_share: float, salt: str = "") -> str:
    """``"challenger"`` for a ``challenger_share`` of units, ``"champion"`` for the rest.

    Raising the share only moves champion units to the challenger, never back.

    Examples
    --------
    >>> assign_variant("u1", challenger_share=0.0), assign_variant("u1", challenger_share=1.0)
    ('champion', 'challenger')
    """
    if challenger_share <= 0:
        return "champion"
    return "challenger" if unit_position(unit_id, salt=salt) < challenger_share else "champion"
