"""The contacts behind a batch of inbound messages: read at once, resolved in memory, written in bulk.

The contacts found are locked (`FOR UPDATE`, in id order, following merges) as a single
message's `owner_of` would lock them, so a merge running meanwhile waits for the batch or
the batch waits for the merge, and messages always land on the surviving contact.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from services.inbox import summaries
from services.inbox.contacts import MAX_MERGE_HOPS
from services.inbox.tables import contacts, identities

Key = tuple[str, str]  # (identity type, value)


class ContactBook:
    def __init__(self, known: dict[Key, dict], survivor: dict[str, str]):
        self.known = known  # identity → {"id", "contact_id" (as stored), "verified", "new"}
        self.survivor = survivor  # stored contact id → the contact it stands for now
        self.new_contacts: list[dict] = []
        self.verified_now: set[str] = set()

    @classmethod
    def load(cls, db: Session, identity_lists: list[list[dict]]) -> ContactBook:
        """Read the identities the messages name, and lock the contacts holding them."""
        wanted = {(i["type"], i["value"]) for given in identity_lists for i in given}
        rows = db.execute(select(identities.c.id, identities.c.contact_id, identities.c.type, identities.c.value,
                                 identities.c.verified)
                          .where(identities.c.value.in_(sorted({value for _, value in wanted})))).all()
        known = {(r.type, r.value): {"id": r.id, "contact_id": r.contact_id, "verified": r.verified, "new": False}
                 for r in rows if (r.type, r.value) in wanted}
        return cls(known, _lock_survivors(db, {k["contact_id"] for k in known.values()}))

    def survivor_ids(self) -> set[str]:
        return set(self.survivor.values())

    def new_contact_summaries(self) -> dict[str, dict]:
        """The contacts this batch creates, as `summaries.contact_summaries` would read them after it.

        They have no history yet, so nothing needs reading: identities in the order the table
        gives them (all created at once, so by id), no attributes, no resolved conversations.
        """
        found: dict[str, list[tuple[str, dict]]] = {c["id"]: [] for c in self.new_contacts}
        for (kind, value), held in self.known.items():
            if held["contact_id"] in found:
                found[held["contact_id"]].append((held["id"], {"type": kind, "value": value,
                                                                "verified": held["verified"]}))
        return {c["id"]: summaries.summary(c["id"], c["name"], {}, 0,
                                           [identity for _, identity in sorted(found[c["id"]], key=lambda i: i[0])])
                for c in self.new_contacts}

    def resolve(self, given: list[dict], new_name: str) -> str:
        """The contact behind the first known identity, else a new one; identities nobody holds join it."""
        contact_id = next((self.survivor[self.known[key]["contact_id"]] for ident in given
                           if (key := (ident["type"], ident["value"])) in self.known), None)
        if contact_id is None:
            contact_id = str(uuid.uuid4())
            self.new_contacts.append({"id": contact_id, "name": new_name})
            self.survivor[contact_id] = contact_id
        for ident in given:
            key = (ident["type"], ident["value"])
            held = self.known.get(key)
            if held is None:
                self.known[key] = {"id": str(uuid.uuid4()), "contact_id": contact_id,
                                   "verified": ident.get("verified", False), "new": True}
            elif ident.get("verified") and not held["verified"] and held["contact_id"] == contact_id:
                held["verified"] = True
                if not held["new"]:
                    self.verified_now.add(held["id"])
        return contact_id

    def write(self, db: Session, moment: datetime) -> None:
        """New contacts, their new identities, and identities verified by these messages."""
        if self.new_contacts:
            db.execute(insert(contacts), [{**c, "attributes": {}, "merged_into": None, "created_at": moment,
                                           "updated_at": moment} for c in self.new_contacts])
        new = [{"id": held["id"], "contact_id": held["contact_id"], "type": kind, "value": value,
                "verified": held["verified"], "created_at": moment}
               for (kind, value), held in self.known.items() if held["new"]]
        if new:
            db.execute(insert(identities), new)
        if self.verified_now:
            db.execute(update(identities).where(identities.c.id == bindparam("target")).values(verified=True),
                       [{"target": i} for i in sorted(self.verified_now)])


def _lock_survivors(db: Session, contact_ids: set[str]) -> dict[str, str]:
    """Lock the contacts and the ones they were merged into; map each to its survivor."""
    rows: dict[str, object] = {}
    pending = contact_ids
    for _ in range(MAX_MERGE_HOPS):
        if not pending:
            break
        for row in db.execute(select(contacts.c.id, contacts.c.merged_into)
                              .where(contacts.c.id.in_(sorted(pending))).order_by(contacts.c.id).with_for_update()):
            rows[row.id] = row
        pending = {r.merged_into for r in rows.values() if r.merged_into and r.merged_into not in rows}
    survivor = {}
    for contact_id in contact_ids:
        current = contact_id
        for _ in range(MAX_MERGE_HOPS):
            if rows[current].merged_into is None:
                break
            current = rows[current].merged_into
        else:
            raise RuntimeError(f"contact {contact_id} is merged in a loop")
        survivor[contact_id] = current
    return survivor
