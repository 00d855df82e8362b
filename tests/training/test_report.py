"""The training report: self-contained HTML with the leaderboard, plots and slices."""

from __future__ import annotations

import json
import re

from tests.training.conftest import Problem

from mlsprint.training import analyse_errors, render_training_html


def test_report_is_self_contained_and_shows_the_evidence(german: Problem,
                                                          german_result) -> None:
    errors = analyse_errors(german.X, german.y, german_result.oof, contract=german.contract,
                            spec=german.spec, threshold=german_result.threshold)
    html = render_training_html(german_result, errors)
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and not re.search(r"(src|href)=\"https?://", html)
    for text in ("Leaderboard", "Error analysis", "Confusion matrix", "Worst slices",
                 german_result.leaderboard[0].name, german_result.best):
        assert text in html
    assert html.count("<svg") >= 3  # scores per family, confusion matrix, worst slices
    assert errors.worst and errors.worst[0].size >= 30
    assert sum(map(sum, errors.confusion)) == len(german.y)
    assert json.loads(json.dumps(errors.to_dict()))["worst"][0]["size"] >= 30
