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
  // pages that draw charts say when they are drawn (dashboard.js, ledger.js); the others now
  if (!document.body.classList.contains("charts-page")) document.body.dataset.ready = "1";
})();
