"""Small inline SVG charts drawn by hand: bars, horizontal bars, a line, a heatmap.

The profile draws its figures here rather than with matplotlib: importing matplotlib
alone costs about a second of CPU, a sixth of the whole budget for profiling a million
rows. Every chart is a self-contained ``<svg>`` element (no script, no external
resource); each mark carries its value in a ``<title>`` tooltip.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

__all__ = [
    "bar_chart",
    "hbar_chart",
    "heatmap",
    "line_chart",
    "viridis",
]

BLUE = "#4c78a8"
FONT = "font-family:system-ui,sans-serif;font-size:10px;fill:#1b1f24"
# viridis at 0, 0.25, 0.5, 0.75, 1
_VIRIDIS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98],
                     [253, 231, 37]], dtype=float)


def _esc(value: object) -> str:
    return html.escape(str(value))


def _num(value: float) -> str:
    return f"{value:.4g}" if np.isfinite(value) else "n/a"


def viridis(value: float) -> str:
    """The viridis colour of ``value`` in [0, 1] as ``#rrggbb`` (grey for NaN)."""
    if not np.isfinite(value):
        return "#d0d7de"
    x = min(max(value, 0.0), 1.0) * (len(_VIRIDIS) - 1)
    i = min(int(x), len(_VIRIDIS) - 2)
    rgb = _VIRIDIS[i] + (x - i) * (_VIRIDIS[i + 1] - _VIRIDIS[i])
    return "#" + "".join(f"{int(round(c)):02x}" for c in rgb)


def _svg(width: float, height: float, body: str, title: str = "") -> str:
    head = (f'<text x="{width / 2:.0f}" y="12" text-anchor="middle" style="{FONT};'
            f'font-weight:600">{_esc(title)}</text>') if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img">'
            f"{head}{body}</svg>")


def bar_chart(values: Sequence[float], labels: Sequence[str], *, width: int = 240,
              height: int = 56, axis_labels: bool = False, title: str = "") -> str:
    """Vertical bars scaled to the largest value; optional category labels underneath."""
    v = np.asarray(values, dtype="float64")
    if v.size == 0 or not np.isfinite(v).any() or np.nanmax(v) <= 0:
        return '<span class="muted">no values</span>'
    top_pad = 16 if title else 2
    bottom = 14 if axis_labels else 0
    plot_h = height - top_pad - bottom
    step = width / v.size
    top = float(np.nanmax(v))
    parts = []
    for i, (value, label) in enumerate(zip(v, labels, strict=True)):
        h = 0.0 if not np.isfinite(value) else plot_h * value / top
        parts.append(f'<rect x="{i * step:.1f}" y="{top_pad + plot_h - h:.1f}" '
                     f'width="{max(step - 1, 0.5):.1f}" height="{h:.1f}" fill="{BLUE}">'
                     f"<title>{_esc(label)}: {_num(value)}</title></rect>")
        if axis_labels:
            parts.append(f'<text x="{(i + 0.5) * step:.1f}" y="{height - 2}" '
                         f'text-anchor="middle" style="{FONT}">{_esc(str(label)[:12])}</text>')
    return _svg(width, height, "".join(parts), title)


def hbar_chart(values: Sequence[float], labels: Sequence[str], *, title: str = "",
               label_width: int = 170, width: int = 560, row: int = 14) -> str:
    """Horizontal bars, one labelled row each, scaled to [0, max(1, largest)]."""
    v = np.asarray(values, dtype="float64")
    scale = max(1.0, float(np.nanmax(v))) if v.size and np.isfinite(v).any() else 1.0
    plot_w = width - label_width - 50
    parts = []
    for i, (value, label) in enumerate(zip(v, labels, strict=True)):
        y = 18 + i * row
        w = 0.0 if not np.isfinite(value) else max(value, 0.0) / scale * plot_w
        parts.append(f'<text x="{label_width - 4}" y="{y + row - 4}" text-anchor="end" '
                     f'style="{FONT}">{_esc(str(label)[:32])}</text>'
                     f'<rect x="{label_width}" y="{y + 1}" width="{w:.1f}" height="{row - 3}" '
                     f'fill="{BLUE}"><title>{_esc(label)}: {_num(value)}</title></rect>'
                     f'<text x="{label_width + w + 3:.1f}" y="{y + row - 4}" '
                     f'style="{FONT}">{_num(value)}</text>')
    return _svg(width, 22 + len(v) * row, "".join(parts), title)


def line_chart(values: Sequence[float], *, title: str = "", width: int = 360,
               height: int = 160, xlabel: str = "") -> str:
    """A line with dots through ``values`` at x = 1..n, the y axis labelled min and max."""
    v = np.asarray(values, dtype="float64")
    if v.size < 2 or not np.isfinite(v).all():
        return '<span class="muted">no values</span>'
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo or 1.0
    left, top, bottom = 48, 18, 22
    xs = left + np.arange(v.size) * (width - left - 8) / (v.size - 1)
    ys = top + (hi - v) / span * (height - top - bottom)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BLUE}"><title>'
                   f"{i + 1}: {_num(val)}</title></circle>"
                   for i, (x, y, val) in enumerate(zip(xs, ys, v, strict=True)))
    axis = (f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" style="{FONT}">'
            f'{_num(hi)}</text><text x="{left - 4}" y="{height - bottom}" '
            f'text-anchor="end" style="{FONT}">{_num(lo)}</text>'
            f'<text x="{(left + width) / 2:.0f}" y="{height - 4}" text-anchor="middle" '
            f'style="{FONT}">{_esc(xlabel)}</text>')
    body = (f'<polyline points="{points}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
            f"{dots}{axis}")
    return _svg(width, height, body, title)


def heatmap(matrix: Sequence[Sequence[float]], labels: Sequence[str], *,
            cell: int = 14, label_width: int = 150) -> str:
    """A square matrix of values in [0, 1] coloured with viridis, labels on two sides."""
    m = np.asarray(matrix, dtype="float64")
    k = m.shape[0]
    size = label_width + k * cell + 4
    parts = []
    for i, name in enumerate(labels):
        short = _esc(str(name)[:24])
        y = label_width + i * cell
        parts.append(f'<text x="{label_width - 4}" y="{y + cell - 3}" text-anchor="end" '
                     f'style="{FONT}">{short}</text>')
        x = label_width + i * cell + cell - 3
        parts.append(f'<text x="{x}" y="{label_width - 4}" transform="rotate(-90 {x} '
                     f'{label_width - 4})" style="{FONT}">{short}</text>')
        for j in range(k):
            parts.append(f'<rect x="{label_width + j * cell}" y="{y}" width="{cell}" '
                         f'height="{cell}" fill="{viridis(m[i, j])}"><title>{short} / '
                         f"{_esc(str(labels[j])[:24])}: {_num(m[i, j])}</title></rect>")
    return _svg(size, size, "".join(parts))
