"""The public API of evaluation, fairness and cards is pinned."""

from __future__ import annotations

import mlsprint.cards
import mlsprint.evaluation
import mlsprint.fairness


def test_public_names_are_pinned_and_sorted():
    for module in (mlsprint.evaluation, mlsprint.fairness, mlsprint.cards):
        names = module.__all__
        # isort style: CONSTANTS, then Classes, then functions, each alphabetical
        key = lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)  # noqa: E731
        assert names == sorted(names, key=key), module.__name__
        for name in names:
            assert getattr(module, name) is not None
    assert {"evaluate_holdout", "choose_recalibration", "business_value", "explain_global",
            "explain_rows", "check_edge_cases", "measure_latency", "decide_gate",
            "Evidence"} <= set(mlsprint.evaluation.__all__)
    assert {"audit_fairness", "mitigate"} <= set(mlsprint.fairness.__all__)
    assert {"build_card", "render_validation_html", "ModelCard"} <= set(mlsprint.cards.__all__)
