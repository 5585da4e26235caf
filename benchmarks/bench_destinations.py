"""Speed of the destination writers on ResNet50 (177 layers): TikZ, PowerPoint, text="paths", theme="auto".

No targets yet; the rows make a regression visible. Each row is the median of several runs, the
diagram's layout excluded (it is built once).

    PYTHONPATH=. python benchmarks/bench_destinations.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kerasvg  # noqa: E402
from kerasvg import zoo  # noqa: E402


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    model = zoo.application("ResNet50")
    diagram = kerasvg.layered_view(model)
    rows = {
        "layered_view → SVG": lambda: kerasvg.layered_view(model).to_svg(),
        "to_tikz(standalone=True)": lambda: diagram.to_tikz(standalone=True),
        "to_pptx()": diagram.to_pptx,
        'layered_view(text="paths")': lambda: kerasvg.layered_view(model, text="paths"),
        'layered_view(theme="auto")': lambda: kerasvg.layered_view(model, theme="auto"),
    }
    for name, action in rows.items():
        print(f"{name:32} {median_seconds(action, args.runs) * 1000:9.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
