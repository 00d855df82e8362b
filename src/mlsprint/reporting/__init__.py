"""Rendering helpers for self-contained HTML reports (pure: strings in, strings out)."""

from mlsprint.reporting.html import Section, figure_svg, page, table_html

__all__ = ["Section", "figure_svg", "page", "table_html"]
