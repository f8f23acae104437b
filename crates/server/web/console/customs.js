// customs.js: the operations dashboard's customs page (/console/customs, docs/customs.md). An
// operator (or admin) signs in with the dashboard's token; the page shows the orders by customs
// mode (GET /customs/orders-by-mode), the pre-check's problems (GET /customs/precheck), the
// declaration batches and their states (GET /customs/batches; "Declare today's orders" is
// POST /customs/batches for today in China's time), the declarations to withdraw
// (GET /customs/withdrawals) and the mutual-trade ledger (GET /mutual-trade/lots and
// /mutual-trade/allowance). Refreshed every 10 seconds.

import { Api } from "/assets/api.js";
import { clearNotice, cny, el, showError, showOk, startL10n, resumeSignIn, tokenStore } from "/console/common.js";

const $ = (id) => document.getElementById(id);
// The dashboard's token: signed in there, signed in here.
const tokens = tokenStore("silkstream.console.ops.token");
const api = new Api();
const REFRESH_MS = 10000;

const state = { l10n: null, modes: [], precheck: { ready: 0, not_ready: [] }, batches: [], withdrawals: [], lots: [], allowance: [], timer: null };

const t = (id, args) => (state.l10n ? state.l10n.t(id, args) : id);
const locale = () => (state.l10n ? state.l10n.locale : "en");

async function signIn(token, remember) {
  api.setToken(token);
  await api.get("/customs/orders-by-mode");
  if (remember !== null) tokens.set(token, remember);
  $("signin").hidden = true;
  $("app").hidden = false;
  $("signed-in").hidden = false;
  await refresh();
  state.timer = setInterval(refresh, REFRESH_MS);
}

function signOut() {
  tokens.clear();
  clearInterval(state.timer);
  location.reload();
}

async function refresh() {
  try {
    const [modes, precheck, batches, withdrawals, lots, allowance] = await Promise.all([
      api.get("/customs/orders-by-mode"),
      api.get("/customs/precheck"),
      api.get("/customs/batches"),
      api.get("/customs/withdrawals"),
      api.get("/mutual-trade/lots"),
      api.get("/mutual-trade/allowance"),
    ]);
    Object.assign(state, { modes, precheck, batches, withdrawals, lots, allowance });
    clearNotice($("customs-answer"));
    render();
  } catch (e) {
    showError($("customs-answer"), e);
  }
}

const fen = (n) => `${Math.trunc(n / 100)}.${String(n % 100).padStart(2, "0")}`;

function render() {
  $("modes").replaceChildren(
    ...state.modes.map((m) =>
      el(
        "tr",
        { dataset: { mode: m.customs_mode || "none" } },
        el("td", { text: t(`console-customs-mode-${m.customs_mode || "none"}`) }),
        el("td", { class: "num", text: String(m.orders) }),
      ),
    ),
  );
  $("precheck-ready").textContent = t("console-customs-ready", { count: state.precheck.ready });
  $("precheck").replaceChildren(
    ...state.precheck.not_ready.map((c) =>
      el(
        "tr",
        { dataset: { order: String(c.order_id) } },
        el("td", { class: "mono", text: `#${c.order_id}` }),
        el("td", { text: c.reasons.map((r) => t(`console-customs-reason-${r}`)).join("; ") }),
      ),
    ),
  );
  $("precheck-empty").hidden = state.precheck.not_ready.length > 0;
  $("batches").replaceChildren(
    ...state.batches.map((b) =>
      el(
        "tr",
        { dataset: { batch: String(b.id) } },
        el("td", { class: "mono", text: `#${b.id}` }),
        el("td", { text: b.scope === "day" ? `${b.day} (UTC${b.utc_offset})` : t("console-customs-scope-session", { id: b.session_id }) }),
        el("td", { class: "num", text: String(b.pending) }),
        el("td", { class: "num", text: String(b.declared) }),
        el("td", { class: "num", text: String(b.accepted) }),
        el("td", { class: "num", text: String(b.rejected) }),
      ),
    ),
  );
  $("batches-empty").hidden = state.batches.length > 0;
  $("withdrawals").replaceChildren(
    ...state.withdrawals.map((w) => el("li", { class: "mono", text: `#${w.order_id} · ${w.guid} · ${w.order_status}` })),
  );
  $("withdrawals-empty").hidden = state.withdrawals.length > 0;
  const now = state.allowance[state.allowance.length - 1];
  $("allowance").textContent = now ? t("console-customs-allowance", { amount: cny(locale(), String(now.per_person_per_day_cny)), since: now.valid_from }) : "";
  $("lots").replaceChildren(
    ...state.lots.map((l) =>
      el(
        "tr",
        { dataset: { lot: String(l.id) } },
        el("td", { text: l.day }),
        el("td", { text: l.resident_name }),
        el("td", { text: `${l.goods} · HS ${l.hs_code} · ${l.quantity} ${l.unit} · ${l.origin_country}` }),
        el("td", { class: "num", text: cny(locale(), fen(l.value_cny_fen)) }),
        el("td", { text: l.processing_firm }),
        el("td", { class: "mono", text: l.product_ids.map((p) => `#${p}`).join(", ") }),
      ),
    ),
  );
  $("lots-empty").hidden = state.lots.length > 0;
}

async function createBatch() {
  const answer = $("batch-answer");
  clearNotice(answer);
  // Today in China Standard Time (UTC+8), the day the batch is for.
  const day = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  try {
    const created = await api.post("/customs/batches", { day, utc_offset: "+08:00" });
    showOk(answer, t("console-customs-batch-created", { id: created.batch.id, count: created.orders.length }));
    await refresh();
  } catch (e) {
    showError(answer, e);
  }
}

async function main() {
  state.l10n = await startL10n($("ui-locale"), (l10n) => {
    state.l10n = l10n;
    render();
  });
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
  $("create-batch").addEventListener("click", createBatch);
  await resumeSignIn(tokens, signIn);
}

main();
