"""What the backup, escalation and transfer events mean for this process's connections.

Called by ``Hub.dispatch`` for every event in ``events.SUPPORT_EVENTS`` (on every process, so
a backup or a colleague connected to another process than the expert is reached too). Notes
go only to responder connections: a youth connection never gets one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from chatsupport.domain import support as s
from chatsupport.domain.roles import Role
from chatsupport.hub.connection import Connection, ResponderConnection

if TYPE_CHECKING:
    from chatsupport.hub.hub import Hub


def _who(role: Role, name: str) -> dict[str, str]:
    return {"role": role.value, "name": name}


def _consoles(hub: Hub, responder_id: int) -> list[ResponderConnection]:
    return [c for c in hub.responders.get(responder_id, ()) if c.greeted]


async def dispatch(hub: Hub, event: Any) -> None:
    if isinstance(event, s.SupportAsked):
        _asked(hub, event)
    elif isinstance(event, s.StandInAnswered):
        _stood_in(hub, event)
    elif isinstance(event, s.NotePosted):
        _note(hub, event)
    elif isinstance(event, s.BackupJoined):
        _joined(hub, event.chat_id, _who(event.role, event.name), joiner=event.backup_id)
    elif isinstance(event, s.ChatHandedOver):
        _handed_over(hub, event)
    elif isinstance(event, s.TransferChanged):
        _transfer(hub, event)
    elif isinstance(event, s.ChatEscalated):
        await _escalated(hub, event)
    elif isinstance(event, s.HolderGone):
        _holder_gone(hub, event)
    elif isinstance(event, s.HolderBack):
        _withdraw_tags(hub, event.chat_id, reason="back")
        for youth in hub.youth.get(event.chat_id, ()):
            youth.send("holder_back")


def _asked(hub: Hub, event: s.SupportAsked) -> None:
    """The backup, or every stand-in, is alerted; when the server asked because the backup
    left, the expert's consoles are told too (the one who asks is answered by the handler)."""
    who = _who(Role.EXPERIENCE_EXPERT, event.expert_name)
    stand_in = event.backup_id is None
    for rid in event.stand_in_ids if stand_in else [event.backup_id]:
        for conn in _consoles(hub, rid or 0):
            conn.send(
                "support_alert",
                chat_id=event.chat_id,
                expert=who,
                lang=event.lang,
                stand_in=stand_in,
                reason=event.reason.value,
            )
    if event.reason is s.SupportReason.BACKUP_LEFT:
        for conn in _consoles(hub, event.expert_id or 0):
            conn.send(
                "support_requested",
                chat_id=event.chat_id,
                stand_in=True,
                backup=None,
                reason=event.reason.value,
            )


def _stood_in(hub: Hub, event: s.StandInAnswered) -> None:
    """The stand-in's consoles get the alert as the chat's backup; the expert is told who;
    every other professional console withdraws the stand-in alert."""
    expert = _who(Role.EXPERIENCE_EXPERT, event.expert_name)
    backup = _who(Role.PROFESSIONAL, event.backup_name)
    for rid, conns in hub.responders.items():
        for conn in conns:
            if not conn.greeted:
                continue
            if rid == event.backup_id:
                conn.send(
                    "support_alert",
                    chat_id=event.chat_id,
                    expert=expert,
                    lang=event.lang,
                    stand_in=False,
                    reason=event.reason.value,
                )
            elif rid == event.expert_id:
                conn.send("stand_in", chat_id=event.chat_id, backup=backup)
            elif conn.responder.role is Role.PROFESSIONAL:
                conn.send("support_taken", chat_id=event.chat_id)


def _note(hub: Hub, event: s.NotePosted) -> None:
    for conn in hub.watchers.get(event.chat_id, ()):
        if isinstance(conn, ResponderConnection):  # never a youth connection
            conn.send(
                "note",
                chat_id=event.chat_id,
                id=event.note_id,
                author=_who(event.author_role, event.author_name),
                text=event.text,
                at=event.at.isoformat(),
            )


def _joined(
    hub: Hub, chat_id: str, who: dict[str, str], *, joiner: int | None, youth_frame: str = "joined"
) -> None:
    """``youth_frame``: ``joined`` (another adult is here too) or ``claimed`` (this adult
    answers now: the one before is gone)."""
    for conn in hub.watchers.get(chat_id, ()):
        if isinstance(conn, ResponderConnection):
            if conn.responder.id == joiner and chat_id in conn.watching:
                conn.joined.add(chat_id)  # the backup may now write in the chat
            conn.send("joined", chat_id=chat_id, responder=who)
        else:
            conn.send(youth_frame, responder=who)


def _holder_gone(hub: Hub, event: s.HolderGone) -> None:
    """The chat is back in the claim lists of those asked; the youth is told."""
    from chatsupport.hub.hub import tag_gone  # the hub module imports this one

    for rid in event.responder_ids:
        for conn in _consoles(hub, rid):
            if event.chat_id not in conn.chats:
                tag_gone(conn, event.chat_id, event.lang, event.waiting_since, event.youth_urgent)
    for youth in hub.youth.get(event.chat_id, ()):
        youth.send("holder_away")


def _withdraw_tags(hub: Hub, chat_id: str, *, reason: str, keep: int | None = None) -> None:
    for rid, conns in hub.responders.items():
        for conn in conns:
            if chat_id in conn.tagged and rid != keep:
                conn.tagged.discard(chat_id)
                conn.send("taken", chat_id=chat_id, reason=reason)


def _handed_over(hub: Hub, event: s.ChatHandedOver) -> None:
    if event.reason is s.HandOver.HOLDER_GONE:  # claimed: the others' tags go
        _withdraw_tags(hub, event.chat_id, reason="claimed", keep=event.to_id)
    for conn in _consoles(hub, event.to_id):
        conn.tagged.discard(event.chat_id)
    to = _who(event.to_role, event.to_name)
    # to the youth a hand-over is "this adult answers now", never "another adult joins": the
    # one before has left the chat (a joined backup's support ended with it, or she took it)
    _joined(hub, event.chat_id, to, joiner=None, youth_frame="claimed")
    for conn in _consoles(hub, event.from_id):
        if event.chat_id in conn.chats:
            conn.send("handed_over", chat_id=event.chat_id, to=to, reason=event.reason.value)
            hub.unfollow(conn, event.chat_id)
    _end_support(hub, event)
    for conn in _consoles(hub, event.to_id):
        if event.chat_id in conn.chats:
            continue
        # The whole history, also to a backup who watched or joined: the console makes the
        # chat its own from this frame, and a conversation that vanished on taking it over
        # would leave the new responder answering blind.
        conn.watching.discard(event.chat_id)
        conn.joined.discard(event.chat_id)
        hub.follow(conn, event.chat_id, after_seq=0)
        conn.push(hub.chat_job(event.chat_id))


def _end_support(hub: Hub, event: s.ChatHandedOver) -> None:
    """The former holder's support ends: the backup's alert and view go (``support_taken``),
    and so do the stand-ins' alerts if nobody had answered yet."""
    asked = set(hub.responders) if event.stand_ins_asked else set()
    if event.former_backup_id is not None:
        asked.add(event.former_backup_id)
    for rid in asked - {event.to_id}:
        for conn in _consoles(hub, rid):
            conn.send("support_taken", chat_id=event.chat_id)
            if event.chat_id in conn.watching or event.chat_id in conn.joined:
                hub.unfollow(conn, event.chat_id)


def _transfer(hub: Hub, event: s.TransferChanged) -> None:
    fields: dict[str, Any] = {"chat_id": event.chat_id, "status": event.status.value}
    if event.status is s.TransferStatus.OFFERED:
        fields["expires_at"] = event.expires_at.isoformat()
        for conn in _consoles(hub, event.to_id):
            conn.send(
                "transfer",
                offered_by=_who(event.from_role, event.from_name),
                lang=event.lang,
                youth_urgent=event.youth_urgent,
                **fields,
            )
        for conn in _consoles(hub, event.from_id):
            conn.send("transfer", **fields)
        return
    for rid in {event.from_id, event.to_id}:
        for conn in _consoles(hub, rid):
            conn.send("transfer", **fields)


async def _escalated(hub: Hub, event: s.ChatEscalated) -> None:
    from chatsupport.hub.hub import tag  # the hub module imports this one

    for rid in event.responder_ids:
        for conn in _consoles(hub, rid):
            tag(
                conn,
                event.chat_id,
                event.lang,
                event.waiting_since,
                True,
                urgent=True,
                youth_urgent=event.youth_urgent,
            )
    youth = hub.youth.get(event.chat_id, ())
    # A young person who said they need help now sees 112 and the services from the start.
    if youth and not event.youth_urgent:
        texts = await hub.rota.texts(event.lang)
        for youth_conn in youth:
            youth_conn.send("still_waiting", services=texts.emergency)


async def tell_backup_presence(hub: Hub) -> None:
    """Tell each connected expert when their backup's presence changed, and while the backup
    is away put the expert's unbacked chats to the stand-ins (every sweep; DOMAIN.md 3.5)."""
    for conns in list(hub.responders.values()):
        experts = [c for c in conns if c.greeted and c.responder.role is Role.EXPERIENCE_EXPERT]
        if not experts:
            continue
        present = await hub.support.backup_present(experts[0].responder.id)
        for conn in experts:
            if present is not None and present != conn.backup_present:
                conn.send("backup", present=present)
            conn.backup_present = present
        if present is False:
            await hub.support.ask_while_backup_away(experts[0].responder)


async def note_frames(hub: Hub, chat_id: str) -> list[dict[str, object]]:
    """The chat's notes as ``note`` frames, oldest first (for a backup or a reconnecting holder)."""
    return [
        {
            "v": 1,
            "type": "note",
            "chat_id": chat_id,
            "id": note.id,
            "author": {"role": role, "name": name},
            "text": note.text,
            "at": note.at.isoformat(),
        }
        for note, role, name in await hub.support.notes(chat_id)
    ]


def watching_job(hub: Hub, chat_id: str) -> Callable[[Connection], Awaitable[None]]:
    """Send the backup the chat so far (runs in its writer, before the live messages)."""

    async def job(conn: Connection) -> None:
        chat = await hub.chats.get(chat_id)
        if chat is None:
            return
        messages = await hub.chats.messages_after(chat_id=chat_id, after_seq=0)
        notes = await note_frames(hub, chat_id)
        await conn.write_now(
            {
                "v": 1,
                "type": "watching",
                "chat_id": chat_id,
                "lang": chat.lang,
                "messages": conn.messages_out(messages),
                "notes": notes,
                "last_seq": conn.delivered.get(chat_id, 0),
                "joined": isinstance(conn, ResponderConnection) and chat_id in conn.joined,
            }
        )

    return job
