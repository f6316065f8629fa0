"""Countries of residence: ISO 3166-1 alpha-2 codes with their Vietnamese and English names.

The list of codes is the ISO standard's as the ``pycountry`` package ships it (Debian's
iso-codes); the names are Unicode CLDR's as the ``babel`` package ships them (pycountry has
English names only, and formal ones: "Korea, Republic of"). Nothing is typed by hand; a code
CLDR has no Vietnamese name for falls back to English.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry
from babel import Locale

from graph.core.text import fold

VIETNAM = "VN"


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name_vi: str
    name_en: str


@cache
def countries() -> dict[str, Country]:
    """Every assigned ISO 3166-1 code, ordered by Vietnamese name (ignoring diacritics)."""
    vi, en = Locale("vi").territories, Locale("en").territories
    found = []
    for c in pycountry.countries:
        code = str(c.alpha_2)
        english = en.get(code) or str(c.name)
        found.append(
            Country(
                code,
                unicodedata.normalize("NFC", vi.get(code) or english),
                unicodedata.normalize("NFC", english),
            )
        )
    found.sort(key=lambda c: fold(c.name_vi))
    return {c.code: c for c in found}


def country(code: str) -> Country | None:
    return countries().get(code.strip().upper())
