"""Who may do what: the one place the registry decides it.

A decision has two parts. ``ALLOWED`` says which roles may take an action at all; ``covers``
says whether the viewer's scope covers the node acted on, from the node's ``Placement``
(graph/units/scopes.py: the current provinces and communes it is in, the organisations and people it
belongs to). A national coordinator covers everything; a provincial coordinator what is placed in
their province; a commune officer what is in their commune; an organisation admin what belongs
to their organisation; an expert themselves; a team leader the teams they lead.

Mutations pass ``guard(viewer, action)`` to their graph/ function, which calls it with the
target's placement inside its write transaction. Personal fields go through ``PersonalAccess``,
which batches the placement look-ups of a request and logs the reads of other people's data in
one write when the request ends (``LogPersonalReads``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension

from api.viewer import COORDINATOR_ROLES, Role, Viewer
from graph.audit import events as audit
from graph.core.db import Graph
from graph.core.errors import Forbidden
from graph.core.model import NATIONAL_ORGANISATION_KINDS, OrganisationKind
from graph.units import scopes
from graph.units.scopes import Guard, Placement


class Action(StrEnum):
    CREATE_TEAM = "createTeam"
    CLOSE_TEAM = "closeTeam"
    ADD_TEAM_MEMBER = "addTeamMember"
    END_TEAM_MEMBERSHIP = "endTeamMembership"
    ASSIGN_FOCAL_POINT = "assignFocalPoint"
    END_FOCAL_POINT = "endFocalPoint"
    CREATE_ORGANISATION = "createOrganisation"
    UPDATE_ORGANISATION = "updateOrganisation"
    VERIFY_EXPERT = "verifyExpert"
    REJECT_EXPERT = "rejectExpert"
    READ_AUDIT_TRAIL = "read the audit trail"
    READ_AUDIT_ACTORS = "see who made a change"
    READ_PERSONAL_DATA = "read personal data"
    NOMINATE_EXPERT = "nominateExpert"
    SELF_SERVICE = "manage one's own data"
    READ_NOMINATIONS = "see who nominated an expert"
    REVIEW_EXPERTS = "see the experts waiting for review"
    REPORT_ACTIVITY = "reportActivity"
    READ_TEAMS_LED = "see the teams one leads"
    MANAGE_TRAINING = "record training"
    # Support requests (#15)
    CREATE_SUPPORT_REQUEST = "createSupportRequest"
    READ_SUPPORT_REQUESTS = "see support requests"
    MATCH_EXPERTS = "match and propose experts"
    RESPOND_TO_PROPOSAL = "respondToProposal"
    CLOSE_SUPPORT_REQUEST = "close a support request"
    SET_TARGET = "setTarget"


NAT, PROV, COMM, ORG, EXP, LEAD = (
    Role.NATIONAL_COORDINATOR,
    Role.PROVINCIAL_COORDINATOR,
    Role.COMMUNE_OFFICER,
    Role.ORGANISATION_ADMIN,
    Role.EXPERT,
    Role.TEAM_LEADER,
)

# Teams are established by the commune People's Committee: the commune officer keeps them, the
# province oversees. Focal points are named by their organisation. Experts are vetted by the
# province they are located in.
ALLOWED: Mapping[Action, frozenset[Role]] = {
    Action.CREATE_TEAM: frozenset({NAT, PROV, COMM}),
    Action.CLOSE_TEAM: frozenset({NAT, PROV, COMM}),
    Action.ADD_TEAM_MEMBER: frozenset({NAT, PROV, COMM}),
    Action.END_TEAM_MEMBERSHIP: frozenset({NAT, PROV, COMM}),
    Action.ASSIGN_FOCAL_POINT: frozenset({NAT, PROV, ORG}),
    Action.END_FOCAL_POINT: frozenset({NAT, PROV, ORG}),
    Action.CREATE_ORGANISATION: frozenset({NAT, PROV}),
    Action.UPDATE_ORGANISATION: frozenset({NAT, PROV, ORG}),
    Action.VERIFY_EXPERT: frozenset({NAT, PROV}),
    Action.REJECT_EXPERT: frozenset({NAT, PROV}),
    Action.READ_AUDIT_TRAIL: frozenset({NAT, PROV, COMM, ORG}),
    Action.READ_AUDIT_ACTORS: frozenset({NAT}),
    Action.READ_PERSONAL_DATA: frozenset({NAT, PROV, COMM, ORG, EXP}),
    # A nomination makes the registry mail someone who never asked: only the network's
    # officials, who answer for it, may cause that. Not EXPERT: anyone can self-register, so
    # an expert's token is no more accountable than an anonymous caller; an expert recommends
    # someone through their provincial coordinator.
    Action.NOMINATE_EXPERT: frozenset({NAT, PROV, COMM, ORG}),
    Action.SELF_SERVICE: frozenset({EXP}),
    # Nominations are shown to those who verify the expert.
    Action.READ_NOMINATIONS: frozenset({NAT, PROV}),
    # The queue of pending profiles: for those who verify them, each in their own province.
    Action.REVIEW_EXPERTS: frozenset({NAT, PROV}),
    # What a team did: the commune that keeps it and the province that oversees it, and the
    # team's own leader, placed among the team's people while they lead it
    # (graph/activity/reports.py: team_placement), so never for another team.
    Action.REPORT_ACTIVITY: frozenset({NAT, PROV, COMM, LEAD}),
    # "My teams": a leader signed in by e-mail link (graph/signin/links.py) lists the teams
    # they lead, to report for each.
    Action.READ_TEAMS_LED: frozenset({LEAD}),
    # Training is organised by the ministry and the provinces; a provincial coordinator records
    # the people placed in their province.
    Action.MANAGE_TRAINING: frozenset({NAT, PROV}),
    # A request belongs to the organisation that asks (Kind.SUPPORT_REQUEST's placement): its
    # admin and commune officer, the provincial coordinator above and the national one see it,
    # find experts for it, propose them and close it. Only the expert proposed answers.
    Action.CREATE_SUPPORT_REQUEST: frozenset({NAT, PROV, COMM, ORG}),
    Action.READ_SUPPORT_REQUESTS: frozenset({NAT, PROV, COMM, ORG}),
    Action.MATCH_EXPERTS: frozenset({NAT, PROV, COMM, ORG}),
    Action.RESPOND_TO_PROPOSAL: frozenset({EXP}),
    Action.CLOSE_SUPPORT_REQUEST: frozenset({NAT, PROV, COMM, ORG}),
    # Targets: the national ones by the national coordinator, a province's own by its
    # coordinator; the guard on the target's unit (the central level admits only the national
    # coordinator) tells the two apart.
    Action.SET_TARGET: frozenset({NAT, PROV}),
}

EVERYWHERE = scopes.EVERYWHERE
"""For actions that are not about a placed node (the feed, nominating)."""


def covers(viewer: Viewer, placement: Placement) -> bool:
    match viewer.role:
        case Role.NATIONAL_COORDINATOR:
            return True
        case Role.PROVINCIAL_COORDINATOR:
            return viewer.province_key in placement.provinces
        case Role.COMMUNE_OFFICER:
            return viewer.commune_key in placement.communes
        case Role.ORGANISATION_ADMIN:
            return viewer.organisation_id in placement.organisations
        case Role.EXPERT | Role.TEAM_LEADER:
            return viewer.person_id in placement.people
        case _:
            return False


def may(viewer: Viewer, action: Action, placement: Placement = EVERYWHERE) -> bool:
    if viewer.role not in ALLOWED[action]:
        return False
    if placement is EVERYWHERE:
        return True
    return covers(viewer, placement)


def sees_people(viewer: Viewer) -> bool:
    """Names of team members and focal points are for the network's coordinators; contact
    fields only for those whose scope covers the person (``PersonalAccess``). Experts not yet
    verified are narrower still: ``UnverifiedExperts``."""
    return viewer.role in COORDINATOR_ROLES


@dataclass(frozen=True, slots=True)
class UnverifiedExperts:
    """Where the viewer may see experts that are not verified (PENDING, REJECTED, WITHDRAWN):
    the privacy notice publishes a name only once a coordinator verified it, so until then it
    is for the coordinators who verify that expert (``VERIFY_EXPERT``: national, or provincial
    of the expert's province) and the expert themselves. Everyone else gets the profile
    filtered out of lists and ``node`` null, as if it did not exist: counts stay those of the
    list they see."""

    everywhere: bool
    provinces: frozenset[str]

    @property
    def anywhere(self) -> bool:
        return self.everywhere or bool(self.provinces)


def unverified_experts(viewer: Viewer) -> UnverifiedExperts:
    if not may_at_all(viewer, Action.VERIFY_EXPERT):
        return UnverifiedExperts(False, frozenset())
    if viewer.role is Role.NATIONAL_COORDINATOR:
        return UnverifiedExperts(True, frozenset())
    if viewer.role is Role.PROVINCIAL_COORDINATOR and viewer.province_key:
        return UnverifiedExperts(False, frozenset({viewer.province_key}))
    return UnverifiedExperts(False, frozenset())


def may_at_all(viewer: Viewer, action: Action) -> bool:
    """Whether some placement could allow it: to refuse early, before any query."""
    return viewer.role in ALLOWED[action]


def require_organisation_kind(viewer: Viewer, kind: OrganisationKind) -> None:
    """A provincial coordinator creates the province's and communes' bodies, not national ones."""
    if kind in NATIONAL_ORGANISATION_KINDS and viewer.role is not Role.NATIONAL_COORDINATOR:
        raise Forbidden(
            Action.CREATE_ORGANISATION.value,
            f"kind: {kind.value} is a national body, created by national coordinators only",
        )


def review_scope(viewer: Viewer, asked: str | None) -> str | None:
    """The province key whose review queue the viewer reads: the one asked for, or every
    province (None) for a national coordinator; a provincial coordinator reads their own only."""
    require(viewer, Action.REVIEW_EXPERTS)
    if viewer.role is Role.NATIONAL_COORDINATOR:
        return asked
    if asked is not None and asked != viewer.province_key:
        raise Forbidden(Action.REVIEW_EXPERTS.value, "provinceCode: outside your scope")
    return viewer.province_key


@dataclass(frozen=True, slots=True)
class RequestScope:
    """Which support requests a list shows the viewer: None is no restriction on that part."""

    province: str | None = None
    commune: str | None = None
    organisation: str | None = None


def support_request_scope(viewer: Viewer) -> RequestScope:
    """The same rule as ``covers`` on a request's placement, as a filter for its list."""
    require(viewer, Action.READ_SUPPORT_REQUESTS)
    match viewer.role:
        case Role.NATIONAL_COORDINATOR:
            return RequestScope()
        case Role.PROVINCIAL_COORDINATOR if viewer.province_key:
            return RequestScope(province=viewer.province_key)
        case Role.COMMUNE_OFFICER if viewer.commune_key:
            return RequestScope(commune=viewer.commune_key)
        case Role.ORGANISATION_ADMIN if viewer.organisation_id:
            return RequestScope(organisation=viewer.organisation_id)
    raise Forbidden(Action.READ_SUPPORT_REQUESTS.value, "the role has no scope")


def require(viewer: Viewer, action: Action, placement: Placement = EVERYWHERE) -> None:
    if not may(viewer, action, placement):
        raise Forbidden(action.value)


def guard(viewer: Viewer, action: Action) -> Guard:
    """The check a graph/ unit of work runs on its target's placement."""

    def check(placement: Placement) -> None:
        require(viewer, action, placement)

    return check


def actor(viewer: Viewer) -> audit.Actor:
    """The viewer as the audit trail and the personal-read log keep them: subject, role and
    the scope the role is bound to (what a person is shown of who read their data)."""
    scope = viewer.province_key or viewer.commune_key or viewer.organisation_id
    return audit.Actor(viewer.subject, viewer.role.value, scope)


class PersonalAccess:
    """Per request: may the viewer see this person's personal fields? and which of them were
    read, to be logged when the request ends."""

    def __init__(self, graph: Graph, viewer: Viewer, request_id: str) -> None:
        self._graph = graph
        self._viewer = viewer
        self._request_id = request_id
        self._reads: dict[str, set[str]] = defaultdict(set)

        # Only scoped coordinators need placements; batched, so a page of 50 people costs one
        # query.
        self._by_kind: dict[scopes.Kind, DataLoader[str, Placement]] = {}
        self._placements = self._loader(scopes.Kind.PERSON)

    def _loader(self, kind: scopes.Kind) -> DataLoader[str, Placement]:
        if kind not in self._by_kind:
            graph = self._graph

            async def load(ids: list[str]) -> list[Placement]:
                found = await graph.read(scopes.placements, kind, ids)
                return [found.get(i, scopes.NOWHERE) for i in ids]

            self._by_kind[kind] = DataLoader(load_fn=load)
        return self._by_kind[kind]

    async def may_see(self, person_id: str) -> bool:
        viewer = self._viewer
        if viewer.role is Role.EXPERT:
            return viewer.person_id == person_id
        if not may_at_all(viewer, Action.READ_PERSONAL_DATA):
            return False
        if viewer.role is Role.NATIONAL_COORDINATOR:
            return True
        return covers(viewer, await self._placements.load(person_id))

    async def allows(self, action: Action, kind: scopes.Kind, key: str) -> bool:
        """May the viewer take ``action`` on this node (placements batched per request)?"""
        if not may_at_all(self._viewer, action):
            return False
        if self._viewer.role is Role.NATIONAL_COORDINATOR:
            return True
        return covers(self._viewer, await self._loader(kind).load(key))

    async def sees_unverified_expert(self, expert_id: str, person_id: str) -> bool:
        """May the viewer see this not-yet-verified expert at all (``UnverifiedExperts``)? The
        expert themselves always; else a verifier of the expert's province (batched)."""
        if self._viewer.role is Role.EXPERT:
            return self._viewer.person_id == person_id
        return await self.allows(Action.VERIFY_EXPERT, scopes.Kind.EXPERT, expert_id)

    async def sees_unverified_person(self, person_id: str) -> bool:
        """The same rule for a person known to the network only by an unverified profile: a
        person is placed where their profile is, so the verifiers of that province (batched)."""
        if self._viewer.role is Role.EXPERT:
            return self._viewer.person_id == person_id
        return await self.allows(Action.VERIFY_EXPERT, scopes.Kind.PERSON, person_id)

    async def field(self, person_id: str, name: str, value: str | None) -> str | None:
        """The value if the viewer may see it (noting the read), else None."""
        if value is None or not await self.may_see(person_id):
            return None
        if person_id != self._viewer.person_id:
            self._reads[person_id].add(name)
        return value

    async def flush(self) -> None:
        if not self._reads:
            return
        reads = [audit.PersonalRead(p, tuple(f)) for p, f in self._reads.items()]
        self._reads.clear()
        await self._graph.write(
            audit.log_personal_reads, actor(self._viewer), self._request_id, reads
        )


class LogPersonalReads(SchemaExtension):
    """Writes the request's personal-data reads once the operation has resolved: one batched
    write per request, whatever the number of people and fields read."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        # Only when a resolver used it: most requests read no personal field.
        access = vars(self.execution_context.context).get("access")
        if isinstance(access, PersonalAccess):
            await access.flush()
