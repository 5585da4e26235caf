"""Every built-in theme on the same three models, as SVG and PNG, plus a side-by-side strip for the README.

    python gallery/themes.py [OUT_DIR]      # default OUT_DIR: gallery/

writes OUT_DIR/themes/{model}-{theme}.svg|.png and OUT_DIR/themes-strip.png.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict, List

STRIP_MODEL = "cnn"
STRIP_ORDER = ("default", "paper", "slides", "mono", "blueprint", "transparent")
STRIP_COLUMNS = 3
_TILE_WIDTH = 620
_CAPTION = 30


def models() -> Dict[str, object]:
    """The gallery's models, built once: a small CNN, a residual block and a recurrent text model."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from keras import layers

    cnn = keras.Sequential([
        keras.Input((64, 64, 3), name="image"),
        layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(name="pool1"),
        layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),
        layers.BatchNormalization(name="bn"),
        layers.MaxPooling2D(name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dropout(0.3, name="dropout"),
        layers.Dense(128, activation="relu", name="fc"),
        layers.Dense(10, activation="softmax", name="logits"),
    ], name="small_cnn")

    image = keras.Input((32, 32, 16), name="input")
    stem = layers.Conv2D(32, 3, padding="same", name="stem")(image)
    x = layers.Conv2D(32, 3, padding="same", name="conv_a")(stem)
    x = layers.BatchNormalization(name="bn_a")(x)
    x = layers.ReLU(name="relu_a")(x)
    x = layers.Conv2D(32, 3, padding="same", name="conv_b")(x)
    x = layers.BatchNormalization(name="bn_b")(x)
    x = layers.Add(name="add")([stem, x])
    x = layers.ReLU(name="relu_out")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    residual = keras.Model(image, layers.Dense(10, name="classes")(x), name="residual_block")

    tokens = keras.Input((40,), dtype="int32", name="tokens")
    x = layers.Embedding(5000, 64, name="embedding")(tokens)
    x = layers.LSTM(64, return_sequences=True, name="lstm")(x)
    x = layers.Dropout(0.2, name="dropout")(x)
    x = layers.GRU(32, name="gru")(x)
    recurrent = keras.Model(tokens, layers.Dense(1, activation="sigmoid", name="score")(x), name="recurrent")
    return {"cnn": cnn, "residual": residual, "recurrent": recurrent}


def build(out_dir="gallery") -> List[Path]:
    """Render every built-in theme on every gallery model; returns the files written."""
    import kerasvg
    from kerasvg.writers.files import write_atomic

    out_dir = Path(out_dir)
    folder = out_dir / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    written: List[Path] = []
    strip: Dict[str, object] = {}
    for model_name, model in models().items():
        for theme in kerasvg.themes():
            diagram = kerasvg.layered_view(model, theme=theme, legend=True, id_prefix=f"{model_name}-{theme}")
            for suffix, data in ((".svg", diagram.to_svg().encode("utf-8")), (".png", diagram.to_png(scale=2))):
                path = folder / f"{model_name}-{theme}{suffix}"
                write_atomic(path, data)
                written.append(path)
            if model_name == STRIP_MODEL:
                strip[theme] = diagram
    ordered = {name: strip[name] for name in STRIP_ORDER if name in strip}
    ordered.update(strip)
    path = out_dir / "themes-strip.png"
    write_atomic(path, strip_png(ordered))
    written.append(path)
    return written


def strip_png(diagrams: Dict[str, object]) -> bytes:
    """One image with each theme's diagram on its own background, captioned with the theme's name."""
    from kerasvg.writers.raster import to_png

    return to_png(strip_svg(diagrams), scale=1.5)


def strip_svg(diagrams: Dict[str, object]) -> str:
    """The strip as SVG: the themes' own SVG documents nested in a grid of captioned tiles."""
    from xml.sax.saxutils import escape

    tiles = list(diagrams.items())
    heights = [_TILE_WIDTH * d.vector_size[1] / d.vector_size[0] for _, d in tiles]
    tile_height = max(heights) + _CAPTION
    rows = -(-len(tiles) // STRIP_COLUMNS)
    gap = 12
    width = STRIP_COLUMNS * _TILE_WIDTH + (STRIP_COLUMNS + 1) * gap
    height = rows * tile_height + (rows + 1) * gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" font-family="DejaVu Sans">',
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    for i, (theme, diagram) in enumerate(tiles):
        x = gap + (i % STRIP_COLUMNS) * (_TILE_WIDTH + gap)
        y = gap + (i // STRIP_COLUMNS) * (tile_height + gap)
        body_height = tile_height - _CAPTION
        if diagram.background == "transparent":  # half light, half dark page: it must read on both
            half = _TILE_WIDTH / 2
            parts.append(f'<rect x="{x}" y="{y}" width="{half}" height="{body_height:.1f}" fill="#ffffff"/>')
            parts.append(f'<rect x="{x + half}" y="{y}" width="{half}" height="{body_height:.1f}" fill="#0d1117"/>')
            paint = "none"
        else:
            paint = diagram.background[:7]
        parts.append(f'<rect x="{x}" y="{y}" width="{_TILE_WIDTH}" height="{body_height:.1f}" fill="{paint}" '
                     f'stroke="#d0d0d0" stroke-width="1"/>')
        inner = diagram.to_svg()
        inner = inner[inner.index("<svg"):]
        nested = inner.replace("<svg", f'<svg x="{x}" y="{y}" preserveAspectRatio="xMidYMid meet"', 1)
        nested = _set_size(nested, _TILE_WIDTH, body_height)
        parts.append(nested)
        parts.append(f'<text x="{x + _TILE_WIDTH / 2:.1f}" y="{y + body_height + 21:.1f}" text-anchor="middle" '
                     f'font-size="15" fill="#222222">{escape(theme)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _set_size(svg: str, width: float, height: float) -> str:
    """Replace the root element's width and height attributes."""
    import re

    head_end = svg.index(">")
    head = svg[:head_end]
    head = re.sub(r'\swidth="[^"]*"', f' width="{width:.1f}"', head, count=1)
    head = re.sub(r'\sheight="[^"]*"', f' height="{height:.1f}"', head, count=1)
    return head + svg[head_end:]


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else here
    for path in build(target):
        print(path)
