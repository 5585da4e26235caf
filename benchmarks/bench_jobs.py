"""`kerasvg render` of a 20-file batch to SVG, PNG and PDF with --jobs 1 and --jobs 2 (whole process).

Each file is a copy of the built-in demo model (a ResNet-style CNN config), so no TensorFlow is needed.

    PYTHONPATH=. python benchmarks/bench_jobs.py [--runs 3] [--files 20] [--formats svg,png,pdf]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "kerasvg" / "examples" / "demo_resnet.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--formats", default="svg,png,pdf")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        models = []
        for i in range(args.files):
            path = Path(tmp) / f"model{i:02d}.json"
            shutil.copyfile(DEMO, path)
            models.append(str(path))
        medians = {}
        for jobs in (1, 2):
            times = []
            for run in range(args.runs):
                out = Path(tmp) / f"out-{jobs}-{run}"
                command = [sys.executable, "-m", "kerasvg", "render", *models, "-o", f"{out}/",
                           "--format", args.formats, "--jobs", str(jobs)]
                start = time.perf_counter()
                subprocess.run(command, check=True, env=env, capture_output=True)
                times.append(time.perf_counter() - start)
            medians[jobs] = statistics.median(times)
            print(f"--jobs {jobs}: median {medians[jobs]:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})")
        same = all((Path(tmp) / "out-1-0" / name).read_bytes() == (Path(tmp) / "out-2-0" / name).read_bytes()
                   for name in os.listdir(Path(tmp) / "out-1-0"))
    print(f"{args.files} files x {args.formats} on {os.cpu_count()} cores: --jobs 2 is "
          f"{medians[1] / medians[2]:.2f}x as fast as --jobs 1; identical bytes: {same}")
    print(f"load average during the runs: {os.getloadavg()[0]:.1f} (a speed-up needs idle cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
