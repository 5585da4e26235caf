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
    (["block0", "block1", "block2", "block3"], ["stage 1"]),  # kecam's ViT: the numbers count blocks, not stages
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


def _levit(keras, depth=2):
    """LeViT as kecam names it: `stack{s}_block{b}_*` attention and MLP residuals, then between stages an
    attention subsample (`stack{s}_downsample_q` at half resolution, no residual) and an MLP residual,
    closed by `stack{s}_output`."""
    from keras import layers

    x = inputs = keras.Input((16, 16, 3))
    x = layers.Conv2D(16, 4, strides=4, name="stem_conv")(x)
    widths = (16, 24, 32)
    for s, width in enumerate(widths, start=1):
        for b in range(1, depth + 1):
            name = f"stack{s}_block{b}_"
            h = layers.Dense(width, name=name + "qkv")(x)
            h = layers.Dense(width, name=name + "out")(h)
            x = layers.Add(name=name + "add")([x, h])
            h = layers.Dense(2 * width, name=name + "mlp_1_dense")(x)
            h = layers.Dense(width, name=name + "mlp_2_dense")(h)
            x = layers.Add(name=name + "mlp_add")([x, h])
        if s < len(widths):
            name, out = f"stack{s}_downsample_", widths[s]
            q = layers.Conv2D(out, 1, strides=2, name=name + "q")(x)
            kv = layers.Dense(out, name=name + "kv")(x)
            kv = layers.AveragePooling2D(2)(kv)
            x = layers.Multiply()([q, kv])
            x = layers.Dense(out, name=name + "out")(x)
            h = layers.Dense(2 * out, name=name + "mlp_1_dense")(x)
            h = layers.Dense(out, name=name + "mlp_2_dense")(h)
            x = layers.Add(name=name + "mlp_add")([x, h])
        x = layers.Activation("linear", name=f"stack{s}_output")(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(10, name="predictions")(x))


def test_a_subsample_between_stages_is_a_block_of_its_own(keras):
    """LeViT's stages hold their numbered blocks only; each attention subsample with its MLP, named as
    the stage before it, is one block between that stage and the next (the paper's "Subsample" rows)."""
    model = _levit(keras)
    multiply = next(layer.name for layer in model.layers if type(layer).__name__ == "Multiply")  # auto-named
    d = layered_view(model, groups="auto")
    assert [(r.name, r.level, r.blocks) for r in d.stages] == [
        ("stem", "stage", 0), ("stack1", "stage", 2), ("stack1_downsample", "block", 1), ("stack2", "stage", 2),
        ("stack2_downsample", "block", 1), ("stack3", "stage", 2), ("head", "stage", 0)]
    assert [r.block_names for r in d.stages if r.name.startswith("stack") and r.level == "stage"] == [
        tuple(f"stack{s}_block{b}" for b in (1, 2)) for s in (1, 2, 3)]
    root = ET.fromstring(d.to_svg().encode("utf-8"))
    within = {g.get("data-name"): json.loads(g.get("data-group", "[]")) for g in root.iter(f"{NS}g")
              if "layer" in g.get("class", "").split()}
    assert within["stack1_downsample_q"] == within[multiply] == within["stack1_output"] == ["stack1_downsample"]
    assert within["stack1_block2_mlp_add"] == ["stack1", "stack1_block2"]
    assert within["stack2_block1_qkv"] == ["stack2", "stack2_block1"]
    glyphs = ET.fromstring(layered_view(_levit(keras), groups="auto", detail="stages").to_svg().encode("utf-8"))
    drawn = [g.get("data-name") for g in glyphs.iter(f"{NS}g") if "layer" in g.get("class", "").split()]
    assert drawn[1:7] == ["stem", "stack1", "stack1_downsample", "stack2", "stack2_downsample", "stack3"]


def _fpn(keras):
    """An FPN on a small encoder of squeeze-excitation blocks (`block{k}a_*`), named as segmentation_models
    names it: laterals and top-down adds `fpn_stage_p{k}_*`, a head per level `segm_stage{k}*`, their
    concatenation and a final head at the input's resolution."""
    from keras import layers

    x = inputs = keras.Input((64, 64, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same", name="stem_conv")(x)
    taps = []
    for k, width in enumerate((8, 16, 24, 32, 40), start=1):
        name = f"block{k}a_"
        x = layers.Conv2D(width, 3, strides=1 if k == 1 else 2, padding="same", name=name + "conv")(x)
        taps.append(x)
        se = layers.GlobalAveragePooling2D(keepdims=True, name=name + "se_squeeze")(x)
        se = layers.Conv2D(width, 1, activation="sigmoid", name=name + "se_expand")(se)
        x = layers.Multiply(name=name + "se_excite")([x, se])
        x = layers.Conv2D(width, 1, name=name + "project_conv")(x)
    x = layers.Conv2D(16, 1, name="fpn_stage_p5_pre_conv")(x)
    pyramid = {}
    for level, tap in zip((5, 4, 3, 2), reversed(taps[:-1])):
        up = layers.UpSampling2D(name=f"fpn_stage_p{level}_upsampling")(x)
        lateral = layers.Conv2D(16, 1, name=f"fpn_stage_p{level}_conv")(tap)
        x = pyramid[level] = layers.Add(name=f"fpn_stage_p{level}_add")([up, lateral])
    heads = []
    for level, p in pyramid.items():
        h = layers.Conv2D(8, 3, padding="same", activation="relu", name=f"segm_stage{level}a_conv")(p)
        h = layers.Conv2D(8, 3, padding="same", activation="relu", name=f"segm_stage{level}b_conv")(h)
        if level > 2:
            h = layers.UpSampling2D(2 ** (level - 2), name=f"upsampling_stage{level}")(h)
        heads.append(h)
    x = layers.Concatenate(name="aggregation_concat")(heads)
    x = layers.Conv2D(8, 3, padding="same", name="final_stage_conv")(x)
    x = layers.UpSampling2D(name="final_upsampling")(x)
    x = layers.Conv2D(3, 3, padding="same", name="head_conv")(x)
    return keras.Model(inputs, layers.Activation("softmax", name="softmax")(x))


def test_an_fpn_decoder_reads_as_levels_up_its_heads_merge_and_the_output(keras):
    """A squeeze-excitation's 1×1 is no level of the encoder; each FPN level on the way up is a stage whose
    block (lateral 1×1 convolution, up-sampling, add) keeps its lateral; the heads on every level and their
    concatenation are one `merge` block; the final up-sampling and head are `output`."""
    model = _fpn(keras)
    first_up = next(i for i, l in enumerate(model.layers) if type(l).__name__ == "UpSampling2D")
    decoder = {l.name for l in model.layers[first_up:]}
    d = layered_view(model, groups="auto")
    assert [(r.name, r.level, r.blocks) for r in d.stages] == [
        ("input", "stage", 0), ("down 1", "stage", 1), ("down 2", "stage", 1), ("down 3", "stage", 1),
        ("down 4", "stage", 1), ("bottleneck", "stage", 1), ("up 4", "stage", 1), ("up 3", "stage", 1),
        ("up 2", "stage", 1), ("up 1", "stage", 1), ("merge", "block", 1), ("output", "stage", 0)]
    assert [r.block_names for r in d.stages[6:10]] == [(f"fpn_stage_p{k}",) for k in (5, 4, 3, 2)]
    root = ET.fromstring(d.to_svg().encode("utf-8"))
    members = {}
    for g in root.iter(f"{NS}g"):
        if "layer" in g.get("class", "").split():
            for name in json.loads(g.get("data-group", "[]")):
                members.setdefault(name, set()).add(g.get("data-name"))
    for name, names in members.items():
        assert names <= decoder or not names & decoder, name
    assert members["up 4"] == members["fpn_stage_p5"] == {f"fpn_stage_p5_{op}" for op in ("upsampling", "conv", "add")}
    assert {n for n in decoder if n.startswith(("segm_", "upsampling_stage", "aggregation"))} <= members["merge"]
    assert members["output"] == {"final_upsampling", "head_conv", "softmax"}
    glyphs = ET.fromstring(layered_view(model, groups="auto", detail="blocks").to_svg().encode("utf-8"))
    drawn = [g.get("data-name") for g in glyphs.iter(f"{NS}g") if "layer" in g.get("class", "").split()]
    assert drawn[-8:] == [f"fpn_stage_p{k}" for k in (5, 4, 3, 2)] + ["merge", "final_upsampling", "head_conv",
                                                                     "softmax"]


def _swin(keras, depths=(2, 2, 3, 2)):
    """Swin as kecam names it: `stack{s}_block{b}_*` window-attention and MLP residuals with op layers
    inside, and before stages 2–4 a patch merging `stack{s}_downsample_*` whose reshapes pass through
    shapes at neither stage's resolution."""
    from keras import layers

    x = inputs = keras.Input((64, 64, 3))
    x = layers.Conv2D(8, 4, strides=4, name="stem_conv")(x)
    x = layers.LayerNormalization(name="stem_ln")(x)
    size, width = 16, 8
    for s, depth in enumerate(depths, start=1):
        if s > 1:
            x = layers.Reshape((size // 2, 2, size // 2, 2 * width))(x)
            x = layers.Permute((1, 3, 2, 4))(x)
            size, width = size // 2, 2 * width
            x = layers.Reshape((size, size, 2 * width))(x)
            x = layers.Dense(width, name=f"stack{s}_downsample_dense")(x)
            x = layers.LayerNormalization(name=f"stack{s}_downsample_ln")(x)
        for b in range(1, depth + 1):
            name = f"stack{s}_block{b}_"
            h = layers.Reshape((size * size, width))(x)
            h = layers.Dense(width, name=name + "attn_qkv")(h)
            h = layers.Reshape((size, size, width))(h)
            x = layers.Add(name=name + "attn_output")([x, h])
            h = layers.Dense(2 * width, name=name + "mlp_Dense_0")(x)
            h = layers.Dense(width, name=name + "mlp_Dense_1")(h)
            x = layers.Add(name=name + "output")([x, h])
    x = layers.LayerNormalization(name="pre_output_ln")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, layers.Dense(10, name="predictions")(x))


def _layer_groups(d):
    root = ET.fromstring(d.to_svg().encode("utf-8"))
    return {g.get("data-name"): json.loads(g.get("data-group", "[]")) for g in root.iter(f"{NS}g")
            if "layer" in g.get("class", "").split()}


def test_swin_patch_merging_opens_the_stage_it_is_named_for(keras):
    """Swin's table: one stage per named stage with its Swin blocks; the patch merging before stages 2–4
    (op layers and `stack{s}_downsample_*`) is the first piece of its stage, no block and no empty stage."""
    model = _swin(keras)
    d = layered_view(model, groups="auto")
    assert [(r.name, r.level, r.blocks) for r in d.stages] == [
        ("stem", "stage", 0), ("stack1", "stage", 2), ("stack2", "stage", 2), ("stack3", "stage", 3),
        ("stack4", "stage", 2), ("head", "stage", 0)]
    names = [l.name for l in model.layers]
    within = _layer_groups(d)
    merging = names[names.index("stack1_block2_output") + 1:names.index("stack2_downsample_ln") + 1]
    assert len(merging) == 5 and all(within[n] == ["stack2"] for n in merging)
    assert within["stack2_block1_attn_qkv"] == ["stack2", "stack2_block1"]
    glyphs = _layer_groups(layered_view(model, groups="auto", detail="blocks"))
    merging = names[names.index("stack2_block2_output") + 1:names.index("stack3_downsample_ln") + 1]
    assert [n for n, g in glyphs.items() if g == ["stack3"]] == merging + [f"stack3_block{b}" for b in (1, 2, 3)]


def _efficientformer(keras, depths=(3, 2, 4), attention=1):
    """EfficientFormer as kecam names it: pool-mixer residual blocks `stack{s}_block{b}_*` (op layers for the
    pooling and subtraction), a downsample `stack{s}_downsample_{pad,conv,bn}` before stages 2…, and the
    last stage's last blocks attention on tokens, after a reshape, read back into a map after it."""
    from keras import layers

    x = inputs = keras.Input((64, 64, 3))
    x = layers.Conv2D(8, 3, strides=4, padding="same", name="stem_conv")(x)
    size, width = 16, 8
    for s, depth in enumerate(depths, start=1):
        if s > 1:
            size, width = size // 2, 2 * width
            x = layers.ZeroPadding2D(name=f"stack{s}_downsample_pad")(x)
            x = layers.Conv2D(width, 3, strides=2, name=f"stack{s}_downsample_conv")(x)
            x = layers.BatchNormalization(name=f"stack{s}_downsample_bn")(x)
        for b in range(1, depth + 1):
            name = f"stack{s}_block{b}_"
            if s == len(depths) and b > depth - attention:
                if b == depth - attention + 1:
                    x = layers.Reshape((size * size, width))(x)
                h = layers.LayerNormalization(name=name + "attn_ln")(x)
                h = layers.MultiHeadAttention(2, 4, name=name + "attn")(h, h)
                x = layers.Add(name=name + "attn_output")([x, h])
                h = layers.LayerNormalization(name=name + "mlp_ln")(x)
                h = layers.Dense(2 * width, name=name + "Dense_0")(h)
            else:
                h = layers.AveragePooling2D(3, strides=1, padding="same")(x)
                h = layers.Subtract()([h, x])
                h = layers.Dense(width, name=name + "attn_gamma")(h)
                x = layers.Add(name=name + "attn_output")([x, h])
                h = layers.Conv2D(2 * width, 1, name=name + "mlp_1_conv")(x)
            h = layers.Dense(width, name=name + "mlp_2")(h)
            x = layers.Add(name=name + "mlp_output")([x, h])
    x = layers.Reshape((size, size, width))(x)
    x = layers.LayerNormalization(name="pre_output_ln")(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(10, name="head")(x))


@pytest.mark.parametrize("attention", [1, 2])
def test_a_named_stage_that_switches_to_tokens_is_one_stage(keras, attention):
    """EfficientFormer's last stage: its downsample opens it and its blocks count as one stage, though the
    last ones attend on tokens (no empty stage of the downsample before a token stage)."""
    model = _efficientformer(keras, attention=attention)
    d = layered_view(model, groups="auto")
    inner = [(r.name, r.level, r.blocks) for r in d.stages if r.name.startswith("stack")]
    assert inner == [("stack1", "stage", 3), ("stack2", "stage", 2), ("stack3", "stage", 4)]
    assert d.stages[-1].blocks == 0 and d.stages[0].name == "stem"
    assert [r.block_names for r in d.stages if r.name == "stack3"] == [tuple(f"stack3_block{b}" for b in range(1, 5))]
    within = _layer_groups(d)
    for op in ("pad", "conv", "bn"):
        assert within[f"stack3_downsample_{op}"] == ["stack3"]
        assert within[f"stack2_downsample_{op}"] == ["stack2"]
    assert within["stack3_block4_mlp_output"] == ["stack3", "stack3_block4"]
