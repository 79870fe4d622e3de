// The monthly figures chart (ECharts); data from the page's json_script #figures-data. A static file: the
// Content-Security-Policy allows no inline script.
(function () {
  var el = document.getElementById("figures-chart");
  if (!window.echarts || !el) { return; }
  var data = JSON.parse(document.getElementById("figures-data").textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {data: [data.labels.whistles, data.labels.response_rate, data.labels.resolution_rate]},
    grid: {left: 40, right: 40, bottom: 60},
    xAxis: {type: "category", data: data.names, axisLabel: {interval: 0, rotate: data.names.length > 6 ? 30 : 0}},
    yAxis: [{type: "value", name: data.labels.whistles, minInterval: 1}, {type: "value", name: "%", max: 100}],
    series: [
      {name: data.labels.whistles, type: "bar", data: data.whistles},
      {name: data.labels.response_rate, type: "bar", yAxisIndex: 1, data: data.response_rate},
      {name: data.labels.resolution_rate, type: "bar", yAxisIndex: 1, data: data.resolution_rate}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
