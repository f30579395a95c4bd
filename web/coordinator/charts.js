// Small SVG charts built with createElementNS (no library, no markup strings). A cell is the
// API's {value, display, hidden}: a hidden one (value null, display "<5" or "..") is drawn as
// its mark, never as a bar, so nobody reads a number into it.
const NS = "http://www.w3.org/2000/svg";
const FONT = 12;

export const COLORS = ["#23517a", "#c26a00", "#6b7485", "#2e7d4f"];

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function frame(width, height, label, extraClass) {
  const node = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: extraClass, preserveAspectRatio: "xMinYMin meet" });
  // a long series (weeks) keeps its natural size and the wrapper scrolls sideways
  if (width > 800) node.style.width = `${width}px`;
  return node;
}

// The top of the axis: four equal ticks of a round step (1, 2 or 5 times a power of ten).
function niceMax(max) {
  if (max <= 0) return 4;
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return 4 * step * power;
  return 40 * power;
}

function axisY(root, { left, top, height, width, max, unit }) {
  // as many decimals as the step needs (a step of 0,05 shows 0,05 / 0,1 / 0,15, not 0,1 twice)
  const step = max / 4;
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)); // steps are 1, 2 or 5 × 10^k
  for (let i = 0; i <= 4; i += 1) {
    const value = step * i;
    const y = top + height - (height * i) / 4;
    root.append(svg("line", { x1: left, x2: left + width, y1: y, y2: y, stroke: i ? "#e3e6ec" : "#8a92a0" }));
    const label = value.toLocaleString("fi-FI", { maximumFractionDigits: decimals });
    root.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": FONT, fill: "#555c6b" }, label));
  }
  if (unit) root.append(svg("text", { x: left - 6, y: top - 8, "text-anchor": "end", "font-size": FONT, fill: "#555c6b" }, unit));
}

// Grouped vertical bars: one group per category, one bar per series.
// series: [{name, cells: [{value, display}]}]; categories: labels.
export function barChart({ categories, series, label, unit }) {
  const left = 48;
  const top = 24;
  const plotH = 180;
  // few categories spread over the chart; many make it wider (the wrapper scrolls)
  const plotW = Math.max(460, categories.length * (series.length * 14 + 12));
  const groupWidth = plotW / Math.max(1, categories.length);
  const width = left + plotW + 10;
  const height = top + plotH + 44;
  const root = frame(width, height, label);
  const values = series.flatMap((s) => s.cells.map((c) => c.value ?? 0));
  const max = niceMax(Math.max(0, ...values));
  axisY(root, { left, top, height: plotH, width: plotW, max, unit });
  const barW = Math.min(48, (groupWidth * 0.7) / series.length);
  const every = Math.ceil(categories.length / Math.floor(plotW / 64));
  const showValues = categories.length * series.length <= 36;
  categories.forEach((category, i) => {
    const x0 = left + i * groupWidth + (groupWidth - barW * series.length) / 2;
    series.forEach((s, j) => {
      const cell = s.cells[i];
      const x = x0 + j * barW;
      const base = top + plotH;
      if (cell.value === null || cell.value === undefined) {
        root.append(svg("text", { x: x + barW / 2, y: base - 4, "text-anchor": "middle", "font-size": FONT - 1, fill: "#555c6b", "font-style": "italic" }, cell.display));
        return;
      }
      const h = (cell.value / max) * plotH;
      const bar = svg("rect", { x: x + 1, y: base - h, width: Math.max(1, barW - 2), height: h, fill: COLORS[j % COLORS.length] });
      bar.append(svg("title", {}, `${category}, ${s.name}: ${cell.display}`));
      root.append(bar);
      if (showValues && cell.value > 0) root.append(svg("text", { x: x + barW / 2, y: base - h - 3, "text-anchor": "middle", "font-size": FONT - 1, fill: "#1d2330" }, cell.display));
    });
    if (i % every === 0) root.append(svg("text", { x: left + (i + 0.5) * groupWidth, y: top + plotH + 16, "text-anchor": "middle", "font-size": FONT, fill: "#1d2330" }, category));
  });
  return root;
}

// The width of a text in the charts' font, measured on a canvas (an estimate without one).
let measurer;
function textWidth(text) {
  if (measurer === undefined) {
    measurer = document.createElement("canvas").getContext("2d");
    const family = getComputedStyle(document.documentElement).fontFamily || "sans-serif";
    if (measurer) measurer.font = `${FONT}px ${family}`;
  }
  return measurer ? measurer.measureText(text).width : text.length * FONT * 0.6;
}

// The text cut at its END to fit maxWidth, with "…" (its beginning is what names it).
function ellipsise(text, maxWidth) {
  if (textWidth(text) <= maxWidth) return text;
  let end = text.length - 1;
  while (end > 1 && textWidth(`${text.slice(0, end).trimEnd()}…`) > maxWidth) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
}

// A label as at most maxLines lines no wider than maxWidth: broken between words, the last
// line (or a single word too long for a line) ellipsised at its end.
export function fitLabel(text, maxWidth, maxLines = 2) {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines = [];
  let current = "";
  let i = 0;
  while (i < words.length && lines.length < maxLines - 1) {
    const candidate = current ? `${current} ${words[i]}` : words[i];
    if (current && textWidth(candidate) > maxWidth) {
      lines.push(current);
      current = "";
    } else {
      current = candidate;
      i += 1;
    }
  }
  const rest = [current, ...words.slice(i)].filter(Boolean).join(" ");
  if (rest) lines.push(rest);
  return lines.map((line) => ellipsise(line, maxWidth));
}

// Horizontal bars, one per row (for code lists with long labels). A long label wraps to a
// second line and is cut at its end, never at its start (review finding 9).
export function hBarChart({ rows, label }) {
  const labelW = 230;
  const plotW = 300;
  const lineH = 14;
  const top = 6;
  const width = labelW + plotW + 50;
  const fitted = rows.map((row) => fitLabel(row.label, labelW - 12));
  const heights = fitted.map((lines) => Math.max(22, lines.length * lineH + 8));
  const height = top + heights.reduce((a, b) => a + b, 0) + 6;
  const root = frame(width, height, label);
  const max = niceMax(Math.max(0, ...rows.map((r) => r.cell.value ?? 0)));
  let y = top;
  rows.forEach((row, i) => {
    const rowH = heights[i];
    const lines = fitted[i];
    const middle = y + rowH / 2;
    const name = svg("text", { x: labelW - 8, y: middle + 4 - ((lines.length - 1) * lineH) / 2, "text-anchor": "end", "font-size": FONT, fill: "#1d2330", class: "row-label" });
    lines.forEach((line, k) => name.append(svg("tspan", { x: labelW - 8, dy: k ? lineH : 0 }, line)));
    if (lines.join(" ") !== row.label) name.append(svg("title", {}, row.label));
    root.append(name);
    y += rowH;
    if (row.cell.value === null || row.cell.value === undefined) {
      root.append(svg("text", { x: labelW + 4, y: middle + 4, "font-size": FONT, fill: "#555c6b", "font-style": "italic" }, row.cell.display));
      return;
    }
    const w = (row.cell.value / max) * plotW;
    const bar = svg("rect", { x: labelW, y: middle - 8, width: Math.max(0, w), height: 16, fill: COLORS[0] });
    bar.append(svg("title", {}, `${row.label}: ${row.cell.display}`));
    root.append(bar);
    root.append(svg("text", { x: labelW + w + 4, y: middle + 4, "font-size": FONT, fill: "#1d2330" }, row.cell.display));
  });
  root.append(svg("line", { x1: labelW, x2: labelW, y1: top, y2: height - 6, stroke: "#8a92a0" }));
  return root;
}

function shade(ratio) {
  const from = [243, 246, 250];
  const to = [35, 81, 122];
  const mix = from.map((c, k) => Math.round(c + (to[k] - c) * ratio));
  return `rgb(${mix.join(",")})`;
}

// Weekday × hour heat map: rows are weekdays, columns hours; each cell shows its display.
export function heatMap({ rows, columns, label }) {
  const left = 34;
  const top = 20;
  const cell = 30;
  const width = left + columns.length * cell + 4;
  const height = top + rows.length * cell + 4;
  const root = frame(width, height, label, "heatmap");
  const max = Math.max(1, ...rows.flatMap((r) => r.cells.map((c) => c.value ?? 0)));
  columns.forEach((column, j) => {
    if (j % 2 === 0) root.append(svg("text", { x: left + j * cell + 2, y: top - 6, "font-size": FONT - 1, fill: "#555c6b" }, column.label.slice(0, 2)));
  });
  rows.forEach((row, i) => {
    const y = top + i * cell;
    root.append(svg("text", { x: left - 6, y: y + cell / 2 + 4, "text-anchor": "end", "font-size": FONT, fill: "#1d2330" }, row.label));
    row.cells.forEach((c, j) => {
      const x = left + j * cell;
      const hidden = c.value === null || c.value === undefined;
      const ratio = hidden ? 0 : c.value / max;
      const rect = svg("rect", { x: x + 1, y: y + 1, width: cell - 2, height: cell - 2, rx: 3, fill: hidden ? "#d9dde4" : shade(ratio) });
      rect.append(svg("title", {}, `${row.label} ${columns[j].label}: ${c.display}`));
      root.append(rect);
      if (c.value !== 0) {
        root.append(svg("text", { x: x + cell / 2, y: y + cell / 2 + 4, "text-anchor": "middle", "font-size": FONT - 2, fill: ratio > 0.55 ? "#fff" : "#1d2330" }, c.display));
      }
    });
  });
  return root;
}
