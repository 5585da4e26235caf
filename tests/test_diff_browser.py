"""The diff page in headless Chromium: the a / b / both switch, the list of changes, old → new details."""
import pytest

import kerasvg
from test_browser import browser, open_page  # noqa: F401  (fixtures)
from test_diff import small_cnn

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def diff_page(keras, tmp_path_factory):
    path = tmp_path_factory.mktemp("diff_html") / "diff.html"
    kerasvg.diff(small_cnn(keras, "a"), small_cnn(keras, "b")).save(path)
    return path


def _visible(page):
    return page.locator("g.layer").evaluate_all(
        "els => els.filter(e => getComputedStyle(e).display !== 'none').map(e => e.dataset.name)")


def _visible_connectors(page):
    return sorted(page.locator("g.connector").evaluate_all(
        "els => els.filter(e => getComputedStyle(e).display !== 'none').map(e => e.dataset.from + '>' + e.dataset.to)"))


def test_switch_shows_a_b_or_both(diff_page, open_page):
    session = open_page(diff_page)
    page = session.page
    both = ["image", "conv1", "pool1", "conv2_wide", "conv2_bn", "gap", "dropout", "logits"]
    pressed = lambda: page.locator(".kv-diff-switch button[aria-pressed=true]").all_inner_texts()
    assert _visible(page) == both and pressed() == ["a + b"]
    stats = page.locator(".kv-stats span").evaluate_all("els => els.filter(e => !e.hidden).map(e => e.textContent)")
    assert stats == ["Sequential", "7 \u2192 7 layers", "5,418 \u2192 5,546 parameters"]
    page.locator(".kv-diff-switch button", has_text="a").first.click()
    assert pressed() == ["a"]
    assert _visible(page) == ["image", "conv1", "pool1", "conv2_wide", "gap", "dropout", "logits"]
    assert _visible_connectors(page) == ["conv1>pool1", "conv2_wide>gap", "dropout>logits", "gap>dropout",
                                         "image>conv1", "pool1>conv2_wide"]
    assert page.locator('g.layer[data-name="conv2_wide"] text.label').first.inner_html() == "conv2"
    page.locator(".kv-diff-switch button", has_text="b").last.click()
    assert pressed() == ["b"]
    assert _visible(page) == ["image", "conv1", "pool1", "conv2_wide", "conv2_bn", "gap", "logits"]
    assert _visible_connectors(page) == ["conv1>pool1", "conv2_bn>gap", "conv2_wide>conv2_bn", "gap>logits",
                                         "image>conv1", "pool1>conv2_wide"]
    assert page.locator('g.layer[data-name="conv2_wide"] text.label').first.inner_html() == "conv2_wide"
    page.locator(".kv-diff-switch button", has_text="a + b").click()
    assert _visible(page) == both
    session.check_clean()


def test_change_list_jumps_to_each_change_and_details_show_old_to_new(diff_page, open_page):
    session = open_page(diff_page)
    page = session.page
    panel = page.locator("[data-kerasvg-details]")
    changes = page.locator(".kv-change")
    assert page.locator(".kv-changes h4").inner_text().lower() == "3 changes"
    assert changes.evaluate_all("els => els.map(e => e.dataset.name)") == ["conv2_wide", "conv2_bn", "dropout"]
    assert changes.locator(".kv-diff-mark").all_inner_texts() == ["~", "+", "\u2212"]

    changes.nth(0).click()
    assert panel.locator("h3").inner_text() == "conv2_wide"
    assert page.locator("g.layer.kv-selected").evaluate_all("els => els.map(e => e.dataset.name)") == ["conv2_wide"]
    assert panel.locator(".kv-diff-table tr", has_text="name").inner_text().split(None, 1) == [
        "name", "conv2 \u2192 conv2_wide"]

    page.keyboard.press("Escape")
    page.locator(".kv-diff-switch button", has_text="b").last.click()
    page.locator(".kv-change", has_text="dropout").click()  # a removed layer: the view switches back to both
    assert panel.locator("h3").inner_text() == "dropout"
    assert "removed" in panel.locator(".kv-diff-status").inner_text()
    assert "dropout" in _visible(page)
    session.check_clean()
