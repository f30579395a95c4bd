"""Support flags, private notes and transfer offers. Every race is decided by the database:

* escalation: a conditional ``UPDATE chat_support SET escalated_at WHERE escalated_at IS NULL``
  accepted only if it changed one row (once per chat, on any number of processes);
* hand-over: ``UPDATE chats SET responder_id = :to WHERE responder_id = :from AND state =
  'active'`` (the chat changes hands once, or not at all);
* accepting an offer deletes it with a conditional ``DELETE`` (one acceptance wins).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Exists, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chatsupport.domain.chat import Chat, ChatState
from chatsupport.domain.support import Note, SupportReason, TransferOffer
from chatsupport.storage.chats import _chat
from chatsupport.storage.tables import ChatRow, ChatSupportRow, SupportNoteRow, TransferOfferRow


async def _ensure_row(session: AsyncSession, chat_id: str) -> None:
    if await session.get(ChatSupportRow, chat_id) is not None:
        return
    try:
        async with session.begin_nested():
            session.add(ChatSupportRow(chat_id=chat_id, backup_involved=False))
            await session.flush()
    except IntegrityError:  # another process made it first: fine, it exists
        pass


def _chat_is(chat_id: str, state: ChatState) -> Exists:
    """For a conditional update: the chat is (still) in ``state`` when the update runs."""
    return select(ChatRow.id).where(ChatRow.id == chat_id, ChatRow.state == state.value).exists()


def _held_by(chat_id: str, responder_id: int) -> Exists:
    """For a conditional update: the chat is still active and held by ``responder_id``."""
    return (
        select(ChatRow.id)
        .where(
            ChatRow.id == chat_id,
            ChatRow.state == ChatState.ACTIVE.value,
            ChatRow.responder_id == responder_id,
        )
        .exists()
    )


async def mark_asked(
    session: AsyncSession, *, chat_id: str, backup_id: int | None, now: datetime
) -> None:
    """The expert asked ``backup_id`` for support: the backup is involved from now on. None:
    the stand-ins were asked, and the first to answer becomes the backup (``take_stand_in``)."""
    await _ensure_row(session, chat_id)
    await session.execute(
        update(ChatSupportRow)
        .where(ChatSupportRow.chat_id == chat_id)
        .values(
            backup_id=backup_id,
            asked_at=now,
            asked_reason=SupportReason.ASKED.value,
            backup_involved=True,
        )
    )


async def ask_stand_ins_once(
    session: AsyncSession,
    *,
    chat_id: str,
    expert_id: int,
    connected: frozenset[int],
    now: datetime,
) -> bool:
    """The expert's backup left: put the chat to the stand-ins unless it is backed already (a
    backup asked or stood in who is ``connected``) or its stand-ins are being asked. One
    conditional update: True for the one caller (any process, any sweep) that changed the row.
    Not *involved* yet: that takes a stand-in who answers."""
    await _ensure_row(session, chat_id)
    never_asked = and_(ChatSupportRow.asked_at.is_(None), ChatSupportRow.backup_id.is_(None))
    backup_gone = and_(
        ChatSupportRow.backup_id.is_not(None), ChatSupportRow.backup_id.not_in(connected)
    )
    held = _held_by(chat_id, expert_id)
    result = await session.execute(
        update(ChatSupportRow)
        .where(ChatSupportRow.chat_id == chat_id, or_(never_asked, backup_gone), held)
        .values(backup_id=None, asked_at=now, asked_reason=SupportReason.BACKUP_LEFT.value)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def take_stand_in(session: AsyncSession, *, chat_id: str, backup_id: int) -> bool:
    """The first stand-in to answer becomes the chat's backup: True for the one caller (on any
    process) whose conditional update changed the row, while the chat is still active."""
    result = await session.execute(
        update(ChatSupportRow)
        .where(
            ChatSupportRow.chat_id == chat_id,
            ChatSupportRow.asked_at.is_not(None),
            ChatSupportRow.backup_id.is_(None),
            _chat_is(chat_id, ChatState.ACTIVE),
        )
        .values(backup_id=backup_id, backup_involved=True)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def asking_stand_ins(session: AsyncSession) -> list[tuple[Chat, SupportReason]]:
    """Active chats whose stand-ins are being asked (nobody has answered yet), and why."""
    rows = await session.execute(
        select(ChatRow, ChatSupportRow.asked_reason)
        .join(ChatSupportRow, ChatSupportRow.chat_id == ChatRow.id)
        .where(
            ChatSupportRow.asked_at.is_not(None),
            ChatSupportRow.backup_id.is_(None),
            ChatRow.state == ChatState.ACTIVE.value,
        )
    )
    return [(_chat(row), _reason(reason)) for row, reason in rows]


async def asked_reason(session: AsyncSession, *, chat_id: str) -> SupportReason | None:
    """Why the chat's backup or stand-ins were last asked; None when nobody was."""
    row = (
        await session.execute(
            select(ChatSupportRow.asked_at, ChatSupportRow.asked_reason).where(
                ChatSupportRow.chat_id == chat_id
            )
        )
    ).first()
    if row is None or row[0] is None:
        return None
    return _reason(row[1])


def _reason(stored: str | None) -> SupportReason:
    return SupportReason(stored) if stored else SupportReason.ASKED  # NULL: before 0015


async def mark_involved(session: AsyncSession, *, chat_id: str) -> None:
    await _ensure_row(session, chat_id)
    await session.execute(
        update(ChatSupportRow).where(ChatSupportRow.chat_id == chat_id).values(backup_involved=True)
    )


async def mark_joined(session: AsyncSession, *, chat_id: str, now: datetime) -> None:
    """The backup joined the chat beside the expert (involved, and shown to the youth)."""
    await _ensure_row(session, chat_id)
    await session.execute(
        update(ChatSupportRow)
        .where(ChatSupportRow.chat_id == chat_id)
        .values(backup_involved=True, joined_at=now)
    )


async def asked_and_joined(session: AsyncSession, *, chat_id: str) -> tuple[bool, int | None]:
    """Whether the chat's expert asked for support, and the backup who joined, if one did."""
    row = (
        await session.execute(
            select(
                ChatSupportRow.asked_at, ChatSupportRow.backup_id, ChatSupportRow.joined_at
            ).where(ChatSupportRow.chat_id == chat_id)
        )
    ).first()
    if row is None:
        return False, None
    asked_at, backup_id, joined_at = row
    return asked_at is not None, backup_id if joined_at is not None else None


async def backup_of_chat(session: AsyncSession, *, chat_id: str) -> int | None:
    """The backup the chat's expert asked for support (None if nobody was asked)."""
    return await session.scalar(
        select(ChatSupportRow.backup_id).where(ChatSupportRow.chat_id == chat_id)
    )


async def backup_involved(session: AsyncSession, *, chat_id: str) -> bool:
    found = await session.scalar(
        select(ChatSupportRow.backup_involved).where(ChatSupportRow.chat_id == chat_id)
    )
    return bool(found)


async def asked_of(session: AsyncSession, *, backup_id: int) -> list[Chat]:
    """Active chats whose expert asked ``backup_id`` for support (re-sent on reconnect)."""
    rows = await session.scalars(
        select(ChatRow)
        .join(ChatSupportRow, ChatSupportRow.chat_id == ChatRow.id)
        .where(ChatSupportRow.backup_id == backup_id, ChatRow.state == ChatState.ACTIVE.value)
    )
    return [_chat(r) for r in rows]


# --- escalation ------------------------------------------------------------------------------


async def waiting_unescalated(session: AsyncSession, *, cutoff: datetime) -> list[Chat]:
    """Waiting chats opened before ``cutoff`` that were never escalated."""
    rows = await session.scalars(
        select(ChatRow)
        .outerjoin(ChatSupportRow, ChatSupportRow.chat_id == ChatRow.id)
        .where(
            ChatRow.state == ChatState.WAITING.value,
            ChatRow.created_at < cutoff,
            ChatSupportRow.escalated_at.is_(None),
        )
    )
    return [_chat(r) for r in rows]


async def take_escalation(session: AsyncSession, *, chat_id: str, now: datetime) -> bool:
    """Claim the chat's one escalation; True for the one caller (on any process) that wins,
    and only while the chat still waits (a claim may have come in since it was read)."""
    await _ensure_row(session, chat_id)
    result = await session.execute(
        update(ChatSupportRow)
        .where(
            ChatSupportRow.chat_id == chat_id,
            ChatSupportRow.escalated_at.is_(None),
            _chat_is(chat_id, ChatState.WAITING),
        )
        .values(escalated_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def escalated_waiting(session: AsyncSession) -> int:
    """How many chats wait now past the escalation time (the coordinator's count)."""
    count = await session.scalar(
        select(func.count())
        .select_from(ChatRow)
        .join(ChatSupportRow, ChatSupportRow.chat_id == ChatRow.id)
        .where(ChatRow.state == ChatState.WAITING.value, ChatSupportRow.escalated_at.is_not(None))
    )
    return int(count or 0)


# --- a chat whose responder is gone ----------------------------------------------------------


async def holders_gone(session: AsyncSession, *, present: frozenset[int]) -> list[Chat]:
    """Active chats whose holder is not among ``present`` and that are not marked gone yet."""
    rows = await session.scalars(
        select(ChatRow)
        .outerjoin(ChatSupportRow, ChatSupportRow.chat_id == ChatRow.id)
        .where(
            ChatRow.state == ChatState.ACTIVE.value,
            ChatRow.responder_id.is_not(None),
            ChatRow.responder_id.not_in(present),
            ChatSupportRow.holder_gone_at.is_(None),
        )
    )
    return [_chat(r) for r in rows]


async def mark_holder_gone(
    session: AsyncSession, *, chat_id: str, holder_id: int, now: datetime
) -> bool:
    """Mark the chat's holder gone; True for the one caller (any process) that changed the row,
    while the chat is still active and held by ``holder_id``."""
    await _ensure_row(session, chat_id)
    held = _held_by(chat_id, holder_id)
    result = await session.execute(
        update(ChatSupportRow)
        .where(ChatSupportRow.chat_id == chat_id, ChatSupportRow.holder_gone_at.is_(None), held)
        .values(holder_gone_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def clear_holder_gone(session: AsyncSession, *, chat_id: str) -> bool:
    """Take the chat out of the gone state: True for the one caller (a claim, or the holder's
    return; any process) whose conditional update changed the row."""
    result = await session.execute(
        update(ChatSupportRow)
        .where(ChatSupportRow.chat_id == chat_id, ChatSupportRow.holder_gone_at.is_not(None))
        .values(holder_gone_at=None)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def gone_chats(session: AsyncSession) -> list[Chat]:
    """Active chats whose holder is marked gone (their tags, for a console that connects)."""
    rows = await session.scalars(
        select(ChatRow)
        .join(ChatSupportRow, ChatSupportRow.chat_id == ChatRow.id)
        .where(ChatRow.state == ChatState.ACTIVE.value, ChatSupportRow.holder_gone_at.is_not(None))
    )
    return [_chat(r) for r in rows]


# --- notes -----------------------------------------------------------------------------------


def _note(row: SupportNoteRow) -> Note:
    return Note(row.id, row.chat_id, row.author_id, row.text, row.created_at)


async def add_note(
    session: AsyncSession, *, chat_id: str, author_id: int, text: str, now: datetime
) -> Note:
    row = SupportNoteRow(chat_id=chat_id, author_id=author_id, text=text, created_at=now)
    session.add(row)
    await session.flush()
    return _note(row)


async def notes(session: AsyncSession, *, chat_id: str) -> list[Note]:
    rows = await session.scalars(
        select(SupportNoteRow).where(SupportNoteRow.chat_id == chat_id).order_by(SupportNoteRow.id)
    )
    return [_note(r) for r in rows]


# --- hand-over and transfer offers ------------------------------------------------------------


async def hand_over(session: AsyncSession, *, chat_id: str, from_id: int, to_id: int) -> bool:
    """Give an active chat from ``from_id`` to ``to_id``; False if it is not ``from_id``'s."""
    result = await session.execute(
        update(ChatRow)
        .where(
            ChatRow.id == chat_id,
            ChatRow.state == ChatState.ACTIVE.value,
            ChatRow.responder_id == from_id,
        )
        .values(responder_id=to_id)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def end_support(session: AsyncSession, *, chat_id: str) -> tuple[int | None, bool]:
    """The chat changed hands: the support of its former holder ends (nobody asked, nobody
    beside; ``backup_involved`` and the escalation stay for the diary). Returns the backup
    that was asked or stood in, and whether stand-ins were still being asked."""
    row = await session.get(ChatSupportRow, chat_id)
    if row is None:
        return None, False
    former, asking = row.backup_id, row.asked_at is not None and row.backup_id is None
    row.backup_id = row.asked_at = row.asked_reason = row.joined_at = None
    return former, asking


async def put_offer(session: AsyncSession, *, offer: TransferOffer) -> None:
    """Store the chat's offer, replacing an earlier one."""
    await session.execute(delete(TransferOfferRow).where(TransferOfferRow.chat_id == offer.chat_id))
    session.add(
        TransferOfferRow(
            chat_id=offer.chat_id,
            from_id=offer.from_id,
            to_id=offer.to_id,
            expires_at=offer.expires_at,
        )
    )
    await session.flush()


def _offer(row: TransferOfferRow) -> TransferOffer:
    return TransferOffer(row.chat_id, row.from_id, row.to_id, row.expires_at)


async def take_offer(
    session: AsyncSession, *, chat_id: str, to_id: int, now: datetime
) -> TransferOffer | None:
    """Remove and return the live offer of ``chat_id`` to ``to_id`` (one caller gets it)."""
    row = await session.scalar(
        select(TransferOfferRow).where(
            TransferOfferRow.chat_id == chat_id,
            TransferOfferRow.to_id == to_id,
            TransferOfferRow.expires_at > now,
        )
    )
    if row is None:
        return None
    offer = _offer(row)
    result = await session.execute(
        delete(TransferOfferRow).where(
            TransferOfferRow.chat_id == chat_id, TransferOfferRow.to_id == to_id
        )
    )
    return offer if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def expired_offers(session: AsyncSession, *, now: datetime) -> list[TransferOffer]:
    rows = await session.scalars(select(TransferOfferRow).where(TransferOfferRow.expires_at <= now))
    return [_offer(r) for r in rows]


async def drop_offer(session: AsyncSession, *, offer: TransferOffer) -> bool:
    """Delete exactly this offer; False if it was accepted, declined or replaced meanwhile."""
    result = await session.execute(
        delete(TransferOfferRow).where(
            TransferOfferRow.chat_id == offer.chat_id,
            TransferOfferRow.to_id == offer.to_id,
            TransferOfferRow.expires_at == offer.expires_at,
        )
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
