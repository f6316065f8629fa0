"""The synthetic network's generator, part three: focal points, experts and provincial
networks, and ``generate``, which runs both parts."""

from __future__ import annotations

import datetime as dt
import gc
import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Final

from graph.core.model import (
    REFORM_DAY,
    REFORM_LAST_LEGACY_DAY,
    DecisionKind,
    Era,
    ExpertStatus,
    FocalPointMode,
    OrganisationKind,
    UnitLevel,
    unit_key,
)
from graph.experts.profiles import ExpertInput
from graph.network.focal_points import (
    FocalPointInput,
    NetworkInput,
)
from graph.network.organisations import OrganisationInput
from graph.units import admin_units
from seed import names
from seed.demo.activity import activity_reports
from seed.demo.params import (
    _DAY,
    _EXPERTISE,
    _HUB_WEIGHT,
    _LAST_MIC_DAY,
    _STATUS_CUM,
    _STATUSES,
    AS_OF,
    ASSIGNMENTS_FROM,
    COMMUNE_HEAD_AS_FOCAL_SHARE,
    EXPERTS,
    SUBAREAS,
    DemoRows,
    _Agency,
    _cum,
    _lower_first,
    _person_id,
)
from seed.demo.teams import _Teams
from seed.units import NATIONAL_COORDINATOR_ID


class _Generator(_Teams):
    # --- focal points ---------------------------------------------------------------------

    def focal_points(self, generated: Sequence[_Agency]) -> None:
        """Every organisation that must name a focal point (graph.core.model.AGENCY_KINDS) gets a
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
        areas: dict[str, list[str]] = {}
        # Sub-areas from a generator of their own: the main stream draws what it always drew.
        sub_rng = random.Random("expertise-subareas")
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
                    expertise=tuple(
                        dict.fromkeys(
                            sub_rng.choice(SUBAREAS[a])
                            for a in rng.sample(areas[code], rng.randint(1, 3))
                        )
                    ),
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
        gen.out.activity_reports = activity_reports(gen.out.teams, seed)
        return gen.out
    finally:
        if collecting:
            gc.enable()
