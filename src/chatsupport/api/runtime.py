"""Everything one process holds while it serves: built at start, closed at stop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from chatsupport.api.console_sessions import ConsoleSessions
from chatsupport.auth.passwords import HashParameters, PasswordHasher
from chatsupport.broker import Broker, broker_from_url
from chatsupport.broker.limit_store import MemoryLimitStore, limit_store_from_url
from chatsupport.domain.clock import Clock, SystemClock
from chatsupport.domain.login_throttle import ThrottlePolicy
from chatsupport.hub.hub import Hub, HubSettings
from chatsupport.services.accounts import Accounts, AccountSettings
from chatsupport.services.audit import AuditService
from chatsupport.services.chats import ChatLimits, ChatService
from chatsupport.services.debrief import DebriefService, purge_debriefs
from chatsupport.services.diary_retention import DiaryRetention
from chatsupport.services.limits import AbuseLimits, LimitSettings
from chatsupport.services.retention import (
    AUDIT_ENTRIES,
    DEBRIEFS,
    DIARY_RECORDS_FOLDED,
    PurgeJob,
    RetentionService,
)
from chatsupport.services.rota import RotaService, RotaSettings
from chatsupport.services.support import SupportService, SupportSettings
from chatsupport.services.transcripts import TranscriptService
from chatsupport.services.two_factor import TwoFactor, TwoFactorSettings
from chatsupport.settings import Settings, resolve_secret_key
from chatsupport.storage.database import Database
from chatsupport.storage.migrate import is_at_head, upgrade_to_head


class SchemaOutOfDate(Exception):
    """The database is not at the migrations' head and the service does not migrate itself."""


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    db: Database
    hasher: PasswordHasher
    accounts: Accounts
    rota: RotaService
    broker: Broker
    chats: ChatService
    hub: Hub
    limits: AbuseLimits = field(init=False)  # set right after construction
    retention: RetentionService = field(init=False)
    audit: AuditService = field(init=False)
    two_factor: TwoFactor = field(init=False)
    consoles: ConsoleSessions = field(init=False)
    debriefs: DebriefService = field(init=False)
    transcripts: TranscriptService = field(init=False)

    async def close(self) -> None:
        await self.retention.stop()
        await self.consoles.stop()
        await self.hub.stop()
        await self.rota.close()
        await self.chats.close()
        await self.broker.close()
        await self.limits.store.close()
        self.hasher.close()
        await self.db.dispose()


async def prepare_database(settings: Settings, db: Database) -> None:
    """Reach the database, then migrate it (embedded default) or check it is migrated."""
    if settings.is_sqlite:  # the embedded default keeps its file in the data directory
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    await db.check()
    if settings.migrate_on_start:
        await upgrade_to_head(db)
    elif not await is_at_head(db):
        raise SchemaOutOfDate(
            f"the database at {db.masked_url} is not migrated to this version; "
            "run `chatsupport migrate` first"
        )


def hasher_for(settings: Settings) -> PasswordHasher:
    params = HashParameters(
        time_cost=settings.password_hash_time_cost,
        memory_kib=settings.password_hash_memory_kib,
        parallelism=settings.password_hash_parallelism,
    )
    return PasswordHasher(parameters=params, threads=settings.password_hash_threads)


async def build_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    clock = clock or SystemClock()
    secret_key = resolve_secret_key(settings)
    db = Database(settings.database_url)
    try:
        await prepare_database(settings, db)
    except BaseException:
        await db.dispose()
        raise
    hasher = hasher_for(settings)
    two_factor = two_factor_service(settings, db, clock, secret_key)
    accounts = Accounts(
        two_factor=two_factor,
        db=db,
        hasher=hasher,
        clock=clock,
        settings=AccountSettings(
            session_lifetime=timedelta(hours=settings.session_lifetime_hours),
            throttle=ThrottlePolicy(
                max_failures=settings.login_max_failures,
                lockout=timedelta(seconds=settings.login_lockout_secs),
            ),
            password_min_chars=settings.password_min_chars,
            secret_key=secret_key,
        ),
    )
    rota = RotaService(db=db, clock=clock, settings=rota_settings(settings))
    broker = broker_from_url(settings.broker_url, namespace=settings.broker_namespace)
    chats = ChatService(db=db, broker=broker, clock=clock, limits=chat_limits(settings))
    support = SupportService(
        db=db, clock=clock, chats=chats, rota=rota, settings=support_settings(settings)
    )
    hub = Hub(
        chats=chats, rota=rota, broker=broker, settings=hub_settings(settings), support=support
    )
    runtime = Runtime(settings, clock, db, hasher, accounts, rota, broker, chats, hub)
    runtime.limits = abuse_limits(settings)
    runtime.two_factor = two_factor
    runtime.consoles = ConsoleSessions(
        accounts=accounts, two_factor=two_factor, interval_secs=settings.sweep_interval_secs
    )
    runtime.audit = AuditService(db=db, clock=clock, retention_days=settings.audit_retention_days)
    hub.audit = runtime.audit
    runtime.debriefs = DebriefService(db=db, clock=clock, chats=chats, support=support)
    runtime.transcripts = TranscriptService(db=db)
    runtime.retention = RetentionService(
        db=db,
        clock=clock,
        retention_days=settings.transcript_retention_days,
        interval_secs=settings.purge_interval_secs,
        also_purge=other_purges(settings, db, clock, runtime.audit),
    )
    try:
        await broker.start()
        await hub.start()
        runtime.retention.start()
    except BaseException:
        await runtime.close()
        raise
    return runtime


def two_factor_service(
    settings: Settings, db: Database, clock: Clock, secret_key: str
) -> TwoFactor:
    return TwoFactor(
        db=db,
        clock=clock,
        settings=TwoFactorSettings(
            policy=settings.two_factor_policy,
            issuer=settings.two_factor_issuer,
            secret_key=secret_key,
        ),
    )


# --- retention of data other than transcripts (audit trail; diary records, issue 7) ---------


def other_purges(
    settings: Settings, db: Database, clock: Clock, audit: AuditService
) -> dict[str, PurgeJob]:
    """The purges that run after the transcripts', on the schedule and in `chatsupport purge`."""
    diary = DiaryRetention(
        db=db, clock=clock, zone=settings.zone, months=settings.diary_retention_months
    )
    return {
        AUDIT_ENTRIES: audit.purge,
        DIARY_RECORDS_FOLDED: diary.purge,
        DEBRIEFS: partial(purge_debriefs, db, clock),
    }


def support_settings(settings: Settings) -> SupportSettings:
    return SupportSettings(
        escalate_after=timedelta(seconds=settings.escalate_after_secs),
        transfer_offer=timedelta(seconds=settings.transfer_offer_secs),
        holder_gone=timedelta(seconds=settings.holder_gone_secs),
    )


def chat_limits(settings: Settings) -> ChatLimits:
    return ChatLimits(
        responder_chat_cap=settings.responder_chat_cap,
        resume_grace=timedelta(seconds=settings.resume_grace_secs),
        reminder_interval=timedelta(seconds=settings.reminder_secs),
        zone=settings.zone,
    )


def abuse_limits(settings: Settings) -> AbuseLimits:
    store = limit_store_from_url(settings.broker_url, namespace=settings.broker_namespace)
    return AbuseLimits(
        store=store,
        message_store=MemoryLimitStore(),  # per process: services/limits.py says why
        settings=LimitSettings(
            connections_per_key=settings.youth_connections_per_key,
            chats_per_key_per_hour=settings.youth_chats_per_key_per_hour,
            messages_per_chat_per_minute=settings.youth_messages_per_minute,
            max_waiting_chats=settings.max_waiting_chats,
            block_minutes=settings.block_minutes,
        ),
    )


def rota_settings(settings: Settings) -> RotaSettings:
    return RotaSettings(
        zone=settings.zone,
        intake_cutoff=timedelta(minutes=settings.intake_cutoff_mins),
        # Consoles are re-marked every sweep; three missed sweeps mean the console is gone.
        presence_window=timedelta(seconds=max(3 * settings.sweep_interval_secs, 10.0)),
    )


def hub_settings(settings: Settings) -> HubSettings:
    return HubSettings(
        send_queue_size=settings.send_queue_size,
        sweep_interval_secs=settings.sweep_interval_secs,
        max_message_chars=settings.max_message_chars,
        opens_per_minute=settings.opens_per_minute,
    )
