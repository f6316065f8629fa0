"""Spreadsheets in and out of the registry: the provinces' Excel/CSV lists of teams, members and
focal points (``columns``, ``files``, ``addresses``, ``rows``, ``checks``, ``service``, with the
row walks off the event loop: ``offloop``) and the coverage
reports sent back as CSV/.xlsx (``exports``).

Pure Python, no web: the CLI (``api/cli.py``) and the REST router (``api/spreadsheets.py``) both call
``service``; the graph writes themselves live in ``graph/imports/batches.py``.
"""
