"""Loading the synthetic network: MERGE on any store, or a first load in two passes (CREATE
nodes, then relationships) into a store without it (graph.network.bulk)."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from graph.activity.reports import write_reports
from graph.core import changes
from graph.core.db import Graph, Tx, run, run_single
from graph.core.digests import rebuild_all_digests
from graph.core.migrations import create_search_indexes, drop_search_indexes
from graph.core.model import (
    Label,
    Rel,
)
from graph.experts import profiles
from graph.experts.profiles import upsert_experts
from graph.network import (
    bulk,
    decisions,
    focal_points,
    headcounts,
    organisations,
    people,
    teams,
)
from graph.network.decisions import upsert_decisions
from graph.network.focal_points import (
    upsert_focal_points,
    upsert_networks,
)
from graph.network.organisations import upsert_organisations
from graph.network.people import upsert_people
from graph.network.teams import upsert_memberships, upsert_teams
from seed.demo.params import (
    WORKERS,
    DemoRows,
)
from seed.demo.posts import generate
from seed.units import BATCH, batches

T = TypeVar("T")
# --- loading --------------------------------------------------------------------------------


# How a first load writes each kind of row (graph.network.bulk): the CREATE twins of the MERGE
# writers, owned by the module of their label.
ORGANISATIONS = bulk.Creator(organisations.create_organisations, organisations.link_organisations)
DECISIONS = bulk.Creator(decisions.create_decisions, decisions.link_decisions)
PEOPLE = bulk.Creator(people.create_people, None)
TEAMS = bulk.Creator(teams.create_teams, teams.link_teams)
MEMBERSHIPS = bulk.Creator(None, teams.link_memberships)
FOCAL_POINTS = bulk.Creator(focal_points.create_focal_points, focal_points.link_focal_points)
EXPERTS = bulk.Creator(profiles.create_experts, profiles.link_experts)
NETWORKS = bulk.Creator(focal_points.create_networks, focal_points.link_networks)


class _Row(Protocol):
    """What every Input dataclass of the graph modules offers."""

    def as_param(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class _Phase:
    """One kind of row, written in batches by one graph function, and what it adds."""

    name: str
    work: bulk.Writer  # MERGE: right on any store, and what a re-seed uses
    first: (
        bulk.Creator | None
    )  # CREATE, for a store without the synthetic network (graph.network.bulk)
    rows: Sequence[_Row]
    nodes: Mapping[str, int]
    relationships: Mapping[str, int]
    # Transactions in flight at once for the MERGE writer and the links of a first load. Only
    # for phases whose batches touch disjoint nodes (rows are in commune order, so two batches
    # share at most the commune at their boundary): where every batch links to the same few
    # hubs (provinces, issuers), concurrent batches would wait on each other's locks or deadlock
    # and be retried. A first load's node statements lock nothing but their own new keys and
    # always run WORKERS wide.
    workers: int = 1
    batch: int = BATCH


def _phases(net: DemoRows) -> list[_Phase]:
    """In dependency order: what a row MATCHes is written by an earlier phase."""
    n_exp = len(net.experts)
    affiliated = sum(e.affiliation_id is not None for e in net.experts)
    return [
        _Phase(
            "organisations",
            upsert_organisations,
            ORGANISATIONS,
            net.organisations,
            {Label.ORGANISATION: len(net.organisations)},
            {Rel.LOCATED_IN: sum(o.unit_key is not None for o in net.organisations)},
        ),
        # Dated reports of the organisations above and of real skeleton ones: the MERGE writer.
        _Phase("headcounts", headcounts.merge_reports, None, net.headcounts, {}, {}),
        _Phase(
            "decisions",
            upsert_decisions,
            DECISIONS,
            net.decisions,
            {Label.DECISION: len(net.decisions)},
            {Rel.ISSUED_BY: len(net.decisions)},
        ),
        _Phase(
            "people",
            upsert_people,
            PEOPLE,
            net.people,
            {Label.PERSON: len(net.people)},
            {},
            workers=WORKERS,
        ),
        _Phase(
            "teams",
            upsert_teams,
            TEAMS,
            net.teams,
            {Label.TEAM: len(net.teams)},
            {Rel.OPERATES_IN: len(net.teams), Rel.ESTABLISHED_BY: len(net.teams)},
            workers=WORKERS,
        ),
        _Phase(
            "memberships",
            upsert_memberships,
            MEMBERSHIPS,
            net.memberships,
            {},
            {Rel.MEMBER_OF: len(net.memberships)},
            workers=WORKERS,
        ),
        _Phase(
            "focal points",
            upsert_focal_points,
            FOCAL_POINTS,
            net.focal_points,
            {Label.FOCAL_POINT: len(net.focal_points)},
            {
                Rel.HOLDS: len(net.focal_points),
                Rel.AT: len(net.focal_points),
                Rel.ESTABLISHED_BY: len(net.focal_points),
            },
        ),
        _Phase(
            "experts",
            upsert_experts,
            EXPERTS,
            net.experts,
            {Label.EXPERT: n_exp},
            {Rel.HAS_PROFILE: n_exp, Rel.LOCATED_IN: n_exp, Rel.AFFILIATED_WITH: affiliated},
        ),
        _Phase(
            "networks",
            upsert_networks,
            NETWORKS,
            net.networks,
            {Label.NETWORK: len(net.networks)},
            {Rel.LOCATED_IN: len(net.networks), Rel.ESTABLISHED_BY: len(net.networks)},
        ),
        # Reports hang off teams only: batches touch disjoint teams (rows in team order).
        _Phase(
            "activity reports",
            write_reports,
            None,
            net.activity_reports,
            {Label.ACTIVITY_REPORT: len(net.activity_reports)},
            {Rel.BY: len(net.activity_reports)},
            workers=WORKERS,
        ),
    ]


@dataclass(frozen=True)
class Pass:
    """A first load's pass over all phases: the nodes, or the relationships, and how long."""

    written: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.written / max(self.seconds, 1e-9)


@dataclass(frozen=True)
class DemoReport:
    scale: float
    seed: int
    nodes: Mapping[str, int]  # written synthetic nodes by label
    relationships: Mapping[str, int]  # written relationships by type
    updated: int  # synthetic dated headcount reports
    first_load: bool  # CREATEd into a store without the network (else MERGEd onto it)
    generation_seconds: float
    load_seconds: float  # the whole load, index_seconds included
    index_seconds: float  # building the full-text indexes after a first load, until ONLINE
    # A first load's two passes (graph/network/bulk.py); None on a re-seed, whose MERGE statements
    # write nodes and relationships together.
    node_pass: Pass | None = None
    link_pass: Pass | None = None

    @property
    def node_count(self) -> int:
        return sum(self.nodes.values())

    @property
    def relationship_count(self) -> int:
        return sum(self.relationships.values())

    def summary(self) -> str:
        load = max(self.load_seconds, 1e-9)
        nodes = ", ".join(f"{label} {n:,}" for label, n in self.nodes.items())
        rels = ", ".join(f"{rel} {n:,}" for rel, n in self.relationships.items())
        how = "created (first load)" if self.first_load else "merged (re-seed)"
        passes = ""
        if self.node_pass is not None and self.link_pass is not None:
            passes = (
                f"; node pass {self.node_pass.seconds:.1f}s "
                f"({self.node_pass.per_second:,.0f} nodes/s), relationship pass "
                f"{self.link_pass.seconds:.1f}s ({self.link_pass.per_second:,.0f} rels/s)"
            )
        return (
            f"synthetic network (scale {self.scale:g}, seed {self.seed}): "
            f"{self.node_count:,} nodes ({nodes}); "
            f"{self.relationship_count:,} relationships ({rels}); "
            f"{self.updated:,} synthetic headcount reports\n"
            f"generated in {self.generation_seconds:.1f}s, {how} in {self.load_seconds:.1f}s "
            f"(search indexes {self.index_seconds:.1f}s of it{passes}): "
            f"{self.node_count / load:,.0f} nodes/s, {self.relationship_count / load:,.0f} rels/s "
            "over the whole load"
        )


async def _write(
    graph: Graph, phase: _Phase, writer: bulk.Writer, workers: int, progress: Callable[[str], None]
) -> None:
    """One transaction per batch, as seed.units.write_batched, with ``workers`` batches in
    flight: Neo4j runs each transaction on one core, and while it works on one batch this
    process builds and sends the next. Rows become parameters batch by batch, so the million
    parameter maps of a national load never exist at once. Every row must be written whole."""
    began = time.perf_counter()
    chunks = iter(batches(phase.rows, phase.batch))

    async def worker() -> int:
        written = 0
        for chunk in chunks:  # shared: each worker takes the next batch nobody has taken
            written += await graph.write(writer, [row.as_param() for row in chunk])
        return written

    written = sum(await asyncio.gather(*(worker() for _ in range(workers))))
    if written != len(phase.rows):
        raise RuntimeError(
            f"{phase.name}: {len(phase.rows) - written} of {len(phase.rows)} rows found no "
            "endpoint; were the units and skeleton seeded first (seed.units.seed_units)?"
        )
    seconds = time.perf_counter() - began
    progress(
        f"  {phase.name}: {written:,} rows in {seconds:.1f}s "
        f"({written / max(seconds, 1e-9):,.0f} rows/s)"
    )


def _external_endpoints(net: DemoRows) -> tuple[set[str], set[str]]:
    """(unit keys, organisation ids) the network links to but does not create."""
    units = {o.unit_key for o in net.organisations if o.unit_key is not None}
    units |= {t.unit_key for t in net.teams}
    units |= {e.province_key for e in net.experts}
    units |= {n.unit_key for n in net.networks}
    organisations = {d.issuer_id for d in net.decisions}
    organisations |= {a.organisation_id for a in net.focal_points}
    organisations |= {e.affiliation_id for e in net.experts if e.affiliation_id is not None}
    organisations -= {o.id for o in net.organisations}
    return units, organisations


@dataclass(frozen=True)
class _Loaded:
    nodes: Counter[str]
    relationships: Counter[str]
    first_load: bool
    index_seconds: float
    node_pass: Pass | None
    link_pass: Pass | None


def _totals(phases: Sequence[_Phase]) -> tuple[Counter[str], Counter[str]]:
    nodes: Counter[str] = Counter()
    rels: Counter[str] = Counter()
    for phase in phases:
        nodes.update(phase.nodes)
        rels.update(phase.relationships)
    return nodes, rels


async def _merge_all(
    graph: Graph, phases: Sequence[_Phase], progress: Callable[[str], None]
) -> None:
    for phase in phases:
        await _write(graph, phase, phase.work, phase.workers, progress)


async def _create_all(
    graph: Graph, net: DemoRows, phases: Sequence[_Phase], progress: Callable[[str], None]
) -> tuple[float, float]:
    """The first load's two passes (graph/network/bulk.py), after checking the endpoints outside;
    return the seconds of each."""
    units, organisations = _external_endpoints(net)
    if missing := await bulk.missing_endpoints(graph, units, organisations):
        raise RuntimeError(
            f"the demo network links to what the graph lacks ({', '.join(missing)}); "
            "were the units and skeleton seeded first (seed.units.seed_units)?"
        )
    began = time.perf_counter()
    progress("  nodes:")
    for phase in phases:
        if phase.first is None:  # updates of real nodes: MERGE, in this pass
            await _write(graph, phase, phase.work, phase.workers, progress)
        elif phase.first.nodes is not None:
            await _write(graph, phase, phase.first.nodes, WORKERS, progress)
    node_seconds = time.perf_counter() - began
    began = time.perf_counter()
    progress("  relationships:")
    for phase in phases:
        if phase.first is not None and phase.first.links is not None:
            await _write(graph, phase, phase.first.links, phase.workers, progress)
    return node_seconds, time.perf_counter() - began


async def write_network(
    graph: Graph, net: DemoRows, progress: Callable[[str], None], *, first_load: bool
) -> _Loaded:
    """Write the rows: CREATE in two passes on a first load (graph/network/bulk.py), else MERGE. No
    change counter bump and no search index handling: ``load`` does both."""
    phases = _phases(net)
    nodes, rels = _totals(phases)
    if not first_load:
        await _merge_all(graph, phases, progress)
        return _Loaded(nodes, rels, first_load, 0.0, None, None)
    node_seconds, link_seconds = await _create_all(graph, net, phases, progress)
    node_pass = Pass(sum(nodes.values()), node_seconds)
    link_pass = Pass(sum(rels.values()), link_seconds)
    return _Loaded(nodes, rels, first_load, 0.0, node_pass, link_pass)


async def load(graph: Graph, net: DemoRows, progress: Callable[[str], None]) -> _Loaded:
    """CREATE the network into a store that holds none of it (graph.network.bulk), else MERGE onto it.

    A first load drops the full-text search indexes of the labels it writes and builds them
    again at the end: Lucene updated batch by batch made the load three times slower than one
    build from the finished nodes. Search misses the new names until then, so the rebuild runs
    even when the load fails, and a re-seed creates any that a killed load left missing."""
    first_load = not await bulk.holds_synthetic(graph)
    progress(f"  {'first load: CREATE' if first_load else 'store holds the network: MERGE'}")
    if first_load:
        await drop_search_indexes(graph, bulk.DEFERRED_SEARCH_LABELS)
    try:
        written = await write_network(graph, net, progress, first_load=first_load)
        # The bulk writers (CREATE and MERGE alike) leave the places' digests to their caller.
        began = time.perf_counter()
        await rebuild_all_digests(graph)
        progress(f"  digests of the places in {time.perf_counter() - began:.1f}s")
        # Once at the end, not per batch: the counter node is one lock, and bumping it in every
        # batch would serialise the concurrent writers. Caches computed mid-load are dropped here.
        await graph.write(changes.bump)
    finally:
        began = time.perf_counter()
        await create_search_indexes(graph, bulk.DEFERRED_SEARCH_LABELS)
        index_seconds = time.perf_counter() - began
        progress(f"  search indexes online in {index_seconds:.1f}s")
    return dataclasses.replace(written, index_seconds=index_seconds)


class OtherNetwork(Exception):
    """The store holds another synthetic network (another scale or seed). Loading this one onto
    it would mix the two: the generator's profile ids do not depend on the scale, its person ids
    do, so one expert profile would end with two people and two places."""

    def __init__(self, held: str) -> None:
        super().__init__(
            f"this graph holds {held}; loading another onto it would mix the two. Seed the same "
            "network again, or into another store (CDS_LOCAL_NEO4J_DATA, or NEO4J_URI)"
        )


async def _held_network(tx: Tx) -> tuple[tuple[float, int] | None, int]:
    """The scale and seed recorded for the store's synthetic network (None: none recorded, as
    in stores seeded before the record existed), and how many synthetic teams it has."""
    record = await run_single(
        tx,
        "OPTIONAL MATCH (d:DemoNetwork {id: 'demo'}) "
        "RETURN d.scale AS scale, d.seed AS seed, "
        "COUNT { MATCH (t:CommunityTechTeam:Synthetic) } AS teams",
    )
    assert record is not None
    held = None if record["scale"] is None else (float(record["scale"]), int(record["seed"]))
    return held, int(record["teams"])


async def _record_network(tx: Tx, scale: float, seed: int) -> None:
    await run(
        tx,
        "MERGE (d:DemoNetwork {id: 'demo'}) SET d.scale = $scale, d.seed = $seed",
        scale=scale,
        seed=seed,
    )


async def generate_and_load(
    graph: Graph, scale: float, *, seed: int, progress: Callable[[str], None]
) -> DemoReport:
    """Generate the synthetic network and load it into the graph (units must be seeded):
    created on a first load, MERGEd onto what a previous load left (see ``load``) when that
    was the same network; OtherNetwork when it was another's."""
    held, teams = await graph.read(_held_network)
    if teams and held is not None and held != (scale, seed):
        raise OtherNetwork(f"the synthetic network of scale {held[0]:g}, seed {held[1]}")
    began = time.perf_counter()
    net = generate(scale, seed)
    generated = time.perf_counter() - began
    if teams and held is None and teams != len(net.teams):
        # Seeded before the store recorded its network: its size tells another one.
        raise OtherNetwork(
            f"a synthetic network of {teams:,} teams (this one has {len(net.teams):,})"
        )
    # Recorded before the first write: a load cut short leaves it, so the next one is checked.
    await graph.write(_record_network, scale, seed)
    progress(
        f"generated scale {scale:g} in {generated:.1f}s: {len(net.teams):,} teams, "
        f"{len(net.memberships):,} memberships, {len(net.people):,} people, "
        f"{len(net.organisations):,} organisations, {len(net.focal_points):,} focal points, "
        f"{len(net.experts):,} experts"
    )
    began = time.perf_counter()
    # The rows live until the load ends and hold no reference cycles: frozen, the collector
    # stops rescanning them each time the load's parameter maps trigger a collection.
    gc.freeze()
    try:
        loaded = await load(graph, net, progress)
    finally:
        gc.unfreeze()
    return DemoReport(
        scale=scale,
        seed=seed,
        nodes=dict(loaded.nodes),
        relationships=dict(loaded.relationships),
        updated=len(net.headcounts),
        first_load=loaded.first_load,
        generation_seconds=generated,
        load_seconds=time.perf_counter() - began,
        index_seconds=loaded.index_seconds,
        node_pass=loaded.node_pass,
        link_pass=loaded.link_pass,
    )
