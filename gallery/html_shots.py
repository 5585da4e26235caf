"""Regenerate the screenshots of the interactive HTML page (headless Chromium via Playwright).

    python gallery/html_shots.py [OUT_DIR]          # default: the gallery folder beside this file

writes OUT_DIR/html-default.png (`zoo.small_cnn` as opened), html-selected.png (the same page, `conv2`
selected), html-blocks.png (ResNet50 at detail="blocks", the glyph `conv3_block2` selected: the panel lists
its layers) and html-diff.png (the pair of gallery/diff.py, the widened `conv2` selected: each field old → new;
the page lists the changes only while nothing is selected). Needs `pip install playwright` and Chromium at /usr/bin/chromium (or $KERASVG_CHROMIUM);
never `playwright install`.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

VIEWPORT = {"width": 1280, "height": 800}
SCALE = 2  # device pixels per CSS pixel: 2560 × 1600 PNGs, sharp on high-density screens
CHROMIUM = os.environ.get("KERASVG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--font-render-hinting=none"]


def pages(folder: Path) -> dict[str, Path]:
    """Write the three HTML pages; returns their paths by name."""
    import kerasvg
    from kerasvg import zoo

    files = {name: folder / f"{name}.html" for name in ("cnn", "blocks", "diff")}
    kerasvg.layered_view(zoo.small_cnn()).save(files["cnn"])
    kerasvg.layered_view(zoo.application("ResNet50"), detail="blocks").save(files["blocks"])
    kerasvg.diff(zoo.small_cnn(), zoo.small_cnn_revised()).save(files["diff"])
    return files


def shoot(browser, page_file: Path, out: Path, select: str | None = None) -> None:
    """Open `page_file`, click the layer named `select` (if any), screenshot the viewport to `out`."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=SCALE, reduced_motion="reduce")
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(page_file.as_uri())
        page.wait_for_selector("svg g.layer")
        if select:
            # the front face is where a user clicks: the group's centre may be empty canvas
            page.locator(f'svg g.layer[data-name="{select}"] .face.front').first.click()
            page.wait_for_selector(f'[data-kerasvg-details] h3:text-is("{select}")')
        page.mouse.move(0, 0)  # no hover highlight left behind
        page.screenshot(path=str(out), animations="disabled")
    finally:
        context.close()
    if errors:
        raise RuntimeError(f"{page_file.name}: {errors}")
    print(f"{out.name}: {page_file.name}" + (f", {select} selected" if select else ""), flush=True)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else HERE
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        files = pages(Path(tmp))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                shoot(browser, files["cnn"], out / "html-default.png")
                shoot(browser, files["cnn"], out / "html-selected.png", select="conv2")
                shoot(browser, files["blocks"], out / "html-blocks.png", select="conv3_block2")
                shoot(browser, files["diff"], out / "html-diff.png", select="conv2")
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
