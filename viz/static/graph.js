/* The vis-network pages' script (viz/html.py inlines it after vis-network).
   Reads #graph-data: nodes (each with its legend `kind`, and its community `cid` on a big
   page), edges, options and the communities to draw as single nodes. Adds a search box,
   neighbour highlighting on a click, legend entries that hide and show their nodes, and
   communities that open on a click. Names are only ever set as text. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("graph-data").textContent);
  var DIM = { background: "#eef2f6", border: "#d9e2ec" };
  var all = {}, members = {}, opened = {};
  cfg.nodes.forEach(function (n) {
    all[n.id] = n;
    if (n.cid !== undefined) (members[n.cid] = members[n.cid] || []).push(n.id);
  });
  var clustered = cfg.clusters.length > 0;
  function clusterId(c) { return "cluster:" + c; }
  /* what stands for a node in the drawing: itself, or its community while that is closed */
  function rep(id) {
    var c = all[id].cid;
    return c !== undefined && !opened[c] ? clusterId(c) : id;
  }
  function clusterNode(c) {
    return { id: clusterId(c.cid), label: c.label, kind: c.kind, shape: "dot",
             size: Math.min(60, 10 + 3 * Math.sqrt(c.size)), color: c.color,
             title: c.label + "（点击展开）", font: { size: 18 } };
  }
  /* edges between what is drawn; those of closed communities merge into one grey edge */
  function edgesNow() {
    if (!clustered) return cfg.edges;
    var merged = {}, out = [];
    cfg.edges.forEach(function (e, i) {
      var a = rep(e.from), b = rep(e.to);
      if (a === b) return;
      if (a === e.from && b === e.to) { out.push(Object.assign({ id: "e" + i }, e)); return; }
      var k = a + " " + b;
      if (!merged[k]) {
        merged[k] = { id: "m:" + k, from: a, to: b, color: { color: "#cbd2d9" } };
        out.push(merged[k]);
      }
    });
    return out;
  }
  var nodes = new vis.DataSet(cfg.nodes.filter(function (n) { return n.cid === undefined; })
    .concat(cfg.clusters.map(clusterNode)));
  var edges = new vis.DataSet(edgesNow());
  var base = {};
  nodes.forEach(function (n) { base[n.id] = { color: n.color, font: n.font }; });
  var network = new vis.Network(document.getElementById("graph"),
                                { nodes: nodes, edges: edges }, cfg.options);
  var hidden = {}; // legend kind → hidden
  var view = window.chainatlasView = { network: network, nodes: nodes, edges: edges,
                                       clusters: cfg.clusters, total: cfg.nodes.length };

  /* a community opens as a sunflower disc where it was drawn (no physics: nothing else moves) */
  function open(c) {
    if (opened[c]) return;
    var at = network.getPosition(clusterId(c));
    opened[c] = true;
    nodes.remove(clusterId(c));
    nodes.add(members[c].map(function (m, i) {
      var r = 24 * Math.sqrt(i + 0.5), a = i * 2.39996;
      base[m] = { color: all[m].color, font: all[m].font };
      return Object.assign({}, all[m], { x: at.x + r * Math.cos(a), y: at.y + r * Math.sin(a),
                                         hidden: !!hidden[all[m].kind] });
    }));
    edges.clear();
    edges.add(edgesNow());
  }
  view.open = open;

  /* ---- neighbour highlighting ---- */
  function highlight(id) {
    var keep = {};
    keep[id] = true;
    if (id !== null) network.getConnectedNodes(id).forEach(function (m) { keep[m] = true; });
    nodes.update(nodes.getIds().map(function (m) {
      var on = id === null || keep[m];
      return { id: m, color: on ? base[m].color : DIM,
               font: on ? (base[m].font || { color: "#343434" }) : { color: "#bcccdc" } };
    }));
    view.lit = id;
  }
  network.on("click", function (p) {
    var id = p.nodes.length ? p.nodes[0] : null;
    if (id !== null && String(id).indexOf("cluster:") === 0) { open(+id.slice(8)); return; }
    highlight(id);
  });

  /* ---- legend toggles ---- */
  function applyHidden() {
    nodes.update(nodes.get().map(function (n) { return { id: n.id, hidden: !!hidden[n.kind] }; }));
  }
  document.querySelectorAll(".legend .key").forEach(function (b) {
    b.addEventListener("click", function () {
      var k = b.getAttribute("data-kind");
      hidden[k] = !hidden[k];
      b.setAttribute("aria-pressed", hidden[k] ? "false" : "true");
      applyHidden();
    });
  });
  view.hidden = hidden;

  /* ---- search ---- */
  var box = document.getElementById("graph-search");
  var found = document.getElementById("graph-found");
  function search(go) {
    var q = box.value.trim().toLowerCase();
    if (!q) { found.textContent = ""; return []; }
    var hits = cfg.nodes.filter(function (n) {
      return String(n.label === undefined ? "" : n.label).toLowerCase().indexOf(q) >= 0;
    });
    found.textContent = hits.length ? "找到 " + hits.length + " 个" : "没有找到";
    if (go && hits.length) reveal(hits[0].id);
    return hits.map(function (n) { return n.id; });
  }
  function reveal(id) {
    if (all[id].cid !== undefined) open(all[id].cid);
    if (hidden[all[id].kind]) return;
    network.selectNodes([id]);
    highlight(id);
    network.focus(id, { scale: 1.2, animation: false });
  }
  box.addEventListener("input", function () { search(false); });
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(true); });
  view.search = search;
  view.reveal = reveal;

  /* ---- first drawing ---- */
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: { enabled: false } });
  });
  network.fit();
  network.once("afterDrawing", function () {
    network.fit();
    document.body.dataset.ready = "1";
  });
})();
