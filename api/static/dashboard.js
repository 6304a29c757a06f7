/* 驾驶舱: draws the home page's charts and maps with ECharts from the JSON the page carries
   (#dashboard-data). Boundaries are fetched from this site only (/ui/static/vendor/geo). When
   everything is drawn, <body data-ready="1"> is set (the browser tests wait for it). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var GEO = "/ui/static/vendor/geo/";
  var COLORS = ["#2680c2", "#3ebd93", "#f0b429", "#ef4e4e", "#9446ed", "#14919b", "#de911d", "#627d98"];
  var charts = {};

  function chart(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    var c = echarts.init(el, null, { renderer: "canvas" });
    charts[id] = c;
    return c;
  }

  function fmt(v) {
    return v === null || v === undefined ? "—" : (Math.round(v * 100) / 100).toLocaleString("zh-CN");
  }

  /* a bar's label says what it is: the share of the target, or the output of a chain without
     one (never a bare number beside percentages) */
  function progressLabel(r) {
    return r.share === null ? "产值 " + fmt(r.output) + " 亿元（无目标）" : "完成 " + fmt(r.share * 100) + "%";
  }

  /* a colour scale's legend: each end once, with its unit (the handles' own labels; no second
     pair of end texts) */
  function scale(unit, whole) {
    return { calculable: true, formatter: function (v) { return (whole ? Math.round(v).toLocaleString("zh-CN") : fmt(v)) + " " + unit; } };
  }

  /* ---- 2026 targets against local output, one layout at a time ---- */
  function drawProgress(layout) {
    var rows = data.progress[layout] || [];
    var names = rows.map(function (r) { return r.name; });
    var c = charts["chart-progress"] || chart("chart-progress");
    // on a phone the label goes under the chain's name: beside the bar it leaves no room to draw
    var narrow = c.getWidth() < 600;
    c.setOption({
      color: ["#bcccdc", "#2680c2"],
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (ps) {
          var r = rows[ps[0].dataIndex];
          return echarts.format.encodeHTML(r.name) + "<br>2026 目标：" + (r.target === null ? "未设目标" : fmt(r.target) + " 亿元") +
            "<br>本地产值：" + fmt(r.output) + " 亿元（" + r.firms + " 家本地企业）" +
            (r.share === null ? "" : "<br>完成：" + fmt(r.share * 100) + "%") +
            "<br><span class='tip-muted'>" + echarts.format.encodeHTML(r.basis) + "</span>";
        }
      },
      legend: { data: ["2026 目标", "本地产值"], top: 0 },
      grid: { left: 8, right: narrow ? 36 : 150, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: "亿元", nameLocation: "end", axisLabel: { hideOverlap: true } },
      yAxis: { type: "category", data: names, inverse: true,
               axisLabel: narrow ? { formatter: function (v, i) { return v + "\n" + progressLabel(rows[i]); }, fontSize: 11, lineHeight: 13 }
                                 : { width: 170, overflow: "break", lineHeight: 13 } },
      series: [
        { name: "2026 目标", type: "bar", data: rows.map(function (r) { return r.target; }), barGap: "-100%", barWidth: "60%" },
        { name: "本地产值", type: "bar", data: rows.map(function (r) { return r.output; }), barWidth: "35%",
          label: { show: !narrow, position: "right", formatter: function (p) { return progressLabel(rows[p.dataIndex]); } } }
      ]
    }, true);
    var unset = rows.filter(function (r) { return r.target === null; }).length;
    document.getElementById("progress-note").textContent =
      (layout === "1366" ? "“1366”产业链：种子文件未给出 2026 目标，完整承接八大新兴产业链 2.0 的沿用其目标。" : "八大新兴产业链 2.0：目标为种子文件 001 所列 2026 年规模目标。") +
      (unset ? "未设目标 " + unset + " 条，只显示本地产值。" : "") + "本地产值为在本链环节经营的本地企业产值之和。";
  }

  /* ---- stacked bars per district ---- */
  /* an empty chart says so instead of drawing bare axes */
  function empty(values) {
    var total = values.reduce(function (a, v) { return a + (Array.isArray(v) ? v.reduce(function (x, y) { return x + (y || 0); }, 0) : (v || 0)); }, 0);
    return total ? {} : { title: { text: "暂无数据", left: "center", top: "middle", textStyle: { color: "#9fb3c8", fontSize: 16, fontWeight: "normal" } } };
  }

  /* the legend wraps onto as many rows as it needs (no 1/3 pager on a phone); the bars start
     below it: rows estimated from the names' lengths at the legend's font size */
  function legendRows(c, names, size) {
    var width = c.getWidth() - 16, row = 0, rows = 1;
    names.forEach(function (n) {
      var w = 14 + 5 + n.length * size + 8;
      if (row + w > width && row > 0) { rows += 1; row = 0; }
      row += w;
    });
    return rows;
  }

  function stacked(id, groups, names) {
    var c = chart(id);
    if (!c) return;
    var size = c.getWidth() < 600 ? 11 : 12, keys = Object.keys(groups);
    var top = 12 + 22 * legendRows(c, keys, size);
    c.setOption(Object.assign(empty(keys.map(function (k) { return groups[k]; })), {
      color: COLORS,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, left: "center", itemGap: 8, itemWidth: 14, textStyle: { fontSize: size } },
      grid: { left: 8, right: 16, top: top, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, name: "个" },
      yAxis: { type: "category", data: names, inverse: true },
      series: Object.keys(groups).map(function (k) {
        return { name: k, type: "bar", stack: "all", data: groups[k], emphasis: { focus: "series" } };
      })
    }));
  }

  function drawTrend() {
    var t = data.trend;
    var c = chart("chart-trend");
    c.setOption(Object.assign(empty(Object.keys(t.series).map(function (k) { return t.series[k]; })), {
      color: COLORS,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 28, top: 34, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: t.months, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1, name: "个" },
      series: Object.keys(t.series).map(function (k) {
        return { name: k, type: "line", data: t.series[k], smooth: false, symbolSize: 6,
                 lineStyle: k === "五未" ? { type: "dashed", width: 2 } : { width: 2 } };
      })
    }));
  }

  /* ---- Huzhou: districts coloured by a measure, zones, parks and platforms ---- */
  function drawHuzhou(geo, measure) {
    var h = data.huzhou;
    var m = h.measures[measure];
    var cp = {};
    geo.features.forEach(function (f) { cp[f.properties.name] = f.properties.cp; });
    var districts = geo.features.map(function (f) { return f.properties.name; });
    var values = h.values[measure];
    var max = Math.max.apply(null, districts.map(function (d) { return values[d] || 0; }).concat([1]));
    var zones = h.zones.map(function (z, i) {
      var xs = z.overlaps.filter(function (o) { return cp[o]; }).map(function (o) { return cp[o]; });
      var at = xs.length ? [xs.reduce(function (a, p) { return a + p[0]; }, 0) / xs.length,
                            xs.reduce(function (a, p) { return a + p[1]; }, 0) / xs.length + 0.08 - 0.02 * i]
                         : [120.1, 30.95 - 0.1 * i];
      cp[z.name] = at;
      return { name: z.name, value: at.concat([values[z.name] || 0]), overlaps: z.overlaps };
    });
    var placed = {};
    function around(region) {
      var base = cp[region];
      if (!base) return null;
      var n = placed[region] = (placed[region] || 0) + 1;
      var a = n * 2.4, r = 0.035 + 0.012 * Math.floor(n / 6);
      return [base[0] + r * Math.cos(a), base[1] + r * Math.sin(a) * 0.85];
    }
    function points(kind) {
      return h.points.filter(function (p) { return p.kind === kind; }).map(function (p) {
        var at = p.at || around(p.region);
        return at && { name: p.name, value: at, region: p.region, detail: p.detail, recorded: !!p.at };
      }).filter(Boolean);
    }
    var c = charts["map-huzhou"] || chart("map-huzhou");
    c.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var e = echarts.format.encodeHTML;
          if (p.seriesType === "map") return e(p.name) + "<br>" + m.label + "：" + fmt(p.value) + " " + m.unit;
          if (p.seriesName === "功能区") return e(p.name) + "（功能区，与" + e(p.data.overlaps.join("、")) + "重叠）<br>" + m.label + "：" + fmt(p.data.value[2]) + " " + m.unit;
          return e(p.name) + "<br>" + p.seriesName + (p.data.region ? " · " + e(p.data.region) : "") + (p.data.detail ? " · " + e(p.data.detail) : "") + "<br><span class='tip-muted'>" + (p.data.recorded ? "位置为记录的坐标" : "位置按所在区县示意") + "</span>";
        }
      },
      legend: { data: ["功能区", "园区", "平台"], bottom: 0 },
      visualMap: Object.assign(scale(m.unit, m.unit === "家" || m.unit === "个"), { min: 0, max: max, left: 0, top: 0,
                   inRange: { color: ["#e6f6ff", "#1f6fb2"] }, seriesIndex: 0, itemHeight: 90 }),
      geo: { map: "huzhou", roam: true, top: 10, bottom: 30, label: { show: true, color: "#102a43" },
             itemStyle: { borderColor: "#fff" } },
      series: [
        { name: m.label, type: "map", geoIndex: 0, data: districts.map(function (d) { return { name: d, value: values[d] || 0 }; }) },
        { name: "功能区", type: "scatter", coordinateSystem: "geo", symbol: "diamond", symbolSize: 16,
          itemStyle: { color: "#f0b429", borderColor: "#8d2b0b", borderWidth: 1 },
          label: { show: true, position: "top", formatter: function (p) { return p.name + " " + fmt(p.value[2]); }, color: "#8d2b0b", fontWeight: "bold", textBorderColor: "#fff", textBorderWidth: 2 },
          data: zones, z: 4 },
        { name: "园区", type: "scatter", coordinateSystem: "geo", symbol: "circle", symbolSize: 9,
          itemStyle: { color: "#3ebd93", borderColor: "#fff" }, data: points("园区"), z: 3 },
        { name: "平台", type: "scatter", coordinateSystem: "geo", symbol: "triangle", symbolSize: 11,
          itemStyle: { color: "#9446ed", borderColor: "#fff" }, data: points("平台"), z: 3 }
      ]
    }, true);
  }

  /* ---- China: a chain's target firms by province ---- */
  function provinceOf(region, provinces, cities) {
    if (!region) return null;
    if (provinces.indexOf(region) >= 0) return region;
    if (cities[region]) return cities[region];
    if (region === "湖州市" || data.home_area.indexOf(region) >= 0) return "浙江省";
    for (var n = 3; n >= 2; n--) {
      var hit = provinces.filter(function (p) { return p.slice(0, n) === region.slice(0, n); });
      if (hit.length === 1) return hit[0];
    }
    return null;
  }

  function drawChina(geo, cities) {
    var t = data.china;
    if (!t) return;
    var sea = geo.features.filter(function (f) { return f.geometry.type.indexOf("Line") >= 0; });
    var land = geo.features.filter(function (f) { return f.geometry.type.indexOf("Line") < 0; });
    // not named "china": ECharts would add its own 南海诸岛 inset box to a map of that name,
    // and these boundaries already draw the South China Sea in place
    echarts.registerMap("china-provinces", { type: "FeatureCollection", features: land });
    var provinces = land.map(function (f) { return f.properties.name; });
    var counts = {}, names = {}, unknown = 0;
    t.firms.forEach(function (f) {
      var p = provinceOf(f.region, provinces, cities);
      if (!p) { unknown++; return; }
      counts[p] = (counts[p] || 0) + 1;
      (names[p] = names[p] || []).push(f.name);
    });
    var max = Math.max.apply(null, Object.keys(counts).map(function (k) { return counts[k]; }).concat([1]));
    var lines = [];
    sea.forEach(function (f) {
      var g = f.geometry;
      (g.type === "LineString" ? [g.coordinates] : g.coordinates).forEach(function (l) { lines.push({ coords: l }); });
    });
    var c = chart("map-china");
    c.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          if (p.seriesType !== "map") return "";
          var e = echarts.format.encodeHTML, list = names[p.name] || [];
          return e(p.name) + "：目标企业 " + (counts[p.name] || 0) + " 家" +
            (list.length ? "<br>" + e(list.slice(0, 8).join("、")) + (list.length > 8 ? " 等" : "") : "");
        }
      },
      visualMap: Object.assign(scale("家", true), { min: 0, max: max, left: 0, bottom: 0,
                   inRange: { color: ["#fffbea", "#f0b429", "#cb6e17"] }, seriesIndex: 0, itemHeight: 90 }),
      geo: { map: "china-provinces", roam: true, top: 10, bottom: 10, itemStyle: { borderColor: "#9fb3c8", areaColor: "#f5f7fa" } },
      series: [
        { name: "目标企业", type: "map", geoIndex: 0, data: provinces.map(function (p) { return { name: p, value: counts[p] || 0 }; }) },
        { name: "海上边界", type: "lines", coordinateSystem: "geo", polyline: true, silent: true,
          lineStyle: { color: "#627d98", width: 1 }, data: lines }
      ]
    });
    var note = document.getElementById("china-unknown");
    if (note && unknown) note.textContent = "另有 " + unknown + " 家所在地不明，未上图。";
  }

  function ready() {
    window.chainatlasDash = { charts: charts };
    requestAnimationFrame(function () { requestAnimationFrame(function () { document.body.dataset.ready = "1"; }); });
  }

  function getJSON(name) {
    return fetch(GEO + name, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("边界文件 " + name + " 载入失败：" + r.status);
      return r.json();
    });
  }

  drawProgress("1366");
  document.querySelectorAll("input[name=layout]").forEach(function (el) {
    el.addEventListener("change", function () { if (el.checked) drawProgress(el.value); });
  });
  stacked("chart-stages", data.districts.stages, data.districts.districts);
  stacked("chart-stalls", data.districts.stalls, data.districts.districts);
  drawTrend();
  var sel = document.getElementById("china-chain");
  if (sel) sel.addEventListener("change", function () { document.getElementById("china-form").submit(); });
  Promise.all([getJSON("huzhou.json"), getJSON("china.json"), getJSON("cities.json")]).then(function (g) {
    echarts.registerMap("huzhou", g[0]);
    var measure = document.getElementById("measure");
    drawHuzhou(g[0], measure.value);
    measure.addEventListener("change", function () { drawHuzhou(g[0], measure.value); });
    drawChina(g[1], g[2]);
    ready();
  }).catch(function (err) {
    document.querySelectorAll(".chart.map").forEach(function (el) {
      el.textContent = "地图未能绘制：" + err.message;
      el.classList.add("err");
    });
    ready();
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    var on = document.querySelector("input[name=layout]:checked");
    drawProgress(on ? on.value : "1366");  // the labels' place depends on the width
  });
})();
