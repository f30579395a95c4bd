// "Tilanne nyt" (docs/architecture.md): the service right now, read from GET /api/support/now
// every 15 seconds while this section is shown. Counts and names only: the coordinator does
// not answer chats, but sees when chats wait too long (escalated) and when an expert's shift
// does not open because the backup is away, and can call someone.
import { ROLE_LABELS, api, el, fill, heading } from "./shared.js";

const REFRESH_MS = 15_000;
let timer = null;

export async function showSituation(main) {
  clearInterval(timer);
  await draw(main);
  timer = setInterval(() => {
    if (!document.getElementById("situation")) clearInterval(timer); // another section now
    else draw(main).catch(() => {}); // the next round tries again
  }, REFRESH_MS);
}

async function draw(main) {
  const now = await api("/api/support/now");
  const state = now.open ? (now.accepts_new_chats ? "Chat on auki." : "Chat on auki, mutta uusia chatteja ei enää oteta (sulkeutuu pian).") : "Chat on suljettu.";
  fill(
    main,
    heading("Tilanne nyt", "situation-title"),
    el("div", { id: "situation" },
      el("p", { id: "situation-open", class: "status", text: state }),
      el("ul", { class: "figures" },
        el("li", { id: "situation-waiting", text: `Jonossa: ${now.waiting}` }),
        el("li", { id: "situation-escalated", class: now.waiting_escalated ? "alert" : "", text: `Joista kiireellisiä (odottanut liian kauan tai nuori valitsi ”hätä nyt”): ${now.waiting_escalated}` }),
        el("li", { id: "situation-active", text: `Käynnissä olevia keskusteluja: ${now.active}` }),
        el("li", { id: "situation-holder-gone", class: now.active_holder_gone ? "alert" : "", text: `Joista vastaajan yhteys katkennut (odottaa jatkajaa): ${now.active_holder_gone}` })),
      el("h3", { text: "Vuorossa nyt" }),
      now.on_duty.length
        ? el("ul", { id: "situation-on-duty" }, ...now.on_duty.map((p) =>
            el("li", { class: p.connected ? "" : "alert", text: `${p.name} (${ROLE_LABELS[p.role] || p.role}) – ${p.connected ? "konsoli auki" : "ei kirjautuneena konsoliin"}` })))
        : el("p", { class: "muted", text: "Kukaan ei ole nyt vuorossa." }),
      now.backups_away.length
        ? el("div", { id: "situation-backups-away", class: "alert" },
            el("h3", { text: "Kokemusasiantuntijan vuoro ei aukea" }),
            el("ul", {}, ...now.backups_away.map((b) =>
              el("li", { text: `${b.experts.join(", ")}: tukihenkilö ${b.backup} ei ole kirjautuneena konsoliin. Vuoro aukeaa, kun hän kirjautuu.` }))))
        : null,
      el("p", { class: "muted", text: "Päivittyy 15 sekunnin välein." })),
  );
}
