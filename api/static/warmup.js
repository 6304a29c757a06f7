/* The 「正在计算招商目标」 notice (index_warming.html): asks /ui/index-status every 2 s and
   reloads the page once the ranking index is ready; shows the seconds since the build started,
   or that it failed (then stops asking). Any other answer (a session that ended, a restart)
   reloads too: the page then says what happened. */
(function () {
  "use strict";
  var box = document.getElementById("index-warming");
  if (!box) return;
  var elapsed = document.getElementById("warming-elapsed");
  var failed = document.getElementById("warming-failed");
  function ask() {
    fetch(box.dataset.status, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok || !/json/.test(r.headers.get("content-type") || "")) throw new Error(r.status);
        return r.json();
      })
      .then(function (s) {
        if (s.ready) { window.location.reload(); return; }
        if (s.failed) { failed.hidden = false; box.classList.add("failed"); return; }
        if (s.seconds !== null) elapsed.textContent = "已用 " + s.seconds + " 秒";
        window.setTimeout(ask, 2000);
      })
      .catch(function () { window.setTimeout(function () { window.location.reload(); }, 2000); });
  }
  window.setTimeout(ask, 1000);
})();
