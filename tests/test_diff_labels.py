"""A diff's labels say what changed (issue 19): `filters 256 → 512` under the layer in every static format."""
import io

import pytest

import kerasvg
import svgcheck
from conftest import SVG_NS, layer_groups, parse_svg
from kerasvg.comparison.compare import LABEL_CHANGE_CHARS, compare, label_changes
from kerasvg.comparison.marks import LABEL_ALL_CHANGES_UP_TO, layers_to_label
from kerasvg.graph.model import Layer, ModelGraph
from kerasvg.layout.items import with_changes
from kerasvg.writers.tikz import latex_text

ARROW = "\u2192"


def _conv(name, filters, kernel=(3, 3), activation="relu", size=14, channels_in=32):
    config = (("filters", filters), ("kernel_size", kernel), ("activation", activation), ("padding", "same"))
    params = kernel[0] * kernel[1] * channels_in * filters + filters
    return Layer(name, "Conv2D", ((None, size, size, filters),), params, 0, config)


def cnn(filters=256, kernel=(3, 3), activation="relu", name="cnn"):
    """image → conv_1 → conv_2 (`filters`, `kernel`, `activation`) → bn → gap → logits."""
    c = filters
    layers = (Layer("image", "InputLayer", ((None, 14, 14, 1),), is_input=True),
              _conv("conv_1", 32, channels_in=1),
              _conv("conv_2", c, kernel, activation),
              Layer("bn", "BatchNormalization", ((None, 14, 14, c),), 2 * c, 2 * c, (("axis", -1),)),
              Layer("gap", "GlobalAveragePooling2D", ((None, c),)),
              Layer("logits", "Dense", ((None, 10),), 10 * c + 10, 0, (("units", 10),)))
    names = [l.name for l in layers]
    return ModelGraph(name, layers, tuple(zip(names, names[1:])), ("image",), ("logits",))


def label_texts(svg):
    """data-name → the lines of its label, for every drawn layer."""
    return {g.get("data-name"): [t.text for t in g.findall(f"{SVG_NS}text[@class='label']")]
            for g in layer_groups(parse_svg(svg))}


# ---------------------------------------------------------------- what a label says (no drawing)


def test_the_most_telling_fields_come_first_then_shapes_at_most_two_lines():
    old, new = _conv("c", 256), _conv("c", 512)
    assert label_changes(old, new) == (f"filters 256 {ARROW} 512", f"14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512")
    wider = _conv("c", 512, (5, 5), "gelu")
    assert label_changes(old, wider) == (f"filters 256 {ARROW} 512", f"kernel_size (3, 3) {ARROW} (5, 5)")
    assert label_changes(old, wider, most=5) == (
        f"filters 256 {ARROW} 512", f"kernel_size (3, 3) {ARROW} (5, 5)", f"activation relu {ARROW} gelu",
        f"14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512", f"params 73,984 {ARROW} 410,112")
    assert label_changes(old, old) == ()


def test_shapes_before_other_fields_and_parameters_last():
    old = Layer("bn", "BatchNormalization", ((None, 4, 4, 8),), 16, 16, (("momentum", 0.99),))
    new = Layer("bn", "BatchNormalization", ((None, 4, 4, 16),), 32, 32, (("momentum", 0.9),))
    assert label_changes(old, new) == (f"4\u00d74\u00d78 {ARROW} 4\u00d74\u00d716", f"momentum 0.99 {ARROW} 0.9")
    assert label_changes(replace_config(old, new.config), new) == (
        f"4\u00d74\u00d78 {ARROW} 4\u00d74\u00d716", f"params 32 {ARROW} 64")


def replace_config(layer, config):
    return Layer(layer.name, layer.type, layer.output_shapes, layer.trainable_params, layer.non_trainable_params,
                 config)


def test_a_new_type_leads_and_a_rename_is_said_when_nothing_else_changed():
    old = Layer("act", "ReLU", ((None, 8),))
    assert label_changes(old, Layer("act", "ELU", ((None, 8),))) == (f"ReLU {ARROW} ELU",)
    assert label_changes(old, Layer("act_2", "ReLU", ((None, 8),))) == ("renamed from act",)


def test_long_values_are_elided_in_the_middle_and_keep_the_arrow():
    old = Layer("d", "Dense", ((None, 8),), config=(("kernel_initializer", "glorot_uniform_with_a_very_long_name"),))
    new = Layer("d", "Dense", ((None, 8),), config=(("kernel_initializer", "he_normal_with_an_even_longer_name_here"),))
    (line,) = label_changes(old, new)
    assert len(line) <= LABEL_CHANGE_CHARS and line.startswith("kernel_initializer ") and f" {ARROW} " in line
    assert line.count("\u2026") == 2 and line.split(f" {ARROW} ")[1].endswith("here")


def test_a_line_restated_by_a_change_gives_way_to_it():
    change = (f"14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512",)
    assert with_changes(("conv", "14\u00d714\u00d7512"), change) == ("conv",) + change
    assert with_changes(("14\u00d714\u00d7512",), change) == ("14\u00d714\u00d7512",) + change  # the first stays
    assert with_changes(("conv", "10"), ()) == ("conv", "10")


def test_only_changed_layers_get_change_lines_and_none_when_too_many_differ():
    result = compare(cnn(256), cnn(512))
    assert layers_to_label(result) == {
        "conv_2": (f"filters 256 {ARROW} 512", f"14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512"),
        "bn": (f"14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512", f"params 1,024 {ARROW} 2,048"),
        "gap": (f"256 {ARROW} 512",),
        "logits": (f"params 2,570 {ARROW} 5,130",)}
    many = LABEL_ALL_CHANGES_UP_TO + 1
    a = ModelGraph("a", tuple(Layer(f"d{i}", "Dense", ((None, 4),)) for i in range(many)), ())
    b = ModelGraph("b", tuple(Layer(f"d{i}", "Dense", ((None, 8),)) for i in range(many)), ())
    assert layers_to_label(compare(a, b)) == {}


# ---------------------------------------------------------------- drawn, in every format


@pytest.fixture(scope="module")
def widened():
    return kerasvg.diff(cnn(256), cnn(512))


def test_svg_labels_say_old_to_new(widened):
    svg = widened.to_svg()
    labels = label_texts(svg)
    assert labels["conv_2"] == ["conv_2", f"filters 256 {ARROW} 512", f"14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512"]
    assert labels["bn"] == ["bn", f"14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512", f"params 1,024 {ARROW} 2,048"]
    assert labels["conv_1"] == ["conv_1", "14\u00d714\u00d732"]  # unchanged layers keep their label
    svgcheck.assert_clean(svg)


def test_a_renamed_layer_says_its_old_name():
    a = cnn()
    renamed = ModelGraph("b", tuple(replace_name(l, "conv_two") if l.name == "conv_2" else l for l in a.layers),
                         tuple((s.replace("conv_2", "conv_two"), t.replace("conv_2", "conv_two")) for s, t in a.edges),
                         a.inputs, a.outputs)
    labels = label_texts(kerasvg.diff(a, renamed).to_svg())
    assert labels["conv_two"] == ["conv_two", "14\u00d714\u00d7256", "renamed from conv_2"]


def replace_name(layer, name):
    return Layer(name, layer.type, layer.output_shapes, layer.trainable_params, layer.non_trainable_params,
                 layer.config)


def test_tikz_labels_say_it_escaped(widened):
    tex = widened.to_tikz()
    node = next(line for line in tex.splitlines() if "conv\\_2\\\\" in line)
    assert "\\\\".join(latex_text(t) for t in ["conv_2", f"filters 256 {ARROW} 512",
                                                f"14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512"]) in node


def test_tikz_sets_the_arrow_as_an_arrow(widened):
    assert "filters 256 \\textrightarrow{} 512" in widened.to_tikz()


def test_pptx_labels_say_it(widened):
    pptx = pytest.importorskip("pptx")
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    def walk(shapes):
        for shape in shapes:
            yield shape
            if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
                yield from walk(shape.shapes)

    slide = pptx.Presentation(io.BytesIO(widened.to_pptx())).slides[0]
    texts = [s.text_frame.text for s in walk(slide.shapes) if s.has_text_frame]
    assert f"conv_2\nfilters 256 {ARROW} 512\n14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512" in texts


def test_png_and_pdf_draw_from_the_same_labels(widened):
    assert widened.to_png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert widened.to_pdf()[:5] == b"%PDF-"


def test_a_change_is_labelled_where_a_big_model_labels_few_layers():
    def chain(units):
        layers = [Layer("x", "InputLayer", ((None, 8),), is_input=True)]
        layers += [Layer(f"dense_{i}", "Dense", ((None, units if i == 40 else 8),), 72, 0,
                         (("units", units if i == 40 else 8),)) for i in range(80)]
        names = [l.name for l in layers]
        return ModelGraph("deep", tuple(layers), tuple(zip(names, names[1:])), ("x",), (names[-1],))

    plain = label_texts(kerasvg.layered_view(chain(8)).to_svg())
    assert plain["dense_40"] == []  # sparse labels: this layer is not named in a plain drawing
    svg = kerasvg.diff(chain(8), chain(16)).to_svg()
    labels = label_texts(svg)
    assert labels["dense_40"] == ["dense_40", f"units 8 {ARROW} 16", f"8 {ARROW} 16"]
    svgcheck.assert_clean(svg)


# ---------------------------------------------------------------- ResNet50 with one convolution widened


@pytest.fixture(scope="module")
def resnet_pair(keras):
    from kerasvg import zoo

    a = keras.applications.ResNet50(weights=None)
    return a, zoo.resnet50_widened(a)


@pytest.mark.slow
def test_resnet50_widened_convolution_says_filters_256_to_512_everywhere(resnet_pair):
    diagram = kerasvg.diff(*resnet_pair)
    svg = diagram.to_svg()
    labels = label_texts(svg)
    shapes = f"14\u00d714\u00d7256 {ARROW} 14\u00d714\u00d7512"
    assert labels["conv4_block3_2_conv"] == ["conv4_block3_2_conv", f"filters 256 {ARROW} 512", shapes]
    assert labels["conv4_block3_2_bn"] == ["conv4_block3_2_bn", shapes, f"params 1,024 {ARROW} 2,048"]
    assert labels["conv4_block3_2_relu"] == ["conv4_block3_2_relu", shapes]
    assert labels["conv4_block3_3_conv"] == ["conv4_block3_3_conv", f"params 263,168 {ARROW} 525,312"]
    svgcheck.assert_clean(svg)
    assert latex_text(f"filters 256 {ARROW} 512") in diagram.to_tikz()
    pptx = pytest.importorskip("pptx")
    slide = pptx.Presentation(io.BytesIO(diagram.to_pptx())).slides[0]
    texts = []
    for group in slide.shapes:
        texts += [s.text_frame.text for s in getattr(group, "shapes", [group]) if s.has_text_frame]
    assert any(f"filters 256 {ARROW} 512" in t for t in texts)
    assert diagram.to_png()[:8] == b"\x89PNG\r\n\x1a\n"
