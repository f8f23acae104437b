// chat.js: the buyer page's chat (docs/live-room.md), under the product once the buyer has
// joined (it needs the buyer's token and feed).
//
//   import { BuyerChat } from "/live/chat.js";
//   const chat = new BuyerChat({
//     sessionId: 7,
//     l10n: () => state.l10n, locale: () => state.locale,
//     api: () => state.api, feed: () => state.feed,
//     onUnauthorized: () => { … },                        // the token was refused
//     onOrder: (order, orderError, sentAt, sent) => { … }, // a keyword ("+1") was an order;
//                                                         // sent: { key, text } of the message
//   });
//   chat.snapshot(message.chat);   // the feed's snapshot: slow mode, keywords, the chat so far
//   chat.event(message);           // chat_message, chat_deleted, chat_slow_mode, chat_result, …
//   chat.setLive(true); chat.relabel(); chat.reset();
//   chat.resend(sent);             // the same message again, with its key (posted once)
//
// The list shows the snapshot's `chat.recent`, then each `chat_message` (a deleted one, or
// `chat_deleted`, takes its line away), in seq order, each message once however often the feed
// replays it (a resume, a new language); the writer as buyers see them (a buyer's masked name
// and city, the host's name with a badge, a moderator's badge), the text with the message's
// locale as its `lang`. Text reaches the page through textContent only. It scrolls within a
// bounded height and follows new messages unless the reader scrolled up (then a button jumps
// to them). Moderation events (`chat_held`, `chat_muted`, `chat_unmuted`) carry nothing for
// buyers and are ignored.
//
// Writing: the WebSocket `chat` message while the feed is live, else `POST …/chat`; each
// message has a fresh `client_message_id`, except the same text sent again after a network
// failure (or no answer on the socket), which reuses its key so that the server posts it once.
// The answer is shown under the box in the page's language: held for a moderator (and why),
// muted (until the refusal's `until`, or for the rest of the show), slow mode and the
// per-minute limit as a countdown from the refusal's `retry_after_s`, the chat closed outside
// the show, a text the server refuses. A message that was an order keyword ("+1",
// docs/live-room.md) comes back with `order` or `order_error`, which `onOrder` shows where the
// page shows orders; `resend` sends that message again with its key (after the buyer saved the
// delivery address a `ship_to_missing` asked for: the server then places the order, once).
// Under the box, a hint built from the snapshot's `chat.keywords` ("Type +1 in the chat to
// order"), hidden when ordering by comment is off (no keywords). `chat_ordered` (a message
// became an order) changes nothing here: the room sees the order's own line.

import { ApiError, newKey } from "/assets/api.js";
import { hourCycle, setL10n } from "/assets/l10n.js";

// Lines kept on the page (the snapshot brings the last 50).
const MAX_LINES = 200;
// How long an answer on the socket may take before the message counts as not sent (it is sent
// again with the same key, so a late answer changes nothing).
const SOCKET_ANSWER_MS = 10000;
// Within this many pixels of the bottom the list follows new messages.
const NEAR_BOTTOM_PX = 40;
const HELD_REASONS = new Set(["link", "phone", "payment", "contact"]);

const $ = (id) => document.getElementById(id);

export class BuyerChat {
  constructor({ sessionId, l10n, locale, api, feed, onUnauthorized, onOrder = () => {} }) {
    this.sessionId = sessionId;
    this.ctx = { l10n, locale, api, feed, onUnauthorized, onOrder };
    this.card = $("chat-card");
    this.list = $("chat-list");
    this.empty = $("chat-empty");
    this.jump = $("chat-jump");
    this.input = $("chat-text");
    this.button = $("chat-send");
    this.answerBox = $("chat-answer");
    this.slowBox = $("chat-slow");
    this.hint = $("chat-hint");
    this.keywords = [];
    this.lines = new Map(); // message id → li
    this.deleted = new Set(); // ids taken down: a stale copy never comes back
    this.mine = new Set(); // ids of the messages this page posted
    this.waiting = new Map(); // client_message_id → resolve, for answers on the socket
    this.pending = false;
    this.failed = null; // { key, text } of a message whose answer was lost
    this.waitUntil = 0; // performance.now() until which slow mode / the limit holds
    this.waitCode = null; // which of them: slow_mode or rate_limited
    this.answer = null; // what the answer box says: { id, args } or a wait
    this.slowModeS = 0;
    this.live = true;
    $("chat-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.send();
    });
    this.list.addEventListener("scroll", () => {
      if (this.nearBottom()) this.jump.hidden = true;
    });
    this.jump.addEventListener("click", () => this.toBottom());
    setInterval(() => this.tick(), 1000);
  }

  t(id, args) {
    const l10n = this.ctx.l10n();
    return l10n ? l10n.t(id, args) : id;
  }

  // A buyer who leaves (or another joins): nothing of theirs stays.
  reset() {
    this.lines.clear();
    this.list.replaceChildren();
    this.mine.clear();
    for (const done of this.waiting.values()) done({ network: true });
    this.waiting.clear();
    this.failed = null;
    this.waitUntil = 0;
    this.input.value = "";
    this.setAnswer(null);
    this.setSlowMode(0);
    this.setKeywords([]);
    this.renderEmpty();
    this.jump.hidden = true;
  }

  // The session is live (or not): outside the show the box is closed.
  setLive(live) {
    this.live = live;
    this.input.disabled = !live;
    this.renderHint();
    if (!live && !this.answer) this.setAnswer({ id: "page-chat-not-live", tone: "" });
    if (live && this.answer && this.answer.id === "page-chat-not-live" && this.answer.tone === "") this.setAnswer(null);
    this.renderButton();
  }

  relabel() {
    this.renderAnswer();
    this.renderSlowMode();
    this.renderHint();
  }

  // ---- what the feed brings --------------------------------------------------------------

  // The snapshot (every connection's first message): slow mode, the order keywords, and the
  // chat so far, which replaces the list (a message deleted while the page was away is not in
  // it).
  snapshot(chat) {
    if (!chat) return;
    this.setSlowMode(chat.slow_mode_s || 0);
    this.setKeywords(Array.isArray(chat.keywords) ? chat.keywords : []);
    const follow = this.nearBottom();
    this.lines.clear();
    this.list.replaceChildren();
    for (const m of chat.recent || []) this.add(m, { follow: false });
    this.renderEmpty();
    if (follow) this.toBottom();
  }

  // A feed message: true when it was the chat's.
  event(m) {
    switch (m.type) {
      case "chat_message":
        if (m.deleted) this.remove(m.message_id);
        else this.add(m, { follow: true });
        return true;
      case "chat_deleted":
        this.remove(m.message_id);
        return true;
      case "chat_slow_mode":
        this.setSlowMode(m.seconds || 0);
        return true;
      case "chat_keywords":
        this.setKeywords(Array.isArray(m.keywords) ? m.keywords : []);
        return true;
      case "chat_result": {
        const done = this.waiting.get(m.client_message_id);
        if (done) {
          this.waiting.delete(m.client_message_id);
          done(m.error ? { error: refusal(m.error) } : { message: m.message, order: m.order, orderError: m.order_error });
        }
        return true;
      }
      case "chat_held":
      case "chat_muted":
      case "chat_unmuted":
      case "chat_ordered":
        return true;
      default:
        return false;
    }
  }

  // ---- the list ----------------------------------------------------------------------------

  nearBottom() {
    const l = this.list;
    return l.scrollHeight - l.scrollTop - l.clientHeight < NEAR_BOTTOM_PX;
  }

  toBottom() {
    this.list.scrollTop = this.list.scrollHeight;
    this.jump.hidden = true;
  }

  renderEmpty() {
    this.empty.hidden = this.lines.size > 0;
  }

  // Adds a message (a `chat_message` event, or this page's own message as the server answered
  // it) once, in seq order.
  add(m, { follow, own = false }) {
    const id = m.message_id;
    if (typeof id !== "number" || this.lines.has(id) || this.deleted.has(id) || !m.text) return;
    const wasNear = this.nearBottom();
    const li = this.line(m);
    this.lines.set(id, li);
    const seq = typeof m.seq === "number" ? m.seq : Number.MAX_SAFE_INTEGER;
    let after = this.list.lastElementChild;
    while (after && Number(after.dataset.seq) > seq) after = after.previousElementSibling;
    if (after) after.after(li);
    else this.list.prepend(li);
    while (this.list.children.length > MAX_LINES) {
      const first = this.list.firstElementChild;
      this.lines.delete(Number(first.dataset.messageId));
      first.remove();
    }
    this.renderEmpty();
    if (!follow) return;
    if (wasNear || own) this.toBottom();
    else this.jump.hidden = false;
  }

  remove(id) {
    this.deleted.add(id);
    const li = this.lines.get(id);
    if (!li) return;
    this.lines.delete(id);
    li.remove();
    this.renderEmpty();
  }

  // One line: the writer as buyers see them, then the text (in its own language, its own
  // direction). Everything the server sent goes in as text.
  line(m) {
    const li = document.createElement("li");
    li.className = "chat-line";
    li.dataset.messageId = String(m.message_id);
    li.dataset.seq = String(typeof m.seq === "number" ? m.seq : Number.MAX_SAFE_INTEGER);
    if (this.mine.has(m.message_id)) li.classList.add("mine");
    const sender = m.sender || {};
    const who = document.createElement("span");
    who.className = "chat-who";
    const bdi = (text, cls) => {
      const node = document.createElement("bdi");
      if (cls) node.className = cls;
      node.textContent = text;
      return node;
    };
    if (sender.role === "host" || sender.role === "operator") {
      const badge = document.createElement("span");
      badge.className = `badge ${sender.role === "host" ? "accent" : "ok"}`;
      setL10n(this.ctx.l10n(), badge, sender.role === "host" ? "page-chat-host" : "page-chat-moderator");
      who.append(badge);
      if (sender.role === "host" && sender.name) who.append(" ", bdi(sender.name, "chat-name"));
    } else {
      who.append(bdi(sender.masked || "***", "chat-name"));
      if (sender.city) who.append(" ", bdi(sender.city, "chat-city"));
    }
    const text = document.createElement("span");
    text.className = "chat-text";
    if (m.locale) text.lang = m.locale;
    text.dir = "auto";
    text.textContent = m.text;
    li.append(who, " ", text);
    return li;
  }

  // ---- slow mode ----------------------------------------------------------------------------

  // Slow mode turned off ends a wait it imposed (the per-minute limit's stays).
  setSlowMode(seconds) {
    this.slowModeS = seconds;
    this.renderSlowMode();
    if (seconds === 0 && this.answer && this.answer.wait && this.waitCode === "slow_mode") {
      this.waitUntil = 0;
      this.setAnswer(null);
      this.renderButton();
    }
  }

  renderSlowMode() {
    this.slowBox.hidden = !(this.slowModeS > 0);
    if (this.slowModeS > 0) setL10n(this.ctx.l10n(), this.slowBox, "page-chat-slow-mode", { seconds: this.slowModeS });
  }

  // ---- the keywords' hint ------------------------------------------------------------------

  setKeywords(keywords) {
    this.keywords = keywords.filter((k) => typeof k === "string" && k.trim());
    this.renderHint();
  }

  // "Type +1 in the chat to order", with the first keyword in force; none (ordering by comment
  // turned off) or the chat closed: no hint.
  renderHint() {
    const keyword = this.keywords[0];
    this.hint.hidden = !keyword || !this.live;
    if (keyword) setL10n(this.ctx.l10n(), this.hint, "page-chat-keyword-hint", { example: keywordExample(keyword) });
  }

  // ---- writing ------------------------------------------------------------------------------

  renderButton() {
    const waiting = this.waitUntil > performance.now();
    this.button.disabled = this.pending || waiting || !this.live;
    this.button.setAttribute("aria-busy", String(this.pending));
  }

  async send() {
    if (this.pending || this.waitUntil > performance.now() || !this.live) return;
    const text = this.input.value.trim();
    if (!text) {
      this.input.focus();
      return;
    }
    // The same text after a lost answer is the same message: the same key, posted once.
    const key = this.failed && this.failed.text === text ? this.failed.key : newKey("chat");
    await this.deliver(key, text, true);
  }

  // A message sent before (its key and text), sent again: the server answers with the message
  // posted then, and for an order keyword places the order now if it could not then.
  async resend(sent) {
    if (this.pending || !this.live || !sent || !sent.key || !sent.text) return;
    await this.deliver(sent.key, sent.text, false);
  }

  // `typed`: the text is the box's (emptied once the server took it).
  async deliver(key, text, typed) {
    this.pending = true;
    this.renderButton();
    const sentAt = performance.now();
    let outcome;
    try {
      const feed = this.ctx.feed();
      outcome = feed && feed.state === "live" ? await this.overSocket(feed, key, text) : await this.overHttp(key, text);
    } finally {
      this.pending = false;
    }
    const lost = outcome.network || (outcome.error && outcome.error.code === "shutting_down");
    if (typed) this.failed = lost ? { key, text } : null;
    this.answered(outcome, typed);
    if (outcome.order || outcome.orderError) this.ctx.onOrder(outcome.order || null, outcome.orderError || null, sentAt, { key, text });
    this.renderButton();
  }

  body(key, text) {
    return { client_message_id: key, text, locale: this.ctx.locale() };
  }

  overSocket(feed, key, text) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        resolve({ network: true });
      }, SOCKET_ANSWER_MS);
      this.waiting.set(key, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      if (!feed.send({ type: "chat", ...this.body(key, text) })) {
        clearTimeout(timer);
        this.waiting.delete(key);
        resolve(this.overHttp(key, text));
      }
    });
  }

  async overHttp(key, text) {
    try {
      const answer = await this.ctx.api().post(`/sessions/${this.sessionId}/chat`, this.body(key, text));
      return { message: answer.message, order: answer.order, orderError: answer.order_error };
    } catch (e) {
      if (!(e instanceof ApiError)) return { error: { code: "unknown", message: "" } };
      if (e.code === "network") return { network: true };
      return { error: { ...refusal((e.body && e.body.error) || { code: e.code }), retryAfter: e.retryAfter } };
    }
  }

  answered(outcome, typed = true) {
    if (outcome.network) {
      this.setAnswer({ id: "page-chat-network", tone: "bad" });
      return;
    }
    if (outcome.message) {
      const message = outcome.message;
      if (typed) this.input.value = "";
      this.mine.add(message.id);
      if (message.state === "held") {
        const reason = HELD_REASONS.has(message.held_reason) ? message.held_reason : "link";
        this.setAnswer({ id: `page-chat-held-${reason}`, tone: "warn" });
        return;
      }
      this.setAnswer(null);
      if (message.state === "shown") {
        const sender = message.sender || {};
        this.add(
          {
            message_id: message.id,
            seq: message.seq,
            sender: { role: sender.role, masked: sender.masked, city: sender.city, name: sender.role === "host" ? sender.name : undefined },
            locale: message.locale,
            text: message.text,
          },
          { follow: true, own: true },
        );
        const li = this.lines.get(message.id);
        if (li) li.classList.add("mine");
      }
      return;
    }
    const error = outcome.error;
    switch (error.code) {
      case "unauthorized":
        this.ctx.onUnauthorized();
        return;
      case "muted":
        // `until`: the end of the mute (RFC 3339), or null for the rest of the session.
        this.setAnswer(error.until ? { id: "page-chat-muted-until", tone: "bad", until: error.until } : { id: "page-chat-muted-session", tone: "bad" });
        return;
      case "slow_mode":
      case "rate_limited":
        this.startWait(this.retrySeconds(error), error.code);
        return;
      case "not_live":
        this.setAnswer({ id: "page-chat-not-live", tone: "warn" });
        return;
      case "invalid":
        this.setAnswer({ id: "page-chat-invalid", tone: "bad" });
        return;
      case "shutting_down":
        this.setAnswer({ id: "page-chat-network", tone: "bad" });
        return;
      default:
        this.setAnswer({ id: "page-answer-failed", tone: "bad" });
    }
  }

  // Seconds until the buyer may write again: the refusal's `retry_after_s` (over HTTP and the
  // socket alike), else the HTTP answer's Retry-After, else slow mode's interval (or a second:
  // the connection's own budget, whose refusal names no time).
  retrySeconds(error) {
    if (typeof error.retryAfterS === "number" && error.retryAfterS > 0) return error.retryAfterS;
    if (typeof error.retryAfter === "number" && error.retryAfter > 0) return error.retryAfter;
    return error.code === "slow_mode" && this.slowModeS > 0 ? this.slowModeS : 1;
  }

  startWait(seconds, code) {
    this.waitCode = code;
    this.waitUntil = performance.now() + seconds * 1000;
    this.setAnswer({ id: "page-chat-wait", tone: "warn", wait: true });
    this.renderButton();
  }

  tick() {
    if (!this.answer || !this.answer.wait) return;
    if (this.waitUntil <= performance.now()) {
      this.waitUntil = 0;
      this.setAnswer(null);
      this.renderButton();
      return;
    }
    this.renderAnswer();
  }

  setAnswer(answer) {
    this.answer = answer;
    if (!answer && !this.live) this.answer = { id: "page-chat-not-live", tone: "" };
    this.renderAnswer();
  }

  renderAnswer() {
    const box = this.answerBox;
    const answer = this.answer;
    if (!answer) {
      box.className = "notice";
      box.removeAttribute("data-l10n-id");
      box.removeAttribute("data-l10n-args");
      box.textContent = "";
      return;
    }
    box.className = `notice ${answer.tone}`;
    let args;
    if (answer.wait) args = { seconds: Math.max(1, Math.ceil((this.waitUntil - performance.now()) / 1000)) };
    if (answer.until) args = { time: this.clockTime(answer.until) };
    setL10n(this.ctx.l10n(), box, answer.id, args);
  }

  // A time of day in the page's language and its clock, Latin digits.
  clockTime(iso) {
    const locale = this.ctx.locale();
    const when = new Date(iso);
    try {
      return when.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", hourCycle: hourCycle(locale), numberingSystem: "latn" });
    } catch {
      return iso.slice(11, 16);
    }
  }
}

// A refusal's fields the page acts on, from the HTTP answer's `error` or the socket's
// `chat_result.error`: the code, the mute's end (`until`: RFC 3339, or null for the rest of the
// session) and the wait (`retry_after_s`).
function refusal(error) {
  return {
    code: error.code || "unknown",
    until: typeof error.until === "string" ? error.until : null,
    retryAfterS: typeof error.retry_after_s === "number" ? error.retry_after_s : null,
  };
}

// How a keyword is typed with a quantity: "+1", "扣1" (no space after a sign or a Chinese
// character), "купить 1", "mua 1".
export function keywordExample(keyword) {
  const word = keyword.trim();
  const glued = !/[\p{L}\p{M}\p{N}]$/u.test(word) || /\p{Script=Han}$/u.test(word);
  return `${word}${glued ? "" : " "}1`;
}
