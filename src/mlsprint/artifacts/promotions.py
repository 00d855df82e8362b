"""Champion moves and their history: MLflow keeps no alias history, so mlsprint does.

Every ``promote`` and ``rollback`` appends one JSON line to ``.mlsprint/promotions.jsonl``:
when, who, the model, from which version to which, and why.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlsprint.artifacts.registry import get_alias_version, set_alias
from mlsprint.errors import BundleError

__all__ = ["CHAMPION", "Promotion", "promote", "read_promotions", "rollback"]

CHAMPION = "champion"


@dataclass(frozen=True, slots=True)
class Promotion:
    """One line of the promotion log."""

    when: str
    who: str
    action: str
    model: str
    from_version: str | None
    to_version: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["from"], out["to"] = out.pop("from_version"), out.pop("to_version")
        return out


def read_promotions(log_path: str | Path) -> list[Promotion]:
    """Every champion move recorded in the log, oldest first."""
    path = Path(log_path)
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Promotion(d["when"], d["who"], d["action"], d["model"], d["from"],
                                 d["to"], d["why"]))
    return out


def _append(log_path: Path, record: Promotion) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record.to_dict()) + "\n")


def _move(tracking_uri: str, name: str, version: str, *, log_path: Path, action: str,
          why: str, who: str | None) -> Promotion:
    previous = get_alias_version(tracking_uri, name, CHAMPION)
    set_alias(tracking_uri, name, CHAMPION, version)
    record = Promotion(datetime.now(UTC).isoformat(timespec="seconds"),
                       who or getpass.getuser(), action, name, previous, str(version), why)
    _append(log_path, record)
    return record


def promote(tracking_uri: str, name: str, version: str | int, *, log_path: str | Path,
            why: str, who: str | None = None) -> Promotion:
    """Make ``version`` the champion of ``name`` and record the move."""
    return _move(tracking_uri, name, str(version), log_path=Path(log_path), action="promote",
                 why=why, who=who)


def rollback(tracking_uri: str, name: str, *, log_path: str | Path, why: str,
             who: str | None = None) -> Promotion:
    """Give ``champion`` back to the version the current champion replaced."""
    current = get_alias_version(tracking_uri, name, CHAMPION)
    if current is None:
        raise BundleError(f"{name} has no champion, so there is nothing to roll back; "
                          "promote a version first")
    history = [p for p in read_promotions(log_path) if p.model == name]
    made = [p for p in history if p.action == "promote" and p.to_version == current]
    if not made or made[-1].from_version is None:
        raise BundleError(f"{name} version {current} became champion with no predecessor in "
                          f"{log_path}; there is no earlier champion to roll back to. "
                          "Promote the version you want instead")
    return _move(tracking_uri, name, made[-1].from_version, log_path=Path(log_path),
                 action="rollback", why=why, who=who)
