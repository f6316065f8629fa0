"""Dated headcounts, targets and coverage series (#16), by construction: each test writes one
thing at dates no other test uses (2040–2041, or a team that ended before today) and checks the
series moves by exactly that, from exactly the right period end."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.viewer import Role
from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.errors import ValidationFailed
from graph.core.migrations import HEADCOUNTS_UNDATED_AS_OF, heal_headcounts
from graph.core.model import FocalPointMode, OrganisationKind, TeamLevel
from graph.core.org_digests import org_places, refresh_org_digests
from graph.core.settings import Settings
from graph.core.team_digests import refresh_team_digests
from graph.network import focal_points, headcounts, organisations, people, teams
from graph.network.teams import TeamInput
from graph.reports import gaps, series, targets
from graph.reports.coverage import coverage
from graph.reports.series_totals import series_totals
from graph.reports.targets import Indicator, TargetRecord
from tests import factories
from tests.factories import SYSTEM, anyone
from tests.gql import gql
from tests.tokens import bearer

FIGURES = (
    "communes communesWithTeam teams activeMembers activeMemberships organisations agencies "
    "agenciesWithFocalPoint reportedStaff reportedCdsStaff verifiedExperts teamCoverage "
    "focalPointCoverage cdsStaffRatio peopleHelped householdsHelped activeTeams activeTeamShare "
    "requests openRequests answeredRequests answeredShare "
    "medianHoursToFirstAccept"
)
SERIES = (
    "query($s: String, $f: Date!, $t: Date!, $step: SeriesStep!) {"
    " coverageSeries(scopeCode: $s, from: $f, to: $t, step: $step) {"
    f" points {{ asOf scope {{ code era }} totals {{ {FIGURES} }} }}"
    " targets { target { id indicator threshold deadline sourceDecision scopeCode }"
    " values onTrack } } }"
)
D = dt.date


async def _series(
    client: httpx.AsyncClient, start: D, end: D, step: str, scope: str | None = None
) -> dict[str, Any]:
    data = await gql(
        client,
        SERIES,
        {"s": scope, "f": start.isoformat(), "t": end.isoformat(), "step": step},
    )
    result: dict[str, Any] = data["coverageSeries"]
    return result


def _column(s: dict[str, Any], figure: str) -> list[int]:
    return [p["totals"][figure] for p in s["points"]]


def _delta(before: dict[str, Any], after: dict[str, Any], figure: str) -> list[int]:
    """after − before at each period end."""
    return [a - b for b, a in zip(_column(before, figure), _column(after, figure), strict=True)]


async def _bump(graph: Graph) -> None:
    await graph.write(changes.bump)


async def _agency(graph: Graph, valid_from: D, **staff: Any) -> str:
    cmd = organisations.NewOrganisation(
        factories.unique("Sở thử chuỗi"),
        OrganisationKind.PROVINCIAL_AGENCY,
        "01",
        valid_from=valid_from,
        **staff,
    )
    changed = await graph.write(organisations.create_organisation, cmd, SYSTEM, anyone)
    return changed.value.id


async def _remove(graph: Graph, org_id: str) -> None:
    async def remove(tx: Tx) -> None:
        places = await org_places(tx, [org_id])
        await run(
            tx,
            "MATCH (o:Organisation {id: $id}) OPTIONAL MATCH (o)-[:REPORTED]->(h) "
            "OPTIONAL MATCH (o)<-[:AT]-(a:FocalPointAssignment) DETACH DELETE o, h, a",
            id=org_id,
        )
        await refresh_org_digests(tx, places=places)  # as every organisation writer does
        await changes.bump(tx)

    await graph.write(remove)


class TestPeriods:
    def test_quarter_ends_within_the_range(self) -> None:
        ends = series.period_ends(D(2025, 2, 15), D(2025, 12, 31), series.Step.QUARTER)
        assert ends == [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30), D(2025, 12, 31)]

    def test_month_and_year_ends(self) -> None:
        months = series.period_ends(D(2024, 1, 1), D(2024, 3, 30), series.Step.MONTH)
        assert months == [D(2024, 1, 31), D(2024, 2, 29)]
        years = series.period_ends(D(2022, 1, 1), D(2025, 12, 31), series.Step.YEAR)
        assert years == [D(2022, 12, 31), D(2023, 12, 31), D(2024, 12, 31), D(2025, 12, 31)]

    async def test_more_than_60_periods_is_an_error_naming_the_field(
        self, client: httpx.AsyncClient
    ) -> None:
        body = await gql(
            client,
            SERIES,
            {"f": "2020-01-01", "t": "2026-01-01", "step": "MONTH"},
            expect_errors=True,
        )
        ext = body["errors"][0]["extensions"]
        assert ext["code"] == "INVALID_INPUT"
        assert ext["field"] == "to"
        assert "60" in ext["reason"]

    async def test_to_before_from_is_an_error(self, client: httpx.AsyncClient) -> None:
        body = await gql(
            client,
            SERIES,
            {"f": "2026-01-01", "t": "2025-01-01", "step": "YEAR"},
            expect_errors=True,
        )
        assert body["errors"][0]["extensions"]["field"] == "to"


class TestOnTrack:
    def test_met_is_on_track(self) -> None:
        assert series.on_track([(D(2025, 3, 31), 0.5), (D(2025, 6, 30), 1.0)], 1.0, D(2025, 12, 31))

    def test_linear_extrapolation_reaches_threshold(self) -> None:
        points = [(D(2025, 1, 1), 0.5), (D(2025, 7, 1), 0.75)]  # +0.25 per ~half year
        assert series.on_track(points, 1.0, D(2026, 1, 1))
        assert not series.on_track(points, 1.0, D(2025, 10, 1))

    def test_unmet_after_the_deadline_is_off_track(self) -> None:
        assert series.on_track([(D(2026, 3, 31), 0.9)], 1.0, D(2025, 12, 31)) is False

    def test_unknown_with_fewer_than_two_values(self) -> None:
        assert (
            series.on_track([(D(2025, 3, 31), None), (D(2025, 6, 30), 0.2)], 1.0, D(2030, 1, 1))
            is None
        )


async def test_team_founded_mid_quarter_counts_from_that_quarter_end(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    args = (D(2040, 10, 1), D(2041, 9, 30), "QUARTER", "01")
    before = await _series(client, *args)
    cmd = teams.NewTeam(
        "00004",
        factories.unique("Tổ chuỗi"),
        TeamLevel.COMMUNE,
        D(2041, 2, 15),
        "9/QĐ",
        D(2041, 2, 1),
    )
    await graph.write(teams.create_team, cmd, SYSTEM, anyone)
    await _bump(graph)
    after = await _series(client, *args)
    assert [p["asOf"] for p in after["points"]] == [
        "2040-12-31",
        "2041-03-31",
        "2041-06-30",
        "2041-09-30",
    ]
    assert _delta(before, after, "teams") == [0, 1, 1, 1]


async def test_focal_point_ended_drops_out_after(client: httpx.AsyncClient, graph: Graph) -> None:
    args = (D(2040, 10, 1), D(2041, 9, 30), "QUARTER", "01")
    before = await _series(client, *args)
    org = await _agency(graph, D(2040, 1, 1))
    try:
        cmd = focal_points.NewFocalPoint(
            org,
            people.PersonRef(new=people.NewPerson(factories.unique("Cán bộ chuỗi"))),
            FocalPointMode.FULL_TIME,
            D(2041, 1, 10),
            "3/QĐ",
            D(2041, 1, 5),
        )
        post = await graph.write(focal_points.assign_focal_point, cmd, SYSTEM, anyone)
        await graph.write(
            focal_points.end_focal_point, post.value.id, D(2041, 4, 15), SYSTEM, anyone
        )
        await _bump(graph)
        after = await _series(client, *args)
        assert _delta(before, after, "agencies") == [1, 1, 1, 1]
        assert _delta(before, after, "agenciesWithFocalPoint") == [0, 1, 0, 0]
    finally:
        await _remove(graph, org)


class TestHeadcounts:
    CREATE = (
        "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) {"
        " ... on OrganisationPayload { organisation { id } } } }"
    )
    UPDATE = (
        "mutation($i: UpdateOrganisationInput!) { updateOrganisation(input: $i) {"
        " ... on OrganisationPayload { organisation { id } } } }"
    )
    READ = (
        "query($id: ID!) { node(id: $id) { ... on Organisation {"
        ' march: cdsStaff(asOf: "2041-03-01") june: cdsStaff(asOf: "2041-06-01")'
        ' total: totalStaff(asOf: "2041-06-01") early: totalStaff(asOf: "2040-06-01")'
        " headcounts { asOf totalStaff cdsStaff source } } } }"
    )

    @pytest.fixture
    async def org_name(self, graph: Graph) -> AsyncIterator[str]:
        name = factories.unique("Sở thử biên chế")
        yield name

        async def remove(tx: Tx) -> None:
            found = await run(tx, "MATCH (o:Organisation {name: $n}) RETURN o.id AS id", n=name)
            places = await org_places(tx, [r["id"] for r in found])
            await run(
                tx,
                "MATCH (o:Organisation {name: $n}) OPTIONAL MATCH (o)-[:REPORTED]->(h) "
                "DETACH DELETE o, h",
                n=name,
            )
            await refresh_org_digests(tx, places=places)  # as every organisation writer does
            await changes.bump(tx)

        await graph.write(remove)

    async def test_superseded_report_changes_the_ratio_from_its_date(
        self, client: httpx.AsyncClient, graph: Graph, settings: Settings, org_name: str
    ) -> None:
        args = (D(2040, 12, 1), D(2041, 6, 30), "MONTH", "01")
        before = await _series(client, *args)
        headers = bearer(settings, Role.NATIONAL_COORDINATOR)
        created = await gql(
            client,
            self.CREATE,
            {
                "i": {
                    "name": org_name,
                    "kind": "PROVINCIAL_AGENCY",
                    "unitCode": "01",
                    "validFrom": "2040-01-01",
                    "totalStaff": 200,
                    "cdsStaff": 4,
                    "staffAsOf": "2041-01-01",
                }
            },
            headers=headers,
        )
        org_id = created["createOrganisation"]["organisation"]["id"]
        # Only the CĐS figure: the total is carried from the report in force on 2041-05-10.
        await gql(
            client,
            self.UPDATE,
            {"i": {"id": org_id, "cdsStaff": 40, "staffAsOf": "2041-05-10"}},
            headers=headers,
        )
        after = await _series(client, *args)
        assert _delta(before, after, "reportedStaff") == [0, 200, 200, 200, 200, 200, 200]
        assert _delta(before, after, "reportedCdsStaff") == [0, 4, 4, 4, 4, 40, 40]

        found = (await gql(client, self.READ, {"id": org_id}))["node"]
        assert (found["march"], found["june"], found["total"], found["early"]) == (4, 40, 200, None)
        assert found["headcounts"] == [
            {"asOf": "2041-01-01", "totalStaff": 200, "cdsStaff": 4, "source": "coordinator"},
            {"asOf": "2041-05-10", "totalStaff": 200, "cdsStaff": 40, "source": "coordinator"},
        ]

    async def test_migration_moves_undated_figures_to_one_report(self, graph: Graph) -> None:
        org_id = "test-migrated-" + factories.unique("x").split()[1]

        async def legacy_shape(tx: Tx) -> None:  # an organisation as stored before #16
            await run(
                tx,
                "CREATE (:Organisation {id: $id, kind: 'PROVINCIAL_AGENCY', name: 'Sở cũ', "
                "validFrom: date('2041-02-01'), totalStaff: 50, cdsStaff: 3, synthetic: false})",
                id=org_id,
            )

        async def read(tx: Tx) -> list[Any]:
            records = await run(
                tx,
                "MATCH (o:Organisation {id: $id}) OPTIONAL MATCH (o)-[:REPORTED]->(h) "
                "RETURN o.totalStaff AS t, h {.asOf, .total, .cds, .source} AS h",
                id=org_id,
            )
            return [(r["t"], r["h"]) for r in records]

        await graph.write(legacy_shape)
        try:
            await heal_headcounts(graph)
            await heal_headcounts(graph)  # idempotent
            rows = await graph.read(read)
            assert len(rows) == 1
            total, report = rows[0]
            assert total is None
            assert report["asOf"].to_native() == D(2041, 2, 1)
            assert (report["total"], report["cds"], report["source"]) == (50, 3, "migrated")
        finally:
            await _remove(graph, org_id)
        assert HEADCOUNTS_UNDATED_AS_OF == headcounts.UNDATED_AS_OF


async def test_reform_split_commune_counted_in_each_era(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    """A team serving a legacy commune split by the reform counts in the legacy units until
    2025-06-30 and in its current commune from 2025-07-01; communes are 10,035-era before and
    the 3,321 current ones after."""

    async def split(tx: Tx) -> tuple[str, str, str]:
        records = await run(
            tx,
            "MATCH (l:AdministrativeUnit {era: 'LEGACY', level: 'COMMUNE'})-[s:SUCCEEDED_BY]->(c) "
            "WITH l, count(c) AS n, collect(CASE WHEN s.isDefault THEN c.key END) AS d "
            "WHERE n > 1 AND size(d) = 1 "
            "MATCH (dec:Decision) WITH l, d, dec LIMIT 1 "
            "RETURN l.key AS legacy, d[0] AS current, dec.id AS decision ORDER BY legacy",
        )
        r = records[0]
        return r["legacy"], r["current"], r["decision"]

    async def communes(tx: Tx, day: D) -> int:
        records = await run(
            tx,
            "MATCH (c:AdministrativeUnit {level: 'COMMUNE', era: $era}) "
            "WHERE (c.validFrom IS NULL OR c.validFrom <= $d) AND (c.validTo IS NULL OR c.validTo >= $d) "
            "RETURN count(c) AS n",
            d=day,
            era="LEGACY" if day < D(2025, 7, 1) else "CURRENT",
        )
        return int(records[0]["n"])

    legacy, current, decision = await graph.read(split)
    args = (D(2025, 4, 1), D(2025, 9, 30), "MONTH")
    before = await _series(client, *args)
    team = TeamInput(
        "test-series-split-team",
        "Tổ CNSCĐ thử cải cách",
        TeamLevel.COMMUNE,
        current,
        decision,
        D(2025, 5, 10),
        D(2025, 8, 20),  # ended before today: today's figures other tests compare do not move
        legacy_unit_key=legacy,
    )

    async def write(tx: Tx) -> None:
        await teams.upsert_teams(tx, [team.as_param()])
        await refresh_team_digests(tx, teams=[team.id])  # the bulk writer leaves it to us
        await changes.bump(tx)

    async def remove(tx: Tx) -> None:
        await run(tx, "MATCH (t:CommunityTechTeam {id: $id}) DETACH DELETE t", id=team.id)
        await refresh_team_digests(tx, places=[current, legacy])  # as every team writer does
        await changes.bump(tx)

    await graph.write(write)
    try:
        after = await _series(client, *args)
    finally:
        await graph.write(remove)
    assert _delta(before, after, "teams") == [0, 1, 1, 1, 0, 0]
    expected = [await graph.read(communes, D.fromisoformat(p["asOf"])) for p in after["points"]]
    assert _column(after, "communes") == expected
    assert expected[2] > 10_000 > 4_000 > expected[3]


async def test_series_equals_coverage_at_each_period_end(client: httpx.AsyncClient) -> None:
    """The series is one query over every period end (graph/reports/series_totals.py); each of
    its figures must be what coverage counts on that date alone, nationally and in a province,
    before and after the reform, by month too."""
    for scope, step in ((None, "QUARTER"), ("01", "QUARTER"), ("79", "MONTH")):
        start = D(2024, 10, 1) if step == "QUARTER" else D(2025, 4, 1)
        s = await _series(client, start, D(2026, 9, 30), step, scope)
        assert len(s["points"]) == (8 if step == "QUARTER" else 18)
        for point in s["points"]:
            data = await gql(
                client,
                "query($d: Date, $s: String) { coverage(asOf: $d, scopeCode: $s) {"
                f" totals {{ {FIGURES} }} }} }}",
                {"d": point["asOf"], "s": scope},
            )
            assert point["totals"] == data["coverage"]["totals"], (scope, point["asOf"])
    s = await _series(client, D(2024, 10, 1), D(2026, 9, 30), "QUARTER")
    # The demo's synthetic reports: the CĐS share rises after the reform.
    ratios = [p["totals"]["cdsStaffRatio"] for p in s["points"][3:]]
    assert ratios == sorted(ratios)
    assert 0.02 < ratios[0] < 0.10


async def test_series_activity_equals_coverage_for_any_n(graph: Graph) -> None:
    """The activity figures of the series read the places' digests, built for N = 90; for another
    N the active teams are counted from the teams. Either way each date's figures are
    coverage's for the same N, nationally and in a province, before and after the reform."""
    ends = [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30), D(2025, 12, 31), D.today()]

    def province(day: D) -> str:
        return f"{'LEGACY' if day < D(2025, 7, 1) else 'CURRENT'}:PROVINCE:01"

    active = []
    for n in (90, 91, 30):
        for key_of in (lambda _: "NATIONAL:CENTRAL:VN", province):
            points = [(day, key_of(day)) for day in ends]
            found = await graph.read(series_totals, points, n)
            for (day, key), totals in zip(points, found, strict=True):
                alone = await graph.read(coverage, key, day, in_current_units=False, active_days=n)
                assert totals == alone.totals, (n, key, day)
                active.append(totals.active_teams)
    assert max(active) > 0  # the demo's reports: the figures are not all zero


class TestTargets:
    QUERY = (
        "query($s: String) { targets(scopeCode: $s) {"
        " id indicator threshold deadline sourceDecision scopeCode } }"
    )

    async def test_national_targets_cite_decision_1690(self, client: httpx.AsyncClient) -> None:
        found = (await gql(client, self.QUERY))["targets"]
        by = {t["indicator"]: t for t in found}
        assert by["AGENCIES_WITH_FOCAL_POINT"]["threshold"] == 1.0
        assert by["AGENCIES_WITH_FOCAL_POINT"]["deadline"] == "2025-12-31"
        assert by["CDS_STAFF_RATIO"]["threshold"] == 0.1
        assert all("1690/QĐ-TTg" in t["sourceDecision"] for t in found)
        assert all(t["scopeCode"] is None for t in found)

    async def test_province_override_wins_there_only(
        self, client: httpx.AsyncClient, graph: Graph
    ) -> None:
        override = TargetRecord(
            "test-01-staff", Indicator.CDS_STAFF_RATIO, 0.05, D(2027, 12, 31), "1/QĐ-UBND thử", "01"
        )

        async def remove(tx: Tx) -> None:
            await run(tx, "MATCH (t:Target {id: $id}) DETACH DELETE t", id=override.id)
            await changes.bump(tx)

        await graph.write(targets.upsert_target, override)
        await _bump(graph)  # as setTarget does (its audit event): cached series see it
        try:
            hanoi = {
                t["indicator"]: t for t in (await gql(client, self.QUERY, {"s": "01"}))["targets"]
            }
            other = {
                t["indicator"]: t for t in (await gql(client, self.QUERY, {"s": "79"}))["targets"]
            }
            assert hanoi["CDS_STAFF_RATIO"]["id"] == "test-01-staff"
            assert hanoi["AGENCIES_WITH_FOCAL_POINT"]["scopeCode"] is None
            assert other["CDS_STAFF_RATIO"]["id"] == "qd1690-cds-staff-ratio"
            s = await _series(client, D(2025, 10, 1), D(2026, 9, 30), "QUARTER", "01")
            progress = {t["target"]["indicator"]: t for t in s["targets"]}
            staff = progress["CDS_STAFF_RATIO"]
            assert staff["target"]["threshold"] == 0.05
            values = [p["totals"]["cdsStaffRatio"] for p in s["points"]]
            assert staff["values"] == pytest.approx(values, abs=1e-6)  # the API rounds to 6
            assert staff["onTrack"] == series.on_track(
                [(D.fromisoformat(p["asOf"]), v) for p, v in zip(s["points"], values, strict=True)],
                0.05,
                D(2027, 12, 31),
            )
        finally:
            await graph.write(remove)


class TestFocalPointAgencies:
    """The focal-point target's denominator: the legacy People's Committees before the reform,
    and a focal point posted at a named unit (bộ phận) of an agency."""

    async def test_legacy_committees_are_seeded_until_the_reform(self, graph: Graph) -> None:
        async def counts(tx: Tx) -> dict[str, Any]:
            records = await run(
                tx,
                "MATCH (u:AdministrativeUnit {era: 'LEGACY'}) WHERE u.level IN ['DISTRICT', 'COMMUNE'] "
                "OPTIONAL MATCH (o:Organisation)-[:LOCATED_IN]->(u) "
                "WHERE o.kind IN ['DISTRICT_PEOPLES_COMMITTEE', 'COMMUNE_PEOPLES_COMMITTEE'] "
                "RETURN u.level AS level, count(DISTINCT u) AS units, count(o) AS committees, "
                "collect(DISTINCT o.validTo) AS ends",
            )
            return {r["level"]: (r["units"], r["committees"], r["ends"]) for r in records}

        found = await graph.read(counts)
        assert found["DISTRICT"][0] == found["DISTRICT"][1] == 696
        assert found["COMMUNE"][0] == found["COMMUNE"][1] > 10_000
        for level in ("DISTRICT", "COMMUNE"):
            assert [d.to_native() for d in found[level][2]] == [D(2025, 6, 30)]

    async def test_focal_point_at_a_legacy_commune_counts_until_the_reform(
        self, client: httpx.AsyncClient, graph: Graph
    ) -> None:
        # Phường Trúc Bạch (legacy 00004), taken over by Phường Ba Đình in Hà Nội (01).
        args = (D(2024, 1, 1), D(2025, 9, 30), "QUARTER", "01")
        before = await _series(client, *args)
        cmd = focal_points.NewFocalPoint(
            "ubnd-xa-cu-00004",
            people.PersonRef(new=people.NewPerson(factories.unique("Cán bộ xã cũ"))),
            FocalPointMode.PART_TIME,
            D(2024, 5, 20),
            "5/QĐ-UBND",
            D(2024, 5, 15),
        )
        post = await graph.write(focal_points.assign_focal_point, cmd, SYSTEM, anyone)
        try:
            await _bump(graph)
            after = await _series(client, *args)
            # Q1 2024 before the post; Q2 2024 … Q2 2025 counted; from 2025-07-01 the committee
            # no longer exists, so neither it nor its (never ended) post counts.
            assert _delta(before, after, "agenciesWithFocalPoint") == [0, 1, 1, 1, 1, 1, 0]
            national = await _series(client, D(2025, 4, 1), D(2025, 9, 30), "QUARTER")
            agencies = _column(national, "agencies")
            assert agencies[0] > 10_000 + 696 > 5_000 > agencies[1]
        finally:

            async def remove(tx: Tx) -> None:
                await run(
                    tx,
                    "MATCH (p:Person)-[:HOLDS]->(a:FocalPointAssignment {id: $id}) "
                    "OPTIONAL MATCH (a)-[:ESTABLISHED_BY]->(d:Decision) DETACH DELETE p, a, d",
                    id=post.value.id,
                )
                await refresh_org_digests(tx, orgs=["ubnd-xa-cu-00004"])
                await changes.bump(tx)

            await graph.write(remove)

    async def test_a_unit_as_focal_point_covers_its_parent(
        self, client: httpx.AsyncClient, graph: Graph
    ) -> None:
        args = (D(2040, 10, 1), D(2041, 9, 30), "QUARTER", "01")
        before = await _series(client, *args)
        org = await _agency(graph, D(2040, 1, 1))
        unit = organisations.NewOrganisation(
            "Phòng Chuyển đổi số",
            OrganisationKind.ORGANISATION_UNIT,
            "01",
            parent_id=org,
            valid_from=D(2040, 1, 1),
        )
        await graph.write(organisations.create_organisation, unit, SYSTEM, anyone)

        async def without_focal_point(tx: Tx) -> int:
            page = await gaps.gaps(
                tx,
                gaps.GapArgs(
                    gaps.GapKind.ORGANISATION_WITHOUT_FOCAL_POINT,
                    "CURRENT:PROVINCE:01",
                    D(2041, 6, 30),
                    1,
                    None,
                ),
            )
            return page.total

        try:
            gaps_before = await graph.read(without_focal_point)
            cmd = focal_points.NewFocalPoint(
                unit.id,
                people.PersonRef(new=people.NewPerson(factories.unique("Cán bộ bộ phận"))),
                FocalPointMode.FULL_TIME,
                D(2041, 2, 1),
                "7/QĐ",
                D(2041, 1, 25),
            )
            await graph.write(focal_points.assign_focal_point, cmd, SYSTEM, anyone)
            await _bump(graph)
            after = await _series(client, *args)
            # The unit is an organisation, not an agency of its own: one agency, covered from Q1.
            assert _delta(before, after, "organisations") == [2, 2, 2, 2]
            assert _delta(before, after, "agencies") == [1, 1, 1, 1]
            assert _delta(before, after, "agenciesWithFocalPoint") == [0, 1, 1, 1]
            assert await graph.read(without_focal_point) == gaps_before - 1
        finally:
            await _remove(graph, unit.id)
            await _remove(graph, org)

    async def test_a_unit_needs_its_parent(self, graph: Graph) -> None:
        unit = organisations.NewOrganisation(
            "Phòng mồ côi", OrganisationKind.ORGANISATION_UNIT, "01"
        )
        with pytest.raises(ValidationFailed) as failed:
            await graph.write(organisations.create_organisation, unit, SYSTEM, anyone)
        assert [e.field for e in failed.value.errors] == ["parentId"]
