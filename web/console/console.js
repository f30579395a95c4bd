// The responder console: log in, see tags for waiting chats (sound, desktop notification,
// flashing title, repeated while a chat waits), claim, chat in several chats side by side.
import { loginForm } from "../common/login.js";
import { ReconnectingSocket, el, newClientId } from "../common/socket.js";
import { TwoFactorPanel } from "../common/two_factor.js";
import { Canned } from "./canned.js";
import { Debriefs } from "./debrief.js";
import { Transcripts } from "./transcripts.js";
import { Diary, clearDrafts } from "./diary.js";
import { Support, SUPPORT_ERRORS, messageItem } from "./support.js";

const ROLE_LABELS = {
  professional: "ammattilainen",
  experience_expert: "kokemusasiantuntija",
  coordinator: "koordinaattori",
};
const END_REASONS = {
  youth_ended: "Nuori lopetti chatin.",
  youth_quick_exit: "Nuori poistui nopeasti (pikapoistuminen).",
  youth_left: "Nuoren yhteys katkesi eikä hän palannut.",
  responder_ended: "Chat lopetettiin.",
  handed_over: "Chat siirtyi toiselle vastaajalle.",
};
const FORGOTTEN = "Nuori pyysi poistamaan viestit: ne on poistettu palvelimelta. Tässä näkyvät viestit ovat ainoa kopio, ja ne häviävät, kun suljet tai lataat sivun.";
// The young person opened the chat with "Minulla on hätä nyt" (DOMAIN.md 3.1, 3.4).
const LANG_NAMES = { fi: "suomi (FI)", sv: "ruotsi (SV)", en: "englanti (EN)" };
const YOUTH_URGENT = "Nuori valitsi ”Minulla on hätä nyt”. Kysy ensin, onko hän turvassa juuri nyt.";
const YOUTH_URGENT_EXPERT = " Pyydä tukea heti: vain ammattilainen soittaa hätänumeroon tai tekee ilmoituksen.";
const ERRORS = {
  "chat.taken": "Toinen vastaaja ehti ensin. Chat on jo otettu.",
  "chat.not_waiting": "Nuori ehti lähteä ennen kuin otit chatin.",
  "chat.cap_reached": "Sinulla on jo enimmäismäärä chatteja auki.",
  "chat.not_on_duty": "Et ole nyt vuorossa, joten et voi ottaa chattia.",
  "message.too_long": "Viesti on liian pitkä.",
};
const TITLE = "Vastaajan konsoli";
const ALERT_REPEAT_MS = 30000;
const TAG_CLOCK_MS = 5000; // the waiting times on the tags count up
const TYPING_IDLE_MS = 5000; // no keystroke this long: the youth's "kirjoittaa…" goes

const root = document.getElementById("app");
const state = {
  me: null,
  csrf: null,
  welcome: null,
  connection: "down",
  waiting: new Map(), // chat_id -> tag frame
  chats: new Map(), // chat_id -> {lang, messages, lastSeq, typing, ended, outbox}
  drafts: new Map(),
  notice: null,
  mustEnrol: false, // the policy wants a second factor first: this session may only enrol
  showTwoFactor: false,
  current: null, // the chat the responder works in now (focus or pointer last inside it)
  focusNext: null, // an element id to move focus to after the next render (claim, take-over)
  stick: new Set(), // message lists to scroll to the bottom on the next render (my own send)
  hiddenUnread: 0, // youth messages that arrived while the console tab was hidden
  claiming: null, // the chat this console asked to claim last
};
const typingSent = new Set(); // chat ids whose youth was told "typing" and not told it stopped
const typingTimers = new Map(); // chat_id -> the idle timer that stops "typing"
let socket = null;
let flashTimer = null;
let alertTimer = null;
const debriefs = new Debriefs({ api, rerender: () => render(), announce, me: () => state.me });
const transcripts = new Transcripts({ api, rerender: () => render(), announce, me: () => state.me });
const diary = new Diary({ api, rerender: () => render(), announce, onFiled: (response) => debriefs.filed(response) });
const canned = new Canned({ api, drafts: state.drafts, rerender: () => render() });
const support = new Support({ api, send: (frame) => socket.send(frame), chats: state.chats, rerender: () => render(), announce, alert, focusAfter: (id) => moveFocusTo(id), me: () => state.me });
const twoFactor = new TwoFactorPanel({
  request: (method, path, data) => api(path, { method, body: data === undefined ? undefined : JSON.stringify(data) }),
  onDone: () => state.mustEnrol && location.reload(),
  announce,
});

// --- session ---------------------------------------------------------------------------

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json" };
  if (state.csrf) headers["X-CSRF-Token"] = state.csrf;
  const response = await fetch(path, { credentials: "same-origin", headers, ...options });
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) throw Object.assign(new Error(body?.error?.message || "error"), { body });
  return body;
}

async function restoreSession() {
  try {
    const session = await api("/api/auth/me");
    signedIn(session);
  } catch {
    render();
  }
}

function logIn(body) {
  return api("/api/auth/login", { method: "POST", body: JSON.stringify(body) });
}

function signedIn(session) {
  state.me = session.responder;
  state.csrf = session.csrf_token;
  state.mustEnrol = session.must_enrol;
  if (state.mustEnrol) {
    twoFactor.load().then(() => render());
  } else if (state.me.role !== "coordinator") {
    connect();
    diary.refresh();
    canned.load();
  }
  render();
}

// Logging out with chats open leaves young people without an adult until a colleague
// continues them (docs/protocol.md, "A chat whose responder is gone"): ask first.
const LEAVING_CHATS = (n) =>
  `Sinulla on ${n} ${n === 1 ? "chat" : "chattia"} kesken. Jos kirjaudut ulos, nuori saa tiedon, että yhteys katkesi, ja kollegasi voivat jatkaa keskustelua hetken kuluttua. Parempi on lopettaa chat tai siirtää se ensin. Kirjaudutaanko silti ulos?`;

// A professional who backs an expert's running shift keeps it open by being signed in.
const LEAVING_BACKUP = (backing) =>
  `Olet tukihenkilönä: ${backing.map(expertName).join(", ")}. Jos kirjaudut ulos, vuoro sulkeutuu eikä hänellä ole tukea. Kirjaudutaanko silti ulos?`;

function expertName(person) {
  return `${ROLE_LABELS[person.role] || person.role} ${person.name}`;
}

/** "Tukihenkilönä: kokemusasiantuntija Aino (vuoro päättyy klo 21.00). …" or null. */
function backingNote() {
  const backing = state.welcome?.backing || [];
  if (!backing.length) return null;
  const each = backing.map((b) => `${expertName(b)} (vuoro päättyy ${dutyEndText(b.ends_at)})`).join(", ");
  return el("span", { id: "backing", class: "ok", text: `Tukihenkilönä: ${each}. Vuoro on auki vain, kun konsolisi on auki.` });
}

async function logOut() {
  const open = [...state.chats.values()].filter((chat) => !chat.ended).length;
  if (open && !window.confirm(LEAVING_CHATS(open))) return;
  const backing = state.welcome?.backing || [];
  if (!open && backing.length && !window.confirm(LEAVING_BACKUP(backing))) return;
  if (socket) socket.stop();
  await api("/api/auth/logout", { method: "POST" }).catch(() => {});
  clearDrafts(); // the next person at this computer starts with none
  location.reload();
}

// --- the server ------------------------------------------------------------------------

function connect() {
  socket = new ReconnectingSocket("/ws/responder", {
    onOpen: () => {
      const resume = {};
      for (const [id, chat] of state.chats) if (!chat.ended) resume[id] = chat.lastSeq;
      state.waiting.clear(); // the server re-sends a tag for every chat still waiting
      socket.send({ type: "hello", resume, acks: "resends" });
      support.resume();
    },
    onFrame: handleFrame,
    onState: (connection) => {
      state.connection = connection;
      render();
    },
  });
  socket.start();
}

function chatOf(chatId, lang = "fi") {
  if (!state.chats.has(chatId)) {
    state.chats.set(chatId, { lang, messages: [], lastSeq: 0, typing: false, ended: null, outbox: new Map() });
  }
  return state.chats.get(chatId);
}

function addMessages(chat, messages) {
  for (const m of messages) {
    if (m.seq <= chat.lastSeq) continue;
    chat.lastSeq = m.seq;
    chat.messages.push(m);
    if (m.client_id) chat.outbox.delete(m.client_id);
  }
}

const handlers = {
  welcome(frame) {
    state.welcome = frame;
    debriefs.load(); // also after a reconnect: a request or answer missed meanwhile shows
  },
  tag(frame) {
    const isNew = !state.waiting.has(frame.chat_id);
    state.waiting.set(frame.chat_id, frame);
    if (isNew || frame.reminder) alertTag(frame);
  },
  taken(frame) {
    state.waiting.delete(frame.chat_id);
  },
  claimed(frame) {
    const tag = state.waiting.get(frame.chat_id);
    state.waiting.delete(frame.chat_id);
    const chat = chatOf(frame.chat_id, tag?.lang);
    chat.youthUrgent = Boolean(tag?.youth_urgent);
    addMessages(chat, frame.messages || []);
    state.claiming = null;
    moveFocusTo(`draft-${frame.chat_id}`); // claimed (with the keyboard too): on to the reply box
  },
  chat(frame) {
    state.waiting.delete(frame.chat_id); // a chat whose responder was gone, now mine
    const chat = chatOf(frame.chat_id, frame.lang);
    chat.lang = frame.lang; // the youth may have switched it while this console was away
    chat.youthUrgent = Boolean(frame.youth_urgent);
    addMessages(chat, frame.messages);
    if (frame.joined) chat.joinedBy = frame.joined; // "Mukana myös" after a reload too
    support.restore(frame);
    for (const [clientId, text] of chat.outbox) socket.send({ type: "send", chat_id: frame.chat_id, client_id: clientId, text });
    // continued a chat whose responder was gone, took it over or accepted it: on to its reply box
    if (support.accepted === frame.chat_id || state.claiming === frame.chat_id) {
      support.accepted = state.claiming = null;
      moveFocusTo(`draft-${frame.chat_id}`);
    }
  },
  message(frame) {
    const chat = chatOf(frame.chat_id);
    addMessages(chat, [frame]);
    if (frame.sender === "youth") {
      chat.typing = false;
      youthWrote(frame.chat_id, chat);
    } else if (frame.author && frame.author.id !== state.me.id) {
      announce(`Uusi viesti: ${frame.author.name}, chat ${short(frame.chat_id)}.`); // the backup wrote in my chat
    }
  },
  ack(frame) {
    state.chats.get(frame.chat_id)?.outbox.delete(frame.client_id);
  },
  duty(frame) {
    // a shift began or ended while connected (or the backing of an expert's shift changed)
    const was = state.welcome?.on_duty;
    state.welcome = { ...state.welcome, on_duty: frame.on_duty, shift_ends_at: frame.shift_ends_at, backing: frame.backing };
    if (was !== frame.on_duty) announce(frame.on_duty ? "Vuorosi alkoi: uudet chatit tulevat sinulle." : "Vuorosi päättyi: uusia chatteja ei enää tule sinulle.");
  },
  lang(frame) {
    // the youth switched the page's language: the tag, the chat and its canned replies follow
    const tag = state.waiting.get(frame.chat_id);
    if (tag) tag.lang = frame.lang;
    const alerted = support.alerts.get(frame.chat_id);
    if (alerted) alerted.lang = frame.lang;
    const watched = support.watching.get(frame.chat_id);
    if (watched) watched.lang = frame.lang;
    const chat = state.chats.get(frame.chat_id) || watched;
    if (!chat) return;
    chat.lang = frame.lang;
    chat.langNote = `Nuori vaihtoi kielen: ${LANG_NAMES[frame.lang] || frame.lang.toUpperCase()}.`;
    // a language this responder does not answer in: a colleague who does can take over
    if (!speaks(frame.lang)) chat.langNote += " Et vastaa tällä kielellä: voit siirtää chatin toiselle.";
    announce(`Chat ${short(frame.chat_id)}: ${chat.langNote}`);
  },
  typing(frame) {
    const chat = state.chats.get(frame.chat_id);
    if (chat) chat.typing = frame.active;
  },
  ended(frame) {
    state.waiting.delete(frame.chat_id);
    const chat = state.chats.get(frame.chat_id);
    if (chat) chat.ended = frame.reason;
    if (chat && frame.forgotten) chat.forgotten = true;
    stopTyping(frame.chat_id, false);
    if (chat) {
      // The form takes the focus only from this chat's own "Lopeta chat" (or from nowhere):
      // never from a reply box or another chat, where keystrokes would pick diary options.
      const active = document.activeElement;
      const free = !active || active === document.body || active.dataset?.focusKey === `end:${frame.chat_id}`;
      diary.chatEnded(frame.chat_id, { focus: free });
      announce(`Chat ${short(frame.chat_id)} päättyi. ${END_REASONS[frame.reason] || ""} Täytä sen tilastolomake.`);
    }
  },
  error(frame) {
    state.notice = ERRORS[frame.code] || SUPPORT_ERRORS[frame.code] || frame.message;
    if (frame.code === "chat.taken" || frame.code === "chat.not_waiting") state.waiting.delete(frame.ref);
    announce(state.notice);
  },
};

function handleFrame(frame) {
  if (!support.handle(frame) && !debriefs.handle(frame)) handlers[frame.type]?.(frame);
  updateAlerts();
  render();
}

// --- alerts: sound, desktop notification, flashing title --------------------------------

function alertTag(tag) {
  const body = tag.youth_urgent ? "Nuori tarvitsee apua heti (hätä nyt)."
    : tag.holder_gone ? "Vastaajan yhteys katkesi: nuori odottaa jatkoa." : "Nuori odottaa vastaajaa.";
  announce(tag.youth_urgent ? `Hätä nyt: ${body}` : tag.holder_gone ? body : "Uusi chat odottaa vastaajaa.");
  alert({ title: tag.youth_urgent ? "Hätä nyt: chat odottaa" : "Chat odottaa", body, key: tag.chat_id, sticky: true });
}

/** The alert of a tag for anything else that needs the responder (a support request, a
 * transfer offer, a youth message while the tab is hidden): a tone, a desktop notification,
 * and the flashing title (updateAlerts, after the frame). */
function alert({ title, body, key, sticky = false }) {
  beep();
  if ("Notification" in window && Notification.permission === "granted") {
    new Notification(title, { body, tag: key, requireInteraction: sticky });
  }
}

/** A youth message: marked unread unless it is the chat in use now; with the tab hidden it
 * alerts like a tag. The announcement names the chat. */
function youthWrote(chatId, chat) {
  const inView = !document.hidden && state.current === chatId;
  if (!inView) chat.unread = (chat.unread || 0) + 1;
  announce(`Uusi viesti nuorelta: chat ${short(chatId)}${chat.unread ? ` (${chat.unread} lukematta)` : ""}.`);
  if (document.hidden) {
    state.hiddenUnread += 1;
    alert({ title: "Uusi viesti nuorelta", body: `Chat ${short(chatId)}`, key: `message-${chatId}` });
  }
}

function short(chatId) {
  return chatId.slice(0, 6);
}

function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.6);
  } catch {
    // no audio device: the title and the notification still alert
  }
}

/** What the flashing title says, or null when nothing waits for the responder. */
function attention() {
  if (state.waiting.size) return `(${state.waiting.size}) Chat odottaa!`;
  if (support.asking()) return "Tukipyyntö!";
  if (support.offers.size) return "Siirtotarjous!";
  if (state.hiddenUnread) return `(${state.hiddenUnread}) Uusi viesti!`;
  return null;
}

function updateAlerts() {
  const count = state.waiting.size;
  document.documentElement.dataset.waiting = String(count);
  const text = attention();
  if (text && !flashTimer) {
    let on = false;
    flashTimer = setInterval(() => {
      on = !on;
      document.title = on ? attention() || TITLE : TITLE;
      if (!attention()) updateAlerts();
    }, 1000);
    alertTimer = setInterval(() => (state.waiting.size || support.asking()) && beep(), ALERT_REPEAT_MS);
  } else if (!text && flashTimer) {
    clearInterval(flashTimer);
    clearInterval(alertTimer);
    flashTimer = alertTimer = null;
    document.title = TITLE;
  }
}

function announce(text) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}

// --- actions ---------------------------------------------------------------------------

function claim(chatId) {
  state.notice = null;
  state.claiming = chatId; // its reply box takes the focus when the chat comes
  socket.send({ type: "claim", chat_id: chatId });
}

function send(chatId) {
  const text = (state.drafts.get(chatId) || "").trim();
  if (!text) return;
  const clientId = newClientId();
  state.chats.get(chatId).outbox.set(clientId, text);
  state.drafts.set(chatId, "");
  socket.send({ type: "send", chat_id: chatId, client_id: clientId, text });
  stopTyping(chatId);
  state.stick.add(chatId); // my own message: show it
  render();
}

// The youth sees "kirjoittaa…" while a draft is being written: it stops when the reply box is
// emptied, when the message is sent, and after TYPING_IDLE_MS without a keystroke.
function draftChanged(chatId, text) {
  state.drafts.set(chatId, text);
  if (!text.trim()) {
    stopTyping(chatId);
    return;
  }
  if (!typingSent.has(chatId)) socket.send({ type: "typing", chat_id: chatId, active: true });
  typingSent.add(chatId);
  clearTimeout(typingTimers.get(chatId));
  typingTimers.set(chatId, setTimeout(() => stopTyping(chatId), TYPING_IDLE_MS));
}

function stopTyping(chatId, tell = true) {
  clearTimeout(typingTimers.get(chatId));
  typingTimers.delete(chatId);
  if (typingSent.delete(chatId) && tell) socket?.send({ type: "typing", chat_id: chatId, active: false });
}

function endChat(chatId) {
  if (window.confirm("Lopetetaanko chat?")) socket.send({ type: "end", chat_id: chatId });
}

function closePanel(chatId) {
  state.chats.delete(chatId);
  state.drafts.delete(chatId);
  render();
}

/** After the coming render, move the focus to ``id`` (the new chat's reply box after a claim
 * or take-over), unless the responder is typing somewhere meanwhile. */
function moveFocusTo(id) {
  state.focusNext = id;
}

// --- rendering -------------------------------------------------------------------------

// The console rebuilds its whole tree on every frame. What the responder was doing survives
// it: the focused control (by id, or by data-focus-key for the buttons of a chat or a tag),
// the caret and selection in a text field, and where each message list was scrolled to.
let composing = false; // an IME composition is open: the render waits for its end
let renderPending = false;

function isTextField(node) {
  return node?.tagName === "TEXTAREA" || (node?.tagName === "INPUT" && ["text", "search", "password", "email", "number", "tel", "url"].includes(node.type));
}

function focusKeyOf(node) {
  if (!node || node === document.body) return null;
  if (node.id) return { id: node.id };
  if (node.dataset?.focusKey) return { key: node.dataset.focusKey };
  return null;
}

function findFocusKey(saved) {
  if (!saved) return null;
  if (saved.id) return document.getElementById(saved.id);
  return [...document.querySelectorAll("[data-focus-key]")].find((n) => n.dataset.focusKey === saved.key) || null;
}

function render() {
  if (composing) {
    renderPending = true;
    return;
  }
  renderPending = false;
  const active = document.activeElement;
  const saved = focusKeyOf(active);
  const text = isTextField(active) ? { start: active.selectionStart, end: active.selectionEnd, dir: active.selectionDirection, scroll: active.scrollTop } : null;
  const lists = new Map();
  for (const list of document.querySelectorAll(".messages[data-scroll-key]")) {
    lists.set(list.dataset.scrollKey, { top: list.scrollTop, bottom: list.scrollTop + list.clientHeight >= list.scrollHeight - 8 });
  }
  const pageX = window.scrollX;
  const pageY = window.scrollY;

  root.replaceChildren(state.me ? consoleView() : loginView());

  const again = findFocusKey(saved);
  if (again && again !== document.activeElement) {
    again.focus({ preventScroll: true });
    if (text && isTextField(again)) {
      try {
        again.setSelectionRange(text.start, text.end, text.dir);
        again.scrollTop = text.scroll;
      } catch {
        // a field without a caret
      }
    }
  }
  let moved = false; // the focus went to a new place: let the page scroll to it
  if (state.focusNext) {
    const target = document.getElementById(state.focusNext);
    const busy = isTextField(document.activeElement) && document.activeElement !== target;
    if (target && !busy) {
      target.focus();
      moved = true;
    }
    if (target || busy) state.focusNext = null;
  }
  for (const list of document.querySelectorAll(".messages[data-scroll-key]")) {
    const key = list.dataset.scrollKey;
    const before = lists.get(key);
    if (!before || before.bottom || state.stick.has(key)) list.scrollTop = list.scrollHeight;
    else list.scrollTop = before.top; // reading further up: stay there
  }
  state.stick.clear();
  if (!moved) window.scrollTo(pageX, pageY);
}

document.addEventListener("compositionstart", () => (composing = true));
document.addEventListener("compositionend", () => {
  composing = false;
  if (renderPending) setTimeout(render, 0);
});

// The chat in use: focus or a pointer inside its panel. Its unread count goes then (in the
// DOM directly: a render between pointerdown and click would swallow the click).
function useChat(event) {
  const panel = event.target.closest?.("article.chat[data-chat]:not(.watched):not(.transcript-view)");
  if (!panel) return;
  const chatId = panel.dataset.chat;
  state.current = chatId;
  const chat = state.chats.get(chatId);
  if (chat?.unread) {
    chat.unread = 0;
    panel.classList.remove("unread");
    panel.querySelector(".unread-count")?.remove();
  }
}
document.addEventListener("focusin", useChat);
document.addEventListener("pointerdown", useChat);
document.addEventListener("visibilitychange", () => {
  if (document.hidden) return;
  state.hiddenUnread = 0;
  updateAlerts();
});

// The waiting times on the tags count up (only those texts change: focus stays put).
setInterval(() => {
  for (const node of document.querySelectorAll(".tag .since[data-since]")) node.textContent = since(node.dataset.since);
}, TAG_CLOCK_MS);

function loginView() {
  return loginForm({ title: TITLE, post: logIn, onSignedIn: signedIn });
}

function consoleView() {
  if (state.mustEnrol) return enrolView();
  const settings = state.showTwoFactor ? twoFactor.node : null;
  // With a chat going on, the diary comes after the chats: a form that opens when another
  // chat ends must not push the live one off the screen.
  const live = [...state.chats.values()].some((chat) => !chat.ended);
  return el("div", { class: "console" }, statusBar(), el("main", {}, settings, noticeBar(), debriefs.view(), waitingList(), support.view(),
    live ? null : diary.view(), chatPanels(), live ? diary.view() : null, transcripts.view()));
}

// A session that must enrol a second factor sees only this (the API refuses everything else).
function enrolView() {
  return el(
    "div",
    { class: "console" },
    el("header", { class: "bar" }, el("strong", { text: state.me.display_name }), el("button", { id: "logout", type: "button", onclick: logOut, text: "Kirjaudu ulos" })),
    el("main", { id: "enrol" }, twoFactor.node),
  );
}

function toggleTwoFactor() {
  state.showTwoFactor = !state.showTwoFactor;
  if (state.showTwoFactor) twoFactor.load().then(() => render());
  render();
}

/** When the duty ends, in Helsinki time: "klo 18.00" today, "la 28.11. klo 02.00" on another
 * day (back-to-back shifts chain, so a duty may end tomorrow). A duty to midnight ends "klo
 * 24.00" of its last day, as Finnish timetables write it: "klo 00.00" read as already over. */
function dutyEndText(iso) {
  const zone = "Europe/Helsinki";
  const end = new Date(iso);
  const lastMinute = new Date(end.getTime() - 60_000); // names the day the duty is on at its end
  const day = (d) => d.toLocaleDateString("fi-FI", { timeZone: zone });
  const clock = end.toLocaleTimeString("fi-FI", { hour: "2-digit", minute: "2-digit", timeZone: zone });
  const time = `klo ${clock === "00.00" ? "24.00" : clock}`;
  if (day(lastMinute) === day(new Date())) return time;
  return `${lastMinute.toLocaleDateString("fi-FI", { weekday: "short", day: "numeric", month: "numeric", timeZone: zone })} ${time}`;
}

function statusBar() {
  const welcome = state.welcome;
  const duty = welcome ? (welcome.on_duty ? "Vuorossa" : "Ei vuorossa") : "";
  const ends = welcome?.shift_ends_at ? ` – vuoro päättyy ${dutyEndText(welcome.shift_ends_at)}` : "";
  const connection = { open: "yhteys kunnossa", reconnecting: "yhteys katkesi, yhdistetään…", closed: "yhteys suljettu", down: "yhdistetään…" }[state.connection];
  const canNotify = "Notification" in window && Notification.permission === "default";
  return el(
    "header",
    { class: "bar" },
    el("strong", { text: `${state.me.display_name} (${ROLE_LABELS[state.me.role] || state.me.role})` }),
    el("span", { id: "duty", class: welcome?.on_duty || welcome?.backing?.length ? "ok" : "warn", text: duty + ends }),
    backingNote(),
    support.presence(),
    el("span", { id: "connection", class: state.connection === "open" ? "ok" : "warn", text: connection }),
    canNotify ? el("button", { type: "button", "data-focus-key": "allow-notifications", onclick: () => Notification.requestPermission().then(render), text: "Salli ilmoitukset" }) : null,
    el("button", { id: "tf-toggle", type: "button", "aria-expanded": String(state.showTwoFactor), onclick: toggleTwoFactor, text: "Kaksivaiheinen tunnistautuminen" }),
    el("button", { id: "logout", type: "button", onclick: logOut, text: "Kirjaudu ulos" }),
  );
}

function noticeBar() {
  if (!state.notice) return null;
  return el("p", { id: "notice", class: "notice", role: "alert" }, state.notice,
    el("button", { type: "button", class: "link", "data-focus-key": "notice-close", onclick: () => { state.notice = null; render(); }, text: "Sulje" }));
}

function waitingList() {
  if (state.me.role === "coordinator") return el("p", {}, "Koordinaattori ei vastaa chatteihin. ", el("a", { href: "/coordinator/", text: "Koordinaattorin sivut" }));
  const full = atCap();
  const items = waitingInOrder().map((tag) =>
    el(
      "li",
      { class: `tag${tag.urgent || tag.youth_urgent ? " urgent" : ""}${tag.youth_urgent ? " youth-urgent" : ""}${tag.holder_gone ? " holder-gone" : ""}`, "data-chat": tag.chat_id },
      el("span", {}, tagLabel(tag),
        tag.holder_gone ? HOLDER_GONE : el("span", {}, "Odottaa ", el("span", { class: "since", "data-since": tag.waiting_since, text: since(tag.waiting_since) })),
        ` · kieli ${tag.lang.toUpperCase()}${speaks(tag.lang) ? "" : " (et vastaa tällä kielellä)"}${tag.reminder && !tag.urgent ? " · muistutus" : ""}`),
      el("button", {
        class: `primary claim${full ? " at-cap" : ""}`, type: "button", "data-focus-key": `claim:${tag.chat_id}`,
        "aria-disabled": full ? "true" : null, "aria-describedby": full ? "cap-note" : null,
        onclick: () => (full ? capReached() : claim(tag.chat_id)), text: tag.holder_gone ? "Jatka keskustelua" : "Vastaa",
      }),
    ),
  );
  return el(
    "section",
    { class: "waiting", "aria-labelledby": "waiting-title" },
    el("h2", { id: "waiting-title", text: `Odottavat chatit (${state.waiting.size})` }),
    items.length && full ? el("p", { id: "cap-note", class: "cap-note", text: `Sinulla on jo ${state.welcome.cap} ${state.welcome.cap === 1 ? "chat" : "chattia"} auki. Lopeta tai siirrä yksi, niin voit vastata uuteen.` }) : null,
    items.length ? el("ul", { id: "waiting-list" }, ...items) : el("p", { class: "muted", text: "Ei odottavia chatteja." }),
  );
}

// "Hätä nyt" says more than "kiireellinen" (the escalation that comes with it at once); a
// chat whose responder is gone has a young person in it already.
const HOLDER_GONE = "Vastaajan yhteys katkesi kesken chatin: nuori odottaa jatkoa";

/** The responder holds as many chats as the server allows (welcome's ``cap``). */
function atCap() {
  const cap = state.welcome?.cap;
  if (!cap) return false;
  return [...state.chats.values()].filter((chat) => !chat.ended).length >= cap;
}

function capReached() {
  state.notice = ERRORS["chat.cap_reached"];
  announce(state.notice);
  render();
}

function tagLabel(tag) {
  if (tag.youth_urgent) return "HÄTÄ NYT · ";
  if (tag.holder_gone) return "VASTAAJA POISSA · ";
  return tag.urgent ? "KIIREELLINEN · " : "";
}

// "Hätä nyt" first, then chats whose responder is gone, then the longest wait: the queue
// itself stays in opening order.
function waitingInOrder() {
  const rank = (tag) => (tag.youth_urgent ? 0 : tag.holder_gone ? 1 : 2);
  return [...state.waiting.values()].sort((a, b) => rank(a) - rank(b) || a.waiting_since.localeCompare(b.waiting_since));
}

// Every responder on duty is tagged; the tag says when the chat is in a language this
// responder does not answer in, so a colleague who does can take it if one is on duty.
function speaks(lang) {
  return (state.me.languages || ["fi"]).includes(lang);
}

function since(iso) {
  const secs = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  return secs < 60 ? `${secs} s` : `${Math.floor(secs / 60)} min`;
}

function chatPanels() {
  const panels = [...state.chats.entries()].map(([id, chat]) => chatPanel(id, chat));
  return el("section", { class: "chats", "aria-label": "Omat chatit" }, ...panels);
}

function chatPanel(chatId, chat) {
  const messages = chat.messages.map((m) => messageItem(m, state.me.id, true));
  for (const [, text] of chat.outbox) messages.push(el("li", { class: "msg responder pending" }, el("span", { text: `${text} (lähetetään…)` })));
  const body = chat.ended
    ? [el("p", { class: "ended", text: END_REASONS[chat.ended] || "Chat päättyi." }),
       chat.forgotten ? el("p", { class: "forgotten", text: FORGOTTEN }) : null,
       el("button", { type: "button", "data-focus-key": `close:${chatId}`, onclick: () => closePanel(chatId), text: "Sulje" })]
    : [el("p", { class: "typing", text: chat.typing ? "Nuori kirjoittaa…" : "" }),
       support.chatTools(chatId, chat, state.me.role === "experience_expert"), canned.picker(chatId, chat.lang), composer(chatId)];
  const unread = chat.unread ? el("span", { class: "unread-count", text: `${chat.unread} uutta` }) : null;
  return el(
    "article",
    { class: `chat${chat.unread ? " unread" : ""}`, "data-chat": chatId, "aria-label": `Chat ${short(chatId)}` },
    el("header", {}, el("h3", {}, `Chat ${short(chatId)} · ${chat.lang.toUpperCase()}`, unread),
      chat.ended ? null : el("button", { type: "button", class: "end", "data-focus-key": `end:${chatId}`, onclick: () => endChat(chatId), text: "Lopeta chat" })),
    chat.youthUrgent && !chat.ended
      ? el("p", { class: "youth-urgent-note", text: YOUTH_URGENT + (state.me.role === "experience_expert" ? YOUTH_URGENT_EXPERT : "") })
      : null,
    chat.ended ? null : langNote(chat),
    // focusable, so that a keyboard can scroll back through it
    el("ol", { class: "messages", "data-scroll-key": chatId, "data-focus-key": `messages:${chatId}`, tabindex: "0", "aria-label": `Viestit, chat ${short(chatId)}` }, ...messages),
    ...body,
  );
}

/** The youth switched language ("Nuori vaihtoi kielen: …"), or the chat is in a language this
 * responder does not answer in: said in the chat itself, also after a reload. */
function langNote(chat) {
  const hint = speaks(chat.lang) ? null : `Chat on kielellä ${LANG_NAMES[chat.lang] || chat.lang.toUpperCase()}, jolla et vastaa: voit siirtää chatin toiselle.`;
  const text = chat.langNote || hint;
  return text ? el("p", { class: "lang-note", text }) : null;
}

function composer(chatId) {
  return el(
    "form",
    { class: "composer", onsubmit: (e) => { e.preventDefault(); send(chatId); } },
    el("textarea", {
      id: `draft-${chatId}`,
      rows: "2",
      "aria-label": "Vastaus",
      oninput: (e) => draftChanged(chatId, e.target.value),
      onkeydown: (e) => {
        if (e.key === "Enter" && !e.shiftKey) {
          e.preventDefault();
          send(chatId);
        }
      },
    }, state.drafts.get(chatId) || ""),
    el("button", { class: "primary", type: "submit", "data-focus-key": `send:${chatId}`, text: "Lähetä" }),
  );
}

document.title = TITLE;
restoreSession();
