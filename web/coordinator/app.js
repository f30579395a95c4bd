// The coordinator pages: log in, then one page with a nav to the sections (responders, the situation now, rota,
// youth texts, canned replies, diary codes, statistics, the audit trail). The section lives in the URL hash, so reload and
// the back button keep it.
import { loginForm } from "../common/login.js";
import { TwoFactorPanel } from "../common/two_factor.js";
import { announce, api, el, errorText, send, session } from "./shared.js";
import { showResponders } from "./responders.js";
import { showRota } from "./rota.js";
import { showTexts } from "./texts.js";
import { showTaxonomy } from "./taxonomy.js";
import { showCanned } from "./canned.js";
import { showStatistics } from "./statistics.js";
import { showAudit } from "./audit.js";
import { showSituation } from "./situation.js";

const TITLE = "Koordinaattorin sivut";
const SECTIONS = [
  { hash: "vastaajat", label: "Vastaajat", show: showResponders },
  { hash: "tilanne", label: "Tilanne nyt", show: showSituation },
  { hash: "vuorot", label: "Vuorot", show: showRota },
  { hash: "tekstit", label: "Nuoren tekstit", show: showTexts },
  { hash: "valmiit", label: "Valmiit vastaukset", show: showCanned },
  { hash: "luokitus", label: "Päiväkirjan luokitus", show: showTaxonomy },
  { hash: "tilastot", label: "Tilastot", show: showStatistics },
  { hash: "loki", label: "Tapahtumaloki", show: showAudit },
  { hash: "oma-tili", label: "Oma tili", show: showOwnAccount },
];

const root = document.getElementById("app");

async function start() {
  try {
    signedIn(await api("/api/auth/me"));
  } catch {
    root.replaceChildren(loginView());
  }
}

function loginView() {
  return loginForm({ title: TITLE, post: (body) => send("POST", "/api/auth/login", body), onSignedIn: (result) => signedIn(result, true) });
}

function twoFactorPanel(onDone) {
  return new TwoFactorPanel({ request: send, onDone, announce });
}

// The signed-in coordinator's own two-factor settings.
async function showOwnAccount(main) {
  main.replaceChildren(await twoFactorPanel().load());
}

// fromLogin: the login form was just used, so keyboard focus (left on the vanished form's
// button) moves to the heading of what replaces it.
function signedIn(result, fromLogin = false) {
  session.me = result.responder;
  session.csrf = result.csrf_token;
  if (result.must_enrol) {
    enrolView(fromLogin);
    return;
  }
  if (session.me.role !== "coordinator") {
    root.replaceChildren(refusedView());
    if (fromLogin) root.querySelector("h1")?.focus();
    return;
  }
  root.replaceChildren(shell());
  window.addEventListener("hashchange", () => route(true));
  route(fromLogin);
}

async function logOut() {
  await send("POST", "/api/auth/logout").catch(() => {});
  location.hash = "";
  location.reload();
}

// The policy wants a second factor before anything else: this session may only enrol.
async function enrolView(focus = false) {
  const panel = await twoFactorPanel(() => location.reload()).load();
  root.replaceChildren(
    el(
      "main",
      { class: "login enrol", id: "enrol" },
      el("h1", { text: TITLE, tabindex: "-1" }),
      panel,
      el("button", { type: "button", onclick: logOut, text: "Kirjaudu ulos" }),
    ),
  );
  if (focus) root.querySelector("h1")?.focus();
}

function refusedView() {
  return el(
    "main",
    { class: "login", id: "refused" },
    el("h1", { text: TITLE, tabindex: "-1" }),
    el("p", { role: "alert", class: "error", text: "Nämä sivut ovat vain koordinaattoreille. Tunnuksellasi ei ole koordinaattorin oikeuksia." }),
    el("p", {}, "Vastaajat käyttävät ", el("a", { href: "/console/", text: "vastaajan konsolia" }), "."),
    el("button", { type: "button", onclick: logOut, text: "Kirjaudu ulos" }),
  );
}

function shell() {
  const links = SECTIONS.map((s) => el("li", {}, el("a", { href: `#${s.hash}`, id: `nav-${s.hash}`, text: s.label })));
  return el(
    "div",
    { class: "shell" },
    el(
      "header",
      { class: "bar" },
      el("h1", { text: TITLE }),
      el("span", { class: "who", text: session.me.display_name }),
      el("button", { id: "logout", type: "button", onclick: logOut, text: "Kirjaudu ulos" }),
    ),
    el("nav", { "aria-label": "Osiot" }, el("ul", {}, ...links)),
    el("main", { id: "section" }),
  );
}

async function route(focus) {
  const wanted = location.hash.slice(1);
  const section = SECTIONS.find((s) => s.hash === wanted) || SECTIONS[0];
  for (const s of SECTIONS) {
    const link = document.getElementById(`nav-${s.hash}`);
    if (s === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${section.label} – ${TITLE}`;
  const main = document.getElementById("section");
  main.replaceChildren(el("p", { class: "muted", text: "Ladataan…" }));
  try {
    await section.show(main);
  } catch (error) {
    main.replaceChildren(el("p", { class: "error", role: "alert", text: errorText(error) }));
  }
  if (focus) main.querySelector("h2")?.focus();
}

document.title = TITLE;
start();
