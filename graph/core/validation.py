"""Checking and normalising what people type, collecting every mistake of a form at once.

Every writer of user input goes through a ``Checker``: it returns the cleaned value (names NFC,
trimmed, invisible characters removed; e-mails lower-cased; phones +84 E.164) or records an
``InvalidInput`` with a machine-readable code, and ``done()`` raises ``ValidationFailed`` with all
of them. Nothing here builds Cypher: values only ever travel as parameters.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import TypeVar

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from graph.core.errors import InvalidInput, ValidationFailed
from graph.core.text import clean_name, fold

T = TypeVar("T")

NAME_MAX = 200
TEXT_MAX = 2000


def _controls(value: str) -> bool:
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value)


class Code:
    """Error codes clients can switch on (the message is for people)."""

    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_CHARACTERS = "INVALID_CHARACTERS"
    NOT_IN_VOCABULARY = "NOT_IN_VOCABULARY"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    OUTDATED_NOTICE = "OUTDATED_NOTICE"
    INVALID_DATE = "INVALID_DATE"
    INVALID_VALUE = "INVALID_VALUE"


class CodedInvalidInput(InvalidInput):
    def __init__(self, field: str, code: str, reason: str) -> None:
        super().__init__(field, reason)
        self.code = code


@dataclass
class Checker:
    errors: list[InvalidInput] = field(default_factory=list)

    def fail(self, field: str, code: str, reason: str) -> None:
        self.errors.append(CodedInvalidInput(field, code, reason))

    def require(self, condition: bool, field: str, code: str, reason: str) -> None:
        if not condition:
            self.fail(field, code, reason)

    def name(self, field: str, value: str | None, *, required: bool = True) -> str | None:
        """A person's, team's or organisation's name: NFC, trimmed, at most NAME_MAX characters
        after cleaning, and with at least one letter or digit (a name of emoji or punctuation
        alone cannot be searched for or read out)."""
        if value is None:
            if required:
                self.fail(field, Code.REQUIRED, "is required")
            return None
        if _controls(value):  # line breaks and tabs too: a name is one line
            self.fail(field, Code.INVALID_CHARACTERS, "must not contain control characters")
            return None
        cleaned = clean_name(value)
        if not cleaned:
            if required:
                self.fail(field, Code.REQUIRED, "is required")
            return None
        if len(cleaned) > NAME_MAX:
            self.fail(field, Code.TOO_LONG, f"at most {NAME_MAX} characters")
            return None
        if not fold(cleaned):
            self.fail(field, Code.INVALID_CHARACTERS, "must contain letters or digits")
            return None
        return cleaned

    def text(self, field: str, value: str | None, *, required: bool = False) -> str | None:
        """Free text (a reason, an affiliation): cleaned like a name, longer limit. Line breaks
        and tabs are spaces here; other control characters (NUL, ESC, C1) are refused, as in
        names: they would reach mails and files unseen."""
        if value is not None and _controls(
            value.replace("\t", " ").replace("\r", " ").replace("\n", " ")
        ):
            self.fail(field, Code.INVALID_CHARACTERS, "must not contain control characters")
            return None
        if value is None or not clean_name(value):
            if required:
                self.fail(field, Code.REQUIRED, "is required")
            return None
        cleaned = clean_name(value)
        if len(cleaned) > TEXT_MAX:
            self.fail(field, Code.TOO_LONG, f"at most {TEXT_MAX} characters")
            return None
        return cleaned

    def email(self, field: str, value: str | None, *, required: bool = True) -> str | None:
        """Syntax only (no DNS: registration must not depend on the network); NFKC, so a
        fullwidth "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｖｎ" is the plain address it shows; lower-cased,
        because the same mailbox typed twice in different case is one person. Look-alikes
        from other scripts stay as typed (they may be real mailboxes) and are matched by
        ``graph.core.confusables.email_skeleton`` where duplicates are checked."""
        if value is None or not value.strip():
            if required:
                self.fail(field, Code.REQUIRED, "is required")
            return None
        try:
            checked = validate_email(
                unicodedata.normalize("NFKC", value).strip(), check_deliverability=False
            )
        except EmailNotValidError as error:
            self.fail(field, Code.INVALID_EMAIL, str(error))
            return None
        normalized: str = checked.normalized
        return normalized.lower()

    def phone(self, field: str, value: str | None) -> str | None:
        """Optional Vietnamese number, any usual spelling (0912 345 678, +84 912 345 678),
        stored as +84 E.164."""
        if value is None or not value.strip():
            return None
        try:
            number = phonenumbers.parse(value, "VN")
        except phonenumbers.NumberParseException:
            self.fail(field, Code.INVALID_PHONE, "not a phone number")
            return None
        if number.country_code != 84 or not phonenumbers.is_valid_number(number):
            self.fail(field, Code.INVALID_PHONE, "not a valid Vietnamese phone number")
            return None
        formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return formatted

    def non_empty(self, field: str, values: list[T] | tuple[T, ...]) -> tuple[T, ...]:
        self.require(bool(values), field, Code.REQUIRED, "choose at least one")
        return tuple(dict.fromkeys(values))  # de-duplicated, order kept

    def date_order(self, field: str, start: dt.date, end: dt.date | None) -> None:
        self.require(
            end is None or end >= start, field, Code.INVALID_DATE, "must not be before the start"
        )

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def error_code(error: InvalidInput) -> str:
    return error.code if isinstance(error, CodedInvalidInput) else Code.INVALID_VALUE
