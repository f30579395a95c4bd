"""The rota as use cases: edit it, ask it who is on duty, tell youth whether the chat is open.

Decisions are made by the pure domain (``domain.rota``, ``domain.rota_schedule``); this module
reads and writes storage and supplies ``now`` and who is connected.

"Connected" means a responder console seen by any process within the presence window: each
process records its own consoles on ``hello`` and at every sweep, and forgets a responder
when its last console on that process closes (``console_presence``: the row is kept, marked
closed, so that how long a chat's responder has been gone can be counted from it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chatsupport.domain.clock import Clock
from chatsupport.domain.errors import ChatSupportError, InvalidInput
from chatsupport.domain.rota import Closure, Rota, Shift, validate_closure, validate_shift
from chatsupport.domain.rota_schedule import RotaStatus, duty_ends_at, status
from chatsupport.domain.youth_texts import (
    DEFAULT_TEXTS,
    LANGS,
    MAX_TEXT_CHARS,
    TEXT_FIELDS,
    YouthTexts,
)
from chatsupport.services.refresh_ahead import RefreshAhead
from chatsupport.storage import responders as responders_store
from chatsupport.storage import rota as store
from chatsupport.storage.database import Database, Session

SERVICE_CLOSED = "service.closed"
UNKNOWN_LANG = "rota.unknown_lang"
SNAPSHOT_SECS = 1.0


@dataclass(frozen=True, slots=True)
class RotaSettings:
    zone: ZoneInfo
    #: New chats stop this long before closing.
    intake_cutoff: timedelta
    #: A console not seen for this long counts as gone (a few sweep intervals).
    presence_window: timedelta


@dataclass(frozen=True, slots=True)
class Opening:
    """What a young person is told about opening hours, in one language."""

    status: RotaStatus
    accepts_new_chats: bool
    lang: str
    texts: YouthTexts
    zone: ZoneInfo
    intake_cutoff: timedelta
    languages_now: tuple[str, ...] = ()  # spoken by the responders on an open shift now

    def view(self) -> dict[str, Any]:
        """JSON-ready, instants as ISO 8601 in local time with offset (for youth and API)."""
        now, cutoff = self.status, self.intake_cutoff
        return {
            "open": now.open,
            "accepts_new_chats": self.accepts_new_chats,
            "now": self._local(now.now),
            "time_zone": self.zone.key,
            "today": [{"opens": self._local(a), "closes": self._local(b)} for a, b in now.today],
            "closes_at": self._local(now.closes_at),
            "new_chats_until": self._local(now.closes_at - cutoff if now.closes_at else None),
            "next_opens_at": self._local(now.next_opens_at),
            "answered_by": sorted({o.shift.role.value for o in now.open_shifts}),
            "languages_now": list(self.languages_now),
            "lang": self.lang,
            "texts": self._opening_texts(),
        }

    def _opening_texts(self) -> dict[str, str]:
        # The accessibility statement has its own endpoint; the opening answer (polled, and
        # carried in every service.closed error) stays as it was.
        texts = asdict(self.texts)
        del texts["accessibility"]
        return texts

    def _local(self, instant: datetime | None) -> str | None:
        return instant.astimezone(self.zone).isoformat() if instant else None


class ServiceClosed(ChatSupportError):
    """A youth tried to open a chat while closed (or in the last minutes before closing)."""

    code = SERVICE_CLOSED
    status = 409

    def __init__(self, opening: Opening) -> None:
        super().__init__("The chat is closed now and does not take new chats; see next_opens_at.")
        self.opening = opening


class RotaService:
    def __init__(self, *, db: Database, clock: Clock, settings: RotaSettings) -> None:
        self._db = db
        self._clock = clock
        self.settings = settings
        self._snapshot = RefreshAhead(self._read_rota_and_connected, fresh_secs=SNAPSHOT_SECS)
        # The last "new chats are taken" answer and what it was computed from: the status of
        # the whole rota took ~0.5 ms of each open (bench/README.md, "sixth session").
        self._taking: tuple[tuple[Rota, frozenset[int]], datetime] | None = None

    async def close(self) -> None:
        await self._snapshot.close()

    # --- reading -------------------------------------------------------------------------

    async def listing(self) -> tuple[list[Shift], list[Closure]]:
        async with self._db.read() as s:
            return await store.list_shifts(s), await store.list_closures(s)

    async def _rota_and_connected(self, *, recent: bool = False) -> tuple[Rota, frozenset[int]]:
        """The rota and the connected consoles; with ``recent``, possibly a snapshot read up
        to ``SNAPSHOT_SECS`` ago by this process.

        Every youth ``open`` asks whether new chats are taken; reading the whole rota for each
        was a sixth of a process's time while chats poured in. Rota changes made through this
        process forget the snapshot at once; other changes (another process, an account
        deactivated) count within ``SNAPSHOT_SECS``, like the hub's on-duty cache. The
        snapshot is read again in the background once half that time has passed: read by
        whichever open came after it expired, one open a second waited 5-13 ms for the rota
        (bench/README.md, "sixth session").
        """
        if recent:
            return await self._snapshot.get()
        return await self._read_rota_and_connected()

    async def _read_rota_and_connected(self) -> tuple[Rota, frozenset[int]]:
        since = self._clock.now() - self.settings.presence_window
        async with self._db.read() as s:
            rota = await store.load_rota(s, zone=self.settings.zone)
            connected = await store.present_since(s, since=since)
        return rota, connected

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[Session]:
        """A write that forgets the snapshot (before, and after it committed)."""
        self._forget_snapshot()
        async with self._db.write() as s:
            yield s
        self._forget_snapshot()

    def _forget_snapshot(self) -> None:
        self._snapshot.invalidate()
        self._taking = None

    async def status(self, *, recent: bool = False) -> RotaStatus:
        rota, connected = await self._rota_and_connected(recent=recent)
        return self._status(rota, self._clock.now(), connected)

    def _status(self, rota: Rota, now: datetime, connected: frozenset[int]) -> RotaStatus:
        """The domain's status with the intake cut-off, so that an opening too short to take a
        chat is never promised (``next_opens_at``, ``today``)."""
        return status(rota, now, connected, cutoff=self.settings.intake_cutoff)

    async def on_duty_now(self) -> frozenset[int]:
        """Responders on an open, running shift (before the "connected" filter of tags)."""
        return (await self.status()).on_duty

    async def answering_now(self) -> int:
        """How many on-duty responders have a console connected (on any process) now: the
        youth's wait estimate divides the queue among them, and is none when nobody is."""
        rota, connected = await self._rota_and_connected(recent=True)
        return len(self._status(rota, self._clock.now(), connected).on_duty & connected)

    async def duty_ends_at(self, responder_id: int) -> datetime | None:
        rota, _ = await self._rota_and_connected()
        return duty_ends_at(rota, self._clock.now(), responder_id)

    async def opening(self, lang: str) -> Opening:
        now = await self.status()
        async with self._db.read() as s:
            spoken = await responders_store.languages_of(s, responder_ids=now.on_duty)
        return Opening(
            status=now,
            accepts_new_chats=now.accepts_new_chats(self.settings.intake_cutoff),
            lang=lang,
            texts=await self.texts(lang),
            zone=self.settings.zone,
            intake_cutoff=self.settings.intake_cutoff,
            languages_now=tuple(lang for lang in LANGS if lang in spoken),
        )

    async def admit_new_chat(self, lang: str) -> None:
        """Raise ``ServiceClosed`` (with what to tell the youth) unless new chats are taken.

        "Taken" is answered from the recent snapshot and kept for ``SNAPSHOT_SECS`` of the
        clock (so a cut-off or closing counts up to that late, like a rota change made
        elsewhere); "not taken" is always checked again on a fresh read of the rota.
        """
        if await self._taking_new_chats():
            return
        opening = await self.opening(lang)  # the texts are read only when they are shown
        if not opening.accepts_new_chats:
            raise ServiceClosed(opening)

    async def _taking_new_chats(self) -> bool:
        snapshot, now = await self._snapshot.get(), self._clock.now()
        if self._taking is not None:
            seen, at = self._taking
            if seen is snapshot and timedelta(0) <= now - at < timedelta(seconds=SNAPSHOT_SECS):
                return True
        rota, connected = snapshot
        taking = self._status(rota, now, connected).accepts_new_chats(self.settings.intake_cutoff)
        self._taking = (snapshot, now) if taking else None
        return taking

    # --- editing -------------------------------------------------------------------------

    async def save_shift(self, shift: Shift) -> Shift:
        """Create (``id`` 0) or replace a shift after checking every rota rule."""
        async with self._writing() as s:
            others = [o for o in await store.list_shifts(s) if o.id != shift.id]
            validate_shift(
                shift,
                staff=await store.staff(s),
                others=others,
                zone=self.settings.zone,
                now=self._clock.now(),
            )
            return await store.save_shift(s, shift=shift, now=self._clock.now())

    async def delete_shift(self, shift_id: int) -> None:
        async with self._writing() as s:
            await store.delete_shift(s, shift_id=shift_id)

    async def save_closure(self, closure: Closure) -> Closure:
        async with self._writing() as s:
            others = await store.list_closures(s)
            validate_closure(closure, zone=self.settings.zone, others=others)
            return await store.save_closure(s, closure=closure, now=self._clock.now())

    async def delete_closure(self, closure_id: int) -> None:
        async with self._writing() as s:
            await store.delete_closure(s, closure_id=closure_id)

    # --- youth texts ---------------------------------------------------------------------

    async def texts(self, lang: str) -> YouthTexts:
        check_lang(lang)
        async with self._db.read() as s:
            custom = await store.custom_texts(s)
        draft = DEFAULT_TEXTS[lang]  # type: ignore[index]
        saved = custom.get(lang)
        if saved is None:
            return draft
        # Texts saved before the accessibility text existed keep its draft.
        return saved if saved.accessibility else replace(saved, accessibility=draft.accessibility)

    async def set_texts(self, lang: str, texts: YouthTexts) -> YouthTexts:
        check_lang(lang)
        for field in TEXT_FIELDS:
            value = getattr(texts, field).strip()
            if not value or len(value) > MAX_TEXT_CHARS:
                raise InvalidInput(f"{field}: expected 1-{MAX_TEXT_CHARS} characters")
            texts = replace(texts, **{field: value})
        async with self._writing() as s:
            await store.save_texts(s, lang=lang, texts=texts, now=self._clock.now())
        return texts

    async def reset_texts(self, lang: str) -> YouthTexts:
        check_lang(lang)
        async with self._writing() as s:
            await store.reset_texts(s, lang=lang)
        return DEFAULT_TEXTS[lang]  # type: ignore[index]

    # --- presence ------------------------------------------------------------------------

    async def consoles_seen(self, responder_ids: list[int]) -> None:
        """A console said ``hello``: who is connected may have changed (forget the snapshot)."""
        if responder_ids:
            async with self._writing() as s:
                await store.touch_presence(s, responder_ids=responder_ids, now=self._clock.now())

    async def consoles_still_seen(self, responder_ids: list[int]) -> None:
        """The sweep marks this process's consoles again; the snapshot is read again when an
        ``open`` next asks, in the background.

        Forgotten every sweep instead, the next ``open`` waited 5-7 ms for the whole rota
        (bench/README.md, "sixth session"). A console whose ``hello`` could not be recorded
        counts from that read on.
        """
        if responder_ids:
            async with self._db.write() as s:
                await store.touch_presence(s, responder_ids=responder_ids, now=self._clock.now())
        self._snapshot.refresh_soon()

    async def console_gone(self, responder_id: int) -> None:
        async with self._writing() as s:
            await store.forget_presence(s, responder_id=responder_id, now=self._clock.now())


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise InvalidInput("lang: expected one of " + ", ".join(LANGS), code=UNKNOWN_LANG)
