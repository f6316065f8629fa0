"""Look-alike e-mails (graph/core/confusables.py) and migration 10, which gives the people already
in the graph their skeleton before the uniqueness constraint holds it."""

from __future__ import annotations

import uuid

import pytest

from graph.core.confusables import email_skeleton
from graph.core.db import Graph, Tx, run
from graph.core.migrations import MIGRATIONS, heal_email_skeletons
from graph.core.validation import Checker


@pytest.mark.parametrize(
    ("typed", "reads_as"),
    [
        ("ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｖｎ", "alice@example.vn"),  # fullwidth
        ("\u0430lice@ex\u0430mple.vn", "alice@example.vn"),  # Cyrillic а
        ("alic\u0435@\u0435xample.vn", "alice@example.vn"),  # Cyrillic е
        ("\u03bfscar@example.vn", "oscar@example.vn"),  # Greek ο
        ("ALICE@Example.VN", "alice@example.vn"),
        ("al\u200bice@example.vn", "alice@example.vn"),  # zero-width space
        ("\U0001d41a\U0001d425ice@example.vn", "alice@example.vn"),  # mathematical bold
    ],
)
def test_look_alikes_share_a_skeleton(typed: str, reads_as: str) -> None:
    assert email_skeleton(typed) == email_skeleton(reads_as) == reads_as


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("nguyen1@example.vn", "nguyenl@example.vn"),  # UTS #39 would merge these
        ("modern@example.vn", "rnodern@example.vn"),
        ("tuan0@example.vn", "tuano@example.vn"),
        ("lê@example.vn", "le@example.vn"),  # a letter with a diacritic is another letter
    ],
)
def test_different_ascii_mailboxes_stay_apart(one: str, other: str) -> None:
    assert email_skeleton(one) != email_skeleton(other)


def test_the_checker_stores_a_fullwidth_address_as_the_address_it_shows() -> None:
    check = Checker()
    assert check.email("email", "ＡＬＩＣＥ＠ｅｘａｍｐｌｅ．ｖｎ") == "alice@example.vn"
    assert check.errors == []


async def _make(tx: Tx, rows: list[dict[str, str]]) -> None:
    await run(
        tx,
        "UNWIND $rows AS r CREATE (:Person {id: r.id, fullName: 'Người Cũ', email: r.email})",
        rows=rows,
    )


async def _skeletons(tx: Tx, ids: list[str]) -> dict[str, str | None]:
    records = await run(
        tx,
        "UNWIND $ids AS id MATCH (p:Person {id: id}) RETURN id, p.emailSkeleton AS s",
        ids=ids,
    )
    return {r["id"]: r["s"] for r in records}


async def _remove(tx: Tx, ids: list[str]) -> None:
    await run(tx, "UNWIND $ids AS id MATCH (p:Person {id: id}) DETACH DELETE p", ids=ids)


async def test_migration_heals_people_registered_before_the_check(graph: Graph) -> None:
    assert [m.version for m in MIGRATIONS if m.heal is heal_email_skeletons] == [10]
    tag = uuid.uuid4().hex[:8]
    # Written as before the migration: no skeleton; two of them look alike.
    rows = [
        {"id": f"person-heal-{tag}-1", "email": f"old-{tag}@example.vn"},
        {"id": f"person-heal-{tag}-2", "email": f"\u043eld-{tag}@example.vn"},  # Cyrillic о
        {"id": f"person-heal-{tag}-3", "email": f"other-{tag}@example.vn"},
    ]
    ids = [r["id"] for r in rows]
    await graph.write(_make, rows)
    try:
        await heal_email_skeletons(graph)
        await heal_email_skeletons(graph)  # idempotent: a crash mid-way runs it again
        found = await graph.read(_skeletons, ids)
        assert found == {
            ids[0]: f"old-{tag}@example.vn",
            # The look-alike keeps none (the constraint cannot hold both; it is logged).
            ids[1]: None,
            ids[2]: f"other-{tag}@example.vn",
        }
    finally:
        await graph.write(_remove, ids)
