"""Costs of the hostile-input defences (issue 11).

- the worst input inside the budgets found so far: n layers each adding all earlier ones
  (n = 141: 9,870 edges, just under the 10,000-edge budget); target: renders in <= 15 s on one core;
- a legacy `.h5` model_config read in the isolated child process against the same read in this process.

    PYTHONPATH=. python benchmarks/bench_hostile.py [--runs 3] [--layers 141]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kerasvg import budgets, layered_view  # noqa: E402
from kerasvg.zoo import all_to_all_config  # noqa: E402
from kerasvg.savedfile import graph_from_config, h5_model_config, read_saved_model  # noqa: E402


def cpu_seconds(action, runs: int):
    times = []
    for _ in range(runs):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return min(times), statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--layers", type=int, default=141)
    args = parser.parse_args()

    config = all_to_all_config(args.layers)
    edges = args.layers * (args.layers - 1) // 2
    with budgets.override(edges=max(edges, 10_000)):
        graph = graph_from_config(config)
        best, median = cpu_seconds(lambda: layered_view(graph).to_svg(), args.runs)
    print(f"{args.layers}-layer all-to-all ({edges:,} edges) -> SVG: {median:.2f} s CPU median ({best:.2f} best); "
          f"target <= 15 s")

    try:
        import h5py
    except ImportError:
        print("h5py missing: skipping the .h5 isolation cost")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "legacy.h5"
        small = {"class_name": "Sequential", "config": {"name": "m", "layers": [
            {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [None, 8]}},
            {"class_name": "Dense", "config": {"name": "d", "units": 4}}]}}
        with h5py.File(path, "w") as handle:
            handle.attrs["model_config"] = json.dumps(small)
        walls = {}
        for label, action in (("isolated child", lambda: read_saved_model(path)),
                              ("in this process", lambda: h5_model_config(str(path), 1 << 26))):
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                action()
                times.append(time.perf_counter() - start)
            walls[label] = statistics.median(times)
        print(f".h5 model_config read: {walls['isolated child'] * 1000:.0f} ms in the isolated child, "
              f"{walls['in this process'] * 1000:.1f} ms in this process (h5py already imported)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
