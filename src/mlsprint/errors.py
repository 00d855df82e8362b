"""The one exception tree of mlsprint.

::

    MlsprintError
    ├── SpecError (ValueError)                 mlsprint.yaml is missing, malformed or inconsistent
    ├── DataError (ValueError)                 the data cannot be read or does not fit the spec
    │   ├── SchemaMismatchError                columns or types differ from the data contract
    │   └── DataQualityError                   the data is readable but unusable (e.g. empty)
    ├── BundleError (RuntimeError)             a model bundle is missing, tampered or incompatible
    ├── GateFailedError (RuntimeError)         an action needs a GO verdict that is absent
    ├── MissingDependencyError (ImportError)   an optional extra is not installed
    └── TrackingError (RuntimeError)           the experiment tracker cannot be reached or read

Every message says what failed, the value seen, what was expected and how to fix it.
The CLI maps these to exit code 2 (user error); anything else is a bug (exit code 1).
"""

from __future__ import annotations

__all__ = [
    "BundleError",
    "DataError",
    "DataQualityError",
    "GateFailedError",
    "MissingDependencyError",
    "MlsprintError",
    "SchemaMismatchError",
    "SpecError",
    "TrackingError",
]


class MlsprintError(Exception):
    """Root of every error mlsprint raises on purpose."""


class SpecError(MlsprintError, ValueError):
    """The project spec (``mlsprint.yaml``) is missing, malformed or inconsistent."""


class DataError(MlsprintError, ValueError):
    """The data cannot be read or does not fit the spec."""


class SchemaMismatchError(DataError):
    """Columns or types differ from the data contract."""


class DataQualityError(DataError):
    """The data is readable but unusable (for example empty, or a constant target)."""


class BundleError(MlsprintError, RuntimeError):
    """A model bundle is missing, tampered with, or incompatible with this version."""


class GateFailedError(MlsprintError, RuntimeError):
    """An action needs a GO verdict that the evidence does not give."""


class MissingDependencyError(MlsprintError, ImportError):
    """An optional dependency is not installed; the message names the extra."""


class TrackingError(MlsprintError, RuntimeError):
    """The experiment tracker cannot be reached, or holds no such evidence."""
