"""The hub: this process's connections, and what each broker event means for them.

The hub holds no state another process needs: chats, claims and messages are in the database;
the broker only tells every process that something changed. On a broker ``Gap`` (Redis came
back, or the subscription overflowed) every connection re-reads its view from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from chatsupport.broker import Broker, Delivery, Gap
from chatsupport.domain import events
from chatsupport.domain.chat import Chat, ChatState, Message
from chatsupport.domain.debrief import DebriefChanged
from chatsupport.domain.duty import tag_targets
from chatsupport.hub import debrief_events, duty_events, frames, support_events
from chatsupport.hub.connection import (
    CLOSE_RESTART,
    Connection,
    ResponderConnection,
    YouthConnection,
)
from chatsupport.hub.left_queue import LeftQueue
from chatsupport.services.audit import AuditService
from chatsupport.services.background import STOP_WAIT_SECS
from chatsupport.services.chats import EVENTS_CHANNEL, ChatService
from chatsupport.services.refresh_ahead import RefreshAhead
from chatsupport.services.rota import RotaService
from chatsupport.services.support import SupportService

log = logging.getLogger("chatsupport.hub")

ON_DUTY_CACHE_SECS = 1.0
QUEUE_REFRESH_MIN_SECS = 0.2


@dataclass(frozen=True, slots=True)
class HubSettings:
    send_queue_size: int
    sweep_interval_secs: float
    max_message_chars: int
    opens_per_minute: int


class Hub:
    def __init__(
        self,
        *,
        chats: ChatService,
        rota: RotaService,
        broker: Broker,
        settings: HubSettings,
        support: SupportService,
    ) -> None:
        self.chats = chats
        self.support = support
        self.broker = broker
        self.settings = settings
        self.rota = rota
        self._on_duty = RefreshAhead(rota.on_duty_now, fresh_secs=ON_DUTY_CACHE_SECS)
        self.youth: dict[str, set[YouthConnection]] = defaultdict(set)
        self.responders: dict[int, set[ResponderConnection]] = defaultdict(set)
        self.watchers: dict[str, set[Connection]] = defaultdict(set)
        self.audit: AuditService | None = None  # set by the runtime (transcript reads)
        self._queue_dirty = asyncio.Event()
        self._last_queue: dict[str, tuple[int, int, int | None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._periodic: list[asyncio.Task[None]] = []  # of those, the ones that end on stop
        self._subscribed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._youth_touched: dict[str, float] = {}  # chat id -> monotonic time of last touch
        self._left_queue = LeftQueue()

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self._periodic = [
            asyncio.create_task(self._housekeeping(), name="hub-housekeeping"),
            asyncio.create_task(self._refresh_queue(), name="hub-queue"),
        ]
        self._tasks = [asyncio.create_task(self._consume(), name="hub-consume"), *self._periodic]
        async with asyncio.timeout(10):
            await self._subscribed.wait()

    async def stop(self) -> None:
        """Let the periodic tasks finish their round (cancelled mid-query, a task would leave
        its database connection to the garbage collector), stop listening, close sockets."""
        self._stopping.set()
        self._queue_dirty.set()
        if self._periodic:
            await asyncio.wait(self._periodic, timeout=STOP_WAIT_SECS)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._on_duty.close()
        for conn in self.all_connections():
            conn.close_after_pending(CLOSE_RESTART)
        await asyncio.sleep(0)

    def all_connections(self) -> list[Connection]:
        found: list[Connection] = [c for conns in self.youth.values() for c in conns]
        found += [c for conns in self.responders.values() for c in conns]
        return found

    def new_youth(self, socket: Any) -> YouthConnection:
        return YouthConnection(socket, queue_size=self.settings.send_queue_size, fetch=self._fetch)

    def new_responder(self, socket: Any, responder: Any) -> ResponderConnection:
        return ResponderConnection(
            socket,
            responder=responder,
            queue_size=self.settings.send_queue_size,
            fetch=self._fetch,
        )

    async def _fetch(self, chat_id: str, after_seq: int) -> list[Message]:
        return await self.chats.messages_after(chat_id=chat_id, after_seq=after_seq)

    # --- registry ------------------------------------------------------------------------

    def follow(self, conn: Connection, chat_id: str, *, after_seq: int) -> None:
        """``conn`` now receives the chat's events; messages after ``after_seq`` are due."""
        conn.delivered[chat_id] = after_seq
        self.watchers[chat_id].add(conn)
        if isinstance(conn, YouthConnection):
            conn.chat_id = chat_id
            self.youth[chat_id].add(conn)
        elif isinstance(conn, ResponderConnection):
            conn.chats.add(chat_id)
            conn.tagged.discard(chat_id)

    def unfollow(self, conn: Connection, chat_id: str) -> None:
        conn.delivered.pop(chat_id, None)
        _discard(self.watchers, chat_id, conn)
        if isinstance(conn, YouthConnection):
            _discard(self.youth, chat_id, conn)
            if conn.chat_id == chat_id:
                conn.chat_id = None
        elif isinstance(conn, ResponderConnection):
            conn.chats.discard(chat_id)
            conn.watching.discard(chat_id)
            conn.joined.discard(chat_id)

    async def register_responder(self, conn: ResponderConnection) -> None:
        """The console is connected: the rota counts it present (a backup opens a shift)."""
        self.responders[conn.responder.id].add(conn)
        try:
            await self.rota.consoles_seen([conn.responder.id])
        except Exception as exc:  # the next sweep marks it again
            log.warning("console presence not recorded: %s", type(exc).__name__)
        self.invalidate_on_duty()
        self._queue_dirty.set()  # the wait estimates count who is connected

    async def disconnect(self, conn: Connection) -> None:
        for chat_id in list(conn.delivered):
            self.unfollow(conn, chat_id)
        if isinstance(conn, ResponderConnection):
            _discard(self.responders, conn.responder.id, conn)
            if conn.greeted and conn.responder.id not in self.responders:
                with contextlib.suppress(Exception):  # it expires after the presence window
                    await self.rota.console_gone(conn.responder.id)
                self.invalidate_on_duty()
                self._queue_dirty.set()
        if isinstance(conn, YouthConnection) and conn.chat_id:
            # The grace window starts now, not at the last heartbeat.
            with contextlib.suppress(Exception):
                await self.chats.touch_youth([conn.chat_id])
        await conn.stop()

    async def on_duty(self) -> frozenset[int]:
        return await self._on_duty.get()

    def invalidate_on_duty(self) -> None:
        self._on_duty.invalidate()

    async def waiting_now(self) -> list[Chat]:
        """The waiting chats, less those claimed or missed while they were being read."""
        mark = self._left_queue.mark()
        return self._left_queue.still_waiting(await self.chats.waiting(), mark)

    # --- broker events -------------------------------------------------------------------

    async def _consume(self) -> None:
        while True:
            try:
                async with self.broker.subscribe([EVENTS_CHANNEL]) as subscription:
                    self._subscribed.set()
                    async for item in subscription:
                        await self._handle(item)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let one bad event stop delivery
                log.error("event consumer restarted after %s", type(exc).__name__)
                await asyncio.sleep(0.5)

    async def _handle(self, item: Delivery | Gap) -> None:
        if isinstance(item, Gap):
            await self.resync_all()
            return
        try:
            event = events.decode(item.data)
        except ValueError:
            log.error("dropped an undecodable event")
            return
        await self.dispatch(event)

    async def dispatch(self, event: events.Event) -> None:
        if isinstance(event, events.MessagePosted):
            for conn in self.watchers.get(event.chat_id, ()):
                conn.push(event)
        elif isinstance(event, events.TypingChanged):
            self._typing(event)
        elif isinstance(event, events.ChatWaiting):
            await self._tag(event)
        elif isinstance(event, events.ChatClaimed):
            self._claimed(event)
        elif isinstance(event, events.ChatEnded):
            self._ended(event)
        elif isinstance(event, events.LangChanged):
            self._lang_changed(event)
        elif isinstance(event, events.QueueChanged):
            self._queue_dirty.set()
        elif isinstance(event, events.SUPPORT_EVENTS):
            await support_events.dispatch(self, event)
        elif isinstance(event, DebriefChanged):
            debrief_events.dispatch(self, event)

    def _typing(self, event: events.TypingChanged) -> None:
        for conn in self.watchers.get(event.chat_id, ()):
            if conn.side is event.sender:
                continue
            extra = {"chat_id": event.chat_id} if isinstance(conn, ResponderConnection) else {}
            conn.send("typing", active=event.active, **extra)

    async def _tag(self, event: events.ChatWaiting) -> None:
        targets = tag_targets(on_duty=await self.on_duty(), connected=self.responders.keys())
        for responder_id in targets:
            for conn in self.responders.get(responder_id, ()):
                # A console that connected meanwhile may have been tagged by its own read of
                # the queue already; a reminder tags again on purpose.
                if conn.greeted and (event.reminder or event.chat_id not in conn.tagged):
                    tag(
                        conn,
                        event.chat_id,
                        event.lang,
                        event.waiting_since,
                        event.reminder,
                        youth_urgent=event.youth_urgent,
                    )

    def _lang_changed(self, event: events.LangChanged) -> None:
        """Consoles that show the chat, as a tag or open, show its new language."""
        following = self.watchers.get(event.chat_id, ())
        for conns in self.responders.values():
            for conn in conns:
                if event.chat_id in conn.tagged or conn in following:
                    conn.send("lang", chat_id=event.chat_id, lang=event.lang)

    def _claimed(self, event: events.ChatClaimed) -> None:
        self._left_queue.left(event.chat_id)
        who = {"role": event.responder_role.value, "name": event.responder_name}
        for youth in self.youth.get(event.chat_id, ()):
            youth.send("claimed", responder=who)
        for conns in self.responders.values():
            for conn in conns:
                if conn.responder.id == event.responder_id:
                    conn.tagged.discard(event.chat_id)  # theirs now, not a tag to withdraw
                    if event.chat_id not in conn.chats:  # the winner's other tabs
                        self.follow(conn, event.chat_id, after_seq=0)
                        conn.push(self.chat_job(event.chat_id))
                elif event.chat_id in conn.tagged:
                    conn.tagged.discard(event.chat_id)
                    conn.send("taken", chat_id=event.chat_id, reason="claimed")

    def _ended(self, event: events.ChatEnded) -> None:
        self._left_queue.left(event.chat_id)
        fields = {"reason": event.reason.value, "state": event.state.value}
        for conn in list(self.watchers.get(event.chat_id, ())):
            if isinstance(conn, ResponderConnection):
                gone = {"forgotten": True} if event.forgotten else {}
                conn.send("ended", chat_id=event.chat_id, **fields, **gone)
            else:  # the socket stays open: the youth may start a new chat on it
                conn.send("ended", **fields)
            self.unfollow(conn, event.chat_id)
        # A missed chat's tags, or those of an active chat whose responder was gone, go.
        for conns in self.responders.values():
            for conn in conns:
                if event.chat_id in conn.tagged:
                    conn.tagged.discard(event.chat_id)
                    conn.send("taken", chat_id=event.chat_id, reason="left")

    # --- composite frames (run inside a connection's writer, in order) -------------------

    def chat_job(self, chat_id: str) -> Callable[[Connection], Awaitable[None]]:
        """Send a responder the whole state of one of its active chats."""

        async def job(conn: Connection) -> None:
            chat = await self.chats.get(chat_id)
            if chat is None or chat.state is not ChatState.ACTIVE:
                return
            messages = await self._fetch(chat_id, conn.delivered.get(chat_id, 0))
            asked, beside = await self.support.state_of(chat)
            backup = await self.support.asked_backup(chat_id) if asked else None
            reason = await self.support.asked_reason(chat_id) if asked else None
            await conn.write_now(
                {
                    "v": 1,
                    "type": "chat",
                    "chat_id": chat_id,
                    "state": chat.state.value,
                    "lang": chat.lang,
                    "messages": conn.messages_out(messages),
                    "last_seq": conn.delivered.get(chat_id, 0),
                    "joined": {"role": beside[0], "name": beside[1]} if beside else None,
                    # what the holder's console showed before a reload: support asked, notes
                    "support_asked": asked,
                    "support_backup": {"role": backup[0], "name": backup[1]} if backup else None,
                    "support_reason": reason.value if reason else None,
                    "notes": await support_events.note_frames(self, chat_id),
                    "youth_urgent": chat.youth_urgent,
                }
            )

        return job

    # --- resync after a broker gap -------------------------------------------------------

    async def resync_all(self) -> None:
        """Events may have been lost: every connection re-reads its view from the database."""
        self.invalidate_on_duty()
        waiting = {c.id: c for c in await self.waiting_now()}
        gone = {c.id for c in await self.support.gone_chats()}  # tags that stay
        on_duty = await self.on_duty()
        for youth_conns in list(self.youth.values()):
            for youth in youth_conns:
                youth.push(self._youth_resync_job())
        for responder_conns in list(self.responders.values()):
            for conn in responder_conns:
                if conn.greeted:
                    self._resync_tags(conn, waiting, gone, on_duty)
                    conn.push(self._responder_resync_job())
        self._queue_dirty.set()

    def _resync_tags(
        self,
        conn: ResponderConnection,
        waiting: dict[str, Any],
        gone: set[str],
        on_duty: frozenset[int],
    ) -> None:
        for chat_id in list(conn.tagged - waiting.keys() - gone):
            conn.tagged.discard(chat_id)
            conn.send("taken", chat_id=chat_id, reason="claimed")
        if conn.responder.id in on_duty:
            for chat in waiting.values():
                if chat.id not in conn.tagged:
                    tag_waiting(conn, chat)

    def _youth_resync_job(self) -> Callable[[Connection], Awaitable[None]]:
        async def job(conn: Connection) -> None:
            assert isinstance(conn, YouthConnection)
            if conn.chat_id is None or conn.chat_id not in conn.delivered:
                return
            chat = await self.chats.get(conn.chat_id)
            if chat is None:
                return
            await conn.catch_up(chat.id)
            if chat.state not in (ChatState.WAITING, ChatState.ACTIVE):
                reason = chat.end_reason.value if chat.end_reason else "youth_left"
                self._ended(
                    events.ChatEnded.model_validate(
                        {"chat_id": chat.id, "state": chat.state, "reason": reason}
                    )
                )
            elif chat.state is ChatState.ACTIVE and chat.responder_id is not None:
                names = await self.chats.responder_names([chat.responder_id])
                role, name = names.get(chat.responder_id, ("professional", ""))
                await conn.write_now(
                    {"v": 1, "type": "claimed", "responder": {"role": role, "name": name}}
                )

        return job

    def _responder_resync_job(self) -> Callable[[Connection], Awaitable[None]]:
        async def job(conn: Connection) -> None:
            assert isinstance(conn, ResponderConnection)
            active = {c.id for c in await self.chats.active_for(conn.responder.id)}
            for chat_id in list(conn.chats - active):
                chat = await self.chats.get(chat_id)
                reason = chat.end_reason.value if chat and chat.end_reason else "youth_left"
                state = chat.state.value if chat else "ended"
                await conn.write_now(
                    {"v": 1, "type": "ended", "chat_id": chat_id, "reason": reason, "state": state}
                )
                self.unfollow(conn, chat_id)
            for chat_id in active:
                if chat_id in conn.chats:
                    await conn.catch_up(chat_id)
                else:
                    self.follow(conn, chat_id, after_seq=0)
                    await self.chat_job(chat_id)(conn)

        return job

    # --- periodic work -------------------------------------------------------------------

    async def _housekeeping(self) -> None:
        """Heartbeat this process's youth, then sweep (safe on every process at once)."""
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.settings.sweep_interval_secs)
            if self._stopping.is_set():
                return
            try:
                due = self._youth_due_for_touch()
                await self.chats.touch_youth(due)
                self._youth_touched.update(dict.fromkeys(due, time.monotonic()))
                await self.chats.sweep()
                # Presence first: a console connected here is never taken for gone.
                await self.rota.consoles_still_seen(list(self.responders))
                here = frozenset(self.responders)
                # escalations, lapsed transfer offers, chats whose responder is gone
                await self.support.sweep(connected_here=here)
                await self.support.holders_back(here)  # a mark made while they were away
                self._on_duty.refresh_soon()  # time moves shifts in and out
                await support_events.tell_backup_presence(self)
                await duty_events.tell_duty_changes(self)
                await self._tell_waiting_youth_if_closed()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database may be restarting; try next round
                log.warning("housekeeping skipped a round: %s", type(exc).__name__)

    async def _tell_waiting_youth_if_closed(self) -> None:
        """DOMAIN.md 3.3: a young person still in the queue when the service closes is told,
        with the next opening and the always-open services; told again if it reopens."""
        youth = [c for conns in self.youth.values() for c in conns if c.chat_id]
        if not youth:
            return
        if (await self.rota.status()).open:
            told = [c for c in youth if c.told_closed]
            if told:
                still = {chat.id for chat in await self.waiting_now()}
                for conn in told:
                    conn.told_closed = False
                    if conn.chat_id in still:
                        conn.send("open_again")
            return
        waiting = {chat.id: chat for chat in await self.waiting_now()}
        for conn in youth:
            chat = waiting.get(conn.chat_id or "")
            if chat is not None and not conn.told_closed:
                conn.told_closed = True
                conn.send("closed_now", closed=(await self.rota.opening(chat.lang)).view())

    def _youth_due_for_touch(self) -> list[str]:
        """This process's connected youth whose chat was not marked seen for a third of the
        grace window. Every five seconds for every chat held the database's write lock (or
        a thousand row locks) long enough to show in message latency; a third of the window
        still leaves two more chances before the sweep could end the chat."""
        every = self.chats.limits.resume_grace.total_seconds() / 3
        now = time.monotonic()
        connected = [chat_id for chat_id, conns in self.youth.items() if conns]
        self._youth_touched = {c: self._youth_touched.get(c, 0.0) for c in connected}
        return [c for c, at in self._youth_touched.items() if now - at >= every]

    async def _refresh_queue(self) -> None:
        while True:
            await self._queue_dirty.wait()
            if self._stopping.is_set():
                return
            self._queue_dirty.clear()
            try:
                await self._send_queue_positions()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("queue refresh failed: %s", type(exc).__name__)
            await asyncio.sleep(QUEUE_REFRESH_MIN_SECS)

    async def _send_queue_positions(self) -> None:
        if not self.youth:
            return
        view = await self.chats.queue_view(responders_on_duty=await self.rota.answering_now())
        waiting = len(view.positions)
        for chat_id, conns in list(self.youth.items()):
            position = view.positions.get(chat_id)
            if position is None:
                self._last_queue.pop(chat_id, None)
                continue
            state = (position, waiting, view.estimates.get(chat_id))
            if self._last_queue.get(chat_id) == state:
                continue
            self._last_queue[chat_id] = state
            for conn in conns:
                conn.send("queue", position=position, waiting=waiting, estimate_secs=state[2])

    def queue_changed(self) -> None:
        self._queue_dirty.set()
        self._last_queue.clear()


def tag_waiting(conn: ResponderConnection, chat: Chat) -> None:
    """Tag a chat read from the queue (not a reminder; a youth's "help now" shows)."""
    tag(conn, chat.id, chat.lang, chat.created_at, False, youth_urgent=chat.youth_urgent)


def tag_gone(
    conn: ResponderConnection, chat_id: str, lang: str, since: Any, youth_urgent: bool
) -> None:
    """Tag an active chat whose responder is gone (urgent: someone is in the chat alone)."""
    tag(conn, chat_id, lang, since, False, urgent=True, youth_urgent=youth_urgent, holder_gone=True)


def tag(
    conn: ResponderConnection,
    chat_id: str,
    lang: str,
    since: Any,
    reminder: bool,
    urgent: bool = False,
    youth_urgent: bool = False,
    holder_gone: bool = False,
) -> None:
    conn.tagged.add(chat_id)
    since_text = since.isoformat()
    conn.push(_tag_text(chat_id, lang, since_text, reminder, urgent, youth_urgent, holder_gone))


@functools.lru_cache(maxsize=256)
def _tag_text(
    chat_id: str,
    lang: str,
    since: str,
    reminder: bool,
    urgent: bool,
    youth_urgent: bool,
    holder_gone: bool,
) -> str:
    """A tag goes to every responder alike: encoded once, not once per connection."""
    return frames.encode(
        frames.frame(
            "tag",
            chat_id=chat_id,
            lang=lang,
            waiting_since=since,
            reminder=reminder,
            urgent=urgent,
            youth_urgent=youth_urgent,
            holder_gone=holder_gone,
        )
    )


def _discard(index: dict[Any, set[Any]], key: Any, conn: Connection) -> None:
    conns = index.get(key)
    if conns is not None:
        conns.discard(conn)
        if not conns:
            del index[key]
