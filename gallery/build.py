"""Regenerate the gallery: the model zoo (default theme, and wrapped at aspect 16:9) and the theme strip.

    python gallery/build.py [OUT_DIR]          # default: the gallery/ folder beside this file

writes OUT_DIR/zoo/{model}-default.svg|.png, OUT_DIR/zoo/{model}-16x9.svg|.png, and for some models
-expanded (expand_nested), -blocks and -3.5in for the U-Net and transformers, -tb (direction="tb") and -folded (fold_repeats), and for the keras.applications
models -blocks and -stages (detail=) and -3.5in (width="3.5in", PNG at 300 dpi); OUT_DIR/themes/... and
OUT_DIR/themes-strip.png.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


GALLERY_ONLY_APPLICATIONS = ("NASNetMobile", "ConvNeXtTiny")


def build_zoo(out: Path) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import kerasvg
    from kerasvg import zoo

    out.mkdir(parents=True, exist_ok=True)
    builders = dict(zoo.CUSTOM)
    applications = zoo.APPLICATIONS + GALLERY_ONLY_APPLICATIONS
    builders.update({name.lower(): (lambda n=name: zoo.application(n)) for name in applications})
    for name, build in builders.items():
        model = build()
        variants = {"default": {}, "16x9": {"aspect": 16 / 9}}
        if name == "nested-classifier":
            variants["expanded"] = {"expand_nested": True}
        if name in ("small-cnn", "residual-block", "two-in-two-out", "resnet50"):
            variants["tb"] = {"direction": "tb", "aspect": 0.7} if name == "resnet50" else {"direction": "tb"}
        if name in ("unet", "transformer-encoder", "vision-transformer"):
            variants.update({"blocks": {"detail": "blocks"}, "3.5in": {"width": "3.5in"}})
        if name == "resnet50":
            variants["folded"] = {"fold_repeats": True}
        if name in (a.lower() for a in applications):
            variants.update({"blocks": {"detail": "blocks"}, "stages": {"detail": "stages"},
                             "3.5in": {"width": "3.5in"}})
        for tag, options in variants.items():
            started = time.perf_counter()
            diagram = kerasvg.layered_view(model, **options)
            diagram.save(out / f"{name}-{tag}.svg")
            diagram.save(out / f"{name}-{tag}.png", **({"dpi": 300} if "width" in options else {}))
            print(f"{name}-{tag}: {len(diagram.graph.layers)} {diagram.detail}, {diagram.vector_size[0]:.0f} x {diagram.vector_size[1]:.0f} px, "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms", flush=True)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else HERE
    build_zoo(out / "zoo")
    import themes

    themes.build(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
