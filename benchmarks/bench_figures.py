"""What the legend and the block key cost: ResNet50 → SVG with and without them, in one process.

Target (issue 19): the block key and the legend add at most 10 % to a ResNet50 render, at the defaults
(legend only: no glyphs, so no key), at `detail="blocks"` and at `width="3.5in"` (both drawn). The model
is read once into a ModelGraph; each row is the median of several runs.

    PYTHONPATH=. python benchmarks/bench_figures.py [--runs 9] [--model ResNet50]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_groups import application_graphs, arguments, median_ms  # noqa: E402

import kerasvg  # noqa: E402

TARGET = 1.10
WITHOUT = {"legend": False, "block_key": False}
CASES = (
    ("defaults", {}),
    ('detail="blocks"', {"detail": "blocks"}),
    ('width="3.5in"', {"width": "3.5in"}),
)


def main(argv=None) -> int:
    args = arguments(__doc__.splitlines()[0], argv)
    failed = False
    for model, graph in application_graphs(args.model or ["ResNet50"]):
        print(f"{model} → SVG, median of {args.runs}: without legend and key / with them")
        for label, options in CASES:
            kerasvg.layered_view(graph, **options).to_svg()  # warm caches
            bare = median_ms(graph, {**options, **WITHOUT}, args.runs)
            full = median_ms(graph, options, args.runs)
            ratio = full / bare
            failed |= ratio > TARGET
            verdict = "ok" if ratio <= TARGET else f"OVER {TARGET}×"
            print(f"  {label:<18} {bare:7.1f} ms  {full:7.1f} ms  {ratio:5.2f}×  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
