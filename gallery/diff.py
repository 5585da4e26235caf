"""Regenerate the diff pictures: what `kerasvg.diff` draws for two typical changes.

    python gallery/diff.py [OUT_DIR]          # default: gallery/diff beside this file

writes OUT_DIR/small-cnn-v1-v2.svg|.png (a CNN revised: the first convolution renamed, a normalization
added, a convolution widened, Flatten swapped for global pooling, the dropout dropped) and OUT_DIR/resnet50-widened.svg|.png
(ResNet50 with `conv4_block3_2_conv`'s filters doubled).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else HERE / "diff"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from kerasvg import zoo
    from kerasvg.comparison.compare import compare, render, summary_lines

    pairs = {
        "small-cnn-v1-v2": (zoo.small_cnn(), zoo.small_cnn_revised(), {}),
    }
    resnet50 = keras.applications.ResNet50(weights=None)
    pairs["resnet50-widened"] = (resnet50, zoo.resnet50_widened(resnet50), {})
    for name, (a, b, options) in pairs.items():
        result = compare(a, b)
        diagram = render(result, **options)
        diagram.save(out / f"{name}.svg")
        diagram.save(out / f"{name}.png", scale=2 if len(result.layers) < 60 else 1.5)
        print(f"{name}: {diagram.width:.0f} x {diagram.height:.0f} px")
        print("\n".join("  " + line for line in summary_lines(result)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
