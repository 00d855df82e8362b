"""The HTML profile is one self-contained page holding every part the issue lists."""

from __future__ import annotations

import html
import json
import re

from mlsprint.data.profiling import render_profile_html
from mlsprint.data.profiling.render import bars_svg

from .profiling_cases import dataset_profile


def _page(name):
    report = dataset_profile(name)
    return report, render_profile_html(report)


def test_page_is_self_contained():
    _, page = _page("compas")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    # URLs appear only as XML namespaces and SVG metadata, never as resources to fetch
    assert not re.search(r"url\(\s*['\"]?https?:|@import", page)
    assert not re.search(r"""href\s*=\s*["']https?:""", page)


def test_page_holds_every_part():
    report, page = _page("compas")
    for title in ("Overview", "Excluded from training", "Findings", "Target",
                  "Association with the target", "Association matrix", "Missingness",
                  "Columns: distribution and missingness", "Rules and thresholds"):
        assert f"<h2>{title}</h2>" in page
    for col in report.columns:
        assert f"<b>{html.escape(col.name)}</b>" in page
    for rule, text in report.thresholds.items():
        assert html.escape(text) in page, rule
    assert html.escape(report.sample_note) in page
    excluded = page.split("<h2>Excluded from training</h2>")[1].split("<h2>")[0]
    for name in report.excluded_columns:
        assert f"<td>{html.escape(name)}</td>" in excluded
    assert page.count("<svg") >= len(report.columns) + 4  # one per column + the figures


def test_regression_target_and_trend_render():
    report, page = _page("bike_sharing_hourly")
    assert "distribution of cnt" in page and "target over time" in page
    assert "casual + registered == cnt" in page


def test_profile_json_round_trips():
    report = dataset_profile("diabetes_130us")
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["group_column"] == "patient_nbr"
    assert data["sample_size_used"] == report.sample_size_used
    assert {f["rule"] for f in data["findings"]} >= {"group_split", "id_like",
                                                     "class_imbalance"}
    assert len(data["columns"]) == 49


def test_bars_svg_handles_empty_and_escapes_labels():
    assert "no values" in bars_svg([], [])
    svg = bars_svg([1, 3], ["<a>", "b"])
    assert "&lt;a&gt;" in svg and svg.count("<rect") == 2
