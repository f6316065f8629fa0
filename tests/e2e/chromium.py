"""Debian's chromium, as the browser tests and bench.dashboard launch it through Playwright."""

from __future__ import annotations

import os

# The flags the machine notes prescribe: without the background-networking ones chromium keeps
# trying Google's hosts, and this machine's closed network refuses them. No --user-data-dir here:
# Playwright refuses it in `launch` and already gives every launch a fresh temporary profile
# (playwright_chromiumdev_profile-*), deleted when the browser closes.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ChromiumMissing(Exception):
    pass


def find_chromium() -> str:
    """CDS_CHROMIUM or /usr/bin/chromium; never a browser downloaded by Playwright."""
    path = os.environ.get("CDS_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise ChromiumMissing(
            f"no chromium at {path}. The browser tests use Debian's chromium: install it with "
            "`sudo apt-get install -y chromium` (bash .ci/run does so when it is missing) or "
            "point CDS_CHROMIUM at a chromium binary. Never `playwright install`."
        )
    return path
