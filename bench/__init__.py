"""Benchmarks: scripts that print figures (``python -m bench.load``), not tests."""

from __future__ import annotations

import sys
from collections.abc import Callable

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
