// The monthly figures chart (ECharts); data from the page's json_script #figures-data. A static file: the
// Content-Security-Policy allows no inline script.
(function () {
  var el = document.getElementById("figures-chart");
  if (!window.echarts || !el) { return; }
  var data = JSON.parse(document.getElementById("figures-data").textContent);
  var chart = echarts.init(el);
  // The legend sits below the chart and the plot area keeps room for the axis names and labels
  // (containLabel), so the legend never covers the axis names at the top; long names turn on narrow screens.
  var turn = data.names.length > 6 || el.clientWidth < 600;
  // On a phone there are ~20 px per name: upright names, cut to a few characters (the table below has them whole).
  var narrow = el.clientWidth < 600 && data.names.length > 4;
  var common = data.names.length > 1 ? data.names.reduce(function (a, b) {
    var i = 0; while (i < a.length && a[i] === b[i]) { i += 1; } return a.slice(0, i);
  }) : "";  // e.g. the county's name before every department's
  function shorten(name) {
    if (!narrow) { return name; }
    if (common && name.length > common.length) { name = name.slice(common.length); }
    return name.length > 6 ? name.slice(0, 5) + "…" : name;
  }
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {type: "scroll", bottom: 0, data: [data.labels.whistles, data.labels.response_rate, data.labels.resolution_rate]},
    grid: {left: 56, right: 8, top: 48, bottom: 36, containLabel: true},
    xAxis: {type: "category", data: data.names, axisLabel: {interval: 0, rotate: narrow ? 90 : (turn ? 40 : 0),
                                                                   hideOverlap: false, formatter: shorten}},
    yAxis: [{type: "value", name: data.labels.whistles, minInterval: 1, nameGap: 16},
            {type: "value", name: "%", max: 100, nameGap: 16}],
    series: [
      {name: data.labels.whistles, type: "bar", data: data.whistles},
      {name: data.labels.response_rate, type: "bar", yAxisIndex: 1, data: data.response_rate},
      {name: data.labels.resolution_rate, type: "bar", yAxisIndex: 1, data: data.resolution_rate}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
