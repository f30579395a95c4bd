// Two-factor login settings for one's own account, shared by the console and the coordinator
// pages: status, enrolment with a QR code, the recovery codes shown once, and turning it off
// where the policy allows. The panel is one element that keeps its own state, so a page that
// redraws often can keep appending the same node.
//
// request(method, path, data) calls the API (with the CSRF header) and resolves to the JSON
// body, or throws the error with its body. onDone() runs after the recovery codes were shown
// and acknowledged (an enrol-only session reloads there).
import { el } from "./socket.js";

const ERRORS = {
  "two_factor.invalid_code": "Koodi ei kelpaa. Kirjoita sovelluksen uusin koodi (tarkista myös puhelimen kellonaika).",
  "two_factor.already_enrolled": "Kaksivaiheinen tunnistautuminen on jo käytössä.",
  "two_factor.not_started": "Aloita käyttöönotto uudelleen.",
  "two_factor.not_enrolled": "Kaksivaiheinen tunnistautuminen ei ole käytössä.",
  "two_factor.required": "Tunnuksellasi kaksivaiheinen tunnistautuminen on pakollinen, eikä sitä voi poistaa.",
  "auth.csrf_failed": "Istunto vanheni. Lataa sivu uudelleen.",
  "auth.required": "Kirjaudu ensin sisään.",
};
const SVG_NS = "http://www.w3.org/2000/svg";

export class TwoFactorPanel {
  constructor({ request, onDone, announce }) {
    this.request = request;
    this.onDone = onDone || (() => {});
    this.announce = announce || (() => {});
    this.node = el("section", { id: "two-factor", class: "panel two-factor", "aria-labelledby": "two-factor-title" });
    this.status = null;
    this.enrolment = null; // {secret, uri, qr_svg} while confirming
    this.recovery = null; // the codes, shown once
    this.error = "";
  }

  async load() {
    try {
      this.status = await this.request("GET", "/api/auth/two-factor");
      this.error = "";
    } catch (failure) {
      this.error = errorText(failure);
    }
    this.draw();
    return this.node;
  }

  draw(focusId) {
    const body = this.recovery ? this.recoveryView() : this.enrolment ? this.confirmView() : this.statusView();
    this.node.replaceChildren(
      el("h2", { id: "two-factor-title", tabindex: "-1", text: "Kaksivaiheinen tunnistautuminen" }),
      ...body,
      el("p", { id: "tf-error", class: "error", role: "alert", text: this.error }),
    );
    if (focusId) document.getElementById(focusId)?.focus();
  }

  statusView() {
    const s = this.status;
    if (!s) return [el("p", { class: "muted", text: "Ladataan…" })];
    if (!s.enrolled) {
      return [
        el("p", { id: "tf-state", text: s.required ? "Tunnuksellasi kaksivaiheinen tunnistautuminen on pakollinen. Ota se käyttöön ennen kuin jatkat." : "Kaksivaiheinen tunnistautuminen ei ole käytössä." }),
        el("p", { class: "muted", text: "Tarvitset puhelimeen todennussovelluksen (esim. Google Authenticator, Microsoft Authenticator tai FreeOTP). Kirjautuessa annat salasanan lisäksi sovelluksen näyttämän koodin." }),
        el("button", { id: "tf-begin", class: "primary", type: "button", onclick: () => this.begin(), text: "Ota käyttöön" }),
      ];
    }
    const left = `Käytössä. Varakoodeja jäljellä: ${s.recovery_codes_left}.`;
    if (s.required) {
      return [
        el("p", { id: "tf-state", text: left }),
        el("p", { class: "muted", text: "Tunnuksellasi tämä on pakollinen. Jos puhelin katoaa, kirjaudu varakoodilla tai pyydä koordinaattoria nollaamaan tunnistautuminen." }),
      ];
    }
    return [
      el("p", { id: "tf-state", text: left }),
      el(
        "form",
        { id: "tf-disable-form", onsubmit: (event) => this.disable(event) },
        el("label", { for: "tf-disable-code", text: "Poista käytöstä: sovelluksen koodi tai varakoodi" }),
        el("input", { id: "tf-disable-code", name: "code", autocomplete: "one-time-code", required: true, maxlength: "32" }),
        el("button", { type: "submit", text: "Poista käytöstä" }),
      ),
    ];
  }

  confirmView() {
    const { secret, qr_svg: svg } = this.enrolment;
    return [
      el("p", { text: "1. Lue QR-koodi todennussovelluksella, tai kirjoita sovellukseen avain." }),
      el("img", { id: "tf-qr", class: "qr", src: svgDataUri(svg), alt: "QR-koodi todennussovellukselle" }),
      el("p", {}, "Avain: ", el("code", { id: "tf-secret", text: spaced(secret) })),
      el(
        "form",
        { id: "tf-confirm-form", onsubmit: (event) => this.confirm(event) },
        el("label", { for: "tf-code", text: "2. Kirjoita sovelluksen näyttämä 6-numeroinen koodi" }),
        el("input", { id: "tf-code", name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, maxlength: "32" }),
        el("button", { id: "tf-confirm", class: "primary", type: "submit", text: "Vahvista" }),
      ),
    ];
  }

  recoveryView() {
    return [
      el("p", { id: "tf-state", role: "status", text: "Kaksivaiheinen tunnistautuminen on nyt käytössä." }),
      el("p", { text: "Varakoodit: tallenna ne nyt turvalliseen paikkaan (esim. tulosta). Ne näytetään vain tämän kerran. Kukin koodi toimii kirjautumisessa yhden kerran, jos puhelin ei ole käytettävissä." }),
      el("ol", { id: "tf-recovery", class: "recovery-codes" }, ...this.recovery.map((c) => el("li", {}, el("code", { text: c })))),
      el("button", { id: "tf-done", class: "primary", type: "button", onclick: () => this.done(), text: "Olen tallentanut varakoodit" }),
    ];
  }

  async begin() {
    try {
      this.enrolment = await this.request("POST", "/api/auth/two-factor/begin");
      this.error = "";
      this.draw("tf-code");
    } catch (failure) {
      this.error = errorText(failure);
      this.draw();
    }
  }

  async confirm(event) {
    event.preventDefault();
    const code = new FormData(event.target).get("code").trim();
    try {
      const result = await this.request("POST", "/api/auth/two-factor/confirm", { code });
      this.recovery = result.recovery_codes;
      this.enrolment = null;
      this.error = "";
      this.draw("two-factor-title");
      this.announce("Kaksivaiheinen tunnistautuminen on käytössä. Tallenna varakoodit.");
    } catch (failure) {
      this.error = errorText(failure);
      this.draw("tf-code");
    }
  }

  async disable(event) {
    event.preventDefault();
    const code = new FormData(event.target).get("code").trim();
    try {
      await this.request("DELETE", "/api/auth/two-factor", { code });
      this.announce("Kaksivaiheinen tunnistautuminen poistettiin käytöstä.");
      await this.load();
    } catch (failure) {
      this.error = errorText(failure);
      this.draw("tf-disable-code");
    }
  }

  async done() {
    this.recovery = null;
    await this.load();
    this.onDone();
  }
}

function errorText(failure) {
  const code = failure?.body?.error?.code;
  return ERRORS[code] || failure?.body?.error?.message || "Yhteys palvelimeen ei toiminut. Yritä uudelleen.";
}

// The server's own segno SVG as an image: no markup is parsed into the page.
function svgDataUri(svg) {
  const standalone = svg.startsWith("<svg xmlns") ? svg : svg.replace("<svg ", `<svg xmlns="${SVG_NS}" `);
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(standalone)}`;
}

// "ABCD EFGH …": easier to type into an app by hand.
function spaced(secret) {
  return secret.replace(/(.{4})/g, "$1 ").trim();
}
