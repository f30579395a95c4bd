"""Who must use a second factor at login (CHATSUPPORT_TWO_FACTOR), as pure rules."""

from __future__ import annotations

from enum import StrEnum

from chatsupport.domain.roles import Role


class TwoFactorPolicy(StrEnum):
    OFF = "off"  # nobody must; anyone may enrol
    COORDINATORS = "coordinators"  # coordinators must (the production default)
    ALL = "all"  # every staff account must


def required_for(policy: TwoFactorPolicy, role: Role) -> bool:
    """Whether an account of ``role`` must have a second factor to use the service."""
    if policy is TwoFactorPolicy.ALL:
        return True
    return policy is TwoFactorPolicy.COORDINATORS and role is Role.COORDINATOR


def must_enrol(policy: TwoFactorPolicy, role: Role, *, enrolled: bool) -> bool:
    """A session of such an account may only enrol (every other staff API refuses it)."""
    return required_for(policy, role) and not enrolled
