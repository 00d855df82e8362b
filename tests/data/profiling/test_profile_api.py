"""The public API of mlsprint.data.profiling, and the hand-drawn SVG charts."""

from __future__ import annotations

import re

import numpy as np

import mlsprint.data.profiling as profiling
from mlsprint.data.profiling.svg import bar_chart, hbar_chart, heatmap, line_chart, viridis


def test_public_api_is_pinned_and_sorted():
    assert profiling.__all__ == sorted(profiling.__all__)
    assert set(profiling.__all__) == {
        "THRESHOLDS", "AssociationMatrix", "ColumnSummary", "Finding", "ProfileReport",
        "TargetSummary", "profile", "render_profile_html"}


def test_viridis_endpoints_and_nan():
    assert (viridis(0.0), viridis(1.0), viridis(float("nan"))) == (
        "#440154", "#fde725", "#d0d7de")
    assert viridis(-3) == viridis(0) and viridis(7) == viridis(1)


def test_heatmap_draws_one_cell_per_pair_with_its_value():
    m = np.array([[1.0, 0.25], [0.25, 1.0]])
    svg = heatmap(m, ["a", "<b>"])
    assert svg.count("<rect") == 4 and "&lt;b&gt;" in svg
    assert re.search(r"a / &lt;b&gt;: 0.25", svg)


def test_bar_and_line_charts_scale_to_their_data():
    svg = bar_chart([1, 4], ["x", "y"], width=100, height=52)
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill', svg)]
    assert heights == [12.5, 50.0]
    assert hbar_chart([0.5], ["col"]).count("<rect") == 1
    line = line_chart([1.0, 3.0, 2.0])
    assert line.count("<circle") == 3 and "<polyline" in line
    assert "no values" in line_chart([1.0])
