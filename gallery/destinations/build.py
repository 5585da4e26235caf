"""One picture per destination, from the built-in demo model (no TensorFlow needed):

    python gallery/destinations/build.py [OUT_DIR]     # default: this folder

slide.png   the .pptx as LibreOffice Impress prints it (soffice → PDF → pdftoppm)
tikz.png    the standalone .tex compiled by pdflatex (→ pdftoppm)
light.png, dark.png   the theme="auto" SVG in headless Chromium with prefers-color-scheme light / dark
Needs the Makefile's system packages (pdflatex, LibreOffice Impress, poppler-utils, chromium).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

import kerasvg  # noqa: E402
from kerasvg.readers.saved import read_saved_model  # noqa: E402

DEMO = HERE.parent.parent / "kerasvg" / "examples" / "demo_resnet.json"


def pdf_to_png(pdf: Path, png: Path, dpi: int) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(pdf), str(png.with_suffix(""))], check=True)


def slide(graph, out: Path, work: Path) -> None:
    kerasvg.layered_view(graph, legend=True).save(work / "demo.pptx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), str(work / "demo.pptx")], check=True, capture_output=True, timeout=300)
    pdf_to_png(work / "demo.pdf", out / "slide.png", 60)


def tikz(graph, out: Path, work: Path) -> None:
    (work / "figure.tex").write_text(kerasvg.layered_view(graph, legend=True).to_tikz(standalone=True))
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "figure.tex"], cwd=work, check=True,
                   capture_output=True, timeout=300)
    pdf_to_png(work / "figure.pdf", out / "tikz.png", 110)


def schemes(graph, out: Path, work: Path) -> None:
    from playwright.sync_api import sync_playwright

    d = kerasvg.layered_view(graph, legend=True, theme="auto")
    (work / "auto.svg").write_text(d.to_svg())
    (work / "page.html").write_text('<html><body style="margin:0"><img src="auto.svg"></body></html>')
    width, height = (round(v) for v in d.vector_size)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for scheme in ("light", "dark"):
            page = browser.new_page(color_scheme=scheme, viewport={"width": width, "height": height})
            page.goto((work / "page.html").as_uri())
            page.screenshot(path=str(out / f"{scheme}.png"))
        browser.close()


def main(argv) -> int:
    out = Path(argv[0]) if argv else HERE
    out.mkdir(parents=True, exist_ok=True)
    graph = read_saved_model(DEMO)
    with tempfile.TemporaryDirectory() as folder:
        for step in (slide, tikz, schemes):
            step(graph, out, Path(folder))
    for name in ("slide", "tikz", "light", "dark"):
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
