// The audit trail (docs/security.md): who did what and when, newest first, 100 at a time.
// Targets are ids, codes or a language, never text; a responder id is shown with its name.
import { ROLE_LABELS, api, button, el, fill, heading } from "./shared.js";

const PAGE = 100;
const ACTIONS = {
  "account.create": "Loi tilin",
  "account.update": "Muutti tiliä",
  "account.password_reset": "Vaihtoi salasanan",
  "account.two_factor_reset": "Nollasi kaksivaiheisen tunnistautumisen",
  "account.two_factor_enrol": "Otti käyttöön kaksivaiheisen tunnistautumisen",
  "account.two_factor_disable": "Poisti kaksivaiheisen tunnistautumisen käytöstä",
  "rota.shift_create": "Lisäsi vuoron",
  "rota.shift_update": "Muutti vuoroa",
  "rota.shift_delete": "Poisti vuoron",
  "rota.closure_create": "Lisäsi poikkeuksen",
  "rota.closure_update": "Muutti poikkeusta",
  "rota.closure_delete": "Poisti poikkeuksen",
  "texts.update": "Muutti nuoren tekstejä",
  "texts.reset": "Palautti nuoren tekstit",
  "taxonomy.add": "Lisäsi luokitukseen koodin",
  "taxonomy.update": "Muutti luokituksen koodia",
  "canned.create": "Lisäsi valmiin vastauksen",
  "canned.update": "Muutti valmista vastausta",
  "canned.delete": "Poisti valmiin vastauksen",
  "statistics.export": "Latasi tilastot",
  "transcript.read": "Luki keskustelun",
  "transcript.delete": "Poisti keskustelun kirjaamisen jälkeen",
};
const view = { main: null, entries: [], names: new Map(), more: false };

export async function showAudit(main) {
  view.main = main;
  const people = await api("/api/responders");
  view.names = new Map(people.map((p) => [p.id, p.display_name]));
  view.entries = [];
  await loadMore();
}

async function loadMore() {
  const last = view.entries.at(-1);
  const page = await api(`/api/audit?limit=${PAGE}${last ? `&before_id=${last.id}` : ""}`);
  view.entries.push(...page);
  view.more = page.length === PAGE;
  render();
}

function when(iso) {
  return new Date(iso).toLocaleString("fi-FI", { timeZone: "Europe/Helsinki", day: "numeric", month: "numeric", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

function actor(entry) {
  const name = entry.actor_id ? view.names.get(entry.actor_id) || `#${entry.actor_id}` : "–";
  return `${name} (${ROLE_LABELS[entry.actor_role] || entry.actor_role})`;
}

/** "responder_id=7" names the account; a chat id is shortened as the console shows it;
 * what an account change changed is said in words (the trail keeps codes and flags only). */
const TARGET_WORDS = {
  responder_id: (v) => `Tili: ${view.names.get(Number(v)) || `#${v}`}`,
  chat_id: (v) => `Chat ${v.slice(0, 6)}`,
  shift_id: (v) => `Vuoro #${v}`,
  closure_id: (v) => `Poikkeus #${v}`,
  active: (v) => (v === "false" ? "poisti käytöstä" : "otti käyttöön"),
  role: (v) => `rooli: ${ROLE_LABELS[v] || v}`,
  display_name: () => "nimi muuttui",
  languages: (v) => `kielet: ${v.split("+").map((l) => l.toUpperCase()).join(", ")}`,
};

function target(text) {
  return text.split(",").filter(Boolean).map((part) => {
    const [key, value] = part.split("=");
    return TARGET_WORDS[key] ? TARGET_WORDS[key](value) : part;
  }).join(", ");
}

function render() {
  const rows = view.entries.map((e) =>
    el("tr", { "data-audit": String(e.id) },
      el("td", { text: when(e.at) }),
      el("td", { text: actor(e) }),
      el("th", { scope: "row", text: ACTIONS[e.action] || e.action }),
      el("td", { text: target(e.target) })));
  fill(
    view.main,
    heading("Tapahtumaloki", "audit-title"),
    el("p", { class: "muted", text: "Kuka teki mitä ja milloin: tilien, vuorojen, tekstien ja luokituksen muutokset, tilastojen lataukset sekä jokainen päättyneen tai toisen chatin lukeminen. Lokissa ei ole viestejä eikä nuorten tietoja." }),
    rows.length
      ? el("table", { id: "audit-table" },
          el("caption", { class: "sr-only", text: "Tapahtumaloki, uusin ensin" }),
          el("thead", {}, el("tr", {}, ...["Aika", "Kuka", "Mitä", "Kohde"].map((h) => el("th", { scope: "col", text: h })))),
          el("tbody", {}, ...rows))
      : el("p", { class: "muted", id: "audit-empty", text: "Lokissa ei ole vielä tapahtumia." }),
    view.more ? button("Näytä vanhemmat", () => loadMore(), { id: "audit-more" }) : null,
  );
}
