"""The bundle's integrity check: a sha256 of every file, verified before unpickling.

``MANIFEST.sha256`` holds one ``<hex digest>  <relative path>`` line per file (the format
``sha256sum -c`` reads). A bundle verifies when the set of files on disk equals the set
listed and every digest matches: a changed, added or removed file is refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mlsprint.errors import BundleError

__all__ = ["MANIFEST", "verify_manifest", "write_manifest"]

MANIFEST = "MANIFEST.sha256"
_CHUNK = 1 << 20


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _files(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise BundleError(
                f"bundle {root} contains a symbolic link {path.relative_to(root)}; "
                "a bundle holds regular files only: copy the target in instead"
            )
        if path.is_file() and path.name != MANIFEST and "__pycache__" not in path.parts:
            out.append(path.relative_to(root).as_posix())
    return out


def write_manifest(root: str | Path) -> str:
    """Hash every file under ``root`` into ``MANIFEST.sha256``; return the manifest's digest.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.txt").write_text("x")
    >>> len(write_manifest(d)) == 64 and verify_manifest(d) == write_manifest(d)
    True
    """
    root = Path(root)
    lines = [f"{_digest(root / rel)}  {rel}\n" for rel in _files(root)]
    text = "".join(lines)
    (root / MANIFEST).write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


def _read_manifest(root: Path) -> tuple[dict[str, str], str]:
    path = root / MANIFEST
    if not path.is_file():
        raise BundleError(
            f"{root} has no {MANIFEST}: it is not an mlsprint bundle or was not saved "
            "completely; save it again with mlsprint (validate) instead of copying files in"
        )
    text = path.read_text(encoding="utf-8")
    listed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64:
            raise BundleError(f"{path}: line {number} is malformed: {line!r}; "
                              "expected '<sha256>  <path>'")
        listed[rel] = digest
    return listed, hashlib.sha256(text.encode()).hexdigest()


def verify_manifest(root: str | Path) -> str:
    """Check every file of the bundle against its manifest; return the manifest's digest.

    Raises
    ------
    BundleError
        When a file was changed, added or removed since the bundle was saved.
    """
    root = Path(root)
    listed, manifest_digest = _read_manifest(root)
    present = set(_files(root))
    problems = [f"missing file {rel}" for rel in sorted(set(listed) - present)]
    problems += [f"unexpected file {rel}" for rel in sorted(present - set(listed))]
    for rel in sorted(set(listed) & present):
        if _digest(root / rel) != listed[rel]:
            problems.append(f"{rel} changed (sha256 differs from the manifest)")
    if problems:
        raise BundleError(
            f"bundle {root} failed its integrity check, so nothing was unpickled: "
            + "; ".join(problems)
            + ". Use the bundle as saved by mlsprint, or save it again from the candidate"
        )
    return manifest_digest
