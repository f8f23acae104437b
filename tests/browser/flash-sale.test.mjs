// A whole flash sale in a real browser (Debian's headless Chromium, driven by playwright-core):
// the demo host signs in on the studio console, opens a session for Kazakhstan and Vietnam,
// pins the brisket and starts a flash sale priced in KZT and VND; two guests join from their
// live pages, one in Kazakh paying in tenge, one in Vietnamese paying in dong, and order; the
// console and the operations dashboard count their orders; the Kazakh guest, ordering past the
// per-buyer limit, is refused in Kazakh; the Vietnamese guest's network drops and comes back,
// the page says it is reconnecting, then live, and the order placed meanwhile is in its list.
// /docs renders every operation with no request leaving 127.0.0.1 (nor does any other page).
//
// Run by scripts/browser-test.sh, which starts `silkstream serve --demo` on a fresh database
// and passes:
//   SILKSTREAM_BASE_URL     the server, http://127.0.0.1:PORT
//   SILKSTREAM_DEMO_OUTPUT  a file holding what `serve --demo` printed (tokens, page URLs)
//   SILKSTREAM_ARTIFACTS    where screenshots (and traces of a failed run) go
//   SILKSTREAM_CHROMIUM     the browser binary (/usr/bin/chromium)
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
// The flags Chromium needs here (root, no GPU, no outside traffic of its own).
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
const WAIT_MS = 20_000;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

// The sale: the demo's brisket (product 1, variant 1), stocked in Khorgos, which serves KZ.
const SALE = {
  title: "Khorgos & Pingxiang border night",
  product: "1",
  quantity: 20,
  limit: 2,
  kzt: "4990", // KZT 4,990.00
  vnd: "299000", // VND 299,000 (no minor unit)
};

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/browser-test.sh`);
  return value;
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
    live: page("/live/<session id>"),
    docs: page("/docs"),
  };
}

/** A number standing alone in a text ("Orders 2", "2", "sold 3 / left 17"), not inside 12 or 20. */
function alone(n) {
  return new RegExp(`(^|[^\\d])${n}([^\\d]|$)`);
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
async function person(name, options = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, ...options });
  context.setDefaultTimeout(WAIT_MS);
  const note = (url) => {
    const u = new URL(url);
    if (u.protocol === "data:" || u.protocol === "blob:") return;
    if (u.hostname !== "127.0.0.1") offsite.push(`${name}: ${url}`);
  };
  context.on("request", (request) => note(request.url()));
  context.on("page", (page) => page.on("websocket", (ws) => note(ws.url())));
  await context.tracing.start({ screenshots: true, snapshots: true });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`[${name}] page error: ${error.message}`));
  page.on("console", (m) => m.type() === "error" && console.log(`[${name}] console: ${m.text()}`));
  contexts.push({ name, context, page });
  return page;
}

async function shot(page, file) {
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
    await host.getByRole("button", { name: /sign in/i }).click();
    await host.getByRole("heading", { name: /sessions/i }).first().waitFor();

    await host.getByLabel(/^title/i).fill(SALE.title);
    await host.getByLabel(/language/i).first().selectOption("ru");
    await host.getByLabel(/markets/i).fill("KZ, VN");
    const created = host.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/v1/sessions"));
    await host.getByRole("button", { name: /create/i }).click();
    const response = await created;
    assert.equal(response.status(), 201, await response.text());
    sessionId = (await response.json()).id;

    const started = host.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${sessionId}/start`));
    await host.getByRole("button", { name: /^start/i }).first().click();
    assert.equal((await started).status(), 200);
  });

  await step(t, "the host adds the brisket to the showcase, pins it and starts a flash sale in KZT and VND", async () => {
    await host.getByLabel(/product/i).first().fill(SALE.product);
    const added = host.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${sessionId}/showcase`));
    await host.getByRole("button", { name: /add/i }).first().click();
    assert.equal((await added).status(), 200);
    const pinned = host.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${sessionId}/pin`));
    await host.getByRole("button", { name: /^pin/i }).first().click();
    assert.equal((await pinned).status(), 200);

    await host.getByLabel(/quantity/i).fill(String(SALE.quantity));
    await host.getByLabel(/per-buyer limit|limit per buyer/i).fill(String(SALE.limit));
    await host.getByLabel(/KZT/).fill(SALE.kzt);
    await host.getByLabel(/VND/).fill(SALE.vnd);
    const opened = host.waitForResponse((r) => r.url().endsWith(`/api/v1/sessions/${sessionId}/flash-sales`));
    await host.getByRole("button", { name: /start (the )?flash sale/i }).click();
    const sale = await opened;
    assert.equal(sale.status(), 201, await sale.text());
    const body = await sale.json();
    assert.deepEqual([body.allocated, body.per_buyer_limit], [SALE.quantity, SALE.limit], JSON.stringify(body));
    await sees(host.getByTestId("counter-left"), alone(SALE.quantity), "units left on the console");
  });

  await step(t, "two guests join the live page: one in Kazakh with KZT, one in Vietnamese with VND", async () => {
    const live = demo.live.replace("<session id>", String(sessionId));
    kk = await person("guest-kk", { locale: "kk-KZ" });
    vi = await person("guest-vi", { viewport: PHONE, isMobile: true, hasTouch: true, locale: "vi-VN" });
    for (const [page, who] of [
      [kk, { name: "Aigerim", country: "KZ", city: "Almaty", locale: "kk", currency: "KZT" }],
      [vi, { name: "Linh", country: "VN", city: "Hanoi", locale: "vi", currency: "VND" }],
    ]) {
      await page.goto(live);
      await page.getByLabel(/name/i).first().fill(who.name);
      await page.getByLabel(/country/i).first().selectOption(who.country);
      await page.getByLabel(/city/i).first().fill(who.city);
      await page.getByLabel(/language/i).first().selectOption(who.locale);
      await page.getByLabel(/currency/i).first().selectOption(who.currency);
      const joined = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/v1/buyers"));
      await page.getByRole("button", { name: /join/i }).click();
      assert.equal((await joined).status(), 201);
      await sees(page.getByTestId("feed-state"), /./, `${who.locale} guest's feed state`);
    }
    // The pinned product in each guest's language and currency.
    const [kkView, viView] = await Promise.all([
      api(`/products/1?locale=kk&currency=KZT`, demo.tokens.buyer),
      api(`/products/1?locale=vi&currency=VND`, demo.tokens.buyer),
    ]);
    await sees(kk.locator("main"), kkView.localized.title.text, "the Kazakh title");
    await sees(vi.locator("main"), viView.localized.title.text, "the Vietnamese title");
  });

  // Each guest orders from the page and reads the confirmation in their language.
  await step(t, "each guest orders and sees the confirmation in their language", async () => {
    await order(kk, 2);
    await sees(kk.getByTestId("order-answer"), /Тапсырыс расталды: 2 дана/, "the Kazakh confirmation");
    await order(vi, 1);
    await sees(vi.getByTestId("order-answer"), /Đã xác nhận đơn hàng: 1 sản phẩm/, "the Vietnamese confirmation");
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

  await step(t, "the Kazakh guest orders past the per-buyer limit and is refused in Kazakh", async () => {
    await order(kk, 1);
    // order-limit-reached in locales/kk: "Бір сатып алушыға 2 данадан артық емес, …"
    await sees(kk.getByTestId("order-answer"), /Бір сатып алушыға 2 данадан артық емес/, "the Kazakh refusal");
    await sees(host.getByTestId("counter-orders"), alone(2), "the refusal is not counted");
  });

  await step(t, "the operations dashboard shows the room with its orders, units and GMV", async () => {
    ops = await person("operator");
    await ops.goto(demo.ops);
    await ops.getByLabel(/token/i).fill(demo.tokens.operator);
    await ops.getByRole("button", { name: /sign in/i }).click();
    const row = ops.getByTestId("rooms").getByRole("row").filter({ hasText: SALE.title });
    await sees(row, alone(2), "the room's orders on the dashboard");
    await sees(row, alone(3), "the room's units on the dashboard");
    await sees(row, amount(await gmvCny(sessionId)), "the room's GMV in CNY on the dashboard");
    await shot(ops, "ops-dashboard.png");
  });

  await step(t, "the buyer page at desktop and at a phone's size", async () => {
    await shot(kk, "buyer-desktop.png");
    await shot(vi, "buyer-phone.png");
  });

  await step(t, "a network drop: reconnecting, then live, and the order placed meanwhile is listed", async () => {
    const state = vi.getByTestId("feed-state");
    await vi.context().setOffline(true);
    await sees(state, /./, "the feed state");
    await vi.getByTestId("feed-state").and(vi.locator("[data-state=reconnecting]")).waitFor();
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
    await vi.context().setOffline(false);
    await vi.getByTestId("feed-state").and(vi.locator("[data-state=live]")).waitFor();
    await sees(vi.getByTestId("orders"), /A\*\*\*n/, "the order placed during the drop, on the Vietnamese page");
    await sees(host.getByTestId("counter-orders"), alone(3), "orders on the console after the drop");
    await sees(host.getByTestId("counter-left"), alone(SALE.quantity - 4), "left on the console after the drop");
  });

  await step(t, "/docs renders every operation of /openapi.json without leaving 127.0.0.1", async () => {
    const docs = await person("docs");
    const blocked = [];
    await docs.route("**", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || url.protocol === "data:") return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    await docs.goto(demo.docs);
    const spec = await (await fetch(`${BASE}/openapi.json`)).json();
    for (const path of Object.keys(spec.paths)) {
      await docs.getByText(path, { exact: true }).first().waitFor();
    }
    assert.deepEqual(blocked, [], "requests /docs sent off 127.0.0.1");
  });

  await step(t, "no page sent a request anywhere but 127.0.0.1", async () => {
    assert.deepEqual(offsite, []);
  });
});

/** Orders `quantity` from a guest's live page, waiting for the server's answer to arrive. */
async function order(page, quantity) {
  await page.getByLabel(/quantity|số lượng|саны/i).first().fill(String(quantity));
  await page.getByTestId("order-button").click();
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
