"""Contacts: one customer behind many identities. Upsert by any identity, read, merge two into one.

Merging and taking in a message both lock the contact row (PostgreSQL `FOR UPDATE`; SQLite
serialises writers anyway), so a message that arrives during a merge lands on the survivor.
"""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.runtime import ServiceRuntime
from shared.web.auth import Principal
from shared.web.errors import ApiError
from services.inbox import context
from services.inbox.events import actor_of, conversation_updated, now, record_activity
from services.inbox.tables import contact_merges, contacts, conversations, identities, notes

MAX_MERGE_HOPS = 20
UPSERT_ATTEMPTS = 3


def lock_contact(db: Session, contact_id: str) -> str | None:
    """Lock the contact that now stands for `contact_id` (following merges); None if there is none."""
    for _ in range(MAX_MERGE_HOPS):
        row = db.execute(select(contacts.c.id, contacts.c.merged_into)
                         .where(contacts.c.id == contact_id).with_for_update()).first()
        if row is None or row.merged_into is None:
            return row.id if row else None
        contact_id = row.merged_into
    raise RuntimeError(f"contact {contact_id} is merged in a loop")


def owner_of(db: Session, kind: str, value: str) -> str | None:
    """The contact holding an identity (after merges), locked; None for an identity nobody holds."""
    found = db.execute(select(identities.c.contact_id).where(identities.c.type == kind,
                                                             identities.c.value == value)).scalar()
    return lock_contact(db, found) if found else None


def attach_identities(db: Session, contact_id: str, given: list[dict]) -> None:
    """Link identities nobody holds yet to this contact; mark them verified when now verified."""
    for ident in given:
        row = db.execute(select(identities).where(identities.c.type == ident["type"],
                                                  identities.c.value == ident["value"])).first()
        if row is None:
            db.execute(insert(identities).values(id=str(uuid.uuid4()), contact_id=contact_id, type=ident["type"],
                                                 value=ident["value"], verified=ident.get("verified", False),
                                                 created_at=now()))
        elif ident.get("verified") and not row.verified and row.contact_id == contact_id:
            db.execute(update(identities).where(identities.c.id == row.id).values(verified=True))


def create_contact(db: Session, name: str, attributes: dict | None = None) -> str:
    contact_id = str(uuid.uuid4())
    db.execute(insert(contacts).values(id=contact_id, name=name, attributes=attributes or {},
                                       created_at=now(), updated_at=now()))
    return contact_id


def upsert_contact(rt: ServiceRuntime, principal: Principal, data: dict) -> tuple[dict, bool]:
    """Create a contact, or update the one holding any of the identities; (contact, created)."""
    check_may_set(principal, data.get("attributes") or {})
    for attempt in range(1, UPSERT_ATTEMPTS + 1):
        try:
            with rt.db.transaction() as db:
                contact_id, created = _upsert(db, data)
                check_contact_visible(db, principal, contact_id)
            return get_contact(rt, contact_id), created
        except IntegrityError:  # a message created one of these identities meanwhile: look again
            if attempt == UPSERT_ATTEMPTS:
                raise ApiError(409, "The contact changed meanwhile; try again") from None
    raise AssertionError("unreachable")


def check_may_set(principal: Principal, attributes: dict) -> None:
    """Key accounts are named by admins and external systems, not by agents."""
    if "key_account" in attributes and principal.kind == "agent" and not principal.is_admin:
        raise ApiError(403, "Only admins and external systems may set `key_account`")


def _upsert(db: Session, data: dict) -> tuple[str, bool]:
    owners = {owner for ident in data["identities"] if (owner := owner_of(db, ident["type"], ident["value"]))}
    if len(owners) > 1:
        raise ApiError(409, "These identities belong to different contacts; merge them first",
                       details={"contact_ids": sorted(owners)})
    if not owners:
        contact_id = create_contact(db, data.get("name") or data["identities"][0]["value"], data.get("attributes"))
        attach_identities(db, contact_id, data["identities"])
        return contact_id, True
    contact_id = owners.pop()
    row = db.execute(select(contacts).where(contacts.c.id == contact_id)).one()
    db.execute(update(contacts).where(contacts.c.id == contact_id).values(
        name=data.get("name") or row.name, attributes={**row.attributes, **(data.get("attributes") or {})},
        updated_at=now()))
    attach_identities(db, contact_id, data["identities"])
    return contact_id, False


def check_contact_visible(db: Session, principal: Principal, contact_id: str) -> None:
    """Agents see a contact when they may see one of its conversations (or it has none yet); 404 otherwise."""
    if principal.is_admin or principal.kind != "agent":
        return
    theirs = db.execute(select(conversations.c.id).where(conversations.c.contact_id == contact_id,
                                                         context.visible_to(principal)).limit(1)).first()
    if theirs is None and db.execute(select(conversations.c.id).where(
            conversations.c.contact_id == contact_id).limit(1)).first() is not None:
        raise ApiError(404, "No such contact")


def get_contact(rt: ServiceRuntime, contact_id: str, principal: Principal | None = None) -> dict:
    """A contact (a merged one answers as its survivor) with lifecycle stage, conversations, merges."""
    with rt.db.reading() as db:
        survivor = _survivor(db, contact_id)
        if survivor is None:
            raise ApiError(404, "No such contact")
        if principal is not None:
            check_contact_visible(db, principal, survivor)
        merges = db.execute(select(contact_merges).where(contact_merges.c.survivor_id == survivor)
                            .order_by(contact_merges.c.created_at)).all()
        return context.contact_summary(db, survivor) | {
            "conversations": context.previous_conversations(db, survivor, current_id=None),
            "merges": [{"merged_id": m.merged_id, "merged_by": {"id": m.merged_by, "name": m.merged_by_name},
                        "at": m.created_at} for m in merges]}


def _survivor(db: Session, contact_id: str) -> str | None:
    for _ in range(MAX_MERGE_HOPS):
        row = db.execute(select(contacts.c.merged_into).where(contacts.c.id == contact_id)).first()
        if row is None or row.merged_into is None:
            return contact_id if row else None
        contact_id = row.merged_into
    return None


def merge_contacts(rt: ServiceRuntime, principal: Principal, survivor_id: str, other_id: str) -> dict:
    """Fold `other_id` into `survivor_id`: identities, conversations and notes move; the merge is recorded."""
    with rt.db.transaction() as db:
        survivor, other = _lock_pair(db, survivor_id, other_id)
        check_contact_visible(db, principal, survivor)
        check_contact_visible(db, principal, other)
        if survivor == other:
            raise ApiError(409, "These are one contact already")
        kept = db.execute(select(contacts).where(contacts.c.id == survivor)).one()
        gone = db.execute(select(contacts).where(contacts.c.id == other)).one()
        moved = db.execute(select(conversations.c.id).where(conversations.c.contact_id == other)).scalars().all()
        moved_identities = db.execute(update(identities).where(identities.c.contact_id == other)
                                      .values(contact_id=survivor)).rowcount
        db.execute(update(conversations).where(conversations.c.contact_id == other).values(contact_id=survivor))
        db.execute(update(notes).where(notes.c.contact_id == other).values(contact_id=survivor))
        db.execute(update(contacts).where(contacts.c.id == other).values(merged_into=survivor, updated_at=now()))
        db.execute(update(contacts).where(contacts.c.id == survivor).values(
            name=kept.name or gone.name, attributes={**gone.attributes, **kept.attributes}, updated_at=now()))
        actor = actor_of(principal)
        db.execute(insert(contact_merges).values(
            id=str(uuid.uuid4()), survivor_id=survivor, merged_id=other, merged_by=actor,
            merged_by_name=principal.name, created_at=now(),
            details={"conversations": list(moved), "identities": moved_identities, "merged_name": gone.name}))
        for conversation_id in moved:
            record_activity(db, conversation_id, actor, "contact_merged", merged_id=other, survivor_id=survivor)
            conversation_updated(rt, db, conversation_id, ["contact"])
    return get_contact(rt, survivor)


def _lock_pair(db: Session, survivor_id: str, other_id: str) -> tuple[str, str]:
    """Both contacts as they stand now (after earlier merges), locked in a fixed order."""
    locked = {contact_id: lock_contact(db, contact_id) for contact_id in sorted({survivor_id, other_id})}
    survivor, other = locked[survivor_id], locked[other_id]
    if survivor is None:
        raise ApiError(404, "No such contact")
    if other is None:
        raise ApiError(404, "No such contact to merge", details={"other_id": ["unknown contact"]})
    return survivor, other
