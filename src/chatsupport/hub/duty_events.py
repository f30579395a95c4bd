"""What a console is told about its own duty, at ``welcome`` and whenever it changes.

The rota moves people on and off duty while their consoles stay connected (a shift starts or
ends, a backup's console makes an expert's shift open). Every sweep each console's duty is
worked out again and, when it differs from what the console was last told, sent as ``duty``
(docs/protocol.md); a console coming on duty is tagged with the chats already waiting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatsupport.domain.accounts import Responder
from chatsupport.domain.roles import Role

if TYPE_CHECKING:
    from chatsupport.hub.hub import Hub


async def duty_view(hub: Hub, responder: Responder) -> dict[str, Any]:
    """``on_duty``, ``shift_ends_at`` and ``backing``, as ``welcome`` and ``duty`` carry them."""
    on_duty = responder.id in await hub.on_duty()
    ends_at = await hub.rota.duty_ends_at(responder.id) if on_duty else None
    backing = await _backing(hub, responder.id) if responder.role is Role.PROFESSIONAL else []
    return {
        "on_duty": on_duty,
        "shift_ends_at": ends_at.isoformat() if ends_at else None,
        "backing": backing,
    }


async def _backing(hub: Hub, backup_id: int) -> list[dict[str, str]]:
    """The experts whose running shift this professional backs: ``{role, name, ends_at}``."""
    backed = await hub.support.experts_backed_by(backup_id)
    if not backed:
        return []
    names = await hub.chats.responder_names([expert for expert, _ in backed])
    return [
        {"role": names[e][0], "name": names[e][1], "ends_at": ends.isoformat()}
        for e, ends in backed
        if e in names
    ]


async def tell_duty_changes(hub: Hub) -> None:
    """Send ``duty`` to each greeted console whose duty changed since it was last told."""
    from chatsupport.hub.hub import tag_waiting  # the hub module imports this one

    for conns in list(hub.responders.values()):
        greeted = [c for c in conns if c.greeted and c.duty_shown is not None]
        if not greeted:
            continue
        duty = await duty_view(hub, greeted[0].responder)
        for conn in greeted:
            if duty == conn.duty_shown:
                continue
            came_on = duty["on_duty"] and not (conn.duty_shown or {}).get("on_duty")
            conn.duty_shown = duty
            conn.send("duty", **duty)
            if came_on:  # the chats already waiting are theirs to claim now too
                for chat in await hub.waiting_now():
                    if chat.id not in conn.tagged:
                        tag_waiting(conn, chat)
