"""Synthetic demo network (placeholder until the generator lands)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graph.db import Graph

DEMO_SEED = 20251


@dataclass(frozen=True)
class DemoReport:
    def summary(self) -> str:
        return "demo: nothing generated yet"


def parse_scale(value: str) -> float:
    return {"demo": 1.0, "national": 100.0}.get(value) or float(value)


async def generate_and_load(
    graph: Graph, scale: float, *, seed: int, progress: Callable[[str], None]
) -> DemoReport:
    return DemoReport()
