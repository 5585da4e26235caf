"""Costs of the hostile-input defences (issue 11).

- the worst input inside the budgets found so far: n layers each adding all earlier ones
  (n = 141: 9,870 edges, just under the 10,000-edge budget); target: renders in <= 15 s on one core;
- the largest model the layer budget allows: a 50,000-layer Sequential `.json`, rendered to SVG by the
  whole CLI process (start-up, reading, grouping, layout, SVG); target <= 15 s;
- a legacy `.h5` model_config read in the isolated child process against the same read in this process.

    PYTHONPATH=. python benchmarks/bench_hostile.py [--runs 3] [--layers 141] [--chain 50000]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kerasvg import budgets, layered_view  # noqa: E402
from kerasvg.zoo import all_to_all_config  # noqa: E402
from kerasvg.readers.saved import graph_from_config, h5_model_config, read_saved_model  # noqa: E402


def cpu_seconds(action, runs: int):
    times = []
    for _ in range(runs):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return min(times), statistics.median(times)


def chain_config(n: int) -> dict:
    layers = [{"class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, 32]}}]
    layers += [{"class_name": "Dense", "config": {"name": f"dense_{i}", "units": 32}} for i in range(n - 1)]
    return {"class_name": "Sequential", "config": {"name": "chain", "layers": layers}}


def cli_render(source: Path, target: Path):
    """Wall and CPU seconds of one `kerasvg render` process (its own CPU time, from wait4)."""
    code = f"from kerasvg.cli import main; raise SystemExit(main(['render', {str(source)!r}, '-o', {str(target)!r}]))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"the render failed (status {status})")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--layers", type=int, default=141)
    parser.add_argument("--chain", type=int, default=50_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "chain.json", Path(folder) / "chain.svg"
        source.write_text(json.dumps(chain_config(args.chain)))
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu = cli_render(source, target)
            walls.append(wall)
            cpus.append(cpu)
        print(f"{args.chain:,}-layer Sequential .json -> SVG, whole CLI: {statistics.median(walls):.2f} s wall, "
              f"{statistics.median(cpus):.2f} s CPU (medians of {args.runs}); target <= 15 s")

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
