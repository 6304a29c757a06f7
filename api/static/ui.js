/* Small page helpers (no inline script under the Content-Security-Policy): a filter form whose
   产业链 changes reloads to offer that chain's segments (the project form's 环节 is filtered in
   place); a 打印 button prints; <body data-ready="1"> once the page is set up (browser tests wait for it). */
(function () {
  "use strict";
  var chain = document.getElementById("f-chain");
  if (chain) chain.addEventListener("change", function () {
    var seg = document.getElementById("f-segment");
    if (seg) seg.value = "";
    chain.form.submit();
  });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // a graph view in a frame runs sandboxed (no cookie of ours goes with its navigation): a
  // firm named in its panel asks this page to open the firm's page (viz/static/fishbone.js)
  // and says how tall it is, so that the frame shows all of it (no scrolling inside)
  window.addEventListener("message", function (ev) {
    var frame = document.getElementById("fishbone");
    if (!frame || ev.source !== frame.contentWindow || !ev.data) return;
    var href = ev.data.chainatlasOpen, height = ev.data.chainatlasHeight;
    if (typeof href === "string" && /^\/ui\/firm\/[^/?#]+$/.test(href)) window.location.assign(href);
    if (typeof height === "number" && height > 0) {
      frame.style.height = Math.min(Math.ceil(height) + 2, 20000) + "px";
    }
  });
  // 新建项目 / 编辑: 所属环节 offers only the chosen 产业链's segments (its optgroups carry
  // data-chain; without script every chain's are offered and the server checks them), and
  // choosing another chain empties it — 「不填」 then, as the old chain's segment is cleared
  document.querySelectorAll("select[data-chain-select]").forEach(function (seg) {
    var chain = document.getElementById(seg.dataset.chainSelect);
    if (!chain) return;
    var first = seg.options[0], kept = first.textContent, start = chain.value;
    var groups = Array.prototype.slice.call(seg.querySelectorAll("optgroup[data-chain]"));
    function show() {
      var value = seg.value;
      groups.forEach(function (g) { if (g.parentNode) g.parentNode.removeChild(g); });
      groups.forEach(function (g) { if (g.dataset.chain === chain.value) seg.appendChild(g); });
      seg.value = value;
      if (seg.selectedIndex < 0) seg.value = "";
      first.textContent = !chain.value ? "先选产业链" : chain.value === start ? kept : "不填";
    }
    chain.addEventListener("change", function () { seg.value = ""; show(); });
    show();
  });
  // a refused form is answered to its POST with the page again: the address becomes the
  // page's own (data-page-url), so that a reload asks for the page instead of sending the
  // form a second time
  var refused = document.querySelector("[data-page-url]");
  if (refused && window.history.replaceState) {
    window.history.replaceState(null, "", refused.getAttribute("data-page-url"));
  }
  // pages that draw charts say when they are drawn (dashboard.js, ledger.js); the others now
  if (!document.body.classList.contains("charts-page")) document.body.dataset.ready = "1";
})();
