"""Staff roles and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PROFESSIONAL = "professional"
    EXPERIENCE_EXPERT = "experience_expert"
    COORDINATOR = "coordinator"


#: Roles that answer chats in the console. A coordinator manages the service and does not
#: take chats unless they also hold a responder account.
RESPONDING_ROLES: frozenset[Role] = frozenset({Role.PROFESSIONAL, Role.EXPERIENCE_EXPERT})


def may_answer_chats(role: Role) -> bool:
    return role in RESPONDING_ROLES


def may_administer(role: Role) -> bool:
    return role is Role.COORDINATOR
