// A WebSocket that reconnects with backoff on the protocol's "retry" close codes and gives up
// on the "final" ones (docs/protocol.md, "Close codes"). The caller re-sends its resume frame
// from onOpen, so nothing is lost across a reconnect.

const FINAL_CODES = new Set([1000, 1008, 1009]);
const MAX_DELAY_MS = 10000;
// Heartbeat (docs/protocol.md, "Heartbeat"): after this long with nothing from the server,
// ask with a ping; a socket silent for PONG_WAIT_MS more is dead, though the browser thinks
// it open (a phone that lost its signal tells nobody).
const QUIET_MS = 25000;
const PONG_WAIT_MS = 10000;
const HEARTBEAT_TICK_MS = 1000;

export function isFinalClose(code) {
  return FINAL_CODES.has(code) || (code >= 4100 && code < 4200);
}

export class ReconnectingSocket {
  constructor(path, { onOpen, onFrame, onState }) {
    this.url = new URL(path, location.href);
    this.url.protocol = this.url.protocol === "https:" ? "wss:" : "ws:";
    this.onOpen = onOpen;
    this.onFrame = onFrame;
    this.onState = onState || (() => {});
    this.attempt = 0;
    this.stopped = false;
    this.ws = null;
    this.heardAt = 0; // when the current socket last brought a frame (or opened)
    this.pingAt = 0; // when the unanswered ping left; 0 when none is out
    this.heartbeat = null;
  }

  start() {
    this.stopped = false;
    this.connect();
    if (!this.heartbeat) this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_TICK_MS);
  }

  checkAlive() {
    if (this.stopped || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    if (this.pingAt && now - this.pingAt > PONG_WAIT_MS) {
      this.reconnect();
    } else if (!this.pingAt && now - this.heardAt > QUIET_MS) {
      this.pingAt = now;
      this.ws.send(JSON.stringify({ v: 1, type: "ping" }));
    }
  }

  heard() {
    this.heardAt = Date.now();
    this.pingAt = 0;
  }

  connect() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.heard();
      this.attempt = 0;
      this.onState("open");
      this.onOpen();
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      this.heard(); // any frame shows the path works, not only a pong
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === "pong") return;
      this.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (isFinalClose(event.code)) {
        this.onState("closed", event.code);
        return;
      }
      this.onState("reconnecting", event.code);
      const delay = Math.min(MAX_DELAY_MS, 250 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      this.attempt += 1;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (!this.stopped) this.connect();
      }, delay);
    };
  }

  // Give up on the current connection and connect again at once: for a socket that may be
  // dead without the browser knowing (a phone that lost its signal, the browser went
  // offline). The old socket is dropped silently; onOpen runs again as after any reconnect.
  reconnect() {
    if (this.stopped) return;
    const old = this.ws;
    this.ws = null;
    if (old) {
      old.onopen = old.onmessage = old.onclose = null;
      try {
        old.close(4000);
      } catch {
        // already closing
      }
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    this.onState("reconnecting");
    this.connect();
  }

  // True when the frame left for the server now; false when the socket is down (the caller
  // keeps the frame and sends it again after the reconnect).
  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ v: 1, ...frame }));
    return true;
  }

  stop() {
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.heartbeat = null;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.ws) this.ws.close(1000);
    this.ws = null;
  }
}

export function newClientId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Build an element: el("p", {class: "x", text: "hi"}, child1, child2). Text is always set as
// text, never as HTML, so nothing a chat party writes can become markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}
