"""Events as the inbox publishes them, for feeding routing directly in integration tests."""

from __future__ import annotations

from datetime import datetime, timezone

from shared.envelopes import make_envelope


def conversation(cid: str, *, channel: str = "chat", status: str = "open", assignee_id: str | None = None,
                 priority: str = "normal", version: int = 1) -> dict:
    return {"id": cid, "status": status, "priority": priority, "channels": [channel], "labels": [],
            "assignee_id": assignee_id, "team_id": None, "last_agent_id": None, "subject": "",
            "waiting_since": datetime.now(timezone.utc), "version": version}


def contact(stage: str = "prospect", **attributes) -> dict:
    return {"id": "contact-1", "name": "Ana", "attributes": attributes, "lifecycle_stage": stage, "identities": []}


def message_received(cid: str, *, channel: str = "chat", text: str = "hello", stage: str = "prospect",
                     priority: str = "normal"):
    """A customer wrote in conversation `cid`, which has no owner yet."""
    return make_envelope("message.received", {
        "message": {"id": f"m-{cid}", "channel": channel, "direction": "inbound", "text": text, "subject": "",
                    "sender": "ana@example.com", "created_at": datetime.now(timezone.utc)},
        "conversation": conversation(cid, channel=channel, priority=priority), "contact": contact(stage)},
        source="inbox")


def conversation_resolved(cid: str, *, channel: str = "chat", assignee_id: str | None = None):
    """An agent resolved conversation `cid`."""
    return make_envelope("conversation.updated", {
        "conversation": conversation(cid, channel=channel, status="resolved", assignee_id=assignee_id, version=9),
        "contact": contact(), "changes": ["status"]}, source="inbox")


def conversation_changed(cid: str, changes: list[str], *, team_id: str | None, assignee_id: str | None = None,
                         channel: str = "chat"):
    """An agent changed conversation `cid` in the inbox (a transfer: `team_id` and/or `assignee_id` changed)."""
    changed = conversation(cid, channel=channel, assignee_id=assignee_id, version=5) | {"team_id": team_id}
    return make_envelope("conversation.updated", {"conversation": changed, "contact": contact(),
                                                  "changes": changes}, source="inbox")
