"""The expertise taxonomy as data: areas and their sub-areas, kept in the graph as
``(:ExpertiseArea {code, nameVi, nameEn, position})-[:HAS_SUBAREA]->(:ExpertiseArea)``.

The areas are read from ``graph/core/data/expertise_areas.json`` (operators add or rename areas
there, then run ``cds expertise-areas``; migration 14 loads it the first time), so the list is
not code. Profiles and nominations keep area codes in their ``expertise`` list; a code names an
area or a sub-area, and asking for an area means it or any of its sub-areas (``with_subareas``).

It lives in core beside the other controlled vocabularies (it replaced the ``Expertise`` enum of
graph/core/model.py) because migration 14 loads it and rewrites the old enum values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, LiteralString

from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.errors import ValidationFailed
from graph.core.text import clean_name
from graph.core.validation import Code, CodedInvalidInput

DATA_FILE = Path(__file__).parent / "data" / "expertise_areas.json"


@dataclass(frozen=True, slots=True)
class AreaRecord:
    code: str
    name_vi: str
    name_en: str
    parent_code: str | None
    position: int


@dataclass(frozen=True, slots=True)
class Taxonomy:
    areas: tuple[AreaRecord, ...]
    # The old Expertise enum's values (before migration 14) → their code here.
    legacy: dict[str, str]


def read_taxonomy(path: Path = DATA_FILE) -> Taxonomy:
    """The file's areas in its order, names NFC; a code used twice or a legacy value pointing
    nowhere is refused (ValueError) before anything is written."""
    data = json.loads(path.read_text(encoding="utf-8"))
    areas: list[AreaRecord] = []

    def add(item: dict[str, Any], parent: str | None) -> None:
        areas.append(
            AreaRecord(
                str(item["code"]).strip(),
                clean_name(item["nameVi"]),
                clean_name(item["nameEn"]),
                parent,
                len(areas),
            )
        )

    for area in data["areas"]:
        add(area, None)
        for sub in area.get("subareas", ()):
            add(sub, area["code"])
    codes = [a.code for a in areas]
    if len(set(codes)) != len(codes) or not all(codes):
        raise ValueError(f"{path}: every area needs a code of its own")
    legacy = {str(k): str(v) for k, v in data.get("legacyCodes", {}).items()}
    if unknown := set(legacy.values()) - set(codes):
        raise ValueError(f"{path}: legacyCodes point to unknown codes {sorted(unknown)}")
    return Taxonomy(tuple(areas), legacy)


@cache
def legacy_codes() -> dict[str, str]:
    """Old enum value → code: kept so that old clients' values still mean what they meant."""
    return read_taxonomy().legacy


def normalise(codes: Iterable[str]) -> tuple[str, ...]:
    """Codes as sent, trimmed and upper-cased, old enum values mapped, de-duplicated in order."""
    legacy = legacy_codes()
    out = (c.strip().upper() for c in codes)
    return tuple(dict.fromkeys(legacy.get(c, c) for c in out if c))


async def _sync(tx: Tx, rows: list[dict[str, Any]]) -> None:
    # MERGE by code: a re-run (or a renamed area) converges; a sub-area moved to another parent
    # loses its old link. Areas no longer in the file stay: profiles may still name them.
    await run(
        tx,
        """
        UNWIND $rows AS row
        MERGE (a:ExpertiseArea {code: row.code})
        SET a.nameVi = row.nameVi, a.nameEn = row.nameEn, a.position = row.position
        WITH a, row
        OPTIONAL MATCH (old:ExpertiseArea)-[r:HAS_SUBAREA]->(a)
        WHERE old.code <> coalesce(row.parent, '')
        DELETE r
        WITH DISTINCT a, row WHERE row.parent IS NOT NULL
        MATCH (parent:ExpertiseArea {code: row.parent})
        MERGE (parent)-[:HAS_SUBAREA]->(a)
        """,
        rows=rows,
    )
    await changes.bump(tx)  # the public list of areas changed: cached answers must see it


async def load_taxonomy(graph: Graph, path: Path = DATA_FILE) -> int:
    """Write the file's areas into the graph (parents first, so every link finds its parent)."""
    taxonomy = read_taxonomy(path)
    rows = [
        {
            "code": a.code,
            "nameVi": a.name_vi,
            "nameEn": a.name_en,
            "parent": a.parent_code,
            "position": a.position,
        }
        for a in sorted(taxonomy.areas, key=lambda a: a.parent_code is not None)
    ]
    await graph.write(_sync, rows)
    return len(rows)


async def _relabel(tx: Tx, legacy: dict[str, str], limit: int) -> int:
    records = await run(
        tx,
        """
        MATCH (n) WHERE (n:ExpertProfile OR n:Nomination)
          AND any(x IN n.expertise WHERE x IN keys($legacy) AND $legacy[x] <> x)
        WITH n LIMIT $limit
        WITH n, [x IN n.expertise | coalesce($legacy[x], x)] AS mapped
        SET n.expertise = reduce(acc = [], x IN mapped |
                                 CASE WHEN x IN acc THEN acc ELSE acc + x END)
        RETURN count(n) AS n
        """,
        legacy=legacy,
        limit=limit,
    )
    relabelled = int(records[0]["n"]) if records else 0
    if relabelled:
        await changes.bump(tx)
    return relabelled


async def heal_expertise(graph: Graph) -> None:
    """Migration 14: load the taxonomy, then rewrite the old enum values of profiles and
    nominations to their codes (``legacyCodes``), in batches; a re-run finds nothing left."""
    await load_taxonomy(graph)
    legacy = legacy_codes()
    while await graph.write(_relabel, legacy, 5000):
        pass


# The codes asked for, each with its sub-areas: one list per code (for "all of these areas").
WITH_SUBAREAS: LiteralString = (
    "[c IN $codes | [c] + [(:ExpertiseArea {code: c})-[:HAS_SUBAREA*1..]->(s) | s.code]]"
)


async def areas(tx: Tx) -> list[AreaRecord]:
    """Every area, in the file's order (areas before their sub-areas)."""
    records = await run(
        tx,
        """
        MATCH (a:ExpertiseArea)
        OPTIONAL MATCH (parent:ExpertiseArea)-[:HAS_SUBAREA]->(a)
        RETURN a.code AS code, a.nameVi AS nameVi, a.nameEn AS nameEn,
               parent.code AS parent, a.position AS position
        ORDER BY position, code
        """,
    )
    return [
        AreaRecord(r["code"], r["nameVi"], r["nameEn"], r["parent"], r["position"] or 0)
        for r in records
    ]


async def check_codes(tx: Tx, codes: Sequence[str], field: str = "expertise") -> None:
    """Refuse codes that are not in the taxonomy, naming the field and each code."""
    records = await run(
        tx,
        "UNWIND $codes AS c OPTIONAL MATCH (a:ExpertiseArea {code: c}) "
        "WITH c WHERE a IS NULL RETURN collect(c) AS unknown",
        codes=list(codes),
    )
    unknown = records[0]["unknown"] if records else []
    if unknown:
        raise ValidationFailed(
            [
                CodedInvalidInput(field, Code.NOT_IN_VOCABULARY, f"unknown area of expertise {c}")
                for c in unknown
            ]
        )
