"""The agents' inbox under load: the conversation list and one conversation's detail, through the gateway.

With `direct_url` (the inbox service's own address) the same load also goes straight to the
inbox, so the gateway's share of the latency shows.
"""

from __future__ import annotations

import requests

from bench.loadgen import wrk


def run(base_url: str, agent_token: str, seconds: int, direct_url: str | None = None) -> dict:
    """Requests/s and latency at 8 and 64 connections for the list and the detail."""
    auth = {"Authorization": f"Bearer {agent_token}"}
    listing = requests.get(f"{base_url}/api/v1/conversations", headers=auth, params={"assignee": "me"}, timeout=30)
    listing.raise_for_status()
    conversation_id = listing.json()["items"][0]["id"]
    paths = {"list": "/api/v1/conversations?assignee=me", "detail": f"/api/v1/conversations/{conversation_id}"}
    bases = {"": base_url} | ({" direct": direct_url} if direct_url else {})
    return {f"{name}@{connections}{via}": wrk(base + path, connections=connections, seconds=seconds, headers=auth)
            for via, base in bases.items() for name, path in paths.items() for connections in (8, 64)}
