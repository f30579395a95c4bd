// The staff login form, shared by the responder console and the coordinator pages (the same
// ids, so tests and password managers find the same fields everywhere).
import { el } from "./socket.js";

export function loginForm({ title, onsubmit, error }) {
  return el(
    "main",
    { class: "login" },
    el("h1", { text: title }),
    el(
      "form",
      { id: "login-form", onsubmit },
      el("label", { for: "login", text: "Käyttäjätunnus" }),
      el("input", { id: "login", name: "login", autocomplete: "username", required: true }),
      el("label", { for: "password", text: "Salasana" }),
      el("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
      el("p", { id: "login-error", class: "error", role: "alert", text: error || "" }),
      el("button", { id: "login-button", class: "primary", type: "submit", text: "Kirjaudu" }),
    ),
  );
}
