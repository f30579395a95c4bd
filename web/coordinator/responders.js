// Responders: the list, a create form, and per row: edit name, role and the languages they
// answer in, deactivate or reactivate, set a new password, reset the second factor. Every
// refusal of the API is shown next to its form.
import { ROLE_LABELS, announce, api, button, el, errorLine, errorText, field, fill, heading, input, okLine, select, send, session } from "./shared.js";

const ROLE_OPTIONS = Object.entries(ROLE_LABELS);
const LANGUAGES = [["fi", "suomi"], ["sv", "ruotsi"], ["en", "englanti"]];
const NO_LANGUAGE = "Valitse vähintään yksi kieli, jolla vastaaja vastaa.";
const LANGUAGES_HINT = "Nuori näkee, jos vuorossa ei ole ketään, joka puhuu hänen valitsemaansa kieltä.";

/** Checkboxes for the languages a responder answers in (``prefix``-fi, -sv, -en). */
function languageChecks(prefix, chosen) {
  return el("fieldset", { id: `${prefix}-languages` }, el("legend", { text: "Vastaa kielillä" }),
    ...LANGUAGES.map(([code, label]) =>
      el("div", { class: "check" },
        el("input", { type: "checkbox", id: `${prefix}-lang-${code}`, name: `${prefix}-lang`, value: code, checked: chosen.includes(code) }),
        el("label", { for: `${prefix}-lang-${code}`, text: label }))),
    el("p", { class: "hint", text: LANGUAGES_HINT }));
}

function languageNames(codes) {
  return LANGUAGES.filter(([code]) => codes.includes(code)).map(([, label]) => label).join(", ");
}
const view = { main: null, list: [], debriefs: [], editing: null, error: "", createError: "", done: "" };

export async function showResponders(main) {
  view.main = main;
  view.editing = null;
  view.error = view.createError = view.done = "";
  await reload();
}

async function reload() {
  view.list = await api("/api/responders");
  view.debriefs = (await api("/api/debriefs").catch(() => ({ to_answer: [] }))).to_answer;
  render();
}

// Experts' debrief requests nobody has answered yet (docs/architecture.md, "Debrief"): the
// coordinator cannot answer one, but sees that someone must make time for the expert.
function unansweredDebriefs() {
  if (!view.debriefs.length) return null;
  const clock = (iso) => new Date(iso).toLocaleString("fi-FI", { weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" });
  const items = view.debriefs.map((d) =>
    el("li", { text: `${d.expert.name} (${ROLE_LABELS[d.expert.role] || d.expert.role}) pyysi purkua ${clock(d.requested_at)} · pyyntö: ${d.backup ? d.backup.name : "kuka tahansa ammattilainen"}` }));
  return el("section", { id: "debrief-watch", class: "panel", role: "status", "aria-labelledby": "debrief-watch-title" },
    el("h3", { id: "debrief-watch-title", text: `Vastaamattomat purkupyynnöt (${view.debriefs.length})` }),
    el("p", { class: "muted", text: "Kokemusasiantuntija pyytää purkua raskaan keskustelun jälkeen. Varmista, että joku ammattilainen ehtii ottaa yhteyttä." }),
    el("ul", {}, ...items));
}

function render(focusId) {
  fill(
    view.main,
    heading("Vastaajat", "responders-title"),
    el("p", { class: "muted", text: "Vastaajan nimi näkyy nuorelle. Käytä halutessasi peitenimeä." }),
    okLine("responders-done", view.done),
    unansweredDebriefs(),
    listTable(),
    view.editing ? editPanel() : null,
    createForm(),
  );
  if (focusId) document.getElementById(focusId)?.focus();
}

// Soft hyphens (U+00AD) let the two long headers break on a laptop screen, so the table fits
// without sideways scrolling (review finding 8); they are not shown unless used.
const HEADERS = ["Nimi", "Käyttäjä\u00adtunnus", "Rooli", "Kielet", "Tila", "Kaksi\u00advaiheinen", "Toiminnot"];

function listTable() {
  const rows = view.list.map((r) =>
    el(
      "tr",
      { "data-login": r.login_name, class: r.active ? "" : "inactive" },
      el("th", { scope: "row", text: r.display_name }),
      el("td", { "data-label": "Käyttäjätunnus", text: r.login_name }),
      el("td", { "data-label": "Rooli", text: ROLE_LABELS[r.role] || r.role }),
      el("td", { "data-label": "Kielet", class: "languages", text: languageNames(r.languages || ["fi"]) }),
      el("td", { "data-label": "Tila", text: r.active ? "Käytössä" : "Poistettu käytöstä" }),
      el("td", { "data-label": "Kaksivaiheinen", class: "two-factor-state", text: r.two_factor ? "Käytössä" : "Ei" }),
      el(
        "td",
        { class: "actions" },
        el(
          "div",
          { class: "row-actions" },
          button("Muokkaa", () => openPanel(r, "edit"), { "aria-label": `Muokkaa: ${r.display_name}` }),
          button("Vaihda salasana", () => openPanel(r, "password"), { "aria-label": `Vaihda salasana: ${r.display_name}` }),
          r.id === session.me.id
            ? null
            : button(r.active ? "Poista käytöstä" : "Ota käyttöön", () => setActive(r, !r.active), {
                "aria-label": `${r.active ? "Poista käytöstä" : "Ota käyttöön"}: ${r.display_name}`,
              }),
          r.two_factor && r.id !== session.me.id
            ? button("Nollaa kaksivaiheinen", () => resetTwoFactor(r), { class: "reset-two-factor", "aria-label": `Nollaa kaksivaiheinen tunnistautuminen: ${r.display_name}` })
            : null,
        ),
      ),
    ),
  );
  return el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      { id: "responders", class: "stack" },
      el("caption", { class: "sr-only", text: "Vastaajat" }),
      el("thead", {}, el("tr", {}, ...HEADERS.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows),
    ),
    errorLine("responders-error", view.error),
  );
}

function openPanel(responder, mode) {
  view.editing = { responder, mode, error: "" };
  view.done = "";
  render(mode === "edit" ? "edit-name" : "new-password");
}

function editPanel() {
  const { responder, mode, error } = view.editing;
  const draft = view.editing.draft || responder; // after a refusal: what was typed
  const cancel = button("Peru", () => {
    view.editing = null;
    render();
  });
  if (mode === "password") {
    return el(
      "form",
      { id: "password-form", class: "panel", onsubmit: (e) => resetPassword(e, responder) },
      el("h3", { text: `Uusi salasana: ${responder.display_name}` }),
      field("Uusi salasana", input("new-password", { type: "password", autocomplete: "new-password", required: true }), "Oletuksena vähintään 12 merkkiä. Vastaajan avoimet istunnot päättyvät."),
      errorLine("password-error", error),
      el("div", { class: "buttons" }, el("button", { type: "submit", class: "primary", text: "Vaihda salasana" }), cancel),
    );
  }
  return el(
    "form",
    { id: "edit-form", class: "panel", onsubmit: (e) => saveEdit(e, responder) },
    el("h3", { text: `Muokkaa: ${responder.login_name}` }),
    field("Nimi tai peitenimi", input("edit-name", { value: draft.display_name, required: true, maxlength: "100" })),
    field("Rooli", select("edit-role", ROLE_OPTIONS, draft.role, { disabled: responder.id === session.me.id })),
    languageChecks("edit", draft.languages || ["fi"]),
    errorLine("edit-error", error),
    el("div", { class: "buttons" }, el("button", { type: "submit", class: "primary", text: "Tallenna" }), cancel),
  );
}

async function saveEdit(event, responder) {
  event.preventDefault();
  const form = new FormData(event.target);
  const change = { display_name: form.get("edit-name"), languages: form.getAll("edit-lang") };
  if (form.get("edit-role") && form.get("edit-role") !== responder.role) change.role = form.get("edit-role");
  view.editing.draft = { ...change, role: form.get("edit-role") || responder.role };
  if (!change.languages.length) {
    view.editing.error = NO_LANGUAGE;
    render("edit-lang-fi");
    return;
  }
  if (change.role) {
    // a new role takes them out of the other role's shifts (and out of backing expert shifts
    // if no longer a professional): ask first, as deactivating does. Cancel changes nothing.
    const warning = await rotaWarning(responder, change.role);
    const from = ROLE_LABELS[responder.role] || responder.role;
    const to = ROLE_LABELS[change.role] || change.role;
    if (warning && !window.confirm(`Vaihdetaanko käyttäjän ${responder.display_name} rooli: ${from} → ${to}? Hän ei enää vastaa vuoroissa, joiden rooli on ${from.toLowerCase()}.${warning}`)) return;
  }
  try {
    await send("PATCH", `/api/responders/${responder.id}`, change);
    view.editing = null;
    view.done = `Tallennettu: ${change.display_name}.`;
    await reload();
    announce(view.done);
  } catch (error) {
    view.editing.error = errorText(error);
    render("edit-name");
  }
}

async function resetPassword(event, responder) {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await send("POST", `/api/responders/${responder.id}/password`, { password: form.get("new-password") });
    view.editing = null;
    view.done = `Salasana vaihdettu: ${responder.display_name}.`;
    render("responders-title");
    announce(view.done);
  } catch (error) {
    view.editing.error = errorText(error);
    render("new-password");
  }
}

// Lost phone and recovery codes: the second factor goes, the responder is logged out, and
// (where the policy wants one) enrols again at the next login.
async function resetTwoFactor(responder) {
  if (!window.confirm(`Nollataanko käyttäjän ${responder.display_name} kaksivaiheinen tunnistautuminen? Hän kirjautuu ulos ja ottaa sen käyttöön uudelleen.`)) return;
  try {
    await send("POST", `/api/responders/${responder.id}/two-factor/reset`);
    view.error = "";
    view.done = `${responder.display_name}: kaksivaiheinen tunnistautuminen nollattu.`;
    await reload();
    announce(view.done);
  } catch (error) {
    view.error = errorText(error);
    render();
  }
}

/** What deactivating (``newRole`` unset) or a change of role leaves behind on the rota:
 * shifts they leave with nobody else who can answer (active, of the shift's role), and expert
 * shifts they back (neither opens until the coordinator names someone). A new role takes them
 * out of every shift of another role, and out of backing unless they stay a professional. */
async function rotaWarning(responder, newRole = null) {
  let rota;
  try {
    rota = await api("/api/rota");
  } catch {
    return ""; // the question is still asked; the rota page shows what is left
  }
  const others = view.list.filter((r) => r.active && r.id !== responder.id);
  const canAnswer = (s) => s.responder_ids.some((id) => others.some((r) => r.id === id && r.role === s.role));
  const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Helsinki" }); // YYYY-MM-DD
  const current = rota.shifts.filter((s) => s.date === null || s.date >= today);
  const leaves = (s) => s.responder_ids.includes(responder.id) && (newRole === null || s.role !== newRole);
  const alone = current.filter((s) => leaves(s) && !canAnswer(s));
  const backs = newRole === "professional" ? [] : current.filter((s) => s.backup_id === responder.id);
  const lines = [];
  if (alone.length) lines.push(`Hän on ainoa käytössä oleva vastaaja ${alone.length} vuorossa: niissä chat ei aukea, ennen kuin lisäät vuoroon jonkun.`);
  if (backs.length) lines.push(`Hän on tukihenkilö ${backs.length} kokemusasiantuntijavuorossa: ne eivät aukea, ennen kuin nimeät uuden tukihenkilön.`);
  return lines.length ? `\n\n${lines.join("\n")}` : "";
}

async function setActive(responder, active) {
  const warning = active ? "" : await rotaWarning(responder);
  if (!active && !window.confirm(`Poistetaanko ${responder.display_name} käytöstä? Hän kirjautuu ulos eikä saa uusia chatteja.${warning}`)) return;
  try {
    await send("PATCH", `/api/responders/${responder.id}`, { active });
    view.error = "";
    view.done = `${responder.display_name}: ${active ? "otettu käyttöön" : "poistettu käytöstä"}.`;
    await reload();
    announce(view.done);
  } catch (error) {
    view.error = errorText(error);
    render();
  }
}

function createForm() {
  return el(
    "form",
    { id: "create-form", class: "panel", onsubmit: create },
    el("h3", { text: "Uusi vastaaja" }),
    el(
      "div",
      { class: "grid-form" },
      field("Käyttäjätunnus", input("new-login", { required: true, maxlength: "64", autocomplete: "off" })),
      field("Nimi tai peitenimi", input("new-name", { required: true, maxlength: "100" })),
      field("Rooli", select("new-role", ROLE_OPTIONS, "professional")),
      field("Salasana", input("new-password-create", { type: "password", required: true, autocomplete: "new-password" }), "Oletuksena vähintään 12 merkkiä."),
    ),
    languageChecks("new", ["fi"]),
    errorLine("create-error", view.createError),
    el("button", { type: "submit", class: "primary", id: "create-button", text: "Luo vastaaja" }),
  );
}

async function create(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = {
    login_name: form.get("new-login"),
    display_name: form.get("new-name"),
    role: form.get("new-role"),
    password: form.get("new-password-create"),
    languages: form.getAll("new-lang"),
  };
  if (!body.languages.length) return refuseCreate(body, NO_LANGUAGE);
  try {
    await send("POST", "/api/responders", body);
    view.createError = "";
    view.done = `Vastaaja luotu: ${body.display_name}.`;
    await reload();
    announce(view.done);
    document.getElementById("new-login")?.focus();
  } catch (error) {
    refuseCreate(body, errorText(error));
  }
}

// Keep what was typed (except the password) so a refusal costs nothing to fix.
function refuseCreate(body, message) {
  view.createError = message;
  render();
  document.getElementById("new-login").value = body.login_name;
  document.getElementById("new-name").value = body.display_name;
  document.getElementById("new-role").value = body.role;
  for (const [code] of LANGUAGES) document.getElementById(`new-lang-${code}`).checked = body.languages.includes(code);
  document.getElementById("new-password-create").focus();
}
