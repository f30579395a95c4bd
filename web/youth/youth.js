// The youth chat widget. Keeps only the resume token and language in sessionStorage (this tab
// only); message text lives in memory and is fetched again from the server after a reload.
import { ReconnectingSocket, el, newClientId } from "../common/socket.js";
import { closeDialog, openKind, showAbout, showEnd, showSafety, showStatement } from "./about.js";
import { ABOUT_TEXTS } from "./about_texts.js";
import { LANGS, TEXTS } from "./texts.js";

const STORE_KEY = "chatsupport.youth";
const SHIFT_PRESSES_FOR_EXIT = 3;
const SHIFT_WINDOW_MS = 1500;
const TYPING_IDLE_MS = 2500;
// Links the family centre's site may use to open the statement or the about dialog at once.
const STATEMENT_HASHES = ["#saavutettavuus", "#tillganglighet", "#accessibility"];
const ABOUT_HASHES = ["#tietoa", "#om", "#about"];
const SAFETY_HASHES = ["#turvallisuus", "#sakerhet", "#safety"];

const root = document.getElementById("app");
const exitUrl = document.documentElement.dataset.exitUrl || "https://yle.fi/";

const state = {
  lang: pickLanguage(),
  screen: "start", // start | closed | connecting | waiting | active | ended
  token: null,
  lastSeq: 0,
  messages: [], // {seq, sender, text, at}
  outbox: new Map(), // client_id -> text, until acknowledged
  responder: null,
  queue: null,
  typing: false,
  opening: null,
  endedReason: null,
  feedback: null, // {ticket, sent}: the one-time "did this help?" ticket of this chat (memory only)
  urgent: false, // opened with "I need help now": the queue screen shows 112 first
  holderAway: false, // the adult's connection was lost; another may continue (holder_away)
  error: null,
  connection: "open",
};

let socket = null;
let typingTimer = null;
let typingSent = false;
let about = null; // the last GET /api/public/about answer (its own `lang`)

function t() {
  return TEXTS[state.lang];
}

function pickLanguage() {
  const stored = load().lang;
  const asked = new URLSearchParams(location.search).get("lang");
  for (const lang of [asked, stored]) if (LANGS.includes(lang)) return lang;
  return "fi";
}

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE_KEY) || "{}");
  } catch {
    return {};
  }
}

function save() {
  sessionStorage.setItem(STORE_KEY, JSON.stringify({ token: state.token, lang: state.lang, urgent: state.urgent }));
}

// --- the server ------------------------------------------------------------------------

function connect(firstFrame) {
  if (socket) socket.stop();
  socket = new ReconnectingSocket("/ws/youth", {
    onOpen: () => {
      if (state.token) socket.send({ type: "resume", token: state.token, last_seq: state.lastSeq, acks: "resends" });
      else socket.send(firstFrame);
    },
    onFrame: handleFrame,
    onState: (connection) => {
      state.connection = connection;
      render();
    },
  });
  socket.start();
}

function flushOutbox() {
  for (const [clientId, text] of state.outbox) socket.send({ type: "send", client_id: clientId, text });
}

const handlers = {
  opened(frame) {
    state.token = frame.token;
    state.screen = "waiting";
    save();
  },
  queue(frame) {
    state.queue = frame;
  },
  resumed(frame) {
    state.screen = frame.state === "active" ? "active" : "waiting";
    state.responder = frame.responder;
    state.joinedBy = frame.joined || null; // still told another adult is here after a reload
    state.holderAway = false; // a holder_away follows when the adult is still gone
    frame.messages.forEach(addMessage);
    flushOutbox();
    if (state.screen === "active" && !state.feedback) requestFeedbackTicket();
  },
  claimed(frame) {
    // also when another adult continues a chat whose adult's connection was lost
    state.screen = "active";
    state.responder = frame.responder;
    state.holderAway = false;
    requestFeedbackTicket();
    announce(t().joined);
  },
  message(frame) {
    const fresh = frame.seq > state.lastSeq;
    addMessage(frame);
    if (frame.client_id) state.outbox.delete(frame.client_id);
    if (frame.sender === "responder") {
      state.typing = false;
      if (fresh) announce(`${t().worker}: ${frame.text}`);
    }
  },
  ack(frame) {
    state.outbox.delete(frame.client_id);
  },
  joined(frame) {
    // another worker joined or took over (the backup, or a transfer): say so, no gap
    state.joinedBy = frame.responder;
    state.holderAway = false;
    announce(t().anotherJoined);
  },
  holder_away() {
    // the adult's console has been gone a while; others were asked to continue
    state.holderAway = true;
    announce(t().holderAway);
  },
  holder_back() {
    state.holderAway = false;
    announce(t().holderBack);
  },
  closed_now(frame) {
    state.closedWhileWaiting = frame.closed; // next opening and the always-open services
    announce(t().closedWhileWaiting);
  },
  open_again() {
    state.closedWhileWaiting = null;
  },
  still_waiting(frame) {
    state.stillWaiting = frame.services; // always-open services, as the coordinator set them
    announce(t().stillWaiting);
  },
  typing(frame) {
    state.typing = frame.active;
  },
  ended(frame) {
    state.screen = "ended";
    state.endedReason = frame.reason;
    forgetChat();
  },
  error(frame) {
    if (frame.code === "chat.not_found") {
      forgetChat();
      state.screen = state.screen === "connecting" ? "start" : "ended";
    } else if (frame.code === "service.closed") {
      state.screen = "closed";
      socket.stop();
      if (frame.closed) state.opening = frame.closed; // the same object as /api/public/opening
    } else if (frame.code === "message.too_long") {
      state.error = t().errorTooLong;
      if (frame.ref) state.outbox.delete(frame.ref);
    } else {
      state.error = t().errorGeneric;
    }
  },
};

function handleFrame(frame) {
  const handler = handlers[frame.type];
  if (!handler) return;
  handler(frame);
  render();
}

function addMessage(message) {
  if (message.seq <= state.lastSeq) return; // a repeat after a reconnect
  state.lastSeq = message.seq;
  state.messages.push(message);
}

// The live region sits outside the re-rendered tree, so screen readers hear each new message
// once (a region that is replaced on every render is not announced reliably).
function announce(text) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}

function forgetChat() {
  state.token = null;
  state.urgent = false;
  state.outbox.clear();
  save();
}

async function refreshOpening() {
  try {
    const response = await fetch(`/api/public/opening?lang=${state.lang}`);
    if (response.ok) state.opening = await response.json();
  } catch {
    state.opening = null;
  }
  if (state.screen === "start" && state.opening && state.opening.accepts_new_chats === false) {
    state.screen = "closed";
  }
  render();
}

// --- actions ---------------------------------------------------------------------------

/** "Minulla on hätä nyt" (DOMAIN.md 3.4): 112 at once, and the chat is marked for the adults. */
function startUrgentChat() {
  startChat(true);
  announce(`${t().urgentTitle} ${t().urgentSeen}`);
}

function startChat(urgent = false) {
  state.urgent = urgent === true; // also called as a click handler, with the event
  state.messages = [];
  state.lastSeq = 0;
  state.responder = null;
  state.queue = null;
  state.error = null;
  state.feedback = null;
  state.joinedBy = null;
  state.holderAway = false;
  state.stillWaiting = null;
  state.closedWhileWaiting = null;
  state.screen = "connecting";
  connect({ type: "open", lang: state.lang, acks: "resends", urgent: state.urgent });
  render();
}

function sendMessage(text) {
  const clean = text.trim();
  if (!clean) return;
  const clientId = newClientId();
  state.outbox.set(clientId, clean);
  state.error = null;
  socket.send({ type: "send", client_id: clientId, text: clean });
  stopTyping();
  render();
}

function noteTyping() {
  if (!typingSent) socket.send({ type: "typing", active: true });
  typingSent = true;
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
}

function stopTyping() {
  clearTimeout(typingTimer);
  if (typingSent && socket) socket.send({ type: "typing", active: false });
  typingSent = false;
}

function endChat() {
  showEnd({ texts: ABOUT_TEXTS[state.lang], quickExit: quickExitAction(), onEnd: sendEnd });
}

// The youth may ask for the messages to be deleted now rather than after the retention window.
function sendEnd(forget) {
  if (!socket || !["waiting", "active"].includes(state.screen)) return; // ended meanwhile
  socket.send(forget ? { type: "end", forget: true } : { type: "end" });
}

// --- about the chat and the accessibility statement ------------------------------------

// Asked again each time (the coordinator may have changed the contact); the last answer
// stands in when offline.
async function fetchAbout() {
  try {
    const response = await fetch(`/api/public/about?lang=${state.lang}`);
    if (response.ok) about = await response.json();
  } catch {
    // offline: the dialog says what it can without the server's figures
  }
  return about && about.lang === state.lang ? about : null;
}

async function openAbout() {
  const info = await fetchAbout();
  showAbout({
    texts: ABOUT_TEXTS[state.lang],
    about: info,
    opening: state.opening?.texts?.opening || t().intro,
    quickExit: quickExitAction(),
    onStatement: openStatement,
  });
}

async function openStatement() {
  const info = await fetchAbout();
  showStatement({ texts: ABOUT_TEXTS[state.lang], about: info, quickExit: quickExitAction() });
}

function openSafety() {
  showSafety({ texts: ABOUT_TEXTS[state.lang], quickExit: quickExitAction() });
}

function quickExitAction() {
  return { label: t().quickExit, run: quickExit };
}

// Quick exit: blank the page at once, tell the server, forget everything, and replace this
// history entry so that Back does not return here (DOMAIN.md 3.2).
function quickExit() {
  document.body.replaceChildren();
  document.title = "";
  if (socket) {
    socket.send({ type: "end", quick_exit: true });
    socket.stop();
  }
  sessionStorage.removeItem(STORE_KEY);
  try {
    window.top.location.replace(exitUrl); // embedded: leave the host page too
  } catch {
    location.replace(exitUrl);
  }
}

function watchShiftPresses() {
  let presses = [];
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Shift" || event.repeat) return;
    const now = Date.now();
    presses = presses.filter((at) => now - at < SHIFT_WINDOW_MS);
    presses.push(now);
    document.documentElement.dataset.shiftPresses = String(presses.length);
    if (presses.length >= SHIFT_PRESSES_FOR_EXIT) quickExit();
  });
}

// --- rendering -------------------------------------------------------------------------

function render() {
  document.documentElement.lang = state.lang;
  document.title = t().title;
  const focused = document.activeElement && document.activeElement.id;
  const draft = document.getElementById("message")?.value ?? "";
  root.replaceChildren(header(), main(), footer());
  if (openKind() === "end" && !["waiting", "active"].includes(state.screen)) closeDialog();
  const input = document.getElementById("message");
  if (input) input.value = draft;
  if (focused) document.getElementById(focused)?.focus();
  scrollMessages();
}

function header() {
  const select = el(
    "select",
    { id: "lang", "aria-label": t().language, onchange: (e) => setLanguage(e.target.value) },
    ...LANGS.map((lang) =>
      el("option", { value: lang, selected: lang === state.lang, text: lang.toUpperCase() }),
    ),
  );
  return el(
    "header",
    { class: "top" },
    el("button", { id: "quick-exit", class: "exit", type: "button", onclick: quickExit, text: t().quickExit, title: t().quickExitHelp }),
    el("h1", { text: t().title }),
    select,
  );
}

function setLanguage(lang) {
  state.lang = lang;
  save();
  refreshOpening();
  render();
}

function main() {
  const screens = { start, closed, connecting, waiting, active, ended };
  const banner = state.connection === "reconnecting" && state.screen !== "start"
    ? el("p", { class: "notice", role: "status", text: t().reconnecting })
    : null;
  return el("main", { id: "main" }, banner, screens[state.screen]());
}

function start() {
  const opening = state.opening;
  const status = opening ? (opening.open ? t().openNow : t().closedNow) : null;
  return el(
    "section",
    { class: "card" },
    status ? el("p", { class: "status", text: status }) : null,
    el("p", { text: opening?.texts?.opening || t().intro }),
    noSpeaker(),
    el("p", { class: "muted", text: t().confidential }),
    el("button", { id: "start", class: "primary", type: "button", onclick: startChat, text: t().start }),
    el("div", { class: "urgent-start" },
      el("button", { id: "start-urgent", class: "secondary urgent", type: "button", onclick: startUrgentChat, text: t().startUrgent, "aria-describedby": "start-urgent-hint" }),
      el("p", { id: "start-urgent-hint", class: "muted", text: t().startUrgentHint })),
    el("details", {}, el("summary", { text: t().quickExit }), el("p", { text: t().quickExitHelp })),
  );
}

/** Open, but nobody on duty answers in the chosen language: say so in it (DOMAIN.md 4.2). */
function noSpeaker() {
  const spoken = state.opening?.open ? state.opening.languages_now : null;
  if (!Array.isArray(spoken) || spoken.includes(state.lang)) return null;
  return el("p", { id: "no-speaker", class: "notice", text: t().noSpeaker });
}

function closed() {
  const opening = state.opening || {};
  const next = opening.next_opens_at ? formatLocal(opening.next_opens_at, opening.time_zone) : null;
  return el(
    "section",
    { class: "card", role: "status" },
    el("h2", { text: t().closedTitle }),
    el("p", { text: opening.texts?.closed || t().closedNow }),
    el("p", { id: "next-open", class: "next-open", text: next ? `${t().nextOpen}: ${next}` : t().noNextOpen }),
    alwaysOpenList(opening),
  );
}

function alwaysOpenList(opening) {
  const text = opening.texts?.emergency || t().emergency;
  return el("div", { id: "services", class: "services" }, el("p", { text: t().alwaysOpen }), el("p", { text }));
}

function connecting() {
  return el("section", { class: "card", role: "status" }, el("p", { text: t().connecting }));
}

function waiting() {
  const q = state.queue;
  const ahead = q ? q.position - 1 : null;
  const minutes = q && q.estimate_secs ? Math.max(1, Math.round(q.estimate_secs / 60)) : null;
  return el(
    "section",
    { class: "card", "aria-live": "polite" },
    urgentHelp(),
    el("h2", { text: t().queueTitle }),
    el("p", { text: t().queueText }),
    noSpeaker(),
    ahead !== null ? el("p", { id: "queue-place", text: t().queueAhead(ahead) }) : null,
    minutes ? el("p", { id: "queue-estimate", text: t().queueEstimate(minutes) }) : null,
    state.stillWaiting && !state.closedWhileWaiting
      ? el("div", { id: "still-waiting", class: "services" }, el("p", { text: t().stillWaiting }), el("p", { text: state.stillWaiting }))
      : null,
    closedWhileWaiting(),
    messageList(),
    composer(),
    el("button", { id: "end", class: "secondary", type: "button", onclick: endChat, text: t().end }),
  );
}

/** Shown first while a chat opened with "I need help now" waits: 112 as a link to call. */
function urgentHelp() {
  if (!state.urgent) return null;
  const services = state.opening?.texts?.emergency || t().emergency;
  return el(
    "div",
    { id: "urgent-help", class: "urgent-help" },
    el("p", { class: "urgent-title", text: t().urgentTitle }),
    el("a", { id: "call-112", class: "call", href: "tel:112", text: t().call112 }),
    el("p", { text: t().urgentSeen }),
    el("p", { class: "services", text: services }),
  );
}

/** The service closed with this chat still in the queue (DOMAIN.md 3.3). */
function closedWhileWaiting() {
  const closed = state.closedWhileWaiting;
  if (!closed) return null;
  const next = closed.next_opens_at ? formatLocal(closed.next_opens_at, closed.time_zone) : null;
  return el(
    "div",
    { id: "closed-waiting", class: "services" },
    el("p", { text: t().closedWhileWaiting }),
    el("p", { text: closed.texts?.emergency || t().emergency }),
    el("p", { class: "next-open", text: next ? `${t().nextOpen}: ${next}` : t().noNextOpen }),
  );
}

function active() {
  const who = state.responder
    ? t().answeredBy(t()[state.responder.role] || state.responder.role, state.responder.name)
    : t().joined;
  return el(
    "section",
    { class: "chat" },
    el("p", { id: "who", class: "who", text: who }),
    state.joinedBy
      ? el("p", { id: "joined", class: "who", role: "status", text: `${t().anotherJoined} ${t().answeredBy(t()[state.joinedBy.role] || state.joinedBy.role, state.joinedBy.name)}` })
      : null,
    state.holderAway ? el("p", { id: "holder-away", class: "notice", role: "status", text: t().holderAway }) : null,
    messageList(),
    el("p", { id: "typing", class: "typing", "aria-live": "polite", text: state.typing ? t().typing : "" }),
    composer(),
    el("button", { id: "end", class: "secondary", type: "button", onclick: endChat, text: t().end }),
  );
}

/** With a second adult in the chat (the backup joined or took over) each answer says who
 * wrote it; with one, "Adult" for screen readers only, as before. */
function senderLabel(m, named) {
  if (m.sender === "youth") return el("span", { class: "sr-only", text: `${t().you}: ` });
  if (named && m.author) return el("span", { class: "author", text: m.author.name });
  return el("span", { class: "sr-only", text: `${t().worker}: ` });
}

function messageList() {
  const authors = new Set(state.messages.filter((m) => m.author).map((m) => m.author.name));
  const named = Boolean(state.joinedBy) || authors.size > 1;
  const items = state.messages.map((m) =>
    el("li", { class: `msg ${m.sender}` }, senderLabel(m, named), el("span", { class: "text", text: m.text })),
  );
  for (const [clientId, text] of state.outbox) {
    if (state.messages.some((m) => m.client_id === clientId)) continue;
    items.push(el("li", { class: "msg youth pending" }, el("span", { class: "text", text }), el("span", { class: "muted", text: ` (${t().sending})` })));
  }
  return el("ol", { id: "messages", class: "messages", "aria-label": t().history }, ...items);
}

function composer() {
  const input = el("textarea", {
    id: "message",
    rows: "2",
    maxlength: "4000",
    "aria-label": t().messageLabel,
    placeholder: t().messageLabel,
    oninput: noteTyping,
    onkeydown: (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        submit();
      }
    },
  });
  const submit = () => {
    const box = document.getElementById("message");
    const text = box.value;
    box.value = ""; // before sendMessage re-renders, which keeps whatever the box holds
    sendMessage(text);
    document.getElementById("message")?.focus();
  };
  const form = el(
    "form",
    { class: "composer", onsubmit: (e) => { e.preventDefault(); submit(); } },
    input,
    el("button", { id: "send", class: "primary", type: "submit", text: t().send }),
  );
  const error = state.error ? el("p", { class: "error", role: "alert", text: state.error }) : null;
  return el("div", {}, error, form);
}

function ended() {
  const byWorker = state.endedReason === "responder_ended";
  return el(
    "section",
    { class: "card", role: "status" },
    el("h2", { id: "ended", text: byWorker ? t().endedByWorker : t().ended }),
    messageList(),
    feedbackQuestion(),
    el("p", { text: t().thanks }),
    el("button", { id: "again", class: "primary", type: "button", onclick: startChat, text: t().again }),
  );
}

// --- "did this help?" (optional, anonymous; docs/statistics.md, "Youth feedback") ----------

// While the chat is open, swap the resume token for a one-time ticket; the answer is sent
// with the ticket after the chat ends, when the token no longer works.
async function requestFeedbackTicket() {
  const token = state.token;
  if (!token) return;
  try {
    const response = await fetch("/api/public/feedback/ticket", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }),
    });
    if (response.ok && state.token === token) state.feedback = { ticket: (await response.json()).ticket, sent: false };
  } catch {
    // no question this time; the chat itself is unaffected
  }
}

async function sendFeedback(answer) {
  const ticket = state.feedback.ticket;
  state.feedback.sent = true;
  render();
  document.getElementById("feedback-thanks")?.focus();
  try {
    await fetch("/api/public/feedback", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ticket, answer }),
    });
  } catch {
    // optional: a lost answer is not worth bothering the young person about
  }
}

function feedbackQuestion() {
  if (!state.feedback) return null;
  if (state.feedback.sent) {
    return el("p", { id: "feedback-thanks", class: "feedback", tabindex: "-1", text: t().feedbackThanks });
  }
  const choices = [["yes", t().feedbackYes], ["a_little", t().feedbackLittle], ["no", t().feedbackNo]];
  return el(
    "fieldset",
    { id: "feedback", class: "feedback" },
    el("legend", { text: t().feedbackQuestion }),
    el("p", { class: "muted", text: t().feedbackHint }),
    el("div", { class: "choices" }, ...choices.map(([answer, text]) =>
      el("button", { id: `feedback-${answer}`, class: "secondary", type: "button", onclick: () => sendFeedback(answer), text }))),
  );
}

function footer() {
  const texts = ABOUT_TEXTS[state.lang];
  return el(
    "footer",
    { class: "emergency" },
    el("p", { text: t().emergency }),
    el("nav", { class: "about-links", "aria-label": texts.aboutTitle },
      el("button", { id: "about-open", class: "link", type: "button", onclick: openAbout, text: texts.aboutLink }),
      el("button", { id: "safety-open", class: "link", type: "button", onclick: openSafety, text: texts.safetyLink }),
      el("button", { id: "statement-open", class: "link", type: "button", onclick: openStatement, text: texts.a11yLink })),
  );
}

function formatLocal(iso, timeZone = "Europe/Helsinki") {
  const when = new Date(iso);
  const locale = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" }[state.lang];
  return when.toLocaleString(locale, {
    weekday: "long", day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit", timeZone,
  });
}

function scrollMessages() {
  const list = document.getElementById("messages");
  if (list) list.scrollTop = list.scrollHeight;
}

// --- start -----------------------------------------------------------------------------

watchShiftPresses();
const saved = load();
if (saved.token) {
  state.token = saved.token;
  state.urgent = saved.urgent === true;
  state.screen = "connecting";
  connect(null);
}
render();
refreshOpening();
if (STATEMENT_HASHES.includes(location.hash)) openStatement();
else if (ABOUT_HASHES.includes(location.hash)) openAbout();
else if (SAFETY_HASHES.includes(location.hash)) openSafety();
