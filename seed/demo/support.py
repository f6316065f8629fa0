"""Synthetic support requests for the demo network (#15): in each current province a few
requests from its CĐS department, wanting areas of the taxonomy, some answered by the expert
matchExperts ranks first (proposed, accepted, or completed with feedback). Generated from the
fixed seed, written once (a store that holds them is left alone), all labelled Synthetic."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from graph.core import changes
from graph.core.db import Graph, Tx, run
from graph.core.text import fold
from graph.support import demo
from graph.support.matching import match_experts

TOPICS = (
    ("Xây dựng kho dữ liệu dùng chung của tỉnh", "Kho dữ liệu, chuẩn hóa và chia sẻ dữ liệu."),
    ("Đánh giá an toàn thông tin hệ thống một cửa", "Rà soát, kiểm thử và khuyến nghị."),
    ("Kế hoạch chính quyền số giai đoạn 2026–2030", "Góp ý và hoàn thiện dự thảo kế hoạch."),
    ("Đào tạo kỹ năng số cho Tổ Công nghệ số cộng đồng", "Thiết kế và giảng dạy khóa học."),
    ("Ứng dụng trí tuệ nhân tạo trong dịch vụ công", "Thí điểm trợ lý ảo trả lời người dân."),
)
STATUSES = ("OPEN", "PROPOSED", "ACCEPTED", "COMPLETED")  # what becomes of each request


async def _places(tx: Tx) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in await run(
            tx,
            """
            MATCH (o:Organisation {kind: 'PROVINCIAL_CDS_DEPARTMENT'})-[:LOCATED_IN]->
                  (p:AdministrativeUnit {era: 'CURRENT', level: 'PROVINCE'})
            WHERE o.validTo IS NULL
            WITH p, min(o.id) AS org
            RETURN p.key AS unitKey, p.code AS code, org ORDER BY code
            """,
        )
    ]


async def _areas(tx: Tx) -> list[str]:
    records = await run(tx, "MATCH (a:ExpertiseArea) RETURN a.code AS code ORDER BY code")
    return [r["code"] for r in records]


async def load_support_demo(graph: Graph, seed: int, per_province: int = 3) -> tuple[int, int]:
    """(requests, engagements) written; (0, 0) when the store holds them already."""
    if await graph.read(demo.holds_demo_requests):
        return 0, 0
    rng = random.Random(seed)
    places, areas = await graph.read(_places), await graph.read(_areas)
    start = dt.date(2026, 1, 5)
    rows: list[dict[str, Any]] = []
    for place in places:
        for i in range(per_province):
            topic, description = rng.choice(TOPICS)
            begins = start + dt.timedelta(days=rng.randrange(0, 300))
            rows.append(
                {
                    "id": f"demo-request-{place['code']}-{i}",
                    "organisationId": place["org"],
                    "unitKey": place["unitKey"],
                    "topic": topic,
                    "searchKey": fold(topic),
                    "description": description,
                    "remoteAllowed": rng.random() < 0.3,
                    "periodStart": begins.isoformat(),
                    "periodEnd": (begins + dt.timedelta(days=rng.randrange(14, 90))).isoformat(),
                    "urgency": rng.choice(("LOW", "NORMAL", "NORMAL", "HIGH")),
                    "daysAgo": rng.randrange(5, 120),
                    "wanted": rng.sample(areas, k=min(2, len(areas))),
                    "fate": rng.choice(STATUSES),
                }
            )
    requests = await graph.write(demo.create_requests, rows)
    engagements = []
    for row in rows:
        if row["fate"] == "OPEN":
            continue
        best = await graph.read(match_experts, row["id"], 1)
        if not best:
            continue
        engagements.append(
            {
                "id": f"demo-engagement-{row['id'].removeprefix('demo-request-')}",
                "requestId": row["id"],
                "expertId": best[0].expert_id,
                "status": row["fate"],
                "score": best[0].score,
                "hoursToAnswer": rng.randrange(3, 240),
                "feedbackScore": rng.choice((3, 4, 4, 5, 5))
                if row["fate"] == "COMPLETED"
                else None,
            }
        )
    written = await graph.write(demo.create_engagements, engagements) if engagements else 0
    await graph.write(changes.bump)  # what readers cached before the demo requests is stale
    return requests, written
