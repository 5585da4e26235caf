"""Time the weight read that gives saved-file parameter counts (issue 10).

Budget: reading `model.weights.h5` adds at most 0.2 s to ResNet50's `.keras` and 0.6 s to
InceptionResNetV2's. Compares `read_saved_model` with and without the weight read, in this process
(kerasvg.readers.hdf5, pure Python), and shows what the fallback for files it does not read (h5py in an
isolated child process) would cost.

    PYTHONPATH=. python benchmarks/bench_weights.py [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_cli import _env

BUDGETS = {"ResNet50": 0.2, "InceptionResNetV2": 0.6}


def build(name: str, path: Path) -> None:
    code = f"import keras; keras.applications.{name}(weights=None).save({str(path)!r})"
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(), capture_output=True)


def timed(read, path, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        read(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import kerasvg.readers.files as files_module
    import kerasvg.readers.saved as savedfile
    from kerasvg.readers.isolate import run_isolated
    from kerasvg.readers.weights import weights_location

    with_weights = savedfile.read_saved_model
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        for name, budget in BUDGETS.items():
            path = Path(folder) / f"{name}.keras"
            build(name, path)
            full = timed(with_weights, path, args.runs)
            original = files_module._archive_weights
            files_module._archive_weights = lambda *a, **k: None
            try:
                bare = timed(with_weights, path, args.runs)
            finally:
                files_module._archive_weights = original
            extra = full - bare
            ok = extra <= budget
            failed |= not ok
            print(f"{name}: config only {bare:.3f} s, with weights {full:.3f} s, weights add {extra:.3f} s "
                  f"(budget {budget} s) {'ok' if ok else 'OVER'}")
            location = weights_location(path)
            child = timed(lambda p: run_isolated(savedfile.weight_tree_or_none, str(p), *location), path, args.runs)
            print(f"  the h5py fallback in an isolated child would take {child:.3f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
