// The backup rule and transfers in the responder console (docs/protocol.md, "Backup,
// escalation and transfer"): the expert's "Pyydä tukea" and backup presence; the backup's
// alert, read-only view of the chat with private notes, "Liity" and "Ota keskustelu";
// handing a chat to an on-duty colleague, who accepts or declines the offer.
// Notes never go to the youth: the server sends them only to consoles.
import { el, newClientId } from "../common/socket.js";

const ROLE = { professional: "ammattilainen", experience_expert: "kokemusasiantuntija", coordinator: "koordinaattori" };
const TRANSFER_STATUS = {
  offered: "Siirtoa tarjottu, odotetaan vastausta.",
  accepted: "Siirto hyväksyttiin.",
  declined: "Vastaanottaja kieltäytyi siirrosta.",
  expired: "Siirtotarjous vanheni.",
};

export const SUPPORT_ERRORS = {
  "support.not_expert": "Vain kokemusasiantuntija voi pyytää tukea.",
  "support.no_backup": "Tukihenkilösi ei ole paikalla, eikä yhtään ammattilaista ole nyt kirjautuneena. Soita tukihenkilölle tai koordinaattorille.",
  "support.taken": "Joku muu ehti jo tueksi, tai chat päättyi.",
  "support.not_backup": "Et ole tämän chatin tukihenkilö.",
  "transfer.self": "Chat on jo sinun.",
  "transfer.target_off_duty": "Valittu vastaaja ei ole nyt vuorossa.",
  "transfer.not_offered": "Siirtotarjous ei ole enää voimassa.",
};

// DOMAIN.md 3.5: the chat goes on when the backup drops out; say where support comes from now.
const BACKUP_AWAY = "Tukihenkilösi ei ole nyt paikalla. Jos tarvitset tukea, paina Pyydä tukea: pyyntö menee kaikille nyt kirjautuneille ammattilaisille.";
const STAND_IN_ASKED = "Tukihenkilösi ei ole paikalla: pyyntö lähti kaikille nyt kirjautuneille ammattilaisille.";
// The server asked for the expert when the backup left mid-chat (reason "backup_left").
const STAND_IN_AUTO = "Tukihenkilösi yhteys katkesi. Pyysimme puolestasi tukea kaikilta nyt kirjautuneilta ammattilaisilta.";
// After "Pyydä tukea" the button rests this long, so that a double click asks once; then the
// expert can ask again ("Pyydä tukea uudelleen": the server alerts the backup again).
const ASK_AGAIN_AFTER_MS = 3000;
const LANG_NAMES = { fi: "suomi (FI)", sv: "ruotsi (SV)", en: "englanti (EN)" };

export function who(person) {
  return `${ROLE[person.role] || person.role} ${person.name}`.trim();
}

/** ``who`` at the start of a sentence. */
function Who(person) {
  const text = who(person);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One message of a chat: the youth's, mine, or (with the backup in the chat) the other
 * adult's, named by role and name. A responder message with no author (stored before
 * messages had one) counts as mine in my own chat and as "Vastaaja" in a watched one. */
export function messageItem(m, meId, authorlessIsMine) {
  let mine = false;
  let label = "Nuori: ";
  if (m.sender !== "youth") {
    mine = m.author ? m.author.id === meId : authorlessIsMine;
    label = mine ? "Sinä: " : m.author ? `${who(m.author)}: ` : "Vastaaja: ";
  }
  const kind = m.sender === "youth" ? "youth" : mine ? "responder" : "responder colleague";
  return el("li", { class: `msg ${kind}` }, el("span", { class: "who", text: label }), el("span", { text: m.text }));
}

export class Support {
  constructor({ api, send, chats, rerender, announce, alert, focusAfter, me }) {
    this.api = api;
    this.focusAfter = focusAfter || (() => {}); // (id) => the focus goes there after the next render
    this.alert = alert || (() => {}); // ({title, body, key}) => a tone, a notification, the title flashes
    this.me = me; // () => the signed-in responder ({id, role, display_name})
    this.send = send; // (frame) => void
    this.chats = chats; // the console's own chats (chat_id -> chat)
    this.rerender = rerender;
    this.announce = announce;
    this.backupPresent = null; // experts only: is the backup's console connected
    this.asked = new Set(); // own chats where support was asked
    this.backups = new Map(); // own chat_id -> {role, name} backing me up, or null: stand-ins asked
    this.reasons = new Map(); // own chat_id -> why support was asked ("asked", "backup_left")
    this.askedAt = new Map(); // own chat_id -> {at, times}: when I last pressed "Pyydä tukea", how often
    this.resting = new Set(); // own chats whose "Pyydä tukea" was just pressed (ASK_AGAIN_AFTER_MS)
    this.standingIn = new Set(); // chats where I pressed "Toimi tukena": opened once it is mine
    this.notes = new Map(); // chat_id -> [note frames], own and watched chats
    this.alerts = new Map(); // chat_id -> support_alert frame (for the backup)
    this.watching = new Map(); // chat_id -> {lang, messages, lastSeq, joined, ended}
    this.offers = new Map(); // chat_id -> transfer frame offered to me
    this.lapsed = new Map(); // chat_id -> an offer to me that expired before I answered
    this.transfers = new Map(); // own chat_id -> status of my offer
    this.colleagues = null; // [{id, role, name}] while picking a transfer target
    this.picking = null; // own chat_id whose transfer target is being picked
    this.drafts = new Map(); // note and joined-chat drafts
  }

  /** After a reconnect: read the watched chats again (the server forgot this socket's views;
   * a backup who had joined joins again with "Liity"). */
  resume() {
    for (const [chatId, view] of this.watching) {
      if (view.ended) continue;
      view.joined = false;
      this.watch(chatId);
    }
  }

  /** Handle a frame of this module; true when the console must not handle it too. */
  handle(frame) {
    const handler = this[`on_${frame.type}`];
    return handler ? handler.call(this, frame) === true : false;
  }

  on_welcome(frame) {
    this.backupPresent = frame.backup_present ?? null;
    this.alerts.clear(); // re-sent after welcome for chats still asking
  }

  /** A holder's chat after a reload: support asked and the notes so far, as before it. */
  restore(frame) {
    if (frame.support_asked) {
      this.asked.add(frame.chat_id);
      this.backups.set(frame.chat_id, frame.support_backup || null);
      this.reasons.set(frame.chat_id, frame.support_reason || "asked");
    }
    if (frame.notes?.length) this.notes.set(frame.chat_id, frame.notes);
  }

  on_backup(frame) {
    this.backupPresent = frame.present;
    this.announce(frame.present ? "Tukihenkilö on paikalla." : "Tukihenkilö ei ole paikalla.");
  }

  on_support_requested(frame) {
    const auto = frame.reason === "backup_left";
    this.asked.add(frame.chat_id);
    this.backups.set(frame.chat_id, frame.backup || null); // null: stand-ins asked, nobody yet
    this.reasons.set(frame.chat_id, frame.reason || "asked");
    if (!auto) {
      const times = (this.askedAt.get(frame.chat_id)?.times || 0) + 1;
      this.askedAt.set(frame.chat_id, { at: new Date(), times });
    }
    const to = frame.backup ? `: ${who(frame.backup)}` : "";
    this.announce(auto ? STAND_IN_AUTO : frame.stand_in ? STAND_IN_ASKED : `Tukipyyntö lähetetty tukihenkilölle${to}.`);
    return true;
  }

  on_support_alert(frame) {
    const before = this.alerts.get(frame.chat_id);
    // "Toimi tukena" answered (here or in my other tab): the alert comes back as the chat's
    // backup. That is my own answer, not a new request: no tone.
    const answered = Boolean(before?.stand_in && !frame.stand_in);
    const alert = { ...frame, stoodIn: !frame.stand_in && Boolean(answered || before?.stoodIn) };
    this.alerts.set(frame.chat_id, alert);
    if (answered) {
      this.announce(`Toimit tukena: ${who(frame.expert)}.`);
      if (this.standingIn.delete(frame.chat_id) && !this.watching.has(frame.chat_id)) {
        this.focusAfter(`watched-messages-${frame.chat_id}`);
        this.watch(frame.chat_id); // the chat opens at once: the one who answered reads it
      }
      return true;
    }
    const again = before ? " uudelleen" : "";
    const text = frame.reason === "backup_left" && !before
      ? `${Who(frame.expert)} on chatissa ilman tukihenkilöä: tukihenkilön yhteys katkesi.`
      : `${Who(frame.expert)} pyytää tukea${again}.${frame.stand_in ? " Tukihenkilö ei ole paikalla." : ""}`;
    this.announce(text);
    // DOMAIN.md 3.1: the backup hears and sees the request, as a tag; the expert may ask again
    // (the server alerts the backup again), and that is alerted like the first request
    this.alert({ title: "Tukipyyntö", body: text, key: `support-${frame.chat_id}`, sticky: true });
    const view = this.watching.get(frame.chat_id);
    if (before && view) view.askedAgain = { expert: frame.expert, at: new Date() }; // shown in the open chat
    return true;
  }

  /** A refused "Pyydä tukea" or "Toimi tukena": the button is free again (console.js shows the error). */
  on_error(frame) {
    if (frame.ref && frame.code?.startsWith("support.")) {
      this.resting.delete(frame.ref);
      this.standingIn.delete(frame.ref);
    }
    return false;
  }

  /** A support request waits for me: an alert not yet opened (the title flashes for it). */
  asking() {
    return [...this.alerts.keys()].some((id) => !this.watching.has(id) && !this.chats.has(id));
  }

  /** Expert: a professional answered my request as the stand-in backup. */
  on_stand_in(frame) {
    this.backups.set(frame.chat_id, frame.backup);
    this.askedAt.delete(frame.chat_id); // my request went to everyone; this one answered it
    this.announce(`${who(frame.backup)} tukee sinua.`);
    return true;
  }

  /** Someone else stood in (or the chat ended): the alert goes. */
  on_support_taken(frame) {
    this.alerts.delete(frame.chat_id);
    // the chat changed hands: the support asked by its former holder ended with it
    const view = this.watching.get(frame.chat_id);
    if (view && !this.chats.has(frame.chat_id)) view.ended = "support_ended";
    return true;
  }

  on_watching(frame) {
    const view = this.watching.get(frame.chat_id) || { joined: false, ended: null };
    // joined: the backup had joined before a reload, and may write again
    Object.assign(view, { lang: frame.lang, messages: [], lastSeq: 0, joined: view.joined || Boolean(frame.joined) });
    this.watching.set(frame.chat_id, view);
    this.addMessages(view, frame.messages);
    this.notes.set(frame.chat_id, frame.notes);
    return true;
  }

  on_message(frame) {
    const view = this.watching.get(frame.chat_id);
    if (!view || this.chats.has(frame.chat_id)) return false;
    this.addMessages(view, [frame]);
    return true;
  }

  on_note(frame) {
    const list = this.notes.get(frame.chat_id) || [];
    if (!list.some((n) => n.id === frame.id)) list.push(frame);
    this.notes.set(frame.chat_id, list);
    this.announce(`Muistiinpano: ${who(frame.author)}`);
    return true;
  }

  on_joined(frame) {
    const view = this.watching.get(frame.chat_id);
    if (view && frame.responder) view.joinedBy = frame.responder;
    const chat = this.chats.get(frame.chat_id);
    if (chat) chat.joinedBy = frame.responder;
    return true;
  }

  on_handed_over(frame) {
    const chat = this.chats.get(frame.chat_id);
    if (chat) chat.ended = "handed_over";
    this.announce(`Chat siirtyi: ${who(frame.to)}.`);
    return true;
  }

  on_chat(frame) {
    // the chat became mine (take-over or accepted transfer): the console shows it as its own
    this.watching.delete(frame.chat_id);
    this.alerts.delete(frame.chat_id);
    return false;
  }

  on_ended(frame) {
    this.alerts.delete(frame.chat_id);
    this.offers.delete(frame.chat_id);
    const view = this.watching.get(frame.chat_id);
    if (!view || this.chats.has(frame.chat_id)) return false;
    view.ended = frame.reason;
    return true;
  }

  on_transfer(frame) {
    if (frame.offered_by && frame.status === "offered") {
      this.offers.set(frame.chat_id, frame);
      this.lapsed.delete(frame.chat_id);
      const text = `${Who(frame.offered_by)} tarjoaa sinulle chattia${offerDetails(frame)}.`;
      this.announce(text);
      this.alert({ title: "Siirtotarjous", body: text, key: `transfer-${frame.chat_id}`, sticky: true });
    } else if (this.offers.has(frame.chat_id)) {
      const offer = this.offers.get(frame.chat_id);
      this.offers.delete(frame.chat_id);
      if (frame.status === "expired") {
        const text = `Siirtotarjous vanheni: chat ${frame.chat_id.slice(0, 6)}, tarjosi ${who(offer.offered_by)}.`;
        this.lapsed.set(frame.chat_id, text);
        this.announce(text);
      }
    }
    if (this.chats.has(frame.chat_id)) this.transfers.set(frame.chat_id, frame.status);
    return true;
  }

  addMessages(view, messages) {
    for (const m of messages) {
      if (m.seq <= view.lastSeq) continue;
      view.lastSeq = m.seq;
      view.messages.push(m);
    }
  }

  // --- actions -------------------------------------------------------------------------

  /** "Pyydä tukea" (again): the button rests a moment, then asks again; a keyboard user who
   * pressed it finds the focus back on it. */
  ask(chatId, event) {
    if (this.resting.has(chatId)) return;
    const button = event?.currentTarget;
    const hadFocus = Boolean(button) && button === document.activeElement;
    this.resting.add(chatId);
    this.send({ type: "support", chat_id: chatId });
    this.rerender();
    setTimeout(() => {
      this.resting.delete(chatId);
      const active = document.activeElement;
      if (hadFocus && (!active || active === document.body)) this.focusAfter(`support-${chatId}`);
      this.rerender();
    }, ASK_AGAIN_AFTER_MS);
  }

  standIn(chatId) {
    this.standingIn.add(chatId);
    this.act("stand_in", chatId);
  }

  watch(chatId) {
    this.send({ type: "watch", chat_id: chatId });
  }

  act(type, chatId) {
    this.send({ type, chat_id: chatId });
  }

  sendNote(chatId) {
    const text = (this.drafts.get(`note-${chatId}`) || "").trim();
    if (!text) return;
    this.drafts.set(`note-${chatId}`, "");
    this.send({ type: "note", chat_id: chatId, text });
    this.rerender();
  }

  sendAsJoined(chatId) {
    const text = (this.drafts.get(`say-${chatId}`) || "").trim();
    if (!text) return;
    this.drafts.set(`say-${chatId}`, "");
    this.send({ type: "send", chat_id: chatId, client_id: newClientId(), text });
    this.rerender();
  }

  async pickTarget(chatId) {
    this.picking = chatId;
    try {
      this.colleagues = await this.api("/api/support/colleagues");
    } catch {
      this.colleagues = [];
    }
    this.rerender();
    // a keyboard user goes on to the choices (or to "Sulje" when there is nobody)
    document.querySelector(`[data-focus-key^="transfer-to:${chatId}:"], [data-focus-key="transfer-close:${chatId}"]`)?.focus();
  }

  offer(chatId, toId) {
    this.picking = null;
    this.send({ type: "transfer", chat_id: chatId, to: toId });
    this.closePicker(chatId);
  }

  /** The picker goes; the focus back to its "Siirrä toiselle". */
  closePicker(chatId) {
    this.picking = null;
    this.rerender();
    document.querySelector(`[data-focus-key="transfer:${chatId}"]`)?.focus();
  }

  answer(chatId, accept) {
    this.offers.delete(chatId);
    if (accept) this.accepted = chatId; // its reply box takes the focus when the chat arrives
    this.send({ type: "transfer_answer", chat_id: chatId, accept });
    this.rerender();
  }

  // --- views ---------------------------------------------------------------------------

  /** Backup presence in the status bar (experts on a shift only). */
  presence() {
    if (this.backupPresent === null) return null;
    if (this.backupPresent) return el("span", { id: "backup-presence", class: "ok", text: "Tukihenkilö paikalla" });
    // a stand-in who answered backs my open chats: say so here too, not only in the chat
    const standIns = [...new Set([...this.backups.entries()]
      .filter(([chatId, backup]) => backup && this.chats.has(chatId) && !this.chats.get(chatId).ended)
      .map(([, backup]) => who(backup)))];
    const text = standIns.length
      ? `Tukihenkilö ei ole paikalla; tukenasi nyt ${standIns.join(", ")}`
      : "Tukihenkilö ei ole paikalla";
    return el("span", { id: "backup-presence", class: standIns.length ? "ok" : "warn", text });
  }

  /** Alerts and transfer offers addressed to me, and chats I read as the backup. */
  view() {
    const alerts = [...this.alerts.values()]
      .filter((a) => !this.watching.has(a.chat_id) && !this.chats.has(a.chat_id))
      .map((a) => (a.stand_in ? this.standInAlert(a) :
        el("li", { class: "support-alert", "data-chat": a.chat_id },
          el("span", { text: `${backupAlertText(a)} · kieli ${a.lang.toUpperCase()}` }),
          el("button", { class: "primary watch", type: "button", "data-focus-key": `watch:${a.chat_id}`, onclick: () => { this.focusAfter(`watched-messages-${a.chat_id}`); this.watch(a.chat_id); }, text: "Avaa chat" }))),
      );
    const offers = [...this.offers.values()].map((o) =>
      el("li", { class: `transfer-offer${o.youth_urgent ? " urgent" : ""}`, "data-chat": o.chat_id },
        el("span", { text: `${Who(o.offered_by)} tarjoaa sinulle chattia${offerDetails(o)}.` }),
        el("span", { class: "offer-actions" },
          el("button", { class: "primary accept", type: "button", "data-focus-key": `accept:${o.chat_id}`, onclick: () => this.answer(o.chat_id, true), text: "Hyväksy" }),
          el("button", { class: "decline", type: "button", "data-focus-key": `decline:${o.chat_id}`, onclick: () => this.answer(o.chat_id, false), text: "Hylkää" }))),
    );
    const lapsed = [...this.lapsed].map(([chatId, text]) =>
      el("li", { class: "transfer-offer lapsed", "data-chat": chatId },
        el("span", { text }),
        el("button", { type: "button", class: "link", "data-focus-key": `lapsed:${chatId}`, onclick: () => { this.lapsed.delete(chatId); this.rerender(); }, text: "Sulje" })));
    const items = [...alerts, ...offers, ...lapsed];
    const watched = [...this.watching.entries()].map(([id, view]) => this.watchPanel(id, view));
    if (!items.length && !watched.length) return null;
    return el("section", { class: "support", "aria-label": "Tukipyynnöt ja siirrot" },
      items.length ? el("ul", { id: "support-alerts" }, ...items) : null, ...watched);
  }

  /** The expert's backup is not there: the first professional to answer stands in. */
  standInAlert(a) {
    const text = a.reason === "backup_left"
      ? `${Who(a.expert)} on chatissa ilman tukihenkilöä: tukihenkilön yhteys katkesi · kieli ${a.lang.toUpperCase()}`
      : `${Who(a.expert)} pyytää tukea, eikä hänen tukihenkilönsä ole paikalla · kieli ${a.lang.toUpperCase()}`;
    return el("li", { class: `support-alert stand-in${a.reason === "backup_left" ? " backup-left" : ""}`, "data-chat": a.chat_id },
      el("span", { text }),
      el("button", { class: "primary stand-in-accept", type: "button", "data-focus-key": `stand-in:${a.chat_id}`, onclick: () => this.standIn(a.chat_id), text: "Toimi tukena" }));
  }

  watchPanel(chatId, view) {
    const messages = view.messages.map((m) => messageItem(m, this.me()?.id, false));
    const actions = view.ended
      ? [el("p", { class: "ended", text: view.ended === "support_ended" ? "Tuki päättyi: chat siirtyi toiselle vastaajalle." : "Chat päättyi." }),
         el("button", { type: "button", "data-focus-key": `close-watched:${chatId}`, onclick: () => { this.watching.delete(chatId); this.rerender(); }, text: "Sulje" })]
      : [el("div", { class: "support-actions" },
          view.joined ? null : el("button", { class: "join", type: "button", "data-focus-key": `join:${chatId}`, onclick: () => { view.joined = true; this.focusAfter(`draft-say-${chatId}`); this.act("join", chatId); }, text: "Liity" }),
          el("button", { class: "primary take-over", type: "button", "data-focus-key": `take-over:${chatId}`, onclick: () => { this.accepted = chatId; this.act("take_over", chatId); }, text: "Ota keskustelu" })),
         view.joined ? this.form(`say-${chatId}`, "Viesti nuorelle", "Lähetä", () => this.sendAsJoined(chatId), true) : null];
    // why I read this chat, and a later "Pyydä tukea uudelleen" of the expert
    const alert = view.ended ? null : this.alerts.get(chatId);
    const again = view.askedAgain && !view.ended;
    const why = again || alert
      ? el("p", { class: `support-why${again ? " again" : ""}`,
          text: again ? `${Who(view.askedAgain.expert)} pyysi tukea uudelleen klo ${clock(view.askedAgain.at)}.` : `${backupAlertText(alert)}.` })
      : null;
    return el("article", { class: "chat watched", "data-chat": chatId, "aria-label": `Tuettava chat ${chatId.slice(0, 6)}` },
      el("header", {}, el("h3", { text: `Tuettava chat ${chatId.slice(0, 6)} · ${view.lang.toUpperCase()} · ${view.joined ? "liittynyt" : "vain luku"}` })),
      why,
      view.langNote && !view.ended ? el("p", { class: "lang-note", text: this.watchedLangNote(view.lang) }) : null,
      el("ol", { id: `watched-messages-${chatId}`, class: "messages", "data-scroll-key": `watched-${chatId}`, "data-focus-key": `watched-messages:${chatId}`, tabindex: "0", "aria-label": `Viestit, tuettava chat ${chatId.slice(0, 6)}` }, ...messages),
      this.notesView(chatId, !view.ended),
      ...actions);
  }

  /** The youth switched the language of a chat I back up (console.js sets ``langNote``): as
   * the holder's note, but the backup does not hand the chat on, the expert does. */
  watchedLangNote(lang) {
    const speaks = (this.me()?.languages || ["fi"]).includes(lang);
    return `Nuori vaihtoi kielen: ${LANG_NAMES[lang] || lang.toUpperCase()}.${speaks ? "" : " Et vastaa tällä kielellä."}`;
  }

  /** The tools inside one of my own chats: ask for support, notes, transfer. */
  chatTools(chatId, chat, isExpert) {
    if (chat.ended) return null;
    const status = this.transfers.get(chatId);
    const joined = chat.joinedBy ? el("p", { class: "joined", text: `Mukana myös: ${who(chat.joinedBy)}` }) : null;
    const standIn = this.backups.has(chatId) ? this.backupStatus(chatId)
      : isExpert && this.backupPresent === false ? el("p", { class: "backup-away", text: BACKUP_AWAY }) : null;
    const asked = this.asked.has(chatId);
    const resting = this.resting.has(chatId);
    return el("div", { class: "chat-tools" },
      joined,
      standIn,
      isExpert
        ? el("button", { id: `support-${chatId}`, class: "support-ask", type: "button", disabled: resting, onclick: (e) => this.ask(chatId, e),
            text: resting ? "Tukea pyydetty" : asked ? "Pyydä tukea uudelleen" : "Pyydä tukea" })
        : null,
      this.transferPicker(chatId),
      status ? el("p", { class: "transfer-status", role: "status", text: TRANSFER_STATUS[status] || status }) : null,
      asked || this.notes.has(chatId) ? this.notesView(chatId, true) : null);
  }

  /** Who backs the expert up, and who got her latest "Pyydä tukea" and when. */
  backupStatus(chatId) {
    const backup = this.backups.get(chatId);
    const mine = this.askedAt.get(chatId); // null: asked before a reload, or by the server
    const when = mine ? `${mine.times > 1 ? "Pyysit tukea uudelleen" : "Pyysit tukea"} klo ${clock(mine.at)}` : "";
    let text;
    if (backup) text = `Tukenasi: ${who(backup)}.${when ? ` ${when}: pyyntö lähti hänelle.` : ""}`;
    else if (when) text = `${when}. ${STAND_IN_ASKED}`;
    else text = this.reasons.get(chatId) === "backup_left" ? STAND_IN_AUTO : STAND_IN_ASKED;
    return el("p", { class: `stand-in-status${backup ? " ok" : ""}`, role: "status", text });
  }

  transferPicker(chatId) {
    if (this.picking !== chatId) {
      return el("button", { class: "transfer", type: "button", "data-focus-key": `transfer:${chatId}`, onclick: () => this.pickTarget(chatId), text: "Siirrä toiselle" });
    }
    const others = this.colleagues || [];
    if (!others.length) {
      return el("p", { class: "muted" }, "Kukaan muu ei ole nyt vuorossa. ",
        el("button", { type: "button", class: "link", "data-focus-key": `transfer-close:${chatId}`, onclick: () => this.closePicker(chatId), text: "Sulje" }));
    }
    return el("div", { class: "transfer-pick", role: "group", "aria-label": "Siirrä chat" },
      ...others.map((c) => el("button", { type: "button", class: "transfer-to", "data-responder": String(c.id), "data-focus-key": `transfer-to:${chatId}:${c.id}`, onclick: () => this.offer(chatId, c.id), text: `Siirrä: ${who(c)}` })),
      el("button", { type: "button", class: "link", "data-focus-key": `transfer-cancel:${chatId}`, onclick: () => this.closePicker(chatId), text: "Peruuta" }));
  }

  notesView(chatId, writable) {
    const list = (this.notes.get(chatId) || []).map((n) =>
      el("li", { class: "note" }, el("span", { class: "who", text: `${who(n.author)}: ` }), el("span", { text: n.text })),
    );
    return el("div", { class: "notes", "aria-label": "Muistiinpanot (nuori ei näe)" },
      el("h4", { text: "Muistiinpanot (nuori ei näe)" }),
      el("ul", { class: "note-list" }, ...list),
      writable ? this.form(`note-${chatId}`, "Muistiinpano", "Lähetä muistiinpano", () => this.sendNote(chatId)) : null);
  }

  /** A note or (``enterSends``: as in the console's own reply box) a message to the youth. */
  form(key, label, button, submit, enterSends = false) {
    const onkeydown = (e) => {
      if (enterSends && e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        submit();
      }
    };
    return el("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); submit(); } },
      el("textarea", { id: `draft-${key}`, rows: "2", "aria-label": label, oninput: (e) => this.drafts.set(key, e.target.value), onkeydown }, this.drafts.get(key) || ""),
      el("button", { class: "primary", type: "submit", "data-focus-key": `submit-${key}`, text: button }));
  }
}

/** The alert of a chat I back up: who asks, and whether I answered as the stand-in. */
function backupAlertText(a) {
  if (a.reason === "backup_left") return `${Who(a.expert)} on chatissa ilman tukihenkilöä; toimit tukena`;
  return `${Who(a.expert)} pyytää tukea${a.stoodIn ? "; toimit tukena" : ""}`;
}

/** "22.34", Finnish time. */
function clock(date) {
  return date.toLocaleTimeString("fi-FI", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" });
}

/** What the one offered a chat needs to decide: its language, "hätä nyt", until when. */
function offerDetails(offer) {
  const parts = [];
  if (offer.lang) parts.push(`kieli ${offer.lang.toUpperCase()}`);
  if (offer.youth_urgent) parts.push("HÄTÄ NYT");
  if (offer.expires_at) {
    const until = new Date(offer.expires_at).toLocaleTimeString("fi-FI", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: "Europe/Helsinki" });
    parts.push(`vastaa viimeistään klo ${until}`);
  }
  return parts.length ? ` (${parts.join(" · ")})` : "";
}
