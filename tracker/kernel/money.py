"""Amounts of money: the ISO 4217 currencies a plan or a funding line may be in.

The list is the currencies that are legal tender somewhere today, from the Unicode
CLDR data that Babel ships, with their names in the reader's language.
"""

from __future__ import annotations

from functools import cache

from babel.core import Locale, get_global
from babel.numbers import get_currency_name, get_territory_currencies
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tracker.kernel import clock, names
from tracker.kernel.collation import collated


@cache
def currencies() -> frozenset[str]:
    today = clock.now().date()
    return frozenset(
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, start_date=today, tender=True)
    )


def currency_problem(code: str | None) -> str | None:
    """Why ``code`` is not a currency we take, or None when it is."""
    if code in currencies():
        return None
    return _("“%(code)s” is not an ISO 4217 currency in use (for example USD, EUR, CHF).") % {
        "code": code or ""
    }


def currency_choices() -> list[tuple[str, str]]:
    """("CHF", "Swiss franc (CHF)") for a form, sorted by name in the active language."""
    locale = Locale.parse(names.active_locale())
    named = [
        (code, f"{capfirst(get_currency_name(code, locale=locale))} ({code})")
        for code in currencies()
    ]
    return collated(named, key=lambda choice: choice[1])
