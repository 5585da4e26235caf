"""visualkeras 0.2.0 compatibility: every `layered_view` keyword is accepted and keeps its meaning."""
import io

import pytest

import kerasvg
from conftest import SVG_NS, connector_groups, layer_groups, parse_svg
from kerasvg.layout.geometry import DEPTH_X

VISUALKERAS_SIGNATURE = {
    "to_file": None, "min_z": 20, "min_xy": 20, "max_z": 400, "max_xy": 2000, "scale_z": 1.5, "scale_xy": 4,
    "type_ignore": None, "index_ignore": None, "color_map": None, "one_dim_orientation": "z", "index_2D": [],
    "background_fill": "white", "draw_volume": True, "draw_reversed": False, "padding": 10, "text_callable": None,
    "text_vspacing": 4, "spacing": 10, "draw_funnel": True, "shade_step": 10, "legend": False,
    "legend_text_spacing_offset": 15, "font": None, "font_color": "black", "show_dimension": False,
    "sizing_mode": "accurate", "dimension_caps": None, "relative_base_size": 20, "options": None, "preset": None,
}
SIZING_MODES = ("accurate", "balanced", "capped", "logarithmic", "relative")
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


# ---------------------------------------------------------------- helpers


def _points(element):
    return [tuple(float(v) for v in pair.split(",")) for pair in element.get("points").split()]


def boxes(diagram):
    """name → {w, h, depth, dx, front, faces, fill, stroke, labels} read back from the SVG."""
    result = {}
    for g in layer_groups(parse_svg(diagram.to_svg())):
        faces = {p.get("class").split()[1]: p for p in g.findall(f"{SVG_NS}polygon") if "face" in p.get("class").split()}
        front = _points(faces["front"])
        xs, ys = [x for x, _ in front], [y for _, y in front]
        dx = 0.0
        if "top" in faces:
            top = _points(faces["top"])
            dx = top[3][0] - top[0][0]
        result[g.get("data-name")] = {
            "w": max(xs) - min(xs), "h": max(ys) - min(ys), "dx": dx, "depth": abs(dx) / DEPTH_X,
            "front": (min(xs), min(ys), max(xs), max(ys)), "faces": sorted(faces),
            "fill": {role: p.get("fill") for role, p in faces.items()}, "stroke": faces["front"].get("stroke"),
            "labels": [(t.text, float(t.get("y")), t.get("fill")) for t in g.findall(f"{SVG_NS}text")],
        }
    return result


def edges(diagram):
    return [(c.get("data-from"), c.get("data-to")) for c in connector_groups(parse_svg(diagram.to_svg()))]


def legend_entries(diagram):
    root = parse_svg(diagram.to_svg())
    return [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "legend-entry"]


def rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def distance(a, b):
    return sum((x - y) ** 2 for x, y in zip(rgb(a), rgb(b))) ** 0.5


# ---------------------------------------------------------------- models


@pytest.fixture(scope="module")
def mlp(keras):
    L = keras.layers
    return keras.Sequential([
        keras.Input((16,), name="features"),
        L.Dense(64, name="hidden"),
        L.Dropout(0.2, name="drop"),
        L.Dense(32, name="mid"),
        L.Dense(1000, name="wide"),
        L.Dense(1, name="out"),
    ], name="mlp")


@pytest.fixture(scope="module")
def conv(keras):
    L = keras.layers
    return keras.Sequential([
        keras.Input((10, 10, 4), name="img"),
        L.Conv2D(4, 1, name="conv"),
        L.Flatten(name="flat"),
        L.Dense(3, name="dense"),
    ], name="conv")


# ---------------------------------------------------------------- the whole signature


def test_the_whole_visualkeras_signature_is_accepted(mlp, tmp_path):
    keywords = dict(VISUALKERAS_SIGNATURE, to_file=str(tmp_path / "vk.png"))
    d = kerasvg.layered_view(mlp, **keywords)
    assert isinstance(d, kerasvg.Diagram)
    assert (tmp_path / "vk.png").read_bytes().startswith(b"\x89PNG")
    assert len(boxes(d)) == 6


def test_to_file_writes_by_extension_and_returns_the_diagram(mlp, tmp_path):
    d = kerasvg.layered_view(mlp, to_file=tmp_path / "vk.svg")
    assert (tmp_path / "vk.svg").read_text(encoding="utf-8") == d.to_svg()
    kerasvg.layered_view(mlp, to_file=str(tmp_path / "vk.jpg"))
    from PIL import Image

    assert Image.open(tmp_path / "vk.jpg").mode == "RGB"


@pytest.mark.parametrize("keyword", ["colour_map", "draw_shadows", "scale"])
def test_an_unknown_keyword_is_a_type_error_naming_it(mlp, keyword):
    with pytest.raises(TypeError, match=keyword):
        kerasvg.layered_view(mlp, **{keyword: 1})


# ---------------------------------------------------------------- sizing keywords (visualkeras's formulas)


def test_min_z_max_z_scale_z_size_the_channel_axis(mlp):
    assert boxes(kerasvg.layered_view(mlp, min_z=30))["out"]["w"] == pytest.approx(30, abs=0.02)
    assert boxes(kerasvg.layered_view(mlp, max_z=50))["wide"]["w"] == pytest.approx(50, abs=0.02)
    sized = boxes(kerasvg.layered_view(mlp, scale_z=0.5))
    assert sized["hidden"]["w"] == pytest.approx(32, abs=0.02)  # 64 × 0.5
    assert sized["mid"]["w"] == pytest.approx(20, abs=0.02)  # 32 × 0.5 = 16, raised to min_z 20
    assert sized["wide"]["w"] == pytest.approx(400, abs=0.02)  # 500, capped at max_z 400


def test_min_xy_max_xy_scale_xy_size_the_spatial_axes(conv):
    def box(**kw):
        return boxes(kerasvg.layered_view(conv, **kw))["conv"]  # output (None, 10, 10, 4)

    assert box(scale_xy=2)["h"] == pytest.approx(20, abs=0.02)
    assert box(scale_xy=2)["depth"] == pytest.approx(20, abs=0.05)
    assert box(scale_xy=3)["h"] == pytest.approx(30, abs=0.02)
    assert box(min_xy=50)["h"] == pytest.approx(50, abs=0.02)  # 10 × 4 = 40, raised to 50
    assert box(max_xy=30)["h"] == pytest.approx(30, abs=0.02)  # 40, capped at 30
    assert box(max_xy=30)["depth"] == pytest.approx(30, abs=0.05)
    assert box(scale_xy=2)["w"] == pytest.approx(20, abs=0.02)  # 4 channels × 1.5 = 6, raised to min_z 20


@pytest.mark.parametrize("mode, wide, hidden", [
    ("accurate", 400, 96),      # 1000 × 1.5 capped at 400; 64 × 1.5
    ("balanced", 400, 96),      # 1000 × 1.5 × 0.3 = 450 capped; 64 × 1.5 × 1.0
    ("capped", 400, 96),
    ("logarithmic", 90, 54.18),  # log10(1000) × 1.5 × 20; log10(64) × 1.5 × 20
    ("relative", 400, 400),     # 1000 × 20, 64 × 20, both capped at 400
])
def test_each_sizing_mode_follows_visualkeras(mlp, mode, wide, hidden):
    sized = boxes(kerasvg.layered_view(mlp, sizing_mode=mode))
    assert sized["wide"]["w"] == pytest.approx(wide, abs=1.0)
    assert sized["hidden"]["w"] == pytest.approx(hidden, abs=1.0)
    assert sized["out"]["w"] == pytest.approx(20, abs=0.02)


def test_sizing_modes_differ_where_visualkeras_differs(mlp):
    widths = {mode: boxes(kerasvg.layered_view(mlp, sizing_mode=mode, max_z=2000))["wide"]["w"] for mode in SIZING_MODES}
    assert widths["accurate"] == pytest.approx(1500, abs=1)
    assert widths["balanced"] == pytest.approx(450, abs=1)
    assert widths["logarithmic"] == pytest.approx(90, abs=1)
    assert widths["relative"] == pytest.approx(2000, abs=1)
    assert widths["capped"] == pytest.approx(1500, abs=1)


def test_an_unknown_sizing_mode_lists_the_five(mlp):
    with pytest.raises(ValueError) as error:
        kerasvg.layered_view(mlp, sizing_mode="huge")
    for mode in SIZING_MODES:
        assert mode in str(error.value)
    assert "huge" in str(error.value)


def test_dimension_caps_cap_capped_mode(mlp):
    sized = boxes(kerasvg.layered_view(mlp, sizing_mode="capped", dimension_caps={"channels": 60}))
    assert sized["wide"]["w"] == pytest.approx(60, abs=0.02)
    assert sized["hidden"]["w"] == pytest.approx(60, abs=0.02)
    assert sized["out"]["w"] == pytest.approx(20, abs=0.02)
    with pytest.raises(ValueError, match="channels"):
        kerasvg.layered_view(mlp, dimension_caps={"colour": 3})


def test_relative_base_size_is_the_size_of_one_unit(keras):
    model = keras.Sequential([keras.Input((3,), name="i"), keras.layers.Dense(7, name="seven")], name="rel")
    for base in (3, 5, 10):
        sized = boxes(kerasvg.layered_view(model, sizing_mode="relative", relative_base_size=base))
        assert sized["seven"]["w"] == pytest.approx(max(7 * base, 20), abs=0.02)


@pytest.mark.parametrize("sizing", [{}, {"sizing_mode": "accurate"}])
def test_one_dim_orientation_x_y_z_each_change_the_box(keras, sizing):
    model = keras.Sequential([keras.Input((3,), name="i"), keras.layers.Dense(100, name="long")], name="orient")
    drawn = {o: boxes(kerasvg.layered_view(model, one_dim_orientation=o, **sizing))["long"] for o in "xyz"}
    shapes = {o: (round(b["w"], 1), round(b["h"], 1), round(b["depth"], 1)) for o, b in drawn.items()}
    assert len(set(shapes.values())) == 3, shapes
    assert drawn["z"]["w"] == max(b["w"] for b in drawn.values()) > drawn["y"]["w"]
    assert drawn["y"]["h"] == max(b["h"] for b in drawn.values()) > drawn["z"]["h"]
    assert drawn["x"]["depth"] == max(b["depth"] for b in drawn.values()) > drawn["z"]["depth"]
    with pytest.raises(ValueError, match="x, y, z"):
        kerasvg.layered_view(model, one_dim_orientation="w")


# ---------------------------------------------------------------- which layers, which faces


def test_type_ignore_drops_a_class_and_connectors_bridge_it(mlp, keras):
    d = kerasvg.layered_view(mlp, type_ignore=[keras.layers.Dropout])
    assert "drop" not in boxes(d)
    assert ("hidden", "mid") in edges(d)
    assert all("drop" not in e for e in edges(d))


def test_index_ignore_uses_model_layers_indices_and_bridges(mlp):
    assert mlp.layers[3].name == "wide"
    d = kerasvg.layered_view(mlp, index_ignore=[3])
    assert list(boxes(d)) == ["features", "hidden", "drop", "mid", "out"]
    assert edges(d) == [("features", "hidden"), ("hidden", "drop"), ("drop", "mid"), ("mid", "out")]


def test_index_ignore_bridges_a_branching_layer(keras):
    L = keras.layers
    x = keras.Input((4,), name="x")
    stem = L.Dense(4, name="stem")(x)
    a, b = L.Dense(2, name="a")(stem), L.Dense(2, name="b")(stem)
    model = keras.Model(x, L.Add(name="sum")([a, b]), name="branchy")
    index = [layer.name for layer in model.layers].index("stem")
    d = kerasvg.layered_view(model, index_ignore=[index])
    assert sorted(edges(d)) == sorted([("x", "a"), ("x", "b"), ("a", "sum"), ("b", "sum")])


def test_index_2d_draws_those_layers_flat(mlp):
    drawn = boxes(kerasvg.layered_view(mlp, index_2D=[0, 3]))
    assert drawn["hidden"]["faces"] == ["front"] and drawn["wide"]["faces"] == ["front"]
    assert drawn["mid"]["faces"] == ["front", "side", "top"]


def test_draw_volume_false_draws_every_layer_flat(mlp):
    assert all(b["faces"] == ["front"] for b in boxes(kerasvg.layered_view(mlp, draw_volume=False)).values())
    assert all(b["faces"] == ["front", "side", "top"] for b in boxes(kerasvg.layered_view(mlp, draw_volume=True)).values())


def test_draw_reversed_turns_the_depth_to_the_left(mlp):
    normal, flipped = boxes(kerasvg.layered_view(mlp)), boxes(kerasvg.layered_view(mlp, draw_reversed=True))
    assert all(b["dx"] > 0 for b in normal.values())
    assert all(b["dx"] < 0 for b in flipped.values())
    xs = [b["front"][0] for b in flipped.values()]
    assert xs == sorted(xs), "the flow still runs left to right"


def test_draw_funnel_joins_neighbouring_boxes(mlp):
    root = parse_svg(kerasvg.layered_view(mlp, draw_funnel=True).to_svg())
    funnels = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "funnels"]
    assert len(funnels) == 1
    assert len(funnels[0].findall(f"{SVG_NS}line")) == 2 * (len(layer_groups(root)) - 1)
    root = parse_svg(kerasvg.layered_view(mlp, draw_funnel=False).to_svg())
    assert not [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "funnels"]


# ---------------------------------------------------------------- colours and text


def test_color_map_sets_fill_and_outline_per_class(mlp, keras):
    d = kerasvg.layered_view(mlp, color_map={keras.layers.Dense: {"fill": "#123456", "outline": "#654321"}})
    drawn = boxes(d)
    for name in ("hidden", "mid", "wide", "out"):
        assert drawn[name]["fill"]["front"] == "#123456" and drawn[name]["stroke"] == "#654321"
    assert drawn["drop"]["fill"]["front"] != "#123456"
    named = boxes(kerasvg.layered_view(mlp, color_map={keras.layers.Dropout: {"fill": "red"}}))
    assert named["drop"]["fill"]["front"] == "#ff0000"
    with pytest.raises(ValueError, match="fill"):
        kerasvg.layered_view(mlp, color_map={keras.layers.Dense: {"fill": "not-a-colour"}})


def test_background_fill_paints_the_canvas(mlp):
    from PIL import Image

    def background(d):
        rects = [r for r in parse_svg(d.to_svg()).iter(f"{SVG_NS}rect") if r.get("class") == "background"]
        return rects[0].get("fill") if rects else None

    d = kerasvg.layered_view(mlp, background_fill="#abcdef")
    assert background(d) == "#abcdef"
    assert Image.open(io.BytesIO(d.to_png())).convert("RGB").getpixel((1, 1)) == (0xAB, 0xCD, 0xEF)
    assert background(kerasvg.layered_view(mlp, background_fill=(255, 0, 0, 255))) == "#ff0000"
    assert background(kerasvg.layered_view(mlp, background_fill=(0, 0, 0, 0))) is None
    with pytest.raises(ValueError, match="background_fill"):
        kerasvg.layered_view(mlp, background_fill="nope")


def test_shade_step_sets_how_much_the_hidden_faces_darken(mlp):
    flat = boxes(kerasvg.layered_view(mlp, shade_step=0))["hidden"]["fill"]
    assert flat["top"] == flat["front"] == flat["side"]
    gentle = boxes(kerasvg.layered_view(mlp, shade_step=10))["hidden"]["fill"]
    strong = boxes(kerasvg.layered_view(mlp, shade_step=40))["hidden"]["fill"]
    assert 0 < distance(gentle["front"], gentle["side"]) < distance(strong["front"], strong["side"])
    assert distance(gentle["front"], gentle["top"]) < distance(gentle["front"], gentle["side"])


def test_font_color_colours_the_text(mlp):
    d = kerasvg.layered_view(mlp, font_color="#ff0000", legend=True)
    assert {fill for b in boxes(d).values() for _, _, fill in b["labels"]} == {"#ff0000"}
    assert {e.find(f"{SVG_NS}text").get("fill") for e in legend_entries(d)} == {"#ff0000"}


def test_font_takes_a_family_name_or_a_pillow_font(mlp):
    from PIL import ImageFont

    family = lambda d: parse_svg(d.to_svg()).get("font-family")
    assert family(kerasvg.layered_view(mlp, font="DejaVu Sans Mono")) == "DejaVu Sans Mono"
    assert family(kerasvg.layered_view(mlp, font=ImageFont.truetype(SERIF, 12))) == "DejaVu Serif"
    with pytest.raises(ValueError, match="font"):
        kerasvg.layered_view(mlp, font=12)


def test_text_callable_gets_the_index_and_the_live_layer(mlp):
    calls = []

    def label(index, layer):
        calls.append((index, layer))
        return f"#{index} {layer.name}", index % 2 == 0

    drawn = boxes(kerasvg.layered_view(mlp, text_callable=label))
    assert sorted(i for i, _ in calls) == list(range(len(mlp.layers)))
    assert all(mlp.layers[i] is layer for i, layer in calls)
    for index, layer in enumerate(mlp.layers):
        box = drawn[layer.name]
        assert [text for text, _, _ in box["labels"]] == [f"#{index} {layer.name}"]
        above = box["labels"][0][1] < box["front"][1]
        assert above == (index % 2 == 0), layer.name


def test_text_callable_can_return_several_lines_and_no_text(mlp):
    drawn = boxes(kerasvg.layered_view(mlp, text_callable=lambda i, layer: ("one\ntwo" if i == 0 else "", False)))
    assert [t for t, _, _ in drawn["hidden"]["labels"]] == ["one", "two"]
    assert drawn["mid"]["labels"] == []


def test_text_vspacing_spreads_the_lines(mlp):
    def gap(spacing):
        lines = boxes(kerasvg.layered_view(mlp, text_vspacing=spacing))["hidden"]["labels"]
        assert len(lines) == 2
        return lines[1][1] - lines[0][1]

    assert gap(12) - gap(2) == pytest.approx(10, abs=0.02)


def test_spacing_is_the_gap_between_boxes(mlp):
    for spacing in (40, 80):
        drawn = list(boxes(kerasvg.layered_view(mlp, spacing=spacing)).values())
        for a, b in zip(drawn, drawn[1:]):
            assert b["front"][0] - (a["front"][2] + max(a["dx"], 0)) >= spacing - 0.05
    narrow = kerasvg.layered_view(mlp, spacing=10).width
    assert kerasvg.layered_view(mlp, spacing=80).width > narrow + 5 * 50


def test_padding_is_the_margin_around_the_drawing(mlp):
    tight, loose = kerasvg.layered_view(mlp, padding=10), kerasvg.layered_view(mlp, padding=50)
    assert loose.vector_size[0] - tight.vector_size[0] == pytest.approx(80, abs=0.02)
    assert loose.vector_size[1] - tight.vector_size[1] == pytest.approx(80, abs=0.02)
    left = min(b["front"][0] for b in boxes(loose).values())
    assert left >= 50 - 0.01


def test_legend_lists_each_layer_type(mlp):
    entries = legend_entries(kerasvg.layered_view(mlp, legend=True))
    assert [e.get("data-type") for e in entries] == ["InputLayer", "Dense", "Dropout"]
    assert legend_entries(kerasvg.layered_view(mlp, legend=False)) == []


def test_legend_text_spacing_offset_spreads_the_entries(mlp):
    def second_x(offset):
        entries = legend_entries(kerasvg.layered_view(mlp, legend=True, legend_text_spacing_offset=offset))
        return float(entries[1].find(f"{SVG_NS}rect").get("x"))

    assert second_x(40) - second_x(0) == pytest.approx(40, abs=0.02)


def test_show_dimension_adds_shapes_to_the_legend(mlp):
    plain = [e.find(f"{SVG_NS}text").text for e in legend_entries(kerasvg.layered_view(mlp, legend=True))]
    assert plain == ["InputLayer", "Dense", "Dropout"]
    shown = [e.find(f"{SVG_NS}text").text for e in
             legend_entries(kerasvg.layered_view(mlp, legend=True, show_dimension=True))]
    assert shown[0].startswith("InputLayer") and "16" in shown[0]
    assert shown[1].startswith("Dense") and all(n in shown[1] for n in ("64", "32", "1000", "1"))


# ---------------------------------------------------------------- options and presets


def test_options_is_a_mapping_of_the_same_keywords(mlp):
    assert kerasvg.layered_view(mlp, options={"spacing": 60, "legend": True}).to_svg() == \
        kerasvg.layered_view(mlp, spacing=60, legend=True).to_svg()


def test_options_rejects_unknown_keys_and_non_mappings(mlp):
    with pytest.raises(TypeError, match="colour_map"):
        kerasvg.layered_view(mlp, options={"colour_map": {}})
    with pytest.raises(TypeError, match="mapping"):
        kerasvg.layered_view(mlp, options=[("spacing", 3)])


def test_presets(mlp):
    flat = boxes(kerasvg.layered_view(mlp, preset="flat"))
    assert all(b["faces"] == ["front"] for b in flat.values())
    assert legend_entries(kerasvg.layered_view(mlp, preset="presentation"))
    assert isinstance(kerasvg.layered_view(mlp, preset="default"), kerasvg.Diagram)


def test_an_unknown_preset_lists_the_presets(mlp):
    with pytest.raises(ValueError) as error:
        kerasvg.layered_view(mlp, preset="fancy")
    for name in ("default", "flat", "presentation"):
        assert name in str(error.value)


def test_explicit_keywords_win_over_options_and_preset(mlp):
    assert all(b["faces"] == ["front", "side", "top"]
               for b in boxes(kerasvg.layered_view(mlp, preset="flat", draw_volume=True)).values())
    assert all(b["faces"] == ["front", "side", "top"]
               for b in boxes(kerasvg.layered_view(mlp, options={"draw_volume": False}, draw_volume=True)).values())
    assert legend_entries(kerasvg.layered_view(mlp, preset="presentation", options={"legend": False})) == []
    assert kerasvg.layered_view(mlp, options={"spacing": 60}, spacing=20).to_svg() == \
        kerasvg.layered_view(mlp, spacing=20).to_svg()


@pytest.mark.parametrize("keyword, value", [("spacing", -1), ("padding", "wide"), ("scale_xy", True)])
def test_bad_numbers_are_value_errors_naming_the_keyword(mlp, keyword, value):
    with pytest.raises(ValueError, match=keyword):
        kerasvg.layered_view(mlp, **{keyword: value})
