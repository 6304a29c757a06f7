// The large graph view (viz/bigview.py): sigma.js over graphology, data from #view-data.
// FONTS is replaced by the CJK font stack.
(function () {
  "use strict";
  // Several tasks (parse, build the graph in chunks, set up WebGL, draw) rather than one, so that
  // the page never blocks for their sum; positions come computed: nothing else runs here.
  var D, n, graph, i;
  setTimeout(function () {
    D = JSON.parse(document.getElementById("view-data").textContent);
    n = D.ids.length;
    setTimeout(build, 0);
  }, 0);
  var CHUNK = 6000;  // nodes or edges added per task
  function build() {
    graph = new graphology.DirectedGraph();  // one line per pair of nodes (deduplicated)
    i = 0;
    addNodes();
  }
  function addNodes() {
    for (var end = Math.min(n, i + CHUNK); i < end; i++) {
      graph.addNode(i, {x: D.x[i], y: D.y[i], size: D.size[i], label: D.names[i],
                        color: D.colours[D.kind[i]], kind: D.kind[i],
                        forceLabel: D.force[i] === 1});
    }
    if (i < n) { setTimeout(addNodes, 0); return; }
    i = 0;
    setTimeout(addEdges, 0);
  }
  function addEdges() {
    var E = D.edges;
    for (var end = Math.min(E.length, i + 2 * CHUNK); i < end; i += 2) graph.addEdge(E[i], E[i + 1]);
    setTimeout(i < E.length ? addEdges : draw, 0);
  }
  function draw() {
  var hiddenKinds = {}, anyHidden = false, focus = null, near = null;
  var DIM = "#e4e7eb";
  function nodeReducer(node, data) {
    if (!anyHidden && focus === null) return data;
    if (hiddenKinds[data.kind]) return Object.assign({}, data, {hidden: true});
    if (focus === null) return data;
    if (node === focus) return Object.assign({}, data, {highlighted: true, forceLabel: true});
    if (near.has(node)) return Object.assign({}, data, {forceLabel: near.size <= 40});
    return Object.assign({}, data, {color: DIM, label: "", forceLabel: false});
  }
  function edgeReducer(edge, data) {
    if (!anyHidden && focus === null) return data;
    var s = graph.source(edge), t = graph.target(edge);
    if (anyHidden && (hiddenKinds[graph.getNodeAttribute(s, "kind")] ||
                      hiddenKinds[graph.getNodeAttribute(t, "kind")])) {
      return Object.assign({}, data, {hidden: true});
    }
    if (focus === null) return data;
    if (s === focus || t === focus) return Object.assign({}, data, {color: "#486581", size: 1.2});
    return Object.assign({}, data, {hidden: true});
  }
  var container = document.getElementById("graph");
  var renderer;
  try {
    renderer = new Sigma(new graphology.DirectedGraph(), container, {
      labelFont: FONTS, labelSize: 12, labelColor: {color: "#1f2933"},
      labelRenderedSizeThreshold: 9, labelDensity: 0.6, labelGridCellSize: 90,
      // one vertex per node and two per edge: the instanced default programs cost 4-5x more
      // per frame where WebGL is software-rendered (SwiftShader, no GPU)
      defaultNodeType: "point", defaultEdgeType: "thin",
      nodeProgramClasses: {point: Sigma.rendering.NodePointProgram},
      edgeProgramClasses: {thin: Sigma.rendering.EdgeLineProgram},
      defaultEdgeColor: "#c8d1db",  // opaque: the line program draws no translucent colour
      hideEdgesOnMove: true, hideLabelsOnMove: true, renderEdgeLabels: false,
      minCameraRatio: 0.01, maxCameraRatio: 4, stagePadding: 20,
      nodeReducer: nodeReducer, edgeReducer: edgeReducer
    });
  } catch (err) {
    document.getElementById("nogl").hidden = false;
    document.body.dataset.ready = "1";
    document.body.dataset.error = "webgl";
    return;
  }
  var info = document.getElementById("info");
  function row(node) {
    var li = document.createElement("li"), b = document.createElement("button");
    b.type = "button";
    b.textContent = D.names[node];
    var s = document.createElement("small");
    s.textContent = D.kindZh[D.kind[node]] + " · " + D.ids[node];
    b.appendChild(s);
    b.addEventListener("click", function () { select(node, true); });
    li.appendChild(b);
    return li;
  }
  function showInfo(node) {
    info.textContent = "";
    if (node === null) { info.hidden = true; return; }
    var h = document.createElement("h2"), p = document.createElement("p"), ul = document.createElement("ul");
    h.textContent = D.names[node];
    p.textContent = D.kindZh[D.kind[node]] + " · " + D.ids[node] + " · 相连 " + near.size + " 个节点";
    var list = Array.from(near).slice(0, 50);
    list.forEach(function (m) { ul.appendChild(row(+m)); });
    info.appendChild(h); info.appendChild(p); info.appendChild(ul);
    info.hidden = false;
  }
  function select(node, move) {
    focus = node === null ? null : String(node);
    near = focus === null ? null : new Set(graph.neighbors(focus));
    renderer.refresh({skipIndexation: true});
    showInfo(focus === null ? null : +focus);
    if (focus !== null && move) {
      var d = renderer.getNodeDisplayData(focus), cam = renderer.getCamera();
      cam.animate({x: d.x, y: d.y, ratio: Math.min(cam.ratio, 0.25)}, {duration: 400});
    }
  }
  renderer.on("clickNode", function (ev) { select(ev.node, false); });
  renderer.on("clickStage", function () { select(null, false); });
  function search(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    var exact = [], prefix = [], other = [];
    for (var j = 0; j < n && exact.length + prefix.length + other.length < 400; j++) {
      var name = D.names[j].toLowerCase(), id = D.ids[j].toLowerCase();
      if (name === q || id === q) exact.push(j);
      else if (name.indexOf(q) === 0) prefix.push(j);
      else if (name.indexOf(q) >= 0 || id.indexOf(q) >= 0) other.push(j);
    }
    function bySize(a, b) { return D.names[a].length - D.names[b].length || a - b; }
    return exact.concat(prefix.sort(bySize), other.sort(bySize)).slice(0, 20);
  }
  var box = document.getElementById("q"), hits = document.getElementById("hits"), timer = 0;
  function showHits() {
    var found = search(box.value);
    hits.textContent = "";
    if (!box.value.trim()) { hits.hidden = true; return found; }
    if (!found.length) {
      var li = document.createElement("li"); li.textContent = "没有找到"; li.style.padding = "3px 10px";
      hits.appendChild(li);
    }
    found.forEach(function (j) {
      var r = row(j);
      r.firstChild.addEventListener("click", function () { hits.hidden = true; });
      hits.appendChild(r);
    });
    hits.hidden = false;
    return found;
  }
  box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(showHits, 120); });
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = showHits();
      if (found.length) { select(found[0], true); hits.hidden = true; }
    } else if (ev.key === "Escape") { hits.hidden = true; }
  });
  var legend = document.getElementById("legend");
  var counts = D.kinds.map(function () { return 0; });
  for (i = 0; i < n; i++) counts[D.kind[i]]++;
  D.kinds.forEach(function (k, j) {
    var l = document.createElement("label"), c = document.createElement("input"), dot = document.createElement("i");
    c.type = "checkbox"; c.checked = true; c.dataset.kind = k;
    dot.style.background = D.colours[j];
    c.addEventListener("change", function () {
      hiddenKinds[j] = !c.checked;
      anyHidden = Object.keys(hiddenKinds).some(function (x) { return hiddenKinds[x]; });
      renderer.refresh({skipIndexation: true});
    });
    l.appendChild(c); l.appendChild(dot);
    l.appendChild(document.createTextNode(D.kindZh[j] + " " + counts[j]));
    legend.appendChild(l);
  });
  document.getElementById("bycluster").addEventListener("change", function (ev) {
    var byCluster = ev.target.checked, P = D.palette;
    graph.updateEachNodeAttributes(function (node, a) {
      a.color = byCluster ? P[D.cluster[+node] % P.length] : D.colours[a.kind];
      return a;
    }, {attributes: ["color"]});
  });
  window.chainatlasBig = {renderer: renderer, graph: graph, search: search, select: select, data: D};
  setTimeout(function () {
    renderer.setGraph(graph);
    requestAnimationFrame(function () { document.body.dataset.ready = "1"; });
  }, 0);
  }
})();
