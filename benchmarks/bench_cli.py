"""Whole-process time of `kerasvg render resnet50.keras` (SVG and PNG) against `python -c "import tensorflow"`.

Targets (issue 6): SVG well under a quarter of the TensorFlow import; PNG at most 2 s.

    PYTHONPATH=. python benchmarks/bench_cli.py [--runs 5] [--model path/to/resnet50.keras]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_resnet50(path: Path) -> None:
    """Save keras.applications.ResNet50(weights=None) (offline) in a child process."""
    code = f"import keras; keras.applications.ResNet50(weights=None).save({str(path)!r})"
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(), capture_output=True)


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")


def timed(command, runs: int):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=_env(), capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", type=Path, default=None, help="a saved resnet50.keras (built if not given)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or Path(tmp) / "resnet50.keras"
        if not model.exists():
            print("building resnet50.keras (weights=None) ...", file=sys.stderr)
            build_resnet50(model)
        kerasvg = [sys.executable, "-m", "kerasvg", "render", str(model)]
        rows = [
            ('python -c "import tensorflow"', [sys.executable, "-c", "import tensorflow"]),
            ("kerasvg render resnet50.keras -o resnet50.svg", kerasvg + ["-o", str(Path(tmp) / "resnet50.svg")]),
            ("kerasvg render resnet50.keras -o resnet50.png", kerasvg + ["-o", str(Path(tmp) / "resnet50.png")]),
            ('python -c "import kerasvg"', [sys.executable, "-c", "import kerasvg"]),
        ]
        results = [(label, *timed(command, args.runs)) for label, command in rows]
        svg_size = (Path(tmp) / "resnet50.svg").stat().st_size
        png_size = (Path(tmp) / "resnet50.png").stat().st_size
    tf_median = results[0][2]
    width = max(len(label) for label, _, _ in results)
    print(f"{'command':<{width}}  {'best s':>7}  {'median s':>8}  {'vs TF import':>12}")
    for label, best, median in results:
        print(f"{label:<{width}}  {best:7.2f}  {median:8.2f}  {median / tf_median:11.0%}")
    print(f"\nresnet50.svg {svg_size:,} bytes, resnet50.png {png_size:,} bytes; {args.runs} runs each")
    svg_ok = results[1][2] < tf_median / 4
    png_ok = results[2][2] <= 2.0
    print(f"SVG under a quarter of the TensorFlow import: {'yes' if svg_ok else 'NO'}; PNG <= 2 s: {'yes' if png_ok else 'NO'}")
    return 0 if svg_ok and png_ok else 1


if __name__ == "__main__":
    sys.exit(main())
