"""People: team members, focal points and experts. One person may hold several of these roles,
so a Person node is written once and the roles point at it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graph.db import Tx
from graph.decisions import iso, require, unwind
from graph.text import clean_name, fold

# Vietnamese numbers in E.164: +84 and nine digits (the leading 0 of the national form dropped).
E164_VN = re.compile(r"^\+84\d{9}$")


@lru_cache(maxsize=65_536)
def name_and_key(full_name: str) -> tuple[str, str]:
    """(stored name, searchKey) of a name. Cached: a national load writes ~400k people and
    100k teams sharing a few tens of thousands of distinct names, and folding is the costly
    part of building their rows."""
    name = clean_name(full_name)
    return name, fold(name)


@dataclass(frozen=True, slots=True)
class PersonInput:
    id: str
    full_name: str
    phone: str | None = None
    email: str | None = None
    birth_date: dt.date | None = None
    synthetic: bool = False

    def __post_init__(self) -> None:
        require(bool(self.id and self.full_name.strip()), f"person {self.id!r}: id and name")
        require(
            self.phone is None or E164_VN.match(self.phone) is not None,
            f"person {self.id!r}: phone {self.phone!r} is not +84 E.164",
        )
        require(
            self.email is None or ("@" in self.email and self.email == self.email.lower()),
            f"person {self.id!r}: email must be lower-case with an @",
        )

    def as_param(self) -> dict[str, Any]:
        name, key = name_and_key(self.full_name)
        return {
            "id": self.id,
            "fullName": name,
            "searchKey": key,
            "phone": self.phone,
            "email": self.email,
            "birthDate": iso(self.birth_date),
            "isSynthetic": self.synthetic,
        }


async def upsert_people(tx: Tx, rows: list[dict[str, Any]]) -> int:
    """MERGE people by id. ``email`` is unique: a row reusing another person's email fails the
    whole batch, which is what a duplicate registration should do."""
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        MERGE (p:Person {id: row.id})
        SET p.fullName = row.fullName, p.searchKey = row.searchKey, p.phone = row.phone,
            p.email = row.email, p.birthDate = date(row.birthDate), p.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET p:Synthetic)
        RETURN count(*) AS n
        """,
        rows,
    )
