// The staff login form, shared by the responder console and the coordinator pages (the same
// ids, so tests and password managers find the same fields everywhere). The form sends the
// login itself: it asks for the second factor (#code) only when the server answers
// auth.second_factor_required — that is, after a right password — and then sends all three.
import { el } from "./socket.js";

const ERRORS = {
  "auth.invalid_credentials": "Väärä käyttäjätunnus tai salasana.",
  "auth.locked": "Liian monta yritystä. Odota hetki ja yritä uudelleen.",
  "auth.second_factor_required": "Kirjoita todennussovelluksen näyttämä koodi tai yksi varakoodeistasi.",
  "auth.invalid_second_factor": "Koodi on väärä tai jo käytetty. Odota sovellukseen uusi koodi tai käytä varakoodia.",
  "auth.origin_refused": "Kirjautuminen estettiin: sivun osoite ei ole sallittu.",
};
const ASKS_CODE = new Set(["auth.second_factor_required", "auth.invalid_second_factor"]);

// post(body) sends POST /api/auth/login and resolves to the session (or throws the API's
// error with its body); onSignedIn(session) takes over the page.
export function loginForm({ title, post, onSignedIn, error }) {
  const message = el("p", { id: "login-error", class: "error", role: "alert", text: error || "" });
  const code = el("input", { id: "code", name: "code", autocomplete: "one-time-code", autocapitalize: "off", spellcheck: "false", maxlength: "32", "aria-describedby": "code-hint" });
  const codeField = el(
    "div",
    { id: "code-field", hidden: true },
    el("label", { for: "code", text: "Tunnistuskoodi" }),
    code,
    el("p", { id: "code-hint", class: "hint", text: "6 numeroa todennussovelluksesta, tai varakoodi (esim. abcde-fghjk)." }),
  );
  const button = el("button", { id: "login-button", class: "primary", type: "submit", text: "Kirjaudu" });
  const form = el(
    "form",
    { id: "login-form", onsubmit: (event) => submit(event) },
    el("label", { for: "login", text: "Käyttäjätunnus" }),
    el("input", { id: "login", name: "login", autocomplete: "username", required: true }),
    el("label", { for: "password", text: "Salasana" }),
    el("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    codeField,
    message,
    button,
  );

  async function submit(event) {
    event.preventDefault();
    const data = new FormData(form);
    const body = { login_name: data.get("login"), password: data.get("password") };
    if (!codeField.hidden && data.get("code").trim()) body.code = data.get("code").trim();
    button.disabled = true;
    try {
      const session = await post(body);
      onSignedIn(session);
    } catch (failure) {
      const errorCode = failure?.body?.error?.code;
      message.textContent = ERRORS[errorCode] || failure?.body?.error?.message || "Kirjautuminen epäonnistui.";
      if (ASKS_CODE.has(errorCode)) {
        codeField.hidden = false;
        code.required = true;
        code.value = "";
        code.focus();
      } else {
        document.getElementById(errorCode === "auth.invalid_credentials" ? "password" : "login")?.focus();
      }
    } finally {
      button.disabled = false;
    }
  }

  return el("main", { class: "login" }, el("h1", { text: title }), form);
}
