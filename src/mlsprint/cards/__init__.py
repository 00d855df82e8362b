"""Model cards (Mitchell et al., 2019) and the validation report, built from evidence."""

from mlsprint.cards.card import ModelCard, blocks_html, blocks_markdown, build_card
from mlsprint.cards.sections import TO_BE_COMPLETED, build_sections
from mlsprint.cards.validation import render_validation_html

__all__ = [
    "TO_BE_COMPLETED",
    "ModelCard",
    "blocks_html",
    "blocks_markdown",
    "build_card",
    "build_sections",
    "render_validation_html",
]
