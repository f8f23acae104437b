// feed.js: the WebSocket feed of docs/feed.md, with resume after a drop.
//
//   import { Feed } from "/assets/feed.js";
//   const feed = new Feed({
//     path: "/api/v1/sessions/1/feed",       // or "/api/v1/feed" (operators: resumes by id)
//     token: "ss_...",
//     query: { locale: "kk", currency: "KZT" },
//     since: 40,                               // optional: replay the log after seq 40 first
//     onMessage: (msg) => { … },              // snapshot, logged events, tick, order_result, …
//     onState: (state, info) => { … },        // "connecting" | "live" | "reconnecting" | "closed"
//   });
//   feed.start();  feed.send({ type: "ping" });  feed.update({ locale: "vi" });  feed.close();
//
// After a drop (network, 1012 restart, 1013 fell behind, 1000 idle, 1011) it reconnects with
// `since` = the last seq it saw (`since_id` on the operators' feed) after a backoff of
// 0.5 s doubling to 10 s (with jitter), so no event is missed or repeated; events it has
// already seen are dropped. `info` on "reconnecting" has { attempt, delayMs, code, reason };
// on "closed" { code, reason, final }. 4401 (token revoked, expired, unknown) and refusals of the
// upgrade (401, 403, 404: found by asking the same URL over plain HTTP, where the server answers
// with its error envelope) close for good: the page must get a new token. A `since` the server
// no longer knows (422 since_ahead, e.g. a new database) restarts from a fresh snapshot.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10000;

export class Feed {
  constructor({ path, token = null, query = {}, since = null, onMessage = () => {}, onState = () => {} }) {
    this.path = path;
    this.token = token;
    this.query = { ...query };
    this.onMessage = onMessage;
    this.onState = onState;
    // Operators' feed resumes by global id, a session's feed by seq.
    this.byId = !/\/sessions\/[^/]+\/feed$/.test(path);
    // The last seq (or id) seen; `since` on the first connection replays the log after it.
    this.last = since;
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = true;
    this.state = "closed";
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  // New query (locale, currency, filters): reconnect with it, resuming where we were.
  update(query, { resume = true } = {}) {
    this.query = { ...this.query, ...query };
    if (!resume) this.last = null;
    if (this.stopped) return;
    this.dropSocket();
    this.attempt = 0;
    this.connect();
  }

  setToken(token) {
    this.token = token;
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.dropSocket();
    this.setState("closed", { code: 1000, reason: "closed by the page", final: true });
  }

  setState(state, info = {}) {
    this.state = state;
    this.onState(state, info);
  }

  url({ withToken }) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(this.query)) {
      if (value !== undefined && value !== null && value !== "") params.set(key, value);
    }
    if (this.last !== null) params.set(this.byId ? "since_id" : "since", String(this.last));
    if (withToken && this.token) params.set("token", this.token);
    const qs = params.toString();
    return this.path + (qs ? `?${qs}` : "");
  }

  dropSocket() {
    if (!this.socket) return;
    const socket = this.socket;
    this.socket = null;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(1000, "page");
    } catch {
      // already closing
    }
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (this.attempt === 0) this.setState("connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let socket;
    try {
      socket = new WebSocket(`${scheme}//${location.host}${this.url({ withToken: true })}`);
    } catch {
      this.retry(0, "cannot open a WebSocket");
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.receive(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.closed(event.code, event.reason, opened);
    };
  }

  receive(message) {
    // A batch (a big room's chat, docs/feed.md) is its events, each as if it came alone.
    if (message.type === "batch" && Array.isArray(message.events)) {
      for (const event of message.events) this.receive(event);
      return;
    }
    const position = this.byId ? message.id : message.seq;
    if (message.type === "snapshot") {
      // After a `since`, the log's events follow the snapshot: keep our position until they do.
      if (this.last === null && typeof position === "number") this.last = position;
      this.attempt = 0;
      this.setState("live");
    } else if (message.type === "resync") {
      const since = this.byId ? message.since_id : message.since;
      if (typeof since === "number") this.last = since;
      return;
    } else if (typeof position === "number") {
      // A logged event: drop what we already have (the server does too; this is cheap).
      if (this.last !== null && position <= this.last) return;
      this.last = position;
    }
    this.onMessage(message);
  }

  async closed(code, reason, opened) {
    if (this.stopped) return;
    if (code === 4401) {
      this.stopped = true;
      this.setState("closed", { code, reason: reason || "token no longer valid", final: true });
      return;
    }
    if (!opened) {
      // The upgrade was refused or the network is down: ask over plain HTTP, where a refusal
      // comes with its envelope.
      const refusal = await this.probe();
      if (this.stopped) return;
      if (refusal && [401, 403, 404].includes(refusal.status)) {
        this.stopped = true;
        this.setState("closed", { code: refusal.status, reason: refusal.message, errorCode: refusal.code, final: true });
        return;
      }
      if (refusal && refusal.status === 422 && refusal.code === "since_ahead") {
        this.last = null;
      }
    }
    this.retry(code, reason);
  }

  retry(code, reason) {
    this.attempt += 1;
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (this.attempt - 1));
    const delayMs = Math.round(base * (0.75 + Math.random() * 0.5));
    this.setState("reconnecting", { attempt: this.attempt, delayMs, code, reason });
    this.timer = setTimeout(() => this.connect(), delayMs);
  }

  async probe() {
    try {
      const headers = { Accept: "application/json" };
      if (this.token) headers.Authorization = `Bearer ${this.token}`;
      const response = await fetch(this.url({ withToken: false }), { headers });
      if (response.ok) return null;
      let body = null;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      const error = (body && body.error) || {};
      return { status: response.status, code: error.code || "", message: error.message || `HTTP ${response.status}` };
    } catch {
      return null;
    }
  }
}
