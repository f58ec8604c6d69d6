"""What the web chat service does: open sessions, take visitors' messages, deliver agents' replies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from shared.envelopes import Envelope, make_envelope
from shared.runtime import ServiceRuntime
from shared.web.sse import Notifier
from shared.storage.idempotency import claim_message
from shared.web.errors import ApiError
from services.webchat import identity
from services.webchat.session_cache import SessionCache
from services.webchat.tables import chat_messages, sessions

SOURCE = "webchat"


@dataclass(frozen=True)
class ChatSession:
    id: str
    name: str
    email: str | None
    email_verified: bool


def start_session(rt: ServiceRuntime, known: SessionCache, *, name: str, email: str | None,
                  user_hash: str | None) -> tuple[ChatSession, str]:
    """Open a chat for a visitor; the token is returned once and kept only as a hash."""
    token = identity.new_session_token()
    verified = identity.is_email_verified(rt.settings.chat_identity_secret, email, user_hash)
    session = ChatSession(str(uuid.uuid4()), name, email.lower() if email else None, verified)
    token_hash = identity.hash_token(token)
    with rt.db.transaction() as db:
        db.execute(insert(sessions), {"id": session.id, "token_hash": token_hash, "name": name, "email": session.email,
                                      "email_verified": verified, "created_at": _now()})
    known.put(session.id, (session, token_hash))
    return session, token


def get_session(rt: ServiceRuntime, known: SessionCache, session_id: str, token: str | None) -> ChatSession:
    """The session, if `token` is its token; the same 404 otherwise, so ids cannot be probed."""
    found = known.get(session_id)
    if found is None:
        with rt.db.reading() as db:
            row = db.execute(select(sessions).where(sessions.c.id == session_id)).first()
        if row is not None:
            found = (ChatSession(row.id, row.name, row.email, row.email_verified), row.token_hash)
            known.put(session_id, found)
    if found is None or not token or not identity.token_matches(token, found[1]):
        raise ApiError(404, "No such chat session for this token")
    return found[0]


def post_visitor_message(rt: ServiceRuntime, notifier: Notifier, session: ChatSession, *, text: str,
                         client_message_id: str | None) -> tuple[dict, bool]:
    """Store the visitor's message and its `inbound.chat` event together; a resend returns the first copy.

    The insert comes first: a resend is rare, so looking for the first copy beforehand would cost
    every message a second round of database work.
    """
    message = {"id": str(uuid.uuid4()), "session_id": session.id, "direction": "inbound", "text": text,
               "author_name": session.name, "client_message_id": client_message_id, "attachments": [],
               "created_at": _now()}
    try:
        with rt.db.transaction() as db:
            db.execute(insert(chat_messages), message)  # a client_message_id already stored raises here
            rt.outbox.add(db, _inbound_event(session, message))
    except IntegrityError:  # a resend, or the same client id raced in twice: the first copy stands
        existing = _find_by_client_id(rt, session.id, client_message_id) if client_message_id else None
        if existing is None:
            raise
        return existing, False
    notifier.notify()
    return public_message(message), True


def _inbound_event(session: ChatSession, message: dict) -> Envelope:
    linked = [{"type": "email", "value": session.email, "verified": session.email_verified}] if session.email else []
    return make_envelope("inbound.chat", {
        "channel": "chat", "channel_message_id": message["id"],
        "sender": {"type": "chat", "value": session.id, "verified": True}, "sender_name": session.name,
        "linked_identities": linked, "text": message["text"], "thread": {"session_id": session.id},
        "metadata": {"email_verified": session.email_verified}, "received_at": message["created_at"],
    }, source=SOURCE)


def _find_by_client_id(rt: ServiceRuntime, session_id: str, client_message_id: str) -> dict | None:
    with rt.db.reading() as db:
        row = db.execute(select(chat_messages).where(
            chat_messages.c.session_id == session_id, chat_messages.c.client_message_id == client_message_id)).first()
    return public_message(row._asdict()) if row else None


def list_messages(rt: ServiceRuntime, session_id: str, *, after: str | None = None, limit: int = 200) -> list[dict]:
    """The session's transcript, oldest first, after the message with id `after`."""
    return [public_message(m) for _, m in messages_after_seq(rt, session_id, _seq_of(rt, session_id, after), limit)]


def messages_after_seq(rt: ServiceRuntime, session_id: str, seq: int, limit: int = 200) -> list[tuple[int, dict]]:
    with rt.db.reading() as db:
        rows = db.execute(select(chat_messages).where(chat_messages.c.session_id == session_id, chat_messages.c.seq > seq)
                          .order_by(chat_messages.c.seq).limit(limit)).all()
    return [(row.seq, row._asdict()) for row in rows]


def _seq_of(rt: ServiceRuntime, session_id: str, message_id: str | None) -> int:
    if not message_id:
        return 0
    with rt.db.reading() as db:
        seq = db.execute(select(chat_messages.c.seq).where(
            chat_messages.c.session_id == session_id, chat_messages.c.id == message_id)).scalar()
    if seq is None:
        raise ApiError(422, "Unknown message id in `after`", details={"after": ["no such message in this session"]})
    return seq


def deliver_reply(rt: ServiceRuntime, notifier: Notifier, envelope: Envelope) -> None:
    """Put an agent's reply into the visitor's transcript and report it delivered (idempotent)."""
    reply = envelope.payload
    with rt.db.transaction() as db:
        if not claim_message(db, rt.processed, "webchat.replies", envelope.id):
            return
        known = db.execute(select(sessions.c.id).where(sessions.c.id == reply["to"]["value"])).first()
        already = db.execute(select(chat_messages.c.id).where(chat_messages.c.id == reply["message_id"])).first()
        if known and not already:
            db.execute(insert(chat_messages).values(
                id=reply["message_id"], session_id=reply["to"]["value"], direction="outbound", text=reply["text"],
                author_name=reply["author_name"], attachments=[], created_at=_now()))
        status = "delivered" if known else "failed"
        reason = None if known else "the chat session no longer exists"
        rt.outbox.add(db, make_envelope("delivery.updated", {
            "message_id": reply["message_id"], "channel": "chat", "status": status, "reason": reason,
            "occurred_at": _now()}, source=SOURCE, caused_by=envelope))
    notifier.notify()


def public_message(row: dict) -> dict:
    """A transcript line as the visitor's widget sees it."""
    created = row["created_at"]
    return {"id": row["id"], "text": row["text"], "direction": row["direction"], "author_name": row["author_name"],
            "client_message_id": row.get("client_message_id"),
            "created_at": created.isoformat() if hasattr(created, "isoformat") else created}


def _now() -> datetime:
    return datetime.now(timezone.utc)
