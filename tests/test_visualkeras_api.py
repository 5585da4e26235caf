"""visualkeras's public API through `import kerasvg as visualkeras`, and the API a user can discover:
the signature, LayeredOptions and presets, label parts, frozen layers, layer ranges, styles by name."""
import dataclasses
import inspect
import io
import time
import warnings

import pytest
from PIL import Image

import kerasvg
import kerasvg as visualkeras
from conftest import SVG_NS, connector_groups, layer_groups, parse_svg
from kerasvg.readers.saved import graph_from_config, read_saved_model

MASTER_FIELDS = {
    "to_file", "min_z", "min_xy", "max_z", "max_xy", "scale_z", "scale_xy", "type_ignore", "index_ignore",
    "color_map", "one_dim_orientation", "index_2D", "background_fill", "draw_volume", "draw_reversed", "padding",
    "text_callable", "text_vspacing", "spacing", "draw_funnel", "shade_step", "legend", "legend_text_spacing_offset",
    "font", "font_color", "show_dimension", "sizing_mode", "dimension_caps", "relative_base_size", "connector_fill",
    "connector_width", "image_fit", "image_axis", "layered_groups", "logo_groups", "logos_legend", "styles",
}
KERASVG_KEYWORDS = {"labels", "theme", "overrides", "width", "aspect", "max_width", "expand_nested", "fold_repeats",
                    "direction", "show_trainable", "layer_range", "groups", "detail", "block_key", "load", "imports", "id_prefix",
                    "scheme", "text"}


# ---------------------------------------------------------------- helpers and models


def groups_by_name(diagram):
    return {g.get("data-name"): g for g in layer_groups(parse_svg(diagram.to_svg()))}


def label_lines(diagram):
    return {name: [t.text for t in g.findall(f"{SVG_NS}text") if t.get("class") == "label"]
            for name, g in groups_by_name(diagram).items()}


def front_fill(group):
    return next(p.get("fill") for p in group.findall(f"{SVG_NS}polygon") if "front" in p.get("class", ""))


def front_x(group):
    front = next(p for p in group.findall(f"{SVG_NS}polygon") if "front" in p.get("class", ""))
    return min(float(pair.split(",")[0]) for pair in front.get("points").split())


def saved(model):
    """The model as the saved-file reader sees it (no Keras involved)."""
    import json

    return graph_from_config(json.loads(model.to_json()))


@pytest.fixture(scope="module")
def dense_model(keras):
    inputs = keras.layers.Input(shape=(8,), name="input")
    x = keras.layers.Dense(6, activation="relu", name="dense1")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax", name="dense2")(x)
    return keras.Model(inputs, outputs, name="dense_model")


@pytest.fixture(scope="module")
def conv_model(keras):
    L = keras.layers
    inputs = L.Input((12, 12, 3), name="input")
    x = L.Conv2D(4, 3, activation="relu", padding="same", name="conv_a")(inputs)
    x = L.MaxPool2D(2, name="pool")(x)
    x = L.Conv2D(8, 3, activation="relu", padding="same", name="conv_b")(x)
    x = L.Flatten(name="flatten")(x)
    outputs = L.Dense(3, activation="softmax", name="dense")(x)
    return keras.Model(inputs, outputs, name="conv_model_advanced")


@pytest.fixture(scope="module")
def net(keras):
    """A CNN with a stride-2 7×7 stem, a frozen stem, batch norm, a residual add and a classifier."""
    L = keras.layers
    x = L.Input((64, 64, 3), name="img")
    y = L.Conv2D(16, 7, strides=2, padding="same", activation="relu", name="conv1")(x)
    y = L.BatchNormalization(name="bn")(y)
    y = L.MaxPooling2D(2, name="pool")(y)
    z = L.Conv2D(16, 3, padding="same", name="conv2")(y)
    y = L.Add(name="add")([y, z])
    y = L.Flatten(name="flat")(y)
    y = L.Dense(32, activation="relu", name="fc")(y)
    y = L.Dropout(0.3, name="drop")(y)
    out = L.Dense(10, activation="softmax", name="out")(y)
    model = keras.Model(x, out, name="net")
    model.get_layer("conv1").trainable = False
    return model


# ---------------------------------------------------------------- visualkeras master: options and presets


def test_layered_options_has_masters_fields_and_defaults():
    kwargs = visualkeras.LayeredOptions().to_kwargs()
    assert set(kwargs) == MASTER_FIELDS
    assert kwargs["type_ignore"] is None and kwargs["index_ignore"] is None and kwargs["color_map"] is None
    assert kwargs["index_2D"] == () and kwargs["text_callable"] is None
    assert (kwargs["min_z"], kwargs["max_xy"], kwargs["scale_xy"], kwargs["connector_fill"]) == (20, 2000, 4.0, "gray")
    assert dataclasses.is_dataclass(visualkeras.LayeredOptions)


def test_layered_options_keeps_custom_values():
    callback = lambda i, layer: ("custom", True)  # noqa: E731
    kwargs = visualkeras.LayeredOptions(to_file="out.png", type_ignore=(int,), index_ignore=(1, 2),
                                        color_map={str: {"fill": "blue"}}, index_2D=(3,), text_callable=callback,
                                        legend=True, show_dimension=True, relative_base_size=10).to_kwargs()
    assert kwargs["to_file"] == "out.png" and kwargs["type_ignore"] == (int,) and kwargs["index_ignore"] == (1, 2)
    assert kwargs["color_map"][str]["fill"] == "blue" and kwargs["index_2D"] == (3,)
    assert kwargs["text_callable"] is callback and kwargs["legend"] is True and kwargs["relative_base_size"] == 10


def test_layered_presets_are_masters_three():
    assert set(visualkeras.LAYERED_PRESETS) == {"default", "compact", "presentation"}
    for options in visualkeras.LAYERED_PRESETS.values():
        assert isinstance(options.to_kwargs(), dict) and options.to_kwargs()


@pytest.mark.parametrize("name", ["name", "type", "shape", "name_shape"])
def test_each_text_callable_takes_any_layer_like_object(name):
    text, above = visualkeras.LAYERED_TEXT_CALLABLES[name](0, type("DummyLayer", (), {"name": "foo", "output_shape": (None, 8)})())
    assert isinstance(text, str) and text and isinstance(above, bool)
    assert {"name": "foo", "type": "DummyLayer", "shape": "8", "name_shape": "foo\n8"}[name] == text


def test_show_writes_the_file_and_returns_a_pil_image(dense_model, tmp_path):
    out = tmp_path / "layered.png"
    image = visualkeras.show(dense_model, mode="layered",
                             options=visualkeras.LayeredOptions(to_file=str(out), legend_text_spacing_offset=0))
    assert isinstance(image, Image.Image) and image.width > 0 and image.height > 0
    assert out.stat().st_size > 0 and Image.open(out).size == image.size


def test_show_refuses_the_views_kerasvg_does_not_draw(dense_model):
    with pytest.raises(ValueError, match="layered"):
        visualkeras.show(dense_model, mode="graph")
    with pytest.raises(ValueError, match="allowed"):
        visualkeras.show(dense_model, mode="sideways")


def test_advanced_styles_text_callable_and_logos(conv_model, tmp_path):
    icon = tmp_path / "icon.png"
    Image.new("RGBA", (32, 20), (255, 90, 40, 255)).save(icon)
    out = tmp_path / "layered_advanced.png"
    styles = {"conv_a": {"image": str(icon), "image_fit": "match_aspect", "image_axis": "z", "scale_image": 1.1},
              "conv_b": {"image": str(icon), "image_fit": "contain", "image_axis": "x"},
              "dense": {"image": str(icon), "image_fit": "cover", "image_axis": "y", "fill": "#123456"}}
    logos = [{"name": "Icon", "file": str(icon), "layers": ["conv_a"], "axis": "z", "size": 0.45}]
    with pytest.warns(UserWarning) as caught:
        image = visualkeras.layered_view(conv_model, draw_volume=True, styles=styles, logo_groups=logos,
                                         logos_legend=True, legend=True, to_file=str(out), legend_text_spacing_offset=0,
                                         text_callable=lambda i, layer: (layer.name, i % 2 == 0))
    messages = {str(w.message) for w in caught}
    assert "styles['conv_a']['image']: kerasvg does not draw images on layers; ignored" in messages
    assert {"logo_groups: kerasvg does not draw logos; ignored", "logos_legend: kerasvg does not draw logos; ignored"} \
        <= messages
    assert isinstance(image, Image.Image) and image.width > 0 and out.stat().st_size > 0
    assert front_fill(groups_by_name(image)["dense"]) == "#123456"
    assert label_lines(image)["pool"] == ["pool"]


def test_reversed_boxes_with_images_and_a_missing_logo(conv_model, tmp_path):
    icon = tmp_path / "icon.png"
    Image.new("RGBA", (32, 20), (255, 90, 40, 255)).save(icon)
    out = tmp_path / "layered_reversed.png"
    styles = {"conv_a": {"image": str(icon), "image_fit": "contain", "image_axis": "y"}}
    logos = [{"name": "MissingLogo", "file": str(tmp_path / "nope.png"), "layers": ["conv_a"]}]
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        image = visualkeras.layered_view(conv_model, draw_volume=True, draw_reversed=True, draw_funnel=True,
                                         styles=styles, logo_groups=logos, logos_legend=True, to_file=str(out),
                                         legend_text_spacing_offset=0)
    assert isinstance(image, Image.Image) and image.mode == "RGBA" and out.stat().st_size > 0


def test_layered_groups_become_captioned_groups(conv_model):
    d = visualkeras.layered_view(conv_model, layered_groups=[{"name": "Conv Stack", "layers": ["conv_a", "conv_b"]}])
    group = [g for g in parse_svg(d.to_svg()).iter(f"{SVG_NS}g") if g.get("data-group-name") == "Conv Stack"]
    assert len(group) == 1


# ---------------------------------------------------------------- visualkeras 0.2.0's test_layered models


def _v020_sequential(lib, nested):
    model = lib.models.Sequential()
    model.add(lib.layers.InputLayer(input_shape=(8, 8, 3), name="input"))
    model.add(lib.layers.ZeroPadding2D((1, 1), name="zero_padding"))
    model.add(lib.layers.Conv2D(64, activation="relu", kernel_size=(3, 3), name="conv"))
    model.add(lib.layers.MaxPooling2D((2, 2), strides=(2, 2), name="max_pooling"))
    model.add(lib.layers.Flatten(name="flatten"))
    model.add(lib.layers.Dense(1, activation="relu", name="dense_1"))
    model.add(lib.layers.Dropout(0.5, name="dropout"))
    if nested:
        sub = lib.models.Sequential()
        for layer in (lib.layers.Dense(1, activation="relu", name="sub_dense_1"), lib.layers.Dropout(0.5, name="sub_dropout"),
                      lib.layers.Dense(1, activation="relu", name="sub_dense_2")):
            sub.add(layer)
        model.add(sub)
    model.add(lib.layers.Dense(1, activation="softmax", name="dense_2"))
    return model


def _v020_functional(lib, nested):
    L = lib.layers
    img = L.Input(shape=(48, 48, 1), name="input_1")
    b1 = L.Conv2D(1, (3, 3), padding="same", activation="relu", name="layer_1_2")(
        L.Conv2D(1, (1, 1), padding="same", activation="relu", name="layer_1_1")(img))
    b2 = L.Conv2D(1, (5, 5), padding="same", activation="relu", name="layer_2_2")(
        L.Conv2D(1, (1, 1), padding="same", activation="relu", name="layer_2_1")(img))
    b3 = L.Conv2D(1, (1, 1), padding="same", activation="relu", name="layer_3_2")(
        L.MaxPooling2D((3, 3), strides=(1, 1), padding="same", name="layer_3_1")(img))
    img2 = L.Input(shape=(48, 48, 1), name="input_2")
    mid = L.concatenate([b1, b2, b3, img2], axis=3, name="concat")
    x = L.Dense(1, activation="relu", name="dense_1")(L.Flatten(name="flatten")(mid))
    x = L.Dense(1, activation="relu", name="dense_3")(L.Dense(1, activation="relu", name="dense_2")(x))
    if nested:
        sub_in = L.Input(shape=(1,), name="sub_input")
        sub_out = L.concatenate([L.Dense(10, activation="relu", name="sub_dense_1")(sub_in),
                                 L.Dense(10, activation="relu", name="sub_dense_2")(sub_in)], axis=1, name="sub_concatenate")
        x = lib.Model([sub_in], [sub_out], name="sub_model")(x)
    out = L.Dense(1, activation="softmax", name="dense_4")(x)
    return lib.Model([img, img2], [out, mid])


# Keras 3 cannot build the nested functional fixture at all (for visualkeras either); tf_keras can.
V020_CASES = [("keras", "sequential", False), ("keras", "sequential", True), ("keras", "functional", False),
              ("tf_keras", "sequential", False), ("tf_keras", "sequential", True), ("tf_keras", "functional", False),
              ("tf_keras", "functional", True)]


@pytest.mark.filterwarnings("ignore:Argument `input_shape` is deprecated:UserWarning")  # Keras 3, on 0.2.0's models
@pytest.mark.parametrize("lib_name, kind, nested", V020_CASES)
def test_visualkeras_020_models_draw(lib_name, kind, nested):
    import importlib

    lib = importlib.import_module(lib_name)
    model = (_v020_sequential if kind == "sequential" else _v020_functional)(lib, nested)
    d = visualkeras.layered_view(model)
    drawn = set(groups_by_name(d))
    inputs = {name for name in drawn if name.startswith("input")}
    assert {layer.name for layer in model.layers} | inputs == drawn
    assert isinstance(d, Image.Image) and d.size[0] > 0


# ---------------------------------------------------------------- the signature


def test_the_signature_names_every_keyword_with_a_type_a_default_and_a_line_of_doc():
    params = inspect.signature(kerasvg.layered_view).parameters
    positional = [name for name, p in params.items() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert positional == ["model"] + [f.name for f in dataclasses.fields(kerasvg.LayeredOptions)]  # visualkeras's order
    keywords = {name for name, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert keywords == KERASVG_KEYWORDS | {"options", "preset"}
    keywords |= MASTER_FIELDS
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    doc = kerasvg.layered_view.__doc__
    for name in keywords:
        assert params[name].annotation is not inspect.Parameter.empty, name
        assert params[name].default is not inspect.Parameter.empty, name
        assert f"\n    {name}: " in doc, name
    assert params["direction"].default == "lr" and params["show_trainable"].default is False


def test_visualkeras_keywords_may_come_by_position(net, tmp_path):
    out = tmp_path / "positional.svg"
    d = kerasvg.layered_view(net, str(out), 30)
    assert out.read_text(encoding="utf-8") == d.to_svg() == kerasvg.layered_view(net, min_z=30).to_svg()


def test_an_unknown_keyword_is_a_type_error_with_a_suggestion(net):
    with pytest.raises(TypeError, match="colour_map.*did you mean 'color_map'"):
        kerasvg.layered_view(net, colour_map={})
    with pytest.raises(TypeError, match="did you mean 'show_trainable'"):
        kerasvg.layered_view(net, show_trainables=True)


def test_layered_options_count_only_what_differs_from_their_defaults(net):
    plain = kerasvg.layered_view(net).to_svg()
    assert kerasvg.layered_view(net, options=kerasvg.LayeredOptions()).to_svg() == plain
    assert kerasvg.layered_view(net, options=kerasvg.LayeredOptions(legend=True)).to_svg() == \
        kerasvg.layered_view(net, legend=True).to_svg()
    assert kerasvg.layered_view(net, options=kerasvg.LayeredOptions(spacing=60), spacing=20).to_svg() == \
        kerasvg.layered_view(net, spacing=20).to_svg()


def test_presets_compact_presentation_and_flat(net):
    compact = kerasvg.layered_view(net, preset="compact")
    default = kerasvg.layered_view(net, preset="default")
    assert compact.vector_size[0] < default.vector_size[0]
    presentation = kerasvg.layered_view(net, preset="presentation")
    assert label_lines(presentation)["conv1"] == ["conv1", "32 x 32 x 16"]
    assert [g for g in parse_svg(presentation.to_svg()).iter(f"{SVG_NS}g") if g.get("class") == "legend"]
    flat = groups_by_name(kerasvg.layered_view(net, preset="flat"))
    assert all(len(g.findall(f"{SVG_NS}polygon")) == 1 for g in flat.values())


def test_text_callable_by_name_and_an_unknown_name(net):
    assert label_lines(kerasvg.layered_view(net, text_callable="type"))["conv1"] == ["Conv2D"]
    with pytest.raises(ValueError) as error:
        kerasvg.layered_view(net, text_callable="shapes")
    assert all(name in str(error.value) for name in kerasvg.LAYERED_TEXT_CALLABLES)


def test_spacing_dummy_layer_widens_the_gap_and_passes_data_through(keras, tmp_path):
    import numpy as np

    L = keras.layers

    def model(spacer):
        middle = [kerasvg.SpacingDummyLayer(spacer)] if spacer else []
        return keras.Sequential([keras.Input((8, 8, 3), name="x"), L.Conv2D(4, 3, name="c1"), *middle,
                                 L.Conv2D(4, 3, name="c2"), L.Flatten(name="f"), L.Dense(3, name="d")], name="spaced")

    spaced = model(80)
    data = np.ones((1, 8, 8, 3), "float32")
    assert spaced.predict(data, verbose=0).shape == (1, 3)
    plain_groups, spaced_groups = groups_by_name(kerasvg.layered_view(model(0))), groups_by_name(kerasvg.layered_view(spaced))
    assert set(spaced_groups) == set(plain_groups)  # the spacer itself is not drawn
    gap = lambda g: front_x(g["c2"]) - front_x(g["c1"])  # noqa: E731
    assert gap(spaced_groups) >= gap(plain_groups) + 80 - 0.5
    spaced.save(tmp_path / "spaced.keras")
    from_file = groups_by_name(kerasvg.layered_view(read_saved_model(tmp_path / "spaced.keras")))
    assert set(from_file) == set(plain_groups) and gap(from_file) == pytest.approx(gap(spaced_groups), abs=0.01)


# ---------------------------------------------------------------- label parts


def test_label_parts_say_what_a_layer_does_live_and_from_files(net):
    parts = ("name", "kernel", "activation", "units", "shape", "config.rate", "type", "params")
    for diagram in (kerasvg.layered_view(net, labels=parts), kerasvg.layered_view(saved(net), labels=parts)):
        lines = label_lines(diagram)
        assert lines["conv1"] == ["conv1", "7×7 /2", "relu", "32×32×16", "Conv2D", "2,368 params"]
        assert lines["conv2"][:3] == ["conv2", "3×3", "16×16×16"]  # linear activation and stride 1 say nothing
        assert lines["pool"][:2] == ["pool", "2×2 /2"]
        assert lines["fc"][:4] == ["fc", "relu", "32 units", "32"]
        assert lines["drop"][:3] == ["drop", "32", "rate=0.3"]
        assert lines["out"][:3] == ["out", "softmax", "10 units"]


def test_config_label_part_reads_any_configuration_value(net):
    live = label_lines(kerasvg.layered_view(net, labels=("config.padding", "config.use_bias")))
    filed = label_lines(kerasvg.layered_view(saved(net), labels=("config.padding", "config.use_bias")))
    assert live["conv1"] == filed["conv1"] == ["padding=same", "use_bias=True"]
    assert live["add"] == filed["add"] == []
    with pytest.raises(ValueError, match="config.KEY"):
        kerasvg.layered_view(net, labels=("name", "activations"))


def test_text_callable_gets_a_record_for_saved_files(net):
    seen = {}

    def label(index, layer):
        seen[layer.name] = (index, type(layer).__name__, layer.output_shape, layer.get_config().get("activation"),
                            layer.trainable, layer.count_params())
        return f"{type(layer).__name__}:{layer.name}", False

    lines = label_lines(kerasvg.layered_view(saved(net), text_callable=label))
    assert seen["conv1"] == (1, "Conv2D", (None, 32, 32, 16), "relu", False, 2368)
    assert seen["pool"][2] == (None, 16, 16, 16)
    assert lines["fc"] == ["Dense:fc"]
    name_shape = label_lines(kerasvg.layered_view(saved(net), text_callable="name_shape"))
    assert name_shape["conv1"] == ["conv1", "32 x 32 x 16"]


# ---------------------------------------------------------------- frozen layers


def _frozen(diagram):
    return sorted(n for n, g in groups_by_name(diagram).items() if "frozen" in g.get("class").split())


def test_show_trainable_marks_only_layers_whose_flag_is_false(net):
    assert net.get_layer("bn").non_trainable_weights  # holds non-trainable weights, yet is trainable
    for diagram in (kerasvg.layered_view(net, show_trainable=True), kerasvg.layered_view(saved(net), show_trainable=True)):
        assert _frozen(diagram) == ["conv1"]
        conv1 = groups_by_name(diagram)["conv1"]
        faces = [p for p in conv1.findall(f"{SVG_NS}polygon") if "face" in p.get("class")]
        assert faces and all(p.get("stroke-dasharray") for p in faces)
        assert [g for g in conv1.iter(f"{SVG_NS}g") if g.get("class") == "lock"]
        bn_faces = [p for p in groups_by_name(diagram)["bn"].findall(f"{SVG_NS}polygon")]
        assert not any(p.get("stroke-dasharray") for p in bn_faces)
        entries = [g for g in parse_svg(diagram.to_svg()).iter(f"{SVG_NS}g") if "frozen" in g.get("class", "").split()
                   and "legend-entry" in g.get("class")]
        assert len(entries) == 1 and "trainable=False" in entries[0].find(f"{SVG_NS}text").text
    assert _frozen(kerasvg.layered_view(net)) == []


def test_a_frozen_model_marks_every_layer(keras):
    model = keras.Sequential([keras.Input((4,), name="i"), keras.layers.Dense(3, name="a"),
                              keras.layers.Dense(2, name="b")], name="ice")
    model.trainable = False
    assert _frozen(kerasvg.layered_view(model, show_trainable=True)) == ["a", "b", "i"]


# ---------------------------------------------------------------- layer ranges


def _stubs(diagram):
    return sorted((c.get("data-from"), c.get("data-to")) for c in connector_groups(parse_svg(diagram.to_svg()))
                  if "stub" in c.get("class").split())


def test_layer_range_on_a_sequential_model_is_the_slice(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((8,), name="in")] + [L.Dense(8, name=f"d{i}") for i in range(6)], name="seq")
    names = [layer.name for layer in model.layers]
    by_index = kerasvg.layered_view(model, layer_range=(1, 3))
    assert list(groups_by_name(by_index)) == names[1:4]
    assert _stubs(by_index) == [("d0", "d1"), ("d3", "d4")]
    by_name = kerasvg.layered_view(model, layer_range=("d1", "d3"))
    assert list(groups_by_name(by_name)) == names[1:4]
    assert list(groups_by_name(kerasvg.layered_view(model, layer_range=(0, -1)))) == names[:]


def test_layer_range_draws_every_path_between_the_ends_with_stubs(net):
    for model in (net, saved(net)):
        d = kerasvg.layered_view(model, layer_range=("bn", "flat"))
        assert sorted(groups_by_name(d)) == ["add", "bn", "conv2", "flat", "pool"]
        assert _stubs(d) == [("conv1", "bn"), ("flat", "fc")]
        stub = next(c for c in connector_groups(parse_svg(d.to_svg())) if "stub" in c.get("class"))
        assert stub.find(f"{SVG_NS}polyline") is not None


def test_layer_range_errors_name_the_problem(net):
    with pytest.raises(ValueError, match="nearest: .*conv1"):
        kerasvg.layered_view(net, layer_range=("conv", "fc"))
    with pytest.raises(ValueError, match="no path"):
        kerasvg.layered_view(net, layer_range=("fc", "conv1"))
    with pytest.raises(ValueError, match="out of range"):
        kerasvg.layered_view(net, layer_range=(0, 99))


# ---------------------------------------------------------------- styles by name


def test_styles_by_name_beat_globs_which_beat_classes(net, keras):
    d = groups_by_name(kerasvg.layered_view(net, color_map={keras.layers.Conv2D: {"fill": "#0000ff"}},
                                            styles={"conv*": {"fill": "#00ff00"}, "conv2": {"fill": "#ff0000"},
                                                    "Dense": {"fill": "#ffff00", "outline": "#112233"}}))
    assert front_fill(d["conv1"]) == "#00ff00" and front_fill(d["conv2"]) == "#ff0000"
    assert front_fill(d["fc"]) == "#ffff00"
    named = groups_by_name(kerasvg.layered_view(net, color_map={"pool": {"fill": "#abcdef"}}))
    assert front_fill(named["pool"]) == "#abcdef"


def test_a_string_key_matching_nothing_is_an_error_naming_the_nearest(net, keras):
    with pytest.raises(ValueError, match=r"'conv_1'.*nearest: conv1"):
        kerasvg.layered_view(net, styles={"conv_1": {"fill": "red"}})
    with pytest.raises(ValueError, match="'Dens'"):
        kerasvg.layered_view(net, color_map={"Dens": {"fill": "red"}})
    with pytest.raises(ValueError, match="'nomatch_\\*'"):
        kerasvg.layered_view(net, overrides={"layer": {"nomatch_*": {"fill": "red"}}})
    kerasvg.layered_view(net, color_map={keras.layers.LSTM: {"fill": "red"}, "GRU": {"fill": "blue"}})


def test_style_keys_kerasvg_does_not_apply_per_layer_warn_and_unknown_ones_fail(net):
    with pytest.warns(UserWarning, match="'spacing'.*not per layer"):
        d = kerasvg.layered_view(net, styles={"conv1": {"spacing": 40, "fill": "#010203"}})
    assert front_fill(groups_by_name(d)["conv1"]) == "#010203"
    with pytest.raises(ValueError, match="'colour'.*fill, outline, pattern"):
        kerasvg.layered_view(net, styles={"conv1": {"colour": "red"}})


def test_theme_labels_take_the_new_parts(net, tmp_path):
    theme = tmp_path / "parts.toml"
    theme.write_text('[labels]\nshow = ["name", "activation", "config.rate"]\n')
    lines = label_lines(kerasvg.layered_view(net, theme=str(theme)))
    assert lines["fc"] == ["fc", "relu"] and lines["drop"] == ["drop", "rate=0.3"]


def test_theme_files_take_layer_names(net, tmp_path):
    theme = tmp_path / "lab.toml"
    theme.write_text('[layer.fc]\nfill = "#654321"\n[layer."conv*"]\nfill = "#0f0f0f"\n')
    d = groups_by_name(kerasvg.layered_view(net, theme=str(theme)))
    assert front_fill(d["fc"]) == "#654321" and front_fill(d["conv2"]) == "#0f0f0f"
    assert front_fill(d["out"]) != "#654321"


# ---------------------------------------------------------------- small things


def test_help_lists_the_themes_in_themes_order():
    order = ", ".join(kerasvg.themes())
    assert f"Built-in themes (kerasvg.themes()): {order}." in kerasvg.__doc__
    import pathlib

    page = (pathlib.Path(__file__).resolve().parent.parent / "docs" / "themes.md").read_text(encoding="utf-8")
    assert "{" + ", ".join(f"'{name}': ..." for name in kerasvg.themes()) + "}" in page


def test_pdf_bytes_do_not_change_with_the_clock(net):
    d = kerasvg.layered_view(net)
    first = d.to_pdf()
    time.sleep(1.1)
    assert d.to_pdf() == first and b"CreationDate" not in first


def test_diagram_is_still_a_pil_image_with_frozen_marks(net):
    d = kerasvg.layered_view(net, show_trainable=True, legend=True)
    image = Image.open(io.BytesIO(d.to_png()))
    assert image.size == d.size and d.mode == "RGBA"
