/* 一本账 page: the 五未 by district and by chain as stacked bars (ECharts, from #ledger-data). */
(function () {
  "use strict";
  var d = JSON.parse(document.getElementById("ledger-data").textContent);
  var COLORS = ["#f0b429", "#ef4e4e", "#9446ed", "#2680c2", "#14919b"];
  var charts = [];
  function draw(id, rows) {
    var el = document.getElementById(id);
    var c = echarts.init(el, null, { renderer: "canvas" });
    var names = rows.map(function (r) { return r.name; });
    c.setOption({
      color: COLORS,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, name: "个" },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: d.stalls.map(function (s) {
        return { name: s, type: "bar", stack: "all", data: rows.map(function (r) { return r[s]; }) };
      })
    });
    el.style.height = Math.max(260, 40 + names.length * 22) + "px";
    c.resize();
    charts.push(c);
  }
  draw("chart-region", d.by_region);
  draw("chart-chain", d.by_chain);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.chainatlasLedger = { charts: charts };
  requestAnimationFrame(function () { document.body.dataset.ready = "1"; });
})();
