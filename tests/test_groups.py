"""Stages and blocks: detection, user groups, frames, detail levels, sizes and fitting — measured on the SVG."""
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

import svgcheck
from kerasvg import layered_view
from kerasvg.graph.glyphs import elide_middle
from kerasvg.graph.groups import from_mapping
from kerasvg.graph.structure import detect
from kerasvg.graph.model import Layer, ModelGraph

NS = "{http://www.w3.org/2000/svg}"


def _residual_net(blocks_per_stage=(2, 2), width=8):
    """A hand-built ResNet-like graph: stem, stages of `sN_blockM_*` residual blocks, head."""
    layers = [Layer("image", "InputLayer", ((None, 32, 32, 3),), is_input=True),
              Layer("stem_conv", "Conv2D", ((None, 32, 32, width),), 100)]
    edges = [("image", "stem_conv")]
    previous, size = "stem_conv", 32
    for s, count in enumerate(blocks_per_stage, start=1):
        for b in range(1, count + 1):
            if b == 1 and s > 1:
                size //= 2
            shape = ((None, size, size, width * s),)
            p = f"s{s}_block{b}"
            for name, kind in ((f"{p}_conv", "Conv2D"), (f"{p}_bn", "BatchNormalization"), (f"{p}_relu", "ReLU")):
                layers.append(Layer(name, kind, shape, 10))
            layers.append(Layer(f"{p}_add", "Add", shape))
            edges += [(previous, f"{p}_conv"), (f"{p}_conv", f"{p}_bn"), (f"{p}_bn", f"{p}_relu"),
                      (f"{p}_relu", f"{p}_add"), (previous, f"{p}_add")]
            previous = f"{p}_add"
    layers += [Layer("pool", "GlobalAveragePooling2D", ((None, width * len(blocks_per_stage)),)),
               Layer("logits", "Dense", ((None, 10),), 50)]
    edges += [(previous, "pool"), ("pool", "logits")]
    return ModelGraph("toy", tuple(layers), tuple(edges), ("image",), ("logits",))


def _root(svg):
    return ET.fromstring(svg.encode("utf-8"))


def _layers(root):
    return [g for g in root.iter(f"{NS}g") if "layer" in g.get("class", "").split()]


def _groups(root):
    return [g for g in root.iter(f"{NS}g") if "group" in g.get("class", "").split()]


def _box_bounds(g):
    points = [tuple(map(float, p.split(","))) for poly in g.findall(f"{NS}polygon")
              if "face" in poly.get("class", "") for p in poly.get("points").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _rects(group):
    return [tuple(float(r.get(k)) for k in ("x", "y", "width", "height")) for r in group.findall(f"{NS}rect")
            if "group-frame" in r.get("class", "")]


def assert_frames_hold_members(root):
    """Each group's frames contain the boxes of every layer that lists it; a block has exactly one frame."""
    members = {}
    for g in _layers(root):
        for name in json.loads(g.get("data-group", "[]")):
            members.setdefault(name, []).append(_box_bounds(g))
    for group in _groups(root):
        rects = _rects(group)
        name = group.get("data-group-name")
        assert rects and group.find(f"{NS}text").get("class") == "caption"
        if group.get("data-level") == "block":
            assert len(rects) == 1, f"block {name} split over {len(rects)} rows"
        for x0, y0, x1, y1 in members[name]:
            assert any(x - 0.01 <= x0 and x1 <= x + w + 0.01 and y - 0.01 <= y0 and y1 <= y + h + 0.01
                       for x, y, w, h in rects), (name, (x0, y0, x1, y1))


def visible_labels(root):
    """The text a reader sees on the figure: layer labels (first line) and captions."""
    texts = []
    for g in _layers(root):
        label = g.find(f"{NS}text")
        if label is not None:
            texts.append(label.text)
    return texts + [t.text for t in root.iter(f"{NS}text") if t.get("class") == "caption"]


def test_blocks_and_stages_are_found_from_names_and_resolution():
    graph = _residual_net((2, 3))
    grouping = detect(graph)
    assert [b.name for b in grouping.blocks] == ["s1_block1", "s1_block2", "s2_block1", "s2_block2", "s2_block3"]
    assert [(s.name, s.blocks) for s in grouping.stages] == [
        ("stem", ()), ("s1", ("s1_block1", "s1_block2")), ("s2", ("s2_block1", "s2_block2", "s2_block3")),
        ("head", ())]
    assert set(grouping.blocks[0].members) == {"s1_block1_conv", "s1_block1_bn", "s1_block1_relu", "s1_block1_add"}


def test_a_name_run_that_the_structure_contradicts_is_not_a_block():
    graph = _residual_net((2,))
    # make s1_block1 leak a second exit: its relu also feeds the head
    broken = ModelGraph(graph.name, graph.layers, graph.edges + (("s1_block1_relu", "pool"),), graph.inputs,
                        graph.outputs)
    assert "s1_block1" not in [b.name for b in detect(broken).blocks]


def test_user_groups_stages_of_blocks_and_errors():
    graph = _residual_net((2, 2))
    grouping = from_mapping(graph, {"early": {"first": "s1_block1_*", "second": ["s1_block2_conv", "s1_block2_bn"]},
                                    "late": lambda layer: layer.name.startswith("s2_")})
    assert [s.name for s in grouping.stages] == ["early"] and grouping.stages[0].blocks == ("first", "second")
    assert [b.name for b in grouping.blocks] == ["first", "second", "late"]
    with pytest.raises(ValueError, match="'nothing'.*matches no layer"):
        from_mapping(graph, {"nothing": "zz*"})
    with pytest.raises(ValueError, match="'a' and 'b' overlap"):
        from_mapping(graph, {"a": "s1_*", "b": "s1_block2_*"})


def test_svg_contract_for_groups_at_layer_level():
    graph = _residual_net((2, 2))
    root = _root(layered_view(graph, groups="auto").to_svg())
    levels = Counter(g.get("data-level") for g in _groups(root))
    assert levels == {"block": 4, "stage": 4}
    by_name = {g.get("data-name"): json.loads(g.get("data-group", "[]")) for g in _layers(root)}
    assert by_name["s2_block1_bn"] == ["s2", "s2_block1"] and by_name["stem_conv"] == ["stem"]
    assert_frames_hold_members(root)


def test_rows_never_split_a_block():
    graph = _residual_net((6, 6))
    for aspect in (1.0, 16 / 9, 3.0):
        root = _root(layered_view(graph, groups="auto", aspect=aspect).to_svg())
        assert_frames_hold_members(root)
        assert max(len(_rects(g)) for g in _groups(root) if g.get("data-level") == "stage") >= 1


def test_blocks_level_glyphs_and_connectors():
    graph = _residual_net((2, 2))
    root = _root(layered_view(graph, detail="blocks").to_svg())
    glyphs = [g for g in _layers(root) if "block" in g.get("class").split()]
    assert len(glyphs) == 4
    first = next(g for g in glyphs if g.get("data-name") == "s1_block1")
    assert first.get("data-type") == "Block"
    assert json.loads(first.get("data-members")) == ["s1_block1_conv", "s1_block1_bn", "s1_block1_relu", "s1_block1_add"]
    assert first.get("data-params") == "30" and first.get("data-shape") == "(None, 32, 32, 8)"
    pairs = Counter((c.get("data-from"), c.get("data-to")) for c in root.iter(f"{NS}g")
                    if "connector" in c.get("class", "").split())
    assert max(pairs.values()) == 1
    assert set(pairs) == {("image", "stem_conv"), ("stem_conv", "s1_block1"), ("s1_block1", "s1_block2"),
                          ("s1_block2", "s2_block1"), ("s2_block1", "s2_block2"), ("s2_block2", "pool"),
                          ("pool", "logits")}
    stages = _root(layered_view(graph, detail="stages").to_svg())
    assert [g.get("data-name") for g in _layers(stages)] == ["image", "stem", "s1", "s2", "head"]  # the input drawn sized
    assert [g.get("data-type") for g in _layers(stages)] == ["InputLayer"] + ["Stage"] * 4


def test_fold_repeats_works_at_every_level():
    graph = _residual_net((1, 4))
    for detail in ("layers", "blocks"):
        root = _root(layered_view(graph, detail=detail, groups="auto", fold_repeats=True).to_svg())
        assert [g.get("data-count") for g in root.iter(f"{NS}g") if g.get("class") == "repeat"] == ["4"]


def test_middle_elision_keeps_the_distinguishing_end():
    a, b = elide_middle("separable_conv_1_pad_reduction_left1_stem_1", 28), \
        elide_middle("separable_conv_1_pad_reduction_right1_stem_1", 28)
    assert len(a) == 28 and a != b and a.endswith("left1_stem_1")


def test_detail_and_groups_are_validated():
    graph = _residual_net()
    with pytest.raises(ValueError, match="detail='cells'"):
        layered_view(graph, detail="cells")
    with pytest.raises(ValueError, match="groups="):
        layered_view(graph, groups=3)


# ---------------------------------------------------------------- keras.applications


@pytest.mark.slow
def test_resnet50_groups_blocks_stages_and_glyphs(apps):
    model = apps("ResNet50")
    root = _root(layered_view(model).to_svg())
    groups = {g.get("data-group-name"): g.get("data-level") for g in _groups(root)}
    blocks = sorted(n for n, level in groups.items() if level == "block")
    assert blocks == sorted(f"conv{s}_block{b}" for s, n in ((2, 3), (3, 4), (4, 6), (5, 3)) for b in range(1, n + 1))
    assert sorted(n for n, level in groups.items() if level == "stage") == ["conv2", "conv3", "conv4", "conv5",
                                                                             "head", "stem"]
    sizes = {}
    for g in _layers(root):
        within = json.loads(g.get("data-group", "[]"))
        if len(within) == 2:
            assert within[1].startswith(within[0] + "_block")
            sizes.setdefault(within[0], set()).add(json.loads(g.get("data-shape").replace("(", "[").replace(")", "]").replace("None", "null"))[1])
    assert {k: v for k, v in sizes.items()} == {"conv2": {56}, "conv3": {28}, "conv4": {14}, "conv5": {7}}
    assert_frames_hold_members(root)
    drawing = svgcheck.read(layered_view(model).to_svg())
    assert svgcheck.box_overlaps(drawing) == [] and svgcheck.label_overlaps(drawing) == []

    glyph_root = _root(layered_view(model, detail="blocks").to_svg())
    drawn = _layers(glyph_root)
    assert len(drawn) == 25 and sum("block" in g.get("class").split() for g in drawn) == 16
    pairs = Counter((c.get("data-from"), c.get("data-to")) for c in glyph_root.iter(f"{NS}g")
                    if "connector" in c.get("class", "").split())
    assert max(pairs.values()) == 1 and len(pairs) == 24  # a chain of 25 glyphs
    total = sum(int(g.get("data-params")) for g in drawn)
    assert total == model.count_params()


@pytest.mark.slow
@pytest.mark.parametrize("name, expected", [
    ("DenseNet121", {"blocks": 58, "stages": 4}),
    ("InceptionV3", {"blocks": 11, "names": [f"mixed{k}" for k in range(11)]}),
    ("MobileNetV2", {"blocks": 17}),
    ("NASNetMobile", {"blocks": "cells"}),
])
def test_block_counts_of_the_zoo(apps, name, expected):
    model = apps(name)
    root = _root(layered_view(model).to_svg())
    groups = _groups(root)
    blocks = [g.get("data-group-name") for g in groups if g.get("data-level") == "block"]
    if expected["blocks"] == "cells":
        cells = [l.name for l in model.layers if re.match(r"^(normal|reduction)_concat", l.name)]
        assert len(blocks) == len(cells) == 16
    else:
        assert len(blocks) == expected["blocks"]
    if "stages" in expected:
        stages = [g.get("data-group-name") for g in groups if g.get("data-level") == "stage"]
        assert [s for s in stages if s not in ("stem", "head")] == ["conv2", "conv3", "conv4", "conv5"]
    if "names" in expected:
        assert sorted(blocks) == sorted(expected["names"])
    assert_frames_hold_members(root)


def _front_heights(svg):
    """Average front-face height of the convolutions, per spatial resolution, largest resolution first."""
    heights = {}
    for g in _layers(_root(svg)):
        if "Conv" not in g.get("data-type"):
            continue
        size = int(g.get("data-shape").strip("()").split(",")[1])
        front = next(p for p in g.findall(f"{NS}polygon") if "front" in p.get("class", ""))
        ys = [float(p.split(",")[1]) for p in front.get("points").split()]
        heights.setdefault(size, []).append(max(ys) - min(ys))
    return [sum(v) / len(v) for _, v in sorted(heights.items(), reverse=True)]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "ConvNeXtTiny"])
def test_box_heights_show_the_pyramid(apps, name):
    heights = _front_heights(layered_view(apps(name)).to_svg())
    assert len(heights) >= 4
    assert all(a >= 1.2 * b for a, b in zip(heights, heights[1:])), heights
    assert heights[0] >= 2.5 * heights[-1]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "DenseNet121", "InceptionV3", "MobileNetV2", "NASNetMobile"])
def test_a_one_column_figure_fits(apps, name):
    diagram = layered_view(apps(name), width="3.5in")
    assert diagram.detail in ("layers", "blocks", "stages")
    width, height = diagram.vector_size
    assert height <= 1.3 * width
    root = _root(diagram.to_svg())
    assert root.get("width") == "3.5in"
    png = diagram.to_png(dpi=300)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    drawing = svgcheck.read(diagram.to_svg())
    assert svgcheck.box_overlaps(drawing) == [] and svgcheck.label_overlaps(drawing) == []
    labels = visible_labels(root)
    assert len(labels) == len(set(labels))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "DenseNet121", "InceptionV3", "NASNetMobile"])
def test_no_two_visible_labels_read_the_same(apps, name):
    labels = visible_labels(_root(layered_view(apps(name)).to_svg()))
    repeated = [t for t, n in Counter(labels).items() if n > 1]
    assert repeated == []


def test_legend_never_shows_two_entries_with_one_swatch():
    layers = (Layer("image", "InputLayer", ((None, 16, 16, 3),), is_input=True),
              Layer("conv", "Conv2D", ((None, 16, 16, 8),), 10),
              Layer("pool", "MaxPooling2D", ((None, 8, 8, 8),)),
              Layer("gap", "GlobalAveragePooling2D", ((None, 8),)),
              Layer("out", "Dense", ((None, 2),), 18))
    graph = ModelGraph("legend", layers, tuple(zip(("image", "conv", "pool", "gap"), ("conv", "pool", "gap", "out"))),
                       ("image",), ("out",))
    root = _root(layered_view(graph, legend=True).to_svg())
    entries = [g for g in root.iter(f"{NS}g") if g.get("class") == "legend-entry"]
    swatches = [(r.get("fill"), r.get("stroke")) for g in entries for r in g.findall(f"{NS}rect")[:1]]
    assert len(swatches) == len(set(swatches))
    texts = [g.find(f"{NS}text").text for g in entries]
    assert "MaxPooling2D / GlobalAveragePooling2D" in texts


def test_a_printed_width_is_kept_with_an_aspect_and_picks_a_level_that_fits():
    graph = _residual_net((6, 6, 6))
    for options, tall in (({}, 1.3), ({"aspect": 0.5}, 2.5)):
        diagram = layered_view(graph, width="3.5in", **options)
        width, height = diagram.vector_size
        assert width == 336 and height <= tall * width, (options, diagram.detail, width, height)
        assert diagram.detail in ("layers", "blocks", "stages")
    assert layered_view(graph, width="3.5in", detail="layers").detail == "layers"


def test_the_page_header_counts_the_models_layers_at_every_level():
    graph = _residual_net((2, 2))
    for detail in ("layers", "blocks", "stages"):
        page = layered_view(graph, detail=detail).to_html()
        header = re.search(r'class="kv-stats">.*?<b>([\d,]+)</b> layers', page, re.S)
        assert header and header.group(1) == str(len(graph.layers)), (detail, header and header.group(1))


def _branchy(modules, body):
    """Unnamed layers: small two-branch modules, then one branching body of `body` layers a side, then a head
    (like YOLOv8's neck and heads, where no layer between stem and output is a cut)."""
    shape = ((None, 8, 8, 4),)
    layers = [Layer("in", "InputLayer", shape, is_input=True)]
    edges, previous = [], "in"

    def add(name, kind, *sources):
        layers.append(Layer(name, kind, shape, 1))
        edges.extend((s, name) for s in sources)
        return name

    for m in range(modules):
        a = add(f"conv2d_{2 * m}", "Conv2D", previous)
        b = add(f"conv2d_{2 * m + 1}", "Conv2D", previous)
        previous = add(f"concatenate_{m}", "Concatenate", a, b)
    left = right = previous
    for i in range(body):
        left = add(f"dense_{2 * i}", "Dense", left)
        right = add(f"dense_{2 * i + 1}", "Dense", right)
    previous = add("add", "Add", left, right)
    add("out", "Dense", previous)
    return ModelGraph("branchy", tuple(layers), tuple(edges), ("in",), ("out",))


def test_a_graph_piece_that_is_most_of_the_model_is_no_block():
    found = detect(_branchy(modules=4, body=60))
    assert [len(b.members) for b in found.blocks] == [3, 3, 3, 3]
    assert not any(m.startswith("dense_") for b in found.blocks for m in b.members)
    assert detect(_branchy(modules=4, body=15)).blocks[-1].members[-1] == "add"  # 31 layers: still a block
    assert detect(_branchy(modules=1, body=60)) == detect(_branchy(modules=0, body=3))  # one block: no groups
    assert not detect(_branchy(modules=1, body=60))


def test_a_long_stem_is_one_glyph_at_blocks_level():
    """InceptionV3's 18-layer stem would outweigh its blocks: past 8 layers a stem (or head) is one glyph."""
    short = _residual_net((2, 2))
    layers, edges = list(short.layers[:2]), [("image", "stem_conv")]
    for k in range(8):  # stem_conv, then 8 more stem layers: 10 with the input
        layers.append(Layer(f"stem_extra_{k}", "Conv2D", short.layers[1].output_shapes, 10))
        edges.append((layers[-2].name, layers[-1].name))
    edges += [("stem_extra_7" if s == "stem_conv" else s, t) for s, t in short.edges if s != "image"]
    long = ModelGraph("long_stem", tuple(layers) + short.layers[2:], tuple(edges), ("image",), ("logits",))
    root = _root(layered_view(long, detail="blocks").to_svg())
    stem = next(g for g in _layers(root) if g.get("data-name") == "stem")
    assert stem.get("data-type") == "Stage" and len(json.loads(stem.get("data-members"))) == 9  # the input apart
    assert stem.get("data-params") == str(100 + 8 * 10)
    assert "stem" not in [g.get("data-group-name") for g in _groups(root)]  # no frame around the glyph alone
    names = [g.get("data-name") for g in _layers(root)]
    assert names[:4] == ["image", "stem", "s1_block1", "s1_block2"] and "pool" in names  # a 2-layer head stays as layers
    short_root = _root(layered_view(short, detail="blocks").to_svg())
    assert [g.get("data-name") for g in _layers(short_root)][:3] == ["image", "stem_conv", "s1_block1"]


def test_a_stage_wrapped_onto_later_rows_is_captioned_on_each(tmp_path):
    graph = _residual_net((6, 6))
    diagram = layered_view(graph, groups="auto", aspect=1.0)
    root = _root(diagram.to_svg())
    wrapped = [g for g in _groups(root) if g.get("data-level") == "stage" and len(_rects(g)) > 1]
    assert wrapped
    for group in wrapped:
        name = group.get("data-group-name")
        rects = _rects(group)
        texts = [t for t in group.findall(f"{NS}text") if t.get("class") == "caption continued"]
        assert [t.text for t in texts] == [f"{name} (continued)"] * (len(rects) - 1)
        for text, (x, y, w, h) in zip(texts, rects[1:]):  # each inside its own row's frame, at its top
            tx, ty = float(text.get("x")), float(text.get("y"))
            assert x < tx < x + w and y < ty < y + 20
    tikz = diagram.to_tikz()
    assert tikz.count("(continued)") == sum(len(_rects(g)) - 1 for g in wrapped)


@pytest.mark.slow
def test_a_narrow_continued_row_says_cont_never_the_bare_stage_name(apps):
    """A bare `conv4` on a later row reads as a new stage: a narrow row gets `conv4 (cont.)` instead."""
    root = _root(layered_view(apps("DenseNet121")).to_svg())
    texts = [(g.get("data-group-name"), t.text) for g in _groups(root) for t in g.findall(f"{NS}text")
             if t.get("class") == "caption continued"]
    assert {text for _, text in texts} >= {"conv4 (cont.)"}
    assert all(text in (f"{name} (continued)", f"{name} (cont.)") for name, text in texts)
