// The buyer's live page (/live/{session}): join as a guest, watch the pinned product and the
// flash sale, order, see the answer at once, the stream of masked orders and one's own orders.
// Everything goes through the HTTP API and the WebSocket feed, as curl and websocat would.

import { Api, ApiError, newKey } from "/assets/api.js";
import { Feed } from "/assets/feed.js";
import { L10n, LOCALES, preferredLocale, formatMoney, setL10n } from "/assets/l10n.js";

const sessionId = Number(location.pathname.split("/")[2]);

// The 14 markets' countries, in the design's order, and the country a locale most likely
// buys from (the join form's default).
const MARKET_COUNTRIES = ["KZ", "KG", "UZ", "RU", "MN", "VN", "TH", "ID", "MY", "PH", "KH", "LA", "MM", "CN"];
const COUNTRY_OF_LOCALE = {
  kk: "KZ", ky: "KG", uz: "UZ", ru: "RU", tt: "RU", mn: "MN", vi: "VN", th: "TH", id: "ID",
  ms: "MY", fil: "PH", km: "KH", lo: "LA", my: "MM", "zh-CN": "CN",
};
const STREAM_MAX = 50;
// Logged events that change what the page shows of the session: read it again.
const SESSION_EVENTS = new Set([
  "session_started", "session_ended", "showcase_added", "product_pinned", "product_unpinned",
  "sale_opened", "sale_paused", "sale_resumed", "sale_restocked", "sale_sold_out", "sale_ended",
  "order_cancelled",
]);
// Refusal codes and the page's own message for each.
const ANSWERS = {
  sold_out: "page-answer-sold-out",
  limit_reached: "page-answer-limit",
  not_live: "page-answer-not-live",
  sale_not_started: "page-answer-not-started",
  sale_ended: "page-answer-ended",
  sale_paused: "page-answer-paused",
  cross_border_limit: "page-answer-cross-border",
  cross_border_limit_unknown: "page-answer-cross-border-unknown",
  ship_to_not_in_markets: "page-answer-ship-to",
  rate_limited: "page-answer-rate-limited",
  network: "page-answer-network",
  qualification_missing: "page-answer-unavailable",
  not_sellable_here: "page-answer-unavailable",
};

const $ = (id) => document.getElementById(id);

// localStorage may be unavailable (private mode, blocked storage): the page still works for
// this visit.
const storage = {
  get(key) {
    try {
      return JSON.parse(localStorage.getItem(key));
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // not kept
    }
  },
};

const state = {
  locale: "en",
  l10n: null,
  api: new Api(),
  buyer: null,
  session: null,
  currencies: [],
  currency: null,
  product: null,
  productKey: null,
  sale: null,
  saleClock: null,
  viewers: null,
  feed: null,
  pending: null,
  orders: [],
  refreshTimer: null,
};

const t = (id, args) => (state.l10n ? state.l10n.t(id, args) : id);

// ---- start -------------------------------------------------------------------------------

async function main() {
  state.locale = storage.get("silkstream.locale") || preferredLocale();
  fillLocales();
  // Controls first: a language picked while the first messages load is not lost.
  bindControls();
  await loadMessages();
  if (!(sessionId > 0)) {
    banner("page-session-missing", "bad");
    return;
  }
  const saved = storage.get("silkstream.buyer");
  if (saved && saved.token) {
    state.api.setToken(saved.token);
    try {
      state.buyer = await state.api.get("/buyers/me");
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
        forgetBuyer();
        showJoin(true);
      } else {
        showError(e);
      }
      return;
    }
    await enterLive();
  } else {
    showJoin(false);
  }
}

// Loads and shows the messages of state.locale. Loads may overlap (the first render's, then the
// buyer's pick before it arrived): the last one asked for wins, and an earlier one that arrives
// after it is dropped (false), so the page never falls back to a language the buyer left.
let messagesAsked = 0;
async function loadMessages() {
  const ticket = ++messagesAsked;
  let l10n = null;
  try {
    l10n = await L10n.load(state.locale);
  } catch (e) {
    console.error(e);
  }
  if (ticket !== messagesAsked) return false;
  state.l10n = l10n;
  if (state.l10n) state.l10n.translate(document);
  document.documentElement.lang = state.locale;
  $("locale").value = state.locale;
  fillCountries($("join-country"), MARKET_COUNTRIES, $("join-country").value || COUNTRY_OF_LOCALE[state.locale] || "KZ");
  if (state.session) fillCountries($("ship-country"), state.session.markets, $("ship-country").value);
  return true;
}

function fillLocales() {
  const select = $("locale");
  select.replaceChildren(
    ...LOCALES.map(([code, name]) => {
      const option = new Option(name, code);
      option.lang = code;
      return option;
    }),
  );
  select.value = state.locale;
}

function countryName(code) {
  try {
    return new Intl.DisplayNames([state.locale, "en"], { type: "region" }).of(code) || code;
  } catch {
    return code;
  }
}

function fillCountries(select, codes, selected) {
  select.replaceChildren(...codes.map((code) => new Option(countryName(code), code)));
  if (selected && codes.includes(selected)) select.value = selected;
}

function bindControls() {
  $("locale").addEventListener("change", async (e) => {
    state.locale = e.target.value;
    storage.set("silkstream.locale", state.locale);
    if (!(await loadMessages())) return;
    if (state.session) {
      renderAll();
      await loadProduct(true);
      renderMine();
      if (state.feed) {
        // Lines of the stream come in the feed's locale: read the recent ones again.
        $("stream").replaceChildren();
        state.feed.last = Math.max(0, (state.feed.last || 0) - STREAM_MAX);
        state.feed.update({ locale: state.locale });
      }
    }
  });
  $("currency").addEventListener("change", async (e) => {
    state.currency = e.target.value;
    storage.set(`silkstream.currency.${sessionId}`, state.currency);
    renderSale();
    await loadProduct(true);
    if (state.feed) state.feed.update({ currency: state.currency });
  });
  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    join();
  });
  $("order-form").addEventListener("submit", (e) => {
    e.preventDefault();
    placeOrder();
  });
  $("qty-less").addEventListener("click", () => stepQuantity(-1));
  $("qty-more").addEventListener("click", () => stepQuantity(1));
  $("quantity").addEventListener("change", () => stepQuantity(0));
  $("variant").addEventListener("change", () => renderPrice());
  $("sign-out").addEventListener("click", () => {
    forgetBuyer();
    showJoin(false);
  });
  for (const id of ["ship-name", "ship-phone", "ship-country", "ship-city", "ship-address", "ship-postal"]) {
    $(id).addEventListener("change", saveShipTo);
  }
  $("ship-country").addEventListener("change", renderOrderer);
}

// ---- joining -------------------------------------------------------------------------------

function showJoin(expired) {
  $("live").hidden = true;
  $("join").hidden = false;
  $("currency").disabled = true;
  if (expired) banner("page-join-expired", "warn");
  else banner(null);
  $("join-name").focus();
}

function forgetBuyer() {
  storage.set("silkstream.buyer", null);
  state.buyer = null;
  state.api.setToken(null);
  if (state.feed) state.feed.close();
  state.feed = null;
}

async function join() {
  const name = $("join-name").value.trim();
  const city = $("join-city").value.trim();
  $("join-name").setAttribute("aria-invalid", String(!name));
  $("join-city").setAttribute("aria-invalid", String(!city));
  if (!name || !city) {
    (!name ? $("join-name") : $("join-city")).focus();
    return;
  }
  const button = $("join-submit");
  button.disabled = true;
  setL10n(state.l10n, button, "page-join-working");
  $("join-answer").textContent = "";
  try {
    const created = await new Api().post("/buyers", {
      display_name: name,
      country: $("join-country").value,
      city,
      locale: state.locale,
    });
    storage.set("silkstream.buyer", { token: created.token });
    state.api.setToken(created.token);
    state.buyer = created.buyer;
    banner(null);
    $("join").hidden = true;
    await enterLive();
    $("product").focus();
  } catch (e) {
    const reason = e instanceof ApiError && e.code === "network" ? t("page-answer-network") : e.message;
    $("join-answer").textContent = t("page-join-failed", { reason });
  } finally {
    button.disabled = false;
    setL10n(state.l10n, button, "page-join-submit");
  }
}

// ---- the session ---------------------------------------------------------------------------

async function enterLive() {
  let session;
  try {
    session = await state.api.get(`/sessions/${sessionId}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetBuyer();
      showJoin(true);
    } else if (e instanceof ApiError && e.status === 404) {
      banner("page-session-missing", "bad");
    } else {
      showError(e);
    }
    return;
  }
  let markets = [];
  try {
    markets = await state.api.get("/markets");
  } catch {
    markets = [];
  }
  const currencies = [];
  for (const country of session.markets) {
    const market = markets.find((m) => m.country === country);
    for (const currency of market ? market.currencies : []) {
      if (!currencies.includes(currency)) currencies.push(currency);
    }
  }
  state.currencies = currencies;
  const ownMarket = markets.find((m) => m.country === state.buyer.country && session.markets.includes(m.country));
  const stored = storage.get(`silkstream.currency.${sessionId}`);
  state.currency = currencies.includes(stored)
    ? stored
    : (ownMarket && ownMarket.default_currency) || currencies[0] || "USD";
  const select = $("currency");
  select.replaceChildren(...currencies.map((c) => new Option(c, c)));
  select.value = state.currency;
  select.disabled = currencies.length < 2;

  applySession(session);
  fillCountries($("ship-country"), session.markets, session.markets.includes(state.buyer.country) ? state.buyer.country : session.markets[0]);
  loadShipTo();
  $("join").hidden = true;
  $("live").hidden = false;
  setL10n(state.l10n, $("joined-as"), "page-joined-as", { name: state.buyer.display_name, city: state.buyer.city });
  await loadProduct(false);
  loadMine();
  startFeed(session.last_seq);
}

function applySession(session) {
  state.session = session;
  $("session-title").textContent = session.title;
  const clockOffset = typeof session.server_time_ms === "number" ? session.server_time_ms - Date.now() : 0;
  setSale(session.sale, clockOffset);
  renderAll();
}

// The sale the page shows: the session's current one (the API's `sale`), with a clock
// anchored on the server's time.
function setSale(sale, clockOffset) {
  state.sale = sale ? { ...sale } : null;
  if (!sale) {
    state.saleClock = null;
    return;
  }
  const now = Date.now() + clockOffset;
  state.saleClock = {
    startsAt: performance.now() + Math.max(0, Date.parse(sale.starts_at) - now),
    endsAt: performance.now() + Math.max(0, Date.parse(sale.ends_at) - now),
  };
}

function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refreshSession, 150);
}

async function refreshSession() {
  try {
    const session = await state.api.get(`/sessions/${sessionId}`);
    applySession(session);
    await loadProduct(false);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetBuyer();
      showJoin(true);
    }
  }
}

function renderAll() {
  const session = state.session;
  if (!session) return;
  if (session.state === "scheduled") banner("page-session-scheduled", "warn");
  else if (session.state === "ended") banner("page-session-ended", "warn");
  else banner(null);
  renderViewers();
  renderSale();
}

function renderViewers() {
  const badge = $("viewers");
  if (typeof state.viewers === "number") {
    badge.hidden = false;
    setL10n(state.l10n, badge, "page-viewers", { count: state.viewers });
  } else {
    badge.hidden = true;
  }
}

// ---- the product ---------------------------------------------------------------------------

function saleForProduct() {
  const sale = state.sale;
  const pinned = state.session && state.session.pinned_product_id;
  if (!sale || !pinned || sale.product_id !== pinned) return null;
  return sale;
}

async function loadProduct(force) {
  const pinned = state.session && state.session.pinned_product_id;
  if (!pinned) {
    state.product = null;
    state.productKey = null;
    $("no-product").hidden = false;
    $("product-body").hidden = true;
    return;
  }
  const key = `${pinned}|${state.locale}|${state.currency}`;
  if (!force && key === state.productKey && state.product) {
    renderPrice();
    return;
  }
  try {
    const product = await state.api.get(`/products/${pinned}`, { locale: state.locale, currency: state.currency });
    state.product = product;
    state.productKey = key;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetBuyer();
      showJoin(true);
      return;
    }
    showError(e);
    return;
  }
  renderProduct();
}

function renderProduct() {
  const product = state.product;
  if (!product) return;
  const localized = product.localized || {};
  $("no-product").hidden = true;
  $("product-body").hidden = false;
  $("product-title").textContent = (localized.title && localized.title.text) || product.title;
  $("description").textContent = (localized.description && localized.description.text) || product.description || "";
  const lines = (localized.attributes || []).map((a) => {
    const li = document.createElement("li");
    li.textContent = a.text;
    return li;
  });
  $("attributes").replaceChildren(...lines);
  $("attributes-block").hidden = lines.length === 0;
  const variants = (product.variants || []).filter((v) => !v.archived);
  const select = $("variant");
  const previous = select.value;
  select.replaceChildren(
    ...variants.map((v) => {
      const label = Object.values(v.options || {}).join(", ") || v.sku;
      return new Option(v.price && v.price.formatted ? `${label} · ${v.price.formatted}` : label, String(v.id));
    }),
  );
  if (variants.some((v) => String(v.id) === previous)) select.value = previous;
  renderPrice();
}

// What a tap on "Order" orders: the sale's variant while a sale on the pinned product is on,
// else the chosen variant at its own price.
function orderTarget() {
  const sale = saleForProduct();
  const product = state.product;
  if (sale && sale.phase !== "ended") {
    const minor = sale.prices ? sale.prices[state.currency] : undefined;
    return { variantId: sale.variant_id, sale, minor, formatted: minor === undefined ? null : formatMoney(state.locale, state.currency, minor) };
  }
  if (!product) return null;
  const variants = (product.variants || []).filter((v) => !v.archived);
  const variant = variants.find((v) => String(v.id) === $("variant").value) || variants[0];
  if (!variant) return null;
  return { variantId: variant.id, sale: null, minor: variant.price ? variant.price.amount_minor : undefined, formatted: variant.price ? variant.price.formatted : null, price: variant.price };
}

function renderPrice() {
  const target = orderTarget();
  const saleOn = target && target.sale;
  $("variant-field").hidden = Boolean(saleOn) || !state.product || (state.product.variants || []).filter((v) => !v.archived).length < 2;
  setL10n(state.l10n, $("price-label"), saleOn ? "page-sale-price" : "page-regular-price");
  const note = $("price-note");
  note.textContent = "";
  if (!target || target.formatted === null || target.minor === undefined) {
    $("price").textContent = "—";
    setL10n(state.l10n, note, "page-price-unavailable");
  } else {
    $("price").textContent = target.formatted;
    if (target.price && target.price.converted && target.price.converted_from) {
      const from = target.price.converted_from;
      setL10n(state.l10n, note, "page-price-converted", { price: formatMoney(state.locale, from.currency, from.amount_minor) });
    }
  }
  const limit = saleOn && target.sale.per_buyer_limit;
  $("quantity").max = limit ? String(limit) : "99";
  updateOrderButton();
}

function updateOrderButton() {
  const target = orderTarget();
  const live = state.session && state.session.state === "live";
  const priced = target && target.minor !== undefined && target.formatted !== null;
  const button = $("order");
  button.disabled = Boolean(state.pending) || !live || !priced;
  button.setAttribute("aria-busy", String(Boolean(state.pending)));
}

function stepQuantity(delta) {
  const input = $("quantity");
  const max = Number(input.max) || 99;
  const current = Number.parseInt(input.value, 10);
  const next = Math.min(max, Math.max(1, (Number.isFinite(current) ? current : 1) + delta));
  input.value = String(next);
}

// ---- the sale: ticker and countdown --------------------------------------------------------

function renderSale() {
  const sale = saleForProduct() || state.sale;
  const box = $("sale");
  if (!sale) {
    box.hidden = true;
    renderPrice();
    return;
  }
  box.hidden = false;
  const left = Math.max(0, sale.remaining);
  const sold = Math.max(0, sale.sold);
  setL10n(state.l10n, $("ticker-sold"), "page-sold", { count: sold });
  setL10n(state.l10n, $("ticker-left"), "page-left", { count: left });
  const meter = $("ticker-meter");
  meter.max = Math.max(1, sold + left);
  meter.value = sold;
  setL10n(state.l10n, $("limit"), "page-limit", { count: sale.per_buyer_limit });
  const phase = $("sale-phase");
  const phases = {
    countdown: ["page-sale-heading", "accent"],
    running: ["page-session-live", "ok"],
    paused: ["page-sale-paused", "warn"],
    sold_out: ["page-sale-sold-out", "bad"],
    ended: ["page-sale-ended", "bad"],
  };
  const [id, tone] = phases[sale.phase] || phases.running;
  phase.className = `badge ${tone}`;
  setL10n(state.l10n, phase, id);
  renderCountdown();
  renderPrice();
}

function clock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

function renderCountdown() {
  const sale = saleForProduct() || state.sale;
  const element = $("countdown");
  if (!sale || !state.saleClock) {
    element.textContent = "";
    return;
  }
  const now = performance.now();
  if (sale.phase === "paused") setL10n(state.l10n, element, "page-sale-paused");
  else if (sale.phase === "sold_out") setL10n(state.l10n, element, "page-sale-sold-out");
  else if (sale.phase === "ended") setL10n(state.l10n, element, "page-sale-ended");
  else if (now < state.saleClock.startsAt) setL10n(state.l10n, element, "page-starts-in", { time: clock(state.saleClock.startsAt - now) });
  else if (now < state.saleClock.endsAt) setL10n(state.l10n, element, "page-ends-in", { time: clock(state.saleClock.endsAt - now) });
  else setL10n(state.l10n, element, "page-sale-ended");
}

setInterval(() => {
  const sale = state.sale;
  if (!sale || !state.saleClock) return;
  const now = performance.now();
  // The clock moves the phase between the server's ticks.
  if (sale.phase === "countdown" && now >= state.saleClock.startsAt) {
    sale.phase = "running";
    renderSale();
  } else if (sale.phase === "running" && now >= state.saleClock.endsAt) {
    sale.phase = "ended";
    renderSale();
    scheduleRefresh();
  } else {
    renderCountdown();
  }
}, 1000);

// ---- the feed ------------------------------------------------------------------------------

function startFeed(lastSeq) {
  if (state.feed) state.feed.close();
  const saved = storage.get("silkstream.buyer");
  state.feed = new Feed({
    path: `/api/v1/sessions/${sessionId}/feed`,
    token: saved && saved.token,
    query: { locale: state.locale, currency: state.currency },
    // Replay the last orders, so a newcomer sees the room's stream at once.
    since: Math.max(0, (lastSeq || 0) - STREAM_MAX),
    onMessage,
    onState: feedState,
  });
  state.feed.start();
}

function feedState(name, info) {
  const element = $("feed-state");
  element.dataset.state = name;
  setL10n(state.l10n, element, `page-feed-${name}`);
  element.title = info && info.reason ? info.reason : "";
  if (name === "closed" && info && info.final && [4401, 401].includes(info.code)) {
    forgetBuyer();
    showJoin(true);
  }
}

function onMessage(message) {
  switch (message.type) {
    case "snapshot": {
      state.viewers = message.viewers;
      if (message.session) {
        const pinnedBefore = state.session && state.session.pinned_product_id;
        applySession(message.session);
        if (message.session.pinned_product_id !== pinnedBefore || !state.product) loadProduct(false);
      }
      renderViewers();
      break;
    }
    case "tick": {
      state.viewers = message.viewers;
      renderViewers();
      const tick = message.sale;
      if (tick && state.sale && tick.id === state.sale.id) {
        state.sale.remaining = tick.left;
        const now = performance.now();
        if (typeof tick.starts_in_ms === "number") state.saleClock.startsAt = now + tick.starts_in_ms;
        if (typeof tick.ends_in_ms === "number") state.saleClock.endsAt = now + tick.ends_in_ms;
        const phase = { paused: "paused", ended: "ended" }[tick.state];
        if (phase) state.sale.phase = phase;
        else if (tick.left === 0) state.sale.phase = "sold_out";
        else state.sale.phase = tick.starts_in_ms > 0 ? "countdown" : "running";
        renderSale();
      }
      break;
    }
    case "order_confirmed": {
      addStreamLine(message.line, message.at);
      if (state.sale && message.sale_id === state.sale.id) {
        state.sale.remaining = message.remaining;
        state.sale.sold += message.quantity || 0;
        if (message.remaining === 0) state.sale.phase = "sold_out";
        renderSale();
      }
      break;
    }
    default:
      if (SESSION_EVENTS.has(message.type)) scheduleRefresh();
  }
}

function addStreamLine(text, at) {
  if (!text) return;
  const list = $("stream");
  const item = document.createElement("li");
  item.className = "fresh";
  const line = document.createElement("span");
  line.textContent = text;
  const time = document.createElement("time");
  time.className = "muted small num";
  const when = at && !Number.isNaN(Date.parse(at)) ? new Date(at) : new Date();
  time.dateTime = when.toISOString();
  time.textContent = when.toLocaleTimeString(state.locale, { hour: "2-digit", minute: "2-digit" });
  item.append(line, time);
  list.prepend(item);
  while (list.children.length > STREAM_MAX) list.lastElementChild.remove();
  $("stream-empty").hidden = true;
}

// ---- ordering ------------------------------------------------------------------------------

function shipToFields() {
  return {
    name: $("ship-name").value.trim(),
    phone: $("ship-phone").value.trim(),
    country: $("ship-country").value,
    city: $("ship-city").value.trim(),
    address: $("ship-address").value.trim(),
    postal_code: $("ship-postal").value.trim(),
  };
}

function saveShipTo() {
  if (state.buyer) storage.set(`silkstream.ship_to.${state.buyer.id}`, shipToFields());
}

function loadShipTo() {
  const saved = storage.get(`silkstream.ship_to.${state.buyer.id}`) || {};
  $("ship-name").value = saved.name || state.buyer.display_name || "";
  $("ship-phone").value = saved.phone || "";
  if (saved.country && state.session.markets.includes(saved.country)) $("ship-country").value = saved.country;
  $("ship-city").value = saved.city || state.buyer.city || "";
  $("ship-address").value = saved.address || "";
  $("ship-postal").value = saved.postal_code || "";
  renderOrderer();
  $("ship").open = !shipToComplete(shipToFields()) || (needsIdentity() && !identityFields());
}

// Orders shipped to China name their orderer (订购人): real name and resident ID number, which
// China's cross-border limits count per person. Kept only in the form (never in storage); the
// server keeps the number hashed and shows it masked.
const IDENTITY_MARKETS = new Set(["CN"]);

function needsIdentity() {
  return IDENTITY_MARKETS.has($("ship-country").value);
}

function renderOrderer() {
  const needed = needsIdentity();
  $("orderer").hidden = !needed;
  $("id-name").required = needed;
  $("id-number").required = needed;
}

// The orderer's fields, or null while one is empty.
function identityFields() {
  const name = $("id-name").value.trim();
  const number = $("id-number").value.trim().toUpperCase();
  return name && number ? { name, id_number: number } : null;
}

function shipToComplete(ship) {
  return Object.values(ship).every((v) => v);
}

function answer(text, tone) {
  const element = $("order-answer");
  element.className = `notice ${tone}`;
  element.textContent = text;
}

// The server's own localized message when it is in the page's language, else the page's.
function serverOrPage(localized, pageId, args) {
  if (localized && localized.text && state.buyer && state.buyer.locale === state.locale) return localized.text;
  return t(pageId, args);
}

async function placeOrder() {
  if (state.pending) return; // a second tap while the first is on its way is the same order
  const target = orderTarget();
  if (!target) return;
  const ship = shipToFields();
  if (!shipToComplete(ship)) {
    $("ship").open = true;
    answer(t("page-ship-missing"), "warn");
    const first = ["ship-name", "ship-phone", "ship-city", "ship-address", "ship-postal"].find((id) => !$(id).value.trim());
    if (first) $(first).focus();
    return;
  }
  const identity = needsIdentity() ? identityFields() : null;
  if (needsIdentity() && !identity) {
    $("ship").open = true;
    answer(t("page-id-missing"), "warn");
    $($("id-name").value.trim() ? "id-number" : "id-name").focus();
    return;
  }
  saveShipTo();
  stepQuantity(0);
  const body = {
    variant_id: target.variantId,
    quantity: Number($("quantity").value),
    currency: state.currency,
    ship_to: ship,
  };
  if (identity) body.identity = identity;
  // One key per tap; a retry after a lost answer (network) of the very same order reuses it.
  const text = JSON.stringify(body);
  const key = state.lastFailed && state.lastFailed.text === text ? state.lastFailed.key : newKey("live");
  state.pending = { key, text };
  updateOrderButton();
  answer(t("page-ordering"), "");
  try {
    const result = await state.api.post(`/sessions/${sessionId}/orders`, body, { headers: { "Idempotency-Key": key } });
    state.lastFailed = null;
    const order = result.order;
    const total = formatMoney(state.locale, order.currency, order.total_minor);
    answer(serverOrPage(result.message, "page-answer-confirmed", { id: String(order.id), count: order.quantity, total }), "ok");
    if (state.sale && order.sale_id === state.sale.id && typeof result.remaining === "number") {
      state.sale.remaining = result.remaining;
      renderSale();
    }
    loadMine();
  } catch (e) {
    if (e instanceof ApiError && e.code === "network") {
      state.lastFailed = { key, text };
    } else {
      state.lastFailed = null;
    }
    if (e instanceof ApiError && e.status === 401) {
      forgetBuyer();
      showJoin(true);
      return;
    }
    answer(refusalText(e), e instanceof ApiError && e.status === 409 ? "warn" : "bad");
  } finally {
    state.pending = null;
    updateOrderButton();
  }
}

function refusalText(e) {
  if (!(e instanceof ApiError)) return t("page-answer-error", { reason: String(e.message || e) });
  const pageId = ANSWERS[e.code];
  const localized = e.body && e.body.error && e.body.error.localized;
  if (pageId) return serverOrPage(localized, pageId, {});
  if (e.status === 422) return t("page-answer-invalid", { reason: e.message });
  return serverOrPage(localized, "page-answer-error", { reason: e.message });
}

// ---- the buyer's own orders ---------------------------------------------------------------

async function loadMine() {
  try {
    const page = await state.api.get("/orders", { session_id: sessionId });
    state.orders = page.items || [];
  } catch {
    return;
  }
  renderMine();
}

function renderMine() {
  const list = $("mine");
  const title = state.product && state.product.localized && state.product.localized.title ? state.product.localized.title.text : null;
  const items = state.orders.map((order) => {
    const li = document.createElement("li");
    const line = document.createElement("span");
    const product = title && state.product.id === order.product_id ? title : order.sku;
    setL10n(state.l10n, line, "page-mine-line", {
      id: String(order.id),
      count: order.quantity,
      product,
      total: formatMoney(state.locale, order.currency, order.total_minor),
    });
    const status = document.createElement("span");
    const tone = { confirmed: "accent", paid: "ok", shipped: "ok", delivered: "ok", cancelled: "bad" }[order.status] || "";
    status.className = `badge ${tone}`;
    setL10n(state.l10n, status, `page-status-${order.status}`);
    li.append(line, status);
    return li;
  });
  list.replaceChildren(...items);
  $("mine-empty").hidden = items.length > 0;
}

// ---- messages ------------------------------------------------------------------------------

function banner(id, tone = "") {
  const element = $("banner");
  if (!id) {
    element.textContent = "";
    element.removeAttribute("data-l10n-id");
    return;
  }
  element.className = `notice ${tone}`;
  setL10n(state.l10n, element, id);
}

function showError(e) {
  const element = $("banner");
  element.removeAttribute("data-l10n-id");
  element.className = "notice bad";
  element.textContent = e instanceof ApiError && e.code === "network" ? t("page-answer-network") : t("page-answer-error", { reason: String(e.message || e) });
}

main();
