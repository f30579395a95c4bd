"""The coordinator's management of responder accounts."""

from __future__ import annotations

from fastapi import APIRouter, Request

from chatsupport.api.audit_middleware import audit_detail
from chatsupport.api.deps import CoordinatorDep, RuntimeDep
from chatsupport.api.schemas import (
    PasswordReset,
    ResponderCreate,
    ResponderOut,
    ResponderUpdate,
    RowIdPath,
)
from chatsupport.domain.accounts import Responder, check_languages

router = APIRouter(prefix="/api/responders", tags=["responders"])


@router.get("")
async def list_responders(_: CoordinatorDep, rt: RuntimeDep) -> list[ResponderOut]:
    return [ResponderOut.of(r) for r in await rt.accounts.list_responders()]


@router.post("", status_code=201)
async def create_responder(
    body: ResponderCreate, request: Request, _: CoordinatorDep, rt: RuntimeDep
) -> ResponderOut:
    created = await rt.accounts.create_responder(
        login_name=body.login_name,
        display_name=body.display_name,
        role=body.role,
        password=body.password,
        languages=body.languages,
    )
    audit_detail(request, responder_id=created.id, role=created.role.value)
    return ResponderOut.of(created)


@router.get("/{responder_id}")
async def get_responder(responder_id: RowIdPath, _: CoordinatorDep, rt: RuntimeDep) -> ResponderOut:
    return ResponderOut.of(await rt.accounts.get_responder(responder_id))


@router.patch("/{responder_id}")
async def update_responder(
    responder_id: RowIdPath,
    body: ResponderUpdate,
    request: Request,
    staff: CoordinatorDep,
    rt: RuntimeDep,
) -> ResponderOut:
    """Rename, change role or languages, deactivate or reactivate. Changing role or
    deactivating logs out."""
    if body.active is False or body.role is not None:
        await rt.accounts.ensure_not_self_lockout(actor=staff.responder, target_id=responder_id)
    # what differs from the account as it is: the form sends the name with every save
    differs = await rt.accounts.changes(
        responder_id=responder_id,
        display_name=body.display_name.strip() if body.display_name is not None else None,
        role=body.role,
        active=body.active,
        languages=None if body.languages is None else check_languages(body.languages),
    )
    updated = await rt.accounts.update_responder(
        responder_id=responder_id,
        display_name=body.display_name,
        role=body.role,
        active=body.active,
        languages=body.languages,
    )
    audit_detail(request, **_audited(differs, updated))
    return ResponderOut.of(updated)


def _audited(differs: dict[str, object], updated: Responder) -> dict[str, object]:
    """What an update changed, for the audit trail: flags and codes, never the name."""
    changed: dict[str, object] = {}
    if "active" in differs:
        changed["active"] = str(updated.active).lower()
    if "role" in differs:
        changed["role"] = updated.role.value
    if "display_name" in differs:
        changed["display_name"] = "changed"
    if "languages" in differs:
        changed["languages"] = "+".join(updated.languages)
    return changed


@router.post("/{responder_id}/password", status_code=204)
async def reset_password(
    responder_id: RowIdPath, body: PasswordReset, _: CoordinatorDep, rt: RuntimeDep
) -> None:
    """Set a new password; the responder's open sessions end."""
    await rt.accounts.reset_password(responder_id=responder_id, password=body.password)
