"""The ``chatsupport`` command: serve, migrate, create-user, reset-two-factor, demo."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import json
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import date, time
from typing import Any

import uvicorn
from pydantic import ValidationError

from chatsupport.api.runtime import (
    SchemaOutOfDate,
    build_runtime,
    other_purges,
    prepare_database,
)
from chatsupport.domain.accounts import check_languages, check_new_password
from chatsupport.domain.clock import SystemClock
from chatsupport.domain.debrief import KEEP_FOR
from chatsupport.domain.errors import ChatSupportError
from chatsupport.domain.roles import Role
from chatsupport.domain.rota import Shift, ShiftRole
from chatsupport.domain.statistics import Granularity
from chatsupport.hub import frames
from chatsupport.logs import log_config
from chatsupport.services.audit import AuditService
from chatsupport.services.diary import DiaryService, DiarySettings
from chatsupport.services.export import ExportFormat, render
from chatsupport.services.retention import (
    AUDIT_ENTRIES,
    DEBRIEFS,
    DIARY_RECORDS_FOLDED,
    Purged,
    RetentionService,
)
from chatsupport.services.rota import RotaService
from chatsupport.settings import ConfigurationError, Settings
from chatsupport.storage.database import Database, DatabaseUnavailable
from chatsupport.storage.migrate import current_revision, upgrade_to_head

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - the demo prints it; refused in production
DEMO_USERS = (
    ("coordinator", "Koordinaattori", Role.COORDINATOR),
    # Display names only: the pages add the role ("kokemusasiantuntija Aino").
    ("ammattilainen", "Sanna", Role.PROFESSIONAL),
    ("ammattilainen2", "Pekka", Role.PROFESSIONAL),
    ("kokemus", "Aino", Role.EXPERIENCE_EXPERT),
)
#: The demo answers in all three languages (the others speak Finnish only).
DEMO_LANGUAGES = {"ammattilainen": ("fi", "en"), "ammattilainen2": ("fi", "sv")}


class CliError(Exception):
    """A failure the user can fix; printed as one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        handler: Callable[[argparse.Namespace, Settings], int] = args.handler
        return handler(args, settings)
    except (
        CliError,
        ConfigurationError,
        DatabaseUnavailable,
        SchemaOutOfDate,
        ChatSupportError,
    ) as exc:
        print(f"chatsupport: {exc}", file=sys.stderr)
        return 2


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k in ("host", "port", "workers") if (v := getattr(args, k, None))}
    for key, value in overrides.items():  # workers read the environment, so pass them there
        os.environ[f"CHATSUPPORT_{key.upper()}"] = str(value)
    try:
        return Settings()
    except ValidationError as exc:
        fields = ", ".join(
            "CHATSUPPORT_" + ".".join(str(p) for p in err["loc"]).upper() for err in exc.errors()
        )
        raise CliError(f"invalid configuration in {fields}") from None


def _run(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    _run(_preflight(settings))
    _serve(settings)
    return 0


async def _preflight(settings: Settings) -> int:
    db = Database(settings.database_url)
    try:
        await prepare_database(settings, db)
    finally:
        await db.dispose()
    return 0


def _tune_garbage_collector() -> None:
    """Keep the cyclic garbage collector's full passes out of message latency.

    Measured (bench/README.md, "Garbage collector"): a full collection walked every object of
    the imported framework, ~160,000 of them, taking 120-240 ms every few seconds under load,
    which was the whole of the p99. Freezing what exists after start-up (modules, types,
    settings: alive for the process's life anyway) takes them out of every pass, and a larger
    youngest generation makes passes rarer. Cyclic garbage is still collected.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


def _serve(settings: Settings) -> None:
    _tune_garbage_collector()
    uvicorn.run(
        "chatsupport.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        ws="websockets-sansio",
        ws_max_size=settings.max_frame_bytes,
        ws_max_queue=16,
        ws_per_message_deflate=False,  # compression side channels (CRIME-style) on chat text
        access_log=False,
        log_config=log_config(fmt=settings.resolved_log_format),
        # Behind a trusted proxy only the scheme matters (https/wss for Secure cookies and
        # origin checks); no client address is logged or stored either way.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        server_header=False,
    )


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    async def migrate() -> int:
        db = Database(settings.database_url)
        try:
            await db.check()
            await upgrade_to_head(db)
            print(f"{db.masked_url} is at revision {await current_revision(db)}")
        finally:
            await db.dispose()
        return 0

    return _run(migrate())


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    """Run the retention purge now (the service also does it on a schedule)."""

    async def purge() -> int:
        db = Database(settings.database_url)
        try:
            await prepare_database(settings, db)
            clock = SystemClock()
            audit = AuditService(db=db, clock=clock, retention_days=settings.audit_retention_days)
            purged = await RetentionService(
                db=db,
                clock=clock,
                retention_days=settings.transcript_retention_days,
                interval_secs=settings.purge_interval_secs,
                also_purge=other_purges(settings, db, clock, audit),
            ).purge()
        finally:
            await db.dispose()
        print(_purge_summary(settings, purged))
        return 0

    return _run(purge())


def _purge_summary(settings: Settings, purged: Purged) -> str:
    days, months = settings.transcript_retention_days, settings.diary_retention_months
    return "\n".join(
        (
            f"deleted {purged.chats} chats closed over {days} days ago "
            f"({purged.messages} messages)",
            f"deleted {purged.others.get(AUDIT_ENTRIES, 0)} audit entries over "
            f"{settings.audit_retention_days} days old",
            f"folded {purged.others.get(DIARY_RECORDS_FOLDED, 0)} diary records over "
            f"{months} months old into monthly figures",
            f"deleted {purged.others.get(DEBRIEFS, 0)} debrief requests over "
            f"{KEEP_FOR.days} days old",
        )
    )


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise CliError("the passwords did not match")
    return first


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password(args.password_stdin)
    check_new_password(password, min_chars=settings.password_min_chars)  # before any I/O
    languages = check_languages(args.languages.split(","))

    async def create() -> int:
        runtime = await build_runtime(settings)
        try:
            responder = await runtime.accounts.create_responder(
                login_name=args.login,
                display_name=args.name or args.login,
                role=Role(args.role),
                password=password,
                languages=languages,
            )
        finally:
            await runtime.close()
        print(f"created {responder.role.value} '{responder.login_name}' (id {responder.id})")
        return 0

    return _run(create())


def cmd_reset_two_factor(args: argparse.Namespace, settings: Settings) -> int:
    """Remove an account's second factor from the shell (the coordinators' reset is in the
    responders page); the account's sessions end."""

    async def reset() -> int:
        runtime = await build_runtime(settings)
        try:
            responder = await runtime.two_factor.reset_login(args.login)
        finally:
            await runtime.close()
        print(f"second factor of '{responder.login_name}' removed; its sessions ended")
        return 0

    return _run(reset())


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    if settings.environment == "production":
        raise CliError("demo accounts are refused when CHATSUPPORT_ENVIRONMENT=production")
    asyncio.run(_seed_demo(settings))
    base = f"http://{settings.host}:{settings.port}"
    print(
        f"\nchatsupport demo on {base}\n"
        f"  youth chat:        {base}/\n"
        f"  responder console: {base}/console/\n"
        f"  coordinator:       {base}/coordinator/\n"
        f"  API docs:          {base}/api/docs\n"
        f"  logins (password '{DEMO_PASSWORD}'): "
        + ", ".join(f"{login} ({role.value})" for login, _, role in DEMO_USERS)
        + f"\n  two-factor login:  {settings.two_factor_policy.value} (CHATSUPPORT_TWO_FACTOR); "
        "anyone may enrol from the console or the coordinator's 'Oma tili'\n",
        flush=True,
    )
    _serve(settings)
    return 0


async def _seed_demo(settings: Settings) -> None:
    runtime = await build_runtime(settings)
    try:
        if await runtime.accounts.count_responders() > 0:
            print("demo: the database already has accounts; leaving them as they are")
            return
        ids: dict[Role, list[int]] = {role: [] for role in Role}
        for login, name, role in DEMO_USERS:
            responder = await runtime.accounts.create_responder(
                login_name=login,
                display_name=name,
                role=role,
                password=DEMO_PASSWORD,
                languages=DEMO_LANGUAGES.get(login, ("fi",)),
            )
            ids[role].append(responder.id)
        await _seed_demo_rota(runtime.rota, ids)
    finally:
        await runtime.close()


async def _seed_demo_rota(rota: RotaService, ids: dict[Role, list[int]]) -> None:
    """A rota open around the clock, every day, so a demo is always open: the professionals
    on 24-hour shifts, the experience expert every evening 17-21 with the first professional
    as backup (the expert gets tags while that backup's console is connected)."""
    professionals, experts = ids[Role.PROFESSIONAL], ids[Role.EXPERIENCE_EXPERT]
    for weekday in range(7):
        await rota.save_shift(
            Shift(
                0,
                ShiftRole.PROFESSIONAL,
                time(0),
                time(0),
                frozenset(professionals),
                weekday=weekday,
                ends_next_day=True,
            )
        )
        await rota.save_shift(
            Shift(
                0,
                ShiftRole.EXPERIENCE_EXPERT,
                time(17),
                time(21),
                frozenset(experts),
                weekday=weekday,
                backup_id=professionals[0],
            )
        )


def cmd_protocol_schema(args: argparse.Namespace, settings: Settings) -> int:
    print(json.dumps(frames.json_schema(), indent=2, sort_keys=True))
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the aggregated, suppressed diary report of a date range (never a record)."""

    async def export() -> bytes:
        db = Database(settings.database_url)
        try:
            await prepare_database(settings, db)
            diary = DiaryService(
                db=db,
                clock=SystemClock(),
                settings=DiarySettings(zone=settings.zone, threshold=settings.statistics_threshold),
            )
            report = await diary.report(
                start=args.start,
                end=args.end,
                granularity=Granularity(args.granularity),
                lang=args.lang,
            )
        finally:
            await db.dispose()
        return render(report, ExportFormat(args.format))

    data = asyncio.run(export())
    if args.output:
        with open(args.output, "wb") as handle:
            handle.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def _add_export_parser(sub: Any) -> None:
    export = sub.add_parser("export", help="export diary statistics (aggregated, suppressed)")
    export.add_argument("--start", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    export.add_argument("--end", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    export.add_argument("--granularity", choices=[g.value for g in Granularity], default="month")
    export.add_argument("--lang", choices=["fi", "sv", "en"], default="fi")
    export.add_argument("--format", choices=[f.value for f in ExportFormat], default="csv")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(handler=cmd_export)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatsupport", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    def serving(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", help="interface to listen on (CHATSUPPORT_HOST)")
        p.add_argument("--port", type=int, help="port (CHATSUPPORT_PORT)")
        p.add_argument("--workers", type=int, help="processes (CHATSUPPORT_WORKERS)")

    serve = sub.add_parser("serve", help="run the service")
    serving(serve)
    serve.set_defaults(handler=cmd_serve)

    migrate = sub.add_parser("migrate", help="migrate the database to this version")
    migrate.set_defaults(handler=cmd_migrate)

    purge = sub.add_parser(
        "purge", help="delete transcripts, audit entries and diary rows past their retention now"
    )
    purge.set_defaults(handler=cmd_purge)

    create = sub.add_parser("create-user", help="create a staff account")
    create.add_argument("--login", required=True, help="login name")
    create.add_argument("--name", help="display name or pseudonym (default: the login name)")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument(
        "--languages", default="fi", help="languages answered in, of fi,sv,en (default: fi)"
    )
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.set_defaults(handler=cmd_create_user)

    reset = sub.add_parser(
        "reset-two-factor", help="remove a staff account's second factor (lost phone and codes)"
    )
    reset.add_argument("--login", required=True, help="login name")
    reset.set_defaults(handler=cmd_reset_two_factor)

    schema = sub.add_parser("protocol-schema", help="print the wire protocol as JSON Schema")
    schema.set_defaults(handler=cmd_protocol_schema)

    demo = sub.add_parser("demo", help="create demo accounts if the database is empty, then serve")
    serving(demo)
    demo.set_defaults(handler=cmd_demo)
    _add_export_parser(sub)
    return parser
