"""One load from wrk (Debian's package): connections that POST one GraphQL body for a while.

wrk is C and leaves the 2-core machine's CPU to the server, where a Python client would take
a core of its own. Its Lua script counts what wrk cannot: answers that are not 200 or carry
GraphQL errors (HTTP 200 all the same), and answers served out of date (``X-Cache: STALE``,
api/response_cache.py) with the largest ``Age`` among them.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Header names reach Lua as the server wrote them; ours are lower case, others may not be.
SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failed = 0; responses = 0; stale = 0; oldest = 0 end
function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 or string.find(body, '"errors"', 1, true) then failed = failed + 1 end
  if (headers["x-cache"] or headers["X-Cache"]) == "STALE" then
    stale = stale + 1
    oldest = math.max(oldest, tonumber(headers["age"] or headers["Age"]) or 0)
  end
end
function done(summary, latency, requests)
  local f, r, s, o = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    f = f + t:get("failed"); r = r + t:get("responses"); s = s + t:get("stale")
    o = math.max(o, t:get("oldest"))
  end
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %.3f %.3f %.3f\\n", r, f,
    e.connect + e.read + e.write + e.timeout, s, o, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


@dataclass(frozen=True)
class Load:
    responses: int
    failed: int  # answers not 200, or carrying GraphQL errors
    socket_errors: int  # connect, read, write and timeouts (wrk counts them apart)
    stale: int  # answers served out of date
    oldest: int  # the largest Age of those, seconds
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def requests(self) -> int:
        return self.responses + self.socket_errors

    @property
    def errors(self) -> int:
        return self.failed + self.socket_errors

    @property
    def per_second(self) -> float:
        return self.responses / self.seconds


def _command(
    directory: str,
    url: str,
    body: object,
    headers: dict[str, str],
    connections: int,
    seconds: int,
    threads: int,
    timeout: int | None,
) -> list[str]:
    lines = ["wrk.method = 'POST'", f"wrk.body = {json.dumps(json.dumps(body))}"]
    headers = {"Content-Type": "application/json", **headers}
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    script = Path(directory) / "post.lua"
    script.write_text("\n".join(lines) + SCRIPT)
    # wrk's own timeout is 2 s; a slower answer then counts as a socket error.
    extra = [] if timeout is None else ["--timeout", f"{timeout}s"]
    return [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", *extra, "-s", str(script), url
    ]  # fmt: skip


def _parse(out: str) -> Load:
    line = next((ln for ln in out.splitlines() if ln.startswith("WRK ")), None)
    if line is None:
        raise SystemExit(f"wrk's script printed no figures:\n{out}")
    r, f, e, s, o, took, p50, p95 = line.split()[1:]
    return Load(int(r), int(f), int(e), int(s), int(o), float(took), float(p50), float(p95))


async def run_async(
    url: str,
    body: object,
    headers: dict[str, str],
    connections: int,
    seconds: int,
    threads: int = 2,
    timeout: int | None = None,
) -> Load:
    """The load's figures; the event loop goes on meanwhile (a soak makes its own requests
    beside it). Synchronous callers: ``asyncio.run(run_async(...))``."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = _command(tmp, url, body, headers, connections, seconds, threads, timeout)
        process = await asyncio.create_subprocess_exec(
            *argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, err = await process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"wrk failed ({process.returncode}): {err.decode()}")
        return _parse(out.decode())
