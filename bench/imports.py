"""How fast a big provincial list imports: ``python -m bench.imports [--rows 100000]``.

Connects with the project settings (the local Neo4j unless NEO4J_URI is set) to a graph seeded
with the real units (``cds seed --units-only`` is enough). Writes a teams CSV (``--teams`` teams
in the communes of Hà Nội and Hồ Chí Minh City) and imports it, then writes a members CSV of
``--rows`` rows (distinct people, phones 096…) and measures its dry run, its apply, a second
apply of the same file (idempotent: no change) and, unless ``--keep``, the rollback of both
batches. Prints seconds, rows/s and this process's peak RSS after each step.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

from bench import command_line, peak_rss_mib, run_main
from bench.sheets import apply_twice, roll_back, step
from graph.core.connection import open_graph
from graph.core.db import Graph
from graph.core.migrations import migrate
from graph.core.settings import get_settings
from graph.units import admin_units
from spreadsheets import service
from spreadsheets.columns import ImportKind

PROVINCES = ("01", "79")
ROLES = ("Thành viên",) * 8 + ("Tổ phó", "Tổ trưởng")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Đức", "Ngọc", "Minh", "Thanh", "Hữu", "Thu")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Lan", "Long", "Mai", "Nam", "Phương", "Tú")
HOMES = ("Người dân", "Đoàn Thanh niên", "Công an xã", "Hội Phụ nữ", "Viettel", "Trưởng thôn")


def write_files(directory: Path, teams: int, rows: int, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    communes = [
        u.code
        for u in admin_units.current_units()
        if u.level == "COMMUNE" and u.parent_code in PROVINCES
    ]
    team_keys = [(communes[i % len(communes)], f"Tổ CNSCĐ đo tải {i + 1}") for i in range(teams)]
    teams_path, members_path = directory / "teams.csv", directory / "members.csv"
    with teams_path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["Mã xã", "Tên tổ", "Số quyết định", "Ngày quyết định"])
        for i, (code, name) in enumerate(team_keys):
            w.writerow([code, name, f"{9000 + i}/QĐ-UBND", "01/09/2025"])
    with members_path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["Mã xã", "Tên tổ", "Họ và tên", "Số điện thoại", "Vai trò", "Thành phần"])
        for i in range(rows):
            code, team = team_keys[i % teams]
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            w.writerow([code, team, name, f"096{i:07d}", rng.choice(ROLES), rng.choice(HOMES)])
    return teams_path, members_path


async def bench(graph: Graph, teams: int, rows: int, keep: bool) -> None:
    print(command_line("bench.imports"))
    print("goals (#14): members apply >= 5,000 rows/s; the same 100,000-row file again <= 10 s")
    await migrate(graph)
    with tempfile.TemporaryDirectory(prefix="cds-bench-imports-") as tmp:
        began = time.perf_counter()
        teams_path, members_path = write_files(Path(tmp), teams, rows, seed=20251)
        size = members_path.stat().st_size
        print(f"files written in {time.perf_counter() - began:.1f}s (members: {size:,} bytes)")
        print(f"peak RSS before import {peak_rss_mib():,.0f} MiB")

        team_upload = service.Upload(teams_path.read_bytes(), teams_path.name)
        began = time.perf_counter()
        team_batch = await service.apply(
            graph, team_upload, ImportKind.TEAMS, scope=None, imported_by="bench"
        )
        step("teams apply", time.perf_counter() - began, teams, f"{team_batch.changed} changes")

        upload = service.Upload(members_path.read_bytes(), members_path.name)
        batches = await apply_twice(graph, upload, ImportKind.MEMBERS, rows, "members")
        if not keep:
            await roll_back(graph, batches, rows, "members")
            await service.rollback(graph, team_batch.id)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--teams", type=int, default=2_000)
    p.add_argument("--keep", action="store_true", help="leave the imported data in the graph")
    args = p.parse_args()

    async def run() -> None:
        graph = await open_graph(get_settings())
        try:
            await bench(graph, args.teams, args.rows, args.keep)
        finally:
            await graph.close()

    asyncio.run(run())


if __name__ == "__main__":
    sys.exit(run_main(main))
