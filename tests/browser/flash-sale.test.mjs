// A whole flash sale in a real browser (Debian's headless Chromium, driven by playwright-core):
// the demo host signs in on the studio console, opens a session for Kazakhstan and Vietnam,
// pins the brisket and starts a flash sale priced in KZT and VND; two guests join from their
// live pages, one in Kazakh paying in tenge, one in Vietnamese paying in dong, and order; the
// console and the operations dashboard count their orders; the Kazakh guest, ordering past the
// per-buyer limit, is refused in Kazakh; the Vietnamese guest's network drops and comes back,
// the page says it is reconnecting, then live, and the order placed meanwhile is in its list.
// /docs renders every operation with no request leaving 127.0.0.1 (nor does any other page).
// Before joining, a guest sees the room (product, price, ticker); the name is asked only when
// they order. The confirmation carries the server's payment deadline as a countdown and the
// duties note from the order's landed-cost quote; a refusal is a sentence in the buyer's
// language, never the server's English. Switching the console's language re-renders the rows
// shown, with the language's clock. A guest shipping to Myanmar orders without a postal code.
// The buyer page is rendered in all 16 locales at phone size (buyer-<locale>.png) for reviewers.
// The host sets a session's stream from the console (an origin the server does not list is
// refused there); a buyer's phone plays it muted inside the page's CSP, with the order button on
// screen over it wherever the page is scrolled; a link instead shows a link; removed, it is gone.
// The room's chat: the two guests write in Kazakh and Vietnamese and read each other masked, the
// host's console shows them whole; the host deletes a message (gone from both pages) and mutes
// the Vietnamese guest (refused, reaching no one); a phone number is held (its writer told, the
// console and the dashboard list it; released from the dashboard, it reaches the room); slow
// mode's notice and countdown; "+1" in the chat is an order (the page saved the address and
// currency of the guest's last order for it), refused past the limit in Kazakh; a new guest's
// "+1" with no saved address asks for it, and once it is filled in "Send again" orders, as does
// their next "+1": their page confirms it, the room sees the order, the console marks the
// messages that became orders.
//
// Run by scripts/browser-test.sh, which starts `silkstream serve --demo` on a fresh database
// and passes:
//   SILKSTREAM_BASE_URL     the server, http://127.0.0.1:PORT
//   SILKSTREAM_DEMO_OUTPUT  a file holding what `serve --demo` printed (tokens, page URLs)
//   SILKSTREAM_ARTIFACTS    where screenshots (and traces of a failed run) go
//   SILKSTREAM_CHROMIUM     the browser binary (/usr/bin/chromium)
//   SILKSTREAM_MEDIA_URL    an HLS playlist on another origin, one of the server's media_origins
//
// Controls are found by role and accessible name or label, as a person (or a screen reader)
// finds them; data-testid only where the contract between the pages and this test names one
// (crates/server/web/README.md). No sleeps: every wait is Playwright's own (a locator waiting for
// its text, waitForResponse) with a timeout.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE = need("SILKSTREAM_BASE_URL");
const DEMO_OUTPUT = readFileSync(need("SILKSTREAM_DEMO_OUTPUT"), "utf8");
const ARTIFACTS = need("SILKSTREAM_ARTIFACTS");
const CHROMIUM = process.env.SILKSTREAM_CHROMIUM || "/usr/bin/chromium";
const MEDIA_URL = need("SILKSTREAM_MEDIA_URL");
// The flags Chromium needs here (root, no GPU, no outside traffic of its own).
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
// Upper bounds only (a wait ends as soon as its condition holds): generous, for a busy machine.
const WAIT_MS = 45_000;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

// The sale: the demo's brisket (product 1, variant 1), stocked in Khorgos, which serves KZ.
const SALE = {
  title: "Khorgos & Pingxiang border night",
  product: "1",
  sku: "BY-BEEF-BRISKET-1KG",
  warehouse: "KHG-BORDER",
  quantity: 20,
  limit: 2,
  kzt: "4990", // KZT 4,990.00
  vnd: "299000", // VND 299,000 (no minor unit)
};

// The two guests: their profile, their delivery address, and the sale price as their page shows
// it: exactly the server's CLDR text (assets/money.js), not the browser's ICU data (Debian's
// Chromium would write "KZT 4,990.00" for kk).
const GUESTS = {
  kk: { name: "Aigerim", country: "KZ", city: "Almaty", locale: "kk", currency: "KZT", phone: "+7 701 555 0199", address: "Dostyk Avenue 5", postal: "050010", price: /^4\s990,00\s₸$/ },
  vi: { name: "Linh", country: "VN", city: "Hanoi", locale: "vi", currency: "VND", phone: "+84 24 3825 0000", address: "12 Hang Bai", postal: "100000", price: /^299\.000\s₫$/ },
  // Orders by comment (a new guest, who never ordered with the button).
  ru: { name: "Dmitry", country: "KZ", city: "Astana", locale: "ru", currency: "KZT", phone: "+7 717 555 0123", address: "Kabanbay Batyr 11", postal: "010000" },
  // Ships to Myanmar, where postal codes are little used: the page asks for none.
  my: { name: "Thiri", country: "MM", city: "Yangon", locale: "my", currency: "VND", phone: "+95 1 555 0100", address: "No. 12, Bogyoke Road" },
};
// The 16 locales of the buyer page (locales/), for the reviewers' screenshots.
const LOCALES = ["zh-CN", "en", "ru", "kk", "ky", "uz", "tt", "mn", "vi", "th", "id", "ms", "fil", "km", "lo", "my"];

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/browser-test.sh`);
  return value;
}

/** A message of `locales/<locale>/<file>.ftl` as a pattern: its text with each placeable
 *  (`{ $count }`) matching anything. Single-line messages only (the labels and answers here). */
function ftl(locale, file, id) {
  const text = readFileSync(new URL(`../../locales/${locale}/${file}.ftl`, import.meta.url), "utf8");
  const line = text.split("\n").find((l) => l.startsWith(`${id} =`));
  assert.ok(line, `${id} is not in locales/${locale}/${file}.ftl`);
  const value = line.slice(id.length + 2).trim();
  const parts = value.split(/\{[^}]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(parts.join(".+?"));
}

/** A label of the buyer's page (`page-*` in page.ftl) as an accessible name: exactly, or as
 *  its start for a select (whose name goes on with the chosen option's text). */
function label(locale, id, { select = false } = {}) {
  return new RegExp(`^\\s*${ftl(locale, "page", id).source}${select ? "" : "\\s*$"}`);
}

/** The demo's printed tokens (`  <role> ss_…`) and page URLs (the lines under "open in a browser:"). */
function parseDemo(text) {
  const tokens = {};
  for (const m of text.matchAll(/^\s+(admin|host|buyer|operator)\s+(ss_\S+)$/gm)) tokens[m[1]] = m[2];
  const pageLines = text.split("\n").slice(text.split("\n").indexOf("open in a browser:") + 1);
  const urls = pageLines.map((l) => l.split(/\s+/).find((w) => w.startsWith("http://"))).filter(Boolean);
  const page = (suffix) => urls.find((u) => u.endsWith(suffix));
  return {
    tokens,
    console: page("/console/host"),
    ops: page("/console/ops"),
    live: page("/live/<session-id>"),
    docs: page("/docs"),
  };
}

/** A number standing alone in a text ("Orders 2", "2", "sold 3 / left 17"), not inside 12 or 20. */
function alone(n) {
  return new RegExp(`(^|[^\\d])${n}([^\\d]|$)`);
}

/** A number and nothing else (a table cell, a counter). */
function exactly(n) {
  return new RegExp(`^\\s*${n}\\s*$`);
}

/** The cell of `table`'s row holding `rowText`, in the column headed `column`, once the table
 *  shows that column (the dashboard shows its table only after the sign-in's answer). */
async function roomCell(table, rowText, column) {
  await table.getByRole("columnheader", { name: column, exact: true }).waitFor();
  const headers = await table.getByRole("columnheader").allInnerTexts();
  const index = headers.findIndex((h) => h.trim() === column);
  assert.ok(index >= 0, `no column "${column}" in ${JSON.stringify(headers)}`);
  return table.getByRole("row").filter({ hasText: rowText }).locator("th, td").nth(index);
}

/** Waits until `locator` (its first match) shows text matching `pattern`; says what it saw. */
async function sees(locator, pattern, what) {
  try {
    await locator.filter({ hasText: pattern }).first().waitFor({ timeout: WAIT_MS });
  } catch (e) {
    const seen = await locator.allInnerTexts().catch(() => []);
    throw new Error(`${what}: expected ${pattern}, the page shows ${JSON.stringify(seen)}\n${e.message}`);
  }
}

/** Picks the option of `select` whose text holds `text`, once the page has put it there. */
async function choose(select, text) {
  const value = await select.locator("option").filter({ hasText: text }).first().getAttribute("value");
  await select.selectOption(value);
}

/** The server's JSON, as the test's own client (a fact to compare the pages with). */
async function api(path, token, init = {}) {
  const response = await fetch(`${BASE}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers || {}) },
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${init.method || "GET"} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

const demo = parseDemo(DEMO_OUTPUT);
let browser;
const contexts = [];
// Every request any page makes, that is not to 127.0.0.1.
const offsite = [];
let failed = false;

/** A browser context (its own cookies and storage: a person of their own) that records where
 *  its pages' requests go and keeps a trace for a failed run. */
async function person(name, { trace = true, ...options } = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, ...options });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(2 * WAIT_MS);
  const note = (url) => {
    const u = new URL(url);
    if (u.protocol === "data:" || u.protocol === "blob:") return;
    if (u.hostname !== "127.0.0.1") offsite.push(`${name}: ${url}`);
  };
  context.on("request", (request) => note(request.url()));
  context.on("page", (page) => page.on("websocket", (ws) => note(ws.url())));
  if (trace) await context.tracing.start({ screenshots: true, snapshots: true });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`[${name}] page error: ${error.message}`));
  page.on("console", (m) => m.type() === "error" && console.log(`[${name}] console: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && console.log(`[${name}] ${r.status()} ${r.request().method()} ${r.url()}`));
  contexts.push({ name, context, page });
  return page;
}

// A network drop, as a phone meets it: the browser goes offline (no request, no new connection,
// the window's "offline" event) and the open feed connection dies. Chromium's offline emulation
// alone leaves an open WebSocket open (playwright#4910), so the feed's sockets are routed
// through Playwright, which cuts them at the drop and refuses new ones until the network is back.
const networks = new Map();

async function cuttable(context) {
  const network = { down: false, open: new Map() };
  networks.set(context, network);
  await context.routeWebSocket(/\/feed(\?|$)/, (ws) => {
    if (network.down) return ws.close({ code: 1006, reason: "network down" });
    const server = ws.connectToServer();
    network.open.set(ws, server);
    // A handler on the page's close turns off Playwright's forwarding of it: forward it, or the
    // server keeps every connection the page closed (a new language, a new currency), and the
    // token soon meets its connection cap (429).
    ws.onClose((code, reason) => {
      network.open.delete(ws);
      server.close({ code, reason });
    });
  });
}

async function dropNetwork(context) {
  const network = networks.get(context);
  network.down = true;
  await context.setOffline(true);
  // Both sides die: the page's socket, and the server's (as its keepalive would find).
  await Promise.all(
    [...network.open].map(([ws, server]) => Promise.all([ws.close({ code: 1006, reason: "network down" }), server.close({ code: 1001, reason: "network down" })])),
  );
  network.open.clear();
}

async function restoreNetwork(context) {
  networks.get(context).down = false;
  await context.setOffline(false);
}

/** Holds the first request of `context` to a URL matching `pattern` until `release()` is
 *  called (later ones pass): makes a race the page must survive happen on every run, not only
 *  on a loaded machine. */
async function holdFirst(context, pattern) {
  let release;
  const released = new Promise((resolve) => (release = resolve));
  let held = false;
  await context.route(pattern, async (route) => {
    if (held) return route.fallback();
    held = true;
    await released;
    return route.fallback();
  });
  return release;
}

/** Waits for an image to be shown with its pixels loaded (a broken or empty one fails). */
async function loaded(image, what) {
  await image.waitFor({ state: "visible" });
  const ok = await image.evaluate(
    (img) => (img.complete && img.naturalWidth > 0) || new Promise((done) => {
      img.addEventListener("load", () => done(img.naturalWidth > 0), { once: true });
      img.addEventListener("error", () => done(false), { once: true });
    }),
  );
  assert.ok(ok, `${what} loaded`);
}

/** A screenshot of the page's viewport, from the top (as a person opening it sees it). */
async function shot(page, file) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, file) });
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const role of ["host", "operator", "buyer"]) {
    assert.ok(demo.tokens[role], `serve --demo printed no ${role} token:\n${DEMO_OUTPUT}`);
  }
  for (const page of ["console", "ops", "live", "docs"]) {
    assert.ok(demo[page]?.startsWith(`${BASE}/`), `serve --demo printed no ${page} URL on ${BASE}:\n${DEMO_OUTPUT}`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  for (const { name, context, page } of contexts) {
    if (failed) {
      await page.screenshot({ path: join(ARTIFACTS, `failed-${name}.png`) }).catch(() => {});
      await context.tracing.stop({ path: join(ARTIFACTS, `trace-${name}.zip`) }).catch(() => {});
    } else {
      await context.tracing.stop().catch(() => {});
    }
  }
  await browser?.close();
});

/** A step of the story: skipped once one before it failed (it would only fail for that). */
function step(t, name, fn) {
  return t.test(name, { skip: failed && "an earlier step failed" }, async () => {
    try {
      await fn();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
}

test("a flash sale from the studio console, two guests ordering in Kazakh and Vietnamese", async (t) => {
  let host, ops, kk, vi;
  let sessionId;

  await step(t, "the host signs in on the studio console and starts a session for KZ and VN", async () => {
    host = await person("host");
    await host.goto(demo.console);
    await host.getByLabel(/token/i).fill(demo.tokens.host);
    await host.getByRole("button", { name: "Sign in" }).click();
    await host.getByRole("heading", { name: "Sessions" }).waitFor();

    const form = host.getByRole("form", { name: "New session" });
    await form.getByLabel("Title").fill(SALE.title);
    await form.getByLabel("Language").selectOption("ru");
    await form.getByLabel("Markets").fill("KZ, VN, MM");
    const created = host.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/v1/sessions"));
    await form.getByRole("button", { name: "Create session" }).click();
    const response = await created;
    assert.equal(response.status(), 201, await response.text());
    sessionId = (await response.json()).id;
    await host.getByRole("heading", { name: SALE.title }).waitFor();

    const started = host.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${sessionId}/start`));
    await host.getByRole("button", { name: "Start session" }).click();
    assert.equal((await started).status(), 200);
    // The console links the session's buyer page, the URL the demo printed.
    const link = await host.getByRole("link", { name: "Buyer page" }).getAttribute("href");
    assert.equal(new URL(link, BASE).href, demo.live.replace("<session-id>", String(sessionId)));
  });

  await step(t, "the host finds the brisket by its SKU, adds it to the showcase, pins it and starts a flash sale in KZT and VND", async () => {
    const showcase = host.getByRole("region", { name: "Showcase" });
    await showcase.getByLabel("Find a product").fill("brisket");
    const pick = showcase.getByTestId(`pick-${SALE.product}`);
    await pick.waitFor();
    // The picker shows the product's picture (the demo draws one per variant).
    await loaded(pick.locator("img.thumb"), "the picker's thumbnail");
    await shot(host, "host-picker.png");
    const added = host.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${sessionId}/showcase`));
    await pick.getByRole("button", { name: /to the showcase/ }).click();
    assert.equal((await added).status(), 200);
    const pinned = host.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${sessionId}/pin`));
    await showcase.getByRole("button", { name: /^pin/i }).first().click();
    assert.equal((await pinned).status(), 200);

    const sale = host.getByRole("region", { name: "Flash sale" });
    await choose(sale.getByLabel("Variant"), SALE.sku);
    await sale.getByLabel("Quantity").fill(String(SALE.quantity));
    await sale.getByLabel("Per-buyer limit").fill(String(SALE.limit));
    await sale.getByLabel("Countdown (seconds)").fill("0");
    await sale.getByLabel("Duration (minutes)").fill("30");
    await choose(sale.getByLabel("Warehouse"), SALE.warehouse);
    await sale.getByLabel("KZT").fill(SALE.kzt);
    await sale.getByLabel("VND").fill(SALE.vnd);
    const opened = host.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${sessionId}/flash-sales`));
    await sale.getByRole("button", { name: "Start flash sale" }).click();
    const answer = await opened;
    assert.equal(answer.status(), 201, await answer.text());
    const body = await answer.json();
    assert.deepEqual(
      [body.allocated, body.per_buyer_limit, body.prices],
      [SALE.quantity, SALE.limit, { KZT: 499000, VND: 299000 }],
      JSON.stringify(body),
    );
    await sees(host.getByTestId("counter-left"), alone(SALE.quantity), "units left on the console");
    await sees(host.getByTestId("countdown"), /\d+:\d\d/, "the sale's countdown on the console");
  });

  await step(t, "two guests see the room before joining, then join when they order: one in Kazakh with KZT, one in Vietnamese with VND", async () => {
    const live = demo.live.replace("<session-id>", String(sessionId));
    kk = await person("guest-kk");
    vi = await person("guest-vi", { viewport: PHONE, isMobile: true, hasTouch: true });
    await cuttable(vi.context());
    for (const [page, who] of [
      [kk, GUESTS.kk],
      [vi, GUESTS.vi],
    ]) {
      // The page opens in the browser's language (English here); the guest picks theirs while
      // the page's first (English) messages are still on their way: the pick wins.
      const releaseEnglish = await holdFirst(page.context(), /\/ui\/l10n\//);
      await page.goto(live, { waitUntil: "domcontentloaded" });
      await page.getByLabel("Language").selectOption(who.locale);
      releaseEnglish();
      await joinWhenOrdering(page, who);
    }
    // The pinned product in each guest's language, its sale price in their currency.
    for (const [page, who] of [
      [kk, GUESTS.kk],
      [vi, GUESTS.vi],
    ]) {
      const view = await api(`/products/${SALE.product}?locale=${who.locale}&currency=${who.currency}`, demo.tokens.buyer);
      await sees(page.locator("main"), view.localized.title.text, `the ${who.locale} title`);
      await sees(page.getByTestId("price"), who.price, `the sale price in ${who.currency}`);
    }
  });

  // A phone number the server refuses: the refusal names the field in Kazakh (the label of the
  // phone field), not the server's English sentence; nothing is ordered.
  await step(t, "a refused phone number is named in the buyer's language, not in the server's English", async () => {
    const phone = kk.getByLabel(label("kk", "page-ship-phone")).filter({ visible: true });
    await phone.fill("call me");
    const refused = await order(kk, "kk", 1);
    assert.equal(refused.status(), 422);
    const expected = ftl("kk", "page", "page-check-field");
    await sees(kk.getByTestId("order-answer"), expected, "the Kazakh refusal of the phone number");
    const text = await kk.getByTestId("order-answer").innerText();
    assert.ok(text.includes(ftlValue("kk", "page", "page-ship-phone")), `the phone's Kazakh label in ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, /phone number|digits|ship_to/, "no English from the server");
    await phone.fill(GUESTS.kk.phone);
  });

  // Each guest orders from the page and reads the confirmation in their language, with the
  // payment deadline the server set and the duties note of the order's quote.
  await step(t, "each guest orders and sees the confirmation, the payment deadline and the duties note in their language", async () => {
    for (const [page, locale, quantity, count] of [
      [kk, "kk", 2, /2 дана/],
      [vi, "vi", 1, /1 sản phẩm/],
    ]) {
      // The page also saves the address and currency ordered with, for orders by comment.
      const saved = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith("/api/v1/buyers/me/ship-to"));
      const placed = await order(page, locale, quantity);
      assert.equal(placed.status(), 201, await placed.text());
      assert.equal((await saved).status(), 200, `the ${locale} guest's address saved for comment orders`);
      const order_ = (await placed.json()).order;
      const answer = page.getByTestId("order-answer");
      await sees(answer, ftl(locale, "orders", "order-confirmed"), `the ${locale} confirmation`);
      await sees(answer, count, `the ${locale} confirmation's quantity`);
      await seesDeadline(page, locale, order_);
      await sees(answer.getByTestId("duties"), ftl(locale, "page", dutiesMessage(order_)), `the ${locale} duties note`);
    }
  });

  await step(t, "the host console lists both orders and counts them", async () => {
    await sees(host.getByTestId("counter-orders"), alone(2), "orders on the console");
    await sees(host.getByTestId("counter-units"), alone(3), "units on the console");
    await sees(host.getByTestId("counter-sold"), alone(3), "sold on the console");
    await sees(host.getByTestId("counter-left"), alone(SALE.quantity - 3), "left on the console");
    const list = host.getByTestId("orders");
    await sees(list, /Almaty/, "the Kazakh guest's order in the console's list");
    await sees(list, /Hanoi/, "the Vietnamese guest's order in the console's list");
    await shot(host, "host-console.png");
  });

  await step(t, "switching the console's language re-renders the order rows shown, with its 24-hour clock", async () => {
    const list = host.getByTestId("orders");
    const picker = host.locator("#ui-locale");
    await picker.selectOption("ru");
    // Every row shown: its status and line in Russian, its time on the 24-hour clock (no AM/PM).
    const confirmedRu = ftl("ru", "console", "console-order-confirmed");
    await sees(list.getByRole("listitem"), confirmedRu, "a row in Russian after the switch");
    const rows = await list.getByRole("listitem").allInnerTexts();
    assert.equal(rows.length, 2, JSON.stringify(rows));
    for (const row of rows) {
      assert.match(row, confirmedRu, `a row still in English: ${row}`);
      assert.match(row, /(^|\D)([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\D|$)/, `no 24-hour time in ${row}`);
      assert.doesNotMatch(row, /\b(AM|PM)\b|\b(units?|confirmed)\b/i, `English left in ${row}`);
    }
    const axis = await host.locator(".chart-axis").allInnerTexts();
    for (const time of axis.filter((a) => /\d:\d/.test(a))) {
      assert.doesNotMatch(time, /AM|PM/, `the chart's time ${time}`);
    }
    await picker.selectOption("en");
    await sees(list.getByRole("listitem"), / units?\b/, "the rows back in English");
  });

  await step(t, "the Kazakh guest orders past the per-buyer limit and is refused in Kazakh", async () => {
    await order(kk, "kk", 1);
    // The server's refusal in Kazakh (order-limit-reached), or the page's own (page-answer-limit).
    const refusal = new RegExp(`${ftl("kk", "orders", "order-limit-reached").source}|${ftl("kk", "page", "page-answer-limit").source}`);
    await sees(kk.getByTestId("order-answer"), refusal, "the Kazakh refusal");
    await sees(host.getByTestId("counter-orders"), alone(2), "the refusal is not counted");
  });

  await step(t, "the operations dashboard shows the room with its orders, units and GMV", async () => {
    ops = await person("operator");
    await ops.goto(demo.ops);
    await ops.getByLabel(/token/i).fill(demo.tokens.operator);
    await ops.getByRole("button", { name: /sign in/i }).click();
    const rooms = ops.getByTestId("rooms");
    const cell = (column) => roomCell(rooms, SALE.title, column);
    await sees(await cell("Orders"), exactly(2), "the room's orders on the dashboard");
    await sees(await cell("Units"), exactly(3), "the room's units on the dashboard");
    await sees(await cell("GMV (CNY)"), amount(await gmvCny(sessionId)), "the room's GMV in CNY on the dashboard");
    await sees(await cell("Markets"), /KZ.*VN/, "the room's markets on the dashboard");
    await loaded(rooms.getByRole("row").filter({ hasText: SALE.title }).getByTestId("room-thumb"), "the room's thumbnail on the dashboard");
    await shot(ops, "ops-dashboard.png");
  });

  // The room's chat (docs/live-room.md): the guests write in their languages and read each other
  // masked; the host's console shows the writers whole and moderates; a muted guest's message
  // and a held one reach no other buyer; the dashboard lists the held one and releases it.
  await step(t, "the guests chat in Kazakh and Vietnamese, each reading the other masked; the host answers", async () => {
    for (const [page, locale] of [
      [kk, "kk"],
      [vi, "vi"],
    ]) {
      await page.getByRole("heading", { name: label(locale, "page-chat-heading") }).waitFor();
      await sees(page.getByTestId("chat"), ftl(locale, "page", "page-chat-empty"), `the empty chat in ${locale}`);
    }
    await chatSay(kk, "kk", CHAT.kk);
    await chatSay(vi, "vi", CHAT.vi);
    // Each reads the other's message under the mask and city other buyers see, tagged with the
    // language it was written in; their own too.
    await seesChatLine(vi, CHAT.kk, "kk", /A\*\*\*m/, "the Kazakh guest's message on the Vietnamese page");
    await seesChatLine(kk, CHAT.vi, "vi", /L\*\*\*h/, "the Vietnamese guest's message on the Kazakh page");
    await seesChatLine(kk, CHAT.kk, "kk", /A\*\*\*m/, "the Kazakh guest's own message");
    for (const page of [kk, vi]) {
      const text = await page.getByTestId("chat-messages").innerText();
      assert.doesNotMatch(text, /Aigerim|Linh\b/, `a guest's full name on a buyer page: ${text}`);
    }

    // The host's console shows both with the writers' full names, and the host answers.
    const card = host.getByRole("region", { name: "Chat", exact: true });
    const messages = card.getByTestId("chat-messages");
    await sees(messages.getByRole("listitem").filter({ hasText: CHAT.kk }), /Aigerim.*A\*\*\*m.*Almaty, KZ/s, "the Kazakh guest whole on the console");
    await sees(messages.getByRole("listitem").filter({ hasText: CHAT.vi }), /Linh.*L\*\*\*h.*Hanoi, VN/s, "the Vietnamese guest whole on the console");
    await card.getByLabel("Write to the room").fill(CHAT.host);
    const posted = host.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/sessions/${sessionId}/chat`));
    await card.getByRole("button", { name: "Send" }).click();
    assert.equal((await posted).status(), 201);
    for (const [page, locale] of [
      [kk, "kk"],
      [vi, "vi"],
    ]) {
      await seesChatLine(page, CHAT.host, "ru", ftl(locale, "page", "page-chat-host"), `the host's answer, with its badge, in ${locale}`);
    }
    await vi.getByTestId("chat").evaluate((card) => card.scrollIntoView({ block: "center" }));
    await vi.screenshot({ path: join(ARTIFACTS, "buyer-chat.png") });
  });

  await step(t, "the host deletes a message (gone from both pages) and mutes the Vietnamese guest, whose next message reaches no one", async () => {
    const card = host.getByRole("region", { name: "Chat", exact: true });
    const messages = card.getByTestId("chat-messages");
    const deleted = host.waitForResponse((r) => r.request().method() === "DELETE" && /\/chat\/\d+$/.test(r.url()));
    await messages.getByRole("listitem").filter({ hasText: CHAT.kk }).getByRole("button", { name: "Delete the message from Aigerim" }).click();
    assert.equal((await deleted).status(), 200);
    for (const page of [kk, vi]) {
      await page.getByTestId("chat-messages").getByText(CHAT.kk).waitFor({ state: "detached" });
    }
    await messages.getByText(CHAT.kk).waitFor({ state: "detached" });

    const row = messages.getByRole("listitem").filter({ hasText: CHAT.vi });
    await row.getByRole("button", { name: "Mute Linh" }).click();
    const muted = host.waitForResponse((r) => r.request().method() === "PUT" && /\/chat\/mutes\/\d+$/.test(r.url()));
    await row.getByRole("button", { name: "Rest of the session" }).click();
    const mute = await muted;
    assert.equal(mute.status(), 200, await mute.text());
    assert.equal((await mute.json()).until, null, "muted for the rest of the session");
    await sees(row, /Muted for the session/, "the muted badge on the console");

    await vi.getByLabel(label("vi", "page-chat-label")).fill(CHAT.muted);
    await vi.getByRole("button", { name: label("vi", "page-chat-send") }).click();
    await sees(vi.getByTestId("chat-answer"), ftl("vi", "page", "page-chat-muted-session"), "the muted refusal in Vietnamese");
  });

  await step(t, "a phone number is held: its writer is told, the other guest sees nothing, the console and the dashboard list it", async () => {
    await chatSay(kk, "kk", CHAT.phone);
    await sees(kk.getByTestId("chat-answer"), ftl("kk", "page", "page-chat-held-phone"), "the waiting notice in Kazakh");
    const card = host.getByRole("region", { name: "Chat", exact: true });
    await sees(card.getByTestId("chat-held").getByRole("listitem").filter({ hasText: CHAT.phone }), /Aigerim.*Phone number/s, "the held message on the console");
    const held = ops.getByTestId("held-messages").getByRole("listitem").filter({ hasText: CHAT.phone });
    await sees(held, new RegExp(`${SALE.title}.*Aigerim.*Phone number`, "s"), "the held message on the dashboard");
    await card.scrollIntoViewIfNeeded();
    await host.screenshot({ path: join(ARTIFACTS, "host-chat.png") });

    // Released from the dashboard, it reaches the room; what the muted guest wrote never did,
    // nor the deleted message: the Vietnamese page holds exactly these, in this order.
    const released = ops.waitForResponse((r) => r.request().method() === "POST" && /\/chat\/\d+\/release$/.test(r.url()));
    await held.getByRole("button", { name: "Release the message from Aigerim" }).click();
    assert.equal((await released).status(), 200);
    await seesChatLine(vi, CHAT.phone, "kk", /A\*\*\*m/, "the released message on the Vietnamese page");
    await held.waitFor({ state: "detached" });
    await card.getByTestId("chat-held").getByText(CHAT.phone).waitFor({ state: "detached" });
    for (const page of [vi, kk]) {
      const lines = await page.getByTestId("chat-messages").getByRole("listitem").locator(".chat-text").allInnerTexts();
      assert.deepEqual(lines, [CHAT.vi, CHAT.host, CHAT.phone], "the chat on a buyer page");
    }
    const consoleLines = await card.getByTestId("chat-messages").locator(".chat-text").allInnerTexts();
    assert.deepEqual(consoleLines, [CHAT.phone, CHAT.host, CHAT.vi], "the console's messages, newest first");
  });

  await step(t, "slow mode: the guests are told, a second message too soon is refused with a countdown", async () => {
    const card = host.getByRole("region", { name: "Chat", exact: true });
    const set = host.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith("/chat/slow-mode"));
    await card.getByLabel("Slow mode").selectOption("30");
    assert.equal((await set).status(), 200);
    await sees(kk.getByTestId("chat-slow-mode"), ftl("kk", "page", "page-chat-slow-mode"), "slow mode on the Kazakh page");
    await sees(vi.getByTestId("chat-slow-mode"), ftl("vi", "page", "page-chat-slow-mode"), "slow mode on the Vietnamese page");
    // Two messages in a row: the second (or already the first, when the held message was less
    // than 30 s ago) is refused over the socket, with the seconds left counting down.
    const wait = ftl("kk", "page", "page-chat-wait");
    await chatSay(kk, "kk", CHAT.thanks);
    const lines = kk.getByTestId("chat-messages").getByRole("listitem");
    await lines.filter({ hasText: CHAT.thanks }).or(kk.getByTestId("chat-answer").filter({ hasText: wait })).first().waitFor();
    if (!(await kk.getByTestId("chat-answer").innerText()).match(wait)) await chatSay(kk, "kk", CHAT.again);
    await sees(kk.getByTestId("chat-answer"), wait, "the countdown in Kazakh");
    const first = Number((await kk.getByTestId("chat-answer").innerText()).match(/\d+/)[0]);
    assert.ok(first >= 1 && first <= 30, `seconds left: ${first}`);
    assert.equal(await kk.getByRole("button", { name: label("kk", "page-chat-send") }).isDisabled(), true, "Send waits for the countdown");
    const off = host.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith("/chat/slow-mode"));
    await card.getByLabel("Slow mode").selectOption("0");
    assert.equal((await off).status(), 200);
    // Slow mode off: the notice goes, and so does the wait it imposed.
    await kk.getByTestId("chat-slow-mode").waitFor({ state: "hidden" });
    await kk.getByTestId("chat-answer").filter({ hasText: wait }).waitFor({ state: "hidden" });
    assert.equal(await kk.getByRole("button", { name: label("kk", "page-chat-send") }).isDisabled(), false, "Send is free again");
    // What the guests typed and did not send goes (the pages' later screenshots).
    await kk.getByLabel(label("kk", "page-chat-label")).fill("");
    await vi.getByLabel(label("vi", "page-chat-label")).fill("");
  });

  // Ordering by comment (docs/live-room.md): "+1" is an order through the order path, to the
  // address and in the currency the page saved with the guest's order; the Kazakh guest has
  // reached the sale's per-buyer limit, so it is refused, in Kazakh, where the page answers
  // orders.
  await step(t, "a keyword in the chat is an order: past the limit, refused in Kazakh where orders are answered", async () => {
    const token = await kk.evaluate(() => JSON.parse(localStorage.getItem("silkstream.buyer")).token);
    const who = GUESTS.kk;
    const me = await api("/buyers/me", token);
    assert.deepEqual(
      [me.ship_to && me.ship_to.phone, me.ship_to && me.ship_to.address, me.currency],
      [who.phone, who.address, who.currency],
      `the address the page saved: ${JSON.stringify(me)}`,
    );
    // The hint under the box names the first keyword in force.
    await sees(kk.getByTestId("chat-hint"), ftl("kk", "page", "page-chat-keyword-hint"), "the keywords' hint in Kazakh");
    assert.match(await kk.getByTestId("chat-hint").innerText(), /\+1/, "the hint's example");
    // The answer box still holds the button's refusal of before: empty it, so what it says next
    // is the comment's answer.
    await kk.getByTestId("order-answer").evaluate((box) => box.replaceChildren());
    await chatSay(kk, "kk", "+1");
    const refusal = new RegExp(`${ftl("kk", "orders", "order-limit-reached").source}|${ftl("kk", "page", "page-answer-limit").source}`);
    await sees(kk.getByTestId("order-answer"), refusal, "the comment's order refused in Kazakh");
    await seesChatLine(vi, "+1", "kk", /A\*\*\*m/, "the keyword, a message like any other, on the Vietnamese page");
    await sees(host.getByTestId("counter-orders"), exactly(2), "no order counted");
    const row = host.getByTestId("chat-messages").getByRole("listitem").filter({ hasText: "Aigerim" }).filter({ hasText: "+1" });
    await row.waitFor();
    assert.doesNotMatch(await row.innerText(), /Ordered/, "a refused keyword is not marked as an order");
  });

  await step(t, "the chat leaves the order button usable on the phone", async () => {
    const order = vi.getByRole("button", { name: label("vi", "page-order") });
    await order.scrollIntoViewIfNeeded();
    const box = await order.boundingBox();
    const onTop = await vi.evaluate(({ x, y }) => {
      const hit = document.elementFromPoint(x, y);
      return !!hit && hit.closest("#order") !== null;
    }, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    assert.ok(onTop, "nothing covers the order button");
  });

  await step(t, "the buyer page shows the pinned product's picture, its alt text in the buyer's language", async () => {
    for (const page of [kk, vi]) {
      const picture = page.getByTestId("gallery").locator("img").first();
      await loaded(picture, "the pinned product's picture");
      const alt = await picture.getAttribute("alt");
      const title = await page.locator("#product-title").innerText();
      assert.equal(alt, title, "the picture's alt text is the product's title in the page's language");
    }
  });

  await step(t, "the buyer page at desktop and at a phone's size", async () => {
    await shot(kk, "buyer-desktop.png");
    await shot(vi, "buyer-phone.png");
  });

  await step(t, "a network drop: reconnecting, then live, and the order placed meanwhile is listed", async () => {
    const state = vi.locator("[data-testid=feed-state]");
    await state.and(vi.locator("[data-state=live]")).waitFor();
    await dropNetwork(vi.context());
    await state.and(vi.locator("[data-state=reconnecting]")).waitFor();
    await sees(state, ftl("vi", "page", "page-feed-reconnecting"), "the reconnecting state, in Vietnamese");
    // Meanwhile the demo buyer (Aizhan, Almaty) orders one through the API.
    await api(`/sessions/${sessionId}/orders`, demo.tokens.buyer, {
      method: "POST",
      headers: { "idempotency-key": "browser-test-during-drop" },
      body: JSON.stringify({
        variant_id: 1,
        quantity: 1,
        currency: "KZT",
        ship_to: { name: "Aizhan Seitkali", phone: "+7 701 555 0102", country: "KZ", city: "Almaty", address: "Abay Avenue 150, apt 12", postal_code: "050000" },
      }),
    });
    await sees(host.getByTestId("counter-orders"), exactly(3), "orders on the console during the drop");
    await restoreNetwork(vi.context());
    await state.and(vi.locator("[data-state=live]")).waitFor();
    // The stream resumed after the last event it saw: the order placed during the drop is
    // there, once, beside the two before it.
    const stream = vi.getByTestId("orders-stream");
    await sees(stream, /A\*\*\*n/, "the order placed during the drop, on the Vietnamese page");
    await sees(vi.getByTestId("left"), alone(SALE.quantity - 4), "units left on the Vietnamese page after the drop");
    const lines = await stream.getByRole("listitem").allInnerTexts();
    assert.equal(lines.length, 3, `the Vietnamese page's stream: ${JSON.stringify(lines)}`);
    await sees(host.getByTestId("counter-left"), exactly(SALE.quantity - 4), "left on the console after the drop");
  });

  await step(t, "a guest shipping to Myanmar orders without a postal code", async () => {
    const who = GUESTS.my;
    const page = await person("guest-my", { viewport: PHONE, isMobile: true, hasTouch: true, trace: false });
    await page.goto(demo.live.replace("<session-id>", String(sessionId)), { waitUntil: "domcontentloaded" });
    await page.getByLabel("Language").selectOption(who.locale);
    await joinWhenOrdering(page, who);
    // The postal code is not asked for in Myanmar: its label says so, the field may stay empty.
    const postal = page.getByLabel(label(who.locale, "page-ship-postal-optional")).filter({ visible: true });
    assert.equal(await postal.inputValue(), "");
    assert.equal(await postal.evaluate((input) => input.required), false);
    const placed = await order(page, who.locale, 1);
    assert.equal(placed.status(), 201, await placed.text());
    const body = await placed.json();
    assert.deepEqual([body.order.ship_to.country, body.order.ship_to.postal_code], ["MM", ""]);
    await sees(page.getByTestId("order-answer"), ftl(who.locale, "page", dutiesMessage(body.order)), "the Burmese duties note");
    await seesDeadline(page, who.locale, body.order);
  });

  // Ordering by comment for a guest who never ordered: the server holds no address for them, so
  // their "+1" asks for it (the form opened, the empty field focused); filled in, "Send again"
  // saves it and sends the same message again, which orders; their next "+1" orders at once.
  // Each order is confirmed on their page and listed in their orders, the room sees it, and the
  // console marks the message it came from.
  await step(t, "a new guest's \"+1\" asks for the delivery address; filled in, it orders, and so does the next \"+1\"", async () => {
    const who = GUESTS.ru;
    const page = await person("guest-ru");
    await page.goto(demo.live.replace("<session-id>", String(sessionId)), { waitUntil: "domcontentloaded" });
    await page.getByLabel("Language").selectOption(who.locale);
    await joinWhenOrdering(page, who);
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem("silkstream.buyer")).token);
    assert.equal((await api("/buyers/me", token)).ship_to, null, "no address saved: the guest never ordered");
    await sees(page.getByTestId("chat-hint"), ftl("ru", "page", "page-chat-keyword-hint"), "the keywords' hint in Russian");
    const street = page.getByLabel(label("ru", "page-ship-address")).filter({ visible: true });
    await street.fill("");

    await chatSay(page, "ru", "+1");
    const answer = page.getByTestId("order-answer");
    await sees(answer, ftl("ru", "page", "page-chat-order-ship-to"), "the address asked for, in Russian");
    assert.equal(await page.locator("details#ship").evaluate((d) => d.open), true, "the address form is open");
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === "ship-address");
    await page.screenshot({ path: join(ARTIFACTS, "buyer-chat-ship-to.png") });
    // Four orders so far: the Kazakh, Vietnamese and Burmese guests', the demo buyer's.
    await sees(host.getByTestId("counter-orders"), exactly(4), "no order counted");

    await street.fill(who.address);
    const saved = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith("/api/v1/buyers/me/ship-to"));
    await answer.getByRole("button", { name: label("ru", "page-chat-resend") }).click();
    assert.equal((await saved).status(), 200, "the address saved for comment orders");
    await sees(answer, ftl("ru", "orders", "order-confirmed"), "the comment's order confirmed in Russian");
    await seesDeadline(page, "ru", (await api(`/orders?session_id=${sessionId}`, token)).items[0]);

    // The next "+1" orders at once (the sale's limit is 2 per buyer).
    await answer.evaluate((box) => box.replaceChildren());
    await chatSay(page, "ru", "+1");
    await sees(answer, ftl("ru", "orders", "order-confirmed"), "the second comment's order confirmed");
    const mine = await api(`/orders?session_id=${sessionId}`, token);
    assert.equal(mine.items.length, 2, JSON.stringify(mine));
    for (const o of mine.items) {
      assert.deepEqual([o.quantity, o.currency, o.ship_to.address], [1, who.currency, who.address]);
      await sees(page.getByTestId("my-orders"), new RegExp(`[#№]${o.id}(\\D|$)`), `order ${o.id} in the guest's orders`);
    }
    // The room: the messages, masked, and the orders' lines on another guest's page; the console
    // marks each message with the order it became.
    const keyword = vi.getByTestId("chat-messages").getByRole("listitem").filter({ hasText: "+1" }).filter({ hasText: /D\*\*\*y/ });
    await sees(keyword, /D\*\*\*y.*Astana/s, "the new guest's keyword on the Vietnamese page");
    await keyword.nth(1).waitFor();
    assert.equal(await keyword.count(), 2, "the new guest's two keywords, the resent one once");
    assert.equal(await keyword.first().locator(".chat-text").getAttribute("lang"), "ru");
    await sees(vi.getByTestId("orders-stream").getByRole("listitem"), /D\*\*\*y/, "the comment's order in the room's stream");
    await sees(host.getByTestId("counter-orders"), exactly(6), "both orders counted on the console");
    const rows = host.getByTestId("chat-messages").getByRole("listitem").filter({ hasText: "Dmitry" });
    for (const o of mine.items) {
      await sees(rows, new RegExp(`Ordered: #${o.id}(\\D|$)`), `the message that became order ${o.id}, marked on the console`);
    }
    assert.equal(await rows.count(), 2, "a resent message is one message");
    await host.getByTestId("chat").scrollIntoViewIfNeeded();
    await host.screenshot({ path: join(ARTIFACTS, "host-chat-ordered.png") });
  });

  // For reviewers: the Vietnamese guest's page (product, sale, the confirmation with its
  // deadline and duties note, the stream, their orders) in each of the 16 locales at phone
  // size, switched with the language picker (one page, no reload). Each deadline and duties
  // note is checked in its locale on the way.
  await step(t, "the buyer page in all 16 locales at phone size (screenshots for reviewers)", async () => {
    const vnOrder = await api(`/orders?session_id=${sessionId}`, demo.tokens.operator).then((p) => p.items.find((o) => o.market === "VN"));
    assert.ok(vnOrder, "the Vietnamese guest's order");
    for (const locale of LOCALES) {
      await vi.locator("#locale").selectOption(locale);
      await vi.locator(`html[lang="${locale}"]`).waitFor();
      const answer = vi.getByTestId("order-answer");
      await sees(answer.getByTestId("pay-by"), ftl(locale, "page", "page-pay-within"), `the deadline in ${locale}`);
      await sees(answer.getByTestId("duties"), ftl(locale, "page", dutiesMessage(vnOrder)), `the duties note in ${locale}`);
      await sees(vi.getByTestId("price"), /\d/, `the price in ${locale}`);
      // The feed, reconnected in the new language, has replayed the room's orders.
      await vi.locator("[data-testid=feed-state][data-state=live]").waitFor();
      await sees(vi.getByTestId("orders-stream").getByRole("listitem"), /\S/, `the stream in ${locale}`);
      // One numbering system per page: counts in messages are in Latin digits like the prices
      // (Burmese, Thai, Lao, Khmer and Mongolian have digits of their own).
      const text = await vi.evaluate(() => document.body.innerText);
      const native = text.match(/[\u1040-\u1049\u0E50-\u0E59\u0ED0-\u0ED9\u17E0-\u17E9\u1810-\u1819\u0660-\u0669]/u);
      assert.equal(native, null, `digits other than Latin on the ${locale} page: ${native && text.slice(Math.max(0, native.index - 40), native.index + 40)}`);
      await vi.evaluate(() => window.scrollTo(0, 0));
      await vi.screenshot({ path: join(ARTIFACTS, `buyer-${locale}.png`), fullPage: true });
    }
    await vi.locator("#locale").selectOption("vi");
  });

  await step(t, "the page takes the server's choice of locale (uz-Cyrl) and its country names", async () => {
    const page = await person("guest-uz-cyrl", { locale: "uz-Cyrl-UZ", trace: false });
    await page.goto(demo.live.replace("<session-id>", String(sessionId)), { waitUntil: "domcontentloaded" });
    const chosen = (await (await fetch(`${BASE}/ui/l10n/uz-Cyrl-UZ`)).json()).locale;
    await page.locator(`html[lang="${chosen}"]`).waitFor();
    assert.notEqual(chosen, "uz", "the server does not give Latin Uzbek to uz-Cyrl");
    // Country names come from the server's CLDR names, not the browser's.
    const names = (await (await fetch(`${BASE}/ui/l10n/kk`)).json()).countries;
    // The page speaks the server's choice now, so its labels are in that language: the picker
    // by its id.
    await page.locator("#locale").selectOption("kk");
    await page.locator('html[lang="kk"]').waitFor();
    await page.getByRole("button", { name: label("kk", "page-order") }).click();
    const country = page.getByLabel(label("kk", "page-join-country", { select: true })).filter({ visible: true });
    await country.locator("option[value=KZ]").filter({ hasText: new RegExp(`^${names.KZ}$`) }).waitFor({ state: "attached" });
    // A message's attributes reach an element only where @fluent/dom allows them.
    const set = await page.evaluate(async () => {
      const { L10n } = await import("/assets/l10n.js");
      const l10n = new L10n({ locale: "en", chain: ["en"], money: null, resources: [{ locale: "en", ftl: "x = X\n    .href = https://example.invalid/\n    .onclick = alert(1)\n    .title = T\n" }] });
      const a = document.createElement("a");
      a.setAttribute("data-l10n-id", "x");
      l10n.translateElement(a);
      return [a.getAttribute("href"), a.getAttribute("onclick"), a.getAttribute("title"), a.textContent];
    });
    assert.deepEqual(set, [null, null, "T", "X"]);
  });

  await step(t, "no page sent a request anywhere but 127.0.0.1", async () => {
    assert.deepEqual(offsite, []);
  });
});

test("/docs renders every operation of /openapi.json without leaving 127.0.0.1", async (t) => {
  await step(t, "every operation, nothing fetched from elsewhere", docsRender);
});

async function docsRender() {
  // No trace: snapshots of Swagger UI's large page would take longer than the page itself.
  const docs = await person("docs", { trace: false });
  const blocked = [];
  await docs.route("**", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1" || url.protocol === "data:") return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  await docs.goto(demo.docs);
  const spec = await (await fetch(`${BASE}/openapi.json`)).json();
  const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => ["get", "put", "post", "delete", "patch"].includes(m))
      .map((method) => `${method} ${path}`),
  );
  assert.ok(operations.length > 50, `only ${operations.length} operations in /openapi.json`);
  // Swagger UI draws each operation as a block with its method and path (data-path).
  await docs.locator(".opblock").first().waitFor();
  await docs
    .waitForFunction((n) => document.querySelectorAll(".opblock").length >= n, operations.length, { timeout: WAIT_MS })
    .catch(() => {});
  const shown = await docs
    .locator(".opblock")
    .evaluateAll((blocks) =>
      blocks.map((b) => `${b.querySelector(".opblock-summary-method")?.textContent.trim().toLowerCase()} ${b.querySelector(".opblock-summary-path")?.dataset.path}`),
    );
  assert.deepEqual([...shown].sort(), [...operations].sort(), "the operations /docs shows");
  await shot(docs, "docs.png");
  assert.deepEqual(blocked, [], "requests /docs sent off 127.0.0.1");
}

/** Orders `quantity` from a guest's live page (its labels in `locale`); resolves with the
 *  server's answer. */
async function order(page, locale, quantity) {
  await page.getByLabel(label(locale, "page-quantity")).filter({ visible: true }).fill(String(quantity));
  const placed = page.waitForResponse((r) => r.request().method() === "POST" && /\/api\/v1\/sessions\/\d+\/orders$/.test(r.url()));
  await page.getByRole("button", { name: label(locale, "page-order") }).click();
  return placed;
}

/** What the chat step writes: each guest in their language, the host in the session's (ru). */
const CHAT = {
  kk: "Сәлеметсіз бе! Бұл ет Алматыға қанша күнде жетеді?",
  vi: "Chào cả nhà, thịt này giao về Hà Nội mất mấy ngày ạ?",
  host: "Мясо со склада в Хоргосе: в Алматы 2 дня, в Ханой 4 дня.",
  muted: "Mọi người ơi, có ai nghe thấy mình không?",
  phone: "Маған қоңырау шалыңыз: 8 701 555 01 99",
  thanks: "Рақмет!",
  again: "Тағы бір сұрағым бар.",
};

/** Writes `text` in the chat of a guest's live page (its labels in `locale`). */
async function chatSay(page, locale, text) {
  await page.getByLabel(label(locale, "page-chat-label")).fill(text);
  await page.getByRole("button", { name: label(locale, "page-chat-send") }).click();
}

/** Waits for the chat line of `text` on a buyer page: its writer as `who` shows them, its text
 *  tagged with the language it was written in. */
async function seesChatLine(page, text, lang, who, what) {
  const line = page.getByTestId("chat-messages").getByRole("listitem").filter({ hasText: text });
  await sees(line, who, what);
  assert.equal(await line.locator(".chat-text").getAttribute("lang"), lang, `${what}: its lang`);
  assert.equal(await line.locator(".chat-text").getAttribute("dir"), "auto", `${what}: its dir`);
}

/** A guest on the live page before joining: the room is there (the pinned product in their
 *  language, the sale's price in their market's currency, the ticker), and no join form; a
 *  tap on "Order" asks their name, country and city; once joined, they pick their currency and
 *  fill the delivery address (the name and city come from the join form). */
async function joinWhenOrdering(page, who) {
  const L = (id, options) => label(who.locale, id, options);
  const view = await api(`/products/${SALE.product}?locale=${who.locale}`, demo.tokens.buyer);
  await sees(page.locator("main"), view.localized.title.text, `the ${who.locale} title before joining`);
  if (who.price) await sees(page.getByTestId("price"), who.price, `the sale price in ${who.currency} before joining`);
  await sees(page.getByTestId("left"), /\d/, "the ticker before joining");
  assert.equal(await page.getByRole("heading", { name: L("page-join-heading") }).isVisible(), false, "no join form before ordering");
  await page.getByLabel(L("page-currency", { select: true })).filter({ visible: true }).selectOption(who.currency);
  await page.getByRole("button", { name: L("page-order") }).click();
  await page.getByRole("heading", { name: L("page-join-heading") }).waitFor();
  await page.getByLabel(L("page-join-name")).filter({ visible: true }).fill(who.name);
  await page.getByLabel(L("page-join-country", { select: true })).filter({ visible: true }).selectOption(who.country);
  await page.getByLabel(L("page-join-city")).filter({ visible: true }).fill(who.city);
  const joined = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/v1/buyers"));
  await page.getByRole("button", { name: L("page-join-submit") }).click();
  assert.equal((await joined).status(), 201);
  assert.equal(await page.getByLabel(L("page-currency", { select: true })).filter({ visible: true }).inputValue(), who.currency);
  await page.locator("[data-testid=feed-state][data-state=live]").waitFor();
  // The order tapped before joining goes on, and asks for the missing address.
  await sees(page.getByTestId("order-answer"), ftl(who.locale, "page", "page-ship-missing"), "the address asked for");
  await page.getByLabel(L("page-ship-phone")).filter({ visible: true }).fill(who.phone);
  await page.getByLabel(L("page-ship-address")).filter({ visible: true }).fill(who.address);
  if (who.postal) await page.getByLabel(L("page-ship-postal")).filter({ visible: true }).fill(who.postal);
}

/** The payment deadline under the confirmation: the locale's countdown message, its time the
 *  server's `pay_by` less now, not a figure of the page's own: never later than the server's
 *  deadline (the page shows whole seconds, rounded up, refreshed each second: 2 s of slack),
 *  and at most 5 s earlier (the order's round trip on a busy machine). */
async function seesDeadline(page, locale, order_) {
  const clock = page.getByTestId("order-answer").getByTestId("pay-by");
  await sees(clock, ftl(locale, "page", "page-pay-within"), `the ${locale} payment deadline`);
  const text = await clock.innerText();
  const [, h, m, s] = text.match(/(?:(\d+):)?(\d\d):(\d\d)/) || [];
  assert.ok(m, `no countdown in ${JSON.stringify(text)}`);
  const shown = (Number(h || 0) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  const left = Date.parse(order_.pay_by) - Date.now();
  assert.ok(shown - left <= 2000 && left - shown <= 5000, `the page shows ${text}, the server's deadline is ${(left / 1000).toFixed(1)} s away`);
}

/** The duties note an order's landed-cost quote calls for (its message id in page.ftl). */
function dutiesMessage(order_) {
  const quote = order_.landed_cost;
  if (!quote || quote.basis === "unknown") return "page-duties-unknown";
  if (quote.basis === "payable_on_delivery") return "page-duties-on-delivery";
  return (quote.duty_minor || 0) + (quote.taxes_minor || 0) > 0 ? "page-duties-due" : "page-duties-none";
}

/** A single-line message's text as written in locales/<locale>/<file>.ftl. */
function ftlValue(locale, file, id) {
  const text = readFileSync(new URL(`../../locales/${locale}/${file}.ftl`, import.meta.url), "utf8");
  const line = text.split("\n").find((l) => l.startsWith(`${id} =`));
  assert.ok(line, `${id} is not in locales/${locale}/${file}.ftl`);
  return line.slice(id.length + 2).trim();
}

/** The session's GMV in CNY as the server counts it (the operators' sales report), e.g. "141.72". */
async function gmvCny(sessionId) {
  const report = await api(`/reports/sales?group_by=session`, demo.tokens.operator);
  const row = report.rows.find((r) => r.key === String(sessionId));
  assert.ok(row, `no report row for session ${sessionId}: ${JSON.stringify(report)}`);
  return row.gmv_cny;
}

/** An amount like "1234.56" as a page may write it: "1,234.56", "1 234,56", "¥1234.56". */
function amount(decimal) {
  const [whole, fraction] = decimal.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, "[\\s,.\u00a0\u202f]?");
  return new RegExp(`(^|[^\\d])${grouped}[.,]${fraction}([^\\d]|$)`);
}

// ---------------------------------------------------------------- the customs page (docs/customs.md)
// Self-contained: signs in on /console/customs with the demo's operator token and compares what
// the page shows with the server's own answers (the demo's mutual-trade lots and allowance, the
// orders by customs mode, the batches).

test("the operations dashboard's customs page shows the demo's modes, batches and ledger", async (t) => {
  await step(t, "the operator opens the customs page from the dashboard and reads the ledger", customsPage);
});

async function customsPage() {
  const page = await person("customs");
  await page.goto(demo.ops);
  await page.getByLabel(/token/i).fill(demo.tokens.operator);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Customs" }).click();
  await page.waitForURL(/\/console\/customs$/);
  // Signed in on the dashboard, signed in here: the same token, no second form.
  await page.getByRole("heading", { name: "Orders by customs mode" }).waitFor();

  const lots = await api("/mutual-trade/lots", demo.tokens.operator);
  assert.ok(lots.length >= 3, `the demo has mutual-trade lots: ${JSON.stringify(lots)}`);
  const table = page.getByTestId("customs-lots");
  for (const lot of lots) {
    const row = table.locator(`tr[data-lot="${lot.id}"]`);
    await sees(row, new RegExp(lot.resident_name), `lot ${lot.id}'s resident`);
    await sees(row, new RegExp(`HS ${lot.hs_code}`), `lot ${lot.id}'s HS code`);
    const yuan = `${Math.trunc(lot.value_cny_fen / 100)}.${String(lot.value_cny_fen % 100).padStart(2, "0")}`;
    await sees(row, amount(yuan), `lot ${lot.id}'s value in CNY`);
  }
  const made = lots.find((l) => l.product_ids.length > 0);
  assert.ok(made, "a demo product is made from a lot");
  await sees(table.locator(`tr[data-lot="${made.id}"]`), new RegExp(`#${made.product_ids[0]}`), "the product made from the lot");
  await sees(page.locator("#allowance"), amount("8000.00"), "the daily allowance");

  const modes = await api("/customs/orders-by-mode", demo.tokens.operator);
  for (const m of modes) {
    await sees(page.getByTestId("customs-modes").locator(`tr[data-mode="${m.customs_mode || "none"}"]`), alone(m.orders), `orders of mode ${m.customs_mode}`);
  }
  const precheck = await api("/customs/precheck", demo.tokens.operator);
  await sees(page.getByTestId("customs-ready"), alone(precheck.ready), "orders ready to declare");
  for (const c of precheck.not_ready) {
    await sees(page.getByTestId("customs-precheck").locator(`tr[data-order="${c.order_id}"]`), new RegExp(`#${c.order_id}`), `order ${c.order_id} not ready`);
  }
  await shot(page, "ops-customs.png");
}

// ---------------------------------------------------------------- the session's stream (docs/streams.md)
// Self-contained: a session of the demo host with the brisket pinned, made through the API; the
// stream is set from the console, watched on a phone.

test("the host sets the session's stream; a phone plays it muted with the order button over it", async (t) => {
  let host, buyer, sessionId, live;

  await step(t, "the host sets an HLS stream from the console; an origin the server does not list is refused there", async () => {
    const session = await api("/sessions", demo.tokens.host, {
      method: "POST",
      body: JSON.stringify({ title: "Erenhot evening stream", language: "ru", markets: ["KZ"] }),
    });
    sessionId = session.id;
    live = demo.live.replace("<session-id>", String(sessionId));
    const post = { method: "POST", body: JSON.stringify({ product_id: Number(SALE.product) }) };
    await api(`/sessions/${sessionId}/showcase`, demo.tokens.host, post);
    await api(`/sessions/${sessionId}/pin`, demo.tokens.host, post);
    await api(`/sessions/${sessionId}/start`, demo.tokens.host, { method: "POST", body: "{}" });

    host = await person("stream-host");
    await host.goto(`${demo.console}?session=${sessionId}`);
    await host.getByLabel(/token/i).fill(demo.tokens.host);
    await host.getByRole("button", { name: "Sign in" }).click();
    await host.getByRole("heading", { name: "Erenhot evening stream" }).waitFor();
    const card = host.getByRole("region", { name: "Stream", exact: true });
    await sees(card.getByTestId("stream-current"), /No stream is set/, "no stream yet");

    await card.getByLabel("Kind").selectOption("hls");
    await card.getByLabel("URL").fill("https://media.invalid/live/7.m3u8");
    const refused = host.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith(`/sessions/${sessionId}/stream`));
    await card.getByRole("button", { name: "Set the stream" }).click();
    assert.equal((await refused).status(), 422);
    await sees(card.getByRole("alert"), /stream_origin_not_allowed/, "the refusal next to the form");

    await card.getByLabel("URL").fill(MEDIA_URL);
    const set = host.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith(`/sessions/${sessionId}/stream`));
    await card.getByRole("button", { name: "Set the stream" }).click();
    const answer = await set;
    assert.equal(answer.status(), 200, await answer.text());
    await sees(card.getByTestId("stream-current"), new RegExp(`Buyers watch ${MEDIA_URL.replace(/[.?]/g, "\\$&")}`), "the stream set");
    await card.scrollIntoViewIfNeeded();
    await host.screenshot({ path: join(ARTIFACTS, "host-stream.png") });
  });

  await step(t, "a buyer's phone plays the stream muted, inside the page's CSP, the order button on screen over it", async () => {
    buyer = await person("stream-buyer", { viewport: PHONE, isMobile: true, hasTouch: true });
    const violations = [];
    await buyer.exposeFunction("cspViolation", (what) => violations.push(what));
    await buyer.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => window.cspViolation(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await buyer.goto(live);
    const video = buyer.getByTestId("video");
    await video.waitFor({ state: "visible" });
    // Played by itself (muted autoplay), through the vendored hls.js: frames decoded, time moving.
    await buyer.waitForFunction(
      () => {
        const v = document.getElementById("video");
        return v.currentTime > 0.5 && v.videoWidth === 180 && v.videoHeight === 320;
      },
      null,
      { timeout: WAIT_MS },
    );
    assert.equal(await video.evaluate((v) => v.muted), true, "muted until the buyer turns the sound on");
    assert.match(await video.evaluate((v) => v.currentSrc), /^blob:/, "played through Media Source Extensions (hls.js)");
    assert.deepEqual(violations, [], "nothing the page loads breaks its CSP");

    // The order button is on screen and on top, at the top of the page and at its very bottom.
    const order = buyer.getByRole("button", { name: "Order now" });
    for (const where of ["top", "bottom"]) {
      await buyer.evaluate((to) => window.scrollTo(0, to === "top" ? 0 : document.body.scrollHeight), where);
      const box = await order.boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= PHONE.height, `the order button is on screen (${where}): ${JSON.stringify(box)}`);
      const onTop = await buyer.evaluate(({ x, y }) => {
        const hit = document.elementFromPoint(x, y);
        return !!hit && hit.closest("#order") !== null;
      }, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
      assert.ok(onTop, `nothing covers the order button (${where})`);
    }
    await shot(buyer, "buyer-stream.png");

    const sound = buyer.getByRole("button", { name: "Turn the sound on" });
    await sound.click();
    await buyer.getByRole("button", { name: "Mute" }).waitFor();
    assert.equal(await video.evaluate((v) => v.muted), false, "the sound is on");
  });

  await step(t, "a link to the platform replaces it; removed, the page shows no stream", async () => {
    const card = host.getByRole("region", { name: "Stream", exact: true });
    await card.getByLabel("Kind").selectOption("link");
    await card.getByLabel("URL").fill("https://live.douyin.com/771600");
    const set = host.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith(`/sessions/${sessionId}/stream`));
    await card.getByRole("button", { name: "Set the stream" }).click();
    assert.equal((await set).status(), 200);
    // The visitor's page reads the room again within 5 s: a link, no video (and no request to it).
    const link = buyer.getByRole("link", { name: "Watch the live stream on live.douyin.com" });
    await link.waitFor();
    assert.equal(await link.getAttribute("href"), "https://live.douyin.com/771600");
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
    await buyer.getByTestId("video").waitFor({ state: "hidden" });

    const removed = host.waitForResponse((r) => r.request().method() === "DELETE" && r.url().endsWith(`/sessions/${sessionId}/stream`));
    await card.getByRole("button", { name: "Remove the stream" }).click();
    assert.equal((await removed).status(), 200);
    await buyer.getByTestId("watch").waitFor({ state: "hidden" });
    await sees(card.getByTestId("stream-current"), /No stream is set/, "the stream removed");
    // The media origin is 127.0.0.1 too; the link's page was never loaded.
    assert.deepEqual(offsite.filter((r) => r.startsWith("stream-")), [], "no request left 127.0.0.1");
  });
});
