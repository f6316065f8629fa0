"""Synthetic activity reports of the demo's teams (#17), labelled synthetic like every demo
node. Their own random stream (the seed + 17), so adding them leaves the rest of the demo as it
was for a given seed.

Most running teams report now and then over the year before ``AS_OF``; a fifth went quiet (their
last report is more than 120 days old) and a tenth never reported, so the gap list
TEAM_WITHOUT_RECENT_ACTIVITY and the active share have something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from graph.activity.reports import CheckedReport
from graph.core.model import ActivityKind
from graph.network.teams import TeamInput
from seed.demo.params import AS_OF

# Weights of the kinds, as the 1690 campaigns stress them (VNeID and public services first).
_KINDS: Sequence[tuple[ActivityKind, int]] = (
    (ActivityKind.VNEID, 30),
    (ActivityKind.PUBLIC_ONLINE_SERVICES, 30),
    (ActivityKind.CASHLESS_PAYMENT, 15),
    (ActivityKind.DIGITAL_SKILLS, 12),
    (ActivityKind.E_COMMERCE, 8),
    (ActivityKind.OTHER, 5),
)
_SERVICES: dict[ActivityKind, tuple[str, ...]] = {
    ActivityKind.VNEID: ("Kích hoạt tài khoản định danh mức 2", "Tích hợp giấy tờ trên VNeID"),
    ActivityKind.PUBLIC_ONLINE_SERVICES: ("Đăng ký khai sinh", "Đăng ký thường trú"),
    ActivityKind.CASHLESS_PAYMENT: ("Mở tài khoản ngân hàng", "Thanh toán hóa đơn điện"),
    ActivityKind.DIGITAL_SKILLS: ("Nhận diện lừa đảo trực tuyến",),
    ActivityKind.E_COMMERCE: ("Đưa nông sản lên sàn thương mại điện tử",),
    ActivityKind.OTHER: (),
}


def activity_reports(teams: Sequence[TeamInput], seed: int) -> list[CheckedReport]:
    rng = random.Random(seed + 17)
    kinds = [k for k, _ in _KINDS]
    weights = [w for _, w in _KINDS]
    year_ago = AS_OF - dt.timedelta(days=365)
    out: list[CheckedReport] = []
    for team in teams:
        if team.until is not None and team.until < year_ago:
            continue
        fate = rng.random()
        if fate < 0.1:
            continue  # never reported
        first = max(team.since, year_ago)
        last = min(team.until or AS_OF, AS_OF)
        if fate < 0.3:  # went quiet
            last = min(last, AS_OF - dt.timedelta(days=121))
        span = (last - first).days
        if span < 0:
            continue
        for i in range(1 + int(rng.random() * 6)):
            day = first + dt.timedelta(days=int(rng.random() * (span + 1)))
            kind = rng.choices(kinds, weights)[0]
            households = 3 + int(rng.random() * 40)
            services = _SERVICES[kind]
            out.append(
                CheckedReport(
                    id=f"demo-activity-{team.id}-{i}",
                    team_id=team.id,
                    period_from=day,
                    period_to=day,
                    kind=kind,
                    people_helped=households + int(rng.random() * households),
                    households_helped=households,
                    services=services[: 1 + int(rng.random() * len(services))],
                    place=team.village_name,
                    note=None,
                    synthetic=True,
                )
            )
    return out
