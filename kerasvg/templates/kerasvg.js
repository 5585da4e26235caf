(function () {
  "use strict";
  var script = document.currentScript;
  var view = script && script.parentElement && script.parentElement.matches("[data-kerasvg-view]")
    ? script.parentElement
    : document.querySelector("[data-kerasvg-view]:not([data-kerasvg-ready])");
  if (!view || view.hasAttribute("data-kerasvg-ready")) return;
  view.setAttribute("data-kerasvg-ready", "");

  var data = JSON.parse(view.querySelector("script.kerasvg-data").textContent);
  var viewport = view.querySelector(".kv-viewport");
  var svg = viewport.querySelector("svg");
  var panel = view.querySelector("[data-kerasvg-details]");
  var search = view.querySelector(".kv-search");
  var count = view.querySelector(".kv-count");
  var pristine = svg.cloneNode(true);
  var SVGNS = "http://www.w3.org/2000/svg";

  var info, groups, groupOf, connectors, home, box, MIN_W, MAX_W, MAX_FIT = 1.6;

  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function plural(n, word) { return grouped(n) + " " + word + (n === 1 ? "" : "s"); }
  function countText(n) { return n === null || n === undefined ? "?" : grouped(n); }
  function paramsOf(layer) { return layer.trainable === null || layer.nonTrainable === null ? null : layer.trainable + layer.nonTrainable; }

  svg.setAttribute("tabindex", "-1");
  function index(layers) {
    info = new Map();
    layers.forEach(function (layer) { info.set(layer.name, layer); });
    groups = Array.prototype.slice.call(svg.querySelectorAll("g.layer"));
    groupOf = new Map();
    connectors = Array.prototype.slice.call(svg.querySelectorAll("g.connector"));
    groups.forEach(function (g) {
      var name = g.getAttribute("data-name");
      var layer = info.get(name);
      groupOf.set(name, g);
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-pressed", "false");
      var attr = g.getAttribute("data-params");
      var params = layer ? paramsOf(layer) : (attr === "" || attr === null ? null : Number(attr));
      g.setAttribute("aria-label", name + ", " + g.getAttribute("data-type") + ", output " +
        g.getAttribute("data-shape") + ", " + (params === null ? "parameter count unknown" : plural(params, "parameter")));
    });
    var base = svg.viewBox.baseVal;
    home = { x: base.x, y: base.y, w: base.width, h: base.height };
    box = { x: home.x, y: home.y, w: home.w, h: home.h };
    MIN_W = home.w / 60; MAX_W = home.w * 6;
  }
  index(data.layers);

  /* ---- view box: pan and zoom ---- */

  function apply() {
    svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].map(function (v) { return +v.toFixed(3); }).join(" "));
  }
  function pixelsPerUnit() {
    var r = viewport.getBoundingClientRect();
    if (!r.width || !r.height) return 1;
    return Math.min(r.width / box.w, r.height / box.h);
  }
  function toUser(clientX, clientY) {
    var r = viewport.getBoundingClientRect();
    var s = pixelsPerUnit();
    var offX = (r.width - box.w * s) / 2, offY = (r.height - box.h * s) / 2;
    return { x: box.x + (clientX - r.left - offX) / s, y: box.y + (clientY - r.top - offY) / s };
  }
  function zoomAt(factor, point) {
    var w = Math.min(Math.max(box.w / factor, MIN_W), MAX_W);
    factor = box.w / w;
    box.x = point.x - (point.x - box.x) / factor;
    box.y = point.y - (point.y - box.y) / factor;
    box.w = w;
    box.h = box.h / factor;
    apply();
  }
  function centre() { return { x: box.x + box.w / 2, y: box.y + box.h / 2 }; }
  function frame(x, y, w, h, maxScale) {
    var r = viewport.getBoundingClientRect();
    var cw = r.width || w, ch = r.height || h;
    var s = Math.min(cw / w, ch / h, maxScale);
    box.w = cw / s; box.h = ch / s;
    box.x = x + w / 2 - box.w / 2; box.y = y + h / 2 - box.h / 2;
    apply();
  }
  function fit() { frame(home.x, home.y, home.w, home.h, MAX_FIT); }
  function reveal(g) {
    var b = g.getBBox(), pad = 24 / pixelsPerUnit();
    var inside = b.x - pad >= box.x && b.y - pad >= box.y &&
      b.x + b.width + pad <= box.x + box.w && b.y + b.height + pad <= box.y + box.h;
    if (inside) return;
    if (b.width + 2 * pad > box.w || b.height + 2 * pad > box.h) {
      frame(b.x - pad, b.y - pad, b.width + 2 * pad, b.height + 2 * pad, Infinity);
    } else {
      box.x = b.x + b.width / 2 - box.w / 2;
      box.y = b.y + b.height / 2 - box.h / 2;
      apply();
    }
  }

  view.querySelector(".kv-zoom-in").addEventListener("click", function () { zoomAt(1.4, centre()); });
  view.querySelector(".kv-zoom-out").addEventListener("click", function () { zoomAt(1 / 1.4, centre()); });
  view.querySelector(".kv-fit").addEventListener("click", fit);

  viewport.addEventListener("wheel", function (e) {
    e.preventDefault();
    var unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    var speed = e.ctrlKey ? 0.01 : 0.0015;
    zoomAt(Math.exp(-e.deltaY * unit * speed), toUser(e.clientX, e.clientY));
  }, { passive: false });

  var pointers = new Map();
  var dragged = false, pinchDistance = 0;
  function spread() {
    var p = Array.from(pointers.values());
    return { d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y), x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2 };
  }
  viewport.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX, y0: e.clientY });
    if (pointers.size === 1) dragged = false;
    if (pointers.size === 2) pinchDistance = spread().d;
  });
  viewport.addEventListener("pointermove", function (e) {
    var p = pointers.get(e.pointerId);
    if (!p) return;
    var dx = e.clientX - p.x, dy = e.clientY - p.y;
    if (!dragged && Math.hypot(e.clientX - p.x0, e.clientY - p.y0) < 4) return;
    if (!dragged) {
      dragged = true;
      viewport.classList.add("kv-dragging");
    }
    if (!viewport.hasPointerCapture(e.pointerId)) viewport.setPointerCapture(e.pointerId);
    p.x = e.clientX; p.y = e.clientY;
    if (pointers.size === 2) {
      var now = spread();
      if (pinchDistance > 0 && now.d > 0) zoomAt(now.d / pinchDistance, toUser(now.x, now.y));
      pinchDistance = now.d;
      return;
    }
    var s = pixelsPerUnit();
    box.x -= dx / s; box.y -= dy / s;
    apply();
  });
  function release(e) {
    pointers.delete(e.pointerId);
    if (pointers.size < 2) pinchDistance = 0;
    if (pointers.size === 0) viewport.classList.remove("kv-dragging");
  }
  viewport.addEventListener("pointerup", release);
  viewport.addEventListener("pointercancel", release);

  /* ---- hover, selection, details ---- */
  var selected = null, hovered = null;

  function connectorsOf(name) {
    return connectors.filter(function (c) {
      return c.getAttribute("data-from") === name || c.getAttribute("data-to") === name;
    });
  }
  function setHover(g) {
    if (g === hovered) return;
    view.querySelectorAll(".kv-hover").forEach(function (el) { el.classList.remove("kv-hover"); });
    hovered = g;
    if (!g) return;
    g.classList.add("kv-hover");
    connectorsOf(g.getAttribute("data-name")).forEach(function (c) { c.classList.add("kv-hover"); });
  }
  svg.addEventListener("pointerover", function (e) { setHover(e.target.closest("g.layer")); });
  svg.addEventListener("pointerleave", function () { setHover(null); });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function row(table, key, value, numeric) {
    var tr = el("tr");
    tr.appendChild(el("th", "", key));
    tr.appendChild(el("td", numeric ? "kv-num" : "", value));
    table.appendChild(tr);
  }
  function memberRows(table, member) {  // the name on a line of its own, then type · shape · parameters
    var name = el("tr", "kv-member-name"), info = el("tr", "kv-member-info");
    var th = el("th", "", member[0]), td = el("td", "", member[1] + " · " + member[2] + " · " + countText(member[3]));
    th.colSpan = 2;
    td.colSpan = 2;
    name.appendChild(th);
    info.appendChild(td);
    table.appendChild(name);
    table.appendChild(info);
  }
  function links(names) {
    if (!names.length) return el("p", "kv-none", "none");
    var list = el("ul", "kv-links");
    names.forEach(function (name) {
      var item = el("li");
      var button = el("button", "kv-link", name);
      button.type = "button";
      button.addEventListener("click", function () { select(name, true); });
      item.appendChild(button);
      list.appendChild(item);
    });
    return list;
  }
  function details(layer) {
    var body = document.createDocumentFragment();
    body.appendChild(el("h3", "kv-layer-name", layer.name));
    body.appendChild(el("span", "kv-badge", layer.type));
    if (diffed) body.appendChild(diffDetails(layer.name));
    var summary = el("table", "kv-table");
    row(summary, "Output shape", layer.shape);
    row(summary, "Parameters", countText(paramsOf(layer)), true);
    row(summary, "Trainable", countText(layer.trainable), true);
    row(summary, "Non-trainable", countText(layer.nonTrainable), true);
    body.appendChild(summary);
    if (layer.config.length) {
      body.appendChild(el("h4", "kv-section", "Configuration"));
      var config = el("table", "kv-table");
      layer.config.forEach(function (pair) { row(config, pair[0], pair[1]); });
      body.appendChild(config);
    }
    if (layer.members) {
      body.appendChild(el("h4", "kv-section", "Contains " + plural(layer.members.length, "layer")));
      var expand = el("button", "kv-expand", "Show its layers");
      expand.type = "button";
      expand.setAttribute("data-kerasvg-expand", layer.name);
      expand.addEventListener("click", function () { drill(layer.name); });
      body.appendChild(expand);
      var members = el("table", "kv-table kv-members");
      layer.members.forEach(function (n) { memberRows(members, n); });
      body.appendChild(members);
    }
    if (layer.nested) {
      body.appendChild(el("h4", "kv-section", "Contains " + plural(layer.nested.count, "layer")));
      var nested = el("table", "kv-table kv-nested");
      layer.nested.layers.forEach(function (n) { memberRows(nested, n); });
      body.appendChild(nested);
      if (layer.nested.count > layer.nested.layers.length) {
        body.appendChild(el("p", "kv-none", "… and " + plural(layer.nested.count - layer.nested.layers.length, "more layer")));
      }
    }
    body.appendChild(el("h4", "kv-section", "Inbound"));
    body.appendChild(links(layer.inbound));
    body.appendChild(el("h4", "kv-section", "Outbound"));
    body.appendChild(links(layer.outbound));
    return body;
  }
  /* ---- diff: status in the details, a/b/both switch, list of changes ---- */
  var diffed = groups.some(function (g) { return g.hasAttribute("data-diff"); });
  var DIFF_WORDS = { added: "added \u00b7 only in b", removed: "removed \u00b7 only in a", changed: "changed", same: "same in a and b" };
  var DIFF_MARKS = { added: "+", removed: "\u2212", changed: "~", same: "=" };

  function diffBadge(g) {
    var status = g.getAttribute("data-diff");
    var badge = el("span", "kv-diff-mark kv-diff-" + status, DIFF_MARKS[status]);
    var circle = g.querySelector(".diff-badge circle");
    if (circle) badge.style.background = circle.getAttribute("fill");
    badge.setAttribute("aria-hidden", "true");
    return badge;
  }
  function diffChanges(g) {
    var detail = g.getAttribute("data-diff-detail");
    if (!detail) return [];
    return detail.split("; ").map(function (item) {
      if (item.indexOf("renamed from ") === 0) return ["name", item.slice(13) + " \u2192 " + g.getAttribute("data-name")];
      var space = item.indexOf(" ");
      return space > 0 ? [item.slice(0, space), item.slice(space + 1)] : [item, ""];
    });
  }
  function diffDetails(name) {
    var g = groupOf.get(name), box = el("div", "kv-diff-status");
    var status = g.getAttribute("data-diff") || "same";
    box.appendChild(diffBadge(g));
    box.appendChild(el("span", "", DIFF_WORDS[status] || status));
    var changes = diffChanges(g);
    if (changes.length) {
      var table = el("table", "kv-table kv-diff-table");
      changes.forEach(function (pair) { row(table, pair[0], pair[1]); });
      var wrap = document.createDocumentFragment();
      wrap.appendChild(box);
      wrap.appendChild(el("h4", "kv-section", "Changes, a \u2192 b"));
      wrap.appendChild(table);
      wrap.appendChild(el("h4", "kv-section", status === "removed" ? "In a" : "In b"));
      return wrap;
    }
    return box;
  }
  function showSide(side) {
    ["a", "b", "both"].forEach(function (s) { view.classList.toggle("kv-diff-show-" + s, s === side); });
    groups.forEach(function (g) {  /* a renamed layer shows its old name while a is shown */
      var old = g.getAttribute("data-name-a"), label = g.querySelector("text.label");
      if (!old || !label) return;
      var names = [g.getAttribute("data-name"), old];
      if (side === "a" ? label.textContent === names[0] : label.textContent === names[1]) {
        label.textContent = side === "a" ? names[1] : names[0];
      }
    });
    view.querySelectorAll(".kv-diff-switch button").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-side") === side));
    });
  }
  if (diffed) {
    var sideSwitch = el("span", "kv-group kv-diff-switch");
    sideSwitch.setAttribute("role", "group");
    sideSwitch.setAttribute("aria-label", "Show model a, b or both");
    [["a", "a", "Show model a: what was there before"], ["both", "a + b", "Show both, changes marked"],
     ["b", "b", "Show model b: what is there now"]].forEach(function (spec) {
      var button = el("button", "kv-diff-" + spec[0], spec[1]);
      button.type = "button";
      button.title = spec[2];
      button.setAttribute("data-side", spec[0]);
      button.addEventListener("click", function () { showSide(spec[0]); });
      sideSwitch.appendChild(button);
    });
    view.querySelector(".kv-toolbar").insertBefore(sideSwitch, view.querySelector(".kv-toolbar").firstChild);
    showSide("both");
    var stats = view.querySelector(".kv-stats"), counts = svg.getAttribute("data-diff-layers");
    if (stats && counts) {  /* the header shows a → b, not the union's sums */
      var spans = stats.querySelectorAll("span"), params = svg.getAttribute("data-diff-params").split(" ");
      counts = counts.split(" ");
      [[1, counts, " layers"], [2, params, " parameters"]].forEach(function (spec) {
        var span = spans[spec[0]];
        if (!span) return;
        span.replaceChildren(el("b", "", grouped(spec[1][0]) + " \u2192 " + grouped(spec[1][1])), document.createTextNode(spec[2]));
      });
      for (var k = 3; k < spans.length; k++) spans[k].hidden = true;
    }

    var changed = groups.filter(function (g) { return g.getAttribute("data-diff") && g.getAttribute("data-diff") !== "same"; });
    var section = el("section", "kv-changes");
    section.setAttribute("aria-label", "Changes");
    section.appendChild(el("h4", "kv-section", changed.length ? plural(changed.length, "change") : "No changes"));
    var list = el("ul", "kv-change-list");
    changed.forEach(function (g) {
      var name = g.getAttribute("data-name");
      var item = el("li");
      var button = el("button", "kv-change");
      button.type = "button";
      button.setAttribute("data-name", name);
      button.appendChild(diffBadge(g));
      var text = el("span", "kv-change-text");
      text.appendChild(el("span", "kv-change-name", name));
      var changes = diffChanges(g);
      if (changes.length) text.appendChild(el("span", "kv-change-detail", changes.map(function (p) { return p.join(" "); }).join("; ")));
      button.appendChild(text);
      button.addEventListener("click", function () {
        if (g.getAttribute("data-diff") === "added" && view.classList.contains("kv-diff-show-a")) showSide("both");
        if (g.getAttribute("data-diff") === "removed" && view.classList.contains("kv-diff-show-b")) showSide("both");
        select(name, true);
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    section.appendChild(list);
    panel.appendChild(section);
  }

  var emptyPanel = Array.from(panel.childNodes);

  function clearSelection() {
    view.querySelectorAll(".kv-selected, .kv-neighbour, .kv-related").forEach(function (node) {
      node.classList.remove("kv-selected", "kv-neighbour", "kv-related");
    });
    groups.forEach(function (g) { g.setAttribute("aria-pressed", "false"); });
    view.classList.remove("kv-has-selection");
    selected = null;
  }
  function select(name, focus) {
    var g = groupOf.get(name), layer = info.get(name);
    if (!g || !layer) return;
    clearSelection();
    selected = name;
    g.classList.add("kv-selected");
    g.setAttribute("aria-pressed", "true");
    layer.inbound.concat(layer.outbound).forEach(function (n) {
      var other = groupOf.get(n);
      if (other) other.classList.add("kv-neighbour");
    });
    connectorsOf(name).forEach(function (c) { c.classList.add("kv-related"); });
    view.classList.add("kv-has-selection");
    panel.replaceChildren(details(layer));
    panel.scrollTop = 0;
    reveal(g);
    if (focus) g.focus({ preventScroll: true });
  }
  function deselect() {
    clearSelection();
    panel.replaceChildren.apply(panel, emptyPanel);
  }

  svg.addEventListener("click", function (e) {
    if (dragged) { dragged = false; return; }
    var g = e.target.closest("g.layer");
    if (g) select(g.getAttribute("data-name"), false);
    else deselect();
  });
  var PAN_KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  svg.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var g = e.target.closest && e.target.closest("g.layer");
    if (g && (e.key === "Enter" || e.key === " ")) {
      select(g.getAttribute("data-name"), false);
    } else if (e.key === "Escape") {
      deselect();
    } else if (e.key === "+" || e.key === "=") {
      zoomAt(1.4, centre());
    } else if (e.key === "-") {
      zoomAt(1 / 1.4, centre());
    } else if (e.key === "0") {
      fit();
    } else if (PAN_KEYS[e.key]) {
      var step = 60 / pixelsPerUnit();
      box.x += PAN_KEYS[e.key][0] * step;
      box.y += PAN_KEYS[e.key][1] * step;
      apply();
    } else {
      return;
    }
    e.preventDefault();
  });
  svg.addEventListener("focusin", function (e) {
    var g = e.target.closest("g.layer");
    if (g && g.matches(":focus-visible")) reveal(g);
  });

  /* ---- drill-down: a block or stage glyph opens the layer-level drawing, centred on it ---- */
  var expandedTemplate = view.querySelector("template.kerasvg-expanded");
  var back = view.querySelector(".kv-back");
  var shelved = null;
  function swapIn(source, layers) {
    var kept = document.createDocumentFragment();
    while (svg.firstChild) kept.appendChild(svg.firstChild);
    Array.prototype.forEach.call(source.childNodes, function (node) { svg.appendChild(node.cloneNode(true)); });
    var previous = svg.getAttribute("viewBox");
    svg.setAttribute("viewBox", source.getAttribute("viewBox"));
    index(layers);
    return { nodes: kept, viewBox: previous };
  }
  function drill(name) {
    if (!expandedTemplate || shelved) return;
    deselect();
    var glyphView = swapIn(expandedTemplate.content.querySelector("svg"), data.expanded.layers);
    glyphView.layers = data.layers;
    shelved = glyphView;
    view.classList.add("kv-expanded");
    if (back) back.hidden = false;
    var frameOf = Array.prototype.find.call(svg.querySelectorAll("g.group"), function (g) {
      return g.getAttribute("data-group-name") === name;
    });
    fit();
    if (frameOf) {
      var b = frameOf.getBBox(), pad = 24;
      frame(b.x - pad, b.y - pad, b.width + 2 * pad, b.height + 2 * pad, MAX_FIT);
    }
  }
  function undrill() {
    if (!shelved) return;
    deselect();
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.appendChild(shelved.nodes);
    svg.setAttribute("viewBox", shelved.viewBox);
    index(shelved.layers);
    shelved = null;
    view.classList.remove("kv-expanded");
    if (back) back.hidden = true;
    fit();
  }
  if (back) back.addEventListener("click", undrill);
  svg.addEventListener("dblclick", function (e) {
    var g = e.target.closest("g.layer");
    if (g && !shelved && (g.classList.contains("block") || g.classList.contains("stage"))) {
      drill(g.getAttribute("data-name"));
    } else if (shelved && !g) {
      undrill();
    }
  });

  /* ---- search ---- */
  var matches = [], current = -1;
  function runSearch() {
    svg.querySelectorAll("g.layer.match").forEach(function (g) { g.classList.remove("match"); });
    var query = search.value.trim().toLowerCase();
    matches = [];
    current = -1;
    if (query) {
      matches = groups.filter(function (g) {
        return (g.getAttribute("data-name") || "").toLowerCase().indexOf(query) !== -1 ||
          (g.getAttribute("data-type") || "").toLowerCase().indexOf(query) !== -1;
      });
      matches.forEach(function (g) { g.classList.add("match"); });
      if (matches.length) { current = 0; reveal(matches[0]); }
    }
    count.textContent = !query ? "" : matches.length ? "1/" + matches.length : "0";
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !matches.length) return;
    e.preventDefault();
    current = (current + (e.shiftKey ? matches.length - 1 : 1)) % matches.length;
    count.textContent = (current + 1) + "/" + matches.length;
    reveal(matches[current]);
    select(matches[current].getAttribute("data-name"), false);
  });

  /* ---- downloads ---- */
  function fileName(ext) {
    return (data.name || "model").replace(/[^A-Za-z0-9_.-]+/g, "_") + "." + ext;
  }
  function svgText() {
    var clone = pristine.cloneNode(true);
    if (!clone.getAttribute("xmlns")) clone.setAttribute("xmlns", SVGNS);
    return new XMLSerializer().serializeToString(clone);
  }
  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.style.display = "none";
    view.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  view.querySelector(".kv-download-svg").addEventListener("click", function () {
    save(new Blob([svgText()], { type: "image/svg+xml" }), fileName("svg"));
  });
  view.querySelector(".kv-download-png").addEventListener("click", function () {
    var image = new Image();
    var scale = Math.min(2, 16000 / Math.max(home.w, home.h), Math.sqrt(120e6 / (home.w * home.h)));
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(home.w * scale));
      canvas.height = Math.max(1, Math.round(home.h * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { if (blob) save(blob, fileName("png")); }, "image/png");
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText());
  });

  if (typeof ResizeObserver === "function") {
    var fitted = false;
    new ResizeObserver(function () {
      var r = viewport.getBoundingClientRect();
      if (!fitted && r.width > 0 && r.height > 0) { fitted = true; fit(); }
    }).observe(viewport);
  }
  fit();
})();
