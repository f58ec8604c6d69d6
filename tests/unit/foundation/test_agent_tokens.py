"""Agents' login tokens: checked once, remembered, and still refused once expired or signed by another key."""

from __future__ import annotations

import time

import pytest

from shared.config import Settings
from shared.web import auth
from shared.web.auth import issue_agent_token, read_principal
from shared.web.errors import ApiError

SETTINGS = Settings(secret_key="unit-test-secret-key-long-enough-for-hs256", token_ttl_seconds=60)
OTHER = Settings(secret_key="another-deployments-secret-key-long-enough", token_ttl_seconds=60)


class LaterClock:
    """time.time, moved forward."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def time(self) -> float:
        return time.time() + self.seconds


def bearer(token: str) -> str:
    return f"Bearer {token}"


def test_a_token_read_again_names_the_same_agent():
    token = issue_agent_token(SETTINGS, agent_id="a-1", name="Ana", role="agent", team_ids=["sales"])
    first, again = (read_principal(SETTINGS, bearer(token)) for _ in range(2))
    assert first == again and first.id == "a-1" and first.team_ids == {"sales"} and "admin" not in first.scopes


def test_a_remembered_token_is_refused_once_it_expires(monkeypatch):
    token = issue_agent_token(SETTINGS, agent_id="a-1", name="Ana", role="agent", team_ids=[])
    assert read_principal(SETTINGS, bearer(token)).id == "a-1"
    monkeypatch.setattr(auth, "time", LaterClock(SETTINGS.token_ttl_seconds + 1))
    with pytest.raises(ApiError) as expired:
        read_principal(SETTINGS, bearer(token))
    assert expired.value.status == 401 and "expired" in expired.value.message


def test_a_token_seen_genuine_under_one_key_is_refused_under_another():
    token = issue_agent_token(SETTINGS, agent_id="a-1", name="Ana", role="agent", team_ids=[])
    assert read_principal(SETTINGS, bearer(token)).id == "a-1"
    with pytest.raises(ApiError) as refused:
        read_principal(OTHER, bearer(token))
    assert refused.value.status == 401


def test_a_tampered_token_is_refused_every_time():
    token = issue_agent_token(SETTINGS, agent_id="a-1", name="Ana", role="agent", team_ids=[])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(ApiError) as refused:
            read_principal(SETTINGS, bearer(forged))
        assert refused.value.status == 401
