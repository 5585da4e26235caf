"""Structure on any architecture: stage tables read back from the SVG contract (`g.group[data-level]`,
`g.layer[data-group]`), blocks found from the graph where names say nothing, U-Net levels, other zoos' names."""
import json
import xml.etree.ElementTree as ET

import pytest

from kerasvg import layered_view
from kerasvg.graph.model import Layer, ModelGraph
from kerasvg.graph.structure import detect

NS = "{http://www.w3.org/2000/svg}"


def stage_table(svg):
    """[(stage, blocks, output channels of its last block)] for stages holding blocks, in drawing order,
    computed from the SVG alone."""
    root = ET.fromstring(svg.encode("utf-8"))
    levels = {g.get("data-group-name"): g.get("data-level") for g in root.iter(f"{NS}g")
              if "group" in g.get("class", "").split()}
    stage_order = [n for n, level in levels.items() if level == "stage"]
    members = {}
    for g in root.iter(f"{NS}g"):
        if "layer" in g.get("class", "").split():
            within = json.loads(g.get("data-group", "[]"))
            for name in within:
                members.setdefault(name, []).append((g.get("data-name"), g.get("data-shape")))
    edges = {(c.get("data-from"), c.get("data-to")) for c in root.iter(f"{NS}g")
             if "connector" in c.get("class", "").split()}
    blocks_of = {}
    for g in root.iter(f"{NS}g"):
        if "layer" in g.get("class", "").split():
            within = json.loads(g.get("data-group", "[]"))
            if len(within) == 2 and levels.get(within[1]) == "block":
                blocks_of.setdefault(within[0], [])
                if within[1] not in blocks_of[within[0]]:
                    blocks_of[within[0]].append(within[1])
    table = []
    for stage in stage_order:
        blocks = blocks_of.get(stage, [])
        if not blocks:
            continue
        inside = {name for name, _ in members[blocks[-1]]}
        exits = [shape for name, shape in members[blocks[-1]]
                 if not any(s == name and t in inside for s, t in edges)]
        assert len(exits) == 1, (stage, exits)
        table.append((stage, len(blocks), int(exits[0].strip("()").split(",")[-1])))
    return table


EXPECTED = {
    "EfficientNetB0": [(1, 16), (2, 24), (2, 40), (3, 80), (3, 112), (4, 192), (1, 320)],
    "MobileNetV2": [(1, 16), (2, 24), (3, 32), (4, 64), (3, 96), (3, 160), (1, 320)],
    "ResNet50": [(3, 256), (4, 512), (6, 1024), (3, 2048)],
    "DenseNet121": [(6, 256), (12, 512), (24, 1024), (16, 1024)],
    "ConvNeXtTiny": [(3, 96), (3, 192), (9, 384), (3, 768)],
    "InceptionV3": [(3, 288), (5, 768), (3, 2048)],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_stages_are_the_architecture_table(apps, name):
    table = stage_table(layered_view(apps(name)).to_svg())
    assert [(blocks, channels) for _, blocks, channels in table] == EXPECTED[name]
    stages = [stage for stage, _, _ in table]
    if name == "ResNet50":
        assert stages == ["conv2", "conv3", "conv4", "conv5"]
    if name in ("EfficientNetB0", "MobileNetV2"):
        assert stages == [f"stage {k}" for k in range(1, 8)]


def _transformer(keras, depth, tokens):
    """Pre-norm transformer layers with Keras's own names only (`add_3`, `dense_7`)."""
    from keras import layers

    if tokens:
        x = inputs = keras.Input((32, 32, 3))
        x = layers.Conv2D(32, 4, strides=4)(x)
        x = layers.Reshape((64, 32))(x)
    else:
        x = inputs = keras.Input((16,), dtype="int32")
        x = layers.Embedding(100, 32)(x)
    for _ in range(depth):
        h = layers.LayerNormalization()(x)
        h = layers.MultiHeadAttention(2, 16)(h, h)
        x = layers.Add()([x, h])
        h = layers.LayerNormalization()(x)
        h = layers.Dense(64, activation="gelu")(h)
        h = layers.Dense(32)(h)
        x = layers.Add()([x, h])
    x = layers.LayerNormalization()(x)
    if tokens:
        x = layers.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, layers.Dense(10)(x))


@pytest.mark.parametrize("tokens, depth", [(True, 8), (False, 6)], ids=["vit", "gpt"])
def test_neutral_named_transformer_layers_are_blocks_of_two_adds(keras, tokens, depth):
    model = _transformer(keras, depth, tokens)
    svg = layered_view(model, groups="auto").to_svg()
    root = ET.fromstring(svg.encode("utf-8"))
    groups = [(g.get("data-group-name"), g.get("data-level")) for g in root.iter(f"{NS}g")
              if "group" in g.get("class", "").split()]
    inner_stages = [n for n, level in groups if level == "stage" and n not in ("stem", "head")]
    assert inner_stages == ["stage 1"]
    blocks = [n for n, level in groups if level == "block"]
    assert blocks == [f"block 1.{k}" for k in range(1, depth + 1)]
    adds = {}
    for g in root.iter(f"{NS}g"):
        if "layer" in g.get("class", "").split() and g.get("data-type") == "Add":
            adds.setdefault(json.loads(g.get("data-group"))[-1], []).append(g.get("data-name"))
    assert sorted(adds) == sorted(blocks) and all(len(v) == 2 for v in adds.values())


def _unet(keras, depth=4):
    from keras import layers

    x = inputs = keras.Input((64, 64, 3))
    skips = []
    for d in range(depth):
        for _ in range(2):
            x = layers.Conv2D(8 * 2 ** d, 3, padding="same", activation="relu")(x)
        skips.append(x)
        x = layers.MaxPooling2D()(x)
    for _ in range(2):
        x = layers.Conv2D(8 * 2 ** depth, 3, padding="same", activation="relu")(x)
    for d in reversed(range(depth)):
        x = layers.Conv2DTranspose(8 * 2 ** d, 2, strides=2)(x)
        x = layers.Concatenate()([x, skips[d]])
        for _ in range(2):
            x = layers.Conv2D(8 * 2 ** d, 3, padding="same", activation="relu")(x)
    return keras.Model(inputs, layers.Conv2D(2, 1, activation="softmax")(x))


def test_a_unet_reads_as_levels_down_and_up(keras):
    model = _unet(keras)
    types = {l.name: type(l).__name__ for l in model.layers}
    first_up = next(i for i, l in enumerate(model.layers) if type(l).__name__ == "Conv2DTranspose")
    decoder = {l.name for l in model.layers[first_up:]}
    root = ET.fromstring(layered_view(model, groups="auto").to_svg().encode("utf-8"))
    members = {}
    for g in root.iter(f"{NS}g"):
        if "layer" in g.get("class", "").split():
            for name in json.loads(g.get("data-group", "[]")):
                members.setdefault(name, []).append(g.get("data-name"))
    assert list(members) == ["down 1", "down 2", "down 3", "down 4", "bottleneck", "up 4", "up 3", "up 2", "up 1"]
    for name, names in members.items():
        assert set(names) <= decoder or not set(names) & decoder, name
        if name.startswith("up"):
            assert types[names[0]] == "Conv2DTranspose"  # an up-convolution opens the level it produces
    shapes = {g.get("data-name"): g.get("data-shape") for g in root.iter(f"{NS}g") if g.get("data-name")}
    for k in range(1, 5):  # the skip concatenation of `up k` joins `down k`'s resolution
        concat = next(n for n in members[f"up {k}"] if types[n] == "Concatenate")
        assert shapes[concat].split(",")[1] == shapes[members[f"down {k}"][-1]].split(",")[1]

    glyphs = ET.fromstring(layered_view(model, groups="auto", detail="blocks").to_svg().encode("utf-8"))
    drawn = [g.get("data-name") for g in glyphs.iter(f"{NS}g") if "layer" in g.get("class", "").split()]
    assert drawn[1:] == list(members)  # the input, then one glyph per level


def _graph(names_types, edges, shape=(None, 8, 8, 4)):
    layers = [Layer(n, t, (shape,), is_input=t == "InputLayer") for n, t in names_types]
    return ModelGraph("g", tuple(layers), tuple(edges), (layers[0].name,), (layers[-1].name,))


def _named_residual(prefixes):
    """Residual blocks whose layers are named `<prefix>_conv` etc., with tf op layers inside each block."""
    names = [("x", "InputLayer")]
    edges, previous = [], "x"
    for k, prefix in enumerate(prefixes):
        conv, bn, op, add = f"{prefix}_conv", f"{prefix}_bn", f"tf.reshape_{k}", f"tf.__operators__.add_{k}"
        names += [(conv, "Conv2D"), (bn, "BatchNormalization"), (op, "TFOpLambda"), (add, "TFOpLambda")]
        edges += [(previous, conv), (conv, bn), (bn, op), (op, add), (previous, add)]
        previous = add
    names.append(("logits", "Dense"))
    edges.append((previous, "logits"))
    return _graph(names, edges)


@pytest.mark.parametrize("prefixes, stages", [
    (["stage1_unit1", "stage1_unit2", "stage2_unit1", "stage2_unit2"], ["stage1", "stage2"]),
    (["stack1_block1", "stack1_block2", "stack2_block1", "stack2_block2"], ["stack1", "stack2"]),
    (["encoder_layer_0", "encoder_layer_1", "encoder_layer_2"], ["stage 1"]),
    (["layers.0", "layers.1", "layers.2"], ["stage 1"]),
])
def test_other_zoos_names_and_their_op_layers(prefixes, stages):
    grouping = detect(_named_residual(prefixes))
    assert [s.name for s in grouping.stages if s.name not in ("stem", "head")] == stages
    assert len(grouping.blocks) == len(prefixes)
    for k, block in enumerate(grouping.blocks):
        assert f"tf.reshape_{k}" in block.members and f"tf.__operators__.add_{k}" in block.members
        assert not block.name.startswith("tf.")


def test_a_group_found_from_the_graph_is_named_by_position():
    names = [("x", "InputLayer")]
    edges, previous = [], "x"
    for k in range(3):
        a, b, add = f"tf.math.multiply_{k}", f"tf.nn.relu_{k}", f"tf.__operators__.add_{k}"
        names += [(a, "TFOpLambda"), (b, "TFOpLambda"), (add, "TFOpLambda")]
        edges += [(previous, a), (a, b), (b, add), (previous, add)]
        previous = add
    names.append(("out", "Dense"))
    edges.append((previous, "out"))
    grouping = detect(_graph(names, edges))
    assert [b.name for b in grouping.blocks] == ["block 1.1", "block 1.2", "block 1.3"]


def test_a_width_change_at_one_resolution_starts_a_stage_but_steady_growth_does_not():
    def model(widths):
        layers = [Layer("x", "InputLayer", ((None, 8, 8, 4),), is_input=True)]
        edges, previous = [], "x"
        for k, w in enumerate(widths):
            shape = ((None, 8, 8, w),)
            layers += [Layer(f"c{k}", "Conv2D", shape), Layer(f"n{k}", "BatchNormalization", shape),
                       Layer(f"m{k}", "Add", shape)]
            edges += [(previous, f"c{k}"), (f"c{k}", f"n{k}"), (f"n{k}", f"m{k}"), (previous, f"m{k}")]
            previous = f"m{k}"
        return ModelGraph("w", tuple(layers), tuple(edges), ("x",), (previous,))

    def counts(widths):
        return [len(s.blocks) for s in detect(model(widths)).stages if s.blocks]

    assert counts([16, 16, 16, 32, 32]) == [3, 2]
    assert counts([16, 48, 80, 112, 144]) == [5]  # DenseNet-like growth by a constant step


@pytest.mark.slow
@pytest.mark.parametrize("name", ["EfficientNetB0", "MobileNetV2", "ResNet50", "DenseNet121", "InceptionV3"])
def test_few_layers_sit_in_no_block(apps, name):
    from kerasvg.readers import read

    graph = read(apps(name))
    grouping = detect(graph)
    in_block = {m for b in grouping.blocks for m in b.members}
    assert len(graph.layers) - len(in_block) <= 0.15 * len(graph.layers)
