// common.js: what the studio console and the operations dashboard share: the signed-in token
// (sessionStorage, or localStorage when "remember" is ticked), the interface language (the
// footer's picker, stored in localStorage), refusals shown next to the control that caused them,
// and a feed that keeps its place across a snapshot.
//
//   import { tokenStore, startL10n, showError, showOk, ResumingFeed, money, cny } from "/console/common.js";

import { ApiError } from "/assets/api.js";
import { Feed } from "/assets/feed.js";
import { L10n, LOCALES, browserLocales, formatMoney, hourCycle, setL10n } from "/assets/l10n.js";

export function tokenStore(key) {
  return {
    get() {
      try {
        return sessionStorage.getItem(key) || localStorage.getItem(key) || "";
      } catch {
        return "";
      }
    },
    set(token, remember) {
      try {
        sessionStorage.setItem(key, token);
        if (remember) localStorage.setItem(key, token);
        else localStorage.removeItem(key);
      } catch {
        // storage off: the token lives as long as the page
      }
    },
    clear() {
      try {
        sessionStorage.removeItem(key);
        localStorage.removeItem(key);
      } catch {
        // nothing stored
      }
    },
  };
}

// Signs in again with the token kept from an earlier visit (`signIn(token, remember)`), or shows
// the sign-in form: a kept token the server refuses is forgotten and the refusal shown there.
export async function resumeSignIn(tokens, signIn) {
  const saved = tokens.get();
  if (saved) {
    try {
      await signIn(saved, null);
      return;
    } catch (e) {
      tokens.clear();
      showError(document.getElementById("signin-answer"), e);
    }
  }
  document.getElementById("signin").hidden = false;
  document.getElementById("token").focus();
}

const LOCALE_KEY = "silkstream.console.locale";

// Loads the interface language (stored, else the browser's), fills the footer's picker and
// translates the page; resolves with its messages, and `onChange(l10n)` runs after every switch.
// A switch made while an earlier load is on its way (the first one included) wins: switches are
// applied after the first load, and after the caller's own `await` of it, in the order they were
// made; one superseded by a later pick is not applied at all.
export function startL10n(select, onChange) {
  let stored = null;
  try {
    stored = localStorage.getItem(LOCALE_KEY);
  } catch {
    stored = null;
  }
  const locale = stored || "en";
  for (const [code, name] of LOCALES) {
    const option = document.createElement("option");
    option.value = code;
    option.textContent = name;
    option.lang = code;
    select.appendChild(option);
  }
  select.value = locale;
  let picks = 0;
  const first = (async () => {
    let l10n;
    try {
      // The server's negotiation picks among the browser's languages; a stored pick wins.
      l10n = await L10n.negotiate(stored ? [stored] : browserLocales());
    } catch {
      l10n = await L10n.load("en");
    }
    l10n.translate(document);
    if (picks === 0) select.value = l10n.locale;
    return l10n;
  })();
  // The chain of switches: a failed one (or a failed first load) does not stop the next.
  let applied = first.catch(() => {});
  select.addEventListener("change", () => {
    const pick = ++picks;
    const code = select.value;
    const loading = L10n.load(code).catch((e) => {
      console.warn(e);
      return null;
    });
    applied = applied.then(async () => {
      const next = await loading;
      if (!next || pick !== picks) return;
      try {
        localStorage.setItem(LOCALE_KEY, code);
      } catch {
        // not stored
      }
      next.translate(document);
      onChange(next);
    }).catch((e) => console.warn(e));
  });
  return first;
}

// A refusal next to its control: the server's message (and code) in the notice.
export function showError(notice, error) {
  notice.className = "notice bad";
  notice.setAttribute("role", "alert");
  if (error instanceof ApiError) {
    notice.textContent = error.status === 0 ? error.message : `${error.message} (${error.code})`;
  } else {
    notice.textContent = String((error && error.message) || error);
  }
}

export function showOk(notice, text) {
  notice.className = "notice ok";
  notice.setAttribute("role", "status");
  notice.textContent = text;
}

export function clearNotice(notice) {
  notice.className = "notice";
  notice.textContent = "";
}

// The feed of assets/feed.js, keeping its position when a snapshot arrives on a resumed
// connection: the log after `since` follows the snapshot and must not be dropped.
export class ResumingFeed extends Feed {
  receive(message) {
    if (message.type === "snapshot" && this.last !== null) {
      const keep = this.last;
      super.receive(message);
      this.last = keep;
      return;
    }
    super.receive(message);
  }
}

// The feed state indicator: data-state for the look, a message for the words.
export function showFeedState(l10n, element, state, info = {}) {
  element.dataset.state = state === "idle" ? "closed" : state;
  const id = `console-feed-${state}`;
  const args = { attempt: info.attempt || 0, reason: info.reason || "" };
  setL10n(l10n, element, id, args);
}

export function money(locale, currency, minor) {
  return formatMoney(locale, currency, minor);
}

// A CNY decimal string ("141.72") as money in the locale.
export function cny(locale, decimal) {
  const value = Number(decimal || 0);
  return formatMoney(locale, "CNY", Number.isFinite(value) ? Math.round(value * 100) : 0);
}

// Minor units per major unit as the server counts them (docs/l10n.md): VND 0, the rest 2.
export function exponent(currency) {
  return currency === "VND" ? 0 : 2;
}

// "4990" or "4 990,50" (major units) → integer minor units, or null when it is not a plain
// non-negative amount with at most the currency's digits.
export function toMinor(text, currency) {
  const clean = String(text).replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(clean)) return null;
  const [whole, fraction = ""] = clean.split(".");
  const exp = exponent(currency);
  if (fraction.length > exp) return null;
  const minor = BigInt(whole) * 10n ** BigInt(exp) + BigInt((fraction + "0".repeat(exp)).slice(0, exp) || "0");
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(minor);
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// A product's first picture at thumbnail size (decorative: the product's title stands beside
// it), or an empty square of the same size; `extra` adds attributes (a test id).
export function thumbnail(product, extra = {}) {
  const image = product && (product.images || [])[0];
  if (!image) return el("span", { class: "thumb empty", "aria-hidden": "true" });
  return el("img", { class: "thumb", src: image.urls.thumb, alt: "", width: 48, height: 48, loading: "lazy", decoding: "async", ...extra });
}

// A time of day (hours, minutes, seconds) in the console's language and its clock, Latin digits.
export function clockTime(locale, iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(locale, {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: hourCycle(locale),
      numberingSystem: "latn",
    }).format(d);
  } catch {
    return d.toISOString().slice(11, 19);
  }
}

export function mmss(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

// Runs `fn` once, `ms` after the last call.
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
