// The texts the young person sees, per language: the opening message, the closed message, the
// emergency contacts and the organiser's part of the accessibility statement. Save, or go back
// to the built-in draft.
import { announce, api, button, el, errorLine, errorText, field, fill, heading, okLine, select, send } from "./shared.js";

const LANGS = [["fi", "Suomi"], ["sv", "Ruotsi (svenska)"], ["en", "Englanti (English)"]];
const KINDS = [
  ["opening", "Avausviesti", "Näkyy, kun chat on auki ja nuori aloittaa."],
  ["closed", "Kun chat on suljettu", "Näkyy, kun kukaan ei ole vuorossa."],
  ["emergency", "Apua heti", "Hätänumero ja muut aina auki olevat palvelut. Näkyy aina."],
  [
    "accessibility",
    "Saavutettavuusseloste: järjestäjä ja palaute",
    "Kuka chatin järjestää, mihin saavutettavuuspalautteen voi lähettää (sähköposti tai puhelin) ja selosteen päiväys. Oletusteksti ei sisällä osoitetta: kirjoita omanne. Muu seloste (vaatimukset, valvontaviranomainen) on valmiina. Linkki selosteeseen perhekeskuksen sivuille: /#saavutettavuus (ruotsiksi /?lang=sv#tillganglighet).",
  ],
];
const MAX_CHARS = 2000;
const view = { main: null, lang: "fi", texts: null, error: "", done: "" };

export async function showTexts(main) {
  view.main = main;
  view.error = view.done = "";
  await load(view.lang);
}

async function load(lang) {
  view.lang = lang;
  view.texts = await api(`/api/rota/texts/${lang}`);
  render();
}

function render(focusId) {
  const langName = LANGS.find(([code]) => code === view.lang)[1];
  fill(
    view.main,
    heading("Nuoren tekstit", "texts-title"),
    el("p", { class: "muted", text: "Kirjoita lyhyesti ja selkeästi, niin että 10-vuotiaskin ymmärtää." }),
    el("div", { class: "toolbar" }, field("Kieli", select("texts-lang", LANGS, view.lang, { onchange: (e) => changeLang(e.target.value) }))),
    el(
      "form",
      { id: "texts-form", class: "panel", "data-lang": view.lang, onsubmit: save, "aria-label": `Tekstit: ${langName}` },
      ...KINDS.map(([key, label, hint]) =>
        field(label, el("textarea", { id: `text-${key}`, name: key, lang: view.lang, rows: key === "opening" || key === "closed" ? "3" : "4", maxlength: String(MAX_CHARS), required: true }, view.texts[key]), hint),
      ),
      errorLine("texts-error", view.error),
      okLine("texts-done", view.done),
      el("div", { class: "buttons" },
        el("button", { type: "submit", class: "primary", id: "texts-save", text: "Tallenna" }),
        button("Palauta oletusteksti", reset, { id: "texts-reset" })),
    ),
  );
  if (focusId) document.getElementById(focusId)?.focus();
}

async function changeLang(lang) {
  view.error = view.done = "";
  try {
    await load(lang);
  } catch (error) {
    view.error = errorText(error);
    render();
  }
  document.getElementById("texts-lang")?.focus();
}

async function save(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = Object.fromEntries(KINDS.map(([key]) => [key, form.get(key)]));
  try {
    view.texts = await send("PUT", `/api/rota/texts/${view.lang}`, body);
    view.error = "";
    view.done = "Tekstit tallennettu. Nuori näkee ne heti.";
    render("texts-save");
    announce(view.done);
  } catch (error) {
    view.error = errorText(error);
    view.done = "";
    render("texts-save");
    for (const [key] of KINDS) document.getElementById(`text-${key}`).value = body[key];
  }
}

async function reset() {
  if (!window.confirm("Palautetaanko tämän kielen tekstit oletuksiin? Omat muutokset poistuvat.")) return;
  try {
    view.texts = await send("DELETE", `/api/rota/texts/${view.lang}`);
    view.error = "";
    view.done = "Oletustekstit palautettu.";
    render("texts-reset");
    announce(view.done);
  } catch (error) {
    view.error = errorText(error);
    render("texts-reset");
  }
}
