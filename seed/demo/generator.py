"""The synthetic network's generator, part one: the shared random helpers and the organisations
(``seed.demo.teams`` adds teams and members, ``seed.demo.posts`` focal points, experts and
networks)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from bisect import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from graph.core.model import (
    REFORM_DAY,
    DecisionKind,
    Era,
    OrganisationKind,
    UnitLevel,
    unit_key,
)
from graph.core.text import fold
from graph.network.decisions import DecisionInput
from graph.network.headcounts import HeadcountInput
from graph.network.organisations import OrganisationInput
from graph.network.people import PersonInput
from graph.units import admin_units
from seed import names
from seed.demo.params import (
    _BAN_SHARE,
    _BORN_FROM,
    _BORN_SPAN,
    _HUB_WEIGHT,
    _SOUTHERN_FROM,
    AGENCIES_PER_PROVINCE,
    ASSOCIATIONS,
    EMAIL_DOMAIN,
    ENTERPRISES,
    INSTITUTES,
    UNIVERSITIES,
    DemoRows,
    Size,
    _Agency,
    _check_names_nfc,
    _cum,
    _initials,
    _person_id,
)
from seed.units import skeleton_organisations

# When the demo's organisations report their staff: year ends from the 2022 baseline on, and the
# reform day.
HEADCOUNT_DATES = (
    dt.date(2022, 12, 31),
    dt.date(2023, 12, 31),
    dt.date(2024, 12, 31),
    dt.date(2025, 7, 1),
    dt.date(2025, 12, 31),
    dt.date(2026, 6, 30),
)

T = TypeVar("T")


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
                if rng.random() < 0.6 + 0.4 * m:
                    self._headcount_history(org_id, rng.randint(30, 400), m)
                self.out.organisations.append(
                    OrganisationInput(
                        id=org_id,
                        kind=OrganisationKind.PROVINCIAL_AGENCY,
                        name=f"{template} {province.short_name}",
                        unit_key=unit_key(Era.CURRENT, UnitLevel.PROVINCE, province.code),
                        valid_from=REFORM_DAY,
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
            # Today's committees only: the legacy ones (valid_to set) ceased before the reports.
            if org.kind is not OrganisationKind.COMMUNE_PEOPLES_COMMITTEE or org.valid_to:
                continue
            code = org.id.removeprefix("ubnd-xa-")
            m = self.maturity[province_of[code] or ""]
            if self.rng.random() < 0.2 + 0.5 * m:
                self._headcount_history(org.id, self.rng.randint(22, 45), m)

    def _headcount_history(self, org_id: str, total: int, m: float) -> None:
        """Synthetic dated reports (source 'synthetic', labelled Synthetic) from the end of 2022
        on: the CĐS share starts near the 2.19% national baseline of 2022 (Decision 1690) and
        grows by about 30% of it a year, faster in mature provinces. Coverage on a date counts
        the latest report dated on or before it, for organisations valid on that date."""
        rng = self.rng
        start = rng.uniform(0.01, 0.015 + 0.03 * m)
        growth = 0.2 + 0.25 * m
        for as_of in HEADCOUNT_DATES:
            years = (as_of - HEADCOUNT_DATES[0]).days / 365.25
            total = max(1, total + rng.randint(-2, 3))
            cds = min(total, round(total * start * (1 + growth * years)))
            self.out.headcounts.append(
                HeadcountInput(org_id, as_of, total, cds, "synthetic", synthetic=True)
            )
