// money.js: money exactly as the server formats it (crates/l10n/src/money.rs `format_money`),
// from the locale's CLDR parameters the server sends with the messages (`money` in
// GET /ui/l10n/{locale}), so that no page depends on the browser's ICU data (Debian's
// Chromium has none for Kazakh: Intl gives "KZT 4,990.00" where the server says "4 990,00 ₸").
//
//   import { formatMoney } from "/assets/l10n.js";   // re-exported from here
//   const l10n = await L10n.load("kk");               // remembers kk's money format
//   formatMoney("kk", "KZT", 499000);                 // "4 990,00 ₸" (no-break spaces)
//   formatMoney(l10n, "KZT", 499000);                 // the same, from the L10n object
//
// Latin digits; amounts are integer minor units (numbers, BigInts or digit strings). Fewer
// digits shown than carried (UZS, MNT) round half to even, the sign from the amount before
// rounding. No module imports: tests/web.rs runs this file under Node against the server.

const FORMATS = new Map();

// Keeps a locale's money format (the `money` object of /ui/l10n/{locale}).
export function rememberMoney(locale, money) {
  if (locale && money) FORMATS.set(locale, money);
}

// The integer part with the locale's grouping: grouping[0] digits from the right, then
// grouping[1], only from grouping[0] + min_grouping digits on.
function group(int, money) {
  const primary = money.grouping[0];
  const secondary = money.grouping[1] || primary;
  if (!primary || int.length < primary + money.min_grouping) return int;
  const parts = [int.slice(-primary)];
  let rest = int.slice(0, -primary);
  while (rest.length > secondary) {
    parts.unshift(rest.slice(-secondary));
    rest = rest.slice(0, -secondary);
  }
  parts.unshift(rest);
  return parts.join(money.group);
}

// `minor` units of `currency` with one locale's money format (the `money` object), or null
// when the format or the currency is unknown or `minor` is not an integer.
export function formatMoneyWith(money, currency, minor) {
  const c = money && money.currencies && Object.hasOwn(money.currencies, currency) ? money.currencies[currency] : null;
  if (!c) return null;
  let units;
  try {
    units = BigInt(minor);
  } catch {
    return null;
  }
  const negative = units < 0n;
  let shown = negative ? -units : units;
  if (c.digits >= c.exponent) {
    shown *= 10n ** BigInt(c.digits - c.exponent);
  } else {
    const div = 10n ** BigInt(c.exponent - c.digits);
    const q = shown / div;
    const twice = (shown % div) * 2n;
    shown = twice > div || (twice === div && q % 2n === 1n) ? q + 1n : q;
  }
  const text = shown.toString().padStart(c.digits + 1, "0");
  const int = text.slice(0, text.length - c.digits);
  const fraction = text.slice(text.length - c.digits);
  const number = group(int, money) + (c.digits > 0 ? money.decimal + fraction : "");
  const [prefix, suffix] = negative ? money.negative : money.positive;
  return prefix.replaceAll("¤", c.symbol) + number + suffix.replaceAll("¤", c.symbol);
}

// Integer minor units as money: `locale` is an L10n object (its `money`) or a locale whose
// messages were loaded. Without the server's format (messages not loaded, a currency it does
// not know), the browser's Intl is the last resort.
export function formatMoney(locale, currency, minor) {
  const money = locale && typeof locale === "object" ? locale.money : FORMATS.get(locale);
  const text = formatMoneyWith(money, currency, minor);
  if (text !== null) return text;
  const tag = locale && typeof locale === "object" ? locale.locale : locale;
  const digits = currency === "VND" ? 0 : 2;
  const value = Number(minor) / 10 ** digits;
  try {
    return new Intl.NumberFormat(tag, { style: "currency", currency, numberingSystem: "latn" }).format(value);
  } catch {
    return `${value} ${currency}`;
  }
}
