// What every coordinator section shares: the session, the API helper (CSRF header on
// changes), Finnish error texts for the API's stable codes, and small form builders.
// All text goes in as text (el() never parses HTML).
import { el } from "../common/socket.js";

export { el };

export const session = { me: null, csrf: null };

export const ROLE_LABELS = {
  professional: "Ammattilainen",
  experience_expert: "Kokemusasiantuntija",
  coordinator: "Koordinaattori",
};

export const WEEKDAYS = ["Maanantai", "Tiistai", "Keskiviikko", "Torstai", "Perjantai", "Lauantai", "Sunnuntai"];
export const WEEKDAYS_SHORT = ["Ma", "Ti", "Ke", "To", "Pe", "La", "Su"];

const ERRORS = {
  "auth.invalid_credentials": "Väärä käyttäjätunnus tai salasana.",
  "auth.locked": "Liian monta yritystä. Odota hetki ja yritä uudelleen.",
  "auth.required": "Kirjaudu ensin sisään.",
  "auth.forbidden": "Tämä toiminto on vain koordinaattoreille.",
  "auth.csrf_failed": "Istunto vanheni. Lataa sivu uudelleen.",
  "auth.origin_refused": "Kirjautuminen estettiin: sivun osoite ei ole sallittu.",
  "account.weak_password": "Salasana on liian lyhyt.",
  "account.invalid_display_name": "Nimi puuttuu tai on liian pitkä (enintään 100 merkkiä).",
  "account.invalid_login_name": "Käyttäjätunnus ei kelpaa.",
  "account.login_name_taken": "Käyttäjätunnus on jo käytössä.",
  "account.not_found": "Vastaajaa ei löydy.",
  "account.self_change": "Et voi poistaa käytöstä omaa tunnustasi etkä muuttaa omaa rooliasi.",
  "auth.enrolment_required": "Ota ensin kaksivaiheinen tunnistautuminen käyttöön.",
  "two_factor.self_reset": "Et voi nollata omaa kaksivaiheista tunnistautumistasi. Käytä varakoodia tai pyydä toista koordinaattoria.",
  "rota.backup_not_allowed": "Ammattilaisen vuorolla ei ole varahenkilöä.",
  "rota.backup_not_professional": "Varahenkilön pitää olla ammattilainen.",
  "rota.backup_required": "Kokemusasiantuntijan vuorolle pitää valita varahenkilö (ammattilainen).",
  "rota.bad_weekday": "Viikonpäivä ei kelpaa.",
  "rota.closure_not_found": "Poikkeusta ei löydy (joku on ehkä poistanut sen).",
  "rota.closure_times_incomplete": "Anna suljetulle ajalle sekä alku- että loppuaika, tai jätä molemmat tyhjiksi, jos koko päivä on suljettu.",
  "rota.end_before_start": "Loppuaika on ennen alkuaikaa. Jos vuoro jatkuu yli keskiyön, valitse ”päättyy seuraavana päivänä”.",
  "rota.inactive_responder": "Vastaaja ei ole käytössä.",
  "rota.no_responders": "Valitse vuoroon vähintään yksi vastaaja.",
  "rota.nonexistent_time": "Tätä kellonaikaa ei ole sinä päivänä (kesäaikaan siirtyminen).",
  "rota.overlap": "Vastaajalla on jo päällekkäinen vuoro.",
  "rota.role_mismatch": "Vastaajan rooli ei vastaa vuoron roolia.",
  "rota.shift_not_found": "Vuoroa ei löydy (joku on ehkä poistanut sen).",
  "rota.unknown_responder": "Vastaajaa ei löydy.",
  "rota.weekday_or_date": "Valitse joko viikonpäivä tai päivämäärä.",
  "statistics.range_reversed": "Loppupäivä on ennen alkupäivää.",
  "statistics.range_too_long": "Jakso on liian pitkä (enintään kolme vuotta).",
  "taxonomy.bad_code": "Koodissa saa olla vain isoja kirjaimia, numeroita ja alaviivoja (enintään 32 merkkiä).",
  "taxonomy.bad_label": "Suomenkielinen nimi tarvitaan; nimet enintään rajan pituisia, ilman rivinvaihtoja.",
  "taxonomy.code_exists": "Koodi on jo olemassa (myös poistetut koodit lasketaan).",
  "taxonomy.fixed": "Tätä koodia tai luetteloa ei voi muuttaa, koska kirjaamisen säännöt käyttävät sitä.",
  "taxonomy.unknown_term": "Koodia ei löydy.",
  "request.too_large": "Teksti on liian pitkä.",
  "canned.not_found": "Vastausta ei löydy (joku on ehkä poistanut sen).",
  "canned.too_many": "Tällä kielellä on jo enimmäismäärä (100) valmiita vastauksia.",
};

// The Finnish text for an API refusal; the API's own message for a code not listed here.
// ``texts`` gives a form its own wording for a code (e.g. the closure form's time error).
export function errorText(error, texts = {}) {
  const code = error?.body?.error?.code;
  const message = error?.body?.error?.message;
  if (code && Object.hasOwn(texts, code)) return texts[code];
  if (code && Object.hasOwn(ERRORS, code)) return ERRORS[code];
  if (code === "request.invalid" && message) return `Tarkista kentät: ${message}`;
  if (message) return message;
  return "Yhteys palvelimeen ei toiminut. Yritä uudelleen.";
}

export async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json" };
  if (session.csrf) headers["X-CSRF-Token"] = session.csrf;
  const response = await fetch(path, { credentials: "same-origin", headers, ...options });
  let body = null;
  if (response.status !== 204) body = await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error(body?.error?.message || `HTTP ${response.status}`), { body, status: response.status });
  return body;
}

export function send(method, path, data) {
  return api(path, { method, body: data === undefined ? undefined : JSON.stringify(data) });
}

// A labelled input (or select/textarea) inside a .field wrapper.
export function field(label, control, hint) {
  const id = control.id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return el("div", { class: "field" }, el("label", { for: id, text: label }), control, hint ? el("p", { id: hintId, class: "hint", text: hint }) : null);
}

export function input(id, attrs = {}) {
  return el("input", { id, name: id, ...attrs });
}

export function select(id, options, value, attrs = {}) {
  const node = el("select", { id, name: id, ...attrs });
  for (const [optValue, text] of options) {
    node.append(el("option", { value: String(optValue), text, selected: String(optValue) === String(value ?? "") }));
  }
  return node;
}

// The error line next to a form; role=alert so a screen reader hears it at once.
export function errorLine(id, text) {
  return el("p", { id, class: "error", role: "alert", text: text || "" });
}

export function okLine(id, text) {
  return el("p", { id, class: "ok-line", role: "status", text: text || "" });
}

export function button(text, onclick, attrs = {}) {
  return el("button", { type: "button", onclick, text, ...attrs });
}

export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}

// A section's heading, focused when the section opens (so keyboard and screen-reader users
// land on it after choosing it from the nav).
export function heading(text, id) {
  return el("h2", { id, tabindex: "-1", text });
}

// Replace a container's children, skipping the null ones (replaceChildren would print "null").
export function fill(node, ...children) {
  node.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

export function hhmm(value) {
  return value ? value.slice(0, 5) : "";
}
