"""Who gets the ``debrief`` frame of a ``DebriefChanged`` event, on this process.

Every process gets the event and tells its own consoles: the expert's, and the professionals
asked — the backup named, or every professional console when nobody in particular was asked.
When it is answered the same people hear it (the others' cards go; the expert sees who).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatsupport.domain.debrief import DebriefChanged
from chatsupport.domain.roles import Role
from chatsupport.hub.frames import debrief_view

if TYPE_CHECKING:
    from chatsupport.hub.hub import Hub


def dispatch(hub: Hub, event: DebriefChanged) -> None:
    debrief = event.debrief
    asked = debrief.backup.id if debrief.backup is not None else None
    view = debrief_view(debrief)
    for responder_id, connections in hub.responders.items():
        for conn in connections:
            if not conn.greeted:
                continue
            own = responder_id == debrief.expert.id
            anyone = asked is None and conn.responder.role is Role.PROFESSIONAL
            if own or responder_id == asked or anyone:
                conn.send("debrief", debrief=view)
