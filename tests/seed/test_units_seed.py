"""The real administrative units in the graph match the source packages, era by era."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from vietnamadminunits.database import get_data

from graph.core.db import Graph, Tx, run
from graph.core.errors import AlreadyExists
from graph.core.model import OrganisationKind
from graph.core.org_digests import org_places, refresh_org_digests
from graph.network.organisations import NewOrganisation, create_organisation
from seed.units import seed_units
from tests.factories import SYSTEM, anyone


def _package_counts() -> dict[tuple[str, str], int]:
    """Distinct codes per era and level, straight from vietnamadminunits' own tables."""
    legacy = get_data(
        fields=["provinceCode", "districtCode", "wardCode"], table="admin_units_legacy"
    )
    current = get_data(fields=["provinceCode", "wardCode"], table="admin_units")
    return {
        ("LEGACY", "PROVINCE"): len({r["provinceCode"] for r in legacy}),
        ("LEGACY", "DISTRICT"): len({r["districtCode"] for r in legacy}),
        ("LEGACY", "COMMUNE"): len({r["wardCode"] for r in legacy if r["wardCode"]}),
        ("CURRENT", "PROVINCE"): len({r["provinceCode"] for r in current}),
        ("CURRENT", "COMMUNE"): len({r["wardCode"] for r in current if r["wardCode"]}),
    }


async def _unit_counts(tx: Tx) -> dict[tuple[str, str], int]:
    records = await run(
        tx, "MATCH (u:AdministrativeUnit) RETURN u.era AS era, u.level AS level, count(*) AS n"
    )
    return {(r["era"], r["level"]): r["n"] for r in records}


async def _graph_fingerprint(tx: Tx) -> tuple[Any, ...]:
    nodes = await run(tx, "MATCH (n) RETURN labels(n) AS l, count(*) AS n ORDER BY l")
    rels = await run(tx, "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY t")
    props = await run(
        tx,
        "MATCH (u:AdministrativeUnit) RETURN count(DISTINCT u.name + u.key + "
        "coalesce(toString(u.validTo), '')) AS n",
    )
    return (
        tuple((tuple(r["l"]), r["n"]) for r in nodes),
        tuple((r["t"], r["n"]) for r in rels),
        props[0]["n"],
    )


async def test_unit_counts_match_the_packages(graph: Graph) -> None:
    expected = _package_counts()
    counts = await graph.read(_unit_counts)
    for key, n in expected.items():
        assert counts[key] == n, key
    # The figures the reform is known by, as a sanity check on the package itself.
    assert expected[("LEGACY", "PROVINCE")] == 63
    assert expected[("CURRENT", "PROVINCE")] == 34
    assert expected[("CURRENT", "COMMUNE")] == 3321
    assert counts[("NATIONAL", "CENTRAL")] == 1


async def test_thirteen_special_zones(graph: Graph) -> None:
    async def zones(tx: Tx) -> int:
        r = await run(
            tx,
            "MATCH (u:AdministrativeUnit {era: 'CURRENT', type: 'đặc khu'}) RETURN count(*) AS n",
        )
        return int(r[0]["n"])

    assert await graph.read(zones) == 13


async def test_reused_code_names_two_places(graph: Graph) -> None:
    async def by_code(tx: Tx) -> dict[str, str]:
        r = await run(
            tx,
            "MATCH (u:AdministrativeUnit {code: '00004', level: 'COMMUNE'}) "
            "RETURN u.era AS era, u.name AS name",
        )
        return {x["era"]: x["name"] for x in r}

    assert await graph.read(by_code) == {
        "LEGACY": "Phường Trúc Bạch",
        "CURRENT": "Phường Ba Đình",
    }


async def test_split_commune_has_several_successors_one_default(graph: Graph) -> None:
    async def splits(tx: Tx) -> list[dict[str, Any]]:
        records = await run(
            tx,
            """
            MATCH (l:AdministrativeUnit {era: 'LEGACY', level: 'COMMUNE'})-[s:SUCCEEDED_BY]->(c)
            WITH l, collect(s.isDefault) AS defaults, collect(c.era) AS eras
            WHERE size(defaults) > 1
            RETURN l.code AS code, defaults, eras
            """,
        )
        return [dict(r) for r in records]

    found = await graph.read(splits)
    assert found, "the package lists communes split across several new ones"
    for split in found:
        assert Counter(split["defaults"])[True] == 1, split
        assert set(split["eras"]) == {"CURRENT"}
    # Ngọc Khánh (Ba Đình) was divided between three new wards.
    ngoc_khanh = next(s for s in found if s["code"] == "00025")
    assert len(ngoc_khanh["defaults"]) == 3


async def test_every_legacy_commune_and_province_has_a_successor(graph: Graph) -> None:
    async def orphans(tx: Tx) -> int:
        r = await run(
            tx,
            "MATCH (l:AdministrativeUnit {era: 'LEGACY'}) WHERE l.level IN ['PROVINCE', 'COMMUNE'] "
            "AND NOT (l)-[:SUCCEEDED_BY]->() RETURN count(l) AS n",
        )
        return int(r[0]["n"])

    assert await graph.read(orphans) == 0


async def test_seeding_twice_leaves_the_same_graph(graph: Graph) -> None:
    before = await graph.read(_graph_fingerprint)
    await seed_units(graph)
    assert await graph.read(_graph_fingerprint) == before


async def test_duplicate_key_is_a_clear_conflict(graph: Graph) -> None:
    org = NewOrganisation("Hội Thử nghiệm", OrganisationKind.ASSOCIATION, "01", id="test-dup-org")
    await graph.write(create_organisation, org, SYSTEM, anyone)
    try:
        with pytest.raises(AlreadyExists, match="Organisation 'test-dup-org' already exists"):
            await graph.write(create_organisation, org, SYSTEM, anyone)
    finally:

        async def cleanup(tx: Tx) -> None:
            places = await org_places(tx, ["test-dup-org"])
            await run(tx, "MATCH (o:Organisation {id: 'test-dup-org'}) DETACH DELETE o")
            await refresh_org_digests(tx, places=places)

        await graph.write(cleanup)
