"""The four query pairs of issue #14: our query, the peer's equivalent, and how each answer is
reduced to comparable rows.

Rows are plain tuples, so "the same answer" is list equality. Where the peer cannot order as
we do (members: head first, then by name), the rows hold what both give in a canonical order
and the comparison says so in ``note``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Rows = list[tuple[Any, ...]]
Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Pair:
    name: str
    ours: str
    peer: str
    peer_variables: Json
    ours_rows: Callable[[Json], Rows]
    peer_rows: Callable[[Json], Rows]
    note: str = ""


# --- expert directory page ---------------------------------------------------------------

EXPERTS_OURS = (
    '{ experts(filter: {expertiseAny: ["AI", "DATA"], provinceCode: "79"}, first: 50) {'
    " totalCount nodes { fullName affiliation expertise } } }"
)

# Our directory orders by the folded name then the id (graph/experts/directory.py): the peer's
# @cypher sortKey spells the same; its "any of" is an OR of one `includes` per area code, the
# sub-areas listed by the client (our API expands them itself).
EXPERTS_PEER = """
query ($areas: [ExpertProfileWhere!]!, $province: ID!) {
  expertProfilesConnection(
    first: 50
    sort: [{ sortKey: ASC }]
    where: {
      status: { eq: "VERIFIED" }
      OR: $areas
      AND: [{ OR: [{ locatedIn: { some: { key: { eq: $province } } } },
                   { supports: { some: { key: { eq: $province } } } }] }]
    }
  ) {
    totalCount
    edges { node { affiliation expertise person { fullName } } }
  }
}"""


def _experts_ours(data: Json) -> Rows:
    page = data["experts"]
    rows: Rows = [(n["fullName"], n["affiliation"], tuple(n["expertise"])) for n in page["nodes"]]
    return [("totalCount", page["totalCount"]), *rows]


def _experts_peer(data: Json) -> Rows:
    page = data["expertProfilesConnection"]
    rows: Rows = [
        (
            e["node"]["person"][0]["fullName"],
            e["node"]["affiliation"],
            tuple(e["node"]["expertise"]),
        )
        for e in page["edges"]
    ]
    return [("totalCount", page["totalCount"]), *rows]


# --- unit drill-down ------------------------------------------------------------------------

DRILL_OURS = (
    '{ administrativeUnit(code: "01") { children(first: 10) { nodes { name'
    " teams(first: 20) { nodes { name members { role } } } } } } }"
)

# Ours: children by code, teams active today by id, memberships active today.
DRILL_PEER = """
query ($day: Date!) {
  administrativeUnits(where: { key: { eq: "CURRENT:PROVINCE:01" } }) {
    children(sort: [{ code: ASC }], limit: 10) {
      name
      teams(
        where: { since: { lte: $day }, OR: [{ until: { eq: null } }, { until: { gte: $day } }] }
        sort: [{ id: ASC }]
        limit: 20
      ) {
        name
        membersConnection(
          where: { edge: { since: { lte: $day },
                           OR: [{ until: { eq: null } }, { until: { gte: $day } }] } }
        ) { edges { properties { role } } }
      }
    }
  }
}"""


def _drill_ours(data: Json) -> Rows:
    return [
        (
            c["name"],
            tuple(
                (t["name"], tuple(sorted(m["role"] for m in t["members"])))
                for t in c["teams"]["nodes"]
            ),
        )
        for c in data["administrativeUnit"]["children"]["nodes"]
    ]


def _drill_peer(data: Json) -> Rows:
    (province,) = data["administrativeUnits"]
    return [
        (
            c["name"],
            tuple(
                (
                    t["name"],
                    tuple(sorted(e["properties"]["role"] for e in t["membersConnection"]["edges"])),
                )
                for t in c["teams"]
            ),
        )
        for c in province["children"]
    ]


# --- province team-coverage table -----------------------------------------------------------

COVERAGE_OURS = (
    "{ provinceRanking(metric: TEAM_COVERAGE) { numerator denominator province { code name } } }"
)

# A generated API has no aggregate of that shape: the peer's numerator and denominator are
# @cypher fields on the province (bench/peer/server.js).
COVERAGE_PEER = """
query ($day: Date!) {
  administrativeUnits(
    where: { era: { eq: "CURRENT" }, level: { eq: "PROVINCE" } }
    sort: [{ code: ASC }]
  ) { code name communes communesWithTeam(day: $day) }
}"""


def _coverage_ours(data: Json) -> Rows:
    return sorted(
        (r["province"]["code"], r["province"]["name"], r["numerator"], r["denominator"])
        for r in data["provinceRanking"]
    )


def _coverage_peer(data: Json) -> Rows:
    return [
        (u["code"], u["name"], u["communesWithTeam"], u["communes"])
        for u in data["administrativeUnits"]
    ]


# --- search ---------------------------------------------------------------------------------

SEARCH_OURS = '{ search(text: "nguyen van", first: 20) { kind name score } }'
SEARCH_PEER = 'query { search(text: "nguyen van", first: 20) { kind name score } }'


def _search(data: Json) -> Rows:
    # Scores are Lucene's floats plus the same boosts; compared to 4 decimals.
    return [(h["kind"], h["name"], round(h["score"], 4)) for h in data["search"]]


def pairs(day: dt.date, area_codes: list[str]) -> list[Pair]:
    """``day``: the date our API answers for (today); ``area_codes``: AI and DATA with their
    sub-areas, which the peer's client must list."""
    return [
        Pair(
            "expert directory page",
            EXPERTS_OURS,
            EXPERTS_PEER,
            {
                "province": "CURRENT:PROVINCE:79",
                "areas": [{"expertise": {"includes": code}} for code in area_codes],
            },
            _experts_ours,
            _experts_peer,
        ),
        Pair(
            "unit drill-down",
            DRILL_OURS,
            DRILL_PEER,
            {"day": day.isoformat()},
            _drill_ours,
            _drill_peer,
            note="members' roles compared as sorted lists (the peer cannot order head first)",
        ),
        Pair(
            "province team-coverage table",
            COVERAGE_OURS,
            COVERAGE_PEER,
            {"day": day.isoformat()},
            _coverage_ours,
            _coverage_peer,
            note="rows by province code (ours ranks them)",
        ),
        Pair(
            'search "nguyen van", first 20',
            SEARCH_OURS,
            SEARCH_PEER,
            {},
            _search,
            _search,
            note="the peer is given the text already folded (no hook for our fold())",
        ),
    ]
