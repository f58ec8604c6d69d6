"""Switchboard's one exchange, its queues, who binds what, and the dead-letter queues.

Declared in one place so every process agrees. Each consumer queue `Q` has a dead-letter
queue `Q.dead` where messages that keep failing wait, with the reason in their headers,
until an admin replays them.
"""

from __future__ import annotations

from dataclasses import dataclass

EXCHANGE = "switchboard"
DEAD_LETTER_EXCHANGE = "switchboard.dead"


@dataclass(frozen=True)
class QueueSpec:
    name: str
    bindings: tuple[str, ...]

    @property
    def dead_letter_name(self) -> str:
        return f"{self.name}.dead"


QUEUES: dict[str, QueueSpec] = {
    spec.name: spec
    for spec in (
        # Customers' messages from every channel, to be stored and threaded.
        QueueSpec("inbox.inbound", ("inbound.*",)),
        # Routing decisions, channels' delivery reports, agents' and teams' details, applied to conversations.
        QueueSpec("inbox.updates", ("conversation.assigned", "delivery.updated", "agent.updated",
                                     "conversation.escalated", "team.updated")),
        # Conversations that may need an owner, and changes that free an agent's capacity.
        QueueSpec("routing.conversations", ("message.received", "conversation.updated")),
        # Everything search must index.
        QueueSpec("search.index", ("message.stored", "conversation.updated")),
        # Agents' replies, one queue per channel.
        QueueSpec("webchat.replies", ("reply.requested.chat",)),
        QueueSpec("email.replies", ("reply.requested.email",)),
        # Stored messages, from which email learns which Message-ID belongs to which conversation.
        QueueSpec("email.threads", ("message.stored",)),
        QueueSpec("sms.replies", ("reply.requested.sms",)),
        # What external systems may subscribe to, turned into webhook deliveries by the gateway.
        QueueSpec("gateway.webhooks", ("message.stored", "conversation.updated")),
    )
}


def queue_spec(name: str) -> QueueSpec:
    """The spec of a known queue; KeyError names the queues there are."""
    try:
        return QUEUES[name]
    except KeyError:
        raise KeyError(f"unknown queue {name!r}; known: {', '.join(QUEUES)}") from None
