// Statistics from the contact diary: a period picker, export downloads and charts. The API
// answers aggregated, suppressed tables only; a hidden cell keeps its mark ("<5", "..").
// Every chart has a text alternative: an aria-label summary and the full table under it.
import { COLORS, barChart, hBarChart, heatMap } from "./charts.js";
import { api, el, errorLine, errorText, field, fill, heading, input, select } from "./shared.js";

const GRANULARITIES = [["week", "Viikko"], ["month", "Kuukausi"], ["quarter", "Neljännesvuosi"], ["year", "Vuosi"]];
const LANGS = [["fi", "suomi"], ["sv", "ruotsi"], ["en", "englanti"]];
const FORMATS = [["csv", "CSV"], ["xlsx", "Excel (XLSX)"], ["json", "JSON"]];
const view = { main: null, params: null, report: null, error: "" };

function defaultParams() {
  const today = new Date();
  const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return { start: `${today.getFullYear()}-01-01`, end: iso(today), granularity: "month", lang: "fi" };
}

export async function showStatistics(main) {
  view.main = main;
  view.params ||= defaultParams();
  await load();
}

async function load() {
  try {
    view.report = await api(`/api/statistics?${new URLSearchParams(view.params)}`);
    view.error = "";
  } catch (error) {
    view.report = null;
    view.error = errorText(error);
  }
  render();
}

function render(focusId) {
  fill(view.main, heading("Tilastot", "statistics-title"), periodForm(), downloads(), errorLine("statistics-error", view.error), view.report ? reportView(view.report) : null);
  if (focusId) document.getElementById(focusId)?.focus();
}

function periodForm() {
  const p = view.params;
  return el(
    "form",
    { id: "period-form", class: "panel toolbar", onsubmit: applyPeriod, onchange: updateDownloads, "aria-label": "Tilastojen jakso" },
    field("Alkaen", input("stat-start", { type: "date", value: p.start, required: true })),
    field("Päättyen", input("stat-end", { type: "date", value: p.end, required: true })),
    field("Jako", select("stat-granularity", GRANULARITIES, p.granularity)),
    field("Taulukoiden kieli", select("stat-lang", LANGS, p.lang)),
    el("button", { type: "submit", class: "primary", id: "stat-show", text: "Näytä" }),
  );
}

function formParams() {
  const value = (id) => document.getElementById(id).value;
  return { start: value("stat-start"), end: value("stat-end"), granularity: value("stat-granularity"), lang: value("stat-lang") };
}

function applyPeriod(event) {
  event.preventDefault();
  view.params = formParams();
  load().then(() => document.getElementById("stat-show")?.focus());
}

function exportUrl(params, format) {
  return `/api/statistics/export?${new URLSearchParams({ ...params, format })}`;
}

// The downloads follow the form as it is now, also before "Näytä" is pressed.
function updateDownloads() {
  const params = formParams();
  for (const [format] of FORMATS) document.getElementById(`export-${format}`).href = exportUrl(params, format);
}

function downloads() {
  const links = FORMATS.map(([format, label]) =>
    el("a", { class: "button", id: `export-${format}`, href: exportUrl(view.params, format), download: "", text: `Lataa ${label}` }),
  );
  return el("div", { class: "downloads", role: "group", "aria-label": "Lataa tilastot tiedostona" }, ...links);
}

// --- the report -----------------------------------------------------------------------------

function tableNamed(report, name) {
  return report.tables.find((t) => t.name === name);
}

function reportView(report) {
  const contacts = tableNamed(report, "contacts");
  const periods = contacts.columns.map((c) => c.label);
  const shown = new Set(["contacts", "weekday_hour", "concern_primary", "referral"]);
  return el(
    "div",
    { id: "report" },
    el("p", { class: "note", text: report.note }),
    el("p", { id: "total-contacts", text: `Yhteydenottoja jaksolla ${fiDate(report.start)}–${fiDate(report.end)}: ${contacts.totals.total.display}. Sama nuori voi olla yhteydessä monta kertaa; ihmisiä ei lasketa.` }),
    el(
      "div",
      { class: "charts" },
      figure("chart-volume", "Yhteydenotot jaksoittain", barChart({ categories: periods, series: [{ name: "Yhteydenotot", cells: contacts.totals.cells }], label: summary("Yhteydenotot jaksoittain", periods, contacts.totals.cells) }), reportTable(contacts)),
      figure(
        "chart-answered",
        "Vastatut ja vastaamatta jääneet",
        barChart({ categories: periods, series: contacts.rows.map((r) => ({ name: r.label, cells: r.cells })), label: `Vastatut ja vastaamatta jääneet jaksoittain. Koko jaksolla: ${contacts.rows.map((r) => `${r.label} ${r.total.display}`).join(", ")}.` }),
        reportTable(contacts),
        contacts.rows.map((r) => r.label),
      ),
      waitingFigure(report.times),
      figure("chart-concerns", tableNamed(report, "concern_primary").title, codeBars(tableNamed(report, "concern_primary")), reportTable(tableNamed(report, "concern_primary"))),
      figure("chart-referrals", tableNamed(report, "referral").title, codeBars(tableNamed(report, "referral")), reportTable(tableNamed(report, "referral"))),
      report.feedback ? feedbackFigure(report.feedback) : null,
      figure("chart-heatmap", "Viikonpäivä ja kellonaika", heatMapOf(tableNamed(report, "weekday_hour")), reportTable(tableNamed(report, "weekday_hour")), null, true),
    ),
    el("h3", { text: "Muut taulukot" }),
    ...report.tables.filter((t) => !shown.has(t.name)).map((t) => el("details", { class: "panel" }, el("summary", { text: t.title }), el("div", { class: "table-wrap" }, reportTable(t)))),
  );
}

function fiDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${d}.${m}.${y}`;
}

function summary(title, labels, cells) {
  return `${title}: ${labels.map((l, i) => `${l} ${cells[i].display}`).join(", ")}.`;
}

function figure(id, title, chart, table, legend, wide) {
  const legendNode = legend
    ? el("div", { class: "chart-legend", "aria-hidden": "true" }, ...legend.map((name, i) => {
        const swatch = el("span", { class: "swatch" });
        swatch.style.background = COLORS[i % COLORS.length];
        return el("span", {}, swatch, name);
      }))
    : null;
  return el(
    "figure",
    { id, class: wide ? "wide" : null, "aria-labelledby": `${id}-title` },
    el("figcaption", { id: `${id}-title`, text: title }),
    legendNode,
    el("div", { class: "table-wrap" }, chart),
    el("details", {}, el("summary", { text: "Näytä taulukkona" }), el("div", { class: "table-wrap" }, table)),
  );
}

function codeBars(table) {
  const rows = table.rows.map((r) => ({ label: r.label, cell: r.total }));
  return hBarChart({ rows, label: `${table.title}, koko jakso: ${rows.map((r) => `${r.label} ${r.cell.display}`).join(", ")}.` });
}

function heatMapOf(table) {
  const cells = table.rows.flatMap((r) => r.cells.map((c, j) => ({ label: `${r.label} klo ${table.columns[j].label}`, value: c.value ?? -1, display: c.display })));
  const busiest = cells.filter((c) => c.value > 0).sort((a, b) => b.value - a.value).slice(0, 3);
  const label = `Yhteydenotot viikonpäivän ja kellonajan mukaan. ${busiest.length ? `Eniten: ${busiest.map((c) => `${c.label} (${c.display})`).join(", ")}.` : "Ei näytettäviä lukuja."} Koko taulukko alla.`;
  return heatMap({ rows: table.rows, columns: table.columns, label });
}

// Waiting times per period: median and 90th percentile in minutes (null: fewer than five).
function waitingFigure(times) {
  const periods = times.columns.map((c) => c.label);
  const rowOf = (code) => times.rows.find((r) => r.code === code);
  const asCells = (row) => row.values.map((v) => ({ value: v, display: v === null ? "–" : minutes(v) }));
  const series = [rowOf("wait_median"), rowOf("wait_p90")].map((r) => ({ name: r.label, cells: asCells(r).slice(0, -1) }));
  const label = `Odotusaika minuutteina jaksoittain. ${series.map((s) => `${s.name}: ${periods.slice(0, -1).map((p, i) => `${p} ${s.cells[i].display}`).join(", ")}`).join(". ")}.`;
  const table = el(
    "table",
    {},
    el("caption", { text: "Odotus- ja keskusteluajat, minuuttia (– = alle viisi chattia)" }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Mittari" }), ...periods.map((p) => el("th", { scope: "col", class: "num", text: p })))),
    el("tbody", {}, ...times.rows.map((r) => el("tr", {}, el("th", { scope: "row", text: r.label }), ...r.values.map((v) => el("td", { class: "num", text: v === null ? "–" : minutes(v) }))))),
  );
  return figure("chart-waiting", "Odotusaika (mediaani ja 90 %)", barChart({ categories: periods.slice(0, -1), series, label, unit: "min" }), table, series.map((s) => s.name));
}

// The youth's "did this help?" answers over the whole period (no periods, no total).
function feedbackFigure(feedback) {
  const rows = feedback.rows.map((r) => ({ label: r.label, cell: r }));
  const table = el(
    "table",
    {},
    el("caption", { text: feedback.title }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Vastaus" }), el("th", { scope: "col", class: "num", text: "Lukumäärä" }))),
    el("tbody", {}, ...feedback.rows.map((r) => el("tr", {}, el("th", { scope: "row", text: r.label }), el("td", { class: "num", text: r.display })))),
  );
  const label = `${feedback.title}, koko jakso: ${feedback.rows.map((r) => `${r.label} ${r.display}`).join(", ")}.`;
  return figure("chart-feedback", feedback.title, hBarChart({ rows, label }), table);
}

function minutes(value) {
  return String(value).replace(".", ",");
}

// One API table as an HTML table: the category down, the periods across, totals last.
export function reportTable(table) {
  const hasTotal = table.rows.some((r) => r.total);
  const totalLabel = table.totals?.label || "Yhteensä";
  const head = el("tr", {}, el("th", { scope: "col", text: table.row_header }), ...table.columns.map((c) => el("th", { scope: "col", class: "num", text: c.label })), hasTotal ? el("th", { scope: "col", class: "num", text: totalLabel }) : null);
  const line = (label, cells, total) =>
    el("tr", {}, el("th", { scope: "row", text: label }), ...cells.map((c) => el("td", { class: "num", text: c.display })), total ? el("td", { class: "num", text: total.display }) : null);
  return el(
    "table",
    { "data-table": table.name },
    el("caption", { text: table.title }),
    el("thead", {}, head),
    el("tbody", {}, ...table.rows.map((r) => line(r.label, r.cells, r.total))),
    table.totals ? el("tfoot", {}, line(table.totals.label, table.totals.cells, table.totals.total)) : null,
  );
}
