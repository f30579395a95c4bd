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
// The adult's "is writing" notice goes when no typing frame came for this long (a draft the
// adult left behind must not keep the child waiting for an answer that is not coming).
const TYPING_SHOWN_MS = 8000;
// A message the server has not acknowledged in this time means a dead connection (a phone
// that lost its signal often looks open to the browser): connect again and resume.
const ACK_TIMEOUT_MS = 10000;
// After rate.too_many_messages the refused messages are sent again after this long (the
// server counts a chat's messages per minute; the same client_id is stored only once).
const RATE_RETRY_MS = 10000;
const MAX_MESSAGE_CHARS = 4000;
// The list follows new messages only when the child is this close to its end already.
const AT_BOTTOM_PX = 40;
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
  refusal: null, // the server refused a new chat: the error code (rate.*, queue.full)
  held: new Set(), // client_ids refused by the message rate limit, sent again later
  slowed: false, // "your messages go a bit slower" is shown
  connection: "open",
};

let socket = null;
let typingTimer = null;
let typingSent = false;
let typingShownTimer = null;
let rateRetryTimer = null;
const sentAt = new Map(); // client_id -> when it left on the current connection, until answered
let focusNext = null; // id of the element render() should focus (a new screen's heading)
let lastScreen = null;
let stickToBottom = false; // the child sent a message: show its end whatever the scroll
let lastQueueText = null;
let renderedMessages = 0; // messages in the list at the last render
let newBelow = false; // a message came while the child read further up: "new message ↓"
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
      sentAt.clear();
      if (state.token) {
        socket.send({ type: "resume", token: state.token, last_seq: state.lastSeq, acks: "resends" });
        socket.send({ type: "lang", lang: state.lang }); // a switch made while the line was down
      }
      // never open a second chat on a reconnect after this one ended or was refused
      else if (firstFrame && state.screen === "connecting") socket.send(firstFrame);
    },
    onFrame: handleFrame,
    onState: (connection) => {
      state.connection = connection;
      render();
    },
  });
  socket.start();
}

function sendFrame(clientId, text) {
  if (socket && socket.send({ type: "send", client_id: clientId, text })) sentAt.set(clientId, Date.now());
}

function flushOutbox() {
  state.held.clear(); // a fresh connection: send everything in order; refusals come back
  for (const [clientId, text] of state.outbox) sendFrame(clientId, text);
}

/** The server has this message (its own copy, an ack, or it came with resumed). */
function delivered(clientId) {
  state.outbox.delete(clientId);
  state.held.delete(clientId);
  sentAt.delete(clientId);
  if (state.slowed && state.held.size === 0) state.slowed = false;
}

/** rate.too_many_messages: keep the message and send it again a little later. */
function holdForRate(clientId) {
  if (!clientId || !state.outbox.has(clientId)) return;
  sentAt.delete(clientId);
  state.held.add(clientId);
  if (!state.slowed) {
    state.slowed = true;
    announce(t().slowDown);
  }
  if (!rateRetryTimer) rateRetryTimer = setTimeout(retryHeld, RATE_RETRY_MS);
}

function retryHeld() {
  rateRetryTimer = null;
  const ids = new Set(state.held);
  state.held.clear();
  for (const [clientId, text] of state.outbox) if (ids.has(clientId)) sendFrame(clientId, text);
}

/** Called every second: a message unanswered for ACK_TIMEOUT_MS means a dead socket. */
function checkAcks() {
  if (!socket || state.connection !== "open") return;
  const now = Date.now();
  for (const at of sentAt.values()) {
    if (now - at > ACK_TIMEOUT_MS) {
      sentAt.clear();
      socket.reconnect();
      return;
    }
  }
}

const handlers = {
  opened(frame) {
    state.token = frame.token;
    state.screen = "waiting";
    save();
  },
  queue(frame) {
    state.queue = frame;
    const text = t().queueAhead(frame.position - 1);
    // a change of place is told, once; the first time, with what "I need help now" means
    // (the focus is on the 112 title by then)
    if (text !== lastQueueText) announce(lastQueueText === null && state.urgent ? `${t().urgentSeen} ${text}` : text);
    lastQueueText = text;
  },
  resumed(frame) {
    state.screen = frame.state === "active" ? "active" : "waiting";
    state.responder = frame.responder;
    state.joinedBy = frame.joined || null; // still told another adult is here after a reload
    state.holderAway = false; // a holder_away follows when the adult is still gone
    frame.messages.forEach(addMessage);
    for (const m of frame.messages) if (m.client_id) delivered(m.client_id);
    flushOutbox();
    if (state.screen === "active" && !state.feedback) requestFeedbackTicket();
  },
  claimed(frame) {
    // also a hand-over: another adult continues (take-over, transfer, or the adult's
    // connection was lost); the adult before, and a helper who had joined, are gone
    const handOver = state.screen === "active" && Boolean(state.responder);
    state.screen = "active";
    state.responder = frame.responder;
    state.joinedBy = null;
    state.holderAway = false;
    if (!state.feedback) requestFeedbackTicket();
    const who = t().answeredBy(t()[frame.responder.role] || frame.responder.role, frame.responder.name);
    announce(handOver ? `${t().handedOver} ${who}` : t().joined);
  },
  message(frame) {
    const fresh = frame.seq > state.lastSeq;
    addMessage(frame);
    if (frame.client_id) delivered(frame.client_id);
    if (frame.sender === "responder") {
      state.typing = false;
      clearTimeout(typingShownTimer);
      if (fresh) announce(`${t().worker}: ${frame.text}`);
    }
  },
  ack(frame) {
    delivered(frame.client_id);
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
    clearTimeout(typingShownTimer);
    if (frame.active) {
      typingShownTimer = setTimeout(() => {
        state.typing = false;
        render();
      }, TYPING_SHOWN_MS);
    }
  },
  ended(frame) {
    state.screen = "ended";
    state.endedReason = frame.reason;
    state.typing = false;
    clearTimeout(typingShownTimer);
    forgetChat();
    const byWorker = frame.reason === "responder_ended";
    announce(`${byWorker ? t().endedByWorker : t().ended} ${t().thanks}`);
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
      if (frame.ref) delivered(frame.ref); // never accepted: do not send it again
    } else if (frame.code === "rate.too_many_messages") {
      holdForRate(frame.ref);
    } else if (state.screen === "connecting" && !state.token) {
      // the new chat was refused: too many chats from this network, the queue full, a block
      state.screen = "refused";
      state.refusal = frame.code;
      socket.stop(); // a retried connection would only ask again
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
  state.held.clear();
  state.slowed = false;
  sentAt.clear();
  clearTimeout(rateRetryTimer);
  rateRetryTimer = null;
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
  announce(t().urgentTitle); // at once, before the server answers; the rest with the queue place
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
  state.refusal = null;
  state.typing = false;
  lastQueueText = null;
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
  // while earlier messages wait for the rate limit, this one waits behind them (keeps order)
  if (state.held.size > 0) state.held.add(clientId);
  else sendFrame(clientId, clean);
  stopTyping();
  stickToBottom = true;
  render();
}

function backToStart() {
  state.screen = "start";
  state.refusal = null;
  focusNext = "start";
  refreshOpening();
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

// Shift pressed on its own 3 times within SHIFT_WINDOW_MS leaves (as GOV.UK "Exit this
// page"). A press counts when Shift goes up with no other key pressed meanwhile; any other
// key (a capital letter, Shift+Tab, Ctrl…) starts the count again, so typing "Isä Ja Äiti"
// or moving back with Shift+Tab never leaves. Listened to on window in the capture phase, so
// it works in the message box and in the dialogs too.
function watchShiftPresses() {
  let presses = [];
  let bare = false; // Shift is down and no other key was pressed with it
  let hideTimer = null;
  const show = (count) => {
    document.documentElement.dataset.shiftPresses = String(count);
    const hint = document.getElementById("shift-hint");
    if (!hint) return;
    clearTimeout(hideTimer);
    hint.textContent = count > 0 ? t().shiftHint(SHIFT_PRESSES_FOR_EXIT - count) : "";
    hint.hidden = count === 0;
    if (count > 0) hideTimer = setTimeout(() => show(0), SHIFT_WINDOW_MS);
  };
  const reset = () => {
    bare = false;
    if (presses.length) {
      presses = [];
      show(0);
    }
  };
  window.addEventListener("keydown", (event) => {
    if (event.key !== "Shift" || event.ctrlKey || event.altKey || event.metaKey) {
      reset();
      return;
    }
    if (!event.repeat) bare = true;
  }, true);
  window.addEventListener("keyup", (event) => {
    if (event.key !== "Shift") return;
    if (!bare) return;
    bare = false;
    const now = Date.now();
    presses = presses.filter((at) => now - at < SHIFT_WINDOW_MS);
    presses.push(now);
    if (presses.length >= SHIFT_PRESSES_FOR_EXIT) {
      presses = [];
      quickExit();
      return;
    }
    show(presses.length);
  }, true);
  // text that arrives without a keydown (a character outside the keyboard layout, an input
  // method, dictation) is typing too
  window.addEventListener("input", reset, true);
  window.addEventListener("blur", reset);
}

// --- rendering -------------------------------------------------------------------------

function render() {
  document.documentElement.lang = state.lang;
  document.title = t().title;
  const activeEl = document.activeElement;
  const focused = activeEl && activeEl.id;
  // focus on the page (not in a dialog): kept by id, or moved to a new screen's heading
  const focusOnPage = !activeEl || activeEl === document.body || root.contains(activeEl);
  const screenChanged = lastScreen !== null && lastScreen !== state.screen;
  lastScreen = state.screen;
  const draft = document.getElementById("message")?.value ?? "";
  const oldList = document.getElementById("messages");
  const atBottom = !oldList || oldList.scrollHeight - oldList.scrollTop - oldList.clientHeight <= AT_BOTTOM_PX;
  const oldTop = oldList ? oldList.scrollTop : 0;
  const follow = atBottom || stickToBottom;
  if (follow || !oldList) newBelow = false;
  else if (state.messages.length > renderedMessages) newBelow = true;
  renderedMessages = state.messages.length;
  root.replaceChildren(header(), main(), footer());
  if (openKind() === "end" && !["waiting", "active"].includes(state.screen)) closeDialog();
  const input = document.getElementById("message");
  if (input) {
    input.value = draft;
    updateCount(input);
  }
  const wanted = focusNext && document.getElementById(focusNext);
  focusNext = null;
  const kept = focused && document.getElementById(focused);
  if (wanted) wanted.focus();
  else if (kept) kept.focus();
  else if (screenChanged && focusOnPage) root.querySelector("[data-screen-focus]")?.focus();
  const list = document.getElementById("messages");
  if (list) list.scrollTop = follow ? list.scrollHeight : oldTop;
  stickToBottom = false;
  fitHeader();
}

// A sticky header taller than a third of the screen (very large text) would leave little
// room to read and could hide the focused control: it then scrolls with the page.
function fitHeader() {
  const top = root.querySelector("header.top");
  if (!top) return;
  top.classList.remove("unstick");
  if (top.offsetHeight > window.innerHeight / 3) top.classList.add("unstick");
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
  // the adult sees the switch, and the statistics count the language chosen (DOMAIN.md 4.2)
  if (socket && state.token && ["waiting", "active"].includes(state.screen)) socket.send({ type: "lang", lang });
  refreshOpening();
  render();
}

function main() {
  const screens = { start, closed, connecting, waiting, active, ended, refused };
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
    el("details", { class: "help" }, el("summary", { text: t().quickExitHow }), el("p", { text: t().quickExitHelp })),
  );
}

/** Open, but nobody on duty answers in the chosen language: say so in it (DOMAIN.md 4.2). */
function noSpeaker() {
  const spoken = state.opening?.open ? state.opening.languages_now : null;
  if (!Array.isArray(spoken) || spoken.includes(state.lang)) return null;
  return el("p", { id: "no-speaker", class: "notice" }, ...withPhoneLinks(t().noSpeaker));
}

function closed() {
  const opening = state.opening || {};
  const next = opening.next_opens_at ? formatLocal(opening.next_opens_at, opening.time_zone) : null;
  return el(
    "section",
    { class: "card", role: "status" },
    el("h2", { tabindex: "-1", "data-screen-focus": "", text: t().closedTitle }),
    el("p", { text: opening.texts?.closed || t().closedNow }),
    el("p", { id: "next-open", class: "next-open", text: next ? `${t().nextOpen}: ${next}` : t().noNextOpen }),
    alwaysOpenList(opening),
  );
}

function alwaysOpenList(opening) {
  const text = opening.texts?.emergency || t().emergency;
  return el("div", { id: "services", class: "services" }, el("p", { text: t().alwaysOpen }), el("p", {}, ...withPhoneLinks(text)));
}

function connecting() {
  return el("section", { class: "card", role: "status" },
    el("p", { id: "connecting", tabindex: "-1", "data-screen-focus": "", text: t().connecting }));
}

/** The server would not open a new chat (docs/protocol.md: rate.too_many_chats — many chats
 * from one network, or a block, not told apart on purpose —, rate.too_many_connections,
 * queue.full): say so plainly, give 112 and the always-open services, and a way back. */
function refused() {
  const full = state.refusal === "queue.full";
  return el(
    "section",
    { class: "card", id: "refused" },
    el("h2", { id: "refused-title", tabindex: "-1", "data-screen-focus": "", text: full ? t().queueFullTitle : t().refusedTitle }),
    el("p", { id: "refused-text", text: full ? t().queueFullText : t().refusedText }),
    el("div", { class: "urgent-help" },
      el("p", { class: "urgent-title", text: t().urgentTitle }),
      el("a", { id: "refused-call-112", class: "call", href: "tel:112", text: t().call112 })),
    alwaysOpenList(state.opening || {}),
    el("button", { id: "refused-back", class: "primary", type: "button", onclick: backToStart, text: t().backToStart }),
  );
}

function waiting() {
  const q = state.queue;
  const ahead = q ? q.position - 1 : null;
  const minutes = q && q.estimate_secs ? Math.max(1, Math.round(q.estimate_secs / 60)) : null;
  // not a live region: it is re-rendered on every frame; the place is told by announce()
  return el(
    "section",
    { class: "card" },
    urgentHelp(),
    el("h2", { id: "queue-title", tabindex: "-1", "data-screen-focus": state.urgent ? null : "", text: t().queueTitle }),
    el("p", { text: t().queueText }),
    noSpeaker(),
    ahead !== null ? el("p", { id: "queue-place", text: t().queueAhead(ahead) }) : null,
    minutes ? el("p", { id: "queue-estimate", text: t().queueEstimate(minutes) }) : null,
    state.stillWaiting && !state.closedWhileWaiting
      ? el("div", { id: "still-waiting", class: "services" }, el("p", { text: t().stillWaiting }), el("p", {}, ...withPhoneLinks(state.stillWaiting)))
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
    el("p", { id: "urgent-title", class: "urgent-title", tabindex: "-1", "data-screen-focus": "", text: t().urgentTitle }),
    el("a", { id: "call-112", class: "call", href: "tel:112", text: t().call112 }),
    el("p", { text: t().urgentSeen }),
    el("p", { class: "services" }, ...withPhoneLinks(services)),
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
    el("p", {}, ...withPhoneLinks(closed.texts?.emergency || t().emergency)),
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
    el("p", { id: "who", class: "who", tabindex: "-1", "data-screen-focus": "", text: who }),
    state.joinedBy
      ? el("p", { id: "joined", class: "who", role: "status", text: `${t().anotherJoined} ${t().answeredBy(t()[state.joinedBy.role] || state.joinedBy.role, state.joinedBy.name)}` })
      : null,
    state.holderAway ? el("p", { id: "holder-away", class: "notice", role: "status", text: t().holderAway }) : null,
    messageList(),
    newBelowButton(),
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
    const label = state.held.has(clientId) ? t().sendingSoon : t().sending;
    items.push(el("li", { class: "msg youth pending" }, el("span", { class: "text", text }), el("span", { class: "muted", text: ` (${label})` })));
  }
  return el("ol", { id: "messages", class: "messages", "aria-label": t().history, tabindex: "-1", onscroll: seenToEnd }, ...items);
}

/** Shown while the child reads further up and a new message came below. */
function newBelowButton() {
  if (!newBelow) return null;
  return el("button", { id: "new-below", class: "secondary new-below", type: "button", onclick: scrollToEnd, text: t().newBelow });
}

function scrollToEnd() {
  const list = document.getElementById("messages");
  if (list) list.scrollTop = list.scrollHeight;
  seenToEnd();
  list?.focus({ preventScroll: true }); // the button is gone; the reader stays at the list
}

function seenToEnd() {
  const list = document.getElementById("messages");
  if (!newBelow || !list) return;
  if (list.scrollHeight - list.scrollTop - list.clientHeight > AT_BOTTOM_PX) return;
  newBelow = false;
  document.getElementById("new-below")?.remove();
}

function composer() {
  // no maxlength: a longer paste would be cut without a word; the count says it instead
  const input = el("textarea", {
    id: "message",
    rows: "2",
    "aria-label": t().messageLabel,
    "aria-describedby": "message-count",
    placeholder: t().messageLabel,
    oninput: (e) => {
      noteTyping();
      updateCount(e.target);
    },
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
    if (text.trim().length > MAX_MESSAGE_CHARS) {
      updateCount(box);
      announce(t().tooLongNow(text.trim().length, MAX_MESSAGE_CHARS));
      return; // kept in the box to shorten or split
    }
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
  const slow = state.slowed ? el("p", { id: "slow-notice", class: "notice", text: t().slowDown }) : null;
  const count = el("p", { id: "message-count", class: "count muted", hidden: true });
  return el("div", {}, error, slow, form, count);
}

let wasTooLong = false;

/** Near and over the length limit, say how long the message is (a paste is never cut). */
function updateCount(box) {
  const count = document.getElementById("message-count");
  if (!count) return;
  const length = box.value.trim().length;
  const over = length > MAX_MESSAGE_CHARS;
  count.hidden = length < MAX_MESSAGE_CHARS - 500;
  count.textContent = over ? t().tooLongNow(length, MAX_MESSAGE_CHARS) : t().charCount(length, MAX_MESSAGE_CHARS);
  count.classList.toggle("error", over);
  box.setAttribute("aria-invalid", over ? "true" : "false");
  if (over && !wasTooLong) announce(count.textContent);
  wasTooLong = over;
}

function ended() {
  const byWorker = state.endedReason === "responder_ended";
  return el(
    "section",
    { class: "card", role: "status" },
    el("h2", { id: "ended", tabindex: "-1", "data-screen-focus": "", text: byWorker ? t().endedByWorker : t().ended }),
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
    el("p", {}, ...withPhoneLinks(t().emergency)),
    el("nav", { class: "about-links", "aria-label": texts.aboutTitle },
      el("button", { id: "about-open", class: "link", type: "button", onclick: openAbout, text: texts.aboutLink }),
      el("button", { id: "safety-open", class: "link", type: "button", onclick: openSafety, text: texts.safetyLink }),
      el("button", { id: "statement-open", class: "link", type: "button", onclick: openStatement, text: texts.a11yLink })),
  );
}

// Phone numbers in the help texts (112, "09 2525 0111", "0800 96 116"; the coordinator's texts
// too) become links a phone can call with one tap. Text stays text: only the number is a link.
const PHONE_NUMBER = /(?<![\d+])(112|0\d{1,3}(?:[ -]\d{2,4}){1,3})(?![\d])/g;

function withPhoneLinks(text) {
  const parts = [];
  let at = 0;
  for (const match of String(text || "").matchAll(PHONE_NUMBER)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    parts.push(el("a", { class: "tel", href: `tel:${match[0].replace(/[ -]/g, "")}`, text: match[0] }));
    at = match.index + match[0].length;
  }
  if (at < String(text || "").length) parts.push(text.slice(at));
  return parts;
}

function formatLocal(iso, timeZone = "Europe/Helsinki") {
  const when = new Date(iso);
  const locale = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" }[state.lang];
  return when.toLocaleString(locale, {
    weekday: "long", day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit", timeZone,
  });
}

// --- start -----------------------------------------------------------------------------

watchShiftPresses();
setInterval(checkAcks, 1000);
window.addEventListener("resize", fitHeader);
// The browser knows it lost the network: show it and try again; back online: at once.
window.addEventListener("offline", () => {
  if (socket && ["connecting", "waiting", "active"].includes(state.screen)) socket.reconnect();
});
window.addEventListener("online", () => {
  if (socket && state.connection === "reconnecting") socket.reconnect();
});
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
