"""Read models over the whole graph: coverage, gaps, rankings and search."""
