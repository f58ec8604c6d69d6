"""One indexed term per combination of the broad filters (channel, status, owner) a message falls in.

Channel, status and an agent's teams each match a third or more of all messages, and
tantivy intersects such long lists slowly: over a million messages, a common word with
those three filters took ~8 ms, against ~3 ms with one term of their combination (a list
a few times shorter). So every message is indexed under each combination of its
channel, its status and one of its owners (team or assignee), and a search filters on
the terms of the combination it asks for.
"""

from __future__ import annotations

import itertools
import json

SCOPE = "scope"
TEAM = "team"
ASSIGNEE = "assignee"


def scope_terms(channel: str, status: str, team_id: str | None, assignee_id: str | None) -> list[str]:
    """Every combination a message can be filtered by: its channel or any, status or any, owner or any."""
    owners = [None] + [(kind, owner) for kind, owner in ((TEAM, team_id), (ASSIGNEE, assignee_id))
                       if owner is not None]
    return [
        scope_term(in_channel, in_status, owner)
        for in_channel, in_status, owner in itertools.product((channel, None), (status, None), owners)
        if (in_channel, in_status, owner) != (None, None, None)
    ]


def scope_term(channel: str | None, status: str | None, owner: tuple[str, str] | None) -> str:
    """The term of one combination; None stands for "any"."""
    return json.dumps([channel, status, *(owner or (None, None))], ensure_ascii=False)


def wanted_scopes(
    channel: str | None, status: str | None, team_ids: frozenset[str] | None, assignee_id: str | None,
) -> list[str] | None:
    """The terms a search accepts (any one of them), [] when it accepts none, None when it filters on none of these.

    team_ids None means every owner is visible (an admin); otherwise the agent sees
    the teams' messages and the ones assigned to assignee_id.
    """
    if team_ids is None:
        if channel is None and status is None:
            return None
        return [scope_term(channel, status, None)]
    owners = [(TEAM, team_id) for team_id in sorted(team_ids)]
    if assignee_id is not None:
        owners.append((ASSIGNEE, assignee_id))
    return [scope_term(channel, status, owner) for owner in owners]
