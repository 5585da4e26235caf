"""Diff speed: `compare` (matching + statuses) and `render` (the union drawn to SVG) on ModelGraphs.

Pairs: ResNet50 vs itself with one convolution widened, ResNet50 vs DenseNet121 (unrelated: nothing
pairs by name but the input), and two 2,000-layer Sequential chains with every layer renamed (the
structural pass pairs them one round per layer along the chain). Graph reading is excluded; each row is
the median of several runs.

    PYTHONPATH=. python benchmarks/bench_diff.py [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kerasvg.comparison.compare import compare, render  # noqa: E402
from kerasvg.graph.model import Layer, ModelGraph  # noqa: E402
from kerasvg.readers.saved import graph_from_config  # noqa: E402


def chain(n: int, prefix: str) -> ModelGraph:
    names = ["input"] + [f"{prefix}{i}" for i in range(n - 1)]
    layers = tuple(Layer(name, "InputLayer" if i == 0 else "Dense", ((None, 64),), 0 if i == 0 else 4160)
                   for i, name in enumerate(names))
    return ModelGraph(f"chain_{prefix}", layers, tuple(zip(names, names[1:])))


def pairs():
    import keras

    resnet = json.loads(keras.applications.ResNet50(weights=None).to_json())
    wide = json.loads(json.dumps(resnet))
    for entry in wide["config"]["layers"]:
        if entry["config"]["name"] == "conv4_block3_2_conv":
            entry["config"]["filters"] *= 2
        entry.pop("build_config", None)
    wide = json.loads(keras.models.model_from_json(json.dumps(wide)).to_json())  # shapes rebuilt to fit
    densenet = json.loads(keras.applications.DenseNet121(weights=None).to_json())
    a = graph_from_config(resnet)
    return {
        "ResNet50 vs one conv widened": (a, graph_from_config(wide)),
        "ResNet50 vs DenseNet121": (a, graph_from_config(densenet)),
        "2,000-layer chains, all renamed": (chain(2000, "a"), chain(2000, "b")),
    }


def median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"{'pair':<34} {'compare':>10} {'render SVG':>11}  statuses")
    for name, (a, b) in pairs().items():
        result = compare(a, b)
        counts = {s: result.count(s) for s in ("same", "changed", "added", "removed") if result.count(s)}
        cmp_ms = median_ms(lambda: compare(a, b), args.runs)
        svg_ms = median_ms(lambda: render(result).to_svg(), args.runs)
        print(f"{name:<34} {cmp_ms:>8.0f} ms {svg_ms:>8.0f} ms  {counts}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
