// The diary's code lists: one list at a time with its Finnish, Swedish and English labels;
// add a code, rename its labels, retire or restore it. Also how many diary forms wait.
import { announce, api, button, el, errorLine, errorText, field, fill, heading, input, okLine, select, send } from "./shared.js";

const DIMENSIONS = [
  ["concern", "Huolenaiheet"],
  ["referral", "Ohjaukset"],
  ["contact_type", "Yhteydenoton laji"],
  ["outcome", "Miten chat päättyi"],
  ["caller", "Kuka otti yhteyttä"],
  ["age_band", "Ikäryhmä"],
  ["concern_level", "Huolen taso"],
  ["emergency_action", "Kiireelliset toimet"],
  ["referral_how", "Ohjauksen tapa"],
];
// The rules depend on these lists: labels may change, codes may not be added (domain/taxonomy.py).
const FIXED = new Set(["concern_level", "referral_how"]);
const LANGS = [["fi", "Suomi"], ["sv", "Ruotsi"], ["en", "Englanti"]];
const view = { main: null, dimension: "concern", terms: [], pending: null, editing: null, error: "", addError: "", done: "" };

export async function showTaxonomy(main) {
  view.main = main;
  view.editing = null;
  view.error = view.addError = view.done = "";
  await reload();
}

async function reload() {
  const [terms, pending] = await Promise.all([api("/api/diary/taxonomy"), api("/api/diary/pending/count")]);
  view.terms = terms;
  view.pending = pending.count;
  render();
}

function render(focusId) {
  fill(
    view.main,
    heading("Päiväkirjan luokitus", "taxonomy-title"),
    el("p", { id: "pending-count", class: view.pending ? "note" : "muted", text: `Täyttämättömiä päiväkirjalomakkeita: ${view.pending}.` }),
    el("p", { class: "muted", text: "Poistettu koodi ei näy uusissa lomakkeissa, mutta vanhat merkinnät säilyttävät sen. Koodia ei voi poistaa kokonaan." }),
    el("div", { class: "toolbar" }, field("Luettelo", select("taxonomy-dimension", DIMENSIONS, view.dimension, { onchange: changeDimension }))),
    okLine("taxonomy-done", view.done),
    termTable(),
    FIXED.has(view.dimension) ? el("p", { class: "muted", text: "Tähän luetteloon ei voi lisätä koodeja, koska kirjaamisen säännöt käyttävät sitä. Nimiä voi muuttaa." }) : addForm(),
  );
  if (focusId) document.getElementById(focusId)?.focus();
}

function changeDimension(event) {
  view.dimension = event.target.value;
  view.editing = null;
  view.error = view.addError = view.done = "";
  render("taxonomy-dimension");
}

function termTable() {
  const terms = view.terms.filter((t) => t.dimension === view.dimension);
  const rows = terms.map((t) => (view.editing === t.code ? editRow(t) : termRow(t)));
  const title = DIMENSIONS.find(([d]) => d === view.dimension)[1];
  return el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      { id: "terms" },
      el("caption", { text: title }),
      el("thead", {}, el("tr", {}, ...["Koodi", "Suomi", "Ruotsi", "Englanti", "Tila", "Toiminnot"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows),
    ),
    errorLine("taxonomy-error", view.error),
  );
}

function termRow(t) {
  const name = t.labels.fi || t.code;
  return el(
    "tr",
    { "data-code": t.code, class: t.retired ? "inactive" : "" },
    el("th", { scope: "row", text: t.code }),
    ...LANGS.map(([lang]) => el("td", { lang, text: t.labels[lang] || "–" })),
    el("td", { text: t.retired ? "Poistettu käytöstä" : "Käytössä" }),
    el("td", { class: "actions" },
      button("Muuta nimiä", () => { view.editing = t.code; view.error = ""; render(`label-fi-${t.code}`); }, { "aria-label": `Muuta nimiä: ${name}` }),
      button(t.retired ? "Palauta käyttöön" : "Poista käytöstä", () => setRetired(t, !t.retired), { "aria-label": `${t.retired ? "Palauta käyttöön" : "Poista käytöstä"}: ${name}` })),
  );
}

function editRow(t) {
  const inputs = LANGS.map(([lang, langName]) =>
    el("td", {}, input(`label-${lang}-${t.code}`, { value: t.labels[lang] || "", lang, "aria-label": `${langName}: ${t.code}`, maxlength: "120" })),
  );
  return el(
    "tr",
    { "data-code": t.code, class: "editing" },
    el("th", { scope: "row", text: t.code }),
    ...inputs,
    el("td", { text: t.retired ? "Poistettu käytöstä" : "Käytössä" }),
    el("td", { class: "actions" },
      button("Tallenna", () => saveLabels(t), { class: "primary", id: `save-${t.code}` }),
      button("Peru", () => { view.editing = null; view.error = ""; render(); })),
  );
}

function labelsFrom(prefix) {
  const labels = {};
  for (const [lang] of LANGS) {
    const value = document.getElementById(`${prefix}-${lang}`)?.value.trim();
    if (value) labels[lang] = value;
  }
  return labels;
}

async function saveLabels(t) {
  const labels = {};
  for (const [lang] of LANGS) {
    const value = document.getElementById(`label-${lang}-${t.code}`).value.trim();
    if (value) labels[lang] = value;
  }
  try {
    await send("PATCH", `/api/diary/taxonomy/${t.dimension}/${t.code}`, { labels });
    view.editing = null;
    view.error = "";
    view.done = `Nimet tallennettu: ${labels.fi || t.code}.`;
    await reload();
    announce(view.done);
  } catch (error) {
    view.error = errorText(error);
    render(`label-fi-${t.code}`);
    for (const [lang] of LANGS) document.getElementById(`label-${lang}-${t.code}`).value = labels[lang] || "";
  }
}

async function setRetired(t, retired) {
  try {
    await send("PATCH", `/api/diary/taxonomy/${t.dimension}/${t.code}`, { retired });
    view.error = "";
    view.done = `${t.labels.fi || t.code}: ${retired ? "poistettu käytöstä" : "palautettu käyttöön"}.`;
    await reload();
    announce(view.done);
  } catch (error) {
    view.error = errorText(error);
    view.done = "";
    render();
  }
}

function addForm() {
  return el(
    "form",
    { id: "term-form", class: "panel", onsubmit: addTerm },
    el("h3", { text: "Lisää koodi tähän luetteloon" }),
    el("div", { class: "grid-form" },
      field("Koodi", input("new-code", { required: true, maxlength: "32", pattern: "[A-Z0-9_]+", autocomplete: "off" }), "Isot kirjaimet, numerot ja _, esim. GAMING. Ei voi muuttaa myöhemmin."),
      field("Nimi suomeksi", input("new-fi", { required: true, maxlength: "120", lang: "fi" })),
      field("Nimi ruotsiksi", input("new-sv", { maxlength: "120", lang: "sv" })),
      field("Nimi englanniksi", input("new-en", { maxlength: "120", lang: "en" }))),
    errorLine("term-error", view.addError),
    el("button", { type: "submit", class: "primary", id: "term-add", text: "Lisää koodi" }),
  );
}

async function addTerm(event) {
  event.preventDefault();
  const code = document.getElementById("new-code").value.trim();
  const labels = labelsFrom("new");
  try {
    await send("POST", `/api/diary/taxonomy/${view.dimension}`, { code, labels });
    view.addError = "";
    view.done = `Koodi lisätty: ${labels.fi}.`;
    await reload();
    announce(view.done);
    document.getElementById("new-code")?.focus();
  } catch (error) {
    view.addError = errorText(error);
    render();
    document.getElementById("new-code").value = code;
    for (const [lang] of LANGS) document.getElementById(`new-${lang}`).value = labels[lang] || "";
    document.getElementById("new-code").focus();
  }
}
