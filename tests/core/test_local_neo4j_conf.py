"""CDS_LOCAL_NEO4J_CONF: further Neo4j settings for the local server, from a neo4j.conf-style
file. A setting in it takes effect; a missing file or a bad setting is one clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.core.db import Tx, connect, run_single
from graph.core.local_neo4j import LocalNeo4j, LocalNeo4jError, free_port
from graph.core.settings import Settings

PASSWORD = "conf-pass"


def _server(store: Path, conf: Path) -> LocalNeo4j:
    return LocalNeo4j(
        data_dir=store,
        port=free_port(),
        password=PASSWORD,
        heap_mb=256,
        pagecache_mb=64,
        conf_file=conf,
    )


async def _setting(tx: Tx, name: str) -> str:
    record = await run_single(
        tx, "SHOW SETTINGS YIELD name, value WHERE name = $name RETURN value", name=name
    )
    assert record is not None
    return str(record["value"])


async def test_a_setting_in_the_file_takes_effect(tmp_path: Path) -> None:
    conf = tmp_path / "neo4j.conf"
    conf.write_text(
        "# sample more often than the default 5%\ndb.index_sampling.update_percentage=7\n"
    )
    server = _server(tmp_path / "store", conf)
    server.start()
    try:
        graph = await connect(server.uri, "neo4j", PASSWORD, "neo4j")
        try:
            assert await graph.read(_setting, "db.index_sampling.update_percentage") == "7"
        finally:
            await graph.close()
    finally:
        server.stop()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(LocalNeo4jError, match=r"CDS_LOCAL_NEO4J_CONF names .*nowhere\.conf"):
        _server(tmp_path / "store", tmp_path / "nowhere.conf").start()


def test_a_bad_setting_is_one_line_naming_it(tmp_path: Path) -> None:
    conf = tmp_path / "neo4j.conf"
    conf.write_text("db.index_sampling.update_percentage=lots\n")
    with pytest.raises(LocalNeo4jError) as failure:
        _server(tmp_path / "store", conf).start()
    message = str(failure.value)
    assert "db.index_sampling.update_percentage" in message
    assert "lots" in message
    assert "Exception in thread" not in message  # a reason, not a Java stack trace


def test_an_empty_variable_means_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDS_LOCAL_NEO4J_CONF", "")
    assert Settings().local_neo4j_conf is None
