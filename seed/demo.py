"""The synthetic demo network: teams, members, focal points, experts and organisations on top of
the real units and skeleton organisations that seed/units.py loaded.

Everything here is invented, from a fixed seed: ``random.Random(seed)`` drives every choice and
the real units are walked in code order, so a seed and a scale always give the same rows with
the same ids ("syn-team-000123"). A first load CREATEs them into a store without any
(graph/bulk.py); a second one MERGEs onto the same nodes and changes nothing. Every generated
node has ``synthetic = true`` and the label ``Synthetic``.

Coverage is deliberately uneven, so the coverage queries have something to find: each current
province gets a *maturity* in (0, 1), spread from laggards to leaders, and maturity drives the
chance that a commune has teams, that an agency has an active focal point, the reported CĐS
staff, how many experts a province has and which areas of expertise it lacks.

Sizes grow geometrically from the demo scale (1.0: about a thousand teams, loads in seconds) to
the national scale (``NATIONAL``: about 100,000 teams, 400,000 members), see ``Size``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gc
import math
import random
import time
import unicodedata
from bisect import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from itertools import accumulate
from typing import Any, Final, NamedTuple, Protocol, TypeVar

from graph import bulk, changes
from graph.db import Graph
from graph.decisions import DecisionInput, upsert_decisions
from graph.experts import ExpertInput, upsert_experts
from graph.focal_points import FocalPointInput, NetworkInput, upsert_focal_points, upsert_networks
from graph.migrations import create_search_indexes, drop_search_indexes
from graph.model import (
    MINISTRY_MERGER_DAY,
    REFORM_DAY,
    REFORM_LAST_LEGACY_DAY,
    DecisionKind,
    Era,
    Expertise,
    ExpertStatus,
    FocalPointMode,
    HomeAffiliation,
    Label,
    OrganisationKind,
    Rel,
    TeamLevel,
    TeamRole,
    UnitLevel,
    VillageKind,
    unit_key,
)
from graph.organisations import OrganisationInput, upsert_organisations
from graph.people import PersonInput, upsert_people
from graph.teams import MembershipInput, TeamInput, upsert_memberships, upsert_teams
from graph.text import fold
from seed import admin_units, names
from seed.units import BATCH, NATIONAL_COORDINATOR_ID, batches, skeleton_organisations

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
_EXPERTISE: Final = tuple(Expertise)
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
    # Skeleton commune People's Committees (real, not synthetic) with reported headcounts.
    headcounts: list[OrganisationInput] = dataclasses.field(default_factory=list)
    decisions: list[DecisionInput] = dataclasses.field(default_factory=list)
    people: list[PersonInput] = dataclasses.field(default_factory=list)
    teams: list[TeamInput] = dataclasses.field(default_factory=list)
    memberships: list[MembershipInput] = dataclasses.field(default_factory=list)
    focal_points: list[FocalPointInput] = dataclasses.field(default_factory=list)
    experts: list[ExpertInput] = dataclasses.field(default_factory=list)
    networks: list[NetworkInput] = dataclasses.field(default_factory=list)


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


class _Generator:
    def __init__(self, scale: float, seed: int) -> None:
        _check_names_nfc()
        self.scale = scale
        self.rng = random.Random(seed)
        self.out = DemoRows()
        current = admin_units.current_units()
        self.provinces = [u for u in current if u.level == "PROVINCE"]
        self.communes: dict[str, list[admin_units.UnitRow]] = defaultdict(list)
        for u in current:
            if u.level == "COMMUNE" and u.parent_code is not None:
                self.communes[u.parent_code].append(u)
        self.maturity = self._maturity()
        self._decision_numbers: Counter[tuple[str, int]] = Counter()
        self._district_committees: dict[str, str] = {}  # legacy district code → organisation id
        self._commune_heads: dict[str, int] = {}  # commune code → index of its team's head
        self._family_cum = _cum(w for _, w in names.FAMILY_NAMES)
        self._male_middle_cum = _cum(w for _, w in names.MALE_MIDDLE)
        self._female_middle_cum = _cum(w for _, w in names.FEMALE_MIDDLE)

    # --- shared helpers -------------------------------------------------------------------

    def _maturity(self) -> dict[str, float]:
        """Evenly spread quantiles, skewed towards mature (u ** 0.7: from ~0.05 to ~0.99), dealt
        to provinces at random: every run has leaders, a middle and a few laggards with large
        gaps, which independent Beta draws would not guarantee for 34 provinces."""
        n = len(self.provinces)
        levels = [((i + 0.5) / n) ** 0.7 for i in range(n)]
        self.rng.shuffle(levels)
        return {p.code: level for p, level in zip(self.provinces, levels, strict=True)}

    # The hot paths below draw ~10 numbers per person for 400k people: ``random()`` with
    # arithmetic and ``bisect`` are several times faster than randint/choice/choices.

    def _below(self, n: int) -> int:
        return int(self.rng.random() * n)

    def _one(self, items: Sequence[T]) -> T:
        return items[int(self.rng.random() * len(items))]

    def _pick(self, items: Sequence[T], cum: Sequence[float]) -> T:
        return items[bisect(cum, self.rng.random() * cum[-1])]

    def _day(self, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return first + dt.timedelta(days=self._below((last - first).days + 1))

    def _decision(
        self, kind: DecisionKind, issuer_id: str, suffix: str, date: dt.date
    ) -> DecisionInput:
        """A decision with the issuer's next number of the year ("12/QĐ-UBND")."""
        self._decision_numbers[(issuer_id, date.year)] += 1
        number = self._decision_numbers[(issuer_id, date.year)]
        decision = DecisionInput(
            id=f"syn-dec-{len(self.out.decisions) + 1:06d}",
            kind=kind,
            number=f"{number}/QĐ-{suffix}",
            date=date,
            issuer_id=issuer_id,
            synthetic=True,
        )
        self.out.decisions.append(decision)
        return decision

    def _full_name(self, province: str) -> str:
        random = self.rng.random
        if _BAN_SHARE.get(province, 0.0) >= 0.5 and random() < 0.4:
            family = self._one(names.HIGHLAND_FAMILY_NAMES)
        else:
            family = self._pick(names.FAMILY_NAMES, self._family_cum)[0]
            if province >= _SOUTHERN_FROM and random() < 0.85:
                family = names.SOUTHERN_VARIANT.get(family, family)
        if random() < 0.5:
            middle = self._pick(names.MALE_MIDDLE, self._male_middle_cum)[0]
            given_names = names.MALE_GIVEN
        else:
            middle = self._pick(names.FEMALE_MIDDLE, self._female_middle_cum)[0]
            given_names = names.FEMALE_GIVEN
        given = self._one(given_names)
        while given == middle:  # "Nguyễn Minh Minh" is not a name anyone is given
            given = self._one(given_names)
        return f"{family} {middle} {given}"

    @staticmethod
    def _email(full_name: str, index: int) -> str:
        # The person's number makes it unique: Person.email carries a uniqueness constraint.
        return f"{fold(full_name).replace(' ', '.')}.{index + 1}@{EMAIL_DOMAIN}"

    def _person(self, province: str, *, email: bool) -> int:
        """A new person; returns its index in ``out.people`` (its id is derived from it)."""
        index = len(self.out.people)
        name = self._full_name(province)
        # +84 90 and seven digits: the index times a number prime to 10^7 is a permutation, so
        # phones are unique and look random without a lookup table.
        phone = f"+8490{(index * 3_141_593 + 1_234_567) % 10_000_000:07d}"
        birth = None
        if self.rng.random() < 0.7:
            birth = dt.date.fromordinal(_BORN_FROM + self._below(_BORN_SPAN))
        self.out.people.append(
            PersonInput(
                id=_person_id(index),
                full_name=name,
                phone=phone,
                email=self._email(name, index) if email else None,
                birth_date=birth,
                synthetic=True,
            )
        )
        return index

    def _give_email(self, index: int) -> None:
        person = self.out.people[index]
        if person.email is None:
            email = self._email(person.full_name, index)
            self.out.people[index] = dataclasses.replace(person, email=email)

    def _sized(self, size: Size) -> int:
        return max(0, round(size.at(self.scale)))

    def _unique(self, make: Callable[[], str], seen: set[str]) -> str:
        """A name not used yet; after many collisions a branch number makes it unique."""
        for _ in range(50):
            name = make()
            if name not in seen:
                seen.add(name)
                return name
        branch = 2
        while f"{name} - Cơ sở {branch}" in seen:
            branch += 1
        name = f"{name} - Cơ sở {branch}"
        seen.add(name)
        return name

    # --- organisations --------------------------------------------------------------------

    def organisations(self) -> list[_Agency]:
        """Provincial agencies (with headcounts), the voluntary members (universities,
        institutes, enterprises, associations) and headcounts for part of the commune
        committees. Returns the generated agencies, which must name focal points."""
        rng = self.rng
        agencies: list[_Agency] = []
        per_province = self._sized(AGENCIES_PER_PROVINCE)
        for province in self.provinces:
            m = self.maturity[province.code]
            templates = list(names.PROVINCIAL_DEPARTMENTS[:per_province])
            communes = self.communes[province.code]
            for commune in rng.sample(communes, min(len(communes), per_province - len(templates))):
                regional = rng.choice(names.REGIONAL_AGENCIES)
                templates.append(f"{regional} {commune.short_name}")
            for template in templates:
                org_id = f"syn-org-{len(self.out.organisations) + 1:06d}"
                total = cds = None
                if rng.random() < 0.6 + 0.4 * m:
                    total = rng.randint(30, 400)
                    cds = round(total * rng.uniform(0.01, 0.02 + 0.04 * m))
                self.out.organisations.append(
                    OrganisationInput(
                        id=org_id,
                        kind=OrganisationKind.PROVINCIAL_AGENCY,
                        name=f"{template} {province.short_name}",
                        unit_key=unit_key(Era.CURRENT, UnitLevel.PROVINCE, province.code),
                        valid_from=REFORM_DAY,
                        total_staff=total,
                        cds_staff=cds,
                        synthetic=True,
                    )
                )
                agencies.append(
                    _Agency(
                        org_id,
                        province.code,
                        REFORM_DAY,
                        None,
                        _initials(template),
                        p_active=0.2 + 0.75 * m,
                        p_full_time=0.3,
                        titles=names.AGENCY_TITLES,
                    )
                )
        self._voluntary()
        self._commune_headcounts()
        return agencies

    def _voluntary(self) -> None:
        """Universities, institutes, enterprises and associations: join voluntarily, so they are
        never coverage gaps; they cluster in the big cities."""
        rng = self.rng
        codes = [p.code for p in self.provinces]
        short = {p.code: p.short_name for p in self.provinces}
        # Enterprises follow the hubs fully; schools, institutes and associations less steeply
        # (their names are "<kind> <field> <province>", and a hub has only so many fields).
        hubs = _cum(_HUB_WEIGHT.get(c, 0.5) for c in codes)
        flatter = _cum(math.sqrt(_HUB_WEIGHT.get(c, 0.5)) for c in codes)
        seen: set[str] = set()

        def school(code: str) -> str:
            kind, field = rng.choice(names.SCHOOL_TYPES), rng.choice(names.SCHOOL_FIELDS)
            return f"{kind} {field} {short[code]}"

        def institute(code: str) -> str:
            kind, field = rng.choice(names.INSTITUTE_TYPES), rng.choice(names.INSTITUTE_FIELDS)
            return f"{kind} {field} {short[code]}"

        def enterprise(code: str) -> str:
            first = rng.choice(names.BRAND_FIRST)
            second = rng.choice([b for b in names.BRAND_SECOND if b != first])
            place = f" {short[code]}" if rng.random() < 0.3 else ""
            return f"{rng.choice(names.ENTERPRISE_TYPES)} {first} {second}{place}"

        def association(code: str) -> str:
            # A province has one "Hội Tin học"; beyond that, local chapters named after a commune.
            place = short[code] if rng.random() < 0.7 else rng.choice(self.communes[code]).name
            return f"{rng.choice(names.ASSOCIATION_TYPES)} {place}"

        plan: tuple[tuple[OrganisationKind, Size, Callable[[str], str], Sequence[float]], ...] = (
            (OrganisationKind.UNIVERSITY, UNIVERSITIES, school, flatter),
            (OrganisationKind.INSTITUTE, INSTITUTES, institute, flatter),
            (OrganisationKind.ENTERPRISE, ENTERPRISES, enterprise, hubs),
            (OrganisationKind.ASSOCIATION, ASSOCIATIONS, association, flatter),
        )
        for kind, size, make, cum in plan:
            for _ in range(self._sized(size)):
                code = self._pick(codes, cum)
                self.out.organisations.append(
                    OrganisationInput(
                        id=f"syn-org-{len(self.out.organisations) + 1:06d}",
                        kind=kind,
                        name=self._unique(partial(make, code), seen),
                        unit_key=unit_key(Era.CURRENT, UnitLevel.PROVINCE, code),
                        synthetic=True,
                    )
                )

    def _commune_headcounts(self) -> None:
        """The skeleton's commune committees are real and stay non-synthetic; part of them get
        invented reported headcounts, written over the skeleton row so nothing else changes."""
        province_of = {u.code: u.parent_code for rows in self.communes.values() for u in rows}
        for org in skeleton_organisations():
            if org.kind is not OrganisationKind.COMMUNE_PEOPLES_COMMITTEE:
                continue
            code = org.id.removeprefix("ubnd-xa-")
            m = self.maturity[province_of[code] or ""]
            if self.rng.random() < 0.2 + 0.5 * m:
                total = self.rng.randint(22, 45)
                cds = round(total * self.rng.uniform(0.01, 0.02 + 0.04 * m))
                self.out.headcounts.append(
                    dataclasses.replace(org, total_staff=total, cds_staff=cds)
                )

    # --- teams ----------------------------------------------------------------------------

    def teams(self) -> None:
        rng = self.rng
        target = self._sized(TEAMS)
        factor, exponent = COVERAGE_FACTOR.at(self.scale), COVERAGE_EXPONENT.at(self.scale)
        covered: list[tuple[admin_units.UnitRow, float]] = []
        for province in self.provinces:
            m = self.maturity[province.code]
            p_covered = min(1.0, factor * m**exponent)
            for commune in self.communes[province.code]:
                if rng.random() < p_covered:
                    urban = 1.3 if commune.unit_type == "phường" else 1.0
                    covered.append((commune, m * urban * rng.uniform(0.3, 1.7)))
        if len(covered) > target:
            keep = sorted(rng.sample(range(len(covered)), target))
            covered = [covered[i] for i in keep]
        counts = [1] * len(covered)
        if covered and target > len(covered):
            cum = _cum(w for _, w in covered)
            for i in rng.choices(range(len(covered)), cum_weights=cum, k=target - len(covered)):
                counts[i] += 1
        successors = self._legacy_sources()
        for (commune, _), n in zip(covered, counts, strict=True):
            self._commune_teams(commune, n, successors.get(commune.code, ()))

    @staticmethod
    def _legacy_sources() -> dict[str, tuple[_Source, ...]]:
        """Current commune code → the legacy communes it took territory from."""
        district_of = {
            u.code: u.parent_code
            for u in admin_units.legacy_units()
            if u.level == "COMMUNE" and u.parent_code is not None
        }
        sources: dict[str, list[_Source]] = defaultdict(list)
        for s in admin_units.successions():
            if s.level == "COMMUNE" and s.legacy_code in district_of:
                sources[s.current_code].append(
                    _Source(s.legacy_code, district_of[s.legacy_code], s.is_default)
                )
        return {code: tuple(rows) for code, rows in sources.items()}

    def _district_committee(self, district_code: str) -> str:
        """The People's Committee of a legacy district, created the first time a team needs it:
        it ceased on 2025-06-30, and what it established must be re-confirmed."""
        if district_code not in self._district_committees:
            district = _legacy_units()[("DISTRICT", district_code)]
            province = _legacy_units()[("PROVINCE", district.parent_code or "")]
            org_id = f"ubnd-huyen-{district_code}"
            self.out.organisations.append(
                OrganisationInput(
                    id=org_id,
                    kind=OrganisationKind.DISTRICT_PEOPLES_COMMITTEE,
                    # With the province: several provinces had a Huyện Châu Thành.
                    name=f"Ủy ban nhân dân {district.name}, {_lower_first(province.name)}",
                    unit_key=unit_key(Era.LEGACY, UnitLevel.DISTRICT, district_code),
                    valid_to=REFORM_LAST_LEGACY_DAY,
                    synthetic=True,
                )
            )
            self._district_committees[district_code] = org_id
        return self._district_committees[district_code]

    def _village_names(self, commune: admin_units.UnitRow, n: int) -> list[tuple[str, VillageKind]]:
        """n distinct villages of a commune: tổ dân phố (numbered) in wards; thôn (named or
        numbered) or bản in the countryside."""
        rng = self.rng
        if commune.unit_type == "phường":
            numbers = rng.sample(range(1, max(n, 30) + 1), n)
            return [(f"Tổ dân phố {k}", VillageKind.TO_DAN_PHO) for k in sorted(numbers)]
        ban_share = _BAN_SHARE.get(commune.parent_code or "", 0.0)
        named = list(names.THON_NAMES) if rng.random() < 0.6 else []
        rng.shuffle(named)
        bans = [f"{a} {b}" for a in names.BAN_FIRST for b in names.BAN_SECOND]
        rng.shuffle(bans)
        numbered = 0
        out: list[tuple[str, VillageKind]] = []
        for _ in range(n):
            if bans and rng.random() < ban_share:
                out.append((f"Bản {bans.pop()}", VillageKind.BAN))
            elif named:
                out.append((f"Thôn {named.pop()}", VillageKind.THON))
            else:
                numbered += 1
                out.append((f"Thôn {numbered}", VillageKind.THON))
        return out

    def _commune_teams(
        self, commune: admin_units.UnitRow, n: int, sources: Sequence[_Source]
    ) -> None:
        """n teams in a commune: one for the whole commune, the rest for villages, established
        in a few waves, each wave one decision. A team older than the reform keeps the legacy
        commune it served in ``legacy_unit_key``: one whose default successor this commune is
        (a split commune's other pieces count in their default, as coverage does)."""
        rng = self.rng
        homes = [source.commune for source in sources if source.is_default]
        province = commune.parent_code or ""
        committee = f"ubnd-xa-{commune.code}"
        waves = min(n, 1 + int(math.log2(n) * rng.random() * 1.5))
        last_start = AS_OF - dt.timedelta(days=30)
        span = (last_start - TEAMS_FROM).days
        # Later dates are likelier: most teams were set up once the programme was official.
        dates = sorted(
            TEAMS_FROM + dt.timedelta(days=int(span * rng.random() ** 0.7)) for _ in range(waves)
        )
        decisions: list[DecisionInput] = []
        for date in dates:
            if date < REFORM_DAY and sources and rng.random() < DISTRICT_ISSUED_SHARE:
                district = rng.choice(sources).district
                issuer = self._district_committee(district)
                decisions.append(
                    self._decision(DecisionKind.TEAM_ESTABLISHMENT, issuer, "UBND", date)
                )
            else:
                # A team older than the reform was re-confirmed by the new commune's committee,
                # which only exists from 2025-07-01.
                issued = max(date, self._day(REFORM_DAY, REFORM_DAY + dt.timedelta(days=120)))
                decisions.append(
                    self._decision(DecisionKind.TEAM_ESTABLISHMENT, committee, "UBND", issued)
                )
        villages = self._village_names(commune, n - 1)
        pool: list[int] = []  # people already in a team of this commune
        for i in range(n):
            wave = 0 if i == 0 else rng.randrange(waves)
            since = dates[wave]
            closed = rng.random() < CLOSED_TEAM_SHARE and (AS_OF - since).days > 120
            until = self._day(since + dt.timedelta(days=90), AS_OF - _DAY) if closed else None
            team_id = f"syn-team-{len(self.out.teams) + 1:06d}"
            if i == 0:
                level, village, kind = TeamLevel.COMMUNE, None, None
                name = f"Tổ CNSCĐ {_lower_first(commune.name)}"
            else:
                level, (village, kind) = TeamLevel.VILLAGE, villages[i - 1]
                name = f"Tổ CNSCĐ {_lower_first(village)}"
            team = TeamInput(
                id=team_id,
                name=name,
                level=level,
                unit_key=unit_key(Era.CURRENT, UnitLevel.COMMUNE, commune.code),
                decision_id=decisions[wave].id,
                since=since,
                until=until,
                village_name=village,
                village_kind=kind,
                synthetic=True,
                # Picked by position, not drawn, so the random stream (and every other row of
                # a seed) stays as it was.
                legacy_unit_key=(
                    unit_key(Era.LEGACY, UnitLevel.COMMUNE, homes[i % len(homes)])
                    if since < REFORM_DAY and homes
                    else None
                ),
            )
            self.out.teams.append(team)
            head = self._members(
                team, province, pool, below_min=not closed and (rng.random() < BELOW_MIN_SHARE)
            )
            if i == 0:
                self._commune_heads[commune.code] = head

    def _affiliation(self, role: TeamRole, level: TeamLevel) -> HomeAffiliation:
        rng = self.rng
        if role is TeamRole.HEAD and level is TeamLevel.VILLAGE and rng.random() < 0.35:
            return HomeAffiliation.VILLAGE_HEAD
        if level is TeamLevel.COMMUNE and rng.random() < 0.3:
            return HomeAffiliation.COMMUNE_OFFICIAL
        return self._pick(_AFFILIATIONS, _AFFILIATION_CUM)

    def _members(self, team: TeamInput, province: str, pool: list[int], *, below_min: bool) -> int:
        """The team's seats: a head, often a deputy, members; some seats changed hands (the
        leaver's membership keeps its ``until``). Returns the head's person index."""
        rng = self.rng
        seats = rng.randint(1, 2) if below_min else self._pick(TEAM_SIZES, TEAM_SIZE_CUM)
        end = team.until or AS_OF
        in_team: set[int] = set()
        head = -1

        def person() -> int:
            if pool and rng.random() < SHARED_MEMBER_SHARE:
                candidate = self._one(pool)
                if candidate not in in_team:
                    in_team.add(candidate)
                    return candidate
            index = self._person(province, email=False)
            pool.append(index)
            in_team.add(index)
            return index

        def seat(who: int, role: TeamRole, since: dt.date, until: dt.date | None) -> None:
            self.out.memberships.append(
                MembershipInput(
                    person_id=self.out.people[who].id,
                    team_id=team.id,
                    role=role,
                    since=since,
                    until=until,
                    home_affiliation=self._affiliation(role, team.level),
                )
            )

        for s in range(seats):
            if s == 0:
                role = TeamRole.HEAD
            elif s == 1 and rng.random() < 0.7:
                role = TeamRole.DEPUTY
            else:
                role = TeamRole.MEMBER
            start = team.since if rng.random() < 0.8 else self._day(team.since, end)
            if rng.random() < SEAT_TURNOVER_SHARE and (end - start).days > 60:
                left = self._day(start + dt.timedelta(days=30), end - dt.timedelta(days=2))
                seat(person(), role, start, left)
                start = left + _DAY
            holder = person()
            seat(holder, role, start, team.until)
            if s == 0:
                head = holder
        return head

    # --- focal points ---------------------------------------------------------------------

    def focal_points(self, generated: Sequence[_Agency]) -> None:
        """Every organisation that must name a focal point (graph.model.AGENCY_KINDS) gets a
        history of assignments; whether one is active on AS_OF depends on maturity."""
        legacy_to_current = {
            s.legacy_code: s.current_code
            for s in admin_units.successions()
            if s.level == "PROVINCE" and s.is_default
        }
        agencies: list[_Agency] = [
            _Agency(
                NATIONAL_COORDINATOR_ID, None, ASSIGNMENTS_FROM, None, "CĐSQG",
                p_active=1.0, p_full_time=1.0, titles=("Phó Cục trưởng", "Trưởng phòng"),
            ),
            _Agency(
                "bo-khcn", None, ASSIGNMENTS_FROM, None, "BKHCN",
                p_active=1.0, p_full_time=1.0, titles=("Vụ trưởng", "Chánh Văn phòng Bộ"),
            ),
            _Agency(
                "bo-tttt", None, ASSIGNMENTS_FROM, _LAST_MIC_DAY, "BTTTT",
                p_active=1.0, p_full_time=1.0, titles=("Phó Cục trưởng",),
            ),
        ]  # fmt: skip
        for legacy in (u for u in admin_units.legacy_units() if u.level == "PROVINCE"):
            agencies.append(
                _Agency(
                    f"so-tttt-{legacy.code}",
                    legacy_to_current.get(legacy.code),
                    ASSIGNMENTS_FROM,
                    _LAST_MIC_DAY,
                    "STTTT",
                    p_active=0.9,
                    p_full_time=0.6,
                    titles=names.AGENCY_TITLES,
                )
            )
        for province in self.provinces:
            m = self.maturity[province.code]
            agencies.append(
                _Agency(
                    f"so-khcn-{province.code}",
                    province.code,
                    REFORM_DAY,
                    None,
                    "SKHCN",
                    p_active=0.55 + 0.45 * m,
                    p_full_time=0.6,
                    titles=names.AGENCY_TITLES,
                )
            )
            for commune in self.communes[province.code]:
                agencies.append(
                    _Agency(
                        f"ubnd-xa-{commune.code}",
                        province.code,
                        REFORM_DAY,
                        None,
                        "UBND",
                        p_active=0.1 + 0.85 * m,
                        p_full_time=0.08,
                        titles=names.COMMUNE_TITLES,
                        commune=commune.code,
                    )
                )
        agencies.extend(generated)
        for org_id in self._district_committees.values():
            agencies.append(
                _Agency(
                    org_id,
                    None,
                    ASSIGNMENTS_FROM,
                    REFORM_LAST_LEGACY_DAY,
                    "UBND",
                    p_active=0.6,
                    p_full_time=0.1,
                    titles=("Trưởng phòng Văn hóa và Thông tin",),
                )
            )
        for agency in agencies:
            self._assignments(agency)

    def _assignments(self, agency: _Agency) -> None:
        rng = self.rng
        province = agency.province or "01"
        if agency.valid_to is not None:
            # A ceased organisation: its focal point, if it had one, left with it.
            if rng.random() < agency.p_active:
                since = self._day(agency.valid_from, agency.valid_to - dt.timedelta(days=60))
                self._assign(agency, province, since, agency.valid_to)
            return
        latest = AS_OF - dt.timedelta(days=10)
        if rng.random() < agency.p_active:
            since = self._day(agency.valid_from, latest)
            if rng.random() < 0.12 and (since - agency.valid_from).days > 90:
                # The first focal point moved on and was replaced the next day.
                first = self._day(agency.valid_from, since - dt.timedelta(days=60))
                self._assign(agency, province, first, since - _DAY)
            self._assign(agency, province, since, None)
        elif rng.random() < 0.25:
            # Had one, who left without a replacement: a gap that history explains.
            since = self._day(agency.valid_from, latest - dt.timedelta(days=60))
            self._assign(agency, province, since, self._day(since + _DAY, latest))

    def _assign(
        self, agency: _Agency, province: str, since: dt.date, until: dt.date | None
    ) -> None:
        rng = self.rng
        head = self._commune_heads.get(agency.commune or "")
        if head is not None and rng.random() < COMMUNE_HEAD_AS_FOCAL_SHARE:
            who = head  # the commune's team leader is also its focal point
            self._give_email(who)
        else:
            who = self._person(province, email=True)
        issued = max(agency.valid_from, since - dt.timedelta(days=rng.randint(0, 10)))
        decision = self._decision(
            DecisionKind.FOCAL_POINT_ASSIGNMENT, agency.id, agency.decision_suffix, issued
        )
        full_time = rng.random() < agency.p_full_time
        self.out.focal_points.append(
            FocalPointInput(
                id=f"syn-fp-{len(self.out.focal_points) + 1:06d}",
                person_id=_person_id(who),
                organisation_id=agency.id,
                decision_id=decision.id,
                mode=FocalPointMode.FULL_TIME if full_time else FocalPointMode.PART_TIME,
                since=since,
                until=until,
                title=rng.choice(agency.titles),
                synthetic=True,
            )
        )

    # --- experts and networks -------------------------------------------------------------

    def experts(self) -> None:
        """Experts in every province, more where maturity is high and in the hubs; each province
        lacks a few areas of expertise (more when maturity is low), at every scale."""
        rng = self.rng
        codes = [p.code for p in self.provinces]
        cum = _cum(_HUB_WEIGHT.get(c, 0.0) + 0.5 + self.maturity[c] for c in codes)
        areas: dict[str, list[Expertise]] = {}
        for code in codes:
            missing = round((1 - self.maturity[code]) * 5)
            areas[code] = rng.sample(_EXPERTISE, len(_EXPERTISE) - missing)
        voluntary: dict[str, list[OrganisationInput]] = defaultdict(list)
        everywhere: list[OrganisationInput] = []
        for org in self.out.organisations:
            if org.kind in _VOLUNTARY and org.unit_key is not None:
                voluntary[org.unit_key].append(org)
                everywhere.append(org)
        first = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        seconds = int((dt.datetime.combine(AS_OF, dt.time(), dt.UTC) - first).total_seconds())
        for _ in range(self._sized(EXPERTS)):
            code = rng.choices(codes, cum_weights=cum)[0]
            province_key = unit_key(Era.CURRENT, UnitLevel.PROVINCE, code)
            local = voluntary.get(province_key)
            org = rng.choice(local if local and rng.random() < 0.8 else everywhere)
            who = self._person(code, email=True)
            status = rng.choices(_STATUSES, cum_weights=_STATUS_CUM)[0]
            submitted = first + dt.timedelta(seconds=rng.randint(0, seconds))
            verified = None
            if status is ExpertStatus.VERIFIED:
                verified = submitted + dt.timedelta(hours=rng.randint(4, 30 * 24))
            self.out.experts.append(
                ExpertInput(
                    id=f"syn-expert-{len(self.out.experts) + 1:06d}",
                    person_id=_person_id(who),
                    full_name=self.out.people[who].full_name,
                    status=status,
                    expertise=tuple(rng.sample(areas[code], rng.randint(1, 3))),
                    affiliation=org.name,
                    affiliation_id=org.id,
                    province_key=province_key,
                    submitted_at=submitted,
                    verified_at=verified,
                    synthetic=True,
                )
            )

    def networks(self) -> None:
        """Most provinces have established their CĐS network; laggards may not have yet."""
        for province in self.provinces:
            if self.rng.random() >= 0.6 + 0.45 * self.maturity[province.code]:
                continue
            date = self._day(REFORM_DAY + dt.timedelta(days=30), AS_OF - dt.timedelta(days=30))
            issuer = f"so-khcn-{province.code}"
            decision = self._decision(DecisionKind.NETWORK_ESTABLISHMENT, issuer, "SKHCN", date)
            self.out.networks.append(
                NetworkInput(
                    id=f"syn-network-{province.code}",
                    name=f"Mạng lưới chuyển đổi số {_lower_first(province.name)}",
                    unit_key=unit_key(Era.CURRENT, UnitLevel.PROVINCE, province.code),
                    decision_id=decision.id,
                    synthetic=True,
                )
            )


_VOLUNTARY: Final = frozenset(
    {
        OrganisationKind.UNIVERSITY,
        OrganisationKind.INSTITUTE,
        OrganisationKind.ENTERPRISE,
        OrganisationKind.ASSOCIATION,
    }
)


def _person_id(index: int) -> str:
    return f"syn-person-{index + 1:06d}"


@cache
def _legacy_units() -> Mapping[tuple[str, str], admin_units.UnitRow]:
    return {(u.level, u.code): u for u in admin_units.legacy_units()}


def generate(scale: float, seed: int) -> DemoRows:
    """All rows of the synthetic network, in memory (~1M small rows at national scale)."""
    # A million new objects and no reference cycles: the cyclic collector would rescan the
    # growing heap again and again for nothing (a third of the generation time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        gen = _Generator(scale, seed)
        agencies = gen.organisations()
        gen.teams()
        gen.focal_points(agencies)
        gen.experts()
        gen.networks()
        return gen.out
    finally:
        if collecting:
            gc.enable()


# --- loading --------------------------------------------------------------------------------


class _Row(Protocol):
    """What every Input dataclass of the graph modules offers."""

    def as_param(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class _Phase:
    """One kind of row, written in batches by one graph function, and what it adds."""

    name: str
    work: bulk.Writer  # MERGE: right on any store, and what a re-seed uses
    first: bulk.Creator | None  # CREATE, for a store without the synthetic network (graph.bulk)
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
            bulk.ORGANISATIONS,
            net.organisations,
            {Label.ORGANISATION: len(net.organisations)},
            {Rel.LOCATED_IN: sum(o.unit_key is not None for o in net.organisations)},
        ),
        # Real skeleton organisations that exist already: always the MERGE writer.
        _Phase("headcounts", upsert_organisations, None, net.headcounts, {}, {}),
        _Phase(
            "decisions",
            upsert_decisions,
            bulk.DECISIONS,
            net.decisions,
            {Label.DECISION: len(net.decisions)},
            {Rel.ISSUED_BY: len(net.decisions)},
        ),
        _Phase(
            "people",
            upsert_people,
            bulk.PEOPLE,
            net.people,
            {Label.PERSON: len(net.people)},
            {},
            workers=WORKERS,
        ),
        _Phase(
            "teams",
            upsert_teams,
            bulk.TEAMS,
            net.teams,
            {Label.TEAM: len(net.teams)},
            {Rel.OPERATES_IN: len(net.teams), Rel.ESTABLISHED_BY: len(net.teams)},
            workers=WORKERS,
        ),
        _Phase(
            "memberships",
            upsert_memberships,
            bulk.MEMBERSHIPS,
            net.memberships,
            {},
            {Rel.MEMBER_OF: len(net.memberships)},
            workers=WORKERS,
        ),
        _Phase(
            "focal points",
            upsert_focal_points,
            bulk.FOCAL_POINTS,
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
            bulk.EXPERTS,
            net.experts,
            {Label.EXPERT: n_exp},
            {Rel.HAS_PROFILE: n_exp, Rel.LOCATED_IN: n_exp, Rel.AFFILIATED_WITH: affiliated},
        ),
        _Phase(
            "networks",
            upsert_networks,
            bulk.NETWORKS,
            net.networks,
            {Label.NETWORK: len(net.networks)},
            {Rel.LOCATED_IN: len(net.networks), Rel.ESTABLISHED_BY: len(net.networks)},
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
    updated: int  # real skeleton organisations given synthetic reported headcounts
    first_load: bool  # CREATEd into a store without the network (else MERGEd onto it)
    generation_seconds: float
    load_seconds: float  # the whole load, index_seconds included
    index_seconds: float  # building the full-text indexes after a first load, until ONLINE
    # A first load's two passes (graph/bulk.py); None on a re-seed, whose MERGE statements
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
            f"{self.updated:,} skeleton organisations given headcounts\n"
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
    """The first load's two passes (graph/bulk.py), after checking the endpoints outside;
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
    """Write the rows: CREATE in two passes on a first load (graph/bulk.py), else MERGE. No
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
    """CREATE the network into a store that holds none of it (graph.bulk), else MERGE onto it.

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
        # Once at the end, not per batch: the counter node is one lock, and bumping it in every
        # batch would serialise the concurrent writers. Caches computed mid-load are dropped here.
        await graph.write(changes.bump)
    finally:
        began = time.perf_counter()
        await create_search_indexes(graph, bulk.DEFERRED_SEARCH_LABELS)
        index_seconds = time.perf_counter() - began
        progress(f"  search indexes online in {index_seconds:.1f}s")
    return dataclasses.replace(written, index_seconds=index_seconds)


async def generate_and_load(
    graph: Graph, scale: float, *, seed: int, progress: Callable[[str], None]
) -> DemoReport:
    """Generate the synthetic network and load it into the graph (units must be seeded):
    created on a first load, MERGEd onto what a previous load left (see ``load``)."""
    began = time.perf_counter()
    net = generate(scale, seed)
    generated = time.perf_counter() - began
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
