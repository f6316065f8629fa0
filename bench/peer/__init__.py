"""Side by side with the Neo4j GraphQL Library (issue #14): ``python -m bench.peer``.

The peer is a small Node project here (package.json, package-lock.json, server.js), installed
with ``npm ci`` on first use; the Python side (``__main__``) serves both on the same Neo4j,
checks that each query pair returns the same rows, then measures them.
"""
