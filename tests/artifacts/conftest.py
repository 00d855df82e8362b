"""Session fixtures: a real trained german_credit pipeline and its bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from .bundle_fixtures import Trained, train_german_credit, write_bundle


@pytest.fixture(scope="session")
def trained() -> Trained:
    return train_german_credit()


@pytest.fixture(scope="session")
def bundle_path(trained, tmp_path_factory) -> Path:
    return write_bundle(trained, tmp_path_factory.mktemp("bundles") / "gc")
