"""The MLflow tracker round trip, on the embedded SQLite store and on PostgreSQL."""

from __future__ import annotations

import os

import pytest

from mlsprint.errors import TrackingError
from mlsprint.tracking import MlflowTracker, Tracker, default_tracking_uri
from mlsprint.tracking.process import ProcessTracker


def _round_trip(tracker: Tracker) -> None:
    with tracker.run("profile", tags={"mlsprint.data_fingerprint": "sha256:abc"}) as run_id:
        tracker.log_params(run_id, {"seed": 7, "spec": {"a": [1, 2]}})
        tracker.log_metrics(run_id, {"auc": 0.91, "skipped": float("nan")})
        tracker.log_dict(run_id, {"findings": 3}, "profile.json")
    with pytest.raises(RuntimeError), tracker.run("train"):
        raise RuntimeError("boom")
    latest = tracker.latest("profile")
    assert latest is not None and latest.run_id == run_id
    assert latest.metrics == {"auc": 0.91}
    assert latest.params["seed"] == "7" and latest.params["spec"] == '{"a": [1, 2]}'
    assert latest.tags["mlsprint.data_fingerprint"] == "sha256:abc"
    assert tracker.load_dict(run_id, "profile.json") == {"findings": 3}
    assert tracker.latest("train") is None, "a failed run is not evidence"
    assert [r.status for r in tracker.runs("train", finished_only=False)] == ["FAILED"]
    with tracker.run("train") as parent, tracker.run("train", parent_run_id=parent) as child:
        tracker.log_metrics(child, {"cv_mean": 0.8})
    assert [r.run_id for r in tracker.children(parent)] == [child]


def test_round_trip_on_embedded_sqlite(tmp_path):
    uri = default_tracking_uri(tmp_path / ".mlsprint")
    _round_trip(MlflowTracker(uri, "proj", artifact_location=tmp_path / "art"))
    assert (tmp_path / ".mlsprint" / "mlflow.db").exists()


@pytest.mark.postgres
def test_round_trip_on_postgresql(tmp_path, postgres_url):
    _round_trip(MlflowTracker(postgres_url, "proj", artifact_location=tmp_path / "art"))


def test_unusable_store_is_a_tracking_error(tmp_path):
    # A scheme MLflow has no store for fails at once (an unreachable database would too,
    # after MLflow's connection retries: minutes of a test run for the same code path).
    with pytest.raises(TrackingError, match="cannot be used.*tracking.uri"):
        MlflowTracker("nosuchscheme://store/x", "proj")


def test_round_trip_through_the_tracker_process(tmp_path):
    uri = default_tracking_uri(tmp_path / ".mlsprint")
    tracker = ProcessTracker.start(uri, "proj", artifact_location=tmp_path / "art")
    try:
        _round_trip(tracker)
        # background work: it yields the cores to the command it serves
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, tracker._process.pid) == min(own + 10, 19)
    finally:
        tracker.close()
    assert tracker._process.returncode == 0, "closing ends the helper process"
    # The evidence is in the store itself, as the in-process tracker reads it.
    direct = MlflowTracker(uri, "proj", artifact_location=tmp_path / "art")
    assert [r.phase for r in direct.runs()] == ["train", "train", "profile"]


def test_the_tracker_process_reports_an_unusable_store_at_first_use(tmp_path):
    tracker = ProcessTracker.start("nosuchscheme://store/x", "proj")
    for _ in range(2):  # and at every later use
        with pytest.raises(TrackingError, match="cannot be used.*tracking.uri"):
            tracker.latest("profile")
    tracker.close()


def test_a_tracker_process_that_dies_is_a_tracking_error(tmp_path):
    tracker = ProcessTracker.start(default_tracking_uri(tmp_path), "proj")
    assert tracker.latest("profile") is None
    tracker._process.kill()  # a fault that cannot be caused otherwise: the helper is killed
    tracker._process.wait()
    with pytest.raises(TrackingError, match="ended unexpectedly"):
        tracker.latest("profile")
    tracker.close()


def test_the_tracker_process_offers_only_the_tracker_protocol(tmp_path):
    tracker = ProcessTracker.start(default_tracking_uri(tmp_path), "proj")
    with pytest.raises(AttributeError, match="no attribute 'client'"):
        _ = tracker.client
    tracker.close()
