"""Elided names never read the same (issue 19): an Attention U-Net's `attunet_d…_conv_1_activation` ×3."""
import random
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from kerasvg import layered_view
from kerasvg.graph.glyphs import elide_distinct, elide_middle
from kerasvg.graph.model import Layer, ModelGraph
from kerasvg.layout.items import MAX_NAME_CHARS

NS = "{http://www.w3.org/2000/svg}"
LEVELS = ("down1", "down2", "down3", "up0", "up1", "up2")


def visible_labels(svg):
    """What a reader sees: each layer's first label line, and the frames' captions."""
    root = ET.fromstring(svg.encode("utf-8"))
    texts = [g.find(f"{NS}text").text for g in root.iter(f"{NS}g")
             if "layer" in g.get("class", "").split() and g.find(f"{NS}text") is not None]
    return texts + [t.text for t in root.iter(f"{NS}text") if t.get("class") == "caption"]


def repeated(labels):
    return [text for text, count in Counter(labels).items() if count > 1]


def attention_unet_names():
    """Layer names as keras-unet-collection's att_unet_2d gives them: long, sharing prefix and suffix."""
    names = ["input_layer"]
    for level in LEVELS:
        if level.startswith("down"):
            names += [f"attunet_{level}_conv_{i}{part}" for i in (0, 1) for part in ("", "_bn", "_activation")]
        else:
            names += [f"attunet_{level}_conv_after_concat_{i}{part}" for i in (0, 1)
                      for part in ("", "_bn", "_activation")]
    return names + ["attunet_output"]


def attention_unet():
    names = attention_unet_names()
    layers = [Layer(names[0], "InputLayer", ((None, 128, 128, 3),), is_input=True)]
    for name in names[1:]:
        kind = "Activation" if name.endswith("activation") else "BatchNormalization" if name.endswith("_bn") \
            else "Conv2D"
        layers.append(Layer(name, kind, ((None, 64, 64, 32),), 10))
    return ModelGraph("attunet", tuple(layers), tuple(zip(names, names[1:])), (names[0],), (names[-1],))


# ---------------------------------------------------------------- the rule


def test_names_that_would_read_the_same_keep_where_they_differ():
    names = [f"attunet_{level}_conv_1_activation" for level in ("down1", "down2", "down3")]
    assert {elide_middle(n, MAX_NAME_CHARS) for n in names} == {"attunet_d\u2026_conv_1_activation"}
    shown = elide_distinct(names + ["attunet_up0_conv_1_activation"], MAX_NAME_CHARS)
    assert shown == {"attunet_down1_conv_1_activation": "attunet_down1\u2026v_1_activation",
                     "attunet_down2_conv_1_activation": "attunet_down2\u2026v_1_activation",
                     "attunet_down3_conv_1_activation": "attunet_down3\u2026v_1_activation",
                     "attunet_up0_conv_1_activation": "attunet_u\u2026_conv_1_activation"}


def test_names_that_stay_apart_are_elided_as_before():
    names = ["conv1_block1_1_conv", "a_rather_long_layer_name_of_one_kind", "another_long_name_of_a_different_kind"]
    assert elide_distinct(names, MAX_NAME_CHARS) == {n: elide_middle(n, MAX_NAME_CHARS) for n in names}


def test_a_difference_keeps_its_word_and_as_much_of_both_ends_as_fits():
    near_start = [f"encoder_stage_{i}_residual_unit_with_a_long_shared_tail" for i in (1, 2)]
    assert list(elide_distinct(near_start, MAX_NAME_CHARS).values()) == [
        "encoder_stage_1\u2026_shared_tail", "encoder_stage_2\u2026_shared_tail"]
    far_from_both = [f"a_long_shared_prefix_of_names_stage_{i}_and_a_long_shared_tail_too" for i in (1, 2)]
    assert list(elide_distinct(far_from_both, MAX_NAME_CHARS).values()) == [
        "a_long\u2026stage_1\u2026ared_tail_too", "a_long\u2026stage_2\u2026ared_tail_too"]


def test_random_families_of_names_never_read_the_same():
    rng = random.Random(19)
    words = ["conv", "bn", "relu", "block", "stage", "attention", "gate", "up", "down", "concat", "after", "x"]
    for _ in range(300):
        stem = "_".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
        tail = "_".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
        middles = {"_".join(rng.choice(words + [str(rng.randint(0, 20))]) for _ in range(rng.randint(1, 4)))
                   for _ in range(rng.randint(2, 8))}
        names = [f"{stem}_{m}_{tail}" for m in middles]
        limit = rng.choice([10, 16, 28])
        shown = elide_distinct(names, limit)
        assert len(set(shown.values())) == len(names), (names, shown)
        for name, text in shown.items():
            assert text == name or len(text) <= limit, (name, text)


# ---------------------------------------------------------------- drawn


@pytest.mark.parametrize("options", [{"labels": ("name",)}, {"labels": ("name", "shape")}, {}, {"aspect": 1.0}])
def test_an_attention_unet_shows_no_two_labels_alike(options):
    labels = visible_labels(layered_view(attention_unet(), **options).to_svg())
    assert repeated(labels) == []
    if "labels" in options:
        assert "attunet_down1\u2026v_1_activation" in labels and "attunet_down2\u2026v_1_activation" in labels
        assert all(len(t) <= MAX_NAME_CHARS for t in labels)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "DenseNet121"])
@pytest.mark.parametrize("options", [{}, {"labels": ("name",)}, {"detail": "blocks"}])
def test_no_two_visible_labels_read_the_same(apps, name, options):
    assert repeated(visible_labels(layered_view(apps(name), **options).to_svg())) == []
