"""The graph's controlled vocabularies, exposed as GraphQL enums with English descriptions."""

from __future__ import annotations

import strawberry

from graph import model

Era = strawberry.enum(
    model.Era,
    description="Which hierarchy a unit belongs to: LEGACY until 2025-06-30 (63 provinces, "
    "districts, communes), CURRENT from 2025-07-01 (34 provinces, communes, no districts), "
    "NATIONAL for the central level.",
)
UnitLevel = strawberry.enum(
    model.UnitLevel,
    description="Administrative level: CENTRAL (trung ương), PROVINCE (tỉnh / thành phố trung "
    "ương), DISTRICT (huyện / quận / thị xã, legacy only), COMMUNE (xã / phường / thị trấn / "
    "đặc khu).",
)
OrganisationKind = strawberry.enum(
    model.OrganisationKind,
    description="Kind of organisation in the CĐS (digital transformation) network.",
)
FocalPointMode = strawberry.enum(
    model.FocalPointMode,
    description="FULL_TIME (chuyên trách) or PART_TIME (kiêm nhiệm, on top of another post).",
)
TeamLevel = strawberry.enum(
    model.TeamLevel,
    description="Whether a community digital technology team serves a whole commune or one "
    "village.",
)
VillageKind = strawberry.enum(
    model.VillageKind,
    description="THON (thôn, village), BAN (bản, hamlet), TO_DAN_PHO (tổ dân phố, urban "
    "residential group).",
)
TeamRole = strawberry.enum(
    model.TeamRole, description="HEAD (tổ trưởng), DEPUTY (tổ phó) or MEMBER of a team."
)
HomeAffiliation = strawberry.enum(
    model.HomeAffiliation,
    description="Where a team member comes from: village head, Youth Union (Đoàn Thanh niên), "
    "commune police, a mass organisation, a telecom or IT company, a commune official, or a "
    "resident.",
)
DecisionKind = strawberry.enum(model.DecisionKind, description="What a decision established.")
Expertise = strawberry.enum(
    model.Expertise, description="Area of expertise in the expert network (controlled list)."
)
ExpertStatus = strawberry.enum(
    model.ExpertStatus,
    description="PENDING until a coordinator verifies or rejects; WITHDRAWN when the expert "
    "withdrew consent.",
)
