"""Coordinators' mutations of the network: teams and memberships, focal points, organisations.

Each resolver refuses roles that may never take the action before any query, then makes one
``Graph.write`` of one graph/ unit of work, passing the viewer's guard (api/policy.py) and audit
actor; the unit of work checks the guard on the target's placement in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.mutations.results import (
    AUDIT_SEQ,
    ConflictError,
    NotAuthorized,
    NotFoundError,
    ValidationErrors,
    node_key,
    perform,
)
from api.policy import Action, require_organisation_kind
from api.types.enums import (
    FocalPointMode,
    HomeAffiliation,
    OrganisationKind,
    TeamLevel,
    TeamRole,
    VillageKind,
)
from api.types.network import CommunityTechTeam, Organisation, Person
from graph.audit.events import Actor
from graph.core.commands import Changed
from graph.network import focal_points, organisations, people, teams
from graph.network.records import OrganisationRecord, TeamRecord
from graph.units.scopes import Guard

if TYPE_CHECKING:
    from api.context import Context


def _today(info: strawberry.Info[Context], day: dt.date | None) -> dt.date:
    return day or info.context.today


# --- inputs ---------------------------------------------------------------------------------


@strawberry.input(description="A person who is not yet in the registry.")
class NewPersonInput:
    full_name: str = strawberry.field(description="Full name; stored NFC, trimmed.")
    email: str | None = strawberry.field(default=None, description="Personal: e-mail.")
    phone: str | None = strawberry.field(
        default=None, description="Personal: Vietnamese phone, any usual spelling."
    )


@strawberry.input(
    description="Exactly one of: an existing person (global ID) or a new person.", one_of=True
)
class PersonRefInput:
    id: strawberry.Maybe[strawberry.ID] = strawberry.field(
        description="An existing Person's global ID."
    )
    new: strawberry.Maybe[NewPersonInput] = strawberry.field(description="A new person.")

    def to_ref(self) -> people.PersonRef:
        if self.id is not None and self.id.value is not None:
            return people.PersonRef(id=node_key(self.id.value, "Person", "person.id"))
        if self.new is not None and self.new.value is not None:
            n = self.new.value
            return people.PersonRef(new=people.NewPerson(n.full_name, n.email, n.phone))
        return people.PersonRef()


@strawberry.input(description="A new community digital technology team in a current commune.")
class CreateTeamInput:
    commune_code: str = strawberry.field(description="Official code of the current commune.")
    name: str = strawberry.field(description="Team name.")
    level: TeamLevel = strawberry.field(description="Commune-wide or one village.")
    since: dt.date = strawberry.field(description="Established on.")
    decision_number: str = strawberry.field(
        description="Number of the commune People's Committee decision, e.g. '12/QĐ-UBND'."
    )
    decision_date: dt.date = strawberry.field(description="Date the decision was signed.")
    village_name: str | None = strawberry.field(
        default=None, description="For a VILLAGE team: the thôn / bản / tổ dân phố."
    )
    village_kind: VillageKind | None = strawberry.field(
        default=None, description="For a VILLAGE team: its kind."
    )


@strawberry.input(description="A person joining a team.")
class AddTeamMemberInput:
    team_id: strawberry.ID = strawberry.field(description="The team's global ID.")
    person: PersonRefInput = strawberry.field(description="Who.")
    role: TeamRole = strawberry.field(description="Head, deputy or member.")
    since: dt.date = strawberry.field(description="First day.")
    home_affiliation: HomeAffiliation = strawberry.field(description="Where the member comes from.")


@strawberry.input(description="A focal point (cán bộ đầu mối CĐS) named by an organisation.")
class AssignFocalPointInput:
    organisation_id: strawberry.ID = strawberry.field(description="The organisation's global ID.")
    person: PersonRefInput = strawberry.field(description="Who.")
    mode: FocalPointMode = strawberry.field(description="Full-time or part-time.")
    since: dt.date = strawberry.field(description="First day.")
    decision_number: str = strawberry.field(description="Number of the naming decision.")
    decision_date: dt.date = strawberry.field(description="Date the decision was signed.")
    title: str | None = strawberry.field(default=None, description="The post held, if given.")


def _staff_field(what: str) -> Any:
    """A headcount of an organisation's input: each one given is a new dated report."""
    return strawberry.field(
        default=None, description=f"{what}, reported as of staffAsOf (a new dated report)."
    )


def _staff_as_of_field() -> Any:
    return strawberry.field(
        default=None,
        description="The date the staff figures are true on (default: today). A report never "
        "overwrites an earlier one: coverage on an earlier date keeps the figures of then.",
    )


@strawberry.input(description="A new organisation of the network.")
class CreateOrganisationInput:
    name: str = strawberry.field(description="Official name.")
    kind: OrganisationKind = strawberry.field(description="Kind of organisation.")
    unit_code: str = strawberry.field(
        description="Official code of the current province or commune it is located in."
    )
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global ID of the organisation it belongs to, if any."
    )
    valid_from: dt.date | None = strawberry.field(default=None, description="Founded on.")
    total_staff: int | None = _staff_field("Total staff")
    cds_staff: int | None = _staff_field("CĐS staff")
    staff_as_of: dt.date | None = _staff_as_of_field()


@strawberry.input(description="Changes to an organisation; omitted fields stay as they are.")
class UpdateOrganisationInput:
    id: strawberry.ID = strawberry.field(description="The organisation's global ID.")
    name: str | None = strawberry.field(default=None, description="New official name.")
    total_staff: int | None = _staff_field("Total staff")
    cds_staff: int | None = _staff_field("CĐS staff")
    staff_as_of: dt.date | None = _staff_as_of_field()
    valid_to: dt.date | None = strawberry.field(
        default=None, description="Last day it existed (it ceased)."
    )


# --- payloads -------------------------------------------------------------------------------


@strawberry.type(description="A team after the change.")
class TeamPayload:
    team: CommunityTechTeam = strawberry.field(description="The team.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[TeamRecord]) -> TeamPayload:
        return TeamPayload(team=CommunityTechTeam.from_record(changed.value), audit_seq=changed.seq)


@strawberry.type(description="A membership after the change.")
class MembershipPayload:
    team: CommunityTechTeam = strawberry.field(description="The team.")
    person_id: strawberry.ID = strawberry.field(description="The member's global ID.")
    role: TeamRole = strawberry.field(description="Head, deputy or member.")
    since: dt.date = strawberry.field(description="First day.")
    until: dt.date | None = strawberry.field(description="Last day; null while it runs.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[teams.Membership]) -> MembershipPayload:
        from api.relay import to_global_id

        m = changed.value
        return MembershipPayload(
            team=CommunityTechTeam.from_record(m.team),
            person_id=to_global_id("Person", m.person_id),
            role=m.role,
            since=m.since,
            until=m.until,
            audit_seq=changed.seq,
        )

    @strawberry.field(description="The member; null if the viewer may not see people.")
    async def person(self, info: strawberry.Info[Context]) -> Person | None:
        from api.relay import from_global_id

        return await Person.load(info, from_global_id(self.person_id)[1])


@strawberry.type(description="A focal-point post after the change.")
class FocalPointPayload:
    record: strawberry.Private[focal_points.FocalPost]
    assignment_id: str = strawberry.field(description="The post's id (for endFocalPoint).")
    mode: FocalPointMode = strawberry.field(description="Full-time or part-time.")
    since: dt.date = strawberry.field(description="First day.")
    until: dt.date | None = strawberry.field(description="Last day; null while it runs.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[focal_points.FocalPost]) -> FocalPointPayload:
        p = changed.value
        return FocalPointPayload(
            record=p,
            assignment_id=p.id,
            mode=p.mode,
            since=p.since,
            until=p.until,
            audit_seq=changed.seq,
        )

    @strawberry.field(description="The organisation.")
    async def organisation(self, info: strawberry.Info[Context]) -> Organisation | None:
        return await Organisation.load(info, self.record.organisation_id)

    @strawberry.field(description="The focal point; null if the viewer may not see people.")
    async def person(self, info: strawberry.Info[Context]) -> Person | None:
        return await Person.load(info, self.record.person_id)


@strawberry.type(description="An organisation after the change.")
class OrganisationPayload:
    organisation: Organisation = strawberry.field(description="The organisation.")
    audit_seq: int | None = strawberry.field(description=AUDIT_SEQ)

    @staticmethod
    def of(changed: Changed[OrganisationRecord]) -> OrganisationPayload:
        return OrganisationPayload(
            organisation=Organisation.from_record(changed.value), audit_seq=changed.seq
        )


TeamResult = Annotated[
    TeamPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("TeamResult", description="A team changed, or why not."),
]
MembershipResult = Annotated[
    MembershipPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("MembershipResult", description="A membership changed, or why not."),
]
FocalPointResult = Annotated[
    FocalPointPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("FocalPointResult", description="A focal-point post changed, or why not."),
]
OrganisationResult = Annotated[
    OrganisationPayload | ValidationErrors | NotAuthorized | NotFoundError | ConflictError,
    strawberry.union("OrganisationResult", description="An organisation changed, or why not."),
]
Until = Annotated[dt.date | None, strawberry.argument(description="Last day (default: today).")]


@strawberry.type(description="Coordinators' changes to the network.")
class NetworkMutations:
    @strawberry.mutation(
        description="Create a team in a current commune (national, provincial coordinator of "
        "its province, commune officer of the commune)."
    )
    async def create_team(
        self, info: strawberry.Info[Context], input: CreateTeamInput
    ) -> TeamResult:
        cmd = teams.NewTeam(
            input.commune_code,
            input.name,
            input.level,
            input.since,
            input.decision_number,
            input.decision_date,
            input.village_name,
            input.village_kind,
        )
        return await perform(
            info,
            Action.CREATE_TEAM,
            lambda a, g: info.context.graph.write(teams.create_team, cmd, a, g),
            TeamPayload.of,
        )

    @strawberry.mutation(
        description="Close a team on a date; it and its memberships are kept as history."
    )
    async def close_team(
        self,
        info: strawberry.Info[Context],
        team_id: Annotated[strawberry.ID, strawberry.argument(description="The team's global ID.")],
        until: Until = None,
        reason: Annotated[str | None, strawberry.argument(description="Why.")] = None,
    ) -> TeamResult:
        day = _today(info, until)

        async def work(a: Actor, g: Guard) -> Changed[TeamRecord]:
            key = node_key(team_id, "CommunityTechTeam", "teamId")
            return await info.context.graph.write(teams.close_team, key, day, reason, a, g)

        return await perform(info, Action.CLOSE_TEAM, work, TeamPayload.of)

    @strawberry.mutation(description="Add a person (existing or new) to a team.")
    async def add_team_member(
        self, info: strawberry.Info[Context], input: AddTeamMemberInput
    ) -> MembershipResult:
        async def work(a: Actor, g: Guard) -> Changed[teams.Membership]:
            cmd = teams.NewMembership(
                node_key(input.team_id, "CommunityTechTeam", "teamId"),
                input.person.to_ref(),
                input.role,
                input.since,
                input.home_affiliation,
            )
            return await info.context.graph.write(teams.add_team_member, cmd, a, g)

        return await perform(info, Action.ADD_TEAM_MEMBER, work, MembershipPayload.of)

    @strawberry.mutation(description="End a person's running membership of a team (kept).")
    async def end_team_membership(
        self,
        info: strawberry.Info[Context],
        team_id: Annotated[strawberry.ID, strawberry.argument(description="The team's global ID.")],
        person_id: Annotated[
            strawberry.ID, strawberry.argument(description="The member's global ID.")
        ],
        until: Until = None,
    ) -> MembershipResult:
        day = _today(info, until)

        async def work(a: Actor, g: Guard) -> Changed[teams.Membership]:
            team = node_key(team_id, "CommunityTechTeam", "teamId")
            person = node_key(person_id, "Person", "personId")
            return await info.context.graph.write(
                teams.end_team_membership, team, person, day, a, g
            )

        return await perform(info, Action.END_TEAM_MEMBERSHIP, work, MembershipPayload.of)

    @strawberry.mutation(description="Name a focal point of an organisation.")
    async def assign_focal_point(
        self, info: strawberry.Info[Context], input: AssignFocalPointInput
    ) -> FocalPointResult:
        async def work(a: Actor, g: Guard) -> Changed[focal_points.FocalPost]:
            cmd = focal_points.NewFocalPoint(
                node_key(input.organisation_id, "Organisation", "organisationId"),
                input.person.to_ref(),
                input.mode,
                input.since,
                input.decision_number,
                input.decision_date,
                input.title,
            )
            return await info.context.graph.write(focal_points.assign_focal_point, cmd, a, g)

        return await perform(info, Action.ASSIGN_FOCAL_POINT, work, FocalPointPayload.of)

    @strawberry.mutation(description="End a focal-point post on a date (kept).")
    async def end_focal_point(
        self,
        info: strawberry.Info[Context],
        assignment_id: Annotated[
            str, strawberry.argument(description="The post's id (assignmentId).")
        ],
        until: Until = None,
    ) -> FocalPointResult:
        day = _today(info, until)
        return await perform(
            info,
            Action.END_FOCAL_POINT,
            lambda a, g: info.context.graph.write(
                focal_points.end_focal_point, assignment_id, day, a, g
            ),
            FocalPointPayload.of,
        )

    @strawberry.mutation(description="Create an organisation in a current province or commune.")
    async def create_organisation(
        self, info: strawberry.Info[Context], input: CreateOrganisationInput
    ) -> OrganisationResult:
        async def work(a: Actor, g: Guard) -> Changed[OrganisationRecord]:
            require_organisation_kind(info.context.viewer, input.kind)
            parent = (
                node_key(input.parent_id, "Organisation", "parentId") if input.parent_id else None
            )
            cmd = organisations.NewOrganisation(
                input.name,
                input.kind,
                input.unit_code,
                parent,
                input.valid_from,
                input.total_staff,
                input.cds_staff,
                info.context.day(input.staff_as_of),
            )
            return await info.context.graph.write(organisations.create_organisation, cmd, a, g)

        return await perform(info, Action.CREATE_ORGANISATION, work, OrganisationPayload.of)

    @strawberry.mutation(
        description="Change an organisation's name or end date, or report its staff counts "
        "(a new dated report, never an overwrite)."
    )
    async def update_organisation(
        self, info: strawberry.Info[Context], input: UpdateOrganisationInput
    ) -> OrganisationResult:
        async def work(a: Actor, g: Guard) -> Changed[OrganisationRecord]:
            patch = organisations.OrganisationPatch(
                node_key(input.id, "Organisation", "id"),
                input.name,
                input.total_staff,
                input.cds_staff,
                input.valid_to,
                info.context.day(input.staff_as_of),
            )
            return await info.context.graph.write(organisations.update_organisation, patch, a, g)

        return await perform(info, Action.UPDATE_ORGANISATION, work, OrganisationPayload.of)
