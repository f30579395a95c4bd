"""The audit trail: which staff action, by whom, when, on what. Never any text.

An entry names the action with a fixed code and its target only by ids, codes or a language
(the path parameters of the request): no message text, no youth data, no request body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: (HTTP method, route template) of every audited staff action -> its stable action code.
AUDITED_ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/api/responders"): "account.create",
    ("PATCH", "/api/responders/{responder_id}"): "account.update",
    ("POST", "/api/responders/{responder_id}/password"): "account.password_reset",
    ("POST", "/api/responders/{responder_id}/two-factor/reset"): "account.two_factor_reset",
    ("POST", "/api/auth/two-factor/confirm"): "account.two_factor_enrol",  # the actor's own
    ("DELETE", "/api/auth/two-factor"): "account.two_factor_disable",  # the actor's own
    ("POST", "/api/rota/shifts"): "rota.shift_create",
    ("PUT", "/api/rota/shifts/{shift_id}"): "rota.shift_update",
    ("DELETE", "/api/rota/shifts/{shift_id}"): "rota.shift_delete",
    ("POST", "/api/rota/closures"): "rota.closure_create",
    ("PUT", "/api/rota/closures/{closure_id}"): "rota.closure_update",
    ("DELETE", "/api/rota/closures/{closure_id}"): "rota.closure_delete",
    ("PUT", "/api/rota/texts/{lang}"): "texts.update",
    ("DELETE", "/api/rota/texts/{lang}"): "texts.reset",
    ("POST", "/api/diary/taxonomy/{dimension}"): "taxonomy.add",
    ("PATCH", "/api/diary/taxonomy/{dimension}/{code}"): "taxonomy.update",
    ("POST", "/api/canned"): "canned.create",
    ("PUT", "/api/canned/{reply_id}"): "canned.update",
    ("DELETE", "/api/canned/{reply_id}"): "canned.delete",
    ("GET", "/api/statistics/export"): "statistics.export",
    # a professional rereads an ended chat, or deletes its text once documented
    ("GET", "/api/transcripts/{chat_id}"): "transcript.read",
    ("DELETE", "/api/transcripts/{chat_id}"): "transcript.delete",
}
#: Actions recorded outside HTTP (the live hub).
TRANSCRIPT_READ = "transcript.read"  # a backup opened an expert's chat to read it
ACTIONS = frozenset({*AUDITED_ROUTES.values(), TRANSCRIPT_READ})
MAX_TARGET_CHARS = 80


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor_id: int | None
    actor_role: str
    action: str
    target: str


def target_of(path_params: dict[str, object], detail: dict[str, object] | None = None) -> str:
    """'responder_id=7' style: ids, codes and languages only (never a body or a query).

    ``detail``: what the route adds (``api/audit_middleware.audit_detail``): the id of what
    it created, or which fields an update changed (``active=false``, ``role=professional``,
    ``display_name=changed``): never a name or a text."""
    merged = {**path_params, **(detail or {})}
    parts = [f"{k}={v}" for k, v in sorted(merged.items())]
    return ",".join(parts)[:MAX_TARGET_CHARS]
