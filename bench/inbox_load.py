"""The agents' inbox under load: the conversation list and one conversation's detail, through the gateway."""

from __future__ import annotations

import requests

from bench.loadgen import wrk


def run(base_url: str, agent_token: str, seconds: int) -> dict:
    """Requests/s and latency at 8 and 64 connections for the list and the detail."""
    auth = {"Authorization": f"Bearer {agent_token}"}
    listing = requests.get(f"{base_url}/api/v1/conversations", headers=auth, params={"assignee": "me"}, timeout=30)
    listing.raise_for_status()
    conversation_id = listing.json()["items"][0]["id"]
    targets = {"list": f"{base_url}/api/v1/conversations?assignee=me",
               "detail": f"{base_url}/api/v1/conversations/{conversation_id}"}
    return {f"{name}@{connections}": wrk(url, connections=connections, seconds=seconds, headers=auth)
            for name, url in targets.items() for connections in (8, 64)}
