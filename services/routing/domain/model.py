"""The values Switchboard's routing decides over: messages, rules, teams, agents and decisions."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from services.routing.domain.vocabulary import DEFAULT_PRIORITY


@dataclass(frozen=True)
class RoutedMessage:
    """One customer message with the context rules may look at."""

    channel: str
    text: str
    subject: str
    sender: str
    contact: Mapping[str, object]
    labels: tuple[str, ...] = ()
    priority: str = DEFAULT_PRIORITY
    last_agent_id: str | None = None


@dataclass(frozen=True)
class Rule:
    """An admin's routing rule as stored, after check_rule found nothing wrong with it."""

    id: str
    name: str
    position: int
    enabled: bool
    conditions: Mapping
    actions: tuple[Mapping, ...]
    stop: bool
    version: int

    @classmethod
    def from_data(cls, data: Mapping, *, rule_id: str, version: int) -> "Rule":
        """Build a rule from checked request data, filling in what an admin may leave out."""
        return cls(
            id=rule_id,
            name=data["name"],
            position=data.get("position", 0),
            enabled=data.get("enabled", True),
            conditions=data.get("conditions") or {},
            actions=tuple(data.get("actions") or ()),
            stop=data.get("stop", False),
            version=version,
        )


@dataclass(frozen=True)
class Agent:
    """An agent as routing sees them: where they belong, what they can take on, how busy they are."""

    id: str
    name: str
    team_ids: frozenset[str]
    skills: frozenset[str]
    capacity: float
    presence: str
    load: float
    open_count: int
    last_assigned_at: datetime | None


@dataclass(frozen=True)
class Team:
    """A team and the way it shares out conversations."""

    id: str
    name: str
    strategy: str


@dataclass(frozen=True)
class Decision:
    """Where a conversation goes and why; `waiting` means nobody can take it now."""

    team_id: str | None
    agent_id: str | None
    priority: str
    labels: tuple[str, ...]
    required_skills: tuple[str, ...]
    waiting: bool
    explanation: dict = field(default_factory=dict)
