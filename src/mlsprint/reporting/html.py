"""Self-contained HTML reports: inline SVG plots, inline CSS, no CDN, no JavaScript needed."""

from __future__ import annotations

import html
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Section", "figure_svg", "page", "table_html"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#1b1f24;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #d0d7de;
padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.muted{color:#57606a;font-size:.9rem}
.critical{color:#b42318;font-weight:600}.warning{color:#b54708;font-weight:600}
.info{color:#175cd3}.ok,.pass,.go{color:#067647;font-weight:600}
.fail,.no-go{color:#b42318;font-weight:600}.review,.pending{color:#b54708;font-weight:600}
figure{display:inline-block;margin:.3rem;vertical-align:top}figure svg{max-width:100%;height:auto}
figcaption{font-size:.8rem;color:#57606a}
"""


@dataclass(frozen=True, slots=True)
class Section:
    """A titled block of already-rendered HTML."""

    title: str
    body: str


def figure_svg(fig: Any, *, caption: str | None = None) -> str:
    """Render a matplotlib figure as inline SVG and close it."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.find("<svg"):]  # drop the XML prolog and doctype: invalid inside HTML
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{svg}{cap}</figure>"


def table_html(rows: Iterable[Sequence[Any]], header: Sequence[str], *,
               classes: Sequence[str | None] | None = None) -> str:
    """An HTML table; ``classes`` gives an optional CSS class per row."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = classes[i] if classes and i < len(classes) and classes[i] else None
        attr = f' class="{cls}"' if cls else ""
        cells = "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row)
        body.append(f"<tr{attr}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def page(title: str, sections: Iterable[Section], *, subtitle: str = "") -> str:
    """A complete HTML document with every resource inline."""
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if subtitle:
        parts.append(f"<p class=\"muted\">{html.escape(subtitle)}</p>")
    for section in sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>{section.body}</section>")
    parts.append("</body></html>")
    return "".join(parts)
