"""The synthetic demo network: teams, members, focal points, experts and organisations on top of
the real units and skeleton organisations that seed/units.py loaded.

Everything here is invented, from a fixed seed: ``random.Random(seed)`` drives every choice and
the real units are walked in code order, so a seed and a scale always give the same rows with
the same ids ("syn-team-000123"). A first load CREATEs them into a store without any
(graph/network/bulk.py); a second one MERGEs onto the same nodes and changes nothing. Every generated
node has ``synthetic = true`` and the label ``Synthetic``.

Coverage is deliberately uneven, so the coverage queries have something to find: each current
province gets a *maturity* in (0, 1), spread from laggards to leaders, and maturity drives the
chance that a commune has teams, that an agency has an active focal point, the reported CĐS
staff, how many experts a province has and which areas of expertise it lacks.

Sizes grow geometrically from the demo scale (1.0: about a thousand teams, loads in seconds) to
the national scale (``NATIONAL``: about 100,000 teams, 400,000 members), see ``Size``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Final, NamedTuple, TypeVar

from graph.activity.reports import CheckedReport
from graph.core.expertise import read_taxonomy
from graph.core.model import (
    MINISTRY_MERGER_DAY,
    ExpertStatus,
    HomeAffiliation,
)
from graph.experts.profiles import ExpertInput
from graph.network.decisions import DecisionInput
from graph.network.focal_points import (
    FocalPointInput,
    NetworkInput,
)
from graph.network.headcounts import HeadcountInput
from graph.network.organisations import OrganisationInput
from graph.network.people import PersonInput
from graph.network.teams import MembershipInput, TeamInput
from graph.units import admin_units
from seed import names

T = TypeVar("T")

DEMO_SEED: Final = 20251
NATIONAL: Final = 100.0  # the scale factor of a national-size network
# The generated history ends here. A fixed day, not today, so a seed gives the same graph on any
# day; it is before the day the generator was written, so nothing lies in the future.
AS_OF: Final = dt.date(2026, 10, 31)
TEAMS_FROM: Final = dt.date(2023, 1, 1)  # the pilots became official teams in 2023
ASSIGNMENTS_FROM: Final = dt.date(2024, 1, 1)  # Decision 1690/QĐ-TTg took effect
EMAIL_DOMAIN: Final = "demo.cds.invalid"  # .invalid can never be delivered to
_DAY = dt.timedelta(days=1)
_LAST_MIC_DAY: Final = MINISTRY_MERGER_DAY - _DAY  # the last day of Bộ TTTT and the Sở TTTT


class Size(NamedTuple):
    """A quantity at the demo scale (1) and at the national scale; other scales interpolate
    geometrically, so each quantity can grow at its own pace (enterprises much faster than
    provincial departments, of which there are only so many)."""

    demo: float
    national: float

    def at(self, scale: float) -> float:
        growth: float = (self.national / self.demo) ** (math.log(scale) / math.log(NATIONAL))
        return self.demo * growth


TEAMS = Size(1_000, 100_000)
EXPERTS = Size(200, 20_000)
AGENCIES_PER_PROVINCE = Size(5, 60)
UNIVERSITIES = Size(25, 400)
INSTITUTES = Size(15, 300)
ENTERPRISES = Size(55, 22_000)
ASSOCIATIONS = Size(15, 300)
# The chance a commune has any team is min(1, COVERAGE_FACTOR * maturity ** COVERAGE_EXPONENT).
# At demo size a thousand teams cannot cover 3,321 communes, so the steep curve spends them on the
# mature provinces (nearly all communes covered) and leaves the laggards almost empty; at
# national size coverage follows maturity linearly and covered communes get village teams.
COVERAGE_FACTOR = Size(0.85, 1.1)
COVERAGE_EXPONENT = Size(3.0, 1.0)
WORKERS = 2  # write transactions in flight for the big phases (see _Phase.workers)

BELOW_MIN_SHARE = 0.02  # teams left with fewer than 3 active members (a coverage gap)
CLOSED_TEAM_SHARE = 0.03
DISTRICT_ISSUED_SHARE = 0.05  # pre-reform teams whose decision came from a district committee
SEAT_TURNOVER_SHARE = 0.08  # seats whose first holder left and was replaced
SHARED_MEMBER_SHARE = 0.05  # members already in another team of the commune
COMMUNE_HEAD_AS_FOCAL_SHARE = 0.15  # commune focal points who also lead the commune's team
_BORN_FROM: Final = dt.date(1962, 1, 1).toordinal()
_BORN_SPAN: Final = dt.date(2005, 1, 1).toordinal() - _BORN_FROM
TEAM_SIZES: Final = (3, 4, 5, 6, 7)
TEAM_SIZE_CUM: Final = tuple(accumulate((42, 33, 15, 7, 3)))

_AFFILIATIONS: Final = (
    HomeAffiliation.YOUTH_UNION,
    HomeAffiliation.MASS_ORGANISATION,
    HomeAffiliation.RESIDENT,
    HomeAffiliation.VILLAGE_HEAD,
    HomeAffiliation.COMMUNE_OFFICIAL,
    HomeAffiliation.COMMUNE_POLICE,
    HomeAffiliation.TELECOM_IT_COMPANY,
)
_AFFILIATION_CUM: Final = tuple(accumulate((30, 18, 17, 10, 10, 8, 7)))
_STATUSES: Final = tuple(ExpertStatus)
_STATUS_CUM: Final = tuple(
    accumulate({"PENDING": 12, "VERIFIED": 75, "REJECTED": 7, "WITHDRAWN": 6}[s] for s in _STATUSES)
)
# The eleven areas the demo has always drawn from (the old enum's values, as codes), so the
# generator's random stream and every other demo figure stay as they were; each drawn area then
# becomes the area itself or one of its sub-areas (``SUBAREAS``), with a generator of its own.
_TAXONOMY: Final = read_taxonomy()
_EXPERTISE: Final = tuple(dict.fromkeys(_TAXONOMY.legacy.values()))
_PARENT: Final = {a.code: a.parent_code or a.code for a in _TAXONOMY.areas}
SUBAREAS: Final = {
    code: (code, *(a.code for a in _TAXONOMY.areas if a.parent_code == _PARENT[code]))
    for code in _EXPERTISE
}
# Villages in the northern mountains are bản; where, and how often.
_BAN_SHARE: Final = {
    "04": 0.7, "08": 0.6, "11": 0.8, "12": 0.8, "14": 0.8, "15": 0.7, "20": 0.6,
    "19": 0.2, "25": 0.2, "38": 0.2, "40": 0.2,
}  # fmt: skip
# Current provinces from Huế southwards spell Hoàng/Vũ as Huỳnh/Võ.
_SOUTHERN_FROM: Final = "46"
# Where universities, institutes, enterprises and associations cluster.
_HUB_WEIGHT: Final = {
    "01": 10.0, "79": 12.0, "48": 3.0, "31": 2.0, "92": 2.0, "46": 2.0, "24": 1.5, "75": 1.5,
    "19": 1.5, "40": 1.2,
}  # fmt: skip


def parse_scale(value: str) -> float:
    """'demo' → 1.0, 'national' → NATIONAL, or a positive factor such as '0.5' or '20'."""
    named = {"demo": 1.0, "national": NATIONAL}
    text = value.strip().lower()
    if text in named:
        return named[text]
    try:
        scale = float(text)
    except ValueError:
        scale = math.nan
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(
            f"--scale must be 'demo', 'national' ({NATIONAL:g}) or a positive number, not {value!r}"
        )
    return scale


# --- the rows to write --------------------------------------------------------------------


@dataclass
class DemoRows:
    """Every row of the synthetic network, in the Input types the graph modules write."""

    organisations: list[OrganisationInput] = dataclasses.field(default_factory=list)
    # Synthetic dated headcount reports of the demo's provincial agencies and of part of the
    # skeleton commune People's Committees (real organisations, synthetic figures).
    headcounts: list[HeadcountInput] = dataclasses.field(default_factory=list)
    decisions: list[DecisionInput] = dataclasses.field(default_factory=list)
    people: list[PersonInput] = dataclasses.field(default_factory=list)
    teams: list[TeamInput] = dataclasses.field(default_factory=list)
    memberships: list[MembershipInput] = dataclasses.field(default_factory=list)
    focal_points: list[FocalPointInput] = dataclasses.field(default_factory=list)
    experts: list[ExpertInput] = dataclasses.field(default_factory=list)
    networks: list[NetworkInput] = dataclasses.field(default_factory=list)
    activity_reports: list[CheckedReport] = dataclasses.field(default_factory=list)


class _Source(NamedTuple):
    """A legacy commune that gave territory to a current one."""

    commune: str  # legacy commune code
    district: str  # its legacy district code
    is_default: bool  # the current commune is its default successor


@dataclass(frozen=True, slots=True)
class _Agency:
    """An organisation that must name a focal point, with what the generator needs to know."""

    id: str
    province: str | None  # current province code whose maturity applies
    valid_from: dt.date
    valid_to: dt.date | None
    decision_suffix: str  # "UBND" in "12/QĐ-UBND"
    p_active: float  # chance of an active focal point on AS_OF (living organisations)
    p_full_time: float
    titles: Sequence[str]
    commune: str | None = None  # for commune committees: the commune code


@cache
def _check_names_nfc() -> None:
    """seed/names.py is typed by hand: one decomposed letter would store a name that equality
    and search treat as different from the same name typed elsewhere."""
    for attr, value in vars(names).items():
        if not attr.isupper() or not isinstance(value, tuple | dict):
            continue
        for item in value.values() if isinstance(value, dict) else value:
            text = item[0] if isinstance(item, tuple) else item
            if not unicodedata.is_normalized("NFC", text):
                raise ValueError(f"seed/names.py {attr} holds a non-NFC string: {text!r}")


def _cum(weights: Iterable[float]) -> tuple[float, ...]:
    return tuple(accumulate(weights))


def _lower_first(name: str) -> str:
    """'Xã An Bình' → 'xã An Bình', for names used inside another name."""
    return name[:1].lower() + name[1:]


def _initials(template: str) -> str:
    """'Sở Giáo dục và Đào tạo' → 'SGDĐT': the abbreviation in decision numbers."""
    words = [w for w in template.replace(",", " ").replace("-", " ").split() if w != "và"]
    return "".join(w[0].upper() for w in words)


def _person_id(index: int) -> str:
    return f"syn-person-{index + 1:06d}"


@cache
def _legacy_units() -> Mapping[tuple[str, str], admin_units.UnitRow]:
    return {(u.level, u.code): u for u in admin_units.legacy_units()}
