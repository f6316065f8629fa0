"""People: team members, focal points and experts. One person may hold several of these roles,
so a Person node is written once and the roles point at it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from neo4j.exceptions import ConstraintError

from graph.core.commands import new_id
from graph.core.confusables import email_skeleton
from graph.core.cypher import iso, require, synthetic_only, unwind
from graph.core.db import Tx, run, run_collected
from graph.core.errors import Conflict, Forbidden
from graph.core.text import clean_name, fold
from graph.core.validation import Checker, Code
from graph.units.scopes import Guard, Kind, placement

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
            "emailSkeleton": email_skeleton(self.email) if self.email else None,
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
            p.email = row.email, p.emailSkeleton = row.emailSkeleton,
            p.birthDate = date(row.birthDate), p.synthetic = row.isSynthetic
        FOREACH (_ IN CASE WHEN row.isSynthetic THEN [1] ELSE [] END | SET p:Synthetic)
        RETURN count(*) AS n
        """,
        rows,
    )


async def create_people(tx: Tx, rows: list[dict[str, Any]]) -> int:
    return await unwind(
        tx,
        """
        UNWIND $rows AS row
        CREATE (p:Person:Synthetic {
            id: row.id, fullName: row.fullName, searchKey: row.searchKey, phone: row.phone,
            email: row.email, emailSkeleton: row.emailSkeleton, birthDate: date(row.birthDate),
            synthetic: true})
        RETURN count(*) AS n
        """,
        synthetic_only(rows),
    )


@dataclass(frozen=True, slots=True)
class PhoneOwner:
    id: str
    search_key: str


async def people_by_phone(tx: Tx, phones: Collection[str]) -> dict[str, list[PhoneOwner]]:
    """The people registered with each phone (lowest id first); a phone with none is absent."""
    found = await run_collected(
        tx,
        "UNWIND $phones AS phone MATCH (p:Person {phone: phone}) USING INDEX p:Person(phone) "
        "WITH phone, p ORDER BY p.id "
        "WITH phone, collect(p {.id, .searchKey}) AS people RETURN collect([phone, people]) AS rows",
        phones=sorted(phones),
    )
    return {phone: [PhoneOwner(p["id"], p["searchKey"]) for p in people] for phone, people in found}


@dataclass(frozen=True, slots=True)
class NewPerson:
    full_name: str
    email: str | None = None
    phone: str | None = None
    id: str = field(default_factory=lambda: new_id("person"))


@dataclass(frozen=True, slots=True)
class PersonRef:
    """An existing person by id, or a new one (exactly one of them)."""

    id: str | None = None
    new: NewPerson | None = None


def check_person(check: Checker, ref: PersonRef, prefix: str) -> PersonRef:
    if (ref.id is None) == (ref.new is None):
        check.fail(prefix, Code.REQUIRED, "give either an existing person's id or a new person")
        return ref
    if ref.new is None:
        return ref
    new = ref.new
    name = check.name(f"{prefix}.fullName", new.full_name)
    email = check.email(f"{prefix}.email", new.email, required=False)
    phone = check.phone(f"{prefix}.phone", new.phone)
    return PersonRef(new=NewPerson(name or "", email, phone, new.id))


OUTSIDE_SCOPE = (
    "the person is outside your scope (no active role in it): a coordinator whose scope covers "
    "them, or the national coordinator, can add them; or register a new person"
)


async def person_id_of(tx: Tx, ref: PersonRef, field: str, guard: Guard) -> str:
    """The id of the referenced person, creating the new one.

    An existing person is linked only by a caller whose scope already covers them (their
    active roles, graph/units/scopes.py): linking someone from elsewhere would place them in
    the caller's scope and open their contact fields to it (#12)."""
    if ref.id is not None:
        try:
            guard(await placement(tx, Kind.PERSON, ref.id))
        except Forbidden as refused:
            raise Forbidden(refused.action, OUTSIDE_SCOPE) from None
        return ref.id
    assert ref.new is not None
    new = ref.new
    try:
        await run(
            tx,
            "CREATE (p:Person {id: $id, fullName: $name, searchKey: $key, email: $email, "
            "emailSkeleton: $skeleton, phone: $phone, synthetic: false})",
            id=new.id,
            name=new.full_name,
            key=fold(new.full_name),
            email=new.email,
            skeleton=email_skeleton(new.email) if new.email else None,
            phone=new.phone,
        )
    except ConstraintError:
        # The e-mail, or one that reads the same (Person.emailSkeleton), is someone's already.
        raise Conflict(f"{field}.email", "already belongs to a person: add them by id") from None
    return new.id
