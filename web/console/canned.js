// Canned replies in the responder console: a picker per chat that inserts the chosen text,
// in the chat's language, into that chat's reply box (the responder edits it and sends).
// The coordinator keeps the replies (/api/canned); the list is loaded once at sign-in.
import { el } from "../common/socket.js";

export class Canned {
  constructor({ api, drafts, rerender }) {
    this.api = api;
    this.drafts = drafts; // chat_id -> the reply box's text (the console's own map)
    this.rerender = rerender;
    this.replies = [];
  }

  async load() {
    try {
      this.replies = await this.api("/api/canned");
    } catch {
      this.replies = [];
    }
    this.rerender();
  }

  // A labelled select for one chat, or nothing when there is no reply in its language.
  picker(chatId, lang) {
    const mine = this.replies.filter((r) => r.lang === lang);
    if (!mine.length) return null;
    const id = `canned-${chatId}`;
    return el(
      "div",
      { class: "canned" },
      el("label", { for: id, text: `Valmis vastaus (${lang.toUpperCase()})` }),
      el(
        "select",
        { id, onchange: (e) => this.insert(chatId, mine.find((r) => String(r.id) === e.target.value)) },
        el("option", { value: "", text: "Valitse lisättävä teksti…" }),
        ...mine.map((r) => el("option", { value: String(r.id), text: r.title })),
      ),
    );
  }

  insert(chatId, reply) {
    if (!reply) return;
    const draft = this.drafts.get(chatId) || "";
    this.drafts.set(chatId, draft ? `${draft.trimEnd()} ${reply.text}` : reply.text);
    this.rerender();
    const box = document.getElementById(`draft-${chatId}`);
    box?.focus();
    box?.setSelectionRange(box.value.length, box.value.length); // go on writing after the text
  }
}
