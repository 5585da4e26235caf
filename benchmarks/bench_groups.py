"""Grouping speed: ResNet50 and DenseNet121 → SVG with `groups="auto"` at each detail level, against the
plain layer-level render (`groups=False`), in one process.

Targets: the default render (groups found automatically) takes at most 1.15× the plain one (issue 18);
every other grouped render at most 1.5× (issue 9). Model construction and reading are excluded (the model
is read once into a ModelGraph); each row is the median of several runs, the cases taking turns.

    PYTHONPATH=. python benchmarks/bench_groups.py [--runs 9] [--model ResNet50 --model DenseNet121]
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
DEFAULT_TARGET = 1.15
CASES = (
    ("plain (groups=False)", {"groups": False}),
    ("default", {}),
    ("groups=auto, layers", {"groups": "auto", "detail": "layers"}),
    ("groups=auto, blocks", {"groups": "auto", "detail": "blocks"}),
    ("groups=auto, stages", {"groups": "auto", "detail": "stages"}),
)


def medians_ms(graph, cases, runs):
    """Median ms of each case's render to SVG, the cases taking turns round by round (so a change in the
    machine's load hits them alike)."""
    times = {label: [] for label, _ in cases}
    for _ in range(runs):
        for label, options in cases:
            start = time.perf_counter()
            kerasvg.layered_view(graph, **options).to_svg()
            times[label].append((time.perf_counter() - start) * 1000)
    return {label: statistics.median(values) for label, values in times.items()}


def arguments(description: str, argv=None) -> argparse.Namespace:
    """--runs and --model (repeatable), as the SVG timing benchmarks take them."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--model", action="append")
    return parser.parse_args(argv)


def application_graphs(models):
    """(name, ModelGraph) of each `keras.applications` model named, read once."""
    for model in models:
        yield model, read_model(zoo.application(model))[0]


def main(argv=None) -> int:
    args = arguments(__doc__.splitlines()[0], argv)
    failed = False
    for model, graph in application_graphs(args.model or ["ResNet50", "DenseNet121"]):
        for _, options in CASES:  # warm caches (themes, imports)
            kerasvg.layered_view(graph, **options).to_svg()
        print(f"{model} ({len(graph.layers)} layers) → SVG, median of {args.runs}, cases taking turns")
        medians = medians_ms(graph, CASES, args.runs)
        plain = medians[CASES[0][0]]
        for label, _ in CASES:
            ms = medians[label]
            ratio = ms / plain
            target = DEFAULT_TARGET if label == "default" else TARGET
            verdict = "" if label.startswith("plain") else ("  ok" if ratio <= target else f"  OVER {target}×")
            failed |= ratio > target
            print(f"  {label:<22} {ms:8.1f} ms  {ratio:5.2f}×{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
