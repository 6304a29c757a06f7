/* Small page helpers (no inline script under the Content-Security-Policy): a filter form whose
   产业链 changes reloads to offer that chain's segments; a 打印 button prints; <body data-ready="1"> once the page is set up (browser tests wait for it). */
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
  // pages that draw charts say when they are drawn (dashboard.js, ledger.js); the others now
  if (!document.body.classList.contains("charts-page")) document.body.dataset.ready = "1";
})();
