"""Hostile layer names that already hold (regressions for issue 11): SVG, PNG, PDF, JPEG, HTML in Chromium, and
eight processes writing one output file."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SVG_NS, connector_groups, layer_groups, parse_svg
from kerasvg import Layer, ModelGraph, layered_view
from kerasvg.scene.text import name_key

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "]]>", "<!--", "javascript:alert(3)",
         "line\u2028break", "\u202eevil", "nul\x00byte", "x" * 10_000, "quote\"'both", "&amp;", "层名", "🎉 emoji"]
COLLIDING = ["coll\x00ide", "coll\x01ide", "coll\ufffdide"]


def chain(names, name="hostile"):
    layers = [Layer("input", "InputLayer", ((None, 8),), is_input=True)]
    layers += [Layer(n, "Dense", ((None, 4),), trainable_params=36, config=(("units", 4),)) for n in names]
    order = [l.name for l in layers]
    return ModelGraph(name, tuple(layers), tuple(zip(order, order[1:])), inputs=("input",), outputs=(order[-1],))


def fan(names):
    """One source feeding every name, every name feeding one sink: inbound/outbound lists to check."""
    layers = [Layer("input", "InputLayer", ((None, 8),), is_input=True)]
    layers += [Layer(n, "Dense", ((None, 4),)) for n in names] + [Layer("sink", "Add", ((None, 4),))]
    edges = tuple(("input", n) for n in names) + tuple((n, "sink") for n in names)
    return ModelGraph("fan", tuple(layers), edges, inputs=("input",), outputs=("sink",))


@pytest.fixture(scope="module")
def diagram():
    return layered_view(chain(NAMES))


def test_svg_keeps_every_name_as_data_and_runs_nothing(diagram):
    root = parse_svg(diagram.svg)
    shown = [g.get("data-name") for g in layer_groups(root)]
    assert shown == ["input"] + [name_key(n) for n in NAMES]
    assert {(c.get("data-from"), c.get("data-to")) for c in connector_groups(root)} == set(zip(shown, shown[1:]))
    tags = {element.tag.replace(SVG_NS, "") for element in root.iter()}
    assert not tags & {"script", "img", "foreignObject", "a", "image"}
    assert not any(value.strip().lower().startswith("javascript:") for e in root.iter() for k, value in e.attrib.items()
                   if k.endswith("href"))


@pytest.mark.parametrize("kind, magic", [("png", b"\x89PNG\r\n\x1a\n"), ("jpg", b"\xff\xd8\xff"), ("pdf", b"%PDF-")])
def test_raster_and_pdf_render(diagram, kind, magic):
    data = diagram.encode(f"x.{kind}")
    assert data.startswith(magic)
    if kind != "pdf":
        from PIL import Image

        image = Image.open(io.BytesIO(data))
        assert image.size[0] > 200 and image.size[1] > 100


def test_html_details_json_holds_the_escaped_names(diagram):
    from kerasvg.writers.html import diagram_data

    data = diagram_data(diagram.graph)
    assert [l["name"] for l in data["layers"]] == ["input"] + [name_key(n) for n in NAMES]
    html = diagram.to_html()
    assert html.count("</script>") == 2  # the page's own two script elements, nothing from a name


def test_eight_processes_writing_one_file_leave_one_complete_file(tmp_path):
    model = tmp_path / "model.json"
    config = {"class_name": "Sequential", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [None, 8]}},
        *({"class_name": "Dense", "config": {"name": n, "units": 4}} for n in NAMES)]}}
    model.write_text(json.dumps(config))
    out = tmp_path / "same.svg"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    writers = [subprocess.Popen([sys.executable, "-m", "kerasvg", "render", str(model), "-o", str(out)],
                                stderr=subprocess.PIPE, env=env) for _ in range(8)]
    results = [(w.wait(timeout=300), w.stderr.read()) for w in writers]
    assert all(code == 0 for code, _ in results), results
    root = parse_svg(out.read_text(encoding="utf-8"))
    assert [g.get("data-name") for g in layer_groups(root)] == ["in"] + [name_key(n) for n in NAMES]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "same.svg"]  # no temporary files left
    from kerasvg.cli import main

    assert main(["render", str(model), "-o", str(tmp_path / "alone.svg")]) == 0
    assert out.read_bytes() == (tmp_path / "alone.svg").read_bytes()


# ---------------------------------------------------------------- Chromium


browser_fixtures = pytest.importorskip("test_browser")
browser = browser_fixtures.browser
open_page = browser_fixtures.open_page


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("names")
    pages = {}
    for key, graph in (("chain", chain(NAMES)), ("colliding", fan(COLLIDING))):
        pages[key] = folder / f"{key}.html"
        layered_view(graph).save(pages[key])
    return pages


def _click_layer(page, index):
    page.locator("g.layer").nth(index).locator(".face.front").click()
    return page.evaluate("document.querySelector('[data-kerasvg-details] h3').textContent")


@pytest.mark.browser
def test_hostile_names_in_chromium_show_as_text_and_never_run(pages, open_page):
    session = open_page(pages["chain"])
    page = session.page
    for index, name in enumerate(NAMES, start=1):
        assert _click_layer(page, index) == name_key(name)
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    session.check_clean()


@pytest.mark.browser
def test_colliding_names_each_show_their_own_details_in_chromium(pages, open_page):
    session = open_page(pages["colliding"])
    page = session.page
    for index, name in enumerate(COLLIDING, start=1):
        assert _click_layer(page, index) == name_key(name)
        links = page.locator("[data-kerasvg-details] button.kv-link").all_text_contents()
        assert links == ["input", "sink"]
        related = page.locator("g.connector.kv-related").evaluate_all(
            "els => els.map(e => e.getAttribute('data-from') + '>' + e.getAttribute('data-to'))")
        assert sorted(related) == sorted([f"input>{name_key(name)}", f"{name_key(name)}>sink"])
    _click_layer(page, len(COLLIDING) + 1)
    assert page.locator("[data-kerasvg-details] button.kv-link").all_text_contents() == [name_key(n) for n in COLLIDING]
    session.check_clean()
