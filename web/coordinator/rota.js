// The rota: weekly shifts as a week grid (Mon–Sun, 0–24) and as a list, the exceptions
// (closed days or hours, extra one-off shifts), and one form each for shifts and closures.
// A form keeps what was typed in a draft object, so re-drawing it (role changed, refusal
// shown) loses nothing.
import { ROLE_LABELS, WEEKDAYS, WEEKDAYS_SHORT, announce, api, button, el, errorLine, errorText, field, fill, heading, hhmm, input, okLine, select, send } from "./shared.js";

const DAY_MINS = 24 * 60;
const SHIFT_ROLES = [["professional", ROLE_LABELS.professional], ["experience_expert", ROLE_LABELS.experience_expert]];
const view = { main: null, rota: null, people: [], shift: null, closure: null, shiftError: "", closureError: "", done: "" };

export async function showRota(main) {
  view.main = main;
  view.shift = newShift();
  view.closure = newClosure();
  view.shiftError = view.closureError = view.done = "";
  await reload();
}

function newShift() {
  return { id: null, kind: "weekly", weekday: "0", date: "", starts: "16:00", ends: "20:00", ends_next_day: false, role: "professional", responder_ids: [], backup_id: "" };
}

function newClosure() {
  return { id: null, date: "", starts: "", ends: "", note: "" };
}

async function reload() {
  const [rota, people] = await Promise.all([api("/api/rota"), api("/api/responders")]);
  view.rota = rota;
  view.people = people;
  render();
}

// The languages a shift's responders answer in, so Swedish cover is visible when planning
// (the youth is told when nobody on duty speaks their language; DOMAIN.md 4.2).
const LANGUAGE_NAMES = { fi: "suomi", sv: "ruotsi", en: "englanti" };

// Only the people who can answer count: a deactivated responder (or one whose role no longer
// matches the shift) is left out of the shift by the server, so their languages are not
// covered (review finding 4: a deactivated Swedish speaker still showed "ruotsi").
function languagesOf(shift) {
  const answering = shift.responder_ids.map((id) => view.people.find((p) => p.id === id)).filter((p) => p && p.active && p.role === shift.role);
  const spoken = new Set(answering.flatMap((p) => p.languages || []));
  return Object.keys(LANGUAGE_NAMES).filter((code) => spoken.has(code));
}

function languageText(shift) {
  return languagesOf(shift).map((code) => LANGUAGE_NAMES[code]).join(", ") || "–";
}

// With ``role``: marks a person the server leaves out of the shift because their role has
// changed since (a responder of the other role, or a backup who is no longer a professional).
function nameOf(id, role = null) {
  const person = view.people.find((p) => p.id === id);
  if (!person) return `#${id}`;
  if (!person.active) return `${person.display_name} (ei käytössä)`;
  return role && person.role !== role ? `${person.display_name} (eri rooli)` : person.display_name;
}

function namesOf(shift) {
  return shift.responder_ids.map((id) => nameOf(id, shift.role)).join(", ");
}

function backupOf(shift) {
  return nameOf(shift.backup_id, "professional");
}

function render(focusId) {
  const weekly = view.rota.shifts.filter((s) => s.weekday !== null);
  fill(
    view.main,
    heading("Vuorot", "rota-title"),
    statusLine(),
    okLine("rota-done", view.done),
    el("h3", { text: "Viikko" }),
    el("div", { class: "legend", "aria-hidden": "true" },
      el("span", {}, el("span", { class: "swatch professional" }), ROLE_LABELS.professional),
      el("span", {}, el("span", { class: "swatch experience_expert" }), `${ROLE_LABELS.experience_expert} (varahenkilö mukana)`)),
    el("div", { class: "table-wrap" }, weekGrid(weekly)),
    shiftList(weekly),
    exceptionList(),
    el("div", { class: "twocol" }, shiftForm(), closureForm()),
  );
  if (focusId) document.getElementById(focusId)?.focus();
}

function statusLine() {
  const onDuty = view.rota.on_duty.map((id) => nameOf(id)).join(", ");
  // as "Tilanne nyt" says it: in the last minutes before closing no new chat is taken
  const state = !view.rota.open_now ? "Chat on nyt suljettu."
    : view.rota.accepts_new_chats === false ? "Chat on auki, mutta uusia chatteja ei enää oteta (sulkeutuu pian)."
      : "Chat on nyt auki.";
  const text = state + (onDuty ? ` Vuorossa nyt: ${onDuty}.` : "") + ` Ajat ovat paikallista aikaa (${view.rota.time_zone}).`;
  return el("p", { id: "rota-status", text });
}

// --- the week grid -----------------------------------------------------------------------

function minutes(value) {
  const [h, m] = value.split(":").map(Number);
  return h * 60 + m;
}

// Each weekly shift as one or two pieces on the grid (a night shift continues the next day).
function pieces(shifts) {
  const byDay = Array.from({ length: 7 }, () => []);
  for (const shift of shifts) {
    const start = minutes(shift.starts);
    const end = minutes(shift.ends);
    if (shift.ends_next_day) {
      byDay[shift.weekday].push({ shift, from: start, to: DAY_MINS, continued: false });
      if (end > 0) byDay[(shift.weekday + 1) % 7].push({ shift, from: 0, to: end, continued: true });
    } else {
      byDay[shift.weekday].push({ shift, from: start, to: end, continued: false });
    }
  }
  return byDay.map(laneOut);
}

// Side by side when shifts overlap: each piece gets the first free lane.
function laneOut(dayPieces) {
  dayPieces.sort((a, b) => a.from - b.from || b.to - a.to);
  const laneEnds = [];
  for (const piece of dayPieces) {
    let lane = laneEnds.findIndex((end) => end <= piece.from);
    if (lane < 0) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = piece.to;
    piece.lane = lane;
  }
  for (const piece of dayPieces) piece.lanes = laneEnds.length;
  return dayPieces;
}

function weekGrid(shifts) {
  const hours = el("div", { class: "hours", "aria-hidden": "true" });
  for (let h = 0; h < 24; h += 2) {
    const label = el("span", { text: `${String(h).padStart(2, "0")}` });
    label.style.top = `${(h / 24) * 100}%`;
    hours.append(label);
  }
  const days = pieces(shifts).map((dayPieces, weekday) => {
    const column = el("div", { class: "day", "data-weekday": String(weekday), role: "group", "aria-label": WEEKDAYS[weekday] });
    for (const piece of dayPieces) column.append(block(piece));
    return column;
  });
  return el(
    "div",
    { class: "week", id: "week" },
    el("div", { class: "dayhead", "aria-hidden": "true" }),
    ...WEEKDAYS_SHORT.map((d, i) => el("div", { class: "dayhead", title: WEEKDAYS[i], text: d })),
    hours,
    ...days,
  );
}

// A shift to midnight reads "16:00–24:00", as Finnish timetables write it: "16:00–00:00"
// looked like a shift that ends before it starts, or one of no length.
function shiftTimes(shift, nextDay) {
  const toMidnight = shift.ends_next_day && minutes(shift.ends) === 0;
  const next = shift.ends_next_day && !toMidnight ? nextDay : "";
  return `${hhmm(shift.starts)}–${toMidnight ? "24:00" : hhmm(shift.ends)}${next}`;
}

function shiftSummary(shift) {
  const names = namesOf(shift);
  const backup = shift.backup_id ? `; varahenkilö ${backupOf(shift)}` : "";
  return `${ROLE_LABELS[shift.role]} ${shiftTimes(shift, " (seuraavana päivänä)")}: ${names}${backup}; kielet ${languageText(shift)}`;
}

function block(piece) {
  const { shift } = piece;
  const node = el(
    "button",
    {
      type: "button",
      class: `block ${shift.role}${view.shift.id === shift.id ? " editing" : ""}`,
      "data-shift": String(shift.id),
      "aria-label": `${WEEKDAYS[shift.weekday]} ${shiftSummary(shift)}. Muokkaa.`,
      onclick: () => editShift(shift),
    },
    el("strong", { text: `${shiftTimes(shift, "")}${piece.continued ? " (jatkuu)" : ""}` }),
    el("span", { text: namesOf(shift) }),
    shift.backup_id ? el("span", { class: "backup", text: ` · varalla ${backupOf(shift)}` }) : null,
    el("span", { class: "langs", text: languagesOf(shift).map((code) => code.toUpperCase()).join(" ") }),
  );
  node.style.top = `${(piece.from / DAY_MINS) * 100}%`;
  node.style.height = `${((piece.to - piece.from) / DAY_MINS) * 100}%`;
  node.style.left = `${(piece.lane / piece.lanes) * 100}%`;
  node.style.width = `calc(${100 / piece.lanes}% - 2px)`;
  return node;
}

// --- lists ---------------------------------------------------------------------------------

function shiftList(weekly) {
  const sorted = [...weekly].sort((a, b) => a.weekday - b.weekday || a.starts.localeCompare(b.starts));
  const rows = sorted.map((s) =>
    el(
      "tr",
      { "data-shift": String(s.id) },
      el("th", { scope: "row", text: WEEKDAYS[s.weekday] }),
      el("td", { text: shiftTimes(s, " (seur. päivänä)") }),
      el("td", { text: ROLE_LABELS[s.role] }),
      el("td", { text: namesOf(s) }),
      el("td", { text: s.backup_id ? backupOf(s) : "–" }),
      el("td", { class: "langs", text: languageText(s) }),
      el("td", { class: "actions" }, button("Muokkaa", () => editShift(s), { "aria-label": `Muokkaa vuoroa ${WEEKDAYS[s.weekday]} ${hhmm(s.starts)}` }),
        button("Poista", () => deleteShift(s), { class: "danger", "aria-label": `Poista vuoro ${WEEKDAYS[s.weekday]} ${hhmm(s.starts)}` })),
    ),
  );
  return el(
    "details",
    // on a phone the list is easier than the sideways-scrolling grid, so it starts open
    { class: "panel", id: "shift-list", open: window.matchMedia("(max-width: 40rem)").matches },
    el("summary", { text: `Viikkovuorot listana (${weekly.length})` }),
    el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ...["Päivä", "Aika", "Rooli", "Vastaajat", "Varahenkilö", "Kielet", "Toiminnot"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows))),
  );
}

function exceptionList() {
  const closures = view.rota.closures.map((c) => ({ date: c.date, closure: c }));
  const extras = view.rota.shifts.filter((s) => s.date !== null).map((s) => ({ date: s.date, shift: s }));
  const rows = [...closures, ...extras].sort((a, b) => a.date.localeCompare(b.date)).map((item) => {
    const c = item.closure;
    const s = item.shift;
    const what = c ? "Suljettu" : `Lisävuoro: ${ROLE_LABELS[s.role]}`;
    const when = c ? closureTimes(c) : shiftTimes(s, " (seur. päivänä)");
    const more = c ? c.note : `${namesOf(s)}${s.backup_id ? `; varalla ${backupOf(s)}` : ""}`;
    const label = `${what} ${formatDate(item.date)}`;
    return el(
      "tr",
      { "data-closure": c ? String(c.id) : null, "data-shift": s ? String(s.id) : null },
      el("th", { scope: "row", text: formatDate(item.date) }),
      el("td", { text: what }),
      el("td", { text: when }),
      el("td", { text: more || "–" }),
      el("td", { class: "actions" },
        button("Muokkaa", () => (c ? editClosure(c) : editShift(s)), { "aria-label": `Muokkaa: ${label}` }),
        button("Poista", () => (c ? deleteClosure(c) : deleteShift(s)), { class: "danger", "aria-label": `Poista: ${label}` })),
    );
  });
  return el(
    "section",
    { "aria-labelledby": "exceptions-title" },
    el("h3", { id: "exceptions-title", text: "Poikkeukset: suljetut päivät ja lisävuorot" }),
    rows.length
      ? el("div", { class: "table-wrap" }, el("table", { id: "exceptions" },
          el("thead", {}, el("tr", {}, ...["Päivä", "Mitä", "Aika", "Lisätiedot", "Toiminnot"].map((h) => el("th", { scope: "col", text: h })))),
          el("tbody", {}, ...rows)))
      : el("p", { class: "muted", text: "Ei poikkeuksia." }),
  );
}

function formatDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const weekday = WEEKDAYS_SHORT[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7];
  return `${weekday} ${d}.${m}.${y}`;
}

// --- the shift form -----------------------------------------------------------------------

function editShift(shift) {
  view.shift = {
    id: shift.id,
    kind: shift.weekday !== null ? "weekly" : "date",
    weekday: String(shift.weekday ?? 0),
    date: shift.date || "",
    starts: hhmm(shift.starts),
    ends: hhmm(shift.ends),
    ends_next_day: shift.ends_next_day,
    role: shift.role,
    responder_ids: [...shift.responder_ids],
    backup_id: shift.backup_id ? String(shift.backup_id) : "",
  };
  view.shiftError = "";
  render("shift-kind");
}

function bind(draft, key, rerender) {
  return (event) => {
    const target = event.target;
    draft[key] = target.type === "checkbox" ? target.checked : target.value;
    if (rerender) render(target.id);
  };
}

function shiftForm() {
  const d = view.shift;
  const candidates = view.people.filter((p) => (p.active && p.role === d.role) || d.responder_ids.includes(p.id));
  const checks = candidates.map((p) =>
    el("div", { class: "check" },
      el("input", { type: "checkbox", id: `shift-person-${p.id}`, value: String(p.id), checked: d.responder_ids.includes(p.id), onchange: (e) => togglePerson(p.id, e.target.checked) }),
      el("label", { for: `shift-person-${p.id}`, text: nameOf(p.id, d.role) })),
  );
  const professionals = view.people.filter((p) => p.active && p.role === "professional").map((p) => [p.id, p.display_name]);
  return el(
    "form",
    { id: "shift-form", class: "panel", onsubmit: saveShift, "aria-labelledby": "shift-form-title" },
    el("h3", { id: "shift-form-title", text: d.id ? "Muokkaa vuoroa" : "Uusi vuoro" }),
    field("Toistuu", select("shift-kind", [["weekly", "Joka viikko"], ["date", "Yksittäinen päivä (lisävuoro)"]], d.kind, { onchange: bind(d, "kind", true) })),
    d.kind === "weekly"
      ? field("Viikonpäivä", select("shift-weekday", WEEKDAYS.map((w, i) => [i, w]), d.weekday, { onchange: bind(d, "weekday") }))
      : field("Päivämäärä", input("shift-date", { type: "date", value: d.date, required: true, oninput: bind(d, "date") })),
    el("div", { class: "grid-form" },
      field("Alkaa", input("shift-starts", { type: "time", value: d.starts, required: true, oninput: bind(d, "starts") })),
      field("Päättyy", input("shift-ends", { type: "time", value: d.ends, required: true, oninput: bind(d, "ends") }))),
    el("div", { class: "check" },
      el("input", { type: "checkbox", id: "shift-next-day", checked: d.ends_next_day, onchange: bind(d, "ends_next_day") }),
      el("label", { for: "shift-next-day", text: "Päättyy seuraavana päivänä (yövuoro)" })),
    field("Rooli", select("shift-role", SHIFT_ROLES, d.role, { onchange: bind(d, "role", true) })),
    el("fieldset", { id: "shift-people" }, el("legend", { text: "Vastaajat" }),
      checks.length ? null : el("p", { class: "muted", text: "Tällä roolilla ei ole käytössä olevia vastaajia." }), ...checks),
    d.role === "experience_expert"
      ? field("Varahenkilö (ammattilainen)", select("shift-backup", [["", "– valitse –"], ...professionals], d.backup_id, { onchange: bind(d, "backup_id") }), "Kokemusasiantuntijaa ei jätetä yksin: varahenkilö hälytetään tarvittaessa.")
      : null,
    errorLine("shift-error", view.shiftError),
    el("div", { class: "buttons" },
      el("button", { type: "submit", class: "primary", id: "shift-save", text: d.id ? "Tallenna vuoro" : "Lisää vuoro" }),
      d.id ? button("Peru muokkaus", () => { view.shift = newShift(); view.shiftError = ""; render("shift-kind"); }) : null),
  );
}

function togglePerson(id, on) {
  const ids = view.shift.responder_ids.filter((x) => x !== id);
  if (on) ids.push(id);
  view.shift.responder_ids = ids;
}

function shiftBody(d) {
  const body = { role: d.role, starts: d.starts, ends: d.ends, ends_next_day: d.ends_next_day, responder_ids: d.responder_ids };
  if (d.kind === "weekly") body.weekday = Number(d.weekday);
  else body.date = d.date;
  if (d.role === "experience_expert" && d.backup_id) body.backup_id = Number(d.backup_id);
  return body;
}

async function saveShift(event) {
  event.preventDefault();
  const d = view.shift;
  // responders of the other role stay checked in the draft after a role change; drop them
  const roleIds = new Set(view.people.filter((p) => p.role === d.role).map((p) => p.id));
  d.responder_ids = d.responder_ids.filter((id) => roleIds.has(id));
  if (!d.responder_ids.length) {
    view.shiftError = "Valitse vuoroon vähintään yksi vastaaja.";
    render("shift-role");
    return;
  }
  try {
    if (d.id) await send("PUT", `/api/rota/shifts/${d.id}`, shiftBody(d));
    else await send("POST", "/api/rota/shifts", shiftBody(d));
    view.done = d.id ? "Vuoro tallennettu." : "Vuoro lisätty.";
    view.shift = newShift();
    view.shiftError = "";
    await reload();
    announce(view.done);
  } catch (error) {
    view.shiftError = overlapText(error) || errorText(error);
    render("shift-save");
  }
}

// rota.overlap names the shift in the way (the error's structured "conflict", never parsed
// from the message): who, which shift, and when, so it can be found in the grid or the list.
function overlapText(error) {
  const c = error?.body?.error?.code === "rota.overlap" ? error.body.error.conflict : null;
  if (!c) return "";
  const when = c.date
    ? `lisävuoro ${formatDate(c.date).toLowerCase()} ${shiftTimes(c, " (seur. päivänä)")}`
    : `viikkovuoro joka ${WEEKDAYS[c.weekday].toLowerCase()} ${shiftTimes(c, " (seur. päivänä)")}`;
  return `Vastaajalla ${nameOf(c.responder_id)} on jo päällekkäinen vuoro: ${when} (${ROLE_LABELS[c.role] || c.role}). Muuta aikaa tai vastaajia, tai muokkaa sitä vuoroa ensin.`;
}

async function deleteShift(shift) {
  if (!window.confirm("Poistetaanko vuoro?")) return;
  try {
    await send("DELETE", `/api/rota/shifts/${shift.id}`);
    if (view.shift.id === shift.id) view.shift = newShift();
    view.done = "Vuoro poistettu.";
    await reload();
    announce(view.done);
  } catch (error) {
    view.shiftError = errorText(error);
    render();
  }
}

// --- the closure form ---------------------------------------------------------------------

// Closed hours are within one day; the shift form's "päättyy seuraavana päivänä" is not here.
// "Suljettu asti" 00:00 means to midnight, the end of that day (the server reads it so).
const CLOSURE_ERRORS = {
  "rota.closure_exists": "Sama suljettu aika on jo listalla.",
  "rota.end_before_start": "”Suljettu asti” on ennen alkuaikaa. Suljettu aika on saman päivän sisällä: päivän loppuun asti suljettu päättyy 00:00 (keskiyöllä). Jos kiinni ollaan yli keskiyön, lisää seuraavalle päivälle oma suljettu aika.",
};

// Closed hours to midnight read "18:00–24:00", like a shift to midnight.
function closureTimes(closure) {
  if (!closure.starts) return "koko päivä";
  const toMidnight = minutes(closure.ends) === 0 && minutes(closure.starts) > 0;
  return `${hhmm(closure.starts)}–${toMidnight ? "24:00" : hhmm(closure.ends)}`;
}

function editClosure(closure) {
  view.closure = { id: closure.id, date: closure.date, starts: hhmm(closure.starts), ends: hhmm(closure.ends), note: closure.note };
  view.closureError = "";
  render("closure-date");
}

function closureForm() {
  const d = view.closure;
  return el(
    "form",
    { id: "closure-form", class: "panel", onsubmit: saveClosure, "aria-labelledby": "closure-form-title" },
    el("h3", { id: "closure-form-title", text: d.id ? "Muokkaa suljettua aikaa" : "Suljettu päivä tai aika" }),
    field("Päivämäärä", input("closure-date", { type: "date", value: d.date, required: true, oninput: bind(d, "date") })),
    el("div", { class: "grid-form" },
      field("Suljettu alkaen", input("closure-starts", { type: "time", value: d.starts, oninput: bind(d, "starts") })),
      field("Suljettu asti", input("closure-ends", { type: "time", value: d.ends, oninput: bind(d, "ends") }))),
    el("p", { class: "hint", text: "Jätä kellonajat tyhjiksi, jos chat on suljettu koko päivän. ”Suljettu asti” 00:00 tarkoittaa keskiyöhön asti (päivän loppuun)." }),
    field("Selite (ei näy nuorelle)", input("closure-note", { value: d.note, maxlength: "200", oninput: bind(d, "note") })),
    errorLine("closure-error", view.closureError),
    el("div", { class: "buttons" },
      el("button", { type: "submit", class: "primary", id: "closure-save", text: d.id ? "Tallenna" : "Lisää suljettu aika" }),
      d.id ? button("Peru muokkaus", () => { view.closure = newClosure(); view.closureError = ""; render("closure-date"); }) : null),
  );
}

async function saveClosure(event) {
  event.preventDefault();
  const d = view.closure;
  const body = { date: d.date, note: d.note };
  if (d.starts) body.starts = d.starts;
  if (d.ends) body.ends = d.ends;
  try {
    if (d.id) await send("PUT", `/api/rota/closures/${d.id}`, body);
    else await send("POST", "/api/rota/closures", body);
    view.done = "Suljettu aika tallennettu.";
    view.closure = newClosure();
    view.closureError = "";
    await reload();
    announce(view.done);
  } catch (error) {
    view.closureError = errorText(error, CLOSURE_ERRORS);
    render("closure-save");
  }
}

async function deleteClosure(closure) {
  if (!window.confirm("Poistetaanko suljettu aika?")) return;
  try {
    await send("DELETE", `/api/rota/closures/${closure.id}`);
    if (view.closure.id === closure.id) view.closure = newClosure();
    view.done = "Suljettu aika poistettu.";
    await reload();
    announce(view.done);
  } catch (error) {
    view.closureError = errorText(error, CLOSURE_ERRORS);
    render();
  }
}
