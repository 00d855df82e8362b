"""The validation report and the model card render in headless Chromium: no console errors,
no page errors, and a screenshot that shows a real page."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from evaluation.conftest import unavailable
from mlsprint.cards import build_card, render_validation_html

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dev dependency
        unavailable(f"playwright is not installed: {exc}")
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        unavailable(f"{CHROMIUM} not found; install it with `apt-get install -y chromium`")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


def _render(browser, html: str, path: Path) -> tuple[list[str], Path, int]:
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.goto(path.as_uri(), wait_until="load")
    n_svg = page.locator("svg").count()
    shot = path.with_suffix(".png")
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    return problems, shot, n_svg


def _assert_non_trivial(png: Path) -> None:
    import matplotlib.image as mpimg

    assert png.stat().st_size > 20_000
    pixels = mpimg.imread(str(png))[..., :3]
    assert pixels.shape[0] > 900  # a full page, longer than one screen
    rgb = (pixels[::3, ::3] * 255).astype(np.uint32)  # every 9th pixel is plenty
    colours = np.unique((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2])
    assert len(colours) > 50  # text, tables and plots, not a blank page
    assert pixels.std() > 0.05


@pytest.mark.parametrize("kind", ["card", "validation"])
def test_renders_without_console_errors(browser, evidence, card_spec, tmp_path, kind):
    html = (build_card(evidence, card_spec).to_html() if kind == "card"
            else render_validation_html(evidence, card_spec))
    problems, shot, n_svg = _render(browser, html, tmp_path / f"{kind}.html")
    assert problems == []
    assert n_svg >= 4
    _assert_non_trivial(shot)
