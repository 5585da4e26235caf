"""Raster speed: ResNet50 and DenseNet121 → PNG drawn from the scene (cairo), against the same PNG through the
SVG text and cairosvg (the path before issue 22), → SVG, and against visualkeras 0.2.0's `layered_view`, in one
run on one machine, interleaved round by round so a change in the machine's load hits every column alike.

Each time is a whole `layered_view(model)` call (reader included) plus the output: `.to_png()`, the old path
(`svg.write` + cairosvg, as `raster.write` did), or `.to_svg()`. visualkeras runs in its own interpreter (it
draws Keras 2 models through tf_keras): give one that has it,

    python3.11 -m venv /tmp/vk && /tmp/vk/bin/pip install visualkeras==0.2.0 tf-keras tensorflow
    PYTHONPATH=. python benchmarks/bench_raster.py --runs 7 --visualkeras /tmp/vk/bin/python

In each round every case, and then visualkeras, renders `--burst` times back to back, each render timed: the
first render after the other interpreter has run is slowed (TensorFlow's worker threads there keep spinning on
this machine's 2 cores, and caches are cold), and a burst treats both tools alike. Medians are over all renders.

visualkeras's time is `layered_view(model)` alone (a PIL image, nothing encoded); `--visualkeras-save` adds the PNG
encoding of that image. Targets (issue 22): PNG at least 8× faster than visualkeras, SVG at least 40×.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import List

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kerasvg  # noqa: E402
from kerasvg import zoo  # noqa: E402
from kerasvg.writers import raster  # noqa: E402
from kerasvg.writers import svg as svg_writer  # noqa: E402

MODELS = ("ResNet50", "DenseNet121")
PNG_TARGET, SVG_TARGET = 8.0, 40.0

# The visualkeras side: a loop in the other interpreter, timing one layered_view per model name read from stdin.
VISUALKERAS_CHILD = r"""
import io, json, os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
import tf_keras, visualkeras
save = sys.argv[1] == "save"
models = {}
print(json.dumps({"ready": visualkeras.__version__ if hasattr(visualkeras, "__version__") else "?"}), flush=True)
for line in sys.stdin:
    name, burst = line.split()
    if name not in models:
        models[name] = getattr(tf_keras.applications, name)(weights=None)
        visualkeras.layered_view(models[name])  # warm-up
    seconds = []
    for _ in range(int(burst)):
        start = time.perf_counter()
        image = visualkeras.layered_view(models[name])
        if save:
            image.save(io.BytesIO(), format="PNG")
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "size": list(image.size)}), flush=True)
"""


def old_png(model) -> bytes:
    """The path before issue 22: the scene written as SVG text, parsed and drawn again by cairosvg."""
    d = kerasvg.layered_view(model)
    scale, dpi, _, _ = raster.pixel_size(d.scene, replace(d.options, format="png"))
    svg = svg_writer.write(d.scene, d.theme, replace(d.options, format="svg"))
    return raster.to_png(svg, scale, dpi)


CASES = {
    "svg": lambda model: kerasvg.layered_view(model).to_svg(),
    "png": lambda model: kerasvg.layered_view(model).to_png(),
    "png via cairosvg": old_png,
}


class VisualKeras:
    """visualkeras 0.2.0 in another interpreter, asked for one timed render at a time."""

    def __init__(self, python: str, save: bool):
        self.process = subprocess.Popen([python, "-c", VISUALKERAS_CHILD, "save" if save else "view"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.version = json.loads(self._line())["ready"]

    def _line(self) -> str:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the visualkeras interpreter exited (is visualkeras 0.2.0 with tf_keras installed?)")
        return line

    def time(self, name: str, burst: int) -> List[float]:
        """Seconds of each of `burst` renders back to back."""
        self.process.stdin.write(f"{name} {burst}\n")
        self.process.stdin.flush()
        return json.loads(self._line())["seconds"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def spread(times) -> str:
    return f"{statistics.median(times) * 1000:8.1f} ms  ({min(times) * 1000:.1f}–{max(times) * 1000:.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds (each times every case once); at least 5")
    parser.add_argument("--burst", type=int, default=3,
                        help="renders of each case (and of visualkeras) back to back in a round; all are timed")
    parser.add_argument("--model", action="append", choices=MODELS, help="repeatable; default: both")
    parser.add_argument("--visualkeras", metavar="PYTHON", help="an interpreter with visualkeras 0.2.0 and tf_keras")
    parser.add_argument("--visualkeras-save", action="store_true", help="time visualkeras's PNG encoding too")
    args = parser.parse_args()
    names = args.model or list(MODELS)
    vk = VisualKeras(args.visualkeras, args.visualkeras_save) if args.visualkeras else None
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
          flush=True)
    failed = False
    try:
        for name in names:
            model = zoo.application(name)
            d = kerasvg.layered_view(model)
            png = io.BytesIO(d.to_png())
            print(f"\n{name}: {len(model.layers)} layers, PNG {d.size[0]} x {d.size[1]} px, "
                  f"{len(png.getvalue()):,} bytes", flush=True)
            for case in CASES.values():  # warm-up: imports, fonts, caches
                case(model)
            times = {case: [] for case in CASES}
            if vk is not None:
                times["visualkeras 0.2.0"] = []
            for _ in range(max(args.runs, 1)):
                for case, run in CASES.items():
                    for _ in range(args.burst):
                        start = time.perf_counter()
                        run(model)
                        times[case].append(time.perf_counter() - start)
                if vk is not None:
                    times["visualkeras 0.2.0"] += vk.time(name, args.burst)
            for case, values in times.items():
                print(f"  {case:<18} {spread(values)}")
            median = {case: statistics.median(values) for case, values in times.items()}
            print(f"  PNG from the scene: {median['png via cairosvg'] / median['png']:.1f}x faster than via cairosvg")
            if vk is not None:
                reference = median["visualkeras 0.2.0"]
                for case, target in (("png", PNG_TARGET), ("svg", SVG_TARGET)):
                    ratio = reference / median[case]
                    verdict = "pass" if ratio >= target else "FAIL"
                    failed |= ratio < target
                    print(f"  {case.upper()}: {ratio:.1f}x faster than visualkeras (target {target:.0f}x): {verdict}")
    finally:
        if vk is not None:
            vk.close()
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
