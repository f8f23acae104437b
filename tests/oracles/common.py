"""Shared facts for the l10n oracles: locale ids, currencies and their ISO 4217 exponents."""

# Silkstream locale -> babel (CLDR) locale id.
LOCALES = {
    "zh-CN": "zh_Hans_CN",
    "en": "en",
    "ru": "ru",
    "kk": "kk",
    "ky": "ky",
    "uz": "uz_Latn",
    "tt": "tt",
    "mn": "mn",
    "vi": "vi",
    "th": "th",
    "id": "id",
    "ms": "ms",
    "fil": "fil",
    "km": "km",
    "lo": "lo",
    "my": "my",
}

CURRENCIES = [
    "CNY", "USD", "KZT", "KGS", "UZS", "RUB", "MNT", "VND",
    "THB", "IDR", "MYR", "PHP", "KHR", "LAK", "MMK",
]

# ISO 4217 minor-unit exponent: VND 0, every other currency here 2.
ISO_EXPONENT = {c: (0 if c == "VND" else 2) for c in CURRENCIES}

# Currencies whose standard pattern is forced to 0 fraction digits (CLDR cash digits).
CASH_ZERO = {"UZS", "MNT"}
