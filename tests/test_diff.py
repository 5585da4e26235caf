"""`kerasvg.diff` and `kerasvg diff`: layer matching, statuses, the SVG marks, the summary and exit codes."""
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import kerasvg
import svgcheck
from conftest import SVG_NS, connector_groups, layer_groups, parse_svg
from kerasvg.readers import read
from kerasvg.comparison.compare import compare, glyph_status, layer_changes, summary_lines, terminal_safe
from kerasvg.comparison.matching import match_layers
from kerasvg.graph.model import Layer, ModelGraph

ROOT = Path(__file__).resolve().parent.parent


def _graph(name, layers, edges):
    return ModelGraph(name, tuple(Layer(n, t) for n, t in layers), tuple(edges))


def _chain(name, layers):
    return _graph(name, layers, list(zip([n for n, _ in layers], [n for n, _ in layers][1:])))


def _counts(elements):
    return Counter(e.get("data-diff") for e in elements)


# ---------------------------------------------------------------- matching and statuses (no TensorFlow)


def test_renamed_layers_pair_through_already_paired_neighbours_until_a_fixed_point():
    a = _chain("a", [("in", "InputLayer"), ("x1", "Dense"), ("x2", "Dropout"), ("x3", "Dense"), ("out", "Softmax")])
    b = _chain("b", [("in", "InputLayer"), ("y1", "Dense"), ("y2", "Dropout"), ("y3", "Dense"), ("out", "Softmax")])
    assert match_layers(a, b) == {"in": "in", "x1": "y1", "x2": "y2", "x3": "y3", "out": "out"}


def test_structural_pairs_need_the_same_type_and_a_corresponding_neighbour():
    a = _chain("a", [("in", "InputLayer"), ("d", "Dense"), ("drop", "Dropout"), ("head", "Dense")])
    b = _chain("b", [("in", "InputLayer"), ("c", "Conv1D"), ("drop2", "Dropout"), ("logits", "Dense")])
    # d / c differ in type; drop / drop2 have no paired neighbour; head's predecessor is unpaired
    assert match_layers(a, b) == {"in": "in"}


def test_ties_go_to_the_pair_closest_in_topological_position():
    # `in` feeds three Dense layers in b; a's single unmatched Dense at position 2 pairs with b's at position 2
    a = _graph("a", [("in", "InputLayer"), ("p", "Dense"), ("q", "Dense"), ("add", "Add")],
               [("in", "p"), ("in", "q"), ("p", "add"), ("q", "add")])
    b = _graph("b", [("in", "InputLayer"), ("r", "Dense"), ("s", "Dense"), ("t", "Dense")],
               [("in", "r"), ("in", "s"), ("in", "t")])
    assert match_layers(a, b) == {"in": "in", "p": "r", "q": "s"}


def test_glyph_status_rule():
    assert glyph_status(["same", "same"]) == "same"
    assert glyph_status(["added", "added"]) == "added"
    assert glyph_status(["removed"]) == "removed"
    assert glyph_status(["same", "changed"]) == "changed"
    assert glyph_status(["added", "removed"]) == "changed"
    assert glyph_status(["same", "added"]) == "changed"
    assert glyph_status([]) == "same"


def test_layer_changes_name_each_field_old_to_new():
    old = Layer("conv", "Conv2D", ((None, 8, 8, 16),), 448, 0, (("filters", 16), ("padding", "same")))
    new = Layer("conv_b", "Conv2D", ((None, 8, 8, 32),), 896, 0, (("filters", 32), ("padding", "same"),
                                                                    ("use_bias", False)))
    assert layer_changes(old, new) == (
        "renamed from conv", "filters 16 \u2192 32", "use_bias (not set) \u2192 False",
        "output (None, 8, 8, 16) \u2192 (None, 8, 8, 32)", "params 448 \u2192 896")
    assert layer_changes(old, old) == ()


def test_terminal_output_escapes_control_characters():
    assert terminal_safe("drop\x1b[31mout\u202e\n") == "drop\\x1b[31mout\\u202e\\x0a"
    graph_a = _chain("a", [("in", "InputLayer"), ("evil\x1b]0;pwned\x07", "Dense")])
    graph_b = _chain("b", [("in", "InputLayer")])
    lines = summary_lines(compare(graph_a, graph_b))
    assert lines[0] == "\u2212 evil\\x1b]0;pwned\\x07 (Dense)"
    assert not any(c in "\n".join(lines) for c in "\x1b\x07")


# ---------------------------------------------------------------- live pairs


def small_cnn(keras, variant="a"):
    """Variant b renames conv2, adds a BatchNormalization after it and drops the Dropout."""
    L = keras.layers
    layers = [keras.Input((32, 32, 3), name="image"), L.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
              L.MaxPooling2D(name="pool1")]
    if variant == "a":
        layers += [L.Conv2D(32, 3, padding="same", activation="relu", name="conv2"), L.GlobalAveragePooling2D(name="gap"),
                   L.Dropout(0.2, name="dropout"), L.Dense(10, activation="softmax", name="logits")]
    else:
        layers += [L.Conv2D(32, 3, padding="same", activation="relu", name="conv2_wide"),
                   L.BatchNormalization(name="conv2_bn"), L.GlobalAveragePooling2D(name="gap"),
                   L.Dense(10, activation="softmax", name="logits")]
    return keras.Sequential(layers, name=f"cnn_{variant}")


def residual(keras):
    L = keras.layers
    inputs = keras.Input((16, 16, 8), name="input")
    stem = L.Conv2D(8, 3, padding="same", name="stem")(inputs)
    branch = L.Conv2D(8, 3, padding="same", activation="relu", name="branch_conv")(stem)
    branch = L.BatchNormalization(name="branch_bn")(branch)
    merged = L.Add(name="add")([stem, branch])
    pooled = L.GlobalAveragePooling2D(name="pool")(merged)
    return keras.Model(inputs, L.Dense(4, name="head")(pooled), name="residual")


@pytest.fixture(scope="module")
def cnn_pair(keras):
    return small_cnn(keras, "a"), small_cnn(keras, "b")


def test_cnn_with_a_layer_added_one_removed_and_one_renamed(cnn_pair):
    a, b = cnn_pair
    result = compare(a, b)
    assert result.layers == {"image": "same", "conv1": "same", "pool1": "same", "conv2_wide": "changed",
                             "conv2_bn": "added", "gap": "same", "dropout": "removed", "logits": "same"}
    assert result.details == {"conv2_wide": ("renamed from conv2",)}
    assert result.differs

    root = parse_svg(kerasvg.diff(a, b).to_svg())
    layers = layer_groups(root)
    assert _counts(layers) == {"same": 5, "changed": 1, "added": 1, "removed": 1}
    assert [g.get("data-name") for g in layers] == list(result.layers)
    renamed = next(g for g in layers if g.get("data-name") == "conv2_wide")
    assert renamed.get("data-name-a") == "conv2" and renamed.get("data-diff-detail") == "renamed from conv2"
    assert "renamed from conv2" in renamed.find(f"{SVG_NS}title").text
    assert [g.get("data-name-a") for g in layers if g.get("data-name") != "conv2_wide"] == [None] * 7
    connectors = {(c.get("data-from"), c.get("data-to")): c.get("data-diff") for c in connector_groups(root)}
    assert connectors == {
        ("image", "conv1"): "same", ("conv1", "pool1"): "same", ("pool1", "conv2_wide"): "same",
        ("conv2_wide", "conv2_bn"): "added", ("conv2_bn", "gap"): "added", ("gap", "logits"): "added",
        ("conv2_wide", "gap"): "removed", ("gap", "dropout"): "removed", ("dropout", "logits"): "removed"}
    # badges on the changed, added and removed boxes only; a legend of the four marks
    badges = [g.get("data-name") for g in layers if g.find(f"{SVG_NS}g[@class='diff-badge']") is not None]
    assert badges == ["conv2_wide", "conv2_bn", "dropout"]
    assert [t.text for t in root.iter(f"{SVG_NS}text") if t.get("font-weight") == "bold"][:3] == ["~", "+", "\u2212"]
    legend = [e.find(f"{SVG_NS}text").text for e in root.iter(f"{SVG_NS}g") if "diff-legend" in e.get("class", "")]
    assert legend == ["added (only in b)", "removed (only in a)", "changed", "same"]
    assert (root.get("data-diff-layers"), root.get("data-diff-params")) == ("7 7", f"{a.count_params()} {b.count_params()}")
    assert root.find(f"{SVG_NS}desc").text == (
        "Differences from Keras model 'cnn_a' to 'cnn_b': layers 1 added, 1 removed, 1 changed, 5 same; "
        "parameters 5418 \u2192 5546. Drawn by kerasvg.")


def test_removed_layers_are_drawn_in_their_old_place_in_the_flow(cnn_pair):
    a, b = cnn_pair
    drawing = svgcheck.read(kerasvg.diff(a, b).to_svg())
    centre = {l.name: sum(p[0] for f in l.faces for p in f) / sum(len(f) for f in l.faces) for l in drawing.layers}
    assert centre["conv2_wide"] < centre["conv2_bn"] < centre["gap"] < centre["dropout"] < centre["logits"]


def test_unchanged_parts_are_quiet_and_marks_differ_without_colour(cnn_pair):
    a, b = cnn_pair
    root = parse_svg(kerasvg.diff(a, b, theme="mono").to_svg())
    layers = {g.get("data-name"): g for g in layer_groups(root)}
    assert layers["gap"].get("opacity") == "0.32" and layers["conv2_bn"].get("opacity") is None
    outlines = {name: g.find(f"{SVG_NS}polygon[@class='diff-outline']") for name, g in layers.items()}
    assert [n for n, o in outlines.items() if o is not None] == ["conv2_wide", "conv2_bn", "dropout"]
    dashes = {n: outlines[n].get("stroke-dasharray") for n in ("conv2_wide", "conv2_bn", "dropout")}
    assert len(set(dashes.values())) == 3 and dashes["conv2_bn"] is None
    assert float(layers["dropout"].get("fill-opacity")) < 0.5


def test_a_model_against_itself_is_all_same(cnn_pair):
    a, _ = cnn_pair
    result = compare(a, a)
    assert not result.differs and set(result.layers.values()) == {"same"}
    root = parse_svg(kerasvg.diff(a, a).to_svg())
    assert _counts(layer_groups(root)) == {"same": 7}
    assert _counts(connector_groups(root)) == {"same": 6}
    assert summary_lines(result) == [" 0 layers changed, 0 added, 0 removed; parameters 5,418 \u2192 5,418 (\u00b10)"]


def test_a_live_model_against_its_saved_file_is_all_same(keras, tmp_path):
    for model in (small_cnn(keras, "b"), residual(keras)):
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        result = compare(model, path)
        assert not result.differs, {n: result.details.get(n, s) for n, s in result.layers.items() if s != "same"}
        root = parse_svg(kerasvg.diff(model, str(path)).to_svg())
        assert _counts(layer_groups(root)) == {"same": len(read(model).layers)}
        assert _counts(connector_groups(root)) == {"same": len(read(path).edges)}


def test_two_unrelated_models_give_a_clear_picture(keras, cnn_pair):
    a, _ = cnn_pair
    b = residual(keras)
    result = compare(a, b)
    assert result.count("removed") == 7 and result.count("added") == 7
    svg = kerasvg.diff(a, b).to_svg()
    root = parse_svg(svg)
    assert _counts(layer_groups(root)) == {"added": 7, "removed": 7}
    assert _counts(connector_groups(root)) == {"removed": 6, "added": 7}
    svgcheck.assert_clean(svg)


def test_diff_takes_layered_view_keywords_and_rejects_folding(cnn_pair):
    a, b = cnn_pair
    wrapped = kerasvg.diff(a, b, aspect=1.0, theme="paper", labels=("name", "params"))
    assert wrapped.height > kerasvg.diff(a, b).height
    with pytest.raises(ValueError, match="fold_repeats"):
        kerasvg.diff(a, b, fold_repeats=True)
    with pytest.raises(TypeError):
        kerasvg.diff(a, b, sizing="huge")


def test_output_is_deterministic(cnn_pair):
    a, b = cnn_pair
    assert kerasvg.diff(a, b).to_svg() == kerasvg.diff(a, b).to_svg()


@pytest.mark.slow
def test_resnet50_with_one_convolution_widened(keras):
    from kerasvg import zoo

    a = keras.applications.ResNet50(weights=None)
    b = zoo.resnet50_widened(a)
    # Keras's own view of what differs: output shape or parameter count
    differing = {l.name for l in a.layers
                 if tuple(l.output.shape) != tuple(b.get_layer(l.name).output.shape)
                 or l.count_params() != b.get_layer(l.name).count_params()}
    assert differing == {"conv4_block3_2_conv", "conv4_block3_2_bn", "conv4_block3_2_relu", "conv4_block3_3_conv"}

    result = compare(a, b)
    assert {n for n, s in result.layers.items() if s == "changed"} == differing
    assert result.count("added") == result.count("removed") == 0
    assert result.details["conv4_block3_2_conv"] == (
        "filters 256 \u2192 512", "output (None, 14, 14, 256) \u2192 (None, 14, 14, 512)",
        f"params {a.get_layer('conv4_block3_2_conv').count_params():,} \u2192 "
        f"{b.get_layer('conv4_block3_2_conv').count_params():,}")
    assert result.details["conv4_block3_3_conv"] == ("params 263,168 \u2192 525,312",)
    svg = kerasvg.diff(a, b).to_svg()
    root = parse_svg(svg)
    assert _counts(layer_groups(root)) == {"changed": 4, "same": len(a.layers) - 4}
    assert _counts(connector_groups(root)) == {"same": len(connector_groups(root))}
    labelled = {g.get("data-name") for g in layer_groups(root) if g.find(f"{SVG_NS}text[@class='label']") is not None}
    assert differing <= labelled
    svgcheck.assert_clean(svg)
    lines = summary_lines(result)
    assert len(lines) == 5 and lines[-1] == (
        f" 4 layers changed, 0 added, 0 removed; parameters {a.count_params():,} \u2192 {b.count_params():,} "
        f"(+{b.count_params() - a.count_params():,})")


# ---------------------------------------------------------------- command line


def _run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "kerasvg", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def saved_pair(cnn_pair, tmp_path_factory):
    folder = tmp_path_factory.mktemp("diff")
    a, b = cnn_pair
    a.save(folder / "a.keras")
    b.save(folder / "b.keras")
    return folder / "a.keras", folder / "b.keras"


SUMMARY = [
    "~ conv2_wide (Conv2D): renamed from conv2",
    "+ conv2_bn (BatchNormalization)",
    "\u2212 dropout (Dropout)",
    " 1 layer changed, 1 added, 1 removed; parameters 5,418 \u2192 5,546 (+128)",
]


def test_cli_prints_only_the_summary_without_outputs(saved_pair, tmp_path):
    a, b = saved_pair
    run = _run("diff", a, b, cwd=tmp_path)
    assert (run.returncode, run.stdout.splitlines(), run.stderr) == (0, SUMMARY, "")
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_outputs_and_exit_codes(saved_pair, tmp_path):
    a, b = saved_pair
    run = _run("diff", a, b, "-o", tmp_path / "d.svg", "-o", tmp_path / "d.html", "--exit-code")
    assert (run.returncode, run.stdout.splitlines()) == (1, SUMMARY)
    root = parse_svg((tmp_path / "d.svg").read_text(encoding="utf-8"))
    assert _counts(layer_groups(root)) == {"same": 5, "changed": 1, "added": 1, "removed": 1}
    assert 'data-diff="removed"' in (tmp_path / "d.html").read_text(encoding="utf-8")
    same = _run("diff", a, a, "--exit-code")
    assert same.returncode == 0 and same.stdout.splitlines()[-1].startswith(" 0 layers changed, 0 added, 0 removed")
    quiet = _run("diff", a, b, "--quiet")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (1, "", "")
    assert _run("diff", a, b).returncode == 0


def test_cli_errors_exit_2_and_write_nothing(saved_pair, tmp_path):
    a, b = saved_pair
    missing = _run("diff", a, tmp_path / "nope.keras", "-o", tmp_path / "d.svg", "--exit-code")
    assert missing.returncode == 2 and missing.stdout == "" and "nope.keras" in missing.stderr
    bad = _run("diff", a, b, "-o", tmp_path / "d.docx")
    assert bad.returncode == 2 and "unsupported extension" in bad.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_diff_of_saved_files_never_imports_tensorflow(saved_pair, tmp_path):
    a, b = saved_pair
    code = (
        "import json, sys, contextlib, io\n"
        "from kerasvg.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    status = main(['diff', {str(a)!r}, {str(b)!r}, '-o', {str(tmp_path / 'd.svg')!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras'))\n"
        "print(json.dumps({'status': status, 'heavy': heavy}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert json.loads(run.stdout) == {"status": 0, "heavy": []}


# ---------------------------------------------------------------- names, themes


HOSTILE = '<img src=x onerror=alert(1)>"&'


def _renamed_pair(old_name, new_name="fc"):
    def graph(name, middle):
        layers = (Layer("in", "InputLayer", ((None, 8),)), Layer(middle, "Dense", ((None, 4),), 36),
                  Layer("out", "Dense", ((None, 2),), 10))
        return ModelGraph(name, layers, (("in", middle), (middle, "out")))

    return graph("a", old_name), graph("b", new_name)


def test_user_text_is_escaped_in_every_diff_attribute_and_title():
    a, b = _renamed_pair(HOSTILE)
    svg = kerasvg.diff(a, b).to_svg()
    assert "<img" not in svg
    renamed = next(g for g in layer_groups(parse_svg(svg)) if g.get("data-name") == "fc")
    assert renamed.get("data-name-a") == HOSTILE
    assert renamed.get("data-diff-detail") == f"renamed from {HOSTILE}"
    assert renamed.find(f"{SVG_NS}title").text == f"fc (Dense) (None, 4)\nchanged: renamed from {HOSTILE}"


def test_diff_colours_come_from_the_theme():
    a, b = _renamed_pair("dense")
    root = parse_svg(kerasvg.diff(a, b, overrides={"diff": {"changed": "#123456", "badge_text": "black"}}).to_svg())
    renamed = next(g for g in layer_groups(root) if g.get("data-name") == "fc")
    assert renamed.find(f"{SVG_NS}polygon[@class='diff-outline']").get("stroke") == "#123456"
    assert renamed.find(f"{SVG_NS}g/{SVG_NS}circle").get("fill") == "#123456"
    assert renamed.find(f"{SVG_NS}g/{SVG_NS}text").get("fill") == "#000000"
    with pytest.raises(kerasvg.ThemeError, match=r"diff\.added = 'greenish' is not a colour"):
        kerasvg.diff(a, b, overrides={"diff": {"added": "greenish"}})
    mono = kerasvg.diff(a, b, theme="mono").to_svg()
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', mono))
    assert colours and {c for c in colours if len({c[1:3], c[3:5], c[5:7]}) > 1} == set()  # grays only


def nested(keras, extra_bn):
    L = keras.layers
    inner = [keras.Input((32, 32, 3), name="enc_in"), L.Conv2D(16, 3, activation="relu", name="enc_conv1")]
    inner += [L.BatchNormalization(name="enc_bn")] if extra_bn else []
    encoder = keras.Sequential(inner + [L.GlobalAveragePooling2D(name="enc_gap")], name="encoder")
    image = keras.Input((32, 32, 3), name="image")
    return keras.Model(image, L.Dense(10, name="classes")(encoder(image)), name="nested")


def test_expanded_nested_models_are_compared_layer_by_layer(keras):
    a, b = nested(keras, False), nested(keras, True)
    root = parse_svg(kerasvg.diff(a, b, expand_nested=True).to_svg())
    layers = {g.get("data-name"): g.get("data-diff") for g in layer_groups(root)}
    assert layers == {"image": "same", "encoder": "changed", "encoder/enc_conv1": "same", "encoder/enc_bn": "added",
                      "encoder/enc_gap": "same", "classes": "same"}
    folded = {g.get("data-name"): g.get("data-diff") for g in layer_groups(parse_svg(kerasvg.diff(a, b).to_svg()))}
    assert folded == {"image": "same", "encoder": "changed", "classes": "same"}


def test_totals_with_unknown_counts_are_lower_bounds():
    known = Layer("dense", "Dense", output_shapes=((None, 4),), trainable_params=20)
    unknown = Layer("custom", "MyLayer", output_shapes=((None, 4),), trainable_params=None, non_trainable_params=None)
    graph_a = ModelGraph("a", (Layer("in", "InputLayer"), known), (("in", "dense"),))
    graph_b = ModelGraph("b", (Layer("in", "InputLayer"), known, unknown), (("in", "dense"), ("dense", "custom")))
    assert summary_lines(compare(graph_a, graph_b))[-1] == (
        " 0 layers changed, 1 added, 0 removed; parameters 20 \u2192 \u2265 20 (change unknown)")
    root = parse_svg(kerasvg.diff(graph_a, graph_b).to_svg())
    assert root.get("data-diff-params") == "20 \u226520"
    assert "parameters 20 \u2192 \u226520" in kerasvg.diff(graph_a, graph_b).to_svg()
