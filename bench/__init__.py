"""Benchmarks: scripts that print figures (``python -m bench.load``), not tests."""
