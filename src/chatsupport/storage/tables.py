"""Tables. Instants are UTC; nothing here identifies a young person."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names so that migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite hands back naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: store instants in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ResponderRow(Base):
    __tablename__ = "responders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login_name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the languages they answer in, comma-separated in fi,sv,en order (migration 0013)
    languages: Mapped[str] = mapped_column(String(16), default="fi", server_default="fi")
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # --- two-factor login (issue 8, migration 0007; see docs/security.md) ---
    #: Random seed the TOTP secret is derived from with the service key (auth/totp_seed.py);
    #: the secret itself is never stored. Set at enrolment start, cleared by disable/reset.
    totp_seed: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The last accepted 30-second step: a code of this step or earlier is refused (replay).
    totp_last_counter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Set when the first code was confirmed; NULL while enrolment is pending or off.
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    responder_id: Mapped[int] = mapped_column(
        ForeignKey("responders.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LoginThrottleRow(Base):
    """Failed logins per *login name*, known or unknown, so a lockout reveals nothing."""

    __tablename__ = "login_throttle"

    login_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ChatRow(Base):
    """One conversation. No IP, user agent or name: only a hash of the resume token."""

    __tablename__ = "chats"
    __table_args__ = (Index("ix_chats_state_created", "state", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    responder_id: Mapped[int | None] = mapped_column(
        ForeignKey("responders.id", ondelete="SET NULL"), index=True, nullable=True
    )
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    youth_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_tagged_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: opened with "I need help now" (migration 0014): marked in consoles, escalated at once
    youth_urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MessageRow(Base):
    """A message, kept only for the chat's retention window."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "seq", name="uq_messages_chat_seq"),
        UniqueConstraint("chat_id", "sender", "client_id", name="uq_messages_chat_client"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: the responder who wrote it (None for the youth); no foreign key, see migration 0009
    author_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


# --- rota (issue 4): weekly and dated shifts, closures, youth texts, console presence -------


class RotaShiftRow(Base):
    """A weekly shift (``weekday`` 0 = Monday) or an extra shift on ``on_date``; local times."""

    __tablename__ = "rota_shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    on_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    ends_next_day: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A deleted backup leaves the shift closed until a coordinator names another.
    backup_id: Mapped[int | None] = mapped_column(
        ForeignKey("responders.id", ondelete="SET NULL"), nullable=True, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RotaAssignmentRow(Base):
    """A responder assigned to a shift; removed with the shift or the account."""

    __tablename__ = "rota_assignments"

    shift_id: Mapped[int] = mapped_column(
        ForeignKey("rota_shifts.id", ondelete="CASCADE"), primary_key=True
    )
    responder_id: Mapped[int] = mapped_column(
        ForeignKey("responders.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RotaClosureRow(Base):
    """The service is closed on ``on_date``: all day (no times) or ``starts``-``ends``."""

    __tablename__ = "rota_closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    on_date: Mapped[date] = mapped_column(Date, index=True)
    starts: Mapped[time | None] = mapped_column(Time, nullable=True)
    ends: Mapped[time | None] = mapped_column(Time, nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class YouthTextRow(Base):
    """Texts a coordinator changed for one language; missing rows mean the built-in drafts."""

    __tablename__ = "youth_texts"

    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    opening: Mapped[str] = mapped_column(Text)
    closed: Mapped[str] = mapped_column(Text)
    emergency: Mapped[str] = mapped_column(Text)
    # None: saved before migration 0011; the built-in draft stands in.
    accessibility: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ConsolePresenceRow(Base):
    """When a responder's console was last seen connected (any process); for backup checks."""

    __tablename__ = "console_presence"

    responder_id: Mapped[int] = mapped_column(
        ForeignKey("responders.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: its last console on a process closed at ``seen_at`` (kept: how long a chat's responder
    #: has been gone is counted from it); a console that says ``hello`` clears it
    closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


# --- contact diary (issue 5) --------------------------------------------------------------
# A diary record holds codes and coarse system fields only: no chat id, no responder id, no
# instant. While a record waits for its form, a separate ``diary_pending`` row links it to its
# chat and responder; that row is deleted when the form is filed, and cascades away if the
# chat (the transcript) is purged first. After either, nothing links a record to a chat.


class DiaryRecordRow(Base):
    """One contact's anonymized record; form columns stay NULL until filed (or forever)."""

    __tablename__ = "diary_records"
    __table_args__ = (Index("ix_diary_records_local_date", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    local_date: Mapped[date] = mapped_column(Date)
    hour: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[int] = mapped_column(Integer)
    wait_secs: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_secs: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lang: Mapped[str] = mapped_column(String(8))
    quick_exit: Mapped[bool] = mapped_column(Boolean, default=False)
    youth_urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    responder_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    backup_involved: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(16))
    filed: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    caller: Mapped[str | None] = mapped_column(String(32), nullable=True)
    age_band: Mapped[str | None] = mapped_column(String(32), nullable=True)
    concern_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cp_concern: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Lists of codes: [{"code", "primary"}], ["CODE"], [{"code", "how"}]; never free text.
    concerns: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    emergency_actions: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    referrals: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)


class DiaryPendingRow(Base):
    """The short-lived link from an unfiled record to its chat and responder."""

    __tablename__ = "diary_pending"

    record_id: Mapped[int] = mapped_column(
        ForeignKey("diary_records.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), unique=True)
    responder_id: Mapped[int] = mapped_column(
        ForeignKey("responders.id", ondelete="CASCADE"), index=True
    )
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DiaryTermRow(Base):
    """A coordinator's change to the taxonomy: a new code, new labels, or retired."""

    __tablename__ = "diary_terms"

    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    label_fi: Mapped[str] = mapped_column(String(120))
    label_sv: Mapped[str | None] = mapped_column(String(120), nullable=True)
    label_en: Mapped[str | None] = mapped_column(String(120), nullable=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- backup support, escalation and transfer (issue 4, migration 0005) ----------------------


class ChatSupportRow(Base):
    """Per-chat flags of the backup rule: one row once a chat is escalated or gets support.

    ``escalated_at`` is set once by a conditional update (one process wins);
    ``backup_involved`` feeds the diary record when the chat ends.
    """

    __tablename__ = "chat_support"

    chat_id: Mapped[str] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    backup_id: Mapped[int | None] = mapped_column(
        ForeignKey("responders.id", ondelete="SET NULL"), nullable=True
    )
    asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    #: ``SupportReason`` of the last request; NULL on rows older than migration 0015: "asked"
    asked_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    backup_involved: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    #: the holder's console has been gone since (set once; cleared on a claim or their return)
    holder_gone_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    #: the backup joined (the youth was told): asking alone marks it involved, not joined
    joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class SupportNoteRow(Base):
    """A note between the expert and the backup: never shown to the youth; goes with the chat."""

    __tablename__ = "support_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("responders.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DebriefRow(Base):
    """An experience expert's request for a debrief (domain/debrief.py): who asked, of whom,
    why, who answered. No chat id and no text on purpose; purged after 30 days."""

    __tablename__ = "debriefs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("responders.id", ondelete="CASCADE"), index=True
    )
    backup_id: Mapped[int | None] = mapped_column(
        ForeignKey("responders.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    answered_by: Mapped[int | None] = mapped_column(
        ForeignKey("responders.id", ondelete="SET NULL"), nullable=True
    )
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class TransferOfferRow(Base):
    """An open offer to hand a chat to another responder (at most one per chat)."""

    __tablename__ = "transfer_offers"

    chat_id: Mapped[str] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    from_id: Mapped[int] = mapped_column(ForeignKey("responders.id", ondelete="CASCADE"))
    to_id: Mapped[int] = mapped_column(ForeignKey("responders.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- canned replies and youth feedback (issue 6, migration 0004) ----------------------------


class CannedReplyRow(Base):
    """A coordinator's ready-made reply in one language (staff text, never a youth's)."""

    __tablename__ = "canned_replies"
    __table_args__ = (Index("ix_canned_replies_lang", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FeedbackTicketRow(Base):
    """The one-time ticket of a chat's "did this help?" answer: a hash, deleted when used.

    Cascades away with the chat's transcript; holds no answer.
    """

    __tablename__ = "feedback_tickets"

    chat_id: Mapped[str] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    ticket_hash: Mapped[str] = mapped_column(String(64), unique=True)


class YouthFeedbackRow(Base):
    """One anonymous answer: the answer and the local date only (no chat, no time of day)."""

    __tablename__ = "youth_feedback"
    __table_args__ = (Index("ix_youth_feedback_local_date", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    local_date: Mapped[date] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(String(16))


# --- audit trail (issue 8): who did what and when; ids and codes only, never text --------


class AuditRow(Base):
    """One staff action. Kept ``CHATSUPPORT_AUDIT_RETENTION_DAYS``."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("responders.id", ondelete="SET NULL"), nullable=True
    )
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80))


# --- two-factor login (issue 8, migration 0007): single-use recovery codes ------------------


class StaffRecoveryCodeRow(Base):
    """One recovery code of a staff account: only its keyed digest; ``used_at`` once used."""

    __tablename__ = "staff_recovery_codes"

    responder_id: Mapped[int] = mapped_column(
        ForeignKey("responders.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


# --- diary aggregates (issue 7, migration 0008): what outlives the diary rows' retention ----
# The purge folds diary records past CHATSUPPORT_DIARY_RETENTION_MONTHS into one tally per
# calendar month and deletes them in the same transaction (domain/diary_tally.py). Fixed
# codes and counts only: no text, no chat or responder id, no instant.


class DiaryMonthCountRow(Base):
    """How many records of a month's ``population`` carried ``code`` in ``dimension``."""

    __tablename__ = "diary_month_counts"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    population: Mapped[str] = mapped_column(String(16), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class DiaryMonthBandRow(Base):
    """How many of a month's answered contacts waited (or lasted) within one fixed band."""

    __tablename__ = "diary_month_bands"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)  # "wait" or "duration"
    band_secs: Mapped[int] = mapped_column(Integer, primary_key=True)  # the band's lower bound
    count: Mapped[int] = mapped_column(Integer)
