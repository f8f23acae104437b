#!/usr/bin/env python3
"""Writes the golden JSON that silkstream-l10n's tests compare against, using babel (CLDR).

    pip install -r tests/oracles/requirements.txt
    python3 tests/oracles/make_golden.py

money.json: babel's format_currency with defaults (Latin digits) for every locale x currency x
amount; for UZS and MNT the locale's standard currency pattern with fraction digits forced to 0
(NumberPattern.frac_prec = (0, 0), currency_digits=False). Amounts are given as ISO 4217 minor
units. money_iso.json: every other currency CLDR knows, in every locale, at 20 and -1234567
major units (whole amounts, so the minor units follow from any ISO 4217 exponent), as
{locale: {currency: [positive, negative]}}. plurals.json: the cardinal plural category of a few
numbers in every locale.
"""

import copy
import json
import os
from decimal import Decimal

import babel
from babel import Locale
from babel.core import get_cldr_version
from babel.numbers import format_currency, get_currency_precision, list_currencies, parse_pattern

from common import CASH_ZERO, CURRENCIES, ISO_EXPONENT, LOCALES

HERE = os.path.dirname(os.path.abspath(__file__))

WITH_CENTS = ["0", "1", "5", "999", "1000", "12345.67", "1000000", "123456789.12"]
WHOLE = ["0", "1", "5", "999", "1000", "1000000", "123456789"]
# Half-even rounding where fewer digits are shown than the ISO exponent carries.
ROUNDING = ["0.49", "0.5", "1.5", "2.5", "3.5", "12345.5", "999.99"]
NEGATIVE = {"USD": "-1234.56", "RUB": "-1234.5", "VND": "-1234", "KZT": "-0.01"}
PLURAL_NUMBERS = ["0", "1", "2", "3", "5", "11", "21", "101", "1.5", "1.0", "0.5", "1000000"]


def display_digits(currency):
    return 0 if currency in CASH_ZERO else get_currency_precision(currency)


def babel_format(amount, currency, babel_locale):
    if currency in CASH_ZERO:
        pattern = copy.copy(parse_pattern(Locale.parse(babel_locale).currency_formats["standard"].pattern))
        pattern.frac_prec = (0, 0)
        return format_currency(amount, currency, format=pattern, locale=babel_locale, currency_digits=False)
    return format_currency(amount, currency, locale=babel_locale)


def minor_units(amount, currency):
    value = Decimal(amount) * (Decimal(10) ** ISO_EXPONENT[currency])
    assert value == value.to_integral_value(), (amount, currency)
    return int(value)


def money_cases():
    cases = []
    for locale, babel_locale in LOCALES.items():
        for currency in CURRENCIES:
            shown = display_digits(currency)
            amounts = list(WITH_CENTS if shown > 0 else WHOLE)
            if shown < ISO_EXPONENT[currency]:
                amounts += ROUNDING
            if currency in NEGATIVE:
                amounts.append(NEGATIVE[currency])
            for amount in amounts:
                cases.append(
                    {
                        "locale": locale,
                        "currency": currency,
                        "amount": amount,
                        "minor_units": minor_units(amount, currency),
                        "expected": babel_format(Decimal(amount), currency, babel_locale),
                    }
                )
    return cases


def iso_money():
    """Every currency CLDR knows beyond the supported ones, formatted as babel does by default."""
    others = sorted(set(list_currencies()) - set(CURRENCIES))
    return {
        locale: {
            c: [format_currency(Decimal(a), c, locale=babel_locale) for a in ("20", "-1234567")]
            for c in others
        }
        for locale, babel_locale in LOCALES.items()
    }


def plural_cases():
    cases = []
    for locale, babel_locale in LOCALES.items():
        rule = Locale.parse(babel_locale).plural_form
        for number in PLURAL_NUMBERS:
            cases.append({"locale": locale, "number": number, "expected": rule(Decimal(number))})
    return cases


def write(name, cases):
    doc = {"babel": babel.__version__, "cldr": get_cldr_version(), "cases": cases}
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{name}: {len(cases)} cases (babel {babel.__version__}, CLDR {get_cldr_version()})")


def write_iso(name, table):
    doc = {"babel": babel.__version__, "cldr": get_cldr_version(), "amounts": ["20", "-1234567"],
           "locales": table}
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(f"{name}: {sum(len(v) for v in table.values())} locale x currency pairs")


if __name__ == "__main__":
    write("money.json", money_cases())
    write_iso("money_iso.json", iso_money())
    write("plurals.json", plural_cases())
