"""Diary records, their pending links and the coordinator's taxonomy changes.

``record_chat_end`` runs inside the transaction that ends a chat, so every ended or missed
chat gets exactly one record. A record that needs a form gets a ``diary_pending`` row naming
its chat and responder; filing the form deletes that row in the same transaction that stores
the form, so afterwards nothing in the database links the record to its chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.chat import ChatState
from chatsupport.domain.diary import (
    ConcernPick,
    DiaryFact,
    DiaryForm,
    Origin,
    ReferralPick,
    SystemFields,
    system_fields,
)
from chatsupport.domain.taxonomy import SILENT, Dimension, TermChange
from chatsupport.storage.tables import (
    ChatRow,
    DiaryPendingRow,
    DiaryRecordRow,
    DiaryTermRow,
    ResponderRow,
)

# Diary codes (domain/taxonomy.py) a responder's block sets on the chat's record.
ABUSIVE_CONTACT = "ABUSIVE"
ABUSE_OUTCOME = "RESPONDER_ENDED_ABUSE"


@dataclass(frozen=True, slots=True)
class Pending:
    """A record waiting for its form, as its responder sees it."""

    chat_id: str
    ended_at: datetime


class FileOutcome(StrEnum):
    FILED = "filed"
    NO_CHAT = "no_chat"  # unknown chat (or purged)
    NOT_YOURS = "not_yours"
    STILL_OPEN = "still_open"
    NO_FORM = "no_form"  # missed or silent: recorded by the system
    ALREADY_FILED = "already_filed"


async def record_chat_end(
    session: AsyncSession,
    *,
    chat_id: str,
    zone: ZoneInfo,
    now: datetime,
    backup_involved: bool = False,
    abusive: bool = False,
) -> None:
    """Store the record of a chat that has just ended or been missed (same transaction).

    ``abusive``: a responder blocked the chat, so the record is marked ``ABUSIVE`` /
    ``RESPONDER_ENDED_ABUSE`` at once (the responder may still file the rest of the form).

    ``backup_involved`` is the rota's to tell (did the backup professional join or help).
    """
    chat = await session.get(ChatRow, chat_id, populate_existing=True)
    if chat is None or chat.ended_at is None:
        return
    role = None
    if chat.responder_id is not None:
        role = await session.scalar(
            select(ResponderRow.role).where(ResponderRow.id == chat.responder_id)
        )
    fields = system_fields(
        created_at=chat.created_at,
        claimed_at=chat.claimed_at,
        ended_at=chat.ended_at,
        zone=zone,
        lang=chat.lang,
        end_reason=chat.end_reason,
        responder_role=role,
        had_messages=chat.last_seq > 0,
        youth_urgent=chat.youth_urgent,
    )
    row = _record_row(replace(fields, backup_involved=backup_involved))
    if abusive:
        row.contact_type, row.outcome = ABUSIVE_CONTACT, ABUSE_OUTCOME
    session.add(row)
    await session.flush()
    if fields.origin is Origin.ANSWERED and chat.responder_id is not None:
        session.add(
            DiaryPendingRow(
                record_id=row.id, chat_id=chat_id, responder_id=chat.responder_id, ended_at=now
            )
        )


def _record_row(fields: SystemFields) -> DiaryRecordRow:
    silent = fields.origin is Origin.NO_MESSAGES
    return DiaryRecordRow(
        local_date=fields.local_date,
        hour=fields.hour,
        weekday=fields.weekday,
        wait_secs=fields.wait_secs,
        duration_secs=fields.duration_secs,
        lang=fields.lang,
        quick_exit=fields.quick_exit,
        youth_urgent=fields.youth_urgent,
        responder_role=fields.responder_role,
        backup_involved=fields.backup_involved,
        origin=fields.origin.value,
        filed=False,
        contact_type=SILENT if silent else None,  # the system records a silent contact
    )


async def file_form(
    session: AsyncSession, *, chat_id: str, responder_id: int, form: DiaryForm
) -> FileOutcome:
    """Store the form of the caller's pending record and drop the link to the chat."""
    pending = await session.scalar(
        select(DiaryPendingRow).where(DiaryPendingRow.chat_id == chat_id).with_for_update()
    )
    if pending is None:
        return await _why_not_pending(session, chat_id=chat_id, responder_id=responder_id)
    if pending.responder_id != responder_id:
        return FileOutcome.NOT_YOURS
    record = await session.get(DiaryRecordRow, pending.record_id)
    assert record is not None  # the link cascades with the record
    _apply_form(record, form)
    await session.execute(delete(DiaryPendingRow).where(DiaryPendingRow.chat_id == chat_id))
    return FileOutcome.FILED


async def _why_not_pending(
    session: AsyncSession, *, chat_id: str, responder_id: int
) -> FileOutcome:
    chat = await session.get(ChatRow, chat_id)
    if chat is None:
        return FileOutcome.NO_CHAT
    if chat.responder_id != responder_id:
        return FileOutcome.NOT_YOURS
    if chat.state in (ChatState.WAITING.value, ChatState.ACTIVE.value):
        return FileOutcome.STILL_OPEN
    if chat.state == ChatState.MISSED.value or chat.last_seq == 0:
        return FileOutcome.NO_FORM
    return FileOutcome.ALREADY_FILED


def _apply_form(record: DiaryRecordRow, form: DiaryForm) -> None:
    record.filed = True
    record.contact_type = form.contact_type
    record.outcome = form.outcome
    record.caller = form.caller
    record.age_band = form.age_band
    record.concern_level = form.concern_level
    record.cp_concern = form.cp_concern
    record.concerns = [c.model_dump() for c in form.concerns]
    record.emergency_actions = list(form.emergency_actions)
    record.referrals = [r.model_dump() for r in form.referrals]


async def pending_for(session: AsyncSession, *, responder_id: int) -> list[Pending]:
    rows = await session.scalars(
        select(DiaryPendingRow)
        .where(DiaryPendingRow.responder_id == responder_id)
        .order_by(DiaryPendingRow.ended_at)
    )
    return [Pending(r.chat_id, r.ended_at) for r in rows]


async def pending_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(DiaryPendingRow)) or 0)


async def facts_between(session: AsyncSession, *, start: date, end: date) -> list[DiaryFact]:
    """Every record dated within [start, end], for aggregation only (never sent out as such)."""
    rows = await session.scalars(
        select(DiaryRecordRow)
        .where(DiaryRecordRow.local_date >= start, DiaryRecordRow.local_date <= end)
        .order_by(DiaryRecordRow.id)
    )
    return [_fact(r) for r in rows]


async def take_records_before(session: AsyncSession, *, before: date) -> list[DiaryFact]:
    """Delete every record dated before ``before`` and return what was deleted.

    One ``DELETE ... RETURNING``: of two transactions running it at once, each row is
    returned to exactly one (PostgreSQL: the second waits on the row locks, then skips the
    rows the first deleted; SQLite: write transactions take turns). The caller stores the
    returned records' tallies in the same transaction, so a row is either still here or
    folded, never both and never lost. A pending link cascades with its record.
    """
    rows = await session.scalars(
        delete(DiaryRecordRow)
        .where(DiaryRecordRow.local_date < before)
        .returning(DiaryRecordRow)
        .execution_options(synchronize_session=False)
    )
    return [_fact(r) for r in rows]


def _fact(row: DiaryRecordRow) -> DiaryFact:
    system = SystemFields(
        local_date=row.local_date,
        hour=row.hour,
        weekday=row.weekday,
        wait_secs=row.wait_secs,
        duration_secs=row.duration_secs,
        lang=row.lang,
        quick_exit=row.quick_exit,
        responder_role=row.responder_role,
        backup_involved=row.backup_involved,
        origin=Origin(row.origin),
        youth_urgent=row.youth_urgent,
    )
    return DiaryFact(system, _form(row) if row.filed else None)


def _form(row: DiaryRecordRow) -> DiaryForm:
    return DiaryForm(
        contact_type=row.contact_type or "",
        outcome=row.outcome or "",
        caller=row.caller or "",
        age_band=row.age_band or "",
        concerns=tuple(ConcernPick(**c) for c in row.concerns or ()),
        concern_level=row.concern_level,
        cp_concern=row.cp_concern,
        emergency_actions=tuple(row.emergency_actions or ()),
        referrals=tuple(ReferralPick(**r) for r in row.referrals or ()),
    )


async def add_facts(session: AsyncSession, *, facts: Sequence[DiaryFact]) -> None:
    """Store ready-made records (generated data sets and imports); no pending links."""
    for fact in facts:
        row = _record_row(fact.system)
        if fact.form is not None:
            _apply_form(row, fact.form)
        session.add(row)
    await session.flush()


async def term_changes(session: AsyncSession) -> list[TermChange]:
    rows = await session.scalars(select(DiaryTermRow))
    return [
        TermChange(Dimension(r.dimension), r.code, _labels(r), r.retired)
        for r in rows
        if r.dimension in Dimension._value2member_map_
    ]


def _labels(row: DiaryTermRow) -> dict[str, str]:
    labels = {"fi": row.label_fi, "sv": row.label_sv, "en": row.label_en}
    return {k: v for k, v in labels.items() if v}


async def save_term(session: AsyncSession, *, change: TermChange, now: datetime) -> None:
    """Insert or replace the stored change of one code."""
    row = await session.get(DiaryTermRow, (change.dimension.value, change.code))
    if row is None:
        row = DiaryTermRow(dimension=change.dimension.value, code=change.code)
        session.add(row)
    labels: dict[str, Any] = dict(change.labels or {})
    row.label_fi = labels.get("fi") or change.code
    row.label_sv = labels.get("sv")
    row.label_en = labels.get("en")
    row.retired = change.retired
    row.updated_at = now
