"""Vietnamese names: stored NFC and clean; searched without case or diacritics (đ included)."""

from __future__ import annotations

import unicodedata

import pytest

from graph.core.text import clean_name, fold, fulltext_query


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("nguyen van an", "Nguyễn Văn An"),
        ("ha noi", "Hà Nội"),
        ("dak lak", "Đắk Lắk"),
        ("DONG THAP", "Đồng Tháp"),
        ("an binh", "Xã An Bình"),
    ],
)
def test_typed_text_folds_into_the_stored_name(typed: str, stored: str) -> None:
    assert fold(typed) in fold(stored)


def test_nfd_input_is_stored_nfc_and_folds_the_same() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert clean_name(nfd) == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", clean_name(nfd))
    assert fold(nfd) == fold("Nguyễn Văn An") == "nguyen van an"


def test_invisible_characters_and_spacing_are_removed() -> None:
    assert clean_name("  Trần\u200b  Thị\u00a0Lan \ufeff") == "Trần Thị Lan"


def test_stop_word_like_syllables_stay_searchable() -> None:
    # "An", "Tổ", "Nó" fold into English stop words; they must not vanish from the query.
    assert fulltext_query("Tổ An") == "to AND an*"


def test_query_syntax_cannot_be_injected() -> None:
    assert fulltext_query('name:"x" OR * ~') == "name AND x AND or*"
    assert fulltext_query("  \t ") is None
