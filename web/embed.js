// Embed the youth chat in another site (the family centre's page) with one tag:
//   <script src="https://CHAT-SERVICE/embed.js" data-lang="fi" async></script>
// It adds a "Chat" button; the chat itself runs in an iframe served by the chat service, so
// the host page never sees the conversation and the chat never sees the host page's cookies.
(() => {
  const script = document.currentScript;
  const base = new URL(script.src).origin;
  const lang = script.dataset.lang || "fi";
  const label = { fi: "Chat", sv: "Chatt", en: "Chat" }[lang] || "Chat";

  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.style.cssText =
    "position:fixed;right:1rem;bottom:1rem;z-index:2147483000;min-height:48px;padding:.6rem 1.2rem;" +
    "border-radius:24px;border:0;background:#23517a;color:#fff;font:600 17px system-ui,sans-serif;cursor:pointer";

  let frame = null;
  button.addEventListener("click", () => {
    if (frame) {
      frame.hidden = !frame.hidden;
      button.setAttribute("aria-expanded", String(!frame.hidden));
      return;
    }
    frame = document.createElement("iframe");
    frame.src = `${base}/?lang=${encodeURIComponent(lang)}`;
    frame.title = label;
    frame.referrerPolicy = "no-referrer";
    frame.style.cssText =
      "position:fixed;right:1rem;bottom:4.5rem;z-index:2147483000;width:min(26rem,calc(100vw - 2rem));" +
      "height:min(40rem,calc(100vh - 6rem));border:1px solid #ccc;border-radius:12px;background:#fff";
    document.body.append(frame);
    button.setAttribute("aria-expanded", "true");
  });
  document.body.append(button);
})();
