// Canned replies per language: the list responders pick from in the console (in this order),
// and one form to add or edit a reply.
import { announce, api, button, el, errorLine, errorText, field, fill, heading, input, okLine, select, send } from "./shared.js";

const LANGS = [["fi", "Suomi"], ["sv", "Ruotsi (svenska)"], ["en", "Englanti (English)"]];
const view = { main: null, lang: "fi", replies: [], draft: null, error: "", done: "" };

function newDraft() {
  return { id: null, title: "", text: "", position: "0" };
}

export async function showCanned(main) {
  view.main = main;
  view.draft = newDraft();
  view.error = view.done = "";
  await reload();
}

async function reload() {
  view.replies = await api(`/api/canned?lang=${view.lang}`);
  render();
}

function render(focusId) {
  fill(
    view.main,
    heading("Valmiit vastaukset", "canned-title"),
    el("p", { class: "muted", text: "Vastaajat voivat lisätä nämä viestiin konsolissa. Näytetään järjestysnumeron mukaan." }),
    el("div", { class: "toolbar" }, field("Kieli", select("canned-lang", LANGS, view.lang, { onchange: changeLang }))),
    okLine("canned-done", view.done),
    list(),
    form(),
  );
  if (focusId) document.getElementById(focusId)?.focus();
}

async function changeLang(event) {
  view.lang = event.target.value;
  view.draft = newDraft();
  view.error = view.done = "";
  await reload().catch((error) => {
    view.error = errorText(error);
    render();
  });
  document.getElementById("canned-lang")?.focus();
}

function list() {
  if (!view.replies.length) return el("p", { class: "muted", id: "canned-empty", text: "Tällä kielellä ei ole vielä valmiita vastauksia." });
  const rows = view.replies.map((r) =>
    el(
      "tr",
      { "data-canned": String(r.id) },
      el("td", { class: "num", text: String(r.position) }),
      el("th", { scope: "row", text: r.title }),
      el("td", { class: "canned-text", lang: r.lang, text: r.text }),
      el("td", { class: "actions" },
        button("Muokkaa", () => edit(r), { "aria-label": `Muokkaa: ${r.title}` }),
        button("Poista", () => remove(r), { class: "danger", "aria-label": `Poista: ${r.title}` })),
    ),
  );
  return el("div", { class: "table-wrap" }, el("table", { id: "canned" },
    el("caption", { class: "sr-only", text: "Valmiit vastaukset" }),
    el("thead", {}, el("tr", {}, ...["Järjestys", "Otsikko", "Teksti", "Toiminnot"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...rows)));
}

function edit(reply) {
  view.draft = { id: reply.id, title: reply.title, text: reply.text, position: String(reply.position) };
  view.error = "";
  render("canned-form-title-input");
}

function form() {
  const d = view.draft;
  const keep = (key) => (event) => (d[key] = event.target.value);
  return el(
    "form",
    { id: "canned-form", class: "panel", "data-lang": view.lang, onsubmit: save, "aria-labelledby": "canned-form-heading" },
    el("h3", { id: "canned-form-heading", text: d.id ? "Muokkaa vastausta" : "Uusi valmis vastaus" }),
    el("div", { class: "grid-form" },
      field("Otsikko (näkyy vain vastaajalle)", input("canned-form-title-input", { value: d.title, required: true, maxlength: "80", oninput: keep("title") })),
      field("Järjestys", input("canned-position", { type: "number", min: "0", max: "1000", value: d.position, oninput: keep("position") }))),
    field("Teksti nuorelle", el("textarea", { id: "canned-text", rows: "4", maxlength: "2000", required: true, lang: view.lang, oninput: keep("text") }, d.text)),
    errorLine("canned-error", view.error),
    el("div", { class: "buttons" },
      el("button", { type: "submit", class: "primary", id: "canned-save", text: d.id ? "Tallenna" : "Lisää vastaus" }),
      d.id ? button("Peru muokkaus", () => { view.draft = newDraft(); view.error = ""; render("canned-form-title-input"); }) : null),
  );
}

async function save(event) {
  event.preventDefault();
  const d = view.draft;
  const body = { lang: view.lang, title: d.title, text: d.text, position: Number(d.position) || 0 };
  try {
    if (d.id) await send("PUT", `/api/canned/${d.id}`, body);
    else await send("POST", "/api/canned", body);
    view.done = d.id ? "Vastaus tallennettu." : "Vastaus lisätty.";
    view.draft = newDraft();
    view.error = "";
    await reload();
    announce(view.done);
  } catch (error) {
    view.error = errorText(error);
    render("canned-save");
  }
}

async function remove(reply) {
  if (!window.confirm(`Poistetaanko vastaus ”${reply.title}”?`)) return;
  try {
    await send("DELETE", `/api/canned/${reply.id}`);
    if (view.draft.id === reply.id) view.draft = newDraft();
    view.done = "Vastaus poistettu.";
    await reload();
    announce(view.done);
  } catch (error) {
    view.error = errorText(error);
    render();
  }
}
