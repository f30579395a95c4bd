"""Request and response bodies of the HTTP API. Unknown fields are refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from chatsupport.domain.accounts import Responder
from chatsupport.domain.roles import Role
from chatsupport.domain.youth_texts import Lang

#: Database row ids are 32-bit on PostgreSQL: a larger number is refused as invalid input
#: (422) instead of overflowing in the driver (500).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    login_name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    #: The second factor, once the account has one: a 6-digit code or a recovery code.
    code: str | None = Field(default=None, min_length=1, max_length=32)


class ResponderOut(BaseModel):
    id: int
    login_name: str
    display_name: str
    role: Role
    active: bool
    two_factor: bool = False
    languages: list[Lang] = ["fi"]  # the languages they answer in

    @classmethod
    def of(cls, responder: Responder) -> ResponderOut:
        return cls(
            id=responder.id,
            login_name=responder.login_name,
            display_name=responder.display_name,
            role=responder.role,
            active=responder.active,
            two_factor=responder.two_factor,
            languages=list(responder.languages),
        )


class SessionOut(BaseModel):
    responder: ResponderOut
    csrf_token: str | None = None
    #: The policy wants a second factor this account has not enrolled: only enrolment works.
    must_enrol: bool = False


class ResponderCreate(Strict):
    login_name: str = Field(min_length=1, max_length=64)
    display_name: str = Field(min_length=1, max_length=100)
    role: Role
    password: str = Field(min_length=1, max_length=256)
    languages: list[Lang] = Field(default=["fi"], min_length=1, max_length=3)


class ResponderUpdate(Strict):
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    role: Role | None = None
    active: bool | None = None
    languages: list[Lang] | None = Field(default=None, min_length=1, max_length=3)


class PasswordReset(Strict):
    password: str = Field(min_length=1, max_length=256)
