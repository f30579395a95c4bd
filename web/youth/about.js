// The youth widget's one modal dialog: "about the chat" (rules, what is saved), the
// accessibility statement, and the question before ending a chat. A modal makes the page
// behind it inert, so the dialog carries its own quick-exit button (docs/architecture.md,
// "What the young person is told about the service").
import { el } from "../common/socket.js";

const dialog = document.getElementById("dialog");
let kind = null; // "about" | "accessibility" | "safety" | "end" while open
let returnTo = null; // id of the control that opened it: the page behind may re-render

dialog.addEventListener("close", () => {
  kind = null;
  const opener = returnTo && document.getElementById(returnTo);
  if (opener && !dialog.contains(document.activeElement)) opener.focus();
});

export function openKind() {
  return kind;
}

export function closeDialog() {
  if (dialog.open) dialog.close();
}

/** Show the dialog with a title and body; ``focusId`` is the control that gets focus. */
function show(newKind, { title, body, quickExit, closeLabel, focusId }) {
  if (!kind) returnTo = document.activeElement?.id || null;
  kind = newKind;
  dialog.replaceChildren(
    el(
      "div",
      { class: "dialog-top" },
      el("button", { id: "dialog-exit", class: "exit", type: "button", onclick: quickExit.run, text: quickExit.label }),
      el("button", { id: "dialog-close", class: "close", type: "button", onclick: closeDialog, text: closeLabel }),
    ),
    el("div", { class: "dialog-body" }, el("h2", { id: "dialog-title", tabindex: "-1", text: title }), ...body),
  );
  if (!dialog.open) dialog.showModal();
  dialog.scrollTop = 0; // the statement opened from the end of "about" starts at its top
  document.getElementById(focusId)?.focus();
}

/** About the chat: who answers, the rules, what is kept and for how long. */
export function showAbout({ texts, about, opening, quickExit, onStatement }) {
  show("about", {
    title: texts.aboutTitle,
    quickExit,
    closeLabel: texts.close,
    focusId: "dialog-title", // a screen reader starts from the top
    body: [
      el("p", { text: opening }),
      el("h3", { text: texts.rulesTitle }),
      el("p", { text: texts.rules }),
      el("h3", { text: texts.savedTitle }),
      el("ul", { id: "saved" }, ...texts.saved(about?.transcript_retention_days, about?.diary_retention_months).map((line) => el("li", { text: line }))),
      el("div", { class: "dialog-buttons" },
        el("button", { id: "show-statement", class: "secondary", type: "button", onclick: onStatement, text: texts.a11yTitle })),
    ],
  });
}

/** The accessibility statement: built-in status and enforcement, the organiser's feedback part. */
export function showStatement({ texts, about, quickExit }) {
  show("accessibility", {
    title: texts.a11yTitle,
    quickExit,
    closeLabel: texts.close,
    focusId: "dialog-title",
    body: [
      el("p", { text: texts.a11yStatus }),
      el("p", { text: texts.a11yChecked }),
      el("h3", { text: texts.a11yFeedbackTitle }),
      about ? el("p", { id: "a11y-contact", class: "contact", text: about.accessibility }) : null,
      el("p", { text: texts.a11yInChat }),
      el("h3", { text: texts.a11yEnforcementTitle }),
      el("p", { text: texts.a11yEnforcement }),
    ],
  });
}

/** Staying safe (DOMAIN.md 3.2): what the quick exit does, history, shared devices. */
export function showSafety({ texts, quickExit }) {
  show("safety", {
    title: texts.safetyTitle,
    quickExit,
    closeLabel: texts.close,
    focusId: "dialog-title",
    body: texts.safety.flatMap(([heading, text]) => [el("h3", { text: heading }), el("p", { text })]),
  });
}

/** Before ending: end, optionally deleting the messages now, or keep chatting. */
export function showEnd({ texts, quickExit, onEnd }) {
  const confirm = () => {
    const forget = document.getElementById("forget").checked;
    closeDialog();
    onEnd(forget);
  };
  show("end", {
    title: texts.endTitle,
    quickExit,
    closeLabel: texts.close,
    focusId: "end-confirm",
    body: [
      el("p", { class: "check" },
        el("input", { id: "forget", type: "checkbox" }),
        el("label", { for: "forget", text: texts.forget })),
      el("div", { class: "dialog-buttons" },
        el("button", { id: "end-confirm", class: "primary", type: "button", onclick: confirm, text: texts.endConfirm }),
        el("button", { id: "end-cancel", class: "secondary", type: "button", onclick: closeDialog, text: texts.endCancel })),
    ],
  });
}
