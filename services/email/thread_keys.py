"""Message-ID ↔ conversation: learnt from every email stored or sent, read when a reply comes in."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.envelopes import Envelope
from shared.runtime import ServiceRuntime
from shared.storage.idempotency import insert_unless_present
from services.email.tables import thread_keys

MAX_ID_LENGTH = 512  # longer ids cannot be real Message-IDs (RFC 5322 lines stop at 998 octets)


def usable_ids(ids: Iterable[str | None]) -> list[str]:
    """The distinct, non-empty ids short enough to be keys, in their order."""
    return list(dict.fromkeys(i for i in ids if i and len(i) <= MAX_ID_LENGTH))


def remember(db: Session, conversation_id: str, ids: Iterable[str | None], direction: str) -> None:
    """Record that these Message-IDs belong to the conversation; ids already known keep their first owner."""
    _remember_rows(db, [(conversation_id, i, direction) for i in usable_ids(ids)])


def _remember_rows(db: Session, owners: list[tuple[str, str, str]]) -> None:
    """(conversation, Message-ID, direction) in one statement; the first owner of an id wins."""
    if not owners:
        return
    moment = datetime.now(timezone.utc)
    rows = [{"message_id": i, "conversation_id": c, "direction": d, "created_at": moment} for c, i, d in owners]
    db.execute(insert_unless_present(db.get_bind().dialect.name, thread_keys, [thread_keys.c.message_id]), rows)


def find_conversation(db: Session, ids: Sequence[str | None]) -> str | None:
    """The conversation of the first id we know, in the order given (the most specific first)."""
    return find_conversations(db, [ids])[0]


def find_conversations(db: Session, id_lists: Sequence[Sequence[str | None]]) -> list[str | None]:
    """`find_conversation` for several mails at once, with one query."""
    wanted = [usable_ids(ids) for ids in id_lists]
    every_id = list(dict.fromkeys(i for ids in wanted for i in ids))
    if not every_id:
        return [None] * len(wanted)
    known = dict(db.execute(select(thread_keys.c.message_id, thread_keys.c.conversation_id)
                            .where(thread_keys.c.message_id.in_(every_id))).all())
    return [next((known[i] for i in ids if i in known), None) for ids in wanted]


def about_email(bodies: list) -> list[bool]:
    """Which raw `message.stored` events are emails: the other channels' teach nothing about threads.

    A body too odd to tell is kept, so that checking it dead-letters it.
    """
    return [_channel(body) in ("email", None) for body in bodies]


def _channel(body) -> str | None:
    try:
        return body["payload"]["message"]["channel"]
    except (KeyError, TypeError):
        return None


def learn_from_stored(rt: ServiceRuntime, envelopes: list[Envelope]) -> None:
    """`message.stored`, in a batch: the emails the inbox filed tell us their conversations (idempotent by nature)."""
    owners = [(p["conversation"]["id"], message_id, p["message"]["direction"])
              for p in (envelope.payload for envelope in envelopes) if p["message"]["channel"] == "email"
              for message_id in usable_ids([p["message"].get("channel_message_id")])]
    if owners:
        with rt.db.transaction() as db:
            _remember_rows(db, owners)
