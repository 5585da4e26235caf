"""The interactive HTML in headless Chromium (Playwright): selection, keyboard, search, pan/zoom, safety.

Skips when Playwright or Chromium is missing — except when CI is "true", where that is a failure.
"""
import os
import shutil
from pathlib import Path

import pytest

import kerasvg

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
HOSTILE = "<img src=x onerror=alert(1)>"


def chromium_path():
    for candidate in (os.environ.get("KERASVG_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def unavailable(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"playwright is not installed ({error})")
    executable = chromium_path()
    if executable is None:
        unavailable("no Chromium found (install the Debian package 'chromium')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def small_cnn(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input((32, 32, 3), name="image"),
        layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(name="pool1"),
        layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2"),
        layers.GlobalAveragePooling2D(name="gap"),
        layers.Dropout(0.2, name="dropout"),
        layers.Dense(10, activation="softmax", name="logits"),
    ], name="small_cnn")


def residual(keras):
    layers = keras.layers
    inputs = keras.Input((16, 16, 8), name="input")
    stem = layers.Conv2D(8, 3, padding="same", name="stem")(inputs)
    branch = layers.Conv2D(8, 3, padding="same", activation="relu", name="branch_conv")(stem)
    branch = layers.BatchNormalization(name="branch_bn")(branch)
    merged = layers.Add(name="add")([stem, branch])
    pooled = layers.GlobalAveragePooling2D(name="pool")(merged)
    outputs = layers.Dense(4, name="head")(pooled)
    return keras.Model(inputs, outputs, name="residual")


def hostile(keras):
    return keras.Sequential([
        keras.Input((8,), name="features"),
        keras.layers.Dense(4, name=HOSTILE),
        keras.layers.Dense(2, name="out"),
    ], name="hostile")


@pytest.fixture(scope="module")
def site(keras, tmp_path_factory):
    """Rendered diagrams and their HTML files: each standalone, plus one page holding two fragments."""
    folder = tmp_path_factory.mktemp("html")
    diagrams = {
        "cnn": kerasvg.layered_view(small_cnn(keras)),
        "residual": kerasvg.layered_view(residual(keras)),
        "hostile": kerasvg.layered_view(hostile(keras)),
        "dark": kerasvg.layered_view(residual(keras), overrides={
            "canvas": {"background": "#14161b", "text_color": "#e6e6e6"},
            "html": {"panel_background": "#1d2027", "panel_text": "#e8e8e8"}}),
    }
    files = {}
    for name, diagram in diagrams.items():
        files[name] = folder / f"{name}.html"
        diagram.save(files[name])
    files["hostile_fragment"] = folder / "hostile_fragment.html"
    files["hostile_fragment"].write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>no policy</title></head><body>"
        + diagrams["hostile"].to_html(standalone=False) + "</body></html>", encoding="utf-8")
    files["two"] = folder / "two.html"
    files["two"].write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>two</title></head><body>"
        + diagrams["cnn"].to_html(standalone=False) + "<p>between</p>"
        + diagrams["residual"].to_html(standalone=False) + "</body></html>", encoding="utf-8")
    return diagrams, files


class Session:
    """A page that records requests, console errors, page errors and dialogs."""

    def __init__(self, browser, path: Path, **context_options):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, **context_options)
        self.requests, self.errors, self.dialogs = [], [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.url = path.as_uri()
        self.page.goto(self.url)

    def _route(self, route):
        self.requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check_clean(self):
        assert self.requests == [self.url]
        assert self.errors == []
        assert self.dialogs == []

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser):
    sessions = []

    def opener(path, **options):
        session = Session(browser, path, **options)
        sessions.append(session)
        return session

    yield opener
    for session in sessions:
        session.close()


def layer(page, name, scope="body"):
    return page.locator(scope).locator(f'g.layer[data-name="{name}"]')


def front(page, name, scope="body"):
    """The layer's front face: where a user clicks (the group's centre may be empty canvas)."""
    return layer(page, name, scope).locator(".face.front")


def panel_text(page, scope="body"):
    return page.locator(scope).locator("[data-kerasvg-details]").inner_text()


def view_box(page, scope="body"):
    return [float(v) for v in page.locator(scope).locator("svg.kerasvg").get_attribute("viewBox").replace(",", " ").split()]


def test_click_selects_a_layer_and_fills_the_panel(site, open_page):
    diagrams, files = site
    session = open_page(files["cnn"])
    page = session.page
    conv2 = diagrams["cnn"].graph.layer("conv2")
    front(page, "conv2").click()
    text = panel_text(page)
    assert "conv2" in text and "Conv2D" in text
    assert conv2.shape_text == "(None, 16, 16, 32)" and conv2.shape_text in text
    assert f"{conv2.params:,}" in text and conv2.params == 3 * 3 * 16 * 32 + 32
    for key, value in (("filters", "32"), ("kernel_size", "(3, 3)"), ("padding", "same"), ("activation", "relu")):
        assert page.locator("[data-kerasvg-details] tr", has_text=key).inner_text().split(None, 1) == [key, value]
    assert page.locator("g.layer.kv-selected").evaluate_all("els => els.map(e => e.dataset.name)") == ["conv2"]
    assert layer(page, "conv2").get_attribute("aria-pressed") == "true"
    session.check_clean()


def test_tab_and_enter_select_a_layer(site, open_page):
    diagrams, files = site
    page = open_page(files["cnn"]).page
    page.locator(".kv-download-png").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.name") == "image"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.name") == "conv1"
    page.keyboard.press("Enter")
    text = panel_text(page)
    assert "conv1" in text and "(None, 32, 32, 16)" in text and "448" in text
    names = [l.name for l in diagrams["cnn"].graph.layers]
    focusable = page.locator("g.layer").evaluate_all("els => els.map(e => [e.getAttribute('tabindex'), e.getAttribute('role')])")
    assert focusable == [["0", "button"]] * len(names)
    button = page.get_by_role("button", name="pool1, MaxPooling2D, output (None, 16, 16, 16), 0 parameters")
    assert button.count() == 1

    before = view_box(page)
    page.keyboard.press("+")
    zoomed = view_box(page)
    assert zoomed[2] == pytest.approx(before[2] / 1.4, rel=1e-3)
    page.keyboard.press("ArrowRight")
    assert view_box(page)[0] > zoomed[0] and view_box(page)[1] == pytest.approx(zoomed[1])
    page.keyboard.press("0")
    assert view_box(page) == pytest.approx(before, abs=1e-2)
    assert page.evaluate("document.activeElement.dataset.name") == "conv1"


def test_inbound_and_outbound_layers_are_links_that_select(site, open_page):
    _, files = site
    session = open_page(files["residual"])
    page = session.page
    front(page, "add").click()
    panel = page.locator("[data-kerasvg-details]")
    assert panel.locator("button.kv-link").all_inner_texts() == ["stem", "branch_bn", "pool"]
    related = page.locator("g.connector.kv-related").evaluate_all(
        "els => els.map(e => e.dataset.from + '>' + e.dataset.to)")
    assert sorted(related) == ["add>pool", "branch_bn>add", "stem>add"]
    panel.locator("button.kv-link", has_text="stem").click()
    assert panel.locator("h3").inner_text() == "stem"
    assert page.locator("g.layer.kv-selected").evaluate_all("els => els.map(e => e.dataset.name)") == ["stem"]
    assert panel.locator("button.kv-link").all_inner_texts() == ["input", "branch_conv", "add"]
    page.keyboard.press("Escape")
    assert page.locator("g.layer.kv-selected").count() == 0 and "No layer selected" in panel.inner_text()
    session.check_clean()


def test_hover_highlights_a_layer_and_its_connectors(site, open_page):
    _, files = site
    page = open_page(files["residual"]).page
    front(page, "stem").hover()
    assert page.locator("g.layer.kv-hover").evaluate_all("els => els.map(e => e.dataset.name)") == ["stem"]
    hovered = page.locator("g.connector.kv-hover").evaluate_all("els => els.map(e => e.dataset.from + '>' + e.dataset.to)")
    assert sorted(hovered) == ["input>stem", "stem>add", "stem>branch_conv"]
    front(page, "head").hover()
    assert page.locator("g.layer.kv-hover").evaluate_all("els => els.map(e => e.dataset.name)") == ["head"]
    assert page.locator("g.connector.kv-hover").count() == 1


def test_search_marks_matches_and_clears_them_when_the_query_changes(site, open_page):
    diagrams, files = site
    session = open_page(files["residual"])
    page = session.page
    search = page.locator("input[type=search]")
    matched = lambda: page.locator("g.layer.match").evaluate_all("els => els.map(e => e.dataset.name)")
    graph = diagrams["residual"].graph

    search.fill("CONV")
    assert matched() == [l.name for l in graph.layers if "conv" in (l.name + " " + l.type).lower()]
    assert matched() == ["stem", "branch_conv"]
    search.fill("norm")
    assert matched() == ["branch_bn"]
    search.fill("zzz")
    assert matched() == [] and page.locator(".kv-count").inner_text() == "0"
    search.fill("")
    assert matched() == []
    session.check_clean()


def test_search_moves_the_view_to_the_first_match(site, open_page):
    _, files = site
    page = open_page(files["cnn"]).page
    for _ in range(6):
        page.locator(".kv-zoom-in").click()
    viewport = page.locator(".kv-viewport").bounding_box()

    def visible(name):
        box = layer(page, name).bounding_box()
        return (box["x"] >= viewport["x"] and box["x"] + box["width"] <= viewport["x"] + viewport["width"]
                and box["y"] >= viewport["y"] and box["y"] + box["height"] <= viewport["y"] + viewport["height"])

    assert not visible("logits") and not visible("image")
    page.locator("input[type=search]").fill("logit")
    assert visible("logits")
    page.locator("input[type=search]").fill("o")
    assert page.locator("g.layer.match").first.get_attribute("data-name") == "conv1"
    assert visible("conv1")


def test_zoom_buttons_wheel_drag_and_fit(site, open_page):
    diagrams, files = site
    session = open_page(files["cnn"])
    page = session.page
    fitted = view_box(page)
    page.locator(".kv-zoom-in").click()
    zoomed = view_box(page)
    assert zoomed[2] == pytest.approx(fitted[2] / 1.4, rel=1e-3)
    page.locator(".kv-zoom-out").click()
    page.locator(".kv-zoom-out").click()
    assert view_box(page)[2] == pytest.approx(fitted[2] * 1.4, rel=1e-3)
    page.locator(".kv-fit").click()
    assert view_box(page) == pytest.approx(fitted, abs=1e-2)

    viewport = page.locator(".kv-viewport").bounding_box()
    x, y = viewport["x"] + 20, viewport["y"] + 20
    page.mouse.move(x, y)
    page.mouse.wheel(0, -300)
    page.wait_for_function(f"document.querySelector('svg.kerasvg').getAttribute('viewBox') !== {' '.join(map(str, fitted))!r}")
    assert view_box(page)[2] < fitted[2]

    before = view_box(page)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 100, y + 40, steps=5)
    page.mouse.up()
    after = view_box(page)
    scale = viewport["width"] / before[2] if viewport["width"] / before[2] < viewport["height"] / before[3] else viewport["height"] / before[3]
    assert after[0] == pytest.approx(before[0] - 100 / scale, abs=0.5)
    assert after[1] == pytest.approx(before[1] - 40 / scale, abs=0.5)
    assert page.locator("g.layer.kv-selected").count() == 0

    page.locator(".kv-fit").click()
    diagram = diagrams["cnn"]
    box = view_box(page)
    assert box[0] <= 0 and box[1] <= 0 and box[0] + box[2] >= diagram.vector_size[0] - 0.01 and box[1] + box[3] >= diagram.vector_size[1] - 0.01
    session.check_clean()


def test_two_fragments_on_one_page_work_independently(site, open_page):
    diagrams, files = site
    session = open_page(files["two"])
    page = session.page
    first, second = ".kerasvg-view >> nth=0", ".kerasvg-view >> nth=1"
    assert page.locator(".kerasvg-view").count() == 2

    front(page, "conv2", first).click()
    assert "conv2" in panel_text(page, first)
    assert "No layer selected" in panel_text(page, second)

    front(page, "branch_conv", second).click()
    assert "branch_conv" in panel_text(page, second) and "conv2" in panel_text(page, first)
    assert page.locator(first).locator("g.layer.kv-selected").get_attribute("data-name") == "conv2"

    page.locator(second).locator("input[type=search]").fill("conv")
    assert page.locator(second).locator("g.layer.match").count() == 2
    assert page.locator(first).locator("g.layer.match").count() == 0

    before = view_box(page, first)
    page.locator(second).locator(".kv-zoom-in").click()
    assert view_box(page, first) == before
    session.check_clean()


@pytest.mark.parametrize("page_name", ["hostile", "hostile_fragment"])
def test_hostile_layer_name_shows_as_text_and_never_runs(site, open_page, page_name):
    _, files = site
    session = open_page(files[page_name])
    page = session.page
    front(page, HOSTILE).click()
    assert page.locator("[data-kerasvg-details] h3").inner_text() == HOSTILE
    page.locator("input[type=search]").fill("img")
    assert page.locator("g.layer.match").evaluate_all("els => els.map(e => e.dataset.name)") == [HOSTILE]
    front(page, "out").click()
    page.locator("[data-kerasvg-details] button.kv-link").click()
    assert page.locator("[data-kerasvg-details] h3").inner_text() == HOSTILE
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    session.check_clean()


def test_dark_theme_gives_a_dark_page(site, open_page):
    _, files = site
    page = open_page(files["dark"]).page
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(20, 22, 27)"
    assert page.evaluate("getComputedStyle(document.querySelector('.kv-panel')).backgroundColor") == "rgb(29, 32, 39)"
    assert page.evaluate("getComputedStyle(document.querySelector('.kv-name')).color") == "rgb(230, 230, 230)"


def test_downloads_give_the_plain_svg_and_a_png(site, open_page):
    diagrams, files = site
    session = open_page(files["cnn"], accept_downloads=True)
    page = session.page
    front(page, "conv1").click()
    page.locator("input[type=search]").fill("conv")
    with page.expect_download() as svg_download:
        page.locator(".kv-download-svg").click()
    assert svg_download.value.suggested_filename == "small_cnn.svg"
    svg = Path(svg_download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count('class="layer"') == len(diagrams["cnn"].graph.layers)
    for state in ("tabindex", "aria-pressed", "kv-selected", "match", "kv-hover"):
        assert state not in svg
    with page.expect_download() as png_download:
        page.locator(".kv-download-png").click()
    assert png_download.value.suggested_filename == "small_cnn.png"
    png = Path(png_download.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (round(diagrams["cnn"].vector_size[0] * 2), round(diagrams["cnn"].vector_size[1] * 2))
    session.check_clean()


def test_unknown_parameter_counts_show_as_unknown(open_page, tmp_path):
    """A layer whose count the file cannot give: '?' in the panel and the aria label, '≥' on the totals."""
    from kerasvg.readers.saved import graph_from_config

    config = {"class_name": "Functional", "config": {"name": "partly_known", "layers": [
        {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_input_shape": [None, 4]},
         "inbound_nodes": []},
        {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 3}, "inbound_nodes": [[["x", 0, 0, {}]]]},
        {"class_name": "MyBlock", "name": "mystery", "config": {"name": "mystery"}, "inbound_nodes": [[["d", 0, 0, {}]]]},
    ], "input_layers": [["x", 0, 0]], "output_layers": [["mystery", 0, 0]]}}
    path = tmp_path / "partly.html"
    kerasvg.layered_view(graph_from_config(config)).to_html(path)
    session = open_page(path)
    page = session.page
    assert "parameter count unknown" in layer(page, "mystery").get_attribute("aria-label")
    front(page, "mystery").click()
    text = panel_text(page)
    assert "Parameters\n?" in text.replace("\t", "\n") or "Parameters ?" in text.replace("\t", " ")
    assert "≥ 15" in page.locator(".kv-stats").inner_text()
