"""`cds`: the project's command line (neo4j start|stop|status, migrate, expertise-areas, seed,
serve, run, snapshot, …).

Every expected failure (no Java, a taken port, a wrong NEO4J_URI or password) ends with one line
on stderr saying what to do, and exit status 1; never a stack trace.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from api.auth import AuthError, issue_local_token, viewer_from_claims
from api.dev_oidc import DASHBOARD_CLIENT_ID, DevProvider, DevProviderError, start_dev_provider
from api.viewer import Role
from graph.core import backup, expertise
from graph.core.connection import local_server, open_graph
from graph.core.db import Graph
from graph.core.digests import rebuild_all_digests, stale_digests
from graph.core.errors import GraphUnavailable
from graph.core.expert_province import heal_expert_provinces, stale_expert_provinces
from graph.core.local_neo4j import LocalNeo4j, LocalNeo4jError
from graph.core.migrations import migrate
from graph.core.settings import Settings, get_settings
from graph.reports import editions
from seed.demo.loader import OtherNetwork, generate_and_load
from seed.demo.params import DEMO_SEED, parse_scale
from seed.demo.support import load_support_demo
from seed.units import seed_units
from spreadsheets.cli import add_commands as add_transfer_commands


def _neo4j(args: argparse.Namespace, settings: Settings) -> int:
    if settings.neo4j_uri and args.action != "status":
        raise LocalNeo4jError(
            f"NEO4J_URI is set ({settings.neo4j_uri}): the local Neo4j is not used; unset it first"
        )
    server = local_server(settings)
    if args.action == "check":
        backup.check(server)  # raises with the checker's report when it finds a problem
        print(f"consistency check passed ({server.data_dir})")
    elif args.action == "start":
        seconds = server.start(detach=True)
        print(f"Neo4j ready at {server.uri} in {seconds:.1f}s (store {server.data_dir})")
    elif args.action == "stop":
        print("stopped" if server.stop() else "no local Neo4j was running")
    else:
        pid = server.running_pid()
        print(f"running (pid {pid}) at {server.uri}" if pid else "not running")
    return 0


def _local_only(settings: Settings, command: str) -> LocalNeo4j:
    if settings.neo4j_uri:
        raise LocalNeo4jError(
            f"NEO4J_URI is set ({settings.neo4j_uri}): `cds {command}` works on the local Neo4j; "
            "for a server or the Docker image use neo4j-admin (README, 'Backup and restore')"
        )
    return local_server(settings)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    server = _local_only(settings, "backup")
    if server.running_pid():
        print("the local Neo4j stops for the dump and starts again after it")
    target = backup.dump(server, args.to)
    print(f"backup written: {target} ({target.stat().st_size / 2**20:.1f} MiB)")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    server = _local_only(settings, "restore")
    if not args.yes:
        raise LocalNeo4jError(
            f"restoring replaces everything in {server.data_dir} with {args.dump}: "
            "add --yes to go ahead (take a `cds backup` first if unsure)"
        )
    backup.restore(server, args.dump)
    print(f"restored {args.dump} into {server.data_dir}")
    return 0


async def _with_graph(settings: Settings, body: Callable[[Graph], Awaitable[None]]) -> None:
    graph = await open_graph(settings)
    try:
        await body(graph)
    finally:
        await graph.close()


def _digests(args: argparse.Namespace, settings: Settings) -> int:
    """Check the places' digests (graph/core/digests.py) and the province kept on each expert
    profile (graph/core/expert_province.py) against the graph; ``--rebuild`` makes them again.
    Exit 1 when a check finds stale ones: a writer that bypassed them (a manual
    Cypher edit, say) needs ``--rebuild``."""
    stale: dict[str, list[str]] = {}
    profiles: list[str] = []

    async def body(graph: Graph) -> None:
        nonlocal stale, profiles
        if args.rebuild:
            await rebuild_all_digests(graph, active_days=settings.active_team_days)
            await heal_expert_provinces(graph)
            print("rebuilt every place's digests and every expert profile's province")
        stale = await graph.read(stale_digests)
        profiles = await graph.read(stale_expert_provinces)

    asyncio.run(_with_graph(settings, body))
    for kind, keys in stale.items():
        places = "place" if len(keys) == 1 else "places"
        print(f"{kind} digests differ from the graph at {len(keys)} {places}: {_few(keys)}")
    if not stale:
        print("every place's digests agree with the graph")
    if profiles:
        print(
            f"the province kept on {len(profiles)} expert profile(s) differs from their "
            f"places: {_few(profiles)}"
        )
    return 1 if stale or profiles else 0


def _few(keys: list[str]) -> str:
    return ", ".join(keys[:10]) + (" …" if len(keys) > 10 else "")


def _expertise_areas(args: argparse.Namespace, settings: Settings) -> int:
    """Reload the areas of expertise after an operator edited the data file (idempotent)."""
    path = Path(args.file) if args.file else expertise.DATA_FILE
    try:
        expertise.read_taxonomy(path)
    except (OSError, ValueError, KeyError) as error:
        print(f"cds: {path}: {error}", file=sys.stderr)
        return 1

    async def body(graph: Graph) -> None:
        n = await expertise.load_taxonomy(graph, path)
        print(f"{n} areas of expertise loaded from {path}")

    asyncio.run(_with_graph(settings, body))
    return 0


def _migrate(_: argparse.Namespace, settings: Settings) -> int:
    async def body(graph: Graph) -> None:
        applied = await migrate(graph)
        print(f"applied migrations: {applied or 'none (schema up to date)'}")

    asyncio.run(_with_graph(settings, body))
    return 0


async def _seed_into(
    graph: Graph, scale: str, seed: int, units_only: bool, keep_other: bool = False
) -> None:
    """``keep_other``: a store holding another synthetic network keeps it (``cds run`` serves
    what is there) instead of failing (``cds seed``, which was asked to load this one)."""
    await migrate(graph)
    report = await seed_units(graph)
    print(
        f"units: {report.units} nodes, {report.part_of} PART_OF, {report.successions} "
        f"SUCCEEDED_BY, {report.organisations} organisations in {report.seconds:.1f}s"
    )
    if not units_only:
        try:
            demo = await generate_and_load(graph, parse_scale(scale), seed=seed, progress=print)
        except OtherNetwork as other:
            if not keep_other:
                raise SystemExit(f"cds seed: {other}") from None
            print(f"not loading the demo network: {other}")
            return
        print(demo.summary())
        requests, engagements = await load_support_demo(graph, seed)
        print(f"support requests: {requests} synthetic, with {engagements} engagements")


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    async def body(graph: Graph) -> None:
        await _seed_into(graph, args.scale, args.seed, args.units_only)

    asyncio.run(_with_graph(settings, body))
    return 0


WORKER_HEALTHCHECK_SECONDS = 60


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    import uvicorn

    # Read by every worker's create_app (uvicorn starts them as new processes): JSON log lines
    # with request ids unless the operator chose otherwise.
    os.environ.setdefault("CDS_LOG_FORMAT", "json")
    get_settings.cache_clear()  # this process's app (one worker) reads it again too
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker writes its metrics here; /metrics adds them up (api/observability.py).
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="cds-metrics-")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers,
        timeout_keep_alive=settings.keep_alive_seconds,
        log_level=settings.log_level.lower(),
        log_config=None,  # the app sets up logging (api/observability.py), in every worker
        # The app reads X-Forwarded-For itself, from CDS_TRUSTED_PROXIES only (api/app.py
        # client_address); uvicorn's own rewrite would trust any client on 127.0.0.1.
        proxy_headers=False,
        # uvicorn kills a worker that does not answer its ping within this many seconds (5 by
        # default), and a worker still importing the app on a busy machine (two cores shared
        # with Neo4j) does not: workers were killed and restarted forever and the API never
        # became ready (seen running python -m bench.match beside other work).
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    return 0


def _dev_sso(args: argparse.Namespace, settings: Settings) -> DevProvider:
    """`cds run --oidc`: the development identity provider (api/dev_oidc.py) on the next port,
    and this process's settings pointed at it (the served app reads them again)."""
    if settings.environment == "production":
        raise DevProviderError("the development identity provider is not for production")
    port = args.port or settings.port
    hosts = {"127.0.0.1", "localhost"}
    if (args.host or settings.host) not in ("0.0.0.0", "::"):
        hosts.add(args.host or settings.host)
    provider = start_dev_provider(
        port=args.oidc_port or port + 1,
        redirect_uris=[f"http://{host}:{port}/dashboard/" for host in sorted(hosts)],
        log_path=settings.local_neo4j_data.parent / "oidc-provider.log",
    )
    os.environ.update(
        {
            "CDS_AUTH_MODE": "oidc",
            "CDS_OIDC_ISSUER": provider.issuer,
            "CDS_OIDC_CLIENT_ID": DASHBOARD_CLIENT_ID,
            "CDS_JWT_AUDIENCE": provider.resource,
        }
    )
    get_settings.cache_clear()
    print(
        f"single sign-on: the development identity provider at {provider.issuer} "
        f"(accounts national, province-79, province-01, …; password cds-dev; log "
        f"{provider.log_path})"
    )
    return provider


def _run(args: argparse.Namespace, settings: Settings) -> int:
    """Everything a new user needs: the local Neo4j (unless NEO4J_URI), schema, data, service;
    with --oidc, the development identity provider too."""
    server = None
    provider = None
    if not settings.neo4j_uri:
        server = local_server(settings)
        if server.running_pid():
            print(f"using the local Neo4j already running at {server.uri}")
            server = None
        else:
            seconds = server.start()
            print(f"Neo4j ready at {server.uri} in {seconds:.1f}s")
    try:

        async def body(graph: Graph) -> None:
            await _seed_into(graph, args.scale, args.seed, units_only=False, keep_other=True)

        asyncio.run(_with_graph(settings, body))
        if args.oidc:
            provider = _dev_sso(args, settings)
        print(f"serving GraphQL at http://{settings.host}:{settings.port}/graphql")
        # A person at a terminal: plain log lines (`cds serve`, what deployments run, writes JSON).
        os.environ.setdefault("CDS_LOG_FORMAT", "text")
        return _serve(args, get_settings())
    finally:
        if server is not None:
            server.stop()
        if provider is not None:
            provider.stop()


def _snapshot(args: argparse.Namespace, settings: Settings) -> int:
    """Publish the quarter's edition (graph/reports/editions.py); run by the operator's cron."""
    today = dt.date.today()
    period_end = args.as_of or editions.last_quarter_end(today)
    if period_end > today:
        raise ValueError(f"--as-of {period_end} is in the future: an edition freezes figures")

    async def body(graph: Graph) -> None:
        await migrate(graph)
        done = await editions.publish(graph, period_end, dt.datetime.now(dt.UTC))
        e = done.edition
        if done.created:
            print(f"edition {e.id} published: {done.provinces} provinces on {e.period_end}")
        else:
            print(f"edition {e.id} already holds these figures (data version {e.data_version})")

    asyncio.run(_with_graph(settings, body))
    return 0


def _token(args: argparse.Namespace, settings: Settings) -> int:
    """Print an HS256 bearer token for local development (refused in production)."""
    if settings.auth_mode != "local":
        raise AuthError("CDS_AUTH_MODE is oidc: tokens come from the identity provider")
    role = Role(args.role)
    subject = args.subject or f"dev-{role.value.lower()}"
    # The same check the API makes, so a token missing its scope fails here, not at first use.
    viewer_from_claims(
        {"sub": subject, settings.jwt_role_claim: role.value, settings.jwt_scope_claim: args.scope},
        settings,
    )
    print(
        issue_local_token(settings, role, subject=subject, scope=args.scope, minutes=args.minutes)
    )
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cds", description="Registry of Vietnam's digital-transformation (CĐS) network."
    )
    sub = p.add_subparsers(dest="command", required=True)

    neo = sub.add_parser("neo4j", help="start, stop or check the local Neo4j (no Docker)")
    neo.add_argument(
        "action",
        choices=["start", "stop", "status", "check"],
        help="check: Neo4j's consistency checker on the store (stops and restarts a running one)",
    )
    neo.set_defaults(func=_neo4j)

    bk = sub.add_parser("backup", help="offline dump of the local Neo4j with neo4j-admin")
    bk.add_argument("--to", type=Path, default=Path("var/backups"), help="folder (var/backups)")
    bk.set_defaults(func=_backup)

    rs = sub.add_parser("restore", help="load a `cds backup` dump into the local Neo4j")
    rs.add_argument("dump", type=Path, help="the .dump file `cds backup` wrote")
    rs.add_argument("--yes", action="store_true", help="replace the current data")
    rs.set_defaults(func=_restore)

    mig = sub.add_parser("migrate", help="apply schema migrations (constraints, indexes)")
    mig.set_defaults(func=_migrate)

    dg = sub.add_parser(
        "digests",
        help="check the places' digests (what coverage counts) against the graph; --rebuild",
    )
    dg.add_argument("--rebuild", action="store_true", help="rebuild them all first")
    dg.set_defaults(func=_digests)

    ea = sub.add_parser(
        "expertise-areas", help="reload the areas of expertise from their data file (JSON)"
    )
    ea.add_argument("--file", help="another file than graph/core/data/expertise_areas.json")
    ea.set_defaults(func=_expertise_areas)

    tok = sub.add_parser("token", help="issue a development bearer token (local auth mode)")
    tok.add_argument(
        "--role", required=True, choices=[r.value for r in Role if r is not Role.ANONYMOUS]
    )
    tok.add_argument(
        "--scope",
        help="province code (PROVINCIAL_COORDINATOR), commune code (COMMUNE_OFFICER), "
        "organisation id (ORGANISATION_ADMIN) or person id (EXPERT)",
    )
    tok.add_argument("--subject", help="the token's subject (default: dev-<role>)")
    tok.add_argument("--minutes", type=int, default=60, help="lifetime (default 60)")
    tok.set_defaults(func=_token)

    def scale_args(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument(
            "--scale",
            default="demo",
            help="synthetic network size: demo (seconds), national (~100k teams), or a factor",
        )
        cmd.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed (fixed)")

    sd = sub.add_parser("seed", help="load real units, the skeleton and the synthetic network")
    scale_args(sd)
    sd.add_argument("--units-only", action="store_true", help="real units and skeleton only")
    sd.set_defaults(func=_seed)

    def serve_args(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--host", default=None)
        cmd.add_argument("--port", type=int, default=None)
        cmd.add_argument("--workers", type=int, default=1)

    sv = sub.add_parser("serve", help="serve the API (GraphQL at /graphql)")
    serve_args(sv)
    sv.set_defaults(func=_serve)

    rn = sub.add_parser("run", help="local Neo4j + migrate + seed + serve, in one command")
    scale_args(rn)
    serve_args(rn)
    rn.add_argument(
        "--oidc",
        action="store_true",
        help="sign in through the development identity provider (tests/oidc; needs `make "
        "oidc-provider`), started on the next port",
    )
    rn.add_argument("--oidc-port", type=int, default=None, help="its port (default: port + 1)")
    rn.set_defaults(func=_run)
    snap = sub.add_parser(
        "snapshot",
        help="publish the quarter's edition: frozen coverage and ranking (idempotent; cron)",
    )
    snap.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="the period end, YYYY-MM-DD (default: the last quarter end on or before today)",
    )
    snap.set_defaults(func=_snapshot)
    add_transfer_commands(sub)  # import / export of spreadsheets (api/transfer_cli.py)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = get_settings()
        result: int = args.func(args, settings)
        return result
    except (LocalNeo4jError, GraphUnavailable, AuthError, DevProviderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ValueError as error:  # settings that do not validate
        print(f"error: configuration: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
