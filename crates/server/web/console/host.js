// host.js: the studio console (/console/host). A host signs in with their token, lists, creates,
// starts and ends sessions, fills the showcase and pins a product, runs a flash sale (start,
// pause, resume, restock) and watches it on the session's feed: orders as they land (newest
// first, highlighted), counters, GMV per currency and in CNY, a chart over the session, the
// summary at the end. The chat card moderates the room (docs/live-room.md): the messages as the
// feed brings them (writers whole), each with Delete and Mute, a message that became an order
// (`chat_ordered`) marked with the order's number; the held ones with Release and Delete; slow
// mode; the host's own messages. Every action is an API call curl could make
// (docs/live-sale.md); every refusal shows the server's message next to the control that caused
// it.
//
// The feed is opened with since=0, so a console opened mid-session replays the log: the order
// list, the totals and the chart are the session's whole story, not only what came after.

import { Api, newKey } from "/assets/api.js";
import { LOCALES, setL10n } from "/assets/l10n.js";
import { lineChart } from "/console/chart.js";
import { chatItem, chatRow } from "/console/chat.js";
import {
  ResumingFeed,
  clearNotice,
  clockTime,
  cny,
  debounce,
  el,
  mmss,
  money,
  showError,
  showFeedState,
  showOk,
  startL10n,
  toMinor,
  resumeSignIn,
  thumbnail,
  tokenStore,
} from "/console/common.js";

const $ = (id) => document.getElementById(id);
const tokens = tokenStore("silkstream.console.host.token");
const api = new Api();

const state = {
  l10n: null,
  markets: new Map(), // country → market
  warehouses: [],
  sessions: [],
  session: null, // GET /sessions/{id}
  sale: null, // the sale shown: the current one, else the last
  products: new Map(), // product id → product (with variants)
  feed: null,
  replayUntil: 0,
  totals: { orders: 0, units: 0, gmv: {}, gmv_cny: "0.00" },
  orders: new Map(), // order id → li
  points: [], // [time ms, orders, gmv cny]
  viewers: 0,
  clockOffset: 0, // server ms − local ms
  tickLeft: null,
  feedState: "idle",
  feedInfo: {},
  chat: newChat(),
};

// The chat of the open session: its messages and held ones by id (with their rows), the ids
// taken down, the mutes by buyer (token id → until, null for the session), the orders messages
// became (message id → order id), slow mode.
function newChat() {
  return { messages: new Map(), held: new Map(), deleted: new Set(), mutes: new Map(), ordered: new Map(), slow: 0, failed: null, pending: false };
}
// Slow mode's choices in seconds (0: off); another value set elsewhere is added to the list.
const SLOW_MODES = [0, 5, 10, 30, 60];
// The most messages the card keeps.
const CHAT_MAX = 300;

const t = (id, args) => (state.l10n ? state.l10n.t(id, args) : id);
const locale = () => (state.l10n ? state.l10n.locale : "en");

// ---------------------------------------------------------------- sign in / out

async function signIn(token, remember) {
  api.setToken(token);
  const list = await api.get("/sessions");
  if (remember !== null) tokens.set(token, remember);
  $("signin").hidden = true;
  $("app").hidden = false;
  $("signed-in").hidden = false;
  renderSessions(list.items);
  await Promise.all([loadMarkets(), loadWarehouses()]);
  const wanted = Number(new URLSearchParams(location.search).get("session"));
  if (wanted && list.items.some((s) => s.id === wanted)) await openSession(wanted);
}

function signOut() {
  tokens.clear();
  closeFeed();
  state.session = null;
  api.setToken(null);
  location.href = location.pathname;
}

async function loadMarkets() {
  try {
    const markets = await api.get("/markets");
    state.markets = new Map(markets.map((m) => [m.country, m]));
  } catch (e) {
    console.warn("markets", e);
  }
}

async function loadWarehouses() {
  try {
    state.warehouses = await api.get("/warehouses");
  } catch (e) {
    state.warehouses = [];
  }
  const select = $("sale-warehouse");
  select.replaceChildren(el("option", { value: "", "data-l10n-id": "console-warehouse-auto", text: t("console-warehouse-auto") }));
  for (const w of state.warehouses) select.append(el("option", { value: w.code, text: `${w.code} · ${w.name}` }));
}

// ---------------------------------------------------------------- sessions

async function refreshSessions() {
  try {
    const list = await api.get("/sessions");
    renderSessions(list.items);
    clearNotice($("sessions-answer"));
  } catch (e) {
    showError($("sessions-answer"), e);
  }
}

function stateBadge(stateName) {
  const cls = stateName === "live" ? "badge ok" : stateName === "ended" ? "badge muted" : "badge accent";
  return el("span", { class: cls, "data-l10n-id": `console-state-${stateName}`, text: t(`console-state-${stateName}`) });
}

function renderSessions(items) {
  state.sessions = items;
  const body = $("sessions");
  body.replaceChildren();
  for (const s of items) {
    const open = el("button", {
      type: "button",
      class: "small",
      "aria-label": t("console-open-session", { title: s.title }),
      text: t("console-open"),
      onclick: () => openSession(s.id),
    });
    const row = el(
      "tr",
      { class: state.session && state.session.id === s.id ? "selected" : null },
      el("td", {}, el("div", { text: s.title }), el("div", { class: "muted small mono", text: `#${s.id}` })),
      el("td", {}, stateBadge(s.state)),
      el("td", { text: s.markets.join(", ") }),
      el("td", {}, open),
    );
    body.append(row);
  }
  $("sessions-empty").hidden = items.length > 0;
}

async function createSession(event) {
  event.preventDefault();
  const answer = $("create-answer");
  clearNotice(answer);
  const markets = $("new-markets")
    .value.split(/[\s,;]+/)
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean);
  const body = { title: $("new-title").value.trim(), language: $("new-language").value, markets };
  try {
    const session = await api.post("/sessions", body);
    const warnings = (session.warnings || []).map((w) => w.term).join(", ");
    showOk(answer, warnings ? t("console-created-with-warnings", { terms: warnings }) : t("console-created", { id: session.id }));
    $("new-title").value = "";
    await refreshSessions();
    await openSession(session.id);
  } catch (e) {
    showError(answer, e);
  }
}

// ---------------------------------------------------------------- one session

async function openSession(id) {
  closeFeed();
  Object.assign(state, {
    session: null,
    sale: null,
    replayUntil: 0,
    totals: { orders: 0, units: 0, gmv: {}, gmv_cny: "0.00" },
    points: [],
    viewers: 0,
    tickLeft: null,
  });
  state.orders.clear();
  $("orders").replaceChildren();
  $("orders-empty").hidden = false;
  resetChat();
  for (const id of ["session-answer", "showcase-answer", "sale-answer", "sale-form-answer", "chat-answer", "chat-slow-answer"]) clearNotice($(id));
  try {
    const session = await api.get(`/sessions/${id}`);
    state.session = session;
    history.replaceState(null, "", `?session=${id}`);
    renderSession();
    renderCounters();
    renderChart();
    renderSessions(state.sessions);
    startFeed(id);
  } catch (e) {
    showError($("sessions-answer"), e);
  }
}

function closeFeed() {
  if (state.feed) state.feed.close();
  state.feed = null;
  setFeedState("idle");
}

async function reloadSession() {
  if (!state.session) return;
  try {
    const session = await api.get(`/sessions/${state.session.id}`);
    if (!state.session || session.id !== state.session.id) return;
    state.session = session;
    renderSession();
    const item = state.sessions.find((s) => s.id === session.id);
    if (item && item.state !== session.state) refreshSessions();
  } catch (e) {
    showError($("session-answer"), e);
  }
}
const reloadSoon = debounce(reloadSession, 250);

function renderSession() {
  const s = state.session;
  if (!s) return;
  state.clockOffset = s.server_time_ms - Date.now();
  for (const id of ["session-card", "watch-card", "orders-card", "showcase-card", "sale-card", "stream-card", "chat-card"]) $(id).hidden = false;
  $("session-heading").textContent = s.title;
  const badge = stateBadge(s.state);
  $("session-state").replaceWith(Object.assign(badge, { id: "session-state" }));
  $("session-meta").textContent = t("console-session-meta", {
    id: s.id,
    markets: s.markets.join(", "),
    language: (LOCALES.find(([c]) => c === s.language) || [s.language, s.language])[1],
  });
  $("session-start").hidden = s.state !== "scheduled";
  $("session-end").hidden = s.state !== "live";
  const link = $("buyer-link");
  link.href = `/live/${s.id}`;
  $("showcase-form").hidden = s.state === "ended";
  state.sale = s.sale || (s.sales.length ? s.sales[s.sales.length - 1] : null);
  renderShowcase();
  renderStream();
  renderSale();
  renderCounters();
  renderPriceFields();
  renderSummary();
  renderChatControls();
}

async function sessionAction(path, answer) {
  clearNotice(answer);
  try {
    await api.post(path, {});
    await reloadSession();
    refreshSessions();
  } catch (e) {
    showError(answer, e);
  }
}

let endArmed = null;
function endSession() {
  const button = $("session-end");
  if (!endArmed) {
    setL10n(state.l10n, button, "console-end-confirm");
    endArmed = setTimeout(() => {
      endArmed = null;
      setL10n(state.l10n, button, "console-end-session");
    }, 5000);
    return;
  }
  clearTimeout(endArmed);
  endArmed = null;
  setL10n(state.l10n, button, "console-end-session");
  sessionAction(`/sessions/${state.session.id}/end`, $("session-answer"));
}

// ---------------------------------------------------------------- showcase and pin

async function product(id) {
  if (!state.products.has(id)) {
    const p = await api.get(`/products/${id}`, { locale: locale() });
    state.products.set(id, p);
  }
  return state.products.get(id);
}

function productTitle(p) {
  return (p.localized && p.localized.title && p.localized.title.text) || p.title;
}

async function renderShowcase() {
  const s = state.session;
  const list = $("showcase");
  const ids = s.showcase;
  const items = await Promise.all(ids.map((id) => product(id).catch(() => null)));
  if (state.session !== s) return;
  list.replaceChildren();
  ids.forEach((id, i) => {
    const p = items[i];
    const title = p ? productTitle(p) : `#${id}`;
    const pinned = s.pinned_product_id === id;
    const action =
      s.state === "ended"
        ? null
        : pinned
          ? el("button", { type: "button", class: "small", text: t("console-unpin"), "aria-label": t("console-unpin-product", { title }), onclick: () => unpin() })
          : el("button", { type: "button", class: "small", text: t("console-pin"), "aria-label": t("console-pin-product", { title }), onclick: () => pin(id) });
    list.append(
      el(
        "li",
        {},
        p ? thumbnail(p) : null,
        el("span", { class: "title" }, el("span", { text: title }), " ", el("span", { class: "muted small mono", text: `#${id}` })),
        pinned ? el("span", { class: "badge ok", text: t("console-pinned") }) : null,
        action,
      ),
    );
  });
  renderVariants(items.filter(Boolean));
}

// The product picker: what the host types (a title in any of the product's languages, or a
// SKU) lists the matching products with their thumbnails; a tap adds one to the showcase.
let searches = 0;
async function searchProducts() {
  const query = $("product-search").value.trim();
  const list = $("product-picks");
  const pick = ++searches;
  if (!query || !state.session) {
    list.replaceChildren();
    return;
  }
  try {
    const page = await api.get("/products", { q: query, per_page: 8, locale: locale() });
    if (pick !== searches) return;
    const shown = new Set(state.session.showcase);
    const items = page.items.map((p) => {
      const title = productTitle(p);
      const skus = (p.variants || []).map((v) => v.sku).join(", ");
      return el(
        "li",
        { "data-testid": `pick-${p.id}` },
        thumbnail(p),
        el("span", { class: "title" }, el("span", { text: title }), " ", el("span", { class: "muted small mono", text: `#${p.id} · ${skus}` })),
        shown.has(p.id)
          ? el("span", { class: "badge", text: t("console-showcase") })
          : el("button", { type: "button", class: "small", text: t("console-add-to-showcase"), "aria-label": t("console-add-product", { title }), onclick: () => addToShowcase(p.id) }),
      );
    });
    list.replaceChildren(...(items.length ? items : [el("li", { class: "muted", text: t("console-no-product-found", { query }) })]));
  } catch (e) {
    if (pick === searches) showError($("showcase-answer"), e);
  }
}

async function addToShowcase(id) {
  const answer = $("showcase-answer");
  clearNotice(answer);
  try {
    const session = await api.post(`/sessions/${state.session.id}/showcase`, { product_id: id });
    const warnings = (session.warnings || []).map((w) => w.term).join(", ");
    if (warnings) showOk(answer, t("console-warnings", { terms: warnings }));
    $("product-search").value = "";
    $("product-picks").replaceChildren();
    await reloadSession();
  } catch (e) {
    showError(answer, e);
  }
}

async function pin(productId) {
  const answer = $("showcase-answer");
  clearNotice(answer);
  try {
    const session = await api.post(`/sessions/${state.session.id}/pin`, { product_id: productId });
    const warnings = (session.warnings || []).map((w) => w.term).join(", ");
    if (warnings) showOk(answer, t("console-warnings", { terms: warnings }));
    await reloadSession();
  } catch (e) {
    showError(answer, e);
  }
}

async function unpin() {
  const answer = $("showcase-answer");
  clearNotice(answer);
  try {
    await api.post(`/sessions/${state.session.id}/unpin`, {});
    await reloadSession();
  } catch (e) {
    showError(answer, e);
  }
}

// ---------------------------------------------------------------- the stream

// What buyers watch on the session's page: the stream set (or none), and the form to set or
// remove it (not once the session has ended).
function renderStream() {
  const s = state.session;
  const stream = s.stream;
  const current = $("stream-current");
  if (!stream) setL10n(state.l10n, current, "console-stream-none");
  else setL10n(state.l10n, current, stream.kind === "hls" ? "console-stream-current-hls" : "console-stream-current-link", { url: stream.url });
  $("stream-form").hidden = s.state === "ended";
  $("stream-remove").hidden = !stream;
}

async function setStream(event) {
  event.preventDefault();
  const answer = $("stream-answer");
  clearNotice(answer);
  try {
    await api.put(`/sessions/${state.session.id}/stream`, { kind: $("stream-kind").value, url: $("stream-url").value.trim() });
    showOk(answer, t("console-stream-saved"));
    await reloadSession();
  } catch (e) {
    showError(answer, e);
  }
}

async function removeStream() {
  const answer = $("stream-answer");
  clearNotice(answer);
  try {
    await api.delete(`/sessions/${state.session.id}/stream`);
    showOk(answer, t("console-stream-removed"));
    await reloadSession();
  } catch (e) {
    showError(answer, e);
  }
}

// ---------------------------------------------------------------- flash sale

function renderVariants(products) {
  const select = $("sale-variant");
  const previous = select.value;
  select.replaceChildren();
  const pinned = state.session.pinned_product_id;
  const ordered = [...products].sort((a, b) => (b.id === pinned) - (a.id === pinned));
  for (const p of ordered) {
    for (const v of p.variants.filter((v) => !v.archived)) {
      const options = Object.values(v.options || {}).join(", ");
      select.append(el("option", { value: String(v.id), text: `${productTitle(p)} — ${v.sku}${options ? ` (${options})` : ""}` }));
    }
  }
  if ([...select.options].some((o) => o.value === previous)) select.value = previous;
}

function renderPriceFields() {
  const s = state.session;
  const box = $("sale-prices");
  const currencies = [];
  for (const m of s.markets) {
    const market = state.markets.get(m);
    for (const c of market ? market.currencies : []) if (!currencies.includes(c)) currencies.push(c);
  }
  const existing = new Map([...box.querySelectorAll("input")].map((i) => [i.dataset.currency, i.value]));
  box.querySelectorAll("label").forEach((l) => l.remove());
  for (const c of currencies) {
    const input = el("input", { id: `price-${c}`, inputmode: "decimal", autocomplete: "off", dataset: { currency: c } });
    input.value = existing.get(c) || "";
    box.append(el("label", { class: "field" }, el("span", { text: t("console-price-in", { currency: c }) }), input));
  }
}

function readSaleForm() {
  const number = (id) => {
    const v = $(id).value.trim();
    return /^\d+$/.test(v) ? Number(v) : v === "" ? null : NaN;
  };
  const prices = {};
  for (const input of $("sale-prices").querySelectorAll("input")) {
    if (!input.value.trim()) continue;
    const minor = toMinor(input.value, input.dataset.currency);
    if (minor === null) throw new Error(t("console-price-invalid", { currency: input.dataset.currency }));
    prices[input.dataset.currency] = minor;
  }
  const duration = number("sale-duration");
  const body = {
    variant_id: Number($("sale-variant").value),
    quantity: number("sale-quantity"),
    per_buyer_limit: number("sale-limit"),
    prices,
    countdown_s: number("sale-countdown") ?? 0,
    duration_s: duration === null || Number.isNaN(duration) ? duration : duration * 60,
  };
  for (const [field, value] of Object.entries(body)) {
    if (typeof value === "number" && Number.isNaN(value)) throw new Error(t("console-number-invalid", { field }));
  }
  const warehouse = $("sale-warehouse").value;
  if (warehouse) body.warehouse = warehouse;
  return body;
}

async function startSale(event) {
  event.preventDefault();
  const answer = $("sale-form-answer");
  clearNotice(answer);
  let body;
  try {
    body = readSaleForm();
  } catch (e) {
    showError(answer, e);
    return;
  }
  try {
    const sale = await api.post(`/sessions/${state.session.id}/flash-sales`, body);
    state.sale = sale;
    state.tickLeft = null;
    renderSale();
    renderCounters();
    showOk($("sale-answer"), t("console-sale-started", { units: sale.allocated }));
    reloadSoon();
  } catch (e) {
    showError(answer, e);
  }
}

async function saleAction(kind, body = {}) {
  const answer = $("sale-answer");
  clearNotice(answer);
  try {
    const sale = await api.post(`/flash-sales/${state.sale.id}/${kind}`, body);
    state.sale = sale;
    state.tickLeft = null;
    renderSale();
    renderCounters();
    return true;
  } catch (e) {
    showError(answer, e);
    return false;
  }
}

async function restock(event) {
  event.preventDefault();
  const v = $("restock-units").value.trim();
  const quantity = /^\d+$/.test(v) ? Number(v) : v;
  if (await saleAction("restock", { quantity })) {
    $("restock-units").value = "";
    showOk($("sale-answer"), t("console-restocked", { units: quantity }));
  }
}

const refreshSaleSoon = debounce(async () => {
  if (!state.sale) return;
  try {
    const sale = await api.get(`/flash-sales/${state.sale.id}`);
    if (state.sale && sale.id === state.sale.id) {
      state.sale = sale;
      state.tickLeft = null;
      renderSale();
      renderCounters();
    }
  } catch (e) {
    console.warn("sale", e);
  }
}, 300);

function renderSale() {
  const sale = state.sale;
  const ended = state.session && state.session.state === "ended";
  const running = sale && sale.phase !== "ended";
  $("sale-running").hidden = !sale;
  $("sale-form").hidden = running || ended;
  const phase = $("sale-phase");
  if (sale) {
    phase.className = `badge ${sale.phase === "running" ? "ok" : sale.phase === "paused" || sale.phase === "countdown" ? "warn" : sale.phase === "sold_out" ? "bad" : "muted"}`;
    setL10n(state.l10n, phase, `console-phase-${sale.phase}`);
    const prices = Object.entries(sale.prices)
      .map(([c, m]) => money(locale(), c, m))
      .join(" · ");
    $("sale-what").textContent = t("console-sale-what", { sku: sale.sku, limit: sale.per_buyer_limit, warehouse: sale.warehouse, prices });
    $("sale-pause").hidden = !(sale.state === "open");
    $("sale-resume").hidden = sale.state !== "paused";
    $("restock-form").hidden = sale.phase === "ended";
  } else {
    phase.className = "badge";
    phase.textContent = "";
  }
  tickCountdown();
}

function tickCountdown() {
  const sale = state.sale;
  const box = $("countdown");
  if (!sale || sale.phase === "ended") {
    box.textContent = "–";
    setL10n(state.l10n, $("countdown-label"), "console-ends-in");
    return;
  }
  const now = Date.now() + state.clockOffset;
  const starts = Date.parse(sale.starts_at);
  const ends = Date.parse(sale.ends_at);
  if (now < starts) {
    setL10n(state.l10n, $("countdown-label"), "console-starts-in");
    box.textContent = mmss(starts - now);
  } else {
    setL10n(state.l10n, $("countdown-label"), "console-ends-in");
    box.textContent = mmss(ends - now);
    if (now >= ends && sale.phase !== "ended") refreshSaleSoon();
  }
}

// ---------------------------------------------------------------- counters, GMV, chart, summary

function renderCounters() {
  const tot = state.totals;
  $("c-orders").textContent = String(tot.orders);
  $("c-units").textContent = String(tot.units);
  $("c-viewers").textContent = String(state.viewers);
  const sale = state.sale;
  const left = sale ? (state.tickLeft !== null && state.tickLeft !== undefined ? state.tickLeft : sale.remaining) : null;
  $("c-left").textContent = sale ? String(left) : "–";
  $("c-sold").textContent = sale ? String(sale.sold) : "–";
  const gmv = $("gmv");
  gmv.replaceChildren();
  for (const [currency, minor] of Object.entries(tot.gmv || {})) {
    gmv.append(el("li", { text: money(locale(), currency, minor) }));
  }
  gmv.append(el("li", { class: "cny", text: t("console-gmv-in-cny", { amount: cny(locale(), tot.gmv_cny) }) }));
  if (tot.gmv_cny_missing && tot.gmv_cny_missing.length) {
    gmv.append(el("li", { class: "muted small", text: t("console-gmv-missing", { currencies: tot.gmv_cny_missing.join(", ") }) }));
  }
}

const renderChart = () => {
  const svg = $("chart");
  const start = state.session && state.session.started_at ? Date.parse(state.session.started_at) : null;
  const base = start && state.points.length && start <= state.points[0][0] ? [[start, 0, 0]] : [];
  const pts = [...base, ...state.points];
  lineChart(svg, {
    series: [
      { name: t("console-orders"), axis: "left", points: pts.map(([at, o]) => [at, o]) },
      { name: t("console-gmv-cny"), axis: "right", points: pts.map(([at, , g]) => [at, g]) },
    ],
    formatLeft: (v) => String(Math.round(v)),
    formatRight: (v) => (v >= 1000 ? `${Math.round(v / 100) / 10}k` : String(Math.round(v))),
    formatX: (ms) => clockTime(locale(), new Date(ms).toISOString()),
    empty: t("console-chart-empty"),
  });
  const desc = svg.querySelector("desc") || svg.appendChild(document.createElementNS("http://www.w3.org/2000/svg", "desc"));
  desc.id = "chart-desc";
  desc.textContent = t("console-chart-desc", { orders: state.totals.orders, amount: cny(locale(), state.totals.gmv_cny) });
};
let chartQueued = false;
function chartSoon() {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => {
    chartQueued = false;
    renderChart();
  });
}

function renderSummary() {
  const s = state.session;
  const card = $("summary-card");
  if (!s || !s.summary) {
    card.hidden = true;
    return;
  }
  card.hidden = false;
  const sum = s.summary;
  const dl = $("summary");
  dl.replaceChildren();
  const row = (label, value) => dl.append(el("dt", { text: t(label) }), el("dd", { text: value }));
  row("console-orders", String(sum.orders));
  row("console-units", String(sum.units));
  row("console-gmv", sum.gmv.map((g) => money(locale(), g.currency, g.amount_minor)).join(" · ") || "–");
  row("console-gmv-cny", cny(locale(), sum.gmv_cny));
  row("console-unpaid", String(sum.unpaid_orders));
  row("console-peak-viewers", String(sum.peak_viewers));
  row("console-top-products", sum.top_products.map((p) => t("console-top-product", { title: p.title, units: p.units })).join("; ") || "–");
  row("console-as-of", clockTime(locale(), sum.as_of));
}

// ---------------------------------------------------------------- the feed

function setFeedState(name, info = {}) {
  state.feedState = name;
  state.feedInfo = info;
  showFeedState(state.l10n, $("feed-state"), name, info);
}

function startFeed(sessionId) {
  const feed = new ResumingFeed({
    path: `/api/v1/sessions/${sessionId}/feed`,
    token: api.token,
    query: { locale: locale() },
    onMessage: (m) => onFeed(sessionId, m),
    onState: (name, info) => {
      if (state.feed === feed) setFeedState(name, info);
    },
  });
  feed.last = 0; // replay the session's whole log after the snapshot
  state.feed = feed;
  feed.start();
}

function onFeed(sessionId, m) {
  if (!state.session || state.session.id !== sessionId) return;
  switch (m.type) {
    case "snapshot": {
      if (!state.replayUntil) state.replayUntil = m.seq;
      if (m.chat) {
        setSlowMode(m.chat.slow_mode_s || 0);
        // The replay of the log brings every message; the snapshot's are the same, met once.
        for (const recent of m.chat.recent || []) onChat(recent, false);
      }
      state.viewers = m.viewers;
      if (m.server_time) state.clockOffset = Date.parse(m.server_time) - Date.now();
      reloadSoon();
      renderCounters();
      return;
    }
    case "tick": {
      state.viewers = m.viewers;
      if (m.server_time) state.clockOffset = Date.parse(m.server_time) - Date.now();
      if (m.sale && state.sale && m.sale.id === state.sale.id) {
        state.tickLeft = m.sale.left;
        if (m.sale.state !== state.sale.state) refreshSaleSoon();
      }
      renderCounters();
      return;
    }
    default:
      break;
  }
  if (typeof m.seq !== "number") return;
  const fresh = m.seq > state.replayUntil;
  if (m.type.startsWith("chat_")) {
    onChat(m, fresh);
    return;
  }
  if (m.totals) {
    state.totals = m.totals;
    state.points.push([Date.parse(m.at), m.totals.orders, Number(m.totals.gmv_cny || 0)]);
    chartSoon();
  }
  switch (m.type) {
    case "order_confirmed":
      addOrder(m, fresh);
      if (state.sale && m.sale_id === state.sale.id && fresh) {
        state.tickLeft = m.remaining;
        refreshSaleSoon();
      }
      break;
    case "order_cancelled":
    case "order_paid":
    case "order_shipped":
    case "order_delivered":
      markOrder(m);
      if (fresh && state.sale && m.sale_id === state.sale.id) refreshSaleSoon();
      break;
    default:
      if (fresh) reloadSoon();
  }
  renderCounters();
}

// An order row, from its event: rendered again in the new language when the console's language
// changes (renderOrderRow), so no row stays in the old one.
function addOrder(m, fresh) {
  const li = el(
    "li",
    { class: fresh ? "fresh" : null, dataset: { order: String(m.order_id) } },
    el("span", { class: "what" }),
    el("span", { class: "amount" }),
    el("span", { class: "when" }),
    el("span", { class: "status badge" }),
  );
  li.orderEvent = m;
  li.orderStatus = "confirmed";
  renderOrderRow(li);
  state.orders.set(m.order_id, li);
  $("orders").prepend(li);
  $("orders-empty").hidden = true;
  // Keep the list bounded: the newest 500.
  while ($("orders").children.length > 500) $("orders").lastElementChild.remove();
}

function renderOrderRow(li) {
  const m = li.orderEvent;
  const buyer = m.buyer || {};
  const who = buyer.name ? `${buyer.name} (${buyer.masked})` : buyer.masked || "";
  li.querySelector(".what").textContent = t("console-order-line", { who, city: buyer.city || "", country: buyer.country || "", quantity: m.quantity });
  // The total in the console's language (the event's `price` is in the feed's language of the
  // moment it arrived).
  const amount = typeof m.total_minor === "number" && m.currency ? money(locale(), m.currency, m.total_minor) : m.price || "";
  li.querySelector(".amount").textContent = amount;
  li.querySelector(".when").textContent = `#${m.order_id} · ${clockTime(locale(), m.at)}`;
  const status = li.orderStatus;
  const badge = li.querySelector(".status");
  badge.textContent = t(`console-order-${status}`);
  badge.className = `status badge ${status === "confirmed" ? "" : status === "cancelled" ? "bad" : "ok"}`;
  li.classList.toggle("cancelled", status === "cancelled");
}

function markOrder(m) {
  const li = state.orders.get(m.order_id);
  if (!li) return;
  li.orderStatus = m.type.replace("order_", "");
  renderOrderRow(li);
}

// ---------------------------------------------------------------- the chat

function resetChat() {
  state.chat = newChat();
  $("chat-messages").replaceChildren();
  $("chat-held").replaceChildren();
  $("chat-text").value = "";
  renderChatEmpty();
  setSlowMode(0);
}

function renderChatEmpty() {
  $("chat-empty").hidden = state.chat.messages.size > 0;
  $("chat-held-empty").hidden = state.chat.held.size > 0;
}

// Writing and slow mode while the session is live; moderation at any time.
function renderChatControls() {
  const live = state.session && state.session.state === "live";
  $("chat-form").hidden = !live;
  $("chat-slow").disabled = !live;
}

// A feed event of the chat (or a message of the snapshot's): the moderators' payloads.
function onChat(m, fresh) {
  const chat = state.chat;
  switch (m.type) {
    case "chat_message":
      if (m.deleted) {
        dropChat(m.message_id);
        break;
      }
      if (chat.deleted.has(m.message_id)) break;
      // A released message leaves the held list and joins the room's.
      removeRow(chat.held, m.message_id);
      if (!chat.messages.has(m.message_id)) {
        const item = chatItem(m, state.session.id);
        item.fresh = fresh;
        if (chat.ordered.has(item.id)) item.orderId = chat.ordered.get(item.id);
        addRow(chat.messages, $("chat-messages"), item, false);
      }
      break;
    // A buyer's order keyword became an order: its row says which.
    case "chat_ordered": {
      if (typeof m.order_id !== "number") break;
      chat.ordered.set(m.message_id, m.order_id);
      const item = chat.messages.get(m.message_id);
      if (item && item.orderId !== m.order_id) {
        item.orderId = m.order_id;
        redrawRow(item, false);
      }
      break;
    }
    case "chat_held":
      if (chat.deleted.has(m.message_id) || chat.held.has(m.message_id) || chat.messages.has(m.message_id)) break;
      {
        const item = chatItem(m, state.session.id);
        item.fresh = fresh;
        addRow(chat.held, $("chat-held"), item, true);
      }
      break;
    case "chat_deleted":
      dropChat(m.message_id);
      break;
    case "chat_muted":
      chat.mutes.set(m.buyer_id, m.until ?? null);
      redrawWriter(m.buyer_id);
      break;
    case "chat_unmuted":
      chat.mutes.delete(m.buyer_id);
      redrawWriter(m.buyer_id);
      break;
    case "chat_slow_mode":
      setSlowMode(m.seconds || 0);
      break;
    default:
      break;
  }
  renderChatEmpty();
}

function dropChat(id) {
  state.chat.deleted.add(id);
  removeRow(state.chat.messages, id);
  removeRow(state.chat.held, id);
  renderChatEmpty();
}

// Newest first by seq: the snapshot's messages arrive before the replay of older ones.
function addRow(map, list, item, held) {
  item.li = drawRow(item, held);
  map.set(item.id, item);
  const seq = typeof item.seq === "number" ? item.seq : Number.MAX_SAFE_INTEGER;
  const after = [...list.children].find((li) => Number(map.get(Number(li.dataset.message))?.seq ?? Number.MAX_SAFE_INTEGER) < seq);
  if (after) after.before(item.li);
  else list.append(item.li);
  while (list.children.length > CHAT_MAX) {
    const last = list.lastElementChild;
    map.delete(Number(last.dataset.message));
    last.remove();
  }
}

function removeRow(map, id) {
  const item = map.get(id);
  if (!item) return;
  map.delete(id);
  item.li.remove();
}

// A buyer's mute as it stands now: undefined (not muted), null (for the session) or its end.
function muteOf(sender) {
  if (sender.role !== "buyer" || !state.chat.mutes.has(sender.id)) return undefined;
  const until = state.chat.mutes.get(sender.id);
  if (until !== null && Date.parse(until) <= Date.now() + state.clockOffset) return undefined;
  return until;
}

function drawRow(item, held) {
  return chatRow({ t, locale: locale(), item, held, mute: held ? undefined : muteOf(item.sender), act: moderate });
}

function redrawRow(item, held) {
  const li = drawRow(item, held);
  item.li.replaceWith(li);
  item.li = li;
}

function redrawWriter(buyerId) {
  for (const item of state.chat.messages.values()) {
    if (item.sender.role === "buyer" && item.sender.id === buyerId) redrawRow(item, false);
  }
}

function redrawChat() {
  for (const item of state.chat.messages.values()) redrawRow(item, false);
  for (const item of state.chat.held.values()) redrawRow(item, true);
  fillSlowModes();
}

// A moderator's button (console/chat.js shows a refusal in the row).
async function moderate(item, kind, seconds) {
  const base = `/sessions/${state.session.id}/chat`;
  const chat = state.chat;
  switch (kind) {
    case "delete":
      await api.delete(`${base}/${item.id}`);
      dropChat(item.id);
      break;
    case "release":
      await api.post(`${base}/${item.id}/release`, {});
      removeRow(chat.held, item.id);
      renderChatEmpty();
      break;
    case "mute": {
      const mute = await api.put(`${base}/mutes/${item.sender.id}`, { duration_s: seconds });
      chat.mutes.set(item.sender.id, mute.until ?? null);
      redrawWriter(item.sender.id);
      break;
    }
    case "unmute":
      await api.delete(`${base}/mutes/${item.sender.id}`);
      chat.mutes.delete(item.sender.id);
      redrawWriter(item.sender.id);
      break;
    default:
      break;
  }
}

// A timed mute ends by itself (no event): its badge goes when its time has passed.
function expireMutes() {
  const now = Date.now() + state.clockOffset;
  for (const [buyer, until] of state.chat.mutes) {
    if (until !== null && Date.parse(until) <= now) {
      state.chat.mutes.delete(buyer);
      redrawWriter(buyer);
    }
  }
}

function fillSlowModes() {
  const select = $("chat-slow");
  const choices = SLOW_MODES.includes(state.chat.slow) ? SLOW_MODES : [...SLOW_MODES, state.chat.slow].sort((a, b) => a - b);
  select.replaceChildren(
    ...choices.map((seconds) => el("option", { value: String(seconds), text: seconds === 0 ? t("console-chat-slow-off") : t("console-chat-slow-seconds", { seconds }) })),
  );
  select.value = String(state.chat.slow);
}

function setSlowMode(seconds) {
  state.chat.slow = seconds;
  fillSlowModes();
}

async function changeSlowMode() {
  const answer = $("chat-slow-answer");
  clearNotice(answer);
  const seconds = Number($("chat-slow").value);
  try {
    const set = await api.put(`/sessions/${state.session.id}/chat/slow-mode`, { seconds });
    setSlowMode(set.seconds);
  } catch (e) {
    showError(answer, e);
    fillSlowModes();
  }
}

// The host writes to the room (over HTTP; the message comes back on the feed like any other).
// The same text again after a lost answer reuses its key, so the server posts it once.
async function sendChat(event) {
  event.preventDefault();
  const chat = state.chat;
  const answer = $("chat-answer");
  const text = $("chat-text").value.trim();
  if (chat.pending || !text || !state.session) return;
  clearNotice(answer);
  const key = chat.failed && chat.failed.text === text ? chat.failed.key : newKey("host-chat");
  chat.pending = true;
  $("chat-send").disabled = true;
  try {
    await api.post(`/sessions/${state.session.id}/chat`, { client_message_id: key, text });
    chat.failed = null;
    $("chat-text").value = "";
  } catch (e) {
    chat.failed = e.status === 0 || e.code === "shutting_down" ? { key, text } : null;
    showError(answer, e);
  } finally {
    chat.pending = false;
    $("chat-send").disabled = false;
  }
}

// ---------------------------------------------------------------- wiring

function relabel(l10n) {
  state.l10n = l10n;
  $("product-search").placeholder = t("console-find-product-hint");
  searchProducts();
  setFeedState(state.feedState, state.feedInfo);
  if (state.feed) state.feed.update({ locale: l10n.locale });
  state.products.clear();
  renderSessions(state.sessions);
  if (state.session) renderSession();
  for (const li of state.orders.values()) renderOrderRow(li);
  redrawChat();
  renderChart();
}

async function main() {
  state.l10n = await startL10n($("ui-locale"), relabel);
  setFeedState("idle");
  for (const [code, name] of LOCALES) $("new-language").append(el("option", { value: code, text: name, lang: code }));
  $("new-language").value = state.l10n.locale;
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = $("signin-answer");
    clearNotice(answer);
    const token = $("token").value.trim();
    try {
      await signIn(token, $("remember").checked);
      $("token").value = "";
    } catch (e) {
      api.setToken(null);
      if (e.status === 403) showError(answer, t("console-host-token-needed"));
      else showError(answer, e);
    }
  });
  $("sign-out").addEventListener("click", signOut);
  $("sessions-refresh").addEventListener("click", refreshSessions);
  $("create-form").addEventListener("submit", createSession);
  $("session-start").addEventListener("click", () => sessionAction(`/sessions/${state.session.id}/start`, $("session-answer")));
  $("session-end").addEventListener("click", endSession);
  $("showcase-form").addEventListener("submit", (event) => {
    event.preventDefault();
    searchProducts();
  });
  $("product-search").addEventListener("input", debounce(searchProducts, 200));
  $("product-search").placeholder = t("console-find-product-hint");
  $("stream-form").addEventListener("submit", setStream);
  $("stream-remove").addEventListener("click", removeStream);
  $("sale-form").addEventListener("submit", startSale);
  $("sale-pause").addEventListener("click", () => saleAction("pause"));
  $("sale-resume").addEventListener("click", () => saleAction("resume"));
  $("restock-form").addEventListener("submit", restock);
  $("chat-form").addEventListener("submit", sendChat);
  $("chat-slow").addEventListener("change", changeSlowMode);
  fillSlowModes();
  setInterval(expireMutes, 5000);
  $("c-viewers").closest(".stats").setAttribute("aria-label", t("console-counters"));
  setInterval(tickCountdown, 250);
  window.addEventListener("resize", debounce(renderChart, 200));

  await resumeSignIn(tokens, signIn);
}

main();
