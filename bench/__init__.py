"""Benchmarks: scripts that print figures (``python -m bench.load``), not tests."""

from __future__ import annotations

import resource
import sys
from collections.abc import Callable
from pathlib import Path

from graph.core.errors import GraphUnavailable
from graph.core.local_neo4j import LocalNeo4jError


def run_main(main: Callable[[], object]) -> int:
    """Run a benchmark's main; a server that cannot be reached or started is one line on
    stderr saying what to do, as with `cds`, not a traceback."""
    try:
        main()
    except (GraphUnavailable, LocalNeo4jError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def command_line(module: str) -> str:
    """How this run was started, to print above its figures: they mean little without it."""
    return " ".join(["python -m", module, *sys.argv[1:]])


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / divisor


def process_tree(pid: int) -> list[int]:
    """The process and its live descendants (uvicorn's workers), from /proc (Linux)."""
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += process_tree(int(child))
    return found
