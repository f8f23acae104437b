// ops.js: the operations dashboard (/console/ops). An operator (or admin) signs in; every live
// room is a row that updates itself: the list and viewers from GET /sessions?state=live, the
// figures from GET /reports/sales?group_by=session, then each order's totals as the operators'
// feed (/api/v1/feed, docs/feed.md) delivers them. GMV by market is a bar chart of
// GET /reports/sales?group_by=market. A click on a room opens its live events in a side panel
// (its recent log, then the feed's events of that room). The orders export downloads
// GET /orders/export with the token (fetch + Blob: a link cannot carry a bearer header). Money
// owed back (GET /payments/refunds, docs/payments.md) is a paged table, filtered by reason.
// Held messages: the buyers' chat messages of the live rooms that wait for a moderator
// (GET /sessions/{id}/chat?state=held for each live room, docs/live-room.md), read again every
// few seconds and as soon as the operators' feed brings a room's chat_held, chat_message or
// chat_deleted; each with Release and Delete.

import { Api } from "/assets/api.js";
import { barChart } from "/console/chart.js";
import { chatItem, chatRow } from "/console/chat.js";
import {
  ResumingFeed,
  clearNotice,
  clockTime,
  cny,
  debounce,
  el,
  money,
  showError,
  showFeedState,
  showOk,
  startL10n,
  resumeSignIn,
  thumbnail,
  tokenStore,
} from "/console/common.js";

const $ = (id) => document.getElementById(id);
const tokens = tokenStore("silkstream.console.ops.token");
const api = new Api();
const REFRESH_MS = 5000;

const state = {
  l10n: null,
  rooms: new Map(), // session id → room
  thumbs: new Map(), // product id → the product (for its first picture), null while read, false when it cannot be
  markets: [],
  feed: null,
  feedState: "idle",
  feedInfo: {},
  panel: null, // session id shown in the side panel
  panelEvents: new Map(),
  timer: null,
  refunds: { page: 1, perPage: 20, reason: "", total: 0, items: [] },
  held: new Map(), // session id → its held messages (chat items)
  heldKey: "",
};

const t = (id, args) => (state.l10n ? state.l10n.t(id, args) : id);
const locale = () => (state.l10n ? state.l10n.locale : "en");

async function signIn(token, remember) {
  api.setToken(token);
  await api.get("/reports/sales", { group_by: "session" });
  if (remember !== null) tokens.set(token, remember);
  $("signin").hidden = true;
  $("app").hidden = false;
  $("signed-in").hidden = false;
  await refreshAll();
  startFeed();
  state.timer = setInterval(async () => {
    await refreshRooms();
    refreshRefunds();
    refreshHeld();
  }, REFRESH_MS);
}

function signOut() {
  tokens.clear();
  if (state.feed) state.feed.close();
  clearInterval(state.timer);
  location.reload();
}

// ---------------------------------------------------------------- rooms

async function refreshRooms() {
  try {
    const [live, report] = await Promise.all([
      api.get("/sessions", { state: "live" }),
      api.get("/reports/sales", { group_by: "session" }),
    ]);
    const figures = new Map(report.rows.map((r) => [Number(r.key), r]));
    const seen = new Set();
    for (const s of live.items) {
      seen.add(s.id);
      const room = state.rooms.get(s.id) || { id: s.id, orders: 0, units: 0, gmv_cny: "0.00", fresh: false };
      Object.assign(room, { title: s.title, host: s.host.name, markets: s.markets, viewers: s.viewers, last_seq: s.last_seq, pinned: s.pinned_product_id });
      const f = figures.get(s.id);
      if (f && !room.fromFeed) Object.assign(room, { orders: f.orders, units: f.units, gmv_cny: f.gmv_cny });
      room.fromFeed = false;
      state.rooms.set(s.id, room);
    }
    for (const id of [...state.rooms.keys()]) if (!seen.has(id)) state.rooms.delete(id);
    $("rooms-as-of").textContent = t("console-as-of-time", { time: clockTime(locale(), report.as_of) });
    clearNotice($("rooms-answer"));
    renderRooms();
  } catch (e) {
    showError($("rooms-answer"), e);
  }
}

async function refreshMarkets() {
  try {
    const report = await api.get("/reports/sales", { group_by: "market" });
    state.markets = report.rows;
    renderMarkets();
  } catch (e) {
    showError($("rooms-answer"), e);
  }
}

async function refreshAll() {
  await Promise.all([refreshRooms(), refreshMarkets(), refreshRefunds()]);
  await refreshHeld();
}

// ---------------------------------------------------------------- money owed back

async function refreshRefunds() {
  const r = state.refunds;
  try {
    const list = await api.get("/payments/refunds", { reason: r.reason, page: r.page, per_page: r.perPage });
    Object.assign(r, { items: list.items, total: list.total });
    clearNotice($("refunds-answer"));
    renderRefunds();
  } catch (e) {
    showError($("refunds-answer"), e);
  }
}

function renderRefunds() {
  const r = state.refunds;
  const body = $("refunds");
  body.replaceChildren();
  for (const item of r.items) {
    body.append(
      el(
        "tr",
        { dataset: { refund: String(item.id) } },
        el("td", { text: clockTime(locale(), item.created_at) }),
        el("td", { class: "mono", text: `#${item.order_id}` }),
        el("td", { class: "num", text: money(locale(), item.currency, item.amount_minor) }),
        el("td", { text: t(`console-refund-${item.reason}`) }),
        el("td", { text: item.decided_by }),
        el("td", { class: "mono small", text: `${item.provider} ${item.transaction_id || ""}`.trim() }),
      ),
    );
  }
  const pages = Math.max(1, Math.ceil(r.total / r.perPage));
  $("refunds-empty").hidden = r.items.length > 0;
  $("refunds-page").textContent = t("console-page-of", { page: r.page, pages, total: r.total });
  $("refunds-prev").disabled = r.page <= 1;
  $("refunds-next").disabled = r.page >= pages;
}

const refreshRoomsSoon = debounce(refreshRooms, 300);
const refreshMarketsSoon = debounce(refreshMarkets, 1000);

// The pinned product's thumbnail in a room's row: read once per product, the rows drawn again
// when it arrives.
function pinnedThumb(productId) {
  if (!productId) return thumbnail(null);
  const known = state.thumbs.get(productId);
  if (known === undefined) {
    state.thumbs.set(productId, null);
    api
      .get(`/products/${productId}`)
      .then((p) => {
        state.thumbs.set(productId, p);
        renderRooms();
      })
      .catch(() => state.thumbs.set(productId, false));
  }
  return thumbnail(known || null, { "data-testid": "room-thumb" });
}

function renderRooms() {
  const body = $("rooms");
  body.replaceChildren();
  const rooms = [...state.rooms.values()].sort((a, b) => b.id - a.id);
  for (const r of rooms) {
    const open = el("button", {
      type: "button",
      class: "link",
      text: r.title,
      "aria-label": t("console-open-room", { title: r.title }),
      onclick: (event) => {
        event.stopPropagation();
        openPanel(r.id);
      },
    });
    const row = el(
      "tr",
      { class: [state.panel === r.id ? "selected" : "", r.fresh ? "fresh" : ""].join(" ").trim() || null, dataset: { session: String(r.id) } },
      el("td", {}, el("div", { class: "room-title" }, pinnedThumb(r.pinned), el("div", {}, open, el("div", { class: "muted small mono", text: `#${r.id}` })))),
      el("td", { text: r.host || "" }),
      el("td", { text: (r.markets || []).join(", ") }),
      el("td", { class: "num", text: String(r.orders) }),
      el("td", { class: "num", text: String(r.units) }),
      el("td", { class: "num", text: cny(locale(), r.gmv_cny) }),
      el("td", { class: "num", text: String(r.viewers ?? 0) }),
    );
    row.addEventListener("click", () => openPanel(r.id));
    body.append(row);
    r.fresh = false;
  }
  $("rooms-empty").hidden = rooms.length > 0;
}

function renderMarkets() {
  const rows = state.markets
    .map((r) => ({ label: r.key, value: Number(r.gmv_cny), text: cny(locale(), r.gmv_cny) }))
    .sort((a, b) => b.value - a.value);
  barChart($("market-chart"), rows, { empty: t("console-chart-empty") });
  $("market-desc").textContent = rows.map((r) => `${r.label}: ${r.text}`).join("; ") || t("console-chart-empty");
}

// ---------------------------------------------------------------- held messages

// Reads the held messages of `ids` (every live room by default) and draws the list again if
// anything changed.
let heldAsked = 0;
async function refreshHeld(ids = [...state.rooms.keys()]) {
  const ticket = ++heldAsked;
  const answer = $("held-answer");
  const pages = await Promise.allSettled(ids.map((id) => api.get(`/sessions/${id}/chat`, { state: "held", limit: 200 })));
  if (ticket !== heldAsked) return;
  let refusal = null;
  pages.forEach((page, n) => {
    const id = ids[n];
    if (page.status === "rejected") {
      refusal = refusal || page.reason;
      return;
    }
    const known = new Map((state.held.get(id) || []).map((item) => [item.id, item]));
    // A row keeps its refusal while the message is still held.
    state.held.set(id, page.value.items.map((m) => known.get(m.id) || chatItem(m, id)));
  });
  if (refusal) showError(answer, refusal);
  else clearNotice(answer);
  for (const id of [...state.held.keys()]) if (!state.rooms.has(id)) state.held.delete(id);
  renderHeld();
}
const refreshHeldSoon = debounce(() => refreshHeld(), 300);

function heldItems() {
  return [...state.held.values()].flat().sort((a, b) => b.id - a.id);
}

function renderHeld(force = false) {
  const items = heldItems();
  // Drawn again only when the list changed (a read every few seconds must not take a button
  // from under the operator's pointer).
  const key = `${locale()}|${items.map((i) => `${i.id}:${i.refusal ? 1 : 0}`).join(",")}`;
  if (!force && key === state.heldKey) return;
  state.heldKey = key;
  const list = $("held");
  list.replaceChildren(
    ...items.map((item) => {
      const room = state.rooms.get(item.sessionId);
      const name = el("span", { class: "chat-room" }, el("span", { text: room ? room.title : "" }), " ", el("span", { class: "muted small mono", text: `#${item.sessionId}` }));
      return chatRow({ t, locale: locale(), item, held: true, room: name, act: moderateHeld });
    }),
  );
  $("held-empty").hidden = items.length > 0;
  $("held-count").textContent = items.length ? String(items.length) : "";
}

// Release or Delete (console/chat.js shows a refusal in the row, and the row keeps it).
async function moderateHeld(item, kind) {
  const path = `/sessions/${item.sessionId}/chat/${item.id}`;
  if (kind === "release") await api.post(`${path}/release`, {});
  else if (kind === "delete") await api.delete(path);
  else return;
  const items = state.held.get(item.sessionId) || [];
  state.held.set(item.sessionId, items.filter((i) => i.id !== item.id));
  renderHeld();
}

// ---------------------------------------------------------------- the operators' feed

function setFeedState(name, info = {}) {
  state.feedState = name;
  state.feedInfo = info;
  showFeedState(state.l10n, $("feed-state"), name, info);
}

function startFeed() {
  const feed = new ResumingFeed({
    path: "/api/v1/feed",
    token: api.token,
    query: { locale: locale() },
    onMessage: onFeed,
    onState: (name, info) => {
      if (state.feed === feed) setFeedState(name, info);
    },
  });
  state.feed = feed;
  feed.start();
}

function onFeed(m) {
  if (m.type === "snapshot") {
    refreshRoomsSoon();
    return;
  }
  if (typeof m.session_id !== "number") return;
  const room = state.rooms.get(m.session_id);
  if (m.totals && room) {
    Object.assign(room, { orders: m.totals.orders, units: m.totals.units, gmv_cny: m.totals.gmv_cny || room.gmv_cny, fresh: true, fromFeed: true });
    renderRooms();
  }
  if (m.type === "session_started" || m.type === "session_ended" || !room) refreshRoomsSoon();
  if (m.totals) refreshMarketsSoon();
  if (["chat_held", "chat_message", "chat_deleted"].includes(m.type)) refreshHeldSoon();
  if (state.panel === m.session_id) addEvent(m, true);
}

// ---------------------------------------------------------------- a room's feed

function describe(m) {
  const parts = [];
  if (m.line) parts.push(m.line);
  if (m.price) parts.push(m.price);
  if (m.quantity && !m.line) parts.push(`× ${m.quantity}`);
  if (m.remaining !== undefined) parts.push(t("console-left-n", { count: m.remaining }));
  if (m.reason) parts.push(m.reason);
  if (m.text) parts.push(m.text);
  if (m.product_id && !m.line) parts.push(`#${m.product_id}`);
  return parts.join(" · ");
}

// The panel's events by seq, newest first; an event the log and the feed both deliver is shown once.
function addEvent(m, fresh) {
  if (state.panelEvents.has(m.seq)) return;
  state.panelEvents.set(m.seq, { m, fresh });
  renderPanel();
}

function renderPanel() {
  const list = $("panel-events");
  list.replaceChildren();
  const seqs = [...state.panelEvents.keys()].sort((a, b) => b - a).slice(0, 200);
  for (const seq of seqs) {
    const entry = state.panelEvents.get(seq);
    const m = entry.m;
    list.append(
      el(
        "li",
        { class: entry.fresh ? "fresh" : null },
        el("div", {}, el("span", { class: "event-kind", text: m.type }), " ", el("span", { class: "muted small", text: `#${m.seq} · ${clockTime(locale(), m.at)}` })),
        el("div", { class: "event-line", text: describe(m) }),
      ),
    );
    entry.fresh = false;
  }
}

async function openPanel(id) {
  const room = state.rooms.get(id);
  state.panel = id;
  state.panelEvents = new Map();
  $("panel").hidden = false;
  document.body.classList.add("panel-open");
  $("panel-heading").textContent = room ? room.title : `#${id}`;
  $("panel-meta").textContent = room ? t("console-room-meta", { id, host: room.host, markets: room.markets.join(", ") }) : "";
  $("panel-events").replaceChildren();
  renderRooms();
  $("panel-close").focus();
  try {
    const since = Math.max(0, (room ? room.last_seq : 0) - 30);
    const events = await api.get(`/sessions/${id}/events`, { since, limit: 100 });
    if (state.panel !== id) return;
    for (const e of events) {
      state.panelEvents.set(e.seq, { m: { ...(e.payload || {}), type: e.kind, seq: e.seq, at: e.created_at }, fresh: false });
    }
    renderPanel();
  } catch (e) {
    $("panel-events").append(el("li", { class: "notice bad", text: e.message }));
  }
}

function closePanel() {
  const id = state.panel;
  state.panel = null;
  $("panel").hidden = true;
  document.body.classList.remove("panel-open");
  renderRooms();
  const button = document.querySelector(`tr[data-session="${id}"] button`);
  if (button) button.focus();
}

// ---------------------------------------------------------------- the orders export

async function exportOrders() {
  const answer = $("export-answer");
  clearNotice(answer);
  try {
    const response = await api.raw("/orders/export", { headers: { Accept: "text/csv" } });
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
    const a = el("a", { href: url, download: `silkstream-orders-${stamp}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    showOk(answer, t("console-exported", { size: Math.ceil(blob.size / 1024) }));
  } catch (e) {
    showError(answer, e);
  }
}

// ---------------------------------------------------------------- wiring

function relabel(l10n) {
  state.l10n = l10n;
  setFeedState(state.feedState, state.feedInfo);
  if (state.feed) state.feed.update({ locale: l10n.locale });
  renderRooms();
  renderMarkets();
  renderRefunds();
  renderHeld(true);
}

async function main() {
  state.l10n = await startL10n($("ui-locale"), relabel);
  setFeedState("idle");
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = $("signin-answer");
    clearNotice(answer);
    try {
      await signIn($("token").value.trim(), $("remember").checked);
      $("token").value = "";
    } catch (e) {
      api.setToken(null);
      if (e.status === 403) showError(answer, t("console-ops-token-needed"));
      else showError(answer, e);
    }
  });
  $("sign-out").addEventListener("click", signOut);
  $("export").addEventListener("click", exportOrders);
  $("refunds-reason").addEventListener("change", (event) => {
    Object.assign(state.refunds, { reason: event.target.value, page: 1 });
    refreshRefunds();
  });
  $("refunds-prev").addEventListener("click", () => {
    state.refunds.page = Math.max(1, state.refunds.page - 1);
    refreshRefunds();
  });
  $("refunds-next").addEventListener("click", () => {
    state.refunds.page += 1;
    refreshRefunds();
  });
  $("panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.panel !== null) closePanel();
  });
  window.addEventListener("resize", debounce(renderMarkets, 200));
  await resumeSignIn(tokens, signIn);
}

main();
