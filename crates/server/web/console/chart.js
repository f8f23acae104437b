// chart.js: the consoles' small SVG charts, drawn here (no library, nothing fetched).
//
//   import { lineChart, barChart } from "/console/chart.js";
//   lineChart(svg, { series: [{ name: "Orders", points: [[t, v], …], axis: "left" },
//                             { name: "GMV (CNY)", points: [[t, v], …], axis: "right" }],
//                    formatLeft: (v) => …, formatRight: (v) => …, formatX: (t) => … });
//   barChart(svg, [{ label: "KZ", value: 141.72, text: "¥141.72" }, …]);
//
// `svg` is an <svg> element with a viewBox-less box; the chart fills its client size. Styles
// come from console.css (.chart-*), never from style attributes (the pages' CSP).

const NS = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function clear(svg) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
}

function size(svg, fallbackW, fallbackH, minH = 120) {
  const box = svg.getBoundingClientRect();
  const w = Math.max(240, Math.round(box.width) || fallbackW);
  const h = Math.max(minH, Math.round(box.height) || fallbackH);
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  return [w, h];
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// Step lines of cumulative figures over time, up to two value axes.
export function lineChart(svg, { series, formatLeft = String, formatRight = String, formatX = String, empty = "" }) {
  clear(svg);
  const [w, h] = size(svg, 600, 220);
  const pad = { l: 48, r: 64, t: 12, b: 28 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    svg.appendChild(el("text", { x: w / 2, y: h / 2, "text-anchor": "middle", class: "chart-empty" }, empty));
    return;
  }
  let t0 = Math.min(...all.map((p) => p[0]));
  let t1 = Math.max(...all.map((p) => p[0]));
  if (t1 - t0 < 60000) t1 = t0 + 60000;
  const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * (w - pad.l - pad.r);
  const maxOf = (axis) => niceMax(Math.max(0, ...series.filter((s) => s.axis === axis).flatMap((s) => s.points.map((p) => p[1]))));
  const max = { left: Math.max(4, maxOf("left")), right: maxOf("right") };
  const y = (v, axis) => h - pad.b - (v / max[axis]) * (h - pad.t - pad.b);
  for (let i = 0; i <= 4; i += 1) {
    const yy = pad.t + (i * (h - pad.t - pad.b)) / 4;
    svg.appendChild(el("line", { x1: pad.l, x2: w - pad.r, y1: yy, y2: yy, class: "chart-grid" }));
    svg.appendChild(el("text", { x: pad.l - 6, y: yy + 4, "text-anchor": "end", class: "chart-axis chart-left" }, formatLeft(max.left * (1 - i / 4))));
    svg.appendChild(el("text", { x: w - pad.r + 6, y: yy + 4, class: "chart-axis chart-right" }, formatRight(max.right * (1 - i / 4))));
  }
  svg.appendChild(el("text", { x: pad.l, y: h - 8, class: "chart-axis" }, formatX(t0)));
  svg.appendChild(el("text", { x: w - pad.r, y: h - 8, "text-anchor": "end", class: "chart-axis" }, formatX(t1)));
  series.forEach((s, i) => {
    if (!s.points.length) return;
    let d = `M${x(t0).toFixed(1)},${y(0, s.axis).toFixed(1)}`;
    for (const [t, v] of s.points) {
      d += ` H${x(t).toFixed(1)} V${y(v, s.axis).toFixed(1)}`;
    }
    d += ` H${x(t1).toFixed(1)}`;
    const path = el("path", { d, class: `chart-line chart-series-${i}` });
    path.appendChild(el("title", {}, s.name));
    svg.appendChild(path);
  });
}

// Horizontal bars, one per row: label, bar, value text.
export function barChart(svg, rows, { empty = "" } = {}) {
  clear(svg);
  const rowH = 30;
  svg.style.height = `${Math.max(60, rows.length * rowH + 8)}px`;
  const [w, h] = size(svg, 480, Math.max(60, rows.length * rowH + 8), 40);
  if (rows.length === 0) {
    svg.appendChild(el("text", { x: w / 2, y: h / 2, "text-anchor": "middle", class: "chart-empty" }, empty));
    return;
  }
  const labelW = 56;
  const textW = 110;
  const max = Math.max(...rows.map((r) => r.value), 0) || 1;
  rows.forEach((r, i) => {
    const top = 4 + i * rowH;
    const barW = Math.max(2, (r.value / max) * (w - labelW - textW - 8));
    svg.appendChild(el("text", { x: 0, y: top + 19, class: "chart-label" }, r.label));
    const bar = el("rect", { x: labelW, y: top + 4, width: barW.toFixed(1), height: rowH - 10, rx: 3, class: "chart-bar" });
    bar.appendChild(el("title", {}, `${r.label}: ${r.text}`));
    svg.appendChild(bar);
    svg.appendChild(el("text", { x: labelW + barW + 6, y: top + 19, class: "chart-value" }, r.text));
  });
}
