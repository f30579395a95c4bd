// The responder console: log in, see tags for waiting chats (sound, desktop notification,
// flashing title, repeated while a chat waits), claim, chat in several chats side by side.
import { loginForm } from "../common/login.js";
import { ReconnectingSocket, el, newClientId } from "../common/socket.js";
import { TwoFactorPanel } from "../common/two_factor.js";
import { Canned } from "./canned.js";
import { Debriefs } from "./debrief.js";
import { Transcripts } from "./transcripts.js";
import { Diary } from "./diary.js";
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
};
let socket = null;
let flashTimer = null;
let alertTimer = null;
const debriefs = new Debriefs({ api, rerender: () => render(), announce, me: () => state.me });
const transcripts = new Transcripts({ api, rerender: () => render(), announce, me: () => state.me });
const diary = new Diary({ api, rerender: () => render(), announce, onFiled: (response) => debriefs.filed(response) });
const canned = new Canned({ api, drafts: state.drafts, rerender: () => render() });
const support = new Support({ api, send: (frame) => socket.send(frame), chats: state.chats, rerender: () => render(), announce, me: () => state.me });
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

async function logOut() {
  const open = [...state.chats.values()].filter((chat) => !chat.ended).length;
  if (open && !window.confirm(LEAVING_CHATS(open))) return;
  if (socket) socket.stop();
  await api("/api/auth/logout", { method: "POST" }).catch(() => {});
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
  },
  chat(frame) {
    state.waiting.delete(frame.chat_id); // a chat whose responder was gone, now mine
    const chat = chatOf(frame.chat_id, frame.lang);
    chat.youthUrgent = Boolean(frame.youth_urgent);
    addMessages(chat, frame.messages);
    if (frame.joined) chat.joinedBy = frame.joined; // "Mukana myös" after a reload too
    support.restore(frame);
    for (const [clientId, text] of chat.outbox) socket.send({ type: "send", chat_id: frame.chat_id, client_id: clientId, text });
  },
  message(frame) {
    const chat = chatOf(frame.chat_id);
    addMessages(chat, [frame]);
    if (frame.sender === "youth") {
      chat.typing = false;
      announce("Uusi viesti nuorelta.");
    } else if (frame.author && frame.author.id !== state.me.id) {
      announce(`Uusi viesti: ${frame.author.name}.`); // the backup wrote in my chat
    }
  },
  ack(frame) {
    state.chats.get(frame.chat_id)?.outbox.delete(frame.client_id);
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
    if (chat) diary.chatEnded(frame.chat_id);
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
  beep();
  const body = tag.youth_urgent ? "Nuori tarvitsee apua heti (hätä nyt)."
    : tag.holder_gone ? "Vastaajan yhteys katkesi: nuori odottaa jatkoa." : "Nuori odottaa vastaajaa.";
  announce(tag.youth_urgent ? `Hätä nyt: ${body}` : tag.holder_gone ? body : "Uusi chat odottaa vastaajaa.");
  if ("Notification" in window && Notification.permission === "granted") {
    new Notification(tag.youth_urgent ? "Hätä nyt: chat odottaa" : "Chat odottaa", { body, tag: tag.chat_id, requireInteraction: true });
  }
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

function updateAlerts() {
  const count = state.waiting.size;
  document.documentElement.dataset.waiting = String(count);
  if (count && !flashTimer) {
    let on = false;
    flashTimer = setInterval(() => {
      on = !on;
      document.title = on ? `(${state.waiting.size}) Chat odottaa!` : TITLE;
    }, 1000);
    alertTimer = setInterval(() => state.waiting.size && beep(), ALERT_REPEAT_MS);
  } else if (!count && flashTimer) {
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
  socket.send({ type: "claim", chat_id: chatId });
}

function send(chatId) {
  const text = (state.drafts.get(chatId) || "").trim();
  if (!text) return;
  const clientId = newClientId();
  state.chats.get(chatId).outbox.set(clientId, text);
  state.drafts.set(chatId, "");
  socket.send({ type: "send", chat_id: chatId, client_id: clientId, text });
  socket.send({ type: "typing", chat_id: chatId, active: false });
  render();
}

function endChat(chatId) {
  if (window.confirm("Lopetetaanko chat?")) socket.send({ type: "end", chat_id: chatId });
}

function closePanel(chatId) {
  state.chats.delete(chatId);
  state.drafts.delete(chatId);
  render();
}

// --- rendering -------------------------------------------------------------------------

function render() {
  const focused = document.activeElement?.id;
  root.replaceChildren(state.me ? consoleView() : loginView());
  if (focused) document.getElementById(focused)?.focus();
  for (const list of document.querySelectorAll(".messages")) list.scrollTop = list.scrollHeight;
}

function loginView() {
  return loginForm({ title: TITLE, post: logIn, onSignedIn: signedIn });
}

function consoleView() {
  if (state.mustEnrol) return enrolView();
  const settings = state.showTwoFactor ? twoFactor.node : null;
  return el("div", { class: "console" }, statusBar(), el("main", {}, settings, noticeBar(), debriefs.view(), waitingList(), support.view(), diary.view(), chatPanels(), transcripts.view()));
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
    el("span", { id: "duty", class: welcome?.on_duty ? "ok" : "warn", text: duty + ends }),
    support.presence(),
    el("span", { id: "connection", class: state.connection === "open" ? "ok" : "warn", text: connection }),
    canNotify ? el("button", { type: "button", onclick: () => Notification.requestPermission().then(render), text: "Salli ilmoitukset" }) : null,
    el("button", { id: "tf-toggle", type: "button", "aria-expanded": String(state.showTwoFactor), onclick: toggleTwoFactor, text: "Kaksivaiheinen tunnistautuminen" }),
    el("button", { id: "logout", type: "button", onclick: logOut, text: "Kirjaudu ulos" }),
  );
}

function noticeBar() {
  if (!state.notice) return null;
  return el("p", { id: "notice", class: "notice", role: "alert" }, state.notice,
    el("button", { type: "button", class: "link", onclick: () => { state.notice = null; render(); }, text: "Sulje" }));
}

function waitingList() {
  if (state.me.role === "coordinator") return el("p", {}, "Koordinaattori ei vastaa chatteihin. ", el("a", { href: "/coordinator/", text: "Koordinaattorin sivut" }));
  const items = waitingInOrder().map((tag) =>
    el(
      "li",
      { class: `tag${tag.urgent || tag.youth_urgent ? " urgent" : ""}${tag.youth_urgent ? " youth-urgent" : ""}${tag.holder_gone ? " holder-gone" : ""}`, "data-chat": tag.chat_id },
      el("span", { text: `${tagLabel(tag)}${tag.holder_gone ? HOLDER_GONE : `Odottaa ${since(tag.waiting_since)}`} · kieli ${tag.lang.toUpperCase()}${speaks(tag.lang) ? "" : " (et vastaa tällä kielellä)"}${tag.reminder && !tag.urgent ? " · muistutus" : ""}` }),
      el("button", { class: "primary claim", type: "button", onclick: () => claim(tag.chat_id), text: tag.holder_gone ? "Jatka keskustelua" : "Vastaa" }),
    ),
  );
  return el(
    "section",
    { class: "waiting", "aria-labelledby": "waiting-title" },
    el("h2", { id: "waiting-title", text: `Odottavat chatit (${state.waiting.size})` }),
    items.length ? el("ul", { id: "waiting-list" }, ...items) : el("p", { class: "muted", text: "Ei odottavia chatteja." }),
  );
}

// "Hätä nyt" says more than "kiireellinen" (the escalation that comes with it at once); a
// chat whose responder is gone has a young person in it already.
const HOLDER_GONE = "Vastaajan yhteys katkesi kesken chatin: nuori odottaa jatkoa";

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
       el("button", { type: "button", onclick: () => closePanel(chatId), text: "Sulje" })]
    : [el("p", { class: "typing", text: chat.typing ? "Nuori kirjoittaa…" : "" }),
       support.chatTools(chatId, chat, state.me.role === "experience_expert"), canned.picker(chatId, chat.lang), composer(chatId)];
  return el(
    "article",
    { class: "chat", "data-chat": chatId, "aria-label": `Chat ${chatId.slice(0, 6)}` },
    el("header", {}, el("h3", { text: `Chat ${chatId.slice(0, 6)} · ${chat.lang.toUpperCase()}` }),
      chat.ended ? null : el("button", { type: "button", class: "end", onclick: () => endChat(chatId), text: "Lopeta chat" })),
    chat.youthUrgent
      ? el("p", { class: "youth-urgent-note", text: YOUTH_URGENT + (state.me.role === "experience_expert" ? YOUTH_URGENT_EXPERT : "") })
      : null,
    el("ol", { class: "messages" }, ...messages),
    ...body,
  );
}

function composer(chatId) {
  let typingSent = false;
  return el(
    "form",
    { class: "composer", onsubmit: (e) => { e.preventDefault(); send(chatId); } },
    el("textarea", {
      id: `draft-${chatId}`,
      rows: "2",
      "aria-label": "Vastaus",
      oninput: (e) => {
        state.drafts.set(chatId, e.target.value);
        if (!typingSent) socket.send({ type: "typing", chat_id: chatId, active: true });
        typingSent = true;
      },
      onkeydown: (e) => {
        if (e.key === "Enter" && !e.shiftKey) {
          e.preventDefault();
          send(chatId);
        }
      },
    }, state.drafts.get(chatId) || ""),
    el("button", { class: "primary", type: "submit", text: "Lähetä" }),
  );
}

document.title = TITLE;
restoreSession();
