"""Coverage, gaps and rankings over HTTP equal counts made directly on the graph."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.team_digests import refresh_team_digests
from tests.gql import gql

TODAY = dt.date.today().isoformat()


async def _direct_national(tx: Tx) -> dict[str, int]:
    """Independent counts, written plainly for the test (no shared code with graph/coverage)."""
    d = dt.date.today()
    communes = await run(
        tx, "MATCH (c:AdministrativeUnit {era: 'CURRENT', level: 'COMMUNE'}) RETURN count(c) AS n"
    )
    teams = await run(
        tx,
        "MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(c:AdministrativeUnit {era: 'CURRENT'}) "
        "WHERE t.since <= $d AND (t.until IS NULL OR t.until >= $d) "
        "RETURN count(DISTINCT t) AS teams, count(DISTINCT c) AS covered",
        d=d,
    )
    members = await run(
        tx,
        "MATCH (p:Person)-[m:MEMBER_OF]->(t:CommunityTechTeam)-[:OPERATES_IN]->"
        "(:AdministrativeUnit {era: 'CURRENT'}) "
        "WHERE t.since <= $d AND (t.until IS NULL OR t.until >= $d) "
        "AND m.since <= $d AND (m.until IS NULL OR m.until >= $d) "
        "RETURN count(DISTINCT p) AS people, count(m) AS memberships",
        d=d,
    )
    experts = await run(
        tx,
        "MATCH (e:ExpertProfile {status: 'VERIFIED'})-[:LOCATED_IN]->"
        "(:AdministrativeUnit {era: 'CURRENT'}) RETURN count(e) AS n",
    )
    return {
        "communes": communes[0]["n"],
        "teams": teams[0]["teams"],
        "communesWithTeam": teams[0]["covered"],
        "activeMembers": members[0]["people"],
        "activeMemberships": members[0]["memberships"],
        "verifiedExperts": experts[0]["n"],
    }


FIGURES = (
    "communes communesWithTeam teams activeMembers activeMemberships organisations agencies "
    "agenciesWithFocalPoint verifiedExperts teamCoverage focalPointCoverage"
)


async def _coverage(client: httpx.AsyncClient, **args: Any) -> dict[str, Any]:
    query = (
        "query($scope: String, $asOf: Date, $mapped: Boolean! = false) {"
        " coverage(scopeCode: $scope, asOf: $asOf, inCurrentUnits: $mapped) {"
        f" scope {{ code level }} totals {{ {FIGURES} }}"
        f" rows {{ unit {{ code name era }} figures {{ {FIGURES} }} }} }} }}"
    )
    data = await gql(client, query, args)
    result: dict[str, Any] = data["coverage"]
    return result


async def test_national_totals_equal_direct_counts(client: httpx.AsyncClient, graph: Graph) -> None:
    report = await _coverage(client)
    expected = await graph.read(_direct_national)
    for name, value in expected.items():
        assert report["totals"][name] == value, name
    assert expected["teams"] > 0
    assert expected["verifiedExperts"] > 0
    assert len(report["rows"]) == 34
    # Rows partition the communes and teams of the country.
    assert sum(r["figures"]["communes"] for r in report["rows"]) == expected["communes"]
    assert sum(r["figures"]["teams"] for r in report["rows"]) == expected["teams"]
    # Coverage is uneven: some provinces are far better covered than others.
    ratios = [r["figures"]["teamCoverage"] for r in report["rows"]]
    assert max(ratios) - min(ratios) > 0.2


async def test_province_scope_rows_are_its_communes(client: httpx.AsyncClient) -> None:
    report = await _coverage(client, scope="01")
    assert report["scope"] == {"code": "01", "level": "PROVINCE"}
    assert {r["unit"]["era"] for r in report["rows"]} == {"CURRENT"}
    assert all(r["figures"]["communes"] == 1 for r in report["rows"])
    national = await _coverage(client)
    hanoi = next(r for r in national["rows"] if r["unit"]["code"] == "01")
    assert report["totals"]["teams"] == hanoi["figures"]["teams"]
    assert report["totals"]["communesWithTeam"] == hanoi["figures"]["communesWithTeam"]


async def test_legacy_date_uses_the_legacy_hierarchy(client: httpx.AsyncClient) -> None:
    legacy = await _coverage(client, asOf="2024-06-01")
    assert len(legacy["rows"]) == 63
    assert {r["unit"]["era"] for r in legacy["rows"]} == {"LEGACY"}
    mapped = await _coverage(client, asOf="2024-06-01", mapped=True)
    assert len(mapped["rows"]) == 34
    assert {r["unit"]["era"] for r in mapped["rows"]} == {"CURRENT"}
    assert mapped["totals"]["communes"] == legacy["totals"]["communes"]
    # A legacy district is a valid scope on a legacy date: Quận Ba Đình.
    district = await _coverage(client, scope="001", asOf="2024-06-01")
    assert district["scope"]["level"] == "DISTRICT"


async def _direct_legacy(tx: Tx, d: dt.date) -> dict[str, int]:
    """Teams of a legacy date, plainly: in a legacy commune, directly or as the commune they
    served before the reform (legacyUnitKey), and active on the day."""
    records = await run(
        tx,
        "MATCH (c:AdministrativeUnit {era: 'LEGACY', level: 'COMMUNE'}) "
        "OPTIONAL MATCH (t:CommunityTechTeam) "
        "WHERE ((t)-[:OPERATES_IN]->(c) OR t.legacyUnitKey = c.key) "
        "  AND t.since <= $d AND (t.until IS NULL OR t.until >= $d) "
        "RETURN count(DISTINCT t) AS teams, count(DISTINCT CASE WHEN t IS NOT NULL THEN c END) "
        "AS covered, count(DISTINCT c) AS communes",
        d=d,
    )
    return dict(records[0])


async def test_a_legacy_date_counts_the_teams_of_that_time(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    # Teams older than the reform operate in today's communes and keep the legacy commune
    # they served: on a day before 2025-07-01 they count there, not nowhere.
    day = "2024-06-01"
    expected = await graph.read(_direct_legacy, dt.date.fromisoformat(day))
    assert expected["teams"] > 0
    legacy = await _coverage(client, asOf=day)
    assert legacy["totals"]["communes"] == expected["communes"]
    assert legacy["totals"]["teams"] == expected["teams"]
    assert legacy["totals"]["communesWithTeam"] == expected["covered"]
    assert sum(r["figures"]["teams"] for r in legacy["rows"]) == expected["teams"]
    mapped = await _coverage(client, asOf=day, mapped=True)
    assert mapped["totals"]["teams"] == expected["teams"]
    data = await gql(
        client,
        'query { coverageGaps(kind: COMMUNE_WITHOUT_TEAM, asOf: "2024-06-01", first: 1) '
        "{ totalCount } }",
    )
    assert data["coverageGaps"]["totalCount"] == expected["communes"] - expected["covered"]


async def test_gap_list_agrees_with_coverage_and_pages_once(client: httpx.AsyncClient) -> None:
    report = await _coverage(client)
    expected = report["totals"]["communes"] - report["totals"]["communesWithTeam"]
    seen: list[str] = []
    after = None
    while True:
        data = await gql(
            client,
            "query($after: String) { coverageGaps(kind: COMMUNE_WITHOUT_TEAM, first: 400,"
            " after: $after) { totalCount pageInfo { hasNextPage endCursor }"
            " nodes { unit { code } } } }",
            {"after": after},
        )
        gaps = data["coverageGaps"]
        assert gaps["totalCount"] == expected
        seen += [n["unit"]["code"] for n in gaps["nodes"]]
        if not gaps["pageInfo"]["hasNextPage"]:
            break
        after = gaps["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == expected


async def test_other_gap_kinds_answer(client: httpx.AsyncClient) -> None:
    report = await _coverage(client)
    data = await gql(
        client,
        "{ orgs: coverageGaps(kind: ORGANISATION_WITHOUT_FOCAL_POINT, first: 1) { totalCount }"
        " small: coverageGaps(kind: TEAM_BELOW_MIN_SIZE, first: 5) { totalCount"
        "   nodes { activeMembers minimumSize team { name } } }"
        " recheck: coverageGaps(kind: ASSIGNMENT_NEEDS_RECONFIRMATION, first: 5) { totalCount"
        "   nodes { decision { issuerCeased issuer { kind validTo } } } }"
        ' ai: coverageGaps(kind: PROVINCE_WITHOUT_EXPERT_IN_AREA, expertise: "AI") { totalCount } }',
    )
    totals = report["totals"]
    assert data["orgs"]["totalCount"] == totals["agencies"] - totals["agenciesWithFocalPoint"]
    for node in data["small"]["nodes"]:
        assert node["activeMembers"] < node["minimumSize"]
    for node in data["recheck"]["nodes"]:
        assert node["decision"]["issuerCeased"] is True
    assert 0 <= data["ai"]["totalCount"] <= 34


async def test_ranking_is_consistent_with_coverage(client: httpx.AsyncClient) -> None:
    report = await _coverage(client)
    data = await gql(
        client,
        "{ provinceRanking(metric: TEAM_COVERAGE) { rank value numerator denominator"
        " province { code } } }",
    )
    ranking = data["provinceRanking"]
    by_code = {r["unit"]["code"]: r["figures"] for r in report["rows"]}
    assert len(ranking) == 34
    for entry in ranking:
        figures = by_code[entry["province"]["code"]]
        assert entry["numerator"] == figures["communesWithTeam"]
        assert entry["denominator"] == figures["communes"]
    values = [r["value"] for r in ranking]
    assert values == sorted(values, reverse=True)
    assert ranking[0]["rank"] == 1


async def test_cached_coverage_follows_every_change(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    """Coverage is cached per change-counter value: a committed change shows at once."""
    before = (await _coverage(client))["totals"]["teams"]
    assert (await _coverage(client))["totals"]["teams"] == before  # served from the cache

    async def add_team(tx: Tx) -> None:
        await run(
            tx,
            "MATCH (c:AdministrativeUnit {key: 'CURRENT:COMMUNE:00004'}) "
            "CREATE (:CommunityTechTeam {id: 'test-cache-team', name: 'Tổ thử', level: 'COMMUNE', "
            "since: date('2025-08-01')})-[:OPERATES_IN]->(c)",
        )
        await refresh_team_digests(tx, teams=["test-cache-team"])  # as every team writer does
        await changes.bump(tx)

    async def remove_team(tx: Tx) -> None:
        await run(tx, "MATCH (t:CommunityTechTeam {id: 'test-cache-team'}) DETACH DELETE t")
        await refresh_team_digests(tx, places=["CURRENT:COMMUNE:00004"])
        await changes.bump(tx)

    await graph.write(add_team)
    try:
        assert (await _coverage(client))["totals"]["teams"] == before + 1
    finally:
        await graph.write(remove_team)
    assert (await _coverage(client))["totals"]["teams"] == before
