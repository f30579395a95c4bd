// Debrief after a heavy chat in the responder console (docs/architecture.md, "Debrief"). The
// expert sees their requests and who will contact them, and can ask at any time ("Pyydä
// purkua"); a professional asked sees the request and answers "Otan yhteyttä". The list is
// read from GET /api/debriefs after every welcome; `debrief` frames keep it current, and the
// console reads it every minute too: a request the backup leaves unanswered for 15 minutes
// opens to every professional without any event, and an answer announced while the broker
// was down still reaches the expert.
import { el } from "../common/socket.js";
import { who } from "./support.js";

const POLL_MS = 60_000;
const REASON = { heavy_chat: "raskas keskustelu", asked: "pyysi itse" };
const ERRORS = {
  "debrief.answered": "Toinen ammattilainen ehti jo vastata purkupyyntöön.",
  "debrief.not_yours": "Tätä purkupyyntöä ei osoitettu sinulle.",
  "debrief.not_found": "Purkupyyntöä ei enää ole.",
};

function sentence(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function clock(iso) {
  return new Date(iso).toLocaleTimeString("fi-FI", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" });
}

export class Debriefs {
  constructor({ api, rerender, announce, me }) {
    this.api = api;
    this.rerender = rerender;
    this.announce = announce;
    this.me = me; // () => the signed-in responder ({id, role, display_name})
    this.mine = new Map(); // an expert's own requests: id -> debrief
    this.toAnswer = new Map(); // a professional's open requests: id -> debrief
    this.error = null;
    this.busy = false;
    this.loaded = false;
    this.timer = null;
  }

  /** Everything as the server has it now (after every welcome: nothing hangs on a frame). */
  async load() {
    const known = new Set(this.toAnswer.keys());
    try {
      const { mine, to_answer: toAnswer } = await this.api("/api/debriefs");
      this.mine = new Map(mine.map((d) => [d.id, d]));
      this.toAnswer = new Map(toAnswer.map((d) => [d.id, d]));
    } catch {
      return; // the next welcome or poll reads it again
    }
    if (this.loaded) for (const d of this.toAnswer.values()) if (!known.has(d.id)) this.announce(`Purkupyyntö: ${who(d.expert)}.`);
    this.loaded = true;
    const answers = ["professional", "experience_expert"].includes(this.me()?.role);
    if (answers && !this.timer) this.timer = setInterval(() => this.load(), POLL_MS);
    this.rerender();
  }

  /** A `debrief` frame: a request was made or answered. True when it was one. */
  handle(frame) {
    if (frame.type !== "debrief") return false;
    this.update(frame.debrief);
    return true;
  }

  /** The diary's answer: an expert's heavy record asked for a debrief. */
  filed(response) {
    if (response?.debrief) this.update(response.debrief);
  }

  update(debrief) {
    const me = this.me();
    if (debrief.expert.id === me.id) {
      const known = this.mine.get(debrief.id);
      this.mine.set(debrief.id, debrief);
      if (!known) this.announce(`Purkua pyydetty: ${this.askedOf(debrief)}.`);
      else if (debrief.answered_by && !known.answered_by) this.announce(`${who(debrief.answered_by)} ottaa sinuun yhteyttä purkua varten.`);
    } else if (debrief.answered_at) {
      this.toAnswer.delete(debrief.id);
    } else if (me.role === "professional" && !this.toAnswer.has(debrief.id)) {
      this.toAnswer.set(debrief.id, debrief);
      this.announce(`Purkupyyntö: ${who(debrief.expert)}.`);
    }
  }

  async ask() {
    await this.call("/api/debriefs");
  }

  async answer(id) {
    await this.call(`/api/debriefs/${id}/answer`, id);
  }

  async call(path, answering = null) {
    this.busy = true;
    this.error = null;
    this.rerender();
    try {
      this.update(await this.api(path, { method: "POST" }));
    } catch (error) {
      const code = error.body?.error?.code;
      this.error = ERRORS[code] || error.body?.error?.message || "Pyyntö epäonnistui. Yritä uudelleen.";
      if (answering && code) this.toAnswer.delete(answering); // answered or gone: not mine to answer
      this.announce(this.error);
    } finally {
      this.busy = false;
      this.rerender();
    }
  }

  askedOf(debrief) {
    return debrief.backup ? who(debrief.backup) : "vuorossa olevat ammattilaiset";
  }

  view() {
    const role = this.me()?.role;
    if (role === "experience_expert") return this.expertView();
    if (role === "professional" && (this.toAnswer.size || this.error)) return this.professionalView();
    return null;
  }

  expertView() {
    const items = [...this.mine.values()].reverse().map((d) =>
      el("li", { class: d.answered_by ? "debrief answered" : "debrief" },
        el("span", { text: `Purku pyydetty klo ${clock(d.requested_at)} (${REASON[d.reason]}). ` }),
        d.answered_by
          ? el("strong", { text: `${sentence(who(d.answered_by))} ottaa sinuun yhteyttä (klo ${clock(d.answered_at)}).` })
          : el("span", { text: `Pyyntö lähti: ${this.askedOf(d)}. Odottaa vastausta.` })));
    const heavy = [...this.mine.values()].some((d) => d.reason === "heavy_chat" && !d.answered_by);
    return el("section", { id: "debriefs", class: "debriefs", "aria-labelledby": "debriefs-title" },
      el("h2", { id: "debriefs-title", text: "Purku" }),
      heavy ? el("p", { text: "Raskaan keskustelun jälkeen puretaan aina ammattilaisen kanssa. Pyyntö lähti automaattisesti." }) : null,
      items.length ? el("ul", {}, ...items) : null,
      this.error ? el("p", { class: "error", role: "alert", text: this.error }) : null,
      el("button", { id: "debrief-ask", type: "button", disabled: this.busy, onclick: () => this.ask(), text: "Pyydä purkua" }));
  }

  professionalView() {
    const items = [...this.toAnswer.values()].map((d) =>
      el("li", { class: "debrief-request", "data-debrief": String(d.id) },
        el("span", { text: `${who(d.expert)} pyytää purkua (${REASON[d.reason]}) · klo ${clock(d.requested_at)}` }),
        el("button", { class: "primary debrief-answer", type: "button", "data-focus-key": `debrief-answer:${d.id}`, disabled: this.busy, onclick: () => this.answer(d.id), text: "Otan yhteyttä" })));
    return el("section", { id: "debriefs", class: "debriefs", "aria-labelledby": "debriefs-title" },
      el("h2", { id: "debriefs-title", text: "Purkupyynnöt" }),
      this.error ? el("p", { class: "error", role: "alert", text: this.error }) : null,
      items.length ? el("ul", {}, ...items) : null);
  }
}
