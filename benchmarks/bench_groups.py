"""Grouping speed: ResNet50 → SVG with `groups="auto"` at each detail level, against the plain layer-level
render (`groups=False`), in one process.

Target (issue 9): every grouped render takes at most 1.5× the plain one. Model construction and reading
are excluded (the model is read once into a ModelGraph); each row is the median of several runs.

    PYTHONPATH=. python benchmarks/bench_groups.py [--runs 9] [--model ResNet50]
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
from kerasvg.readers.live import read_model  # noqa: E402

TARGET = 1.5
CASES = (
    ("plain (groups=False)", {"groups": False}),
    ("groups=auto, layers", {"groups": "auto", "detail": "layers"}),
    ("groups=auto, blocks", {"groups": "auto", "detail": "blocks"}),
    ("groups=auto, stages", {"groups": "auto", "detail": "stages"}),
)


def median_ms(graph, options, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        kerasvg.layered_view(graph, **options).to_svg()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--model", default="ResNet50")
    args = parser.parse_args(argv)
    graph, _ = read_model(zoo.application(args.model))
    for _, options in CASES:  # warm caches (themes, imports)
        kerasvg.layered_view(graph, **options).to_svg()
    plain = None
    failed = False
    print(f"{args.model} ({len(graph.layers)} layers) → SVG, median of {args.runs}")
    for label, options in CASES:
        ms = median_ms(graph, options, args.runs)
        plain = plain if plain is not None else ms
        ratio = ms / plain
        verdict = "" if label.startswith("plain") else ("  ok" if ratio <= TARGET else f"  OVER {TARGET}×")
        failed |= ratio > TARGET
        print(f"  {label:<22} {ms:8.1f} ms  {ratio:5.2f}×{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
