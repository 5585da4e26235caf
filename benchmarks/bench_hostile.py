"""Costs of the hostile-input defences (issues 11 and 21).

- the worst input inside the budgets found so far: n layers each adding all earlier ones
  (n = 141: 9,870 edges, just under the 10,000-edge budget); target: renders in <= 15 s on one core;
- the largest model the layer budget allows: a 50,000-layer Sequential `.json`, rendered to SVG by the
  whole CLI process (start-up, reading, grouping, layout, SVG); target <= 15 s;
- the giants of issue 21, each a whole `kerasvg` process (wall time and its own peak memory): a 49,990-layer
  Keras 3 functional chain (render, and `kerasvg diff` against a renamed copy: target 30 s for two models),
  a 49,999-layer Sequential of Dense and SpacingDummyLayer by turns (plain, `--hide-types Dense`,
  `--fold-repeats`), a 49,999-layer Dense chain with `--fold-repeats`, 30,000 ops used only as a mask, and a
  hub of 50 inputs -> one spacer -> 2,000 Dense (refused by the edges budget); target <= 15 s, <= 1.5 GB;
- every writer on the giants (issue 21 §2): the 49,990-layer chain to PNG, JPEG, HTML and TeX (target <= 15 s,
  <= 1.5 GB), to PDF and PowerPoint (refused before layout by `pdf_boxes` and `pptx_boxes`: target <= 5 s),
  and a chain at each of those two limits to its format (target <= 15 s, <= 1.5 GB);
- issue 21's hostile shapes, refused as one line in <= 5 s unless said otherwise: a Dense layer called 60,000
  times (calls budget), a tensor index of 10**7 (outputs), a theme padding of 16,250 px asked for as PNG
  (pixels), 30,000 glob style keys on a 1,000-layer model (globs; and drawn with --budget globs=30000, <= 15 s),
  a `.keras` of 1,390,000 zip entries (zip_entries), and a legacy `.h5` that keeps h5py busy (stopped by the
  child's wall-clock limit, <= 15 s);
- a legacy `.h5` model_config read in the isolated child process against the same read in this process.

    PYTHONPATH=. python benchmarks/bench_hostile.py [--runs 3] [--layers 141] [--chain 50000] [--no-giants]
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
sys.path.insert(0, str(ROOT / "tests"))  # the measured-CLI script and the hand-made archive of the hostile tests

from test_hostile import MEASURED_SCRIPT  # noqa: E402

from kerasvg import budgets, layered_view  # noqa: E402
from kerasvg.readers.saved import graph_from_config, h5_model_config, read_saved_model  # noqa: E402
from kerasvg.zoo import all_to_all_config  # noqa: E402


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


def cli_measured(*args: str):
    """(exit status, wall seconds, the process's own peak RSS in MiB) of one `kerasvg` process."""
    with tempfile.TemporaryDirectory() as folder:
        peak = Path(folder) / "peak"
        env = dict(os.environ, PYTHONPATH=str(ROOT), KERASVG_TEST_PEAK=str(peak))
        start = time.perf_counter()
        status = subprocess.run([sys.executable, "-c", MEASURED_SCRIPT, *args], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode
        return status, time.perf_counter() - start, int(peak.read_text()) / 1024


def _tensor(source: str, width: int) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": [None, width], "dtype": "float32", "keras_history": [source, 0, 0]}}


def _keras3(cls: str, name: str, sources=(), module="keras.layers", kwargs=None, width=8, **config) -> dict:
    nodes = [{"args": [_tensor(s, width) if isinstance(s, str) else [_tensor(t, width) for t in s] for s in sources],
              "kwargs": kwargs or {}}] if sources else []
    return {"module": module, "class_name": cls, "name": name, "config": {"name": name, **config},
            "inbound_nodes": nodes}


def _functional(name: str, layers: list, inputs: list, outputs: list) -> dict:
    return {"module": "keras", "class_name": "Functional", "config": {
        "name": name, "layers": layers, "input_layers": [[n, 0, 0] for n in inputs],
        "output_layers": [[n, 0, 0] for n in outputs]}}


def functional_chain(n: int) -> dict:
    """A Keras 3 functional chain: an input and n - 1 Dense."""
    layers = [_keras3("InputLayer", "input", batch_shape=[None, 8])]
    layers += [_keras3("Dense", f"dense_{i}", [layers[-1]["name"] if i == 0 else f"dense_{i - 1}"], units=8)
               for i in range(n - 1)]
    return _functional("chain", layers, ["input"], [layers[-1]["name"]])


def spacer_chain(n: int) -> dict:
    """A Sequential of n layers: an input, then Dense and visualkeras's SpacingDummyLayer by turns."""
    layers = [{"class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, 8]}}]
    layers += [{"class_name": "SpacingDummyLayer", "config": {"name": f"spacer_{i}"}} if i % 2 else
               {"class_name": "Dense", "config": {"name": f"dense_{i}", "units": 8}} for i in range(n - 1)]
    return {"class_name": "Sequential", "config": {"name": "spacers", "layers": layers}}


def mask_chain(n: int) -> dict:
    """n ops in a chain, the last one only the `mask` of a Dense call."""
    layers = [_keras3("InputLayer", "input", batch_shape=[None, 8])]
    for i in range(n):
        layers.append(_keras3("NotEqual", f"op_{i}", [layers[-1]["name"]], module="keras.src.ops.numpy"))
    layers.append(_keras3("Dense", "out", ["input"], kwargs={"mask": _tensor(layers[-1]["name"], 8)}, units=8))
    return _functional("masked", layers, ["input"], ["out"])


def spacer_hub(inputs: int = 50, outputs: int = 2000) -> dict:
    """inputs -> one SpacingDummyLayer -> outputs Dense: leaving the spacer out joins inputs x outputs."""
    ins = [f"in_{i}" for i in range(inputs)]
    layers = [_keras3("InputLayer", n, batch_shape=[None, 8]) for n in ins]
    layers.append(_keras3("SpacingDummyLayer", "spacer", [ins], module=None))
    layers += [_keras3("Dense", f"d_{j}", ["spacer"], units=8) for j in range(outputs)]
    return _functional("hub", layers, ins, [f"d_{j}" for j in range(outputs)])


def shared_dense(calls: int) -> dict:
    """An input and one Dense layer called `calls` times on it."""
    layers = [_keras3("InputLayer", "input", batch_shape=[None, 8])]
    layers.append(_keras3("Dense", "dense", ["input"], units=4))
    layers[-1]["inbound_nodes"] *= calls
    return _functional("shared", layers, ["input"], ["dense"])


def far_tensor_index(index: int) -> dict:
    """A Dense layer reading output `index` of another."""
    layers = [_keras3("InputLayer", "input", batch_shape=[None, 8]), _keras3("Dense", "dense", ["input"], units=4),
              _keras3("Dense", "out", ["dense"], units=2)]
    layers[-1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"][2] = index
    return _functional("far", layers, ["input"], ["out"])


def glob_theme(keys: int, layers: int) -> str:
    """`keys` glob keys over dense_0 ... dense_{layers - 2}, each matching a layer, as theme TOML."""
    colours = ("#1f77b4", "#ff7f0e", "#2ca02c")
    return "".join(f'[layer."dense_{j % (layers - 1)}{"*" * (j // (layers - 1) + 1)}"]\nfill = "{colours[j % 3]}"\n'
                   for j in range(keys))


def zip_of_entries(path: Path, entries: int) -> None:
    """A `.keras` whose central directory lists config.json and `entries - 1` more entries, written by hand
    (the builder of tests/test_budgets_shapes.py)."""
    from test_budgets_shapes import hand_made_archive

    hand_made_archive(path, entries)


def busy_h5(path: Path) -> bool:
    """A legacy `.h5` listing 200,000 layer names of 100 weight names each (False without h5py)."""
    try:
        import h5py
        import numpy
    except ImportError:
        return False
    with h5py.File(path, "w", libver="latest") as handle:
        handle.attrs["model_config"] = json.dumps(chain_config(2))
        weights = handle.create_group("model_weights")
        weights.attrs["layer_names"] = numpy.array([b"dense_0"] * 200_000)
        weights.create_group("dense_0").attrs["weight_names"] = numpy.array([b"dense_0/bias:0"] * 100)
        weights["dense_0"].create_dataset("dense_0/bias:0", shape=(32,), dtype="float32")
    return True


def shape_cases(folder: Path, out: str) -> list:
    """Issue 21's hostile shapes as (label, arguments, expected exit status, target seconds)."""
    def saved(name, config):
        path = folder / name
        path.write_text(json.dumps(config))
        return str(path)

    padded = folder / "padded.toml"
    padded.write_text("[canvas]\npadding = 16250\n")
    globs = folder / "globs.toml"
    globs.write_text(glob_theme(30_000, 1000))
    chain = saved("chain1000.json", chain_config(1000))
    entries = folder / "entries.keras"
    zip_of_entries(entries, 1_390_000)
    cases = [
        ("a Dense layer called 60,000 times (refused: calls)", ["render", saved("calls.json", shared_dense(60_000)),
                                                                "-o", out], 2, 5),
        ("a tensor index of 10**7 (refused: outputs)", ["render", saved("far.json", far_tensor_index(10 ** 7)),
                                                        "-o", out], 2, 5),
        ("padding = 16,250 asked for as PNG (refused: pixels)",
         ["render", saved("small.json", chain_config(2)), "-o", str(folder / "padded.png"), "--theme", str(padded)],
         2, 5),
        ("30,000 glob keys, 1,000 layers (refused: globs)", ["render", chain, "-o", out, "--theme", str(globs)], 2, 5),
        ("  the same, --budget globs=30000", ["render", chain, "-o", out, "--theme", str(globs), "--budget",
                                              "globs=30000"], 0, 15),
        (".keras of 1,390,000 zip entries (refused: zip_entries)", ["render", str(entries), "-o", out], 2, 5),
    ]
    if busy_h5(folder / "busy.h5"):
        cases.append((".h5 keeping h5py busy (stopped: child wall clock)", ["render", str(folder / "busy.h5"), "-o",
                                                                             out], 2, 15))
    return cases


def giants(runs: int) -> None:
    """Issue 21's giants: whole-process wall time and peak memory (medians of `runs`)."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)

        def saved(name, config):
            path = folder / name
            path.write_text(json.dumps(config))
            return str(path)

        chain = saved("chain.json", functional_chain(49_990))
        renamed = saved("renamed.json", json.loads(Path(chain).read_text().replace('"dense_', '"renamed_')))
        spacers = saved("spacers.json", spacer_chain(49_999))
        dense = saved("dense.json", {"class_name": "Sequential", "config": {"name": "c", "layers": [
            {"class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, 8]}}] + [
            {"class_name": "Dense", "config": {"name": f"dense_{i}", "units": 8}} for i in range(49_998)]}})
        out = str(folder / "out.svg")
        limits = {kind: getattr(budgets.current(), name) for kind, (name, _) in budgets.WRITER_LIMITS.items()}
        cases = [
            ("49,990-layer Keras 3 functional chain", ["render", chain, "-o", out], 0, 15),
            ("  the same: diff against a renamed copy", ["diff", chain, renamed], 0, 30),
            *[(f"  the same, to .{kind}", ["render", chain, "-o", str(folder / f"out.{kind}")], 0, 15)
              for kind in ("png", "jpg", "html", "tex")],
            *[(f"  the same, to .{kind} (refused: {budgets.WRITER_LIMITS[kind][0]})",
               ["render", chain, "-o", str(folder / f"out.{kind}")], 2, 5) for kind in limits],
            *[(f"{limit:,}-layer chain to .{kind} (the {budgets.WRITER_LIMITS[kind][0]} budget)",
               ["render", saved(f"{kind}.json", functional_chain(limit)), "-o", str(folder / f"out.{kind}")], 0, 15)
              for kind, limit in limits.items()],
            ("49,999 layers, Dense and SpacingDummyLayer by turns", ["render", spacers, "-o", out], 0, 15),
            ("  the same, --hide-types Dense", ["render", spacers, "-o", out, "--hide-types", "Dense"], 0, 15),
            ("  the same, --fold-repeats", ["render", spacers, "-o", out, "--fold-repeats"], 0, 15),
            ("49,999-layer Dense chain, --fold-repeats", ["render", dense, "-o", out, "--fold-repeats"], 0, 15),
            ("30,000 ops used only as a mask", ["render", saved("mask.json", mask_chain(30_000)), "-o", out], 0, 15),
            ("50 inputs -> a spacer -> 2,000 Dense (refused: edges)",
             ["render", saved("hub.json", spacer_hub()), "-o", out], 2, 5),
        ] + shape_cases(folder, out)
        for label, args, expected, target in cases:
            results = [cli_measured(*args) for _ in range(runs)]
            statuses = {status for status, _, _ in results}
            wall = statistics.median(w for _, w, _ in results)
            peak = max(p for _, _, p in results)
            note = "" if statuses == {expected} else f"  UNEXPECTED exit status {sorted(statuses)}"
            print(f"{label:<56} {wall:6.2f} s wall, {peak:5.0f} MiB peak (target <= {target} s){note}")


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
    parser.add_argument("--no-giants", dest="giants", action="store_false", help="skip issue 21's giants")
    args = parser.parse_args()

    if args.giants:
        giants(args.runs)

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
