/* 一本账 page: the 五未 by district and by chain as stacked bars (ECharts, from #ledger-data). */
(function () {
  "use strict";
  var d = JSON.parse(document.getElementById("ledger-data").textContent);
  var COLORS = ["#f0b429", "#ef4e4e", "#9446ed", "#2680c2", "#14919b"];
  var charts = [];
  // a chain's whole name (「智能装备及智能机器人」) wraps onto a second line, never cut; on a
  // phone the 五未 legend wraps onto two rows above the bars instead of paging
  function twoLines(name, most) {
    if (name.length <= most) return name;
    var at = name.indexOf("（");
    if (at < 2) {
      var half = Math.ceil(name.length / 2);
      at = half;
      ["及", "与", "和"].forEach(function (w) {
        var i = name.indexOf(w);
        if (i > 1 && Math.abs(i + 1 - half) <= 2) at = i + 1;
      });
    }
    return name.slice(0, at) + "\n" + name.slice(at);
  }
  function draw(id, rows) {
    var el = document.getElementById(id);
    var c = echarts.init(el, null, { renderer: "canvas" });
    var names = rows.map(function (r) { return r.name; });
    var narrow = el.clientWidth < 560;
    var top = narrow ? 58 : 34;
    c.setOption({
      color: COLORS,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, left: "center", itemGap: 8, itemWidth: 14, textStyle: { fontSize: narrow ? 11 : 12 } },
      grid: { left: 8, right: 16, top: top, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, name: "个" },
      yAxis: {
        type: "category", data: names, inverse: true,
        axisLabel: {
          width: narrow ? 100 : 170, overflow: "break", lineHeight: 13, fontSize: narrow ? 11 : 12,
          formatter: function (v) { return twoLines(v, narrow ? 8 : 13); }
        }
      },
      series: d.stalls.map(function (s) {
        return { name: s, type: "bar", stack: "all", data: rows.map(function (r) { return r[s]; }) };
      })
    });
    el.style.height = Math.max(260, top + 16 + names.length * (narrow ? 30 : 26)) + "px";
    c.resize();
    charts.push(c);
  }
  draw("chart-region", d.by_region);
  draw("chart-chain", d.by_chain);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.chainatlasLedger = { charts: charts };
  requestAnimationFrame(function () { document.body.dataset.ready = "1"; });
})();
