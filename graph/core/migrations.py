"""Versioned, idempotent schema migrations, applied on start and by `cds migrate`.

Each migration is a list of schema statements written with IF NOT EXISTS, so a half-applied
migration (a crash between statements) or two processes starting together converge to the same
schema. Applied versions are recorded as (:SchemaMigration {version}) nodes. Neo4j Community has
no existence or node-key constraints: required fields are enforced by the graph/ modules.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, LiteralString

from graph.core.activity_digests import heal_activity_digests
from graph.core.activity_place_digests import rebuild_all_activity_places
from graph.core.confusables import email_skeleton
from graph.core.db import Graph, Tx, run
from graph.core.digests import rebuild_all_digests, rebuild_rollups
from graph.core.expert_digests import rebuild_all_expert_digests
from graph.core.expert_province import heal_expert_provinces
from graph.core.expertise import heal_expertise
from graph.core.model import Label
from graph.core.org_digests import rebuild_all_org_digests
from graph.core.team_digests import rebuild_all_team_digests

log = logging.getLogger("cds.migrations")


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[LiteralString, ...]
    # Data to bring in line before the statements run (a constraint cannot be created over
    # data that breaks it). Idempotent, like the statements: it is run again after a crash.
    heal: Callable[[Graph], Awaitable[None]] | None = None


HEAL_BATCH = 5000


async def _people_without_skeleton(tx: Tx, after: str, limit: int) -> list[tuple[str, str]]:
    records = await run(
        tx,
        "MATCH (p:Person) WHERE p.email IS NOT NULL AND p.emailSkeleton IS NULL AND p.id > $after "
        "RETURN p.id AS id, p.email AS email ORDER BY id LIMIT $limit",
        after=after,
        limit=limit,
    )
    return [(r["id"], r["email"]) for r in records]


async def _set_skeletons(tx: Tx, rows: list[dict[str, str]]) -> int:
    records = await run(
        tx,
        """
        UNWIND $rows AS row
        MATCH (p:Person {id: row.id})
        WHERE NOT EXISTS { MATCH (o:Person {emailSkeleton: row.skeleton}) }
        SET p.emailSkeleton = row.skeleton
        RETURN count(p) AS n
        """,
        rows=rows,
    )
    return int(records[0]["n"])


async def heal_email_skeletons(graph: Graph) -> None:
    """Give every person with an e-mail its look-alike skeleton (graph/core/confusables.py).
    Where two people already share one (two look-alike addresses registered before this
    check), the first by id keeps it and the others are logged for a coordinator to merge or
    correct: the uniqueness constraint cannot hold both, and choosing is not a migration's job."""
    after, kept, left = "", 0, 0
    while batch := await graph.read(_people_without_skeleton, after, HEAL_BATCH):
        after = batch[-1][0]
        rows: dict[str, dict[str, str]] = {}
        for person_id, email in batch:
            skeleton = email_skeleton(email)
            if skeleton in rows:
                left += 1
                continue
            rows[skeleton] = {"id": person_id, "skeleton": skeleton}
        done = await graph.write(_set_skeletons, list(rows.values()))
        kept += done
        left += len(rows) - done
    if left:
        log.warning(
            "%d people have an e-mail that looks like another person's; they keep no "
            "emailSkeleton (MATCH (p:Person) WHERE p.email IS NOT NULL AND p.emailSkeleton "
            "IS NULL lists them)",
            left,
        )
    log.info("email skeletons set for %d people", kept)


async def _migrate_headcount_batch(tx: Tx, limit: int) -> int:
    records = await run(
        tx,
        """
        MATCH (o:Organisation) WHERE o.totalStaff IS NOT NULL OR o.cdsStaff IS NOT NULL
        WITH o LIMIT $limit
        CREATE (o)-[:REPORTED]->(h:HeadcountReport {
            asOf: coalesce(o.validFrom, $undated), total: o.totalStaff, cds: o.cdsStaff,
            source: 'migrated', recordedAt: datetime(), synthetic: coalesce(o.synthetic, false)})
        FOREACH (_ IN CASE WHEN o.synthetic THEN [1] ELSE [] END | SET h:Synthetic)
        REMOVE o.totalStaff, o.cdsStaff
        RETURN count(*) AS n
        """,
        limit=limit,
        undated=HEADCOUNTS_UNDATED_AS_OF,
    )
    return int(records[0]["n"]) if records else 0


# Kept equal to graph.network.headcounts.UNDATED_AS_OF (core cannot import network; a test checks).
HEADCOUNTS_UNDATED_AS_OF: Final = dt.date(2022, 1, 1)


async def heal_headcounts(graph: Graph) -> None:
    """Issue #16: an organisation's one overwritten totalStaff/cdsStaff becomes one dated
    report, asOf = the organisation's validFrom or, when it has none, 2022-01-01 (the year of
    Decision 1690's 2.19% baseline), source 'migrated'; the properties are removed in the same
    transaction, so a re-run after a crash picks up where it stopped."""
    moved = 0
    while done := await graph.write(_migrate_headcount_batch, HEAL_BATCH):
        moved += done
    log.info("headcounts: %d organisations' figures moved to dated reports", moved)


# Decision 1690/QĐ-TTg's national targets (/work/shared/domain.md), as data, in Vietnamese as
# the public report prints them: MERGEd by id so a re-run or a coordinator's later edit of other
# fields converges. A province's own target is a Target with its scopeCode
# (graph/reports/targets.py).
DECISION_1690: Final = "Quyết định 1690/QĐ-TTg ngày 26/12/2023"
NATIONAL_TARGETS: Final = (
    {
        "id": "qd1690-agencies-with-focal-point",
        "indicator": "AGENCIES_WITH_FOCAL_POINT",
        "threshold": 1.0,
        "deadline": dt.date(2025, 12, 31),
        "sourceDecision": DECISION_1690
        + ": 100% cơ quan, đơn vị có cán bộ đầu mối chuyển đổi số trong năm 2025",
    },
    {
        "id": "qd1690-cds-staff-ratio",
        "indicator": "CDS_STAFF_RATIO",
        "threshold": 0.10,
        "deadline": dt.date(2030, 12, 31),
        "sourceDecision": DECISION_1690
        + ": nhân lực chuyển đổi số mới chiếm 2,19% biên chế (2022), hướng tới trên 10% như"
        " các nước phát triển; định hướng đến năm 2030",
    },
)


async def _seed_targets(tx: Tx) -> None:
    await run(
        tx,
        """
        UNWIND $rows AS row
        MERGE (t:Target {id: row.id})
        ON CREATE SET t.indicator = row.indicator, t.threshold = row.threshold,
                      t.deadline = row.deadline, t.sourceDecision = row.sourceDecision,
                      t.scopeCode = null
        """,
        rows=list(NATIONAL_TARGETS),
    )


async def heal_targets(graph: Graph) -> None:
    await graph.write(_seed_targets)


# `whitespace`: no stop words, so folded Vietnamese syllables such as "an", "to" stay
# searchable (standard-folding would drop them). One index per label so a search in one kind
# never wades through the hits of another. Keyed by label, (name, statement): a bulk first load
# (graph/network/bulk.py) drops the ones of the labels it writes and builds them again afterwards.
SEARCH_INDEXES: Final[Mapping[Label, tuple[LiteralString, LiteralString]]] = {
    Label.UNIT: (
        "unit_search",
        "CREATE FULLTEXT INDEX unit_search IF NOT EXISTS FOR (n:AdministrativeUnit) "
        "ON EACH [n.searchKey] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    ),
    Label.ORGANISATION: (
        "organisation_search",
        "CREATE FULLTEXT INDEX organisation_search IF NOT EXISTS FOR (n:Organisation) "
        "ON EACH [n.searchKey] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    ),
    Label.TEAM: (
        "team_search",
        "CREATE FULLTEXT INDEX team_search IF NOT EXISTS FOR (n:CommunityTechTeam) "
        "ON EACH [n.searchKey] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    ),
    Label.PERSON: (
        "person_search",
        "CREATE FULLTEXT INDEX person_search IF NOT EXISTS FOR (n:Person) "
        "ON EACH [n.searchKey] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    ),
    Label.EXPERT: (
        "expert_search",
        "CREATE FULLTEXT INDEX expert_search IF NOT EXISTS FOR (n:ExpertProfile) "
        "ON EACH [n.searchKey] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    ),
}
_SEARCH_INDEXES: tuple[LiteralString, ...] = tuple(s for _, s in SEARCH_INDEXES.values())


def _with_day_numbers(
    heal: Callable[[Graph], Awaitable[None]],
) -> Callable[[Graph], Awaitable[None]]:
    """Migrations 22 and 23 rebuild the places' activity digests, which read the teams' days as
    day numbers; a store migrated before migration 24 existed holds them as dates, so the teams'
    digests are rebuilt first (24 does it again for the stores already past 23)."""

    async def healed(graph: Graph) -> None:
        await heal_activity_digests(graph)
        await heal(graph)

    return healed


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "natural keys: one uniqueness constraint per key",
        (
            "CREATE CONSTRAINT schema_migration_version IF NOT EXISTS "
            "FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE",
            "CREATE CONSTRAINT unit_key IF NOT EXISTS "
            "FOR (u:AdministrativeUnit) REQUIRE u.key IS UNIQUE",
            "CREATE CONSTRAINT unit_era_level_code IF NOT EXISTS "
            "FOR (u:AdministrativeUnit) REQUIRE (u.era, u.level, u.code) IS UNIQUE",
            "CREATE CONSTRAINT organisation_id IF NOT EXISTS "
            "FOR (o:Organisation) REQUIRE o.id IS UNIQUE",
            "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE",
            "CREATE CONSTRAINT person_email IF NOT EXISTS FOR (p:Person) REQUIRE p.email IS UNIQUE",
            "CREATE CONSTRAINT focal_point_id IF NOT EXISTS "
            "FOR (a:FocalPointAssignment) REQUIRE a.id IS UNIQUE",
            "CREATE CONSTRAINT team_id IF NOT EXISTS "
            "FOR (t:CommunityTechTeam) REQUIRE t.id IS UNIQUE",
            "CREATE CONSTRAINT decision_id IF NOT EXISTS FOR (d:Decision) REQUIRE d.id IS UNIQUE",
            "CREATE CONSTRAINT expert_id IF NOT EXISTS "
            "FOR (e:ExpertProfile) REQUIRE e.id IS UNIQUE",
            "CREATE CONSTRAINT network_id IF NOT EXISTS "
            "FOR (n:ProvincialNetwork) REQUIRE n.id IS UNIQUE",
        ),
    ),
    Migration(
        2,
        "lookup indexes used by the API",
        (
            "CREATE INDEX unit_level_era IF NOT EXISTS FOR (u:AdministrativeUnit) ON (u.level, u.era)",
            "CREATE INDEX unit_code IF NOT EXISTS FOR (u:AdministrativeUnit) ON (u.code)",
            "CREATE INDEX organisation_kind IF NOT EXISTS FOR (o:Organisation) ON (o.kind)",
            "CREATE INDEX expert_status IF NOT EXISTS FOR (e:ExpertProfile) ON (e.status)",
            "CREATE INDEX person_phone IF NOT EXISTS FOR (p:Person) ON (p.phone)",
            "CREATE INDEX decision_number IF NOT EXISTS FOR (d:Decision) ON (d.number)",
            "CREATE INDEX synthetic_marker IF NOT EXISTS FOR (n:Synthetic) ON (n.id)",
        ),
    ),
    Migration(
        3,
        "diacritic-insensitive name search on folded keys (graph/core/text.py)",
        (*_SEARCH_INDEXES,),
    ),
    Migration(
        4,
        "the change counter (graph/core/changes.py): versions for read caches and the change feed",
        (
            "CREATE CONSTRAINT change_counter_id IF NOT EXISTS "
            "FOR (c:ChangeCounter) REQUIRE c.id IS UNIQUE",
        ),
    ),
    Migration(
        5,
        "audit trail, personal-data access log, consents, outbox, nominations, rate limits",
        (
            "CREATE CONSTRAINT audit_event_seq IF NOT EXISTS "
            "FOR (a:AuditEvent) REQUIRE a.seq IS UNIQUE",
            "CREATE INDEX personal_access_person IF NOT EXISTS "
            "FOR (a:PersonalDataAccess) ON (a.personId)",
            "CREATE CONSTRAINT consent_id IF NOT EXISTS FOR (c:Consent) REQUIRE c.id IS UNIQUE",
            "CREATE CONSTRAINT outbox_id IF NOT EXISTS "
            "FOR (m:OutboxMessage) REQUIRE m.id IS UNIQUE",
            "CREATE INDEX outbox_status IF NOT EXISTS FOR (m:OutboxMessage) ON (m.status)",
            "CREATE CONSTRAINT nomination_id IF NOT EXISTS "
            "FOR (n:Nomination) REQUIRE n.id IS UNIQUE",
            "CREATE INDEX nomination_email IF NOT EXISTS "
            "FOR (n:Nomination) ON (n.nomineeEmailHash)",
            # MERGE on a uniquely constrained key is what makes concurrent increments and
            # concurrent claims safe across API processes.
            "CREATE CONSTRAINT rate_limit_key IF NOT EXISTS "
            "FOR (r:RateLimit) REQUIRE r.key IS UNIQUE",
            "CREATE INDEX rate_limit_expiry IF NOT EXISTS FOR (r:RateLimit) ON (r.expiresAt)",
            "CREATE CONSTRAINT contact_claim_key IF NOT EXISTS "
            "FOR (c:ContactClaim) REQUIRE c.key IS UNIQUE",
        ),
    ),
    Migration(
        6,
        "import batches (graph/imports/batches.py) and the one-import-at-a-time lock",
        (
            "CREATE CONSTRAINT import_batch_id IF NOT EXISTS "
            "FOR (b:ImportBatch) REQUIRE b.id IS UNIQUE",
            # MERGE on a constrained key: two processes starting imports meet on one lock node.
            "CREATE CONSTRAINT import_lock_id IF NOT EXISTS "
            "FOR (l:ImportLock) REQUIRE l.id IS UNIQUE",
        ),
    ),
    Migration(
        7,
        "heal stores that applied an early draft of migration 3 (one index for all labels)",
        (
            "DROP INDEX search_keys IF EXISTS",
            "DROP INDEX unit_search_key IF EXISTS",
            "DROP INDEX person_search_key IF EXISTS",
            *_SEARCH_INDEXES,
        ),
    ),
    Migration(
        8,
        "drop synthetic_marker (Synthetic.id): nothing reads it, and every synthetic node paid for it",
        (
            # Finding synthetic nodes is a seek in the label lookup index; the range index on
            # Synthetic.id cost a sixth of a bulk first load's node throughput (#2).
            "DROP INDEX synthetic_marker IF EXISTS",
        ),
    ),
    Migration(
        9,
        "teams by the legacy commune they served before the reform (graph.network.teams.TEAMS_OF_PLACE)",
        (
            "CREATE INDEX team_legacy_unit IF NOT EXISTS "
            "FOR (t:CommunityTechTeam) ON (t.legacyUnitKey)",
        ),
    ),
    Migration(
        10,
        "e-mails that look alike are one address: Person.emailSkeleton unique (graph/core/confusables.py)",
        (
            # One index seek for the duplicate check, and what makes two racing registrations
            # of look-alike addresses meet, as Person.email does for identical ones.
            "CREATE CONSTRAINT person_email_skeleton IF NOT EXISTS "
            "FOR (p:Person) REQUIRE p.emailSkeleton IS UNIQUE",
        ),
        heal=heal_email_skeletons,
    ),
    Migration(
        11,
        "expert sign-in links (graph/experts/sign_in.py) and profiles changed since verification",
        (
            # A link is found by the hash of its token: one index seek, and two links can never
            # share a token.
            "CREATE CONSTRAINT sign_in_link_id IF NOT EXISTS "
            "FOR (l:SignInLink) REQUIRE l.id IS UNIQUE",
            "CREATE CONSTRAINT sign_in_link_token IF NOT EXISTS "
            "FOR (l:SignInLink) REQUIRE l.tokenHash IS UNIQUE",
            "CREATE INDEX sign_in_link_expiry IF NOT EXISTS FOR (l:SignInLink) ON (l.expiresAt)",
            # The review queue's second half: verified profiles the expert edited since.
            "CREATE INDEX expert_changed_since_verification IF NOT EXISTS "
            "FOR (e:ExpertProfile) ON (e.changedSinceVerificationAt)",
        ),
    ),
    Migration(
        12,
        "dated headcount reports: (:Organisation)-[:REPORTED]->(:HeadcountReport {asOf}) (#16)",
        ("CREATE INDEX headcount_as_of IF NOT EXISTS FOR (h:HeadcountReport) ON (h.asOf)",),
        heal=heal_headcounts,
    ),
    Migration(
        13,
        "targets as data: Decision 1690's national targets (#16)",
        ("CREATE CONSTRAINT target_id IF NOT EXISTS FOR (t:Target) REQUIRE t.id IS UNIQUE",),
        heal=heal_targets,
    ),
    Migration(
        14,
        "expertise taxonomy as data: (:ExpertiseArea)-[:HAS_SUBAREA]->(:ExpertiseArea) from "
        "graph/core/data/expertise_areas.json, old enum values rewritten to codes; experts "
        "abroad (ExpertProfile.country) (#13)",
        (
            "CREATE CONSTRAINT expertise_area_code IF NOT EXISTS "
            "FOR (a:ExpertiseArea) REQUIRE a.code IS UNIQUE",
        ),
        heal=heal_expertise,
    ),
    Migration(
        15,
        "published editions: (:Edition {periodEnd, dataVersion}) with frozen figures (#16)",
        (
            "CREATE CONSTRAINT edition_id IF NOT EXISTS FOR (e:Edition) REQUIRE e.id IS UNIQUE",
            # One edition per period end and data version, whatever its id says: what makes a
            # second `cds snapshot` on unchanged data create nothing, even when two race.
            "CREATE CONSTRAINT edition_period_version IF NOT EXISTS "
            "FOR (e:Edition) REQUIRE (e.periodEnd, e.dataVersion) IS UNIQUE",
            "CREATE INDEX edition_published_at IF NOT EXISTS FOR (e:Edition) ON (e.publishedAt)",
        ),
    ),
    Migration(
        16,
        "support requests and expert matching: (:Organisation)-[:REQUESTED]->(:SupportRequest), "
        "(:Engagement)-[:FOR]->(request), (:Engagement)-[:OF]->(:ExpertProfile), "
        "(:ExpertProfile)-[:UNAVAILABLE]->(:Unavailability) (#15)",
        (
            "CREATE CONSTRAINT support_request_id IF NOT EXISTS "
            "FOR (r:SupportRequest) REQUIRE r.id IS UNIQUE",
            "CREATE INDEX support_request_status IF NOT EXISTS FOR (r:SupportRequest) ON (r.status)",
            "CREATE INDEX support_request_created IF NOT EXISTS "
            "FOR (r:SupportRequest) ON (r.createdAt)",
            "CREATE CONSTRAINT engagement_id IF NOT EXISTS "
            "FOR (g:Engagement) REQUIRE g.id IS UNIQUE",
            "CREATE INDEX engagement_status IF NOT EXISTS FOR (g:Engagement) ON (g.status)",
            "CREATE CONSTRAINT unavailability_id IF NOT EXISTS "
            "FOR (n:Unavailability) REQUIRE n.id IS UNIQUE",
        ),
    ),
    Migration(
        17,
        "team activity reports (:ActivityReport)-[:BY]->(:CommunityTechTeam) and training "
        "courses (:Person)-[:ATTENDED]->(:TrainingCourse) (#17)",
        (
            "CREATE CONSTRAINT activity_report_id IF NOT EXISTS "
            "FOR (r:ActivityReport) REQUIRE r.id IS UNIQUE",
            # Figures and "active within N days" read a report's last day.
            "CREATE INDEX activity_report_period_to IF NOT EXISTS "
            "FOR (r:ActivityReport) ON (r.periodTo)",
            "CREATE CONSTRAINT training_course_id IF NOT EXISTS "
            "FOR (c:TrainingCourse) REQUIRE c.id IS UNIQUE",
        ),
    ),
    Migration(
        18,
        "each team's activity digest (its reports summed per last day: activityDays, "
        "activityPeople, activityHouseholds), which coverage reads instead of every report (#17)",
        (),
        heal=heal_activity_digests,
    ),
    Migration(
        19,
        "each place's team digest (teamDays, teamCounts, memberCounts, loneCounts, sharedPeople, "
        "sharedFrom, sharedTo), which coverage and series read instead of every team and "
        "membership (#14, #16)",
        (),
        heal=rebuild_all_team_digests,
    ),
    Migration(
        20,
        "each place's organisation digest (orgDays, orgCounts, agencyCounts, coveredCounts, "
        "staffSums, cdsSums), which coverage and series read instead of every organisation with "
        "its posts and reports (#14, #16)",
        (),
        heal=rebuild_all_org_digests,
    ),
    Migration(
        21,
        "each place's expert digest (expertDays, expertCounts), which coverage and series read "
        "instead of every profile placed there (#14, #16)",
        (),
        heal=rebuild_all_expert_digests,
    ),
    Migration(
        22,
        "each place's activity digest (helpDays, helpPeople, helpHouseholds, activeDays, "
        "activeCounts, activeWindow), which coverage and series read instead of every team's "
        "reports (#14, #17)",
        (),
        heal=_with_day_numbers(rebuild_all_activity_places),
    ),
    Migration(
        23,
        "each place digest's last change day and its figures from then on (teamNow, orgNow, "
        "expertNow, helpNow), which coverage on a date after it reads instead of the lists "
        "(#14)",
        (),
        heal=_with_day_numbers(rebuild_all_digests),
    ),
    Migration(
        24,
        "each team's activityDays as day numbers (days since 1970-01-01), not dates: the places' "
        "activity digests read them a third faster (#17)",
        (),
        heal=heal_activity_digests,
    ),
    Migration(
        25,
        "a unique key per place rollup ((:PlaceRollup {key}), created by migration 26): "
        "writers and builds find it by its key, and two processes migrating at once must not "
        "make two of one province (#16, #14)",
        (
            "CREATE CONSTRAINT place_rollup_key IF NOT EXISTS "
            "FOR (r:PlaceRollup) REQUIRE r.key IS UNIQUE",
        ),
    ),
    Migration(
        26,
        "per-province rollups of the places' digests (a province's and its units' digests "
        "summed on its PlaceRollup), which a national series or coverage reads instead of "
        "~14,000 units (#16, #14)",
        (),
        heal=rebuild_rollups,
    ),
    Migration(
        27,
        "each expert profile's province kept on it (provinceKey) and indexed with its status: "
        "the directory's province filter seeks it instead of walking the province's "
        "LOCATED_IN and placing each profile (#14)",
        (
            "CREATE INDEX expert_province_status IF NOT EXISTS "
            "FOR (e:ExpertProfile) ON (e.provinceKey, e.status)",
        ),
        heal=heal_expert_provinces,
    ),
)


async def _applied(tx: Tx) -> list[int]:
    records = await run(tx, "MATCH (m:SchemaMigration) RETURN m.version AS version")
    return sorted(int(r["version"]) for r in records)


async def _record(tx: Tx, version: int, description: str) -> None:
    await run(
        tx,
        "MERGE (m:SchemaMigration {version: $version}) "
        "ON CREATE SET m.description = $description, m.appliedAt = $now",
        version=version,
        description=description,
        now=dt.datetime.now(dt.UTC),
    )


async def applied_versions(graph: Graph) -> list[int]:
    return await graph.read(_applied)


async def migrate(graph: Graph) -> list[int]:
    """Apply what is missing, in order; return the versions applied now."""
    done = set(await applied_versions(graph))
    applied: list[int] = []
    for migration in MIGRATIONS:
        if migration.version in done:
            continue
        if migration.heal is not None:
            await migration.heal(graph)
        for statement in migration.statements:
            await graph.schema(statement)
        await graph.write(_record, migration.version, migration.description)
        applied.append(migration.version)
    # Index population is asynchronous: wait so the first search after start sees every name.
    await graph.schema("CALL db.awaitIndexes(300)")
    return applied


def latest_version() -> int:
    return MIGRATIONS[-1].version


# Building a full-text index over half a million names takes a few seconds; under a loaded
# machine, allow far more before calling it a failure.
SEARCH_INDEX_TIMEOUT_SECONDS: Final = 900


async def drop_search_indexes(graph: Graph, labels: Iterable[Label]) -> None:
    """Drop the full-text indexes of these labels (a bulk load rebuilds them once at the end
    instead of updating them in every transaction, which costs three times the load)."""
    for label in labels:
        name, _ = SEARCH_INDEXES[label]
        await graph.schema("DROP INDEX " + name + " IF EXISTS")


async def create_search_indexes(graph: Graph, labels: Iterable[Label]) -> None:
    """Create the full-text indexes of these labels if missing, and wait until they are ONLINE
    (population runs in the background; a search before that would miss names)."""
    wanted = [SEARCH_INDEXES[label] for label in labels]
    for _, statement in wanted:
        await graph.schema(statement)
    for name, _ in wanted:
        await graph.schema(
            "CALL db.awaitIndex($name, $timeout)",
            {"name": name, "timeout": SEARCH_INDEX_TIMEOUT_SECONDS},
        )
