"""The HTML drill-down in headless Chromium: a glyph lists its layers, expands to the layer level and back."""
import pytest

import kerasvg
from test_browser import Session, browser  # noqa: F401  (the browser fixture)
from test_groups import _residual_net

pytestmark = pytest.mark.browser


def test_a_block_glyph_lists_its_layers_and_expands_to_them_and_back(browser, tmp_path):  # noqa: F811
    path = tmp_path / "blocks.html"
    kerasvg.layered_view(_residual_net((2, 3)), detail="blocks").save(path)
    session = Session(browser, path)
    page = session.page
    try:
        glyphs = page.locator("svg g.layer.block")
        assert glyphs.count() == 5
        page.locator('svg g.layer[data-name="s2_block2"] polygon.front').click()  # a reader clicks the box
        panel = page.locator("[data-kerasvg-details]")
        members = panel.locator(".kv-members th").all_text_contents()
        assert members == ["s2_block2_conv", "s2_block2_bn", "s2_block2_relu", "s2_block2_add"]
        info = panel.locator(".kv-members .kv-member-info td").first  # below its name: type · shape · count
        assert info.text_content() == "Conv2D · (None, 16, 16, 16) · 10"

        panel.locator("[data-kerasvg-expand]").click()
        assert page.locator("svg g.layer.block").count() == 0
        assert page.locator("svg g.layer").count() == 24
        centre = page.evaluate("""() => {
            const svg = document.querySelector('.kv-viewport svg');
            const frame = [...svg.querySelectorAll('g.group')].find(g => g.dataset.groupName === 's2_block2');
            const b = frame.getBBox(), v = svg.viewBox.baseVal;
            return [b.x + b.width / 2, v.x + v.width / 2, b.y + b.height / 2, v.y + v.height / 2, b.width, v.width];
        }""")
        assert abs(centre[0] - centre[1]) < 1 and abs(centre[2] - centre[3]) < 1 and centre[4] < centre[5]
        page.locator('svg g.layer[data-name="s2_block2_bn"] polygon.front').click()
        assert panel.locator(".kv-layer-name").text_content() == "s2_block2_bn"

        page.locator(".kv-toolbar [data-kerasvg-expand]").click()
        assert page.locator("svg g.layer.block").count() == 5

        page.locator('svg g.layer[data-name="s1_block1"] polygon.front').dblclick()
        assert page.locator("svg g.layer").count() == 24
        assert session.errors == [] and all(url.startswith("file://") for url in session.requests)
    finally:
        session.context.close()
