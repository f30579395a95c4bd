"""Group commit of messages: which of a batch of posts are stored, and with which seq.

Storage reads the batch's chats (state and last seq, locked for the transaction) and the
messages already stored under the batch's client ids, then asks ``plan_batch`` what to write.
The rules are those of one post at a time, applied in arrival order:

* a ``(chat, sender, client_id)`` already stored — earlier, or earlier in this batch — is a
  resend: answered with the stored message, nothing written, even if the chat has closed since
  (its author is the request's: the same console sent it, the client id is its own);
* a new message to a chat that is not open for its sender is refused (``None``); a
  responder's only while the responder holds the chat or is the backup its expert asked for
  support (the hub checks this first from what it has been told; this check, under the chat
  row's lock, is the one that holds when an announcement was late or lost);
* otherwise it takes the chat's next seq, so seqs stay gap-free and in arrival order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from chatsupport.domain.chat import OPEN_STATES, Author, ChatState, Message, Sender

ClientKey = tuple[str, Sender, str]  # chat id, sender, client id


@dataclass(frozen=True, slots=True)
class PostRequest:
    chat_id: str
    sender: Sender
    client_id: str
    text: str
    author: Author | None = None  # who is writing, for a responder's message

    @property
    def key(self) -> ClientKey:
        return (self.chat_id, self.sender, self.client_id)

    @property
    def responder_id(self) -> int | None:
        return self.author.id if self.author is not None else None


@dataclass(frozen=True, slots=True)
class ChatSeq:
    state: ChatState
    last_seq: int
    responder_id: int | None = None  # who holds the chat
    backup_id: int | None = None  # the backup its expert asked for support


def may_write(chat: ChatSeq, request: PostRequest) -> bool:
    if chat.state not in states_open_to(request.sender):
        return False
    if request.sender is Sender.YOUTH:
        return True
    writer = request.responder_id
    return writer is not None and writer in (chat.responder_id, chat.backup_id)


# Per request: the message and whether it is new, or None when the chat refused it.
Outcome = tuple[Message, bool] | None


@dataclass(slots=True)
class BatchPlan:
    outcomes: list[Outcome] = field(default_factory=list)
    new_messages: list[Message] = field(default_factory=list)
    last_seqs: dict[str, int] = field(default_factory=dict)  # only chats that got messages


def states_open_to(sender: Sender) -> frozenset[ChatState]:
    """A youth may write while waiting; a responder only in an active chat."""
    return OPEN_STATES if sender is Sender.YOUTH else frozenset({ChatState.ACTIVE})


def plan_batch(
    requests: Sequence[PostRequest],
    *,
    chats: Mapping[str, ChatSeq],
    stored: Mapping[ClientKey, Message],
    now: datetime,
) -> BatchPlan:
    plan = BatchPlan()
    known: dict[ClientKey, Message] = dict(stored)
    for request in requests:
        earlier = known.get(request.key)
        if earlier is not None:
            if earlier.author is None and request.author is not None:  # read without it
                earlier = replace(earlier, author=request.author)
            plan.outcomes.append((earlier, False))
            continue
        chat = chats.get(request.chat_id)
        if chat is None or not may_write(chat, request):
            plan.outcomes.append(None)
            continue
        seq = plan.last_seqs.get(request.chat_id, chat.last_seq) + 1
        plan.last_seqs[request.chat_id] = seq
        message = Message(
            request.chat_id,
            seq,
            request.sender,
            request.client_id,
            request.text,
            now,
            request.author,
        )
        known[request.key] = message
        plan.new_messages.append(message)
        plan.outcomes.append((message, True))
    return plan
