"""text="paths" (issue 14): labels as glyph outlines from the bundled DejaVu fonts, words kept for readers."""
import io
import re
import sys

import numpy
import pytest
from PIL import Image

import kerasvg
from kerasvg import Layer, ModelGraph
from kerasvg.writers import outlines
from conftest import SVG_NS, parse_svg

pytest.importorskip("fontTools")


def graph(names=("image", "conv_1", "logits")):
    layers = (Layer(names[0], "InputLayer", ((None, 16, 16, 3),), is_input=True),
              Layer(names[1], "Conv2D", ((None, 16, 16, 8),), trainable_params=224),
              Layer(names[2], "Dense", ((None, 4),), trainable_params=36))
    return ModelGraph("tiny", layers, tuple(zip(names, names[1:])), inputs=(names[0],), outputs=(names[-1],))


def pixels(diagram):
    return numpy.asarray(Image.open(io.BytesIO(diagram.to_png())).convert("RGB")).astype(float)


@pytest.mark.parametrize("theme", ["default", "paper", "mono"])
def test_paths_look_like_text_and_keep_the_words(theme):
    as_text = kerasvg.layered_view(graph(), legend=True, theme=theme)
    as_paths = kerasvg.layered_view(graph(), legend=True, theme=theme, text="paths")
    svg = as_paths.to_svg()
    root = parse_svg(svg)
    assert not list(root.iter(f"{SVG_NS}text")) and "<text" not in svg
    glyphs = [p for p in root.iter(f"{SVG_NS}path") if "glyphs" in p.get("class", "").split()]
    words = [p.get("aria-label") for p in glyphs]
    assert [p.find(f"{SVG_NS}title").text for p in glyphs] == words
    for box in as_text.scene.boxes:
        assert set(box.label.lines) <= set(words)
    assert {"Conv2D", "InputLayer", "Dense"} <= set(words)
    a, b = pixels(as_text), pixels(as_paths)
    assert a.shape == b.shape
    assert numpy.abs(a - b).mean() < 8
    ink = numpy.abs(a - b).max(axis=2) > 0
    assert ink.any()  # the two renderings are not byte-identical pictures: outlines really replaced text


def test_outlines_follow_the_anchor():
    start = outlines.outline("conv", "DejaVu Sans", 12, 100, 50, "start")
    middle = outlines.outline("conv", "DejaVu Sans", 12, 100, 50, "middle")
    xs = lambda d: [float(v) for v in re.findall(r"[ML](-?[\d.]+)", d)]
    assert min(xs(start)) >= 100 and min(xs(middle)) < 100 < max(xs(middle))


def test_hostile_words_stay_escaped():
    svg = kerasvg.layered_view(graph(("in", 'a<b>&"c"', "out")), text="paths").to_svg()
    root = parse_svg(svg)
    assert 'a<b>&"c"' in [p.get("aria-label") for p in root.iter(f"{SVG_NS}path")]


def test_dark_scheme_repaints_outlined_text():
    svg = kerasvg.layered_view(graph(), theme="auto", text="paths").to_svg()
    assert "path.glyphs{fill:#e6edf3;" in svg


@pytest.mark.parametrize("keywords, message", [
    ({"text": "curves"}, "allowed: text, paths"),
    ({"text": "paths", "overrides": {"canvas": {"font_family": "Helvetica"}}}, "bundled fonts only"),
])
def test_bad_text_modes_are_refused(keywords, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        kerasvg.layered_view(graph(), **keywords)


def test_missing_fonttools_names_the_extra(monkeypatch):
    outlines._font.cache_clear()
    monkeypatch.setitem(sys.modules, "fontTools.ttLib", None)
    try:
        with pytest.raises(ImportError, match=re.escape("kerasvg[paths]")):
            kerasvg.layered_view(graph(), text="paths")
    finally:
        outlines._font.cache_clear()


def test_bundled_fonts_ship_with_their_licence():
    for name in outlines.FONT_FILES.values():
        assert (outlines.FONTS_DIR / name).stat().st_size > 100_000
    assert "Bitstream" in (outlines.FONTS_DIR / "LICENSE").read_text()


def test_cli_text_paths(tmp_path):
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    run = subprocess.run([sys.executable, "-m", "kerasvg", "render", str(root / "kerasvg/examples/demo_resnet.json"),
                          "-o", str(tmp_path / "d.svg"), "--text", "paths"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    svg = (tmp_path / "d.svg").read_text()
    assert "<text" not in svg and 'aria-label="stem_conv"' in svg
