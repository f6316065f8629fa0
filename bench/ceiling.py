"""How fast this Neo4j can create Person-shaped nodes at all, with and without the driver:
``python -m bench.ceiling [--rows 200000] [--workers 2]``.

bench.load measures the real first load. This separates what the driver and this process cost
from what the server's storage engine costs per node. On a scratch label with the same
properties and the same kinds of index as ``Person`` (unique id, unique e-mail on one row in
six, a range index on phone), it creates ``--rows`` nodes four ways:

- generated inside the server (``UNWIND range(…)`` with ``CALL … IN TRANSACTIONS``, one thread,
  no parameters, no Bolt traffic), with the indexes and without them;
- sent through the driver in batches of 10,000 rows, ``--workers`` transactions in flight, with
  the indexes and without them.

If the driver figures match the in-server ones, the driver is not what limits a load: the
server's per-node work is. Needs a running server (the local one, or NEO4J_URI); everything it
creates (label ``BenchCeiling…``, its constraints and index) is deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import time
from typing import Any, LiteralString

from bench import run_main
from graph.core.connection import open_graph
from graph.core.db import Graph, Tx, run
from graph.core.settings import get_settings

BATCH = 10_000
INDEXED: LiteralString = "BenchCeilingIndexed"
PLAIN: LiteralString = "BenchCeilingPlain"
SCHEMA: tuple[LiteralString, ...] = (
    f"CREATE CONSTRAINT bench_ceiling_id IF NOT EXISTS FOR (n:{INDEXED}) REQUIRE n.id IS UNIQUE",
    f"CREATE CONSTRAINT bench_ceiling_email IF NOT EXISTS FOR (n:{INDEXED}) "
    "REQUIRE n.email IS UNIQUE",
    f"CREATE INDEX bench_ceiling_phone IF NOT EXISTS FOR (n:{INDEXED}) ON (n.phone)",
)
DROP: tuple[LiteralString, ...] = (
    "DROP CONSTRAINT bench_ceiling_id IF EXISTS",
    "DROP CONSTRAINT bench_ceiling_email IF EXISTS",
    "DROP INDEX bench_ceiling_phone IF EXISTS",
)
# The properties of graph/network/bulk.py's create_people, from a row map or from a number i.
_FROM_ROW: LiteralString = """{
    id: row.id, fullName: row.fullName, searchKey: row.searchKey, phone: row.phone,
    email: row.email, birthDate: date(row.birthDate), synthetic: true}"""
_FROM_I: LiteralString = """{
    id: 'bench-' + i, fullName: 'Nguyễn Văn An ' + i, searchKey: 'nguyen van an ' + i,
    phone: '+849' + toString((i * 7919) % 100000000),
    email: CASE WHEN i % 6 = 0 THEN 'bench-' + i + '@bench.invalid' END,
    birthDate: date('1980-01-02'), synthetic: true}"""


def _in_server_query(label: LiteralString) -> LiteralString:
    return (
        "UNWIND range(1, $rows) AS i CALL (i) { CREATE (:" + label + " " + _FROM_I + ") } "
        "IN TRANSACTIONS OF 10000 ROWS"
    )


def _driver_query(label: LiteralString) -> LiteralString:
    return "UNWIND $rows AS row CREATE (:" + label + " " + _FROM_ROW + ") RETURN count(*) AS n"


def _rows(count: int) -> list[dict[str, Any]]:
    """The same values the in-server statement computes, as the driver would send them."""
    return [
        {
            "id": f"bench-{i}",
            "fullName": f"Nguyễn Văn An {i}",
            "searchKey": f"nguyen van an {i}",
            "phone": f"+849{(i * 7919) % 100_000_000}",
            "email": f"bench-{i}@bench.invalid" if i % 6 == 0 else None,
            "birthDate": "1980-01-02",
        }
        for i in range(1, count + 1)
    ]


async def _clear(graph: Graph) -> None:
    for label in (INDEXED, PLAIN):
        await graph.schema(
            "MATCH (n:" + label + ") CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        )


async def _in_server(graph: Graph, label: LiteralString, count: int) -> float:
    began = time.perf_counter()
    await graph.schema(_in_server_query(label), {"rows": count})
    return time.perf_counter() - began


async def _through_driver(
    graph: Graph, label: LiteralString, rows: list[dict[str, Any]], workers: int
) -> float:
    chunks = iter(range(0, len(rows), BATCH))
    query = _driver_query(label)

    async def batch(tx: Tx, part: list[dict[str, Any]]) -> None:
        await run(tx, query, rows=part)

    async def worker() -> None:
        for start in chunks:
            await graph.write(batch, rows[start : start + BATCH])

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - began


async def bench(count: int, workers: int) -> None:
    print(
        f"command            {shlex.join([sys.executable, '-m', 'bench.ceiling', *sys.argv[1:]])}"
    )
    print(f"load average       {' '.join(f'{x:.2f}' for x in os.getloadavg())} before")
    graph = await open_graph(get_settings())
    rows = _rows(count)
    try:
        for statement in SCHEMA:
            await graph.schema(statement)
        await graph.schema("CALL db.awaitIndexes(300)")
        labels: tuple[tuple[str, LiteralString], ...] = (
            ("Person's indexes", INDEXED),
            ("no index", PLAIN),
        )
        for name, label in labels:
            await _clear(graph)
            seconds = await _in_server(graph, label, count)
            print(f"in server, 1 thread, {name:<16} {count / seconds:>9,.0f} nodes/s")
            await _clear(graph)
            seconds = await _through_driver(graph, label, rows, workers)
            print(f"driver, {workers} in flight, {name:<16} {count / seconds:>9,.0f} nodes/s")
    finally:
        await _clear(graph)
        for statement in DROP:
            await graph.schema(statement)
        await graph.close()
    print(f"load average       {' '.join(f'{x:.2f}' for x in os.getloadavg())} after")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    asyncio.run(bench(args.rows, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
