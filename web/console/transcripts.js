// A professional's ended chats (docs/architecture.md, "Reading an ended chat"): read one again,
// for example to write a child-protection report, and delete it once the matter is documented
// in the official system. Read on demand from GET /api/transcripts (every read is audited);
// experience experts and coordinators do not get this section (the server refuses them too).
import { el } from "../common/socket.js";
import { messageItem, who } from "./support.js";

// holder: held it at the end; backup: asked to back up; before: answered before a hand-over
const ROLE_IN_CHAT = { holder: "vastasit", backup: "olit tukena", before: "vastasit ennen siirtoa" };
const ERRORS = { "transcript.not_found": "Keskustelua ei enää ole (se on poistettu tai sen säilytysaika päättyi)." };

function when(iso) {
  const zone = "Europe/Helsinki";
  const d = new Date(iso);
  return `${d.toLocaleDateString("fi-FI", { day: "numeric", month: "numeric", timeZone: zone })} klo ${d.toLocaleTimeString("fi-FI", { hour: "2-digit", minute: "2-digit", timeZone: zone })}`;
}

export class Transcripts {
  constructor({ api, rerender, announce, me }) {
    this.api = api;
    this.rerender = rerender;
    this.announce = announce;
    this.me = me;
    this.list = null; // null until asked for
    this.open = null; // the transcript being read: {chat, messages, notes}
    this.retentionDays = null;
    this.error = null;
  }

  async load() {
    this.error = null;
    try {
      this.list = await this.api("/api/transcripts");
      if (this.retentionDays === null) {
        this.retentionDays = (await this.api("/api/public/about?lang=fi")).transcript_retention_days;
      }
    } catch (error) {
      this.error = error.body?.error?.message || "Päättyneitä keskusteluja ei saatu. Yritä uudelleen.";
    }
    this.rerender();
  }

  async read(chatId) {
    try {
      this.open = await this.api(`/api/transcripts/${chatId}`);
      this.rerender();
      document.getElementById("transcript-title")?.focus();
    } catch (error) {
      this.fail(error);
    }
  }

  async remove(chatId) {
    if (!window.confirm("Onko asia kirjattu viralliseen järjestelmään? Keskustelun viestit ja muistiinpanot poistetaan nyt, eikä niitä voi palauttaa.")) return;
    try {
      await this.api(`/api/transcripts/${chatId}`, { method: "DELETE" });
      if (this.open?.chat.chat_id === chatId) this.open = null;
      this.announce("Keskustelu poistettu.");
      await this.load();
    } catch (error) {
      this.fail(error);
    }
  }

  fail(error) {
    const code = error.body?.error?.code;
    this.error = ERRORS[code] || error.body?.error?.message || "Pyyntö epäonnistui. Yritä uudelleen.";
    this.announce(this.error);
    this.rerender();
  }

  view() {
    if (this.me()?.role !== "professional") return null;
    const keep = this.retentionDays ? ` Ne poistuvat muutenkin ${this.retentionDays} päivän kuluttua chatin päättymisestä.` : "";
    return el("section", { id: "transcripts", class: "transcripts", "aria-labelledby": "transcripts-title" },
      el("h2", { id: "transcripts-title", text: "Päättyneet keskustelut" }),
      el("p", { class: "muted", text: `Voit lukea keskustelun uudelleen, esimerkiksi ilmoitusta varten. Kun asia on kirjattu viralliseen järjestelmään, poista keskustelu.${keep}` }),
      el("button", { id: "transcripts-load", type: "button", onclick: () => this.load(), text: this.list ? "Päivitä" : "Näytä päättyneet keskustelut" }),
      this.error ? el("p", { class: "error", role: "alert", text: this.error }) : null,
      this.list ? this.listView() : null,
      this.open ? this.transcriptView() : null);
  }

  listView() {
    if (!this.list.length) return el("p", { class: "muted", text: "Ei päättyneitä keskusteluja." });
    return el("ul", { id: "transcript-list" }, ...this.list.map((c) =>
      el("li", { class: "transcript", "data-chat": c.chat_id },
        el("span", { text: `Chat ${c.chat_id.slice(0, 6)} · ${c.lang.toUpperCase()} · päättyi ${when(c.ended_at)} · ${c.messages ? `${c.messages} viestiä` : c.had_messages ? "viestit poistettu" : "ei viestejä"} · ${ROLE_IN_CHAT[c.role_in_chat] || ""}` }),
        c.messages ? el("button", { class: "transcript-read", type: "button", "data-focus-key": `transcript-read:${c.chat_id}`, onclick: () => this.read(c.chat_id), text: "Lue" }) : null,
        c.messages ? el("button", { class: "transcript-delete", type: "button", "data-focus-key": `transcript-delete:${c.chat_id}`, onclick: () => this.remove(c.chat_id), text: "Kirjattu – poista" }) : null)));
  }

  transcriptView() {
    const { chat, messages, notes } = this.open;
    return el("article", { class: "chat transcript-view", "data-chat": chat.chat_id, "aria-labelledby": "transcript-title" },
      el("header", {}, el("h3", { id: "transcript-title", tabindex: "-1", text: `Chat ${chat.chat_id.slice(0, 6)} · ${chat.lang.toUpperCase()} · ${when(chat.opened_at)}–${when(chat.ended_at)}` }),
        el("button", { type: "button", onclick: () => { this.open = null; this.rerender(); }, text: "Sulje" })),
      el("ol", { class: "messages" }, ...messages.map((m) => messageItem(m, this.me()?.id, false))),
      notes.length
        ? el("div", { class: "notes" }, el("h4", { text: "Muistiinpanot (nuori ei nähnyt)" }),
            el("ul", { class: "note-list" }, ...notes.map((n) => el("li", { class: "note" }, el("span", { class: "who", text: `${who(n.author)}: ` }), el("span", { text: n.text })))))
        : null,
      el("button", { class: "transcript-delete", type: "button", onclick: () => this.remove(chat.chat_id), text: "Kirjattu – poista keskustelu" }));
  }
}
