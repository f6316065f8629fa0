"""Vietnamese text rules shared by every writer and reader of the graph.

Names are stored NFC. Search compares a *folded key*: NFD, combining marks stripped, đ/Đ → d,
lower-cased, non-alphanumerics collapsed to single spaces. It is computed here, in Python, on
write and on query, because Neo4j's `standard-folding` analyzer also drops English stop words,
and Vietnamese syllables fold into them ("An", "Tổ", "Nó" → an, to, no): "an binh" would then
miss "Xã An Bình". The key is indexed with the stop-word-free `whitespace` analyzer.
"""

from __future__ import annotations

import re
import unicodedata

from graph.core.errors import InvalidInput

# Zero-width and bidi-control characters are invisible in forms and spreadsheets; they make two
# identical-looking names differ, so they are removed before anything is stored.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


def clean_name(value: str) -> str:
    """NFC, invisible characters removed, inner whitespace collapsed, trimmed."""
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    return _SPACES.sub(" ", value).strip()


def fold(value: str) -> str:
    """The search key: 'Xã Đắk Lắk' → 'xa dak lak'."""
    decomposed = unicodedata.normalize("NFD", _INVISIBLE.sub("", value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    return _NON_ALNUM.sub(" ", stripped).strip()


# What one search may ask: Lucene refuses a query of more than 1,024 clauses (one per word),
# and a name is at most 200 characters (graph/validation.py NAME_MAX), so at most 100 words.
SEARCH_CHARS_MAX = 500
SEARCH_WORDS_MAX = 100


def fulltext_query(text: str, field: str = "text") -> str | None:
    """A Lucene query over folded keys: every word must match, the last one as a prefix.

    Folding leaves only [0-9a-z] and spaces, so nothing the user typed can reach Lucene's
    query syntax. Returns None when nothing searchable is left. Longer than SEARCH_CHARS_MAX
    characters or SEARCH_WORDS_MAX words: ``InvalidInput`` naming ``field``.
    """
    if len(text) > SEARCH_CHARS_MAX:
        raise InvalidInput(field, f"at most {SEARCH_CHARS_MAX} characters to search for")
    words = fold(text).split()
    if len(words) > SEARCH_WORDS_MAX:
        raise InvalidInput(field, f"at most {SEARCH_WORDS_MAX} words to search for")
    if not words:
        return None
    *whole, last = words
    return " AND ".join([*whole, f"{last}*"])
