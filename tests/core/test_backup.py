"""Backup and restore (#18): a dump made by `cds backup` restores into a fresh store with the
same graph, node for node, and Neo4j's consistency checker passes on the restored store."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from api import cli
from graph.core import backup
from graph.core.db import Graph, Tx, connect
from graph.core.local_neo4j import LocalNeo4j, LocalNeo4jError, free_port
from graph.core.migrations import migrate
from graph.core.settings import get_settings

PASSWORD = "backup-test-pass"


@pytest.fixture
def stores() -> Iterator[tuple[LocalNeo4j, LocalNeo4j, Path]]:
    """A source server, a target store never started yet, and a backups folder."""
    with tempfile.TemporaryDirectory(prefix="cds-backup-test-") as root:

        def server(name: str) -> LocalNeo4j:
            path = Path(root, name)
            return LocalNeo4j(path, free_port(), PASSWORD, heap_mb=512, pagecache_mb=128)

        source, target = server("source"), server("target")
        try:
            yield source, target, Path(root, "backups")
        finally:
            source.stop()
            target.stop()


async def _open(server: LocalNeo4j) -> Graph:
    return await connect(server.uri, "neo4j", PASSWORD, "neo4j")


SIZE = 5_000


async def _network(tx: Tx) -> None:
    # Enough records to span many store pages, under the registry's own constraints.
    await tx.run(
        "UNWIND range(1, $n) AS i "
        "CREATE (:Organisation {id: 'o' + i, name: 'Sở ' + i})"
        "<-[:MEMBER_OF {since: date('2025-07-01')}]-(:Person {id: 'p' + i, name: 'Người ' + i})",
        n=SIZE,
    )


async def _values(tx: Tx) -> None:
    # Every kind of value the registry stores, Vietnamese text included.
    await tx.run(
        "CREATE (:Probe {name: $name, on: $on, at: $at, n: 7, x: 0.5, ok: true, tags: ['a', 'b']})"
        "-[:SEEN {since: $on}]->(:Probe {name: 'Đắk Lắk'})",
        name="Nguyễn Thị Ánh",
        on=dt.date(2025, 7, 1),
        at=dt.datetime(2025, 6, 30, 17, 0, tzinfo=dt.UTC),
    )


async def test_a_backup_restores_into_a_fresh_store(
    stores: tuple[LocalNeo4j, LocalNeo4j, Path],
) -> None:
    source, target, folder = stores
    source.start(detach=False)
    graph = await _open(source)
    try:
        await migrate(graph)
        migrated = await backup.fingerprint(graph)  # what migrations seed (targets, areas…)
        await graph.write(_network)
        await graph.write(_values)
        before = await backup.fingerprint(graph)
    finally:
        await graph.close()
    assert before.relationships == migrated.relationships + SIZE + 1
    assert before.nodes == migrated.nodes + 2 * SIZE + 2

    dump = backup.dump(source, folder)  # stops the running server and starts it again
    assert source.running_pid() is not None
    assert dump.name.startswith("cds-")
    assert dump.suffix == ".dump"
    assert [p.name for p in folder.iterdir()] == [dump.name]  # no half-written leftovers

    backup.restore(target, dump)
    assert "consistency" in backup.check(target).lower()
    target.start()
    restored = await _open(target)
    try:
        after = await backup.fingerprint(restored)
        # The restored store is a working registry, not only equal bytes: it takes writes.
        await restored.write(_values)
        changed = await backup.fingerprint(restored)
    finally:
        await restored.close()
    assert after == before
    assert changed.nodes == before.nodes + 2
    assert changed.sha256 != before.sha256


def test_restore_asks_before_it_replaces_data(
    stores: tuple[LocalNeo4j, LocalNeo4j, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, _, folder = stores
    monkeypatch.setenv("CDS_LOCAL_NEO4J_DATA", str(source.data_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    get_settings.cache_clear()
    try:
        assert cli.main(["restore", str(folder / "nothing.dump")]) == 1
        assert "add --yes" in capsys.readouterr().err
        assert cli.main(["restore", str(folder / "nothing.dump"), "--yes"]) == 1
        assert "no backup file" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
    with pytest.raises(LocalNeo4jError, match="no backup file"):
        backup.restore(source, folder / "nothing.dump")
