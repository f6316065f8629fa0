"""The synthetic network's generator, part two: teams of communes and villages, with their
members and the turnover of their seats."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from graph.core.model import (
    REFORM_DAY,
    DecisionKind,
    Era,
    HomeAffiliation,
    TeamLevel,
    TeamRole,
    UnitLevel,
    VillageKind,
    unit_key,
)
from graph.network.decisions import DecisionInput
from graph.network.teams import MembershipInput, TeamInput
from graph.units import admin_units
from seed import names
from seed.demo.generator import _Generator as _Base
from seed.demo.params import (
    _AFFILIATION_CUM,
    _AFFILIATIONS,
    _BAN_SHARE,
    _DAY,
    AS_OF,
    BELOW_MIN_SHARE,
    CLOSED_TEAM_SHARE,
    COVERAGE_EXPONENT,
    COVERAGE_FACTOR,
    DISTRICT_ISSUED_SHARE,
    SEAT_TURNOVER_SHARE,
    SHARED_MEMBER_SHARE,
    TEAM_SIZE_CUM,
    TEAM_SIZES,
    TEAMS,
    TEAMS_FROM,
    _cum,
    _lower_first,
    _Source,
)
from seed.units import legacy_committee_id

T = TypeVar("T")


class _Teams(_Base):
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
        """The People's Committee of a legacy district (real, from the skeleton:
        seed/units.py): it ceased on 2025-06-30, and what it established must be re-confirmed.
        Remembered so the demo names focal points there (seed/demo/posts.py)."""
        org_id = legacy_committee_id(UnitLevel.DISTRICT, district_code)
        self._district_committees[district_code] = org_id
        return org_id

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
