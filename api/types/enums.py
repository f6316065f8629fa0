"""The graph's controlled vocabularies, exposed as GraphQL enums with English descriptions."""

from __future__ import annotations

import strawberry

from graph.core.model import (
    ActivityKind,
    DecisionKind,
    Era,
    ExpertStatus,
    FocalPointMode,
    HomeAffiliation,
    OrganisationKind,
    TeamLevel,
    TeamRole,
    TrainingMode,
    UnitLevel,
    VillageKind,
)

# strawberry.enum registers the graph's own enums in place, so the API and graph/ share one
# class per vocabulary and mypy sees real types.

strawberry.enum(
    Era,
    description="Which hierarchy a unit belongs to: LEGACY until 2025-06-30 (63 provinces, "
    "districts, communes), CURRENT from 2025-07-01 (34 provinces, communes, no districts), "
    "NATIONAL for the central level.",
)
strawberry.enum(
    UnitLevel,
    description="Administrative level: CENTRAL (trung ương), PROVINCE (tỉnh / thành phố trung "
    "ương), DISTRICT (huyện / quận / thị xã, legacy only), COMMUNE (xã / phường / thị trấn / "
    "đặc khu).",
)
strawberry.enum(
    OrganisationKind,
    description="Kind of organisation in the CĐS (digital transformation) network.",
)
strawberry.enum(
    FocalPointMode,
    description="FULL_TIME (chuyên trách) or PART_TIME (kiêm nhiệm, on top of another post).",
)
strawberry.enum(
    TeamLevel,
    description="Whether a community digital technology team serves a whole commune or one "
    "village.",
)
strawberry.enum(
    VillageKind,
    description="THON (thôn, village), BAN (bản, hamlet), TO_DAN_PHO (tổ dân phố, urban "
    "residential group).",
)
strawberry.enum(TeamRole, description="HEAD (tổ trưởng), DEPUTY (tổ phó) or MEMBER of a team.")
strawberry.enum(
    HomeAffiliation,
    description="Where a team member comes from: village head, Youth Union (Đoàn Thanh niên), "
    "commune police, a mass organisation, a telecom or IT company, a commune official, or a "
    "resident.",
)
strawberry.enum(DecisionKind, description="What a decision established.")
strawberry.enum(
    ActivityKind,
    description="What a team did: helping people install and use PUBLIC_ONLINE_SERVICES (dịch "
    "vụ công trực tuyến), VNEID (định danh điện tử), CASHLESS_PAYMENT, E_COMMERCE for local "
    "products, DIGITAL_SKILLS sessions, or OTHER.",
)
strawberry.enum(TrainingMode, description="IN_PERSON, ONLINE or BLENDED.")
strawberry.enum(
    ExpertStatus,
    description="PENDING until a coordinator verifies or rejects; WITHDRAWN when the expert "
    "withdrew consent.",
)

__all__ = [
    "ActivityKind",
    "DecisionKind",
    "Era",
    "ExpertStatus",
    "FocalPointMode",
    "HomeAffiliation",
    "OrganisationKind",
    "TeamLevel",
    "TeamRole",
    "TrainingMode",
    "UnitLevel",
    "VillageKind",
]
