/* The fishbone page's script (viz/fishbone_page.py inlines it after ECharts).
   Reads the layout from #fb-data: bands and bones are placed in Python (viz/fishbone.py); this
   script stacks the rows the reader unfolded and did not filter out, sizes the drawing to them
   and draws it with an ECharts graph series on a hidden cartesian grid plus `graphic` lines.
   Names are only ever set as text (textContent, canvas text), never as HTML.
   Text is never drawn smaller than 12 px. A drawing wider than its window is fitted to it by
   narrowing it only: the bands, bones and boxes come closer together (down to MIN_FIT of their
   width), the head and the heights keep their size, names too long for a narrowed box are cut
   with "…" (the tooltip and the panel show them whole); so the whole fish, head included,
   shows on a laptop. 「原始大小」 draws it at full size (it scrolls), 「适应宽度」 fits it
   again. Where even MIN_FIT is too wide (a phone) it scrolls at full size. The side panel sits
   beside the drawing only when both fit, else below it. In a frame (the app's chain page) the page
   leaves out the segments' table (the chain page has it) and tells the page around it its
   height, so the frame is as tall as its content. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fb-data").textContent);
  var G = data.geometry, V = data.verdicts;
  var EDGE = { strong: "#3ebd93", weak: "#f0b429", missing: "#e12d39" };
  var FILL = { strong: "#e3f9ee", weak: "#fffbea", missing: "#ffeeee" };
  var SHOWN = ["missing", "weak", "strong"]; // roll-ups read 缺 / 弱 / 强
  var served = /^https?:$/.test(window.location.protocol);
  var state = { open: {}, all: {}, verdicts: { strong: true, weak: true, missing: true },
                query: "", selected: null, full: false };
  var el = document.getElementById("graph");
  var scroller = document.getElementById("fb-scroll");
  var aside = document.getElementById("fb-panel");
  var chart = echarts.init(el, null, { renderer: "canvas" });
  var placed = {}; // node id → {segment id, x, y} of the last drawing, in CSS pixels
  var MIN_FIT = 0.65; // narrower, a box shows under 7 characters of a name: scroll instead
  var BESIDE = 0.9; // the panel goes beside the drawing when the drawing keeps this width
  var PANEL = 320; // the panel's width beside the drawing (fishbone.css)
  var framed = window.parent !== window;
  var k = 1; // how much narrower than in the layout the drawing is (1: full size)
  var bw = G.box_w; // a segment's box, in CSS pixels, at k
  var FONT = "12px " + data.font, BAND_FONT = "bold 14px " + data.font;
  var fitButton = document.getElementById("fb-fit");
  if (framed) document.body.classList.add("framed");

  /* ``text`` cut with "…" to ``width`` pixels of 12 px text (the full name is the tooltip's) */
  function cut(text, width, font) {
    return echarts.format.truncateText(text, Math.max(width, 24), font || FONT, "…");
  }
  function wide(text, font) {
    return text ? echarts.format.getTextRect(text, font || FONT).width : 0;
  }
  /* The first of ``texts`` (longest first) that fits ``width``, else the last one cut. */
  function fitting(texts, width, font) {
    for (var i = 0; i < texts.length; i++) if (wide(texts[i], font) <= width) return texts[i];
    return cut(texts[texts.length - 1], width, font);
  }
  /* A layout x in CSS pixels: the bands narrowed by k, the head (past head_x) full size. */
  function X(x) { return x <= data.head_x ? x * k : data.head_x * k + (x - data.head_x); }
  function roll(r) {
    return SHOWN.filter(function (v) { return r[v]; })
      .map(function (v) { return V[v] + " " + r[v]; }).join(" / ");
  }
  function hit(name) { return state.query !== "" && name.toLowerCase().indexOf(state.query) >= 0; }
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  /* The rows shown under a bone: none while folded (unless a search hits some: then the
     hits), only the verdicts ticked, at most G.cap unless the reader asked for all. */
  function rowsOf(b) {
    var rows = b.rows.filter(function (r) { return state.verdicts[r.verdict]; });
    if (state.query) {
      rows = rows.filter(function (r) { return hit(r.name); });
    } else if (!state.open[b.id]) {
      rows = [];
    }
    if (state.all[b.id] || rows.length <= G.cap) return { rows: rows, more: 0 };
    return { rows: rows.slice(0, G.cap), more: rows.length - G.cap };
  }
  function boneShown(b) {
    return state.verdicts[b.verdict] ||
      b.rows.some(function (r) { return state.verdicts[r.verdict]; });
  }
  function dim(match) { return state.query && !match ? 0.28 : 1; }

  function boxNode(b, y) {
    var n = b.rows.length;
    var star = b.key ? "★" : "", cross = b.cross_chain ? " ⇄" : "";
    var room = bw - 8, fold = state.open[b.id] ? "▾ " : "▸ ";
    var lines = [star + cut(b.name, room - wide(star + cross)) + cross,
                 fitting([V[b.verdict] + " · 本地企业 " + b.local + " 家",
                          V[b.verdict] + " · 本地 " + b.local + " 家"], room)];
    if (n) lines.push(fitting([fold + "子环节 " + roll(b.rollup), fold + roll(b.rollup)], room));
    var match = hit(b.name), own = state.verdicts[b.verdict];
    return {
      id: "b:" + b.id, name: "b:" + b.id, seg: b.id, full: b.name, value: [X(b.x), y],
      symbol: "rect", symbolSize: [bw, G.box_h], text: lines.join("\n"),
      itemStyle: { color: FILL[b.verdict], borderColor: match ? "#102a43" : EDGE[b.verdict],
                   borderWidth: match || state.selected === b.id ? 3 : 2,
                   opacity: dim(match) * (own ? 1 : 0.45) },
      label: { fontSize: 12, lineHeight: 16, color: "#1f2933", opacity: dim(match) }
    };
  }
  function rowNode(b, r, n, x0, y) {
    var w = bw - 8 - (r.depth - 1) * G.indent;
    var tail = " · " + V[r.verdict] + (r.subsegments ? "（含 " + r.subsegments + "）" : "");
    var text = cut(r.name, w - 10 - wide(tail)) + tail;
    var match = hit(r.name);
    return {
      id: "r:" + b.id + ":" + n, name: "r:" + b.id + ":" + n, seg: r.id, full: r.name,
      value: [x0 + w / 2, y], symbol: "rect", symbolSize: [w, G.row_h - 4], text: text,
      itemStyle: { color: FILL[r.verdict], borderColor: match ? "#102a43" : EDGE[r.verdict],
                   borderWidth: match || state.selected === r.id ? 2 : 1 },
      label: { fontSize: 12, color: "#1f2933" }
    };
  }
  function moreNode(b, more, x0, y) {
    var w = bw - 8;
    return {
      id: "m:" + b.id, name: "m:" + b.id, seg: b.id, more: true, full: b.name,
      value: [x0 + w / 2, y], symbol: "rect", symbolSize: [w, G.row_h - 4],
      text: fitting(["… 另 " + more + " 个，点击全部显示", "… 另 " + more + " 个"], w - 10),
      itemStyle: { color: "#f5f7fa", borderColor: "#9aa5b1", borderWidth: 1 },
      label: { fontSize: 12, color: "#52606d" }
    };
  }

  /* How far each side reaches from the spine, given the rows each bone shows. */
  function reach(shown) {
    var out = { "-1": G.bone + G.box_h, "1": G.bone + G.box_h };
    shown.forEach(function (s) {
      var n = s.rows.length + (s.more ? 1 : 0);
      var r = G.bone + G.box_h + (n ? 6 + n * G.row_h : 0);
      out[s.b.side] = Math.max(out[s.b.side], r);
    });
    return out;
  }

  /* Bands, spine, head and bones, in CSS pixels (x through X: nothing is scaled, so text
     keeps its size). */
  function graphics(shown, spine, height) {
    var g = [];
    data.bands.forEach(function (band, i) {
      var x0 = X(band.x0), x1 = X(band.x1), counts = roll(band.rollup);
      var title = band.name + "  " + band.segments + " 个环节";
      g.push({ type: "rect", silent: true, z: -10,
               shape: { x: x0, y: 0, width: x1 - x0, height: height },
               style: { fill: i % 2 ? "#ffffff" : "#f0f4f8" } });
      g.push({ type: "text", silent: true, x: x0 + 12, y: 12,
               style: { text: fitting([title + (counts ? "（" + counts + "）" : ""), title],
                                      x1 - x0 - 16, BAND_FONT),
                        font: BAND_FONT, fill: "#243b53" } });
    });
    var hx = X(data.head_x), tail = X(G.margin);
    g.push({ type: "polygon", silent: true,
             shape: { points: [[tail, spine - 18], [tail + 20, spine], [tail, spine + 18]] },
             style: { fill: "#243b53" } });
    g.push({ type: "line", silent: true, shape: { x1: tail + 10, y1: spine, x2: hx, y2: spine },
             style: { stroke: "#243b53", lineWidth: 5 } });
    g.push({ type: "polygon", silent: true,
             shape: { points: [[hx, spine - 36], [hx + G.head - 44, spine - 36],
                               [hx + G.head, spine], [hx + G.head - 44, spine + 36],
                               [hx, spine + 36]] },
             style: { fill: "#243b53" } });
    g.push({ type: "text", silent: true, x: hx + 10, y: spine, style: {
      text: data.chain, width: G.head - 44, overflow: "break", lineHeight: 17,
      verticalAlign: "middle", font: "bold 14px " + data.font, fill: "#ffffff" } });
    shown.forEach(function (s) {
      var b = s.b, edge = spine + b.side * G.bone;
      g.push({ type: "line", silent: true, z: -1,
               shape: { x1: X(b.x), y1: edge, x2: X(b.root), y2: spine },
               style: { stroke: "#486581", lineWidth: 2 } });
      var n = s.rows.length + (s.more ? 1 : 0);
      if (n) {
        var x = X(b.x) - bw / 2 + 4, far = spine + b.side * (G.bone + G.box_h);
        var last = far + b.side * (6 + (n - 0.5) * G.row_h);
        g.push({ type: "line", silent: true, z: -1, shape: { x1: x, y1: far, x2: x, y2: last },
                 style: { stroke: "#9aa5b1", lineWidth: 1.5 } });
      }
    });
    return g;
  }

  /* The drawing's width in CSS pixels when its bands are narrowed to ``f``. */
  function widthAt(f) { return Math.ceil(data.head_x * f) + data.width - data.head_x; }
  /* The panel beside the drawing when both fit with the bands at BESIDE or more, else below. */
  function placePanel() {
    var stage = aside.parentNode;
    var beside = aside.hidden || stage.clientWidth - PANEL >= widthAt(BESIDE);
    stage.classList.toggle("below", !beside);
  }
  /* How narrow the bands must be for the drawing to fit its scroller: 1 when it fits at full
     size, null when even MIN_FIT is too wide. */
  function fit() {
    var avail = scroller.clientWidth;
    if (!avail || data.width <= avail) return 1;
    var f = Math.floor(((avail - (data.width - data.head_x)) / data.head_x) * 1000) / 1000;
    return f >= MIN_FIT ? f : null;
  }
  /* The fitted drawing, or the full-size one when the reader asked for it (「原始大小」); the
     button offers whichever is not shown, and hides when there is no choice. */
  function narrow() {
    var f = fit();
    fitButton.hidden = f === 1 || f === null;
    fitButton.textContent = state.full ? "适应宽度" : "原始大小";
    fitButton.setAttribute("aria-pressed", state.full ? "true" : "false");
    return state.full || f === null ? 1 : f;
  }
  /* In a frame, the page around it sizes the frame to this page (api/static/ui.js). */
  function tellHeight() {
    if (!framed) return;
    var h = Math.ceil(document.body.getBoundingClientRect().height);
    window.parent.postMessage({ chainatlasHeight: h }, "*");
  }

  function build() {
    placePanel();
    el.style.width = "0px"; // the scroller's own width, not the last drawing's
    k = narrow();
    bw = Math.min(G.box_w, Math.round(G.slot * k) - 10);
    var shown = data.bones.filter(boneShown).map(function (b) {
      var r = rowsOf(b);
      return { b: b, rows: r.rows, more: r.more };
    });
    var out = reach(shown);
    var spine = G.top + out[-1] + 8;
    var height = spine + out[1] + 8 + G.bottom;
    var nodes = [];
    placed = {};
    shown.forEach(function (s) {
      var b = s.b;
      var by = spine + b.side * (G.bone + G.box_h / 2);
      nodes.push(boxNode(b, by));
      var x0 = X(b.x) - bw / 2 + 8;
      var far = spine + b.side * (G.bone + G.box_h + 6);
      s.rows.forEach(function (r, n) {
        var y = far + b.side * (n + 0.5) * G.row_h;
        nodes.push(rowNode(b, r, n, x0 + (r.depth - 1) * G.indent, y));
      });
      if (s.more) nodes.push(moreNode(b, s.more, x0, far + b.side * (s.rows.length + 0.5) * G.row_h));
    });
    nodes.forEach(function (n) { placed[n.id] = { seg: n.seg, x: n.value[0], y: n.value[1] }; });
    var width = widthAt(k);
    el.style.width = width + "px";
    el.style.height = height + "px";
    chart.resize();
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: data.font },
      grid: { left: 0, right: 0, top: 0, bottom: 0 },
      xAxis: { type: "value", min: 0, max: width, show: false },
      yAxis: { type: "value", min: 0, max: height, inverse: true, show: false },
      tooltip: { confine: true, formatter: function (p) {
        var i = data.info[p.data.seg] || {};
        return p.data.more ? esc(p.data.text) :
          "<b>" + esc(p.data.full) + "</b><br>" + esc(i.reason || "");
      } },
      graphic: { elements: graphics(shown, spine, height) },
      series: [{
        type: "graph", coordinateSystem: "cartesian2d", layout: "none", roam: false,
        data: nodes, links: [], emphasis: { disabled: true },
        label: { show: true, position: "inside", formatter: function (p) { return p.data.text; } }
      }]
    }, { notMerge: true });
    window.chainatlasView.scale = k;
    tellHeight();
    window.chainatlasView.shown = nodes.map(function (n) {
      return { id: n.id, seg: n.seg, name: n.full, more: !!n.more };
    });
  }

  /* ---- side panel ---- */
  function add(parent, tag, text, cls) {
    var x = document.createElement(tag);
    if (text !== undefined) x.textContent = text;
    if (cls) x.className = cls;
    parent.appendChild(x);
    return x;
  }
  /* In the app's chain page this page runs in a sandboxed frame, whose navigation carries no
     session cookie: the page around it opens the firm (api/static/ui.js). */
  function opener(href) {
    return function (ev) {
      if (window.parent === window) return;
      ev.preventDefault();
      window.parent.postMessage({ chainatlasOpen: href }, "*");
    };
  }
  function firms(title, list, total) {
    add(aside, "h3", title + "（" + total + " 家）");
    if (!list.length) { add(aside, "p", "无", "muted"); return; }
    var ul = add(aside, "ul");
    list.forEach(function (f) {
      var li = add(ul, "li");
      if (served) {
        var a = add(li, "a", f.name);
        a.href = "/ui/firm/" + encodeURIComponent(f.id);
        a.addEventListener("click", opener(a.getAttribute("href")));
      } else {
        add(li, "span", f.name);
      }
      var extra = [f.region || "", f.output ? f.output + " 亿元" : ""].filter(Boolean).join("，");
      if (extra) add(li, "small", "（" + extra + "）");
    });
    if (total > list.length) {
      add(aside, "p", "另 " + (total - list.length) + " 家见导出的 Excel", "muted");
    }
  }
  function select(id) {
    var s = data.info[id];
    if (!s) return;
    state.selected = id;
    aside.hidden = false;
    aside.replaceChildren();
    var close = add(aside, "button", "×", "close");
    close.type = "button";
    close.setAttribute("aria-label", "关闭");
    close.addEventListener("click", function () { aside.hidden = true; state.selected = null; build(); });
    add(aside, "h2", (s.key ? "★ " : "") + s.name);
    var p = add(aside, "p");
    add(p, "span", V[s.verdict], "badge " + s.verdict);
    add(p, "span", s.stage + "，本地产值 " + s.output + " 亿元", "muted");
    add(aside, "p", s.reason, "muted");
    firms("本地企业", s.local, s.local_total);
    firms("外地企业", s.outside, s.outside_total);
    [["链主", s.masters], ["服务平台 / 基金 / 人才", s.serving], ["共享此环节的产业链", s.shared]]
      .forEach(function (x) { if (x[1].length) { add(aside, "h3", x[0]); add(aside, "p", x[1].join("、")); } });
    if (s.subsegments.length) {
      add(aside, "h3", "子环节（" + s.subsegments.length + " 个）");
      var ul = add(aside, "ul");
      s.subsegments.forEach(function (cid) {
        var c = data.info[cid];
        var li = add(ul, "li");
        var b = add(li, "button", c.name, "link");
        b.type = "button";
        b.addEventListener("click", function () { select(cid); });
        add(li, "span", " " + V[c.verdict], "badge " + c.verdict);
      });
    }
    build();
    if (aside.parentNode.classList.contains("below")) aside.scrollIntoView({ block: "nearest" });
  }
  function reveal(nodeId) {
    var at = placed[nodeId];
    if (!at) return;
    scroller.scrollLeft = Math.max(0, at.x - scroller.clientWidth / 2);
    scroller.scrollTop = Math.max(0, at.y - scroller.clientHeight / 2);
  }

  /* ---- controls ---- */
  chart.on("click", function (p) {
    if (p.dataType !== "node") return;
    var d = p.data;
    if (d.more) { state.all[d.seg] = true; build(); return; }
    if (d.id.indexOf("b:") === 0 && data.info[d.seg].subsegments.length) {
      state.open[d.seg] = !state.open[d.seg];
    }
    select(d.seg);
  });
  function matches() {
    var out = [];
    data.bones.forEach(function (b) {
      if (!boneShown(b)) return;
      if (hit(b.name) && state.verdicts[b.verdict]) out.push("b:" + b.id);
      rowsOf(b).rows.forEach(function (r, n) { out.push("r:" + b.id + ":" + n); });
    });
    return out;
  }
  var search = document.getElementById("fb-search");
  var found = document.getElementById("fb-found");
  function onSearch(go) {
    state.query = search.value.trim().toLowerCase();
    build();
    var m = state.query ? matches() : [];
    found.textContent = state.query ? (m.length ? "找到 " + m.length + " 个" : "没有找到") : "";
    if (m.length && go) { select(placed[m[0]].seg); reveal(m[0]); }
  }
  search.addEventListener("input", function () { onSearch(false); });
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") onSearch(true); });
  document.querySelectorAll('input[name="verdict"]').forEach(function (box) {
    box.addEventListener("change", function () { state.verdicts[box.value] = box.checked; build(); });
  });
  document.getElementById("fb-unfold").addEventListener("click", function () {
    data.bones.forEach(function (b) { if (b.rows.length) state.open[b.id] = true; });
    build();
  });
  document.getElementById("fb-fold").addEventListener("click", function () {
    state.open = {}; state.all = {}; build();
  });
  fitButton.addEventListener("click", function () { state.full = !state.full; build(); });
  /* The PNG is of the full-size drawing (names whole, as the reader unfolded and filtered
     it), whatever the window: it is drawn so for the export, then fitted again. */
  document.getElementById("fb-png").addEventListener("click", function () {
    var full = state.full;
    state.full = true;
    build();
    var url = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
    window.chainatlasView.png = url.length;
    state.full = full;
    build();
    var a = document.createElement("a");
    a.href = url;
    a.download = data.png;
    document.body.appendChild(a);
    a.click();
    a.remove();
  });

  window.chainatlasView = { chart: chart, data: data, state: state, build: build, select: select,
                            where: function (id) { return placed[id]; }, scale: 1 };
  chart.on("finished", function ready() {
    chart.off("finished", ready);
    document.body.dataset.ready = "1";
  });
  build();
  var resized = 0;
  window.addEventListener("resize", function () { // once the window has settled
    clearTimeout(resized);
    resized = setTimeout(build, 150);
  });
})();
