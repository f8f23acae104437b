// The buyer's live page (/live/{session}): a visitor sees the room at once (the pinned product,
// the flash sale, its price in the market's currency, the ticker) from the public room read
// (GET /sessions/{id}/room, no token), read again every ROOM_REFRESH_MS; the name is asked only
// when they order: joining as a guest takes a token, and from then on the page watches the
// WebSocket feed, orders, shows the answer at once with the payment deadline and the duties
// note, the stream of masked orders and one's own orders. The session's stream (the video) plays
// at the top, muted until the buyer turns the sound on, with the vendored hls.js loaded only when
// there is an HLS stream; the order button stays on screen over it. Once joined, the room's chat
// sits under the product (live/chat.js): a message that is an order keyword ("+1") orders to the
// delivery address and in the currency the page saved on the server with the buyer's last order
// (PUT /buyers/me/ship-to), and its answer shows where the order button's does. Everything goes
// through the HTTP API and the WebSocket feed, as curl and websocat would.

import { Api, ApiError, newKey } from "/assets/api.js";
import { Feed } from "/assets/feed.js";
import { L10n, LOCALES, browserLocales, formatMoney, hourCycle, setL10n } from "/assets/l10n.js";
import { BuyerChat } from "/live/chat.js";

const sessionId = Number(location.pathname.split("/")[2]);

// The 14 markets' countries, in the design's order, and the country a locale most likely
// buys from (the join form's default).
const MARKET_COUNTRIES = ["KZ", "KG", "UZ", "RU", "MN", "VN", "TH", "ID", "MY", "PH", "KH", "LA", "MM", "CN"];
const COUNTRY_OF_LOCALE = {
  kk: "KZ", ky: "KG", uz: "UZ", ru: "RU", tt: "RU", mn: "MN", vi: "VN", th: "TH", id: "ID",
  ms: "MY", fil: "PH", km: "KH", lo: "LA", my: "MM", "zh-CN": "CN",
};
const STREAM_MAX = 50;
// Before joining there is no feed: the room is read again this often.
const ROOM_REFRESH_MS = 5000;
// Logged events that change what the page shows of the session: read it again.
const SESSION_EVENTS = new Set([
  "session_started", "session_ended", "showcase_added", "product_pinned", "product_unpinned",
  "sale_opened", "sale_paused", "sale_resumed", "sale_restocked", "sale_sold_out", "sale_ended",
  "order_cancelled", "stream_set", "stream_cleared",
]);
// The HLS player (hls.js from npm, vendored: assets/vendor/hls.js/) and its worker, from this
// origin: the page's CSP allows scripts and workers from here only, and media and connections
// to this origin and the deployment's media origins.
const HLS_MODULE = "/assets/vendor/hls.js/hls.light.min.mjs";
const HLS_WORKER = "/assets/vendor/hls.js/hls.worker.js";
// After the stream fails (not started yet, a network error), it is tried again this often.
const VIDEO_RETRY_MS = 5000;
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

// The label of each field the server may name in a 422 `invalid` (the message starts with the
// field): the refusal shows the field's label in the page's language, never the server's
// English sentence.
const FIELD_LABELS = {
  display_name: "page-join-name",
  country: "page-join-country",
  city: "page-join-city",
  quantity: "page-quantity",
  "ship_to.name": "page-ship-name",
  "ship_to.phone": "page-ship-phone",
  "ship_to.country": "page-ship-country",
  "ship_to.city": "page-ship-city",
  "ship_to.address": "page-ship-address",
  "ship_to.postal_code": "page-ship-postal",
  identity: "page-id-name",
  "identity.name": "page-id-name",
  "identity.id_number": "page-id-number",
  currency: "page-currency",
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
  // Server time minus this browser's (ms), from the last session read.
  clockOffset: 0,
  // The session's markets (currencies, postal_code_required).
  markets: [],
  // The last confirmation shown: its order (for the payment countdown and the duties note).
  confirmed: null,
  // Set when a guest tapped "Order": the order goes on once they have joined.
  orderAfterJoin: false,
  roomTimer: null,
  // The delivery address and currency the server holds for the buyer's comment orders, as the
  // body of PUT /buyers/me/ship-to (JSON), or null: the same again is not sent.
  savedShip: null,
  // A chat message that was an order keyword refused for want of a saved address ({ key, text }):
  // "Send again" saves the address and sends it again.
  commentResend: null,
  resending: false,
};

const t = (id, args) => (state.l10n ? state.l10n.t(id, args) : id);

// The room's chat, shown once the buyer has joined (live/chat.js).
const chat = new BuyerChat({
  sessionId,
  l10n: () => state.l10n,
  locale: () => state.locale,
  api: () => state.api,
  feed: () => state.feed,
  onUnauthorized: async () => {
    forgetBuyer();
    await asGuest(true);
  },
  onOrder: commentOrdered,
});

// ---- start -------------------------------------------------------------------------------

async function main() {
  const stored = storage.get("silkstream.locale");
  state.locale = stored || "en";
  fillLocales();
  // Controls first: a language picked while the first messages load is not lost.
  bindControls();
  // The server's negotiation picks the locale of the browser's languages (`/ui/l10n/{tag}`
  // normalises any tag: uz-Cyrl is not Latin uz); a stored pick wins.
  await loadMessages(stored ? [stored] : browserLocales());
  if (!(sessionId > 0)) {
    banner("page-session-missing", "bad");
    return;
  }
  const saved = storage.get("silkstream.buyer");
  if (saved && saved.token) {
    state.api.setToken(saved.token);
    try {
      state.buyer = await state.api.get("/buyers/me");
      state.savedShip = savedShipOf(state.buyer);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
        forgetBuyer();
        await asGuest(true);
      } else {
        showError(e);
      }
      return;
    }
    await enterLive();
  } else {
    await asGuest(false);
  }
}

// Loads and shows the messages of state.locale. Loads may overlap (the first render's, then the
// buyer's pick before it arrived): the last one asked for wins, and an earlier one that arrives
// after it is dropped (false), so the page never falls back to a language the buyer left.
let messagesAsked = 0;
async function loadMessages(tags = [state.locale]) {
  const ticket = ++messagesAsked;
  let l10n = null;
  try {
    l10n = await L10n.negotiate(tags);
  } catch (e) {
    console.error(e);
  }
  if (ticket !== messagesAsked) return false;
  state.l10n = l10n;
  if (l10n) state.locale = l10n.locale;
  if (state.l10n) state.l10n.translate(document);
  document.documentElement.lang = state.locale;
  $("locale").value = state.locale;
  fillCountries($("join-country"), MARKET_COUNTRIES, $("join-country").value || COUNTRY_OF_LOCALE[state.locale] || "KZ");
  if (state.session) fillCountries($("ship-country"), state.session.markets, $("ship-country").value);
  renderPostal();
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

// The country's CLDR name as the server sends it with the messages (not the browser's data).
function countryName(code) {
  return (state.l10n && state.l10n.country(code)) || code;
}

function fillCountries(select, codes, selected) {
  select.replaceChildren(...codes.map((code) => new Option(countryName(code), code)));
  if (selected && codes.includes(selected)) select.value = selected;
}

function bindControls() {
  $("sound").addEventListener("click", toggleSound);
  $("locale").addEventListener("change", async (e) => {
    state.locale = e.target.value;
    storage.set("silkstream.locale", state.locale);
    if (!(await loadMessages())) return;
    chat.relabel();
    if (state.session) {
      renderAll();
      await loadProduct(true);
      renderMine();
      renderConfirmation();
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
  $("sign-out").addEventListener("click", async () => {
    forgetBuyer();
    await asGuest(false);
  });
  for (const id of ["ship-name", "ship-phone", "ship-country", "ship-city", "ship-address", "ship-postal"]) {
    $(id).addEventListener("change", saveShipTo);
  }
  $("ship-country").addEventListener("change", () => {
    renderOrderer();
    renderPostal();
  });
}

// ---- joining -------------------------------------------------------------------------------

// The room as a visitor sees it before joining (no token): the product, the sale, the ticker;
// the join form comes when they order. `expired`: a saved token no longer works.
async function asGuest(expired) {
  $("join").hidden = true;
  for (const id of ["ship", "chat-card", "stream-card", "mine-card", "signed-in"]) $(id).hidden = true;
  if (expired) banner("page-join-expired", "warn");
  await loadRoom(false);
  if (expired && state.session) banner("page-join-expired", "warn");
  clearInterval(state.roomTimer);
  state.roomTimer = setInterval(() => {
    if (!state.buyer && !document.hidden) loadRoom(false);
  }, ROOM_REFRESH_MS);
}

// The form that asks the guest's name, country and city: shown when they order.
function showJoin() {
  $("join").hidden = false;
  $("join-name").focus();
}

// Reads the public room: the session as buyers see it, the pinned product in the page's
// locale and currency, the session's markets.
let roomAsked = 0;
async function loadRoom(force) {
  const ticket = ++roomAsked;
  let room;
  const sent = Date.now();
  try {
    room = await new Api().get(`/sessions/${sessionId}/room`, { locale: state.locale, currency: state.currency || undefined });
  } catch (e) {
    if (ticket !== roomAsked) return;
    if (e instanceof ApiError && e.status === 404) banner("page-session-missing", "bad");
    else showError(e);
    return;
  }
  if (ticket !== roomAsked || state.buyer) return;
  const first = !state.session;
  setMarkets(room.session, room.markets, COUNTRY_OF_LOCALE[state.locale]);
  applySession(room.session, sent);
  if (first) $("live").hidden = false;
  const asked = room.product && room.product.localized ? room.product.localized.currency : null;
  if (room.product && (!asked || asked === state.currency)) {
    state.product = room.product;
    state.productKey = `${room.product.id}|${state.locale}|${state.currency}`;
    renderProduct();
  } else if (!room.session.pinned_product_id) {
    showNoProduct();
  } else if (force !== "again") {
    // The currency was picked from the markets only now: read the product in it.
    await loadRoom("again");
  }
}

function forgetBuyer() {
  storage.set("silkstream.buyer", null);
  state.buyer = null;
  state.orders = [];
  state.confirmed = null;
  state.savedShip = null;
  state.commentResend = null;
  state.api.setToken(null);
  if (state.feed) state.feed.close();
  state.feed = null;
  chat.reset();
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
    state.savedShip = null;
    clearInterval(state.roomTimer);
    banner(null);
    $("join").hidden = true;
    await enterLive();
    $("product").focus();
    if (state.orderAfterJoin) {
      state.orderAfterJoin = false;
      await placeOrder();
    }
  } catch (e) {
    $("join-answer").textContent = refusalText(e);
  } finally {
    button.disabled = false;
    setL10n(state.l10n, button, "page-join-submit");
  }
}

// ---- the session ---------------------------------------------------------------------------

async function enterLive() {
  let session;
  const sent = Date.now();
  try {
    session = await state.api.get(`/sessions/${sessionId}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetBuyer();
      await asGuest(true);
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
  setMarkets(session, markets, state.buyer.country);

  applySession(session, sent);
  fillCountries($("ship-country"), session.markets, session.markets.includes(state.buyer.country) ? state.buyer.country : session.markets[0]);
  loadShipTo();
  $("join").hidden = true;
  $("live").hidden = false;
  for (const id of ["ship", "chat-card", "stream-card", "mine-card", "signed-in"]) $(id).hidden = false;
  setL10n(state.l10n, $("joined-as"), "page-joined-as", { name: state.buyer.display_name, city: state.buyer.city });
  await loadProduct(false);
  loadMine();
  startFeed(session.last_seq);
}

// The session's markets and the currencies they pay in; the currency picked: the one stored for
// this session, else the default of `country`'s market (the buyer's, or the locale's), else the
// first market's.
function setMarkets(session, markets, country) {
  state.markets = markets.filter((m) => session.markets.includes(m.country));
  const currencies = [];
  for (const code of session.markets) {
    const market = state.markets.find((m) => m.country === code);
    for (const currency of market ? market.currencies : []) {
      if (!currencies.includes(currency)) currencies.push(currency);
    }
  }
  state.currencies = currencies;
  const own = state.markets.find((m) => m.country === country) || state.markets.find((m) => m.country === session.markets[0]);
  const stored = storage.get(`silkstream.currency.${sessionId}`);
  if (!currencies.includes(state.currency)) {
    state.currency = currencies.includes(stored) ? stored : (own && own.default_currency) || currencies[0] || "USD";
  }
  const select = $("currency");
  if (select.options.length !== currencies.length || [...select.options].some((o, i) => o.value !== currencies[i])) {
    select.replaceChildren(...currencies.map((c) => new Option(c, c)));
  }
  select.value = state.currency;
  select.disabled = currencies.length < 2;
}

// `sent`: when the request that read the session left (Date.now()). The server's time was
// stamped after it, so `server_time_ms - sent` is the largest the clocks' offset can be: the
// payment deadlines counted with it are never later than the server's.
function applySession(session, sent) {
  state.session = session;
  $("session-title").textContent = session.title;
  const clockOffset = typeof session.server_time_ms === "number" ? session.server_time_ms - Date.now() : 0;
  if (typeof sent === "number" && typeof session.server_time_ms === "number") state.clockOffset = session.server_time_ms - sent;
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
  if (!state.buyer) return loadRoom(false);
  try {
    const sent = Date.now();
    const session = await state.api.get(`/sessions/${sessionId}`);
    applySession(session, sent);
    await loadProduct(false);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetBuyer();
      await asGuest(true);
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
  renderWatch();
  chat.setLive(session.state === "live");
}

// ---- the stream ------------------------------------------------------------------------------

// What plays now: `key` is the stream's kind and URL ("" for none), so the same stream read
// again (every room read, every snapshot) leaves the player alone.
const watch = { key: "", hls: null, retry: null, ticket: 0 };

function renderWatch() {
  const session = state.session;
  const stream = session && session.state !== "ended" ? session.stream : null;
  const key = stream ? `${stream.kind} ${stream.url}` : "";
  if (key === watch.key) return;
  stopVideo();
  watch.key = key;
  const hls = !!stream && stream.kind === "hls";
  $("watch").hidden = !stream;
  $("player").hidden = !hls;
  $("watch-link-row").hidden = !stream || hls;
  // With a video on a phone the order bar is fixed at the bottom of the screen (live.css).
  $("live").classList.toggle("has-video", hls);
  if (!stream) return;
  if (!hls) {
    const link = $("watch-link");
    link.href = stream.url;
    setL10n(state.l10n, link, "page-video-link", { host: new URL(stream.url).host });
    return;
  }
  playStream(stream.url, ++watch.ticket);
}

function stopVideo() {
  watch.ticket++;
  clearTimeout(watch.retry);
  if (watch.hls) {
    watch.hls.destroy();
    watch.hls = null;
  }
  const video = $("video");
  if (video.getAttribute("src")) {
    video.removeAttribute("src");
    video.load();
  }
  $("video-waiting").hidden = true;
}

// Plays `url`: through hls.js where the browser has Media Source Extensions, else natively
// (Safari on older iPhones); muted, so that phones let it start by itself.
async function playStream(url, ticket) {
  const video = $("video");
  const waiting = $("video-waiting");
  const failed = () => {
    if (ticket !== watch.ticket) return;
    waiting.hidden = false;
    if (watch.hls) {
      watch.hls.destroy();
      watch.hls = null;
    }
    clearTimeout(watch.retry);
    watch.retry = setTimeout(() => {
      if (ticket === watch.ticket) playStream(url, ticket);
    }, VIDEO_RETRY_MS);
  };
  const playing = () => {
    if (ticket === watch.ticket) waiting.hidden = true;
  };
  video.onplaying = playing;
  video.onerror = failed;
  const mse = window.ManagedMediaSource || window.MediaSource;
  if (mse) {
    let Hls;
    try {
      Hls = (await import(HLS_MODULE)).default;
    } catch (e) {
      console.warn(e);
      return failed();
    }
    if (ticket !== watch.ticket) return;
    if (Hls.isSupported()) {
      const hls = new Hls({ workerPath: HLS_WORKER, lowLatencyMode: true });
      watch.hls = hls;
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (data.fatal) failed();
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
      hls.loadSource(url);
      hls.attachMedia(video);
      return;
    }
  }
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = url;
    video.play().catch(() => {});
    return;
  }
  failed();
}

// The sound button: phones start a video only muted; the buyer turns the sound on (which also
// starts a video the browser did not start by itself).
function toggleSound() {
  const video = $("video");
  video.muted = !video.muted;
  if (!video.muted) video.play().catch(() => {});
  const button = $("sound");
  button.setAttribute("aria-pressed", String(!video.muted));
  button.textContent = video.muted ? "🔇" : "🔊";
  setL10n(state.l10n, button, video.muted ? "page-video-sound-on" : "page-video-sound-off");
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

function showNoProduct() {
  state.product = null;
  state.productKey = null;
  $("no-product").hidden = false;
  $("product-body").hidden = true;
}

async function loadProduct(force) {
  const pinned = state.session && state.session.pinned_product_id;
  if (!pinned) {
    showNoProduct();
    return;
  }
  if (!state.buyer) {
    // A guest reads the product with the room.
    const key = `${pinned}|${state.locale}|${state.currency}`;
    if (force || key !== state.productKey) await loadRoom(false);
    else renderPrice();
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
      await asGuest(true);
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
  renderGallery();
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

// The pinned product's pictures: the product's own and those of the variant being ordered, in
// the host's order, swiped sideways on a phone (a scroll-snapped row), each with its alt text in
// the page's language (else the product's own language's).
function renderGallery() {
  const product = state.product;
  const gallery = $("gallery");
  if (!product) return;
  const target = orderTarget();
  const variantId = target ? target.variantId : null;
  const shown = (product.images || []).filter((i) => i.variant_id === null || i.variant_id === variantId);
  const key = shown.map((i) => `${i.id}:${i.urls.phone}`).join(",") + `|${state.locale}`;
  if (gallery.dataset.key === key) return;
  gallery.dataset.key = key;
  gallery.replaceChildren(
    ...shown.map((image, n) => {
      const img = document.createElement("img");
      img.src = image.urls.phone;
      img.srcset = `${image.urls.phone} 720w, ${image.urls.large} 1600w`;
      img.sizes = "(max-width: 720px) 100vw, 720px";
      img.alt = (image.alts && image.alts[state.locale]) || image.alt || "";
      img.width = image.width;
      img.height = image.height;
      img.decoding = "async";
      if (n > 0) img.loading = "lazy";
      return img;
    }),
  );
  gallery.hidden = shown.length === 0;
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
  renderGallery();
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
  if (!$("join").hidden && state.buyer) $("join").hidden = true;
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
  renderPayClocks();
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
    asGuest(true);
  }
}

function onMessage(message) {
  switch (message.type) {
    case "snapshot": {
      chat.snapshot(message.chat);
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
      if (chat.event(message)) break;
      if (SESSION_EVENTS.has(message.type)) scheduleRefresh();
      // One of the buyer's orders may be the one cancelled (unpaid past its deadline).
      if (message.type === "order_cancelled") loadMine();
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
  time.textContent = when.toLocaleTimeString(state.locale, { hour: "2-digit", minute: "2-digit", hourCycle: hourCycle(state.locale), numberingSystem: "latn" });
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

// The postal code is asked for where the ship-to country's market needs one
// (`postal_code_required` of /markets: not in KH, LA, MM and countries without postal codes).
function postalRequired() {
  const market = state.markets.find((m) => m.country === $("ship-country").value);
  return !market || market.postal_code_required !== false;
}

function renderPostal() {
  const required = postalRequired();
  $("ship-postal").required = required;
  setL10n(state.l10n, $("ship-postal-label"), required ? "page-ship-postal" : "page-ship-postal-optional");
}

function loadShipTo() {
  // This browser's copy, else the address the server holds for comment orders.
  const saved = storage.get(`silkstream.ship_to.${state.buyer.id}`) || state.buyer.ship_to || {};
  $("ship-name").value = saved.name || state.buyer.display_name || "";
  $("ship-phone").value = saved.phone || "";
  if (saved.country && state.session.markets.includes(saved.country)) $("ship-country").value = saved.country;
  $("ship-city").value = saved.city || state.buyer.city || "";
  $("ship-address").value = saved.address || "";
  $("ship-postal").value = saved.postal_code || "";
  renderOrderer();
  renderPostal();
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
  return Object.entries(ship).every(([field, v]) => v || (field === "postal_code" && !postalRequired()));
}

function answer(text, tone) {
  const element = $("order-answer");
  forgetL10n(element);
  element.className = `notice ${tone}`;
  element.textContent = text;
}

// The answer as a message of the page, rendered again in a new language.
function answerWith(id, tone) {
  const element = $("order-answer");
  element.className = `notice ${tone}`;
  element.replaceChildren();
  setL10n(state.l10n, element, id);
}

// The answer box's own message id goes when something else is written in it (or a new language
// would bring the old message back).
function forgetL10n(element) {
  element.removeAttribute("data-l10n-id");
  element.removeAttribute("data-l10n-args");
}

// The server's own localized message when it is in the page's language, else the page's.
function serverOrPage(localized, pageId, args) {
  if (localized && localized.text && state.buyer && state.buyer.locale === state.locale) return localized.text;
  return t(pageId, args);
}

async function placeOrder() {
  if (state.pending) return; // a second tap while the first is on its way is the same order
  if (!state.buyer) {
    // The name is asked only now, when the guest orders; the order goes on once they joined.
    state.orderAfterJoin = true;
    showJoin();
    return;
  }
  const target = orderTarget();
  if (!target) return;
  const ship = shipFormReady((text) => answer(text, "warn"));
  if (!ship) return;
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
  const sentAt = performance.now();
  // The address and currency ordered with are saved for comment orders too, once the server
  // has answered (best-effort: nothing here waits for it or shows its failure).
  let saveShip = true;
  try {
    const result = await state.api.post(`/sessions/${sessionId}/orders`, body, { headers: { "Idempotency-Key": key } });
    state.lastFailed = null;
    state.commentResend = null;
    state.confirmed = { order: result.order, message: result.message, sentAt };
    renderConfirmation();
    const order = result.order;
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
    // Not when the address (or the token) was refused, nor when nothing reached the server.
    saveShip = e instanceof ApiError && e.status !== 0 && e.status !== 401 && !(e.status === 422 && e.code === "invalid");
    if (e instanceof ApiError && e.status === 401) {
      forgetBuyer();
      await asGuest(true);
      return;
    }
    state.confirmed = null;
    state.commentResend = null;
    answer(refusalText(e), e instanceof ApiError && e.status === 409 ? "warn" : "bad");
  } finally {
    state.pending = null;
    updateOrderButton();
  }
  if (saveShip) saveShipForComments(ship).catch(() => {});
}

// The delivery address of the form, or null when a required field is empty: then the form is
// opened, `say` tells the buyer, and the first empty field takes the focus.
function shipFormReady(say) {
  const ship = shipToFields();
  if (shipToComplete(ship)) return ship;
  $("ship").open = true;
  say(t("page-ship-missing"));
  const first = firstEmptyShipField();
  if (first) $(first).focus();
  return null;
}

function firstEmptyShipField() {
  return ["ship-name", "ship-phone", "ship-city", "ship-address", "ship-postal"].find((id) => $(id).required && !$(id).value.trim());
}

// ---- ordering by comment ("+1" in the chat, docs/live-room.md) ------------------------------

// What the server holds for comment orders, as the page would send it (or null).
function savedShipOf(buyer) {
  const s = buyer && buyer.ship_to;
  if (!s || !buyer.currency) return null;
  const ship = { name: s.name, phone: s.phone, country: s.country, city: s.city, address: s.address, postal_code: s.postal_code };
  return JSON.stringify({ ship_to: ship, currency: buyer.currency });
}

// Saves `ship` and the page's currency as the buyer's comment orders' (PUT /buyers/me/ship-to),
// unless the server holds them already. Throws the server's refusal.
async function saveShipForComments(ship) {
  if (!state.buyer) return;
  const body = { ship_to: ship, currency: state.currency };
  const json = JSON.stringify(body);
  if (json === state.savedShip) return;
  const buyer = state.buyer;
  const profile = await state.api.put("/buyers/me/ship-to", body);
  if (state.buyer !== buyer) return;
  state.savedShip = json;
  state.buyer = { ...buyer, ship_to: profile.ship_to, currency: profile.currency };
}

// A chat message that was an order keyword (live/chat.js): its order, shown as the order
// button's, or why none: the delivery address is asked for (and "Send again" offered), the other
// refusals in the page's words. `sent`: the message's key and text.
function commentOrdered(placed, orderError, sentAt, sent) {
  state.commentResend = null;
  if (placed && placed.order) {
    const order = placed.order;
    state.confirmed = { order, message: placed.message, sentAt };
    renderConfirmation();
    if (state.sale && order.sale_id === state.sale.id && typeof placed.remaining === "number") {
      state.sale.remaining = placed.remaining;
      renderSale();
    }
    loadMine();
    showAnswer();
    return;
  }
  if (!orderError) return;
  state.confirmed = null;
  switch (orderError.code) {
    case "ship_to_missing":
      // The server holds no address: whatever the page thought it saved, it is sent again.
      state.savedShip = null;
      askShipTo(sent);
      return;
    case "variant_needed":
      answerWith("page-chat-order-variant", "warn");
      break;
    case "nothing_to_order":
      answerWith("page-chat-order-nothing", "warn");
      break;
    default:
      // An order into China names its orderer, which a comment cannot carry.
      if (orderError.code === "invalid" && /^identity\b/.test(orderError.message || "")) {
        answerWith("page-chat-order-identity", "warn");
      } else {
        answer(refusalText(new ApiError(0, orderError.code, orderError.message, { error: orderError })), "warn");
      }
  }
  showAnswer();
}

// The order's answer in view (the buyer was typing in the chat, further down).
function showAnswer() {
  $("order-answer").scrollIntoView({ block: "nearest" });
}

// A comment order refused for want of a saved address: the page asks for it, opens the form
// and puts the focus on its first empty field (or on "Send again" when it is filled in), with
// the ask and the form under it in view (the ask is on screen anyway in the order bar fixed at
// the bottom of a phone's screen).
function askShipTo(sent) {
  state.commentResend = sent && sent.key && sent.text ? sent : null;
  renderShipToAsk(null);
  $("ship").open = true;
  const first = firstEmptyShipField();
  const resend = $("comment-resend");
  const target = first ? $(first) : resend || $("ship-name");
  if (getComputedStyle($("order-bar")).position === "fixed") {
    target.focus();
    return;
  }
  target.focus({ preventScroll: true });
  $("order-answer").scrollIntoView({ block: "start" });
}

// The ask (or `refusal`, the text of a refused save) with the "Send again" button.
function renderShipToAsk(refusal) {
  const element = $("order-answer");
  forgetL10n(element);
  element.className = "notice warn stack";
  const text = document.createElement("span");
  if (refusal) text.textContent = refusal;
  else setL10n(state.l10n, text, "page-chat-order-ship-to");
  const parts = [text];
  if (state.commentResend) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = "comment-resend";
    button.disabled = state.resending;
    setL10n(state.l10n, button, "page-chat-resend");
    button.addEventListener("click", resendComment);
    parts.push(button);
  }
  element.replaceChildren(...parts);
}

// "Send again": the address of the form saved for comment orders, then the same message sent
// again with its key: the server posts nothing new and places the order now.
async function resendComment() {
  const sent = state.commentResend;
  if (!sent || state.resending) return;
  const ship = shipFormReady((text) => renderShipToAsk(text));
  if (!ship) return;
  state.resending = true;
  const button = $("comment-resend");
  if (button) button.disabled = true;
  try {
    await saveShipForComments(ship);
    saveShipTo();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetBuyer();
      await asGuest(true);
      return;
    }
    renderShipToAsk(refusalText(e));
    return;
  } finally {
    state.resending = false;
    const again = $("comment-resend");
    if (again) again.disabled = false;
  }
  await chat.resend(sent);
}

// A refusal in the page's language: the server's localized message (when it sends one in this
// language), else the page's own sentence for the code, or for a 422 `invalid` the label of
// the field it names. Never the server's English `message`.
function refusalText(e) {
  if (!(e instanceof ApiError)) return t("page-answer-failed");
  const pageId = ANSWERS[e.code];
  const localized = e.body && e.body.error && e.body.error.localized;
  if (pageId) return serverOrPage(localized, pageId, {});
  if (e.status === 422 && e.code === "invalid") {
    const field = String(e.message || "").split(":")[0].trim();
    const label = FIELD_LABELS[field];
    if (label) return t("page-check-field", { field: t(label) });
  }
  return serverOrPage(localized, "page-answer-failed", {});
}

// ---- the confirmation: payment deadline and duties -----------------------------------------

// An order's payment deadline on this page's clock (performance.now()), never later than the
// server's. For the order just placed, `sentAt` is when its request left: the server stamped
// `created_at` after that, so the window (`pay_by - created_at`, both the server's stamps)
// counted from `sentAt` ends no later than `pay_by`. For other orders, the clocks' offset from
// the last session read (its largest possible value).
function payDeadline(order, sentAt) {
  const payBy = Date.parse(order.pay_by);
  const created = Date.parse(order.created_at);
  if (typeof sentAt === "number" && !Number.isNaN(created)) return sentAt + (payBy - created);
  return performance.now() + payBy - (Date.now() + state.clockOffset);
}

// A countdown element for an order's deadline: the 1 s tick (renderPayClocks) keeps it going.
function payClock(order, sentAt) {
  const element = document.createElement("span");
  element.className = "pay-by";
  element.dataset.testid = "pay-by";
  element.dataset.payBy = order.pay_by;
  element.dataset.deadline = String(payDeadline(order, sentAt));
  renderPayClock(element);
  return element;
}

function renderPayClock(element) {
  const left = Number(element.dataset.deadline) - performance.now();
  if (left > 0) setL10n(state.l10n, element, "page-pay-within", { time: clock(left) });
  else setL10n(state.l10n, element, "page-pay-over");
}

function renderPayClocks() {
  for (const element of document.querySelectorAll("[data-pay-by]")) renderPayClock(element);
}

// What the order's landed-cost quote (order.landed_cost, computed when it was placed) says of
// duties and taxes, which its total leaves out.
function dutiesNote(order) {
  const element = document.createElement("span");
  element.className = "duties";
  element.dataset.testid = "duties";
  const quote = order.landed_cost;
  const extra = quote ? (quote.duty_minor || 0) + (quote.taxes_minor || 0) : 0;
  if (!quote || quote.basis === "unknown") setL10n(state.l10n, element, "page-duties-unknown");
  else if (quote.basis === "payable_on_delivery") setL10n(state.l10n, element, "page-duties-on-delivery");
  else if (extra > 0) setL10n(state.l10n, element, "page-duties-due", { amount: formatMoney(state.locale, quote.currency, extra) });
  else setL10n(state.l10n, element, "page-duties-none");
  return element;
}

function renderConfirmation() {
  const confirmed = state.confirmed;
  if (!confirmed) return;
  const order = confirmed.order;
  const total = formatMoney(state.locale, order.currency, order.total_minor);
  const element = $("order-answer");
  forgetL10n(element);
  element.className = "notice ok stack";
  const text = document.createElement("span");
  text.textContent = serverOrPage(confirmed.message, "page-answer-confirmed", { id: String(order.id), count: order.quantity, total });
  const parts = [text, dutiesNote(order)];
  if (order.status === "confirmed" && order.pay_by) parts.push(payClock(order, confirmed.sentAt));
  element.replaceChildren(...parts);
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
    if (order.status === "confirmed" && order.pay_by) {
      const just = state.confirmed && state.confirmed.order.id === order.id ? state.confirmed.sentAt : undefined;
      const when = payClock(order, just);
      when.classList.add("muted", "small");
      li.append(when);
    }
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
  element.textContent = e instanceof ApiError && e.code === "network" ? t("page-answer-network") : t("page-answer-failed");
}

main();
