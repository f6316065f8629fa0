"""The vocabulary of the graph: labels, relationship types and the controlled values of properties.

graph/README.md draws the model; this module is what the code checks values against. Labels and
relationship types are enums so no Cypher is ever built from user input.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

# The 2025 reform: the legacy hierarchy is valid until REFORM_LAST_LEGACY_DAY inclusive, the
# current one from REFORM_DAY.
REFORM_DAY = dt.date(2025, 7, 1)
REFORM_LAST_LEGACY_DAY = dt.date(2025, 6, 30)
# Sở TTTT merged into Sở KH&CN, and the ministry of information and communications into the
# ministry of science and technology, on 1 March 2025.
MINISTRY_MERGER_DAY = dt.date(2025, 3, 1)


class Label(StrEnum):
    UNIT = "AdministrativeUnit"
    ORGANISATION = "Organisation"
    PERSON = "Person"
    FOCAL_POINT = "FocalPointAssignment"
    TEAM = "CommunityTechTeam"
    DECISION = "Decision"
    EXPERT = "ExpertProfile"
    NETWORK = "ProvincialNetwork"
    MIGRATION = "SchemaMigration"
    EXPERTISE_AREA = "ExpertiseArea"
    ACTIVITY_REPORT = "ActivityReport"
    TRAINING_COURSE = "TrainingCourse"
    SYNTHETIC = "Synthetic"  # every demo node carries it too, so it can be found and removed


class Rel(StrEnum):
    PART_OF = "PART_OF"  # unit → parent unit; organisation → parent organisation
    SUCCEEDED_BY = "SUCCEEDED_BY"  # legacy unit → current unit {isDefault, share}
    LOCATED_IN = "LOCATED_IN"  # organisation / expert profile / network → unit
    HOLDS = "HOLDS"  # person → focal-point assignment
    AT = "AT"  # focal-point assignment → organisation
    OPERATES_IN = "OPERATES_IN"  # team → commune
    MEMBER_OF = "MEMBER_OF"  # person → team {role, since, until, homeAffiliation}
    ESTABLISHED_BY = "ESTABLISHED_BY"  # team / assignment / network → decision
    ISSUED_BY = "ISSUED_BY"  # decision → organisation
    HAS_PROFILE = "HAS_PROFILE"  # person → expert profile
    AFFILIATED_WITH = "AFFILIATED_WITH"  # expert profile → organisation
    SUCCEEDED_BY_ORG = "ORG_SUCCEEDED_BY"  # organisation → organisation that took over
    BY = "BY"  # activity report → the team that reports it
    ATTENDED = "ATTENDED"  # person → training course {completed}


class Era(StrEnum):
    NATIONAL = "NATIONAL"  # the central level, valid in both eras
    LEGACY = "LEGACY"  # until 2025-06-30
    CURRENT = "CURRENT"  # from 2025-07-01


class UnitLevel(StrEnum):
    CENTRAL = "CENTRAL"
    PROVINCE = "PROVINCE"
    DISTRICT = "DISTRICT"
    COMMUNE = "COMMUNE"


class OrganisationKind(StrEnum):
    NATIONAL_COORDINATOR = "NATIONAL_COORDINATOR"  # Cục Chuyển đổi số quốc gia
    MINISTRY = "MINISTRY"  # Bộ
    MINISTRY_DEPARTMENT = "MINISTRY_DEPARTMENT"  # Cục / Vụ of a ministry
    PROVINCIAL_PEOPLES_COMMITTEE = "PROVINCIAL_PEOPLES_COMMITTEE"  # UBND tỉnh
    PROVINCIAL_CDS_DEPARTMENT = "PROVINCIAL_CDS_DEPARTMENT"  # Sở TTTT (before), Sở KH&CN (after)
    PROVINCIAL_AGENCY = "PROVINCIAL_AGENCY"  # other Sở and provincial agencies
    DISTRICT_PEOPLES_COMMITTEE = "DISTRICT_PEOPLES_COMMITTEE"  # UBND huyện (ceased 2025-07-01)
    DISTRICT_OFFICE = "DISTRICT_OFFICE"  # Phòng Văn hóa và Thông tin (Phòng VHTT)
    COMMUNE_PEOPLES_COMMITTEE = "COMMUNE_PEOPLES_COMMITTEE"  # UBND xã / phường / đặc khu
    # Bộ phận: a named unit of an organisation (a phòng, văn phòng or tổ) PART_OF it. Decision 1690
    # lets an agency name a focal unit instead of a person: a focal point posted at the unit
    # counts as the parent's (graph/network/focal_points.py, has_focal_point).
    ORGANISATION_UNIT = "ORGANISATION_UNIT"
    UNIVERSITY = "UNIVERSITY"
    INSTITUTE = "INSTITUTE"
    ENTERPRISE = "ENTERPRISE"
    ASSOCIATION = "ASSOCIATION"


# The organisations that must name a CĐS focal point under Decision 1690/QĐ-TTg: ministry
# departments, provincial departments and People's Committees at every level. Universities,
# enterprises and associations join the network voluntarily and are not counted as gaps.
AGENCY_KINDS: tuple[OrganisationKind, ...] = (
    OrganisationKind.NATIONAL_COORDINATOR,
    OrganisationKind.MINISTRY,
    OrganisationKind.MINISTRY_DEPARTMENT,
    OrganisationKind.PROVINCIAL_PEOPLES_COMMITTEE,
    OrganisationKind.PROVINCIAL_CDS_DEPARTMENT,
    OrganisationKind.PROVINCIAL_AGENCY,
    OrganisationKind.DISTRICT_PEOPLES_COMMITTEE,
    OrganisationKind.DISTRICT_OFFICE,
    OrganisationKind.COMMUNE_PEOPLES_COMMITTEE,
)


# National bodies: only a national coordinator creates them (api/policy.py), by hand or in a
# spreadsheet, wherever they are located.
NATIONAL_ORGANISATION_KINDS: frozenset[OrganisationKind] = frozenset(
    {
        OrganisationKind.NATIONAL_COORDINATOR,
        OrganisationKind.MINISTRY,
        OrganisationKind.MINISTRY_DEPARTMENT,
    }
)


class FocalPointMode(StrEnum):
    FULL_TIME = "FULL_TIME"  # chuyên trách
    PART_TIME = "PART_TIME"  # kiêm nhiệm


class TeamLevel(StrEnum):
    COMMUNE = "COMMUNE"  # the team covers the whole commune
    VILLAGE = "VILLAGE"  # one thôn / bản / tổ dân phố


class VillageKind(StrEnum):
    THON = "THON"  # thôn
    BAN = "BAN"  # bản (mountain hamlet)
    TO_DAN_PHO = "TO_DAN_PHO"  # tổ dân phố (urban residential group)


class TeamRole(StrEnum):
    HEAD = "HEAD"  # tổ trưởng
    DEPUTY = "DEPUTY"  # tổ phó
    MEMBER = "MEMBER"


class HomeAffiliation(StrEnum):
    """Where a team member comes from (the team gathers people already trusted locally)."""

    VILLAGE_HEAD = "VILLAGE_HEAD"  # trưởng thôn
    YOUTH_UNION = "YOUTH_UNION"  # Đoàn Thanh niên
    COMMUNE_POLICE = "COMMUNE_POLICE"  # công an xã
    MASS_ORGANISATION = "MASS_ORGANISATION"  # Hội Phụ nữ, Hội Nông dân, Mặt trận…
    TELECOM_IT_COMPANY = "TELECOM_IT_COMPANY"  # Viettel, VNPT… staff
    COMMUNE_OFFICIAL = "COMMUNE_OFFICIAL"  # công chức xã
    RESIDENT = "RESIDENT"


class DecisionKind(StrEnum):
    TEAM_ESTABLISHMENT = "TEAM_ESTABLISHMENT"
    FOCAL_POINT_ASSIGNMENT = "FOCAL_POINT_ASSIGNMENT"
    NETWORK_ESTABLISHMENT = "NETWORK_ESTABLISHMENT"


class ActivityKind(StrEnum):
    """What a team did (Decision 1690: help people use public online services and payments)."""

    PUBLIC_ONLINE_SERVICES = "PUBLIC_ONLINE_SERVICES"  # dịch vụ công trực tuyến
    VNEID = "VNEID"  # định danh điện tử VNeID
    CASHLESS_PAYMENT = "CASHLESS_PAYMENT"  # thanh toán không dùng tiền mặt
    E_COMMERCE = "E_COMMERCE"  # thương mại điện tử cho sản phẩm địa phương
    DIGITAL_SKILLS = "DIGITAL_SKILLS"  # buổi phổ cập kỹ năng số
    OTHER = "OTHER"


class TrainingMode(StrEnum):
    IN_PERSON = "IN_PERSON"  # trực tiếp
    ONLINE = "ONLINE"  # trực tuyến
    BLENDED = "BLENDED"  # kết hợp


# The member role that may report a team's activity (the issue's "LEADER"): tổ trưởng.
TEAM_LEADER_ROLE = TeamRole.HEAD


# Areas of expertise are data, not an enum: graph/core/expertise.py (migration 14).


class ExpertStatus(StrEnum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


def unit_key(era: Era, level: UnitLevel, code: str) -> str:
    """The natural key of a unit: official codes were reused across the reform, so the era is
    part of it (legacy ward 00004 Trúc Bạch is not current ward 00004 Ba Đình)."""
    return f"{era.value}:{level.value}:{code}"


CENTRAL_UNIT_KEY = unit_key(Era.NATIONAL, UnitLevel.CENTRAL, "VN")
