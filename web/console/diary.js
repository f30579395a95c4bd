// The contact-diary form in the responder console (docs/statistics.md). Codes and Finnish
// labels come from GET /api/diary/taxonomy; the form posts exactly the fields the API takes
// to POST /api/diary/records/{chat_id}. Pending records (GET /api/diary/pending) stay in view
// with a count and a reminder until filed, also after a reload. The console re-renders its
// whole tree on every frame, so every choice lives in this module's model, never in the DOM.
import { el } from "../common/socket.js";

const MAX_CONCERNS = 3;
const SINGLE = [
  ["contact_type", "Yhteydenoton tyyppi"],
  ["outcome", "Miten chat päättyi"],
  ["caller", "Kuka otti yhteyttä"],
  ["age_band", "Ikäryhmä"],
];
// Where each field of the API's body is on the form: its Finnish name, the control that gets
// the focus and the message, the form's key for it (``dim``).
const FIELDS = {
  contact_type: { label: "Yhteydenoton tyyppi", dim: "contact_type" },
  outcome: { label: "Miten chat päättyi", dim: "outcome" },
  caller: { label: "Kuka otti yhteyttä", dim: "caller" },
  age_band: { label: "Ikäryhmä", dim: "age_band" },
  concerns: { label: "Huolet", dim: "concern" },
  concern_level: { label: "Huolen aste", dim: "level" },
  cp_concern: { label: "Lastensuojelullinen huoli", dim: "cp" },
  emergency_actions: { label: "Hätätoimenpiteet", dim: "emergency_action" },
  referrals: { label: "Ohjaukset", dim: "referral" },
};
// A rule the server refused names no field: the field it is about.
const RULE_FIELD = {
  "diary.concern_count": "concern",
  "diary.primary_concern": "primary",
  "diary.level_needs_referral": "referral",
  "diary.level_needs_emergency": "emergency_action",
  "diary.none_not_alone": "referral",
  "diary.referral_how": "how",
};
const ERRORS_FI = {
  "diary.missing_field": "Jokin pakollinen kohta puuttuu.",
  "diary.concern_count": "Valitse enintään kolme huolta.",
  "diary.primary_concern": "Merkitse yksi huolista pääasialliseksi.",
  "diary.level_needs_referral": "Huolen aste 2–3 vaatii ohjauksen (tai valinnan ”Ei ohjausta”).",
  "diary.level_needs_emergency": "Huolen aste 3 vaatii hätätoimenpiteen.",
  "diary.none_not_alone": "”Ei ohjausta” tai ”Ei toimenpidettä” ei voi olla muiden valintojen kanssa.",
  "diary.referral_how": "Kerro jokaisesta ohjauksesta, miten se annettiin.",
  "diary.already_filed": "Tämän chatin lomake on jo tallennettu.",
  "diary.not_your_chat": "Vain chatin vastaaja voi täyttää sen lomakkeen.",
  "diary.no_form": "Tästä chatista ei tarvita lomaketta.",
};

function emptyForm() {
  return { single: {}, concerns: [], primary: null, level: null, cp: null, emergency: [], referrals: new Map() };
}

// A half-filled form is kept per chat in this tab's sessionStorage, so "Täytä myöhemmin", a
// reload or another form in between loses no choice. It holds codes only: the form has no
// free text, and nothing of the conversation. Logging out clears it (clearDrafts).
const DRAFTS_KEY = "chatsupport.diaryDrafts";

function loadDrafts() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(DRAFTS_KEY) || "{}");
    return new Map(Object.entries(saved).map(([chatId, form]) => [chatId, { ...emptyForm(), ...form, referrals: new Map(form.referrals || []) }]));
  } catch {
    return new Map();
  }
}

function saveDrafts(drafts) {
  const plain = {};
  for (const [chatId, form] of drafts) plain[chatId] = { ...form, referrals: [...form.referrals] };
  try {
    sessionStorage.setItem(DRAFTS_KEY, JSON.stringify(plain));
  } catch {
    // storage full or refused: the form still works, only the draft is not kept
  }
}

export function clearDrafts() {
  sessionStorage.removeItem(DRAFTS_KEY);
}

export class Diary {
  constructor({ api, rerender, announce, onFiled }) {
    this.api = api;
    this.onFiled = onFiled; // (answer) => void: a heavy expert record may have asked a debrief
    this.rerender = rerender;
    this.announce = announce;
    this.terms = null; // dimension -> [{code, label}] (current codes only)
    this.pending = []; // [{chat_id, ended_at}]
    this.openId = null;
    this.form = emptyForm();
    this.drafts = loadDrafts(); // chat_id -> form, for forms left half-filled
    this.error = null;
    this.errorAt = null; // the form key (dim) the error is about, shown next to it
    this.errorCode = null;
    this.busy = false;
  }

  // Load the code lists once and the pending records now (sign-in, reload, chat end, filing).
  async refresh({ open = null } = {}) {
    try {
      if (!this.terms) this.terms = groupTerms(await this.api("/api/diary/taxonomy"));
      this.pending = (await this.api("/api/diary/pending")).pending;
    } catch {
      return; // the reminder comes back with the next refresh
    }
    this.forgetFiledDrafts();
    if (open && !this.openId && this.pending.some((p) => p.chat_id === open)) this.start(open, { focus: this.focusOnOpen });
    if (this.openId && !this.pending.some((p) => p.chat_id === this.openId)) this.openId = null;
    this.rerender();
  }

  // A chat of ours ended: its record is pending now; show its form unless one is open. The
  // form takes the focus only when ``focus`` (the responder ended this chat herself, and is
  // not typing elsewhere): keystrokes meant for a young person must never pick diary options.
  chatEnded(chatId, { focus = false } = {}) {
    this.focusOnOpen = focus;
    this.refresh({ open: chatId });
  }

  start(chatId, { focus = true } = {}) {
    this.openId = chatId;
    this.form = this.drafts.get(chatId) || emptyForm();
    this.drafts.set(chatId, this.form);
    this.setError(null);
    this.rerender();
    const active = document.activeElement;
    const typing = active?.tagName === "TEXTAREA" || (active?.tagName === "INPUT" && active.type === "text");
    if (focus && !typing) document.getElementById("diary-contact_type")?.focus();
  }

  /** A choice changed: the open form is kept as it is now. */
  keep() {
    if (this.openId) saveDrafts(this.drafts);
  }

  /** Drafts of records no longer pending (filed here or in another tab) go. */
  forgetFiledDrafts() {
    const pending = new Set(this.pending.map((p) => p.chat_id));
    let dropped = false;
    for (const chatId of this.drafts.keys()) {
      if (!pending.has(chatId) && chatId !== this.openId) dropped = this.drafts.delete(chatId);
    }
    if (dropped) saveDrafts(this.drafts);
  }

  /** "Täytä myöhemmin": the form closes, the focus goes to its "Täytä lomake" in the list. */
  later() {
    const chatId = this.openId;
    this.openId = null;
    this.rerender();
    document.querySelector(`[data-focus-key="fill:${chatId}"]`)?.focus();
  }

  setError(text, at = null, code = null) {
    this.error = text;
    this.errorAt = text ? at : null;
    this.errorCode = text ? code : null;
  }

  /** The message next to its field (the one the server named), or null. */
  fieldError(dim) {
    if (!this.error || this.errorAt !== dim) return null;
    return el("p", { id: `diary-error-${dim}`, class: "error field-error", text: this.error });
  }

  /** A choice of ``dim`` changed: an error about it is mended (or the next save says again). */
  changed(dim) {
    if (this.errorAt === dim) this.setError(null);
  }

  view() {
    if (!this.pending.length) return null;
    const count = this.pending.length;
    return el(
      "section",
      { id: "diary", class: "diary", "aria-labelledby": "diary-title" },
      el("h2", { id: "diary-title", text: `Täyttämättömät tilastolomakkeet (${count})` }),
      el("p", { class: "reminder", text: "Täytä tilastolomake jokaisesta päättyneestä chatista. Lomakkeessa on vain valintoja, ei vapaata tekstiä." }),
      el("ul", { id: "diary-pending" }, ...this.pending.map((p) => this.pendingItem(p))),
      this.openId && this.terms ? this.formView() : null,
    );
  }

  pendingItem(p) {
    const ended = new Date(p.ended_at).toLocaleString("fi-FI", { day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" });
    const label = `Chat ${p.chat_id.slice(0, 6)}, päättyi ${ended}`;
    const open = p.chat_id === this.openId;
    return el(
      "li",
      { "data-chat": p.chat_id },
      el("span", { text: label }),
      open ? el("span", { class: "muted", text: " – lomake auki alla" })
        : el("button", { type: "button", class: "fill", "data-focus-key": `fill:${p.chat_id}`, onclick: () => this.start(p.chat_id), text: "Täytä lomake", "aria-label": `Täytä lomake: ${label}` }),
    );
  }

  formView() {
    const f = this.form;
    return el(
      "form",
      // change events bubble here after each control's own handler: the draft is kept
      { id: "diary-form", "aria-labelledby": "diary-form-title", onsubmit: (e) => { e.preventDefault(); this.submit(); }, onchange: () => this.keep() },
      el("h3", { id: "diary-form-title", text: `Tilastolomake: chat ${this.openId.slice(0, 6)}` }),
      el("div", { class: "diary-grid" }, ...SINGLE.map(([dim, label]) => this.select(dim, label))),
      this.checks("concern", "Huolet (1–3)", f.concerns, (code, on) => this.toggleConcern(code, on)),
      f.concerns.length || this.errorAt === "primary" ? this.radios("primary", "Pääasiallinen huoli", f.concerns.map((c) => [c, this.label("concern", c)]), f.primary, (v) => (f.primary = v)) : null,
      this.radios("level", "Huolen aste", this.options("concern_level").map(([c, text]) => [c, `${c} – ${text}`]), f.level === null ? null : String(f.level), (v) => (f.level = Number(v))),
      this.radios("cp", "Lastensuojelullinen huoli", [["yes", "Kyllä"], ["no", "Ei"]], f.cp, (v) => (f.cp = v)),
      this.checks("emergency_action", "Hätätoimenpiteet", f.emergency, (code, on) => toggle(f.emergency, code, on)),
      this.checks("referral", "Ohjaukset", [...f.referrals.keys()], (code, on) => (on ? f.referrals.set(code, "") : f.referrals.delete(code))),
      ...[...f.referrals.keys()].filter((c) => c !== "NONE").map((c) => this.howSelect(c)),
      this.error ? el("p", { id: "diary-error", class: "error", role: "alert", text: this.errorAt ? `Lomaketta ei tallennettu: ${this.error}` : this.error }) : null,
      el("div", { class: "actions" },
        el("button", { id: "diary-submit", class: "primary", type: "submit", disabled: this.busy, text: "Tallenna lomake" }),
        el("button", { type: "button", "data-focus-key": "diary-later", onclick: () => this.later(), text: "Täytä myöhemmin" })),
    );
  }

  options(dim) {
    return (this.terms[dim] || []).map((t) => [t.code, t.label]);
  }

  label(dim, code) {
    return (this.terms[dim] || []).find((t) => t.code === code)?.label || code;
  }

  select(dim, label) {
    const id = `diary-${dim}`;
    const current = this.form.single[dim] || "";
    const error = this.fieldError(dim);
    return el(
      "div",
      { class: `field${error ? " invalid" : ""}` },
      el("label", { for: id, text: label }),
      el("select", { id, "aria-invalid": error ? "true" : null, "aria-describedby": error ? `diary-error-${dim}` : null,
        onchange: (e) => { this.form.single[dim] = e.target.value; if (this.errorAt === dim) { this.changed(dim); this.rerender(); } } },
        el("option", { value: "", text: "Valitse…" }),
        ...this.options(dim).map(([code, text]) => el("option", { value: code, selected: code === current, text }))),
      error,
    );
  }

  checks(dim, legend, chosen, onToggle) {
    const error = this.fieldError(dim);
    const boxes = this.options(dim).map(([code, text]) => {
      const id = `diary-${dim}-${code}`;
      return el("div", { class: "choice" },
        el("input", { id, type: "checkbox", checked: chosen.includes(code), "aria-invalid": error ? "true" : null,
          onchange: (e) => { if (dim !== "concern") this.changed(dim); onToggle(code, e.target.checked); this.rerender(); } }),
        el("label", { for: id, text }));
    });
    return el("fieldset", { id: `diary-field-${dim}`, class: `choices${error ? " invalid" : ""}`, "aria-describedby": error ? `diary-error-${dim}` : null },
      el("legend", { text: legend }), error, ...boxes);
  }

  radios(name, legend, options, current, onPick) {
    const error = this.fieldError(name);
    const items = options.map(([value, text]) => {
      const id = `diary-${name}-${value}`;
      return el("div", { class: "choice" },
        el("input", { id, type: "radio", name: `diary-${name}`, value, checked: value === current, "aria-invalid": error ? "true" : null,
          onchange: () => { this.changed(name); onPick(value); this.rerender(); } }),
        el("label", { for: id, text }));
    });
    return el("fieldset", { id: `diary-field-${name}`, class: `choices${error ? " invalid" : ""}`, "aria-describedby": error ? `diary-error-${name}` : null },
      el("legend", { text: legend }), error, ...items);
  }

  howSelect(code) {
    const id = `diary-how-${code}`;
    const current = this.form.referrals.get(code);
    const error = !current ? this.fieldError("how") : null; // on each referral still without a "how"
    return el("div", { class: `field${error ? " invalid" : ""}` },
      el("label", { for: id, text: `Miten ohjattiin: ${this.label("referral", code)}` }),
      el("select", { id, "aria-invalid": error ? "true" : null, "aria-describedby": error ? `diary-error-how-${code}` : null,
        onchange: (e) => {
          this.form.referrals.set(code, e.target.value);
          if (this.errorAt === "how" && ![...this.form.referrals].some(([c, how]) => c !== "NONE" && !how)) { this.changed("how"); this.rerender(); }
        } },
        el("option", { value: "", text: "Valitse…" }),
        ...this.options("referral_how").map(([v, text]) => el("option", { value: v, selected: v === current, text }))),
      error ? Object.assign(error, { id: `diary-error-how-${code}` }) : null);
  }

  toggleConcern(code, on) {
    const f = this.form;
    if (on && f.concerns.length >= MAX_CONCERNS) {
      this.setError("Valitse enintään kolme huolta.", "concern", "diary.concern_count");
      return;
    }
    if (this.errorAt === "concern") this.setError(null); // within the limit again, or one ticked
    toggle(f.concerns, code, on);
    if (!f.concerns.includes(f.primary)) f.primary = f.concerns.length === 1 ? f.concerns[0] : null;
    if (f.concerns.length === 1) f.primary = f.concerns[0];
  }

  body() {
    const f = this.form;
    const body = {};
    for (const [dim] of SINGLE) if (f.single[dim]) body[dim] = f.single[dim];
    if (f.concerns.length) body.concerns = f.concerns.map((code) => ({ code, primary: code === f.primary }));
    if (f.level !== null) body.concern_level = f.level;
    if (f.cp) body.cp_concern = f.cp === "yes";
    if (f.emergency.length) body.emergency_actions = [...f.emergency];
    if (f.referrals.size) {
      body.referrals = [...f.referrals].map(([code, how]) => (how ? { code, how } : { code }));
    }
    return body;
  }

  async submit() {
    const chatId = this.openId;
    this.busy = true;
    this.setError(null);
    this.rerender();
    try {
      const filed = await this.api(`/api/diary/records/${encodeURIComponent(chatId)}`, { method: "POST", body: JSON.stringify(this.body()) });
      this.openId = null;
      this.drafts.delete(chatId);
      saveDrafts(this.drafts);
      this.announce("Tilastolomake tallennettu.");
      this.onFiled?.(filed);
    } catch (error) {
      this.refused(error.body?.error);
    } finally {
      this.busy = false;
    }
    await this.refresh(); // a filed record leaves the pending list; an error stays in view
    if (this.errorAt) this.focusError();
  }

  /** The server's refusal, next to the field it names ("cp_concern is required at level 2
   * and 3.", or a ``field`` in the body) and in Finnish. */
  refused(body) {
    const code = body?.code;
    const named = body?.field || /^([a-z_]+)/.exec(body?.message || "")?.[1];
    const field = FIELDS[named];
    if (code === "diary.missing_field" && field) {
      this.setError(`Valitse kohta ”${field.label}”.`, field.dim, code);
    } else if (RULE_FIELD[code]) {
      this.setError(ERRORS_FI[code], RULE_FIELD[code], code);
    } else if (field && code === "diary.bad_field") {
      this.setError(`Tarkista kohta ”${field.label}”.`, field.dim, code);
    } else {
      this.setError(ERRORS_FI[code] || body?.message || "Tallennus epäonnistui. Yritä uudelleen.", null, code);
    }
  }

  /** After a refused save the focus goes to the field to mend (its first control). */
  focusError() {
    const at = this.errorAt;
    const node = document.getElementById(`diary-${at}`)
      || document.querySelector(`#diary-field-${at} input`)
      || document.querySelector(`#diary-error-how-${[...this.form.referrals].find(([c, how]) => c !== "NONE" && !how)?.[0]}`)?.previousElementSibling;
    node?.focus();
  }
}

function toggle(list, code, on) {
  const at = list.indexOf(code);
  if (on && at < 0) list.push(code);
  if (!on && at >= 0) list.splice(at, 1);
}

function groupTerms(terms) {
  const groups = {};
  for (const term of terms) {
    if (term.retired) continue;
    (groups[term.dimension] ||= []).push({ code: term.code, label: term.labels.fi || term.code });
  }
  return groups;
}
