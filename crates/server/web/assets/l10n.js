// l10n.js: the pages' strings, from the server's Fluent files (locales/*/page.ftl, console.ftl).
//
//   import { L10n, LOCALES, formatMoney } from "/assets/l10n.js";
//   const l10n = await L10n.load("kk");         // GET /ui/l10n/kk: every page-/console- message
//   l10n.t("page-left", { count: 5 });           // a message, with variables and plurals
//   l10n.translate(document);                    // every [data-l10n-id] element
//   formatMoney("kk", "KZT", 499000);            // "4 990,00 ₸", the server's CLDR format
//                                                // (assets/money.js; after L10n.load("kk"))
//
// Markup: <h2 data-l10n-id="page-title"></h2>, with variables in
// data-l10n-args='{"count": 2}'. A message's attributes set the element's attributes of the
// same name: `page-name = Name` / `    .placeholder = Your name` / `    .aria-label = …`, but
// only the localizable ones @fluent/dom allows (LOCALIZABLE_ATTRIBUTES: title, aria-label,
// aria-valuetext on any element; placeholder on inputs, alt on images…) and those the element
// lists itself in data-l10n-attrs="a, b": a message can never set href, src, on* or style.
// data-l10n-attr="aria-label" puts the message's value into that attribute instead of the
// text (an icon button: <button data-l10n-id="page-more" data-l10n-attr="aria-label">+</button>).
// Inputs, selects and textareas never get text, only attributes.
// Each message is taken along the locale's fallback chain on the server (kk → ru → en) and
// formatted with the rules of the locale it came from. A missing message shows its id.
// Which locale a browser gets is the server's negotiation (L10n.negotiate(tags) asks
// /ui/l10n/{tag}, which normalises any tag), not a guess here; country names come with the
// messages (l10n.country("KZ"): CLDR, from the server), not from the browser's Intl data.

import { FluentBundle, FluentResource } from "/assets/vendor/fluent-bundle/index.js";
import { formatMoney, rememberMoney } from "/assets/money.js";

// Money as the server formats it, from the `money` of the loaded messages (assets/money.js).
export { formatMoney };

// The 16 locales, each in its own name (for language pickers), in the design's order.
export const LOCALES = [
  ["zh-CN", "简体中文"],
  ["en", "English"],
  ["ru", "Русский"],
  ["kk", "Қазақша"],
  ["ky", "Кыргызча"],
  ["uz", "Oʻzbekcha"],
  ["tt", "Татарча"],
  ["mn", "Монгол"],
  ["vi", "Tiếng Việt"],
  ["th", "ไทย"],
  ["id", "Bahasa Indonesia"],
  ["ms", "Bahasa Melayu"],
  ["fil", "Filipino"],
  ["km", "ខ្មែរ"],
  ["lo", "ລາວ"],
  ["my", "မြန်မာ"],
];

// The hour cycle of a locale's clock: "h12" where CLDR's short time pattern is 12-hour (en, fil,
// ms, km: "h:mm a"), "h23" for the other locales. Given to Intl explicitly, because a browser
// without a locale's data (Debian's Chromium has none for kk, ky, tt…) falls back to its own
// default clock, en-US's 12-hour one.
const TWELVE_HOUR = new Set(["en", "fil", "ms", "km"]);
export function hourCycle(locale) {
  return TWELVE_HOUR.has(locale) ? "h12" : "h23";
}

// The browser's language preferences (navigator.languages), for L10n.negotiate.
export function browserLocales() {
  return (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]).filter(Boolean);
}

// The attributes a message may set, as @fluent/dom's LOCALIZABLE_ATTRIBUTES (HTML): any
// element's, then per element name. An element may allow more with data-l10n-attrs.
const LOCALIZABLE_ATTRIBUTES = {
  global: ["title", "aria-label", "aria-valuetext"],
  a: ["download"],
  area: ["download", "alt"],
  input: ["alt", "placeholder"],
  menuitem: ["label"],
  menu: ["label"],
  optgroup: ["label"],
  option: ["label"],
  track: ["label"],
  img: ["alt"],
  textarea: ["placeholder"],
  th: ["abbr"],
};

function allowedAttribute(element, name) {
  const lower = name.toLowerCase();
  if (LOCALIZABLE_ATTRIBUTES.global.includes(lower)) return true;
  const own = LOCALIZABLE_ATTRIBUTES[element.localName];
  if (own && own.includes(lower)) return true;
  const extra = element.getAttribute("data-l10n-attrs");
  return Boolean(extra) && extra.split(",").some((a) => a.trim().toLowerCase() === lower) && !lower.startsWith("on");
}

export class L10n {
  constructor(data) {
    this.locale = data.locale;
    this.chain = data.chain;
    this.money = data.money;
    this.countries = data.countries || {};
    rememberMoney(data.locale, data.money);
    this.bundles = data.resources.map(({ locale, ftl }) => {
      // Numbers in messages use Latin digits, like the prices beside them (money.js) and the
      // server's own lines: one numbering system per page (Burmese defaults to Myanmar digits).
      const bundle = new FluentBundle(`${locale}-u-nu-latn`, { useIsolating: false });
      const errors = bundle.addResource(new FluentResource(ftl));
      for (const error of errors) console.warn("l10n", locale, error);
      return bundle;
    });
  }

  static async load(locale) {
    const response = await fetch(`/ui/l10n/${encodeURIComponent(locale)}`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`cannot load the messages of ${locale}: HTTP ${response.status}`);
    const l10n = new L10n(await response.json());
    rememberMoney(locale, l10n.money);
    return l10n;
  }

  // The messages of the first of `tags` the server speaks (any BCP 47 tag: the server
  // normalises it, e.g. kk-KZ → kk, zh-Hans → zh-CN); English when it speaks none of them.
  // `l10n.locale` is the locale it chose.
  static async negotiate(tags) {
    for (const tag of tags) {
      const response = await fetch(`/ui/l10n/${encodeURIComponent(tag)}`, { headers: { Accept: "application/json" } });
      if (response.status === 404) continue;
      if (!response.ok) throw new Error(`cannot load the messages of ${tag}: HTTP ${response.status}`);
      const l10n = new L10n(await response.json());
      rememberMoney(l10n.locale, l10n.money);
      return l10n;
    }
    return L10n.load("en");
  }

  // A country's name (ISO 3166-1 alpha-2) in this locale, from CLDR on the server; null when
  // it has none.
  country(code) {
    return Object.hasOwn(this.countries, code) ? this.countries[code] : null;
  }

  has(id) {
    return this.bundles.some((b) => b.hasMessage(id));
  }

  // The message's value; `attr` names one of its attributes instead.
  t(id, args = {}, attr = null) {
    for (const bundle of this.bundles) {
      const message = bundle.getMessage(id);
      if (!message) continue;
      const pattern = attr ? message.attributes[attr] : message.value;
      if (!pattern) continue;
      const errors = [];
      const text = bundle.formatPattern(pattern, args, errors);
      if (errors.length) console.warn("l10n", id, errors);
      return text;
    }
    return attr ? "" : id;
  }

  attributes(id, args = {}) {
    for (const bundle of this.bundles) {
      const message = bundle.getMessage(id);
      if (!message) continue;
      const out = {};
      for (const [name, pattern] of Object.entries(message.attributes)) {
        out[name] = bundle.formatPattern(pattern, args, []);
      }
      return out;
    }
    return {};
  }

  // Fills one element from its data-l10n-id / data-l10n-args.
  translateElement(element) {
    const id = element.getAttribute("data-l10n-id");
    if (!id) return;
    let args = {};
    const raw = element.getAttribute("data-l10n-args");
    if (raw) {
      try {
        args = JSON.parse(raw);
      } catch {
        args = {};
      }
    }
    const bundle = this.bundles.find((b) => b.hasMessage(id));
    const message = bundle && bundle.getMessage(id);
    const target = element.getAttribute("data-l10n-attr");
    const value = message ? (message.value ? this.t(id, args) : null) : id;
    if (target) {
      if (value !== null && allowedAttribute(element, target)) element.setAttribute(target, value);
    } else if (value !== null && !["INPUT", "SELECT", "TEXTAREA"].includes(element.tagName)) {
      element.textContent = value;
    }
    for (const [name, value] of Object.entries(this.attributes(id, args))) {
      if (allowedAttribute(element, name)) element.setAttribute(name, value);
      else console.warn("l10n", id, `attribute ${name} is not localizable here`);
    }
  }

  // Fills every [data-l10n-id] under root (root included) and sets <html lang>.
  translate(root = document) {
    if (root === document) document.documentElement.lang = this.locale;
    if (root.nodeType === 1 && root.hasAttribute("data-l10n-id")) this.translateElement(root);
    for (const element of root.querySelectorAll("[data-l10n-id]")) this.translateElement(element);
  }
}

// Sets data-l10n-id/args on an element and translates it at once.
export function setL10n(l10n, element, id, args) {
  element.setAttribute("data-l10n-id", id);
  if (args) element.setAttribute("data-l10n-args", JSON.stringify(args));
  else element.removeAttribute("data-l10n-args");
  if (l10n) l10n.translateElement(element);
}
