"""In-process render speed: `layered_view(model).to_svg()` (reader included) and `.to_png()`.

Targets (issue 2 and issue 5), on the 2-core reference machine:
  ResNet50 → SVG ≤ 40 ms, → PNG ≤ 1.5 s; 2,000-layer Sequential → SVG ≤ 1 s;
  DenseNet121 (429 layers) → SVG ≤ 150 ms; 5,000-layer model → SVG ≤ 5 s;
  time growing linearly in layer count (the 1,000 / 2,000 / 5,000-layer rows show the growth).
Model construction is excluded from timing. Each row is the median of several runs, and a
per-stage breakdown (read_model, layout, SVG writing, raster) makes a regression attributable.

    PYTHONPATH=. python benchmarks/bench_render.py [--runs 7] [--only resnet50,densenet121]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kerasvg  # noqa: E402
from kerasvg.layout import items as layout_items  # noqa: E402
from kerasvg.readers import live as reader  # noqa: E402
from kerasvg.writers import raster  # noqa: E402
from kerasvg.writers import svg as svg_writer  # noqa: E402

STAGES = ("read_model", "layout", "svg", "raster")


class StageClock:
    """Accumulates wall time per pipeline stage by wrapping the stage functions."""

    def __init__(self):
        self.totals = dict.fromkeys(STAGES, 0.0)
        self._patch(reader, "read_model", "read_model")
        self._patch(layout_items, "layout", "layout")
        self._patch(svg_writer, "draw", "svg")
        self._patch(raster, "to_png", "raster")

    def _patch(self, module, attribute, stage):
        original = getattr(module, attribute)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.totals[stage] += time.perf_counter() - start

        setattr(module, attribute, timed)

    def reset(self):
        self.totals = dict.fromkeys(STAGES, 0.0)


def chain_model(keras, layer_count: int, name: str):
    """A Sequential of repeated Dense / BatchNormalization / Activation blocks, `layer_count` layers besides the input."""
    kinds = (
        lambda i: keras.layers.Dense(16, name=f"dense_{i}"),
        lambda i: keras.layers.BatchNormalization(name=f"bn_{i}"),
        lambda i: keras.layers.Activation("relu", name=f"act_{i}"),
    )
    layers = [keras.Input((16,), name="input")] + [kinds[i % 3](i) for i in range(layer_count)]
    return keras.Sequential(layers, name=name)


def build_deep(builder, keras):
    """Keras maps the graph recursively: deep models need a raised recursion limit and a big stack."""
    result = {}

    def work():
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 100_000))
        try:
            result["model"] = builder(keras)
        except BaseException as exc:  # re-raised in the calling thread
            result["error"] = exc
        finally:
            sys.setrecursionlimit(limit)

    threading.stack_size(1 << 29)
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    threading.stack_size(0)
    if "error" in result:
        raise result["error"]
    return result["model"]


MODELS = {
    "resnet50": lambda keras: keras.applications.ResNet50(weights=None),
    "densenet121": lambda keras: keras.applications.DenseNet121(weights=None),
    "seq1000": lambda keras: chain_model(keras, 1000, "seq1000"),
    "seq2000": lambda keras: chain_model(keras, 2000, "seq2000"),
    "seq5000": lambda keras: chain_model(keras, 5000, "seq5000"),
}
LINEAR_SLACK = 1.5
# (model, output, target seconds, runs)
CASES = (
    ("resnet50", "svg", 0.040, None),
    ("resnet50", "png", 1.5, 5),
    ("densenet121", "svg", 0.150, None),
    ("seq1000", "svg", None, 5),
    ("seq2000", "svg", 1.0, 5),
    ("seq5000", "svg", 5.0, 3),
)


def run_case(model, output: str, runs: int, clock: StageClock):
    times, stages = [], []
    kerasvg.layered_view(model).to_svg()  # warm-up: imports, theme cache
    for _ in range(runs):
        clock.reset()
        start = time.perf_counter()
        diagram = kerasvg.layered_view(model)
        result = diagram.to_svg() if output == "svg" else diagram.to_png()
        times.append(time.perf_counter() - start)
        stages.append(dict(clock.totals))
    total = statistics.median(times)
    breakdown = {s: statistics.median(run[s] for run in stages) for s in STAGES}
    breakdown["other"] = max(0.0, total - sum(breakdown.values()))
    return total, min(times), breakdown, len(result)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per case (the 5,000-layer case uses 3)")
    parser.add_argument("--only", default="", help="comma-separated model names: " + ", ".join(MODELS))
    args = parser.parse_args()
    only = {m.strip() for m in args.only.split(",") if m.strip()}
    unknown = only - set(MODELS)
    if unknown:
        parser.error(f"unknown model(s) {sorted(unknown)}; choose from {', '.join(MODELS)}")

    import keras

    clock = StageClock()
    built, rows = {}, []
    for name, output, target, runs in CASES:
        if only and name not in only:
            continue
        if name not in built:
            print(f"building {name} ...", file=sys.stderr, flush=True)
            built[name] = build_deep(MODELS[name], keras)
        model = built[name]
        count = min(args.runs, runs) if runs else args.runs
        total, best, breakdown, size = run_case(model, output, count, clock)
        rows.append((name, len(model.layers), output, count, total, best, target, breakdown, size))
        print(f"  {name} → {output}: {total * 1000:.1f} ms", file=sys.stderr, flush=True)

    header = f"{'model':<12} {'layers':>6} {'out':<4} {'runs':>4} {'median ms':>10} {'best ms':>9} {'target ms':>9}  result"
    print(header)
    print("-" * len(header))
    failed = False
    for name, layers, output, runs, total, best, target, _, _ in rows:
        verdict = "-" if target is None else ("pass" if total <= target else "FAIL")
        failed |= verdict == "FAIL"
        target_text = "-" if target is None else f"{target * 1000:.0f}"
        print(f"{name:<12} {layers:>6} {output:<4} {runs:>4} {total * 1000:10.1f} {best * 1000:9.1f} {target_text:>9}  {verdict}")

    print("\nper-stage medians, ms (other = Diagram, theme, sizing, labels, options)")
    print(f"{'model':<12} {'out':<4} " + " ".join(f"{s:>10}" for s in STAGES + ("other",)) + f" {'bytes':>10}")
    for name, _, output, _, _, _, _, breakdown, size in rows:
        print(f"{name:<12} {output:<4} " + " ".join(f"{breakdown[s] * 1000:10.1f}" for s in STAGES + ("other",))
              + f" {size:>10,}")

    chains = sorted((layers, total, name) for name, layers, output, _, total, *_ in rows if name.startswith("seq"))
    if len(chains) >= 2:
        print(f"\nlinear growth: ms per layer (pass if the largest model's is at most {LINEAR_SLACK}x the smallest's)")
        for layers, total, name in chains:
            print(f"  {name:<10} {total / layers * 1000:.3f}")
        ratio = (chains[-1][1] / chains[-1][0]) / (chains[0][1] / chains[0][0])
        linear = ratio <= LINEAR_SLACK
        failed |= not linear
        print(f"  ratio {ratio:.2f}: {'pass' if linear else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
