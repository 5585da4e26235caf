"""Figures a reviewer accepts, measured on the SVG: a legend whose swatches are the boxes' fills, inputs and
outputs sized, channel widths and heights that do not mislead, stage glyphs with block counts, the block key."""
import json
import xml.etree.ElementTree as ET

import pytest

from kerasvg import layered_view

NS = "{http://www.w3.org/2000/svg}"


def _root(diagram):
    return ET.fromstring(diagram.to_svg().encode("utf-8"))


def _classes(element):
    return element.get("class", "").split()


def _layers(root):
    return [g for g in root.iter(f"{NS}g") if "layer" in _classes(g)]


def _front(g):
    return next(p for p in g.findall(f"{NS}polygon") if "front" in _classes(p))


def _extent(polygon):
    points = [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return max(xs) - min(xs), max(ys) - min(ys)


def _labels(g):
    return [t.text for t in g.findall(f"{NS}text") if "label" in _classes(t)]


def assert_legend_explains_every_fill(root):
    legend = next(g for g in root.iter(f"{NS}g") if "legend" in _classes(g))
    swatches = {r.get("fill") for r in legend.iter(f"{NS}rect") if r.get("fill", "").startswith("#")}
    keyed = [g for g in root.iter(f"{NS}g") if "key-layer" in _classes(g)]
    for g in _layers(root) + keyed:
        if "nested" in _classes(g):
            continue
        assert _front(g).get("fill") in swatches, (g.get("data-name"), g.get("data-type"))


def assert_ends_sized(root, inputs, outputs):
    drawn = {g.get("data-name"): _labels(g) for g in _layers(root)}
    for name, text in inputs.items():
        assert text in drawn[name], (name, drawn[name])
    for name, text in outputs.items():
        assert text in drawn[name], (name, drawn[name])


@pytest.mark.slow
@pytest.mark.parametrize("name, inputs, outputs", [
    ("ResNet50", "224×224×3", "1000"), ("DenseNet121", "224×224×3", "1000"), ("InceptionV3", "299×299×3", "1000"),
    ("MobileNetV2", "224×224×3", "1000"), ("EfficientNetB0", "224×224×3", "1000"), ("ConvNeXtTiny", "224×224×3", "1000"),
])
@pytest.mark.parametrize("options", [{}, {"detail": "blocks"}, {"width": "3.5in"}], ids=["default", "blocks", "3.5in"])
def test_legend_and_sized_ends_at_every_level(apps, name, inputs, outputs, options):
    model = apps(name)
    root = _root(layered_view(model, **options))
    assert_legend_explains_every_fill(root)
    drawn = {g.get("data-name"): _labels(g) for g in _layers(root)}
    input_name = model.inputs[0].name.split(":")[0] if model.inputs[0].name in drawn else model.layers[0].name
    assert inputs in drawn[input_name]
    head = [labels for labels in drawn.values() if outputs in labels]
    assert head, "the output size is printed"


def test_visualkeras_style_figures_keep_no_legend_and_legend_false_is_obeyed(keras):
    from keras import layers

    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, name="conv"), layers.Flatten(name="flat"),
                              layers.Dense(10, name="out")])
    assert not [g for g in _root(layered_view(model)).iter(f"{NS}g") if "legend" in _classes(g)]
    assert [g for g in _root(layered_view(model, width="3.5in")).iter(f"{NS}g") if "legend" in _classes(g)]
    grouped = layered_view(model, groups={"features": ["conv", "flat"]}, legend=False)
    assert not [g for g in _root(grouped).iter(f"{NS}g") if "legend" in _classes(g)]


@pytest.mark.slow
def test_channels_widen_the_boxes_and_vectors_are_never_tallest(apps):
    root = _root(layered_view(apps("ResNet50")))
    widths, heights, vectors = {}, [], []
    for g in _layers(root):
        shape = json.loads(g.get("data-shape").replace("(", "[").replace(")", "]").replace("None", "null"))
        w, h = _extent(_front(g))
        if len(shape) == 4:
            heights.append(h)
            if g.get("data-type") == "Conv2D":
                widths.setdefault(shape[-1], []).append(w)
        elif len(shape) == 2:
            vectors.append(h)
    mean = {c: sum(v) / len(v) for c, v in widths.items()}
    channels = sorted(mean)
    assert channels[0] == 64 and channels[-1] == 2048
    for a, b in zip(channels, channels[1:]):
        if b == 2 * a:
            assert mean[b] >= 1.2 * mean[a], (a, b, mean)
    assert mean[2048] >= 2.5 * mean[64]
    assert max(vectors) <= max(heights)


@pytest.mark.slow
@pytest.mark.parametrize("name, merge, counts", [
    ("ResNet50", "Add", {"conv2": 3, "conv3": 4, "conv4": 6, "conv5": 3}),
    ("DenseNet121", "Concatenate", {"conv2": 6, "conv3": 12, "conv4": 24, "conv5": 16}),
])
def test_a_column_figure_counts_blocks_and_keys_what_a_block_is(apps, name, merge, counts):
    model = apps(name)
    diagram = layered_view(model, width="3.5in")
    width, height = diagram.vector_size
    assert height <= 1.3 * width
    root = _root(diagram)
    glyphs = {g.get("data-name"): _labels(g) for g in _layers(root) if "stage" in _classes(g)}
    for stage, count in counts.items():
        assert f"{stage} ×{count}" in glyphs[stage]
    keys = [g for g in root.iter(f"{NS}g") if "block-key" in _classes(g)]
    assert len(keys) == 1
    kinds = [g for g in keys[0] if "key-block" in _classes(g)]
    assert 1 <= len(kinds) <= 3 and all(g.get("data-block") for g in kinds)
    types = [layer.get("data-type") for kind in kinds for layer in kind if "key-layer" in _classes(layer)]
    assert merge in types and "Conv2D" in types
    assert any("key-connector" in _classes(c) for kind in kinds for c in kind)
    assert len(_layers(root)) == len(diagram.graph.layers)  # key layers are not counted as the model's
    assert_legend_explains_every_fill(root)


@pytest.mark.slow
def test_inception_key_names_the_kinds_it_does_not_draw(apps):
    root = _root(layered_view(apps("InceptionV3"), detail="stages"))
    key = next(g for g in root.iter(f"{NS}g") if "block-key" in _classes(g))
    caption = next(t for t in key.findall(f"{NS}text")).text
    drawn = [g.get("data-block") for g in key if "key-block" in _classes(g)]
    assert len(drawn) == 3 and caption.startswith("Blocks (also: ")
    assert all(name in caption or name in drawn for name in ("mixed3", "mixed8"))


def _named_resnet(keras):
    from keras import layers

    x = inputs = keras.Input((16, 16, 3))
    x = layers.Conv2D(8, 3, padding="same", name="stem_conv")(x)
    for s in (1, 2):
        for b in (1, 2):
            p = f"conv{s}_block{b}"
            h = layers.Conv2D(8, 3, padding="same", name=f"{p}_conv")(x)
            h = layers.BatchNormalization(name=f"{p}_bn")(h)
            x = layers.Add(name=f"{p}_add")([x, h])
    return keras.Model(inputs, layers.Dense(3, name="logits")(layers.GlobalAveragePooling2D(name="pool")(x)))


def test_block_key_is_a_keyword_and_false_turns_it_off(keras):
    model = _named_resnet(keras)
    assert layered_view(model, detail="stages").scene.block_key is not None
    assert layered_view(model, detail="stages", block_key=False).scene.block_key is None
    assert layered_view(model, groups="auto").scene.block_key is None  # layers drawn: no key by default
    keyed = layered_view(model, groups="auto", block_key=True)
    (kind,) = keyed.scene.block_key.blocks
    assert kind.caption == "conv1_block1 · 4 in the model" and [b.type for b in kind.boxes] == ["InputLayer", "Conv2D", "Add"]
    with pytest.raises(TypeError, match="block_key"):
        layered_view(model, block_keys=True)



def test_the_command_line_turns_legend_and_key_on_and_off(keras, tmp_path):
    from kerasvg.cli import main

    path = tmp_path / "net.keras"
    _named_resnet(keras).save(path)

    def drawn(*flags):
        out = tmp_path / "out.svg"
        assert main(["render", str(path), "-o", str(out), "--width", "3.5in", *flags]) == 0
        root = ET.fromstring(out.read_bytes())
        return [c for g in root.iter(f"{NS}g") for c in _classes(g) if c in ("legend", "block-key")]

    assert sorted(drawn()) == ["block-key", "legend"]
    assert drawn("--no-legend") == ["block-key"]
    assert drawn("--no-block-key") == ["legend"]


def _small_models(keras):
    from keras import layers

    from kerasvg import zoo

    mlp = keras.Sequential([keras.Input((64,))] + [layers.Dense(64, activation="relu") for _ in range(49)]
                           + [layers.Dense(10)])
    x = inputs = keras.Input((32,), dtype="int32")
    x = layers.Embedding(500, 64)(x)
    for _ in range(6):
        h = layers.LayerNormalization()(x)
        x = layers.Add()([x, layers.MultiHeadAttention(4, 16)(h, h, use_causal_mask=True)])
        h = layers.LayerNormalization()(x)
        x = layers.Add()([x, layers.Dense(64)(layers.Dense(256, activation="gelu")(h))])
    gpt = keras.Model(inputs, layers.Dense(500)(layers.LayerNormalization()(x)))
    return {"mlp": mlp, "gpt": gpt, "unet": zoo.unet(), "small-cnn": zoo.small_cnn()}


def test_every_model_fits_one_column_with_legible_text(keras):
    for name, model in _small_models(keras).items():
        diagram = layered_view(model, width="3.5in")
        width, height = diagram.vector_size
        assert height <= 1.3 * width + 0.5, (name, width, height, diagram.detail)
        assert diagram.scene.font_size * (3.5 * 96 / width) * 0.75 >= 6.0, name  # points when printed 3.5 in wide


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "DenseNet121", "EfficientNetB0", "InceptionV3", "MobileNetV2",
                                  "ConvNeXtTiny"])
@pytest.mark.parametrize("options", [{}, {"detail": "blocks"}], ids=["default", "blocks"])
def test_every_stage_caption_keeps_its_shape_and_block_count(apps, name, options):
    """A narrow stage (EfficientNetB0's one-block stage 1) is narrower than its caption: the next stage moves
    over and the frame widens to it, so no caption drops its shape or block count."""
    root = _root(layered_view(apps(name), **options))
    frames = [g for g in root.iter(f"{NS}g") if "group" in _classes(g) and g.get("data-level") == "stage"]
    captions = {}
    for g in frames:
        text = next(t for t in g.findall(f"{NS}text") if t.get("class") == "caption")
        rect = next(r for r in g.findall(f"{NS}rect") if "group-frame" in _classes(r))
        assert float(text.get("x")) >= float(rect.get("x")), text.text
        captions[g.get("data-group-name")] = text.text
    stages = {k: v for k, v in captions.items() if k not in ("stem", "head")}
    assert len(stages) >= 3
    for stage, caption in stages.items():
        assert caption.startswith(f"{stage} · ") and caption.count("×") == 2, caption
        assert caption.endswith((" block", " blocks")), caption
