"""The gateway in front of separate service processes (the containers' commands), on RabbitMQ and PostgreSQL.

API keys are checked by the gateway and vouched for to the services; streams pass through
unbuffered; request ids reach the services' logs; webhooks go out from their own process.
"""

import hashlib
import hmac
import uuid
from dataclasses import replace

import pytest
import requests

from shared.config import Settings
from shared.web.auth import GATEWAY_PRINCIPAL_HEADER, Principal, sign_gateway_principal
from tests.e2e.test_first_conversation_distributed import online_agent
from tests.integration.gateway.receiver import JsonReceiver
from tests.support.http import Client, SseListener, wait_until
from tests.support.processes import DISTRIBUTED_ADMIN, DISTRIBUTED_SECRET

ADMIN, SECRET = DISTRIBUTED_ADMIN, DISTRIBUTED_SECRET


@pytest.fixture
def switchboard(start_distributed):
    return start_distributed(SWITCHBOARD_WEBHOOKS_ALLOW_PRIVATE="true")


def test_a_conversation_through_the_distributed_gateway_with_keys_streams_and_webhooks(switchboard):
    admin = Client(switchboard.url, ADMIN)
    key = admin.post("/api/v1/api-keys", json={"name": "CRM", "scopes": ["conversations:read",
                                                                         "conversations:write"]}).json()["key"]
    crm = Client(switchboard.url, key)
    agent = online_agent(switchboard.url)
    with JsonReceiver() as receiver:
        hook = admin.post("/api/v1/webhooks", json={"url": receiver.url(), "events": ["message.created"]}).json()
        live = SseListener(f"{switchboard.url}/api/v1/events", headers={"Authorization": f"Bearer {agent.token}"})

        start = Client(switchboard.url).post("/chat/v1/sessions", json={"name": "Ana"}).json()
        Client(switchboard.url, start["token"]).post(f"/chat/v1/sessions/{start['session_id']}/messages",
                                                     json={"text": "My parcel is late"})

        # The agent's stream shows the assignment while the stream is still open: nothing was buffered.
        assert wait_until(lambda: any(e.get("event") == "conversation.assigned" for e in live.events),
                          timeout=20), (live.events, switchboard.logs())
        live.close()
        conversation_id = next(e["data"]["conversation_id"] for e in live.events)

        # The key reaches the inbox through the gateway, and acts within its scopes only.
        listed = crm.get("/api/v1/conversations")
        assert listed.status_code == 200 and [c["id"] for c in listed.json()["items"]] == [conversation_id]
        note = lambda: crm.post(f"/api/v1/conversations/{conversation_id}/notes",  # noqa: E731
                                json={"text": "Synced from the CRM"}, headers={"Idempotency-Key": "crm-note-1"})
        first, retried = note(), note()
        assert first.status_code == retried.status_code == 201 and first.json()["id"] == retried.json()["id"]
        assert retried.headers["Idempotent-Replayed"] == "true"
        notes = agent.get(f"/api/v1/conversations/{conversation_id}").json()["context"]["notes"]
        assert [n["text"] for n in notes] == ["Synced from the CRM"]
        assert crm.get("/api/v1/search?q=parcel").status_code == 403
        assert crm.get("/api/v1/teams").status_code == 403

        # The webhook process delivered the customer's message, signed.
        assert wait_until(lambda: len(receiver.posts) >= 1, timeout=20), switchboard.logs()
        post = receiver.posts[0]
        signed = f"{post.headers['X-Switchboard-Timestamp']}.".encode() + post.body
        secret = hook["secret"].encode()
        assert post.headers["X-Switchboard-Signature"] == "sha256=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()
        assert post.json["data"]["message"]["text"] == "My parcel is late"


def test_keys_request_ids_spec_and_limits_hold_across_the_processes(switchboard):
    key = Client(switchboard.url, ADMIN).post("/api/v1/api-keys", json={
        "name": "reader", "scopes": ["conversations:read"]}).json()["key"]
    inbox = f"http://127.0.0.1:{switchboard.ports['inbox']}/api/v1/conversations"
    bearer = {"Authorization": f"Bearer {key}"}
    # Straight to a service, a key counts for nothing; nor does a principal header signed by anyone else.
    assert requests.get(inbox, headers=bearer, timeout=10).status_code == 401

    claimed = Principal(kind="api_key", id="x", role="api_key", scopes=frozenset({"admin"}))
    forged = sign_gateway_principal(replace(Settings(), secret_key="a-guess-at-the-deployment-secret-key"),
                                    claimed, key)
    assert requests.get(inbox, headers={**bearer, GATEWAY_PRINCIPAL_HEADER: forged}, timeout=10).status_code == 401
    # Through the gateway a client's own copy of the header is dropped, and the key's real scopes apply.
    through = requests.get(f"{switchboard.url}/api/v1/teams", headers={**bearer, GATEWAY_PRINCIPAL_HEADER: forged},
                           timeout=10)
    assert through.status_code == 403

    # One request id from the client, in the gateway's log and the service's.
    trace = f"trace-{uuid.uuid4().hex}"
    answer = requests.get(f"{switchboard.url}/api/v1/conversations", timeout=10,
                          headers={"Authorization": f"Bearer {ADMIN}", "X-Request-ID": trace})
    assert answer.status_code == 200 and answer.headers["X-Request-ID"] == trace
    logged = lambda process: trace in process.log_path.read_text()  # noqa: E731
    assert wait_until(lambda: logged(switchboard.gateway) and logged(switchboard.apis["inbox"]))

    # The spec merges every service's; bodies over the limit stop at the gateway, even chunked.
    spec = requests.get(f"{switchboard.url}/openapi.json", timeout=10).json()
    assert "x-switchboard-unavailable-services" not in spec
    for path in ("/api/v1/api-keys", "/api/v1/webhooks", "/api/v1/conversations", "/api/v1/teams",
                 "/chat/v1/sessions", "/api/v1/search"):
        assert path in spec["paths"], path
    assert requests.get(f"{switchboard.url}/docs", timeout=10).status_code == 200

    big = b"x" * (2 * 1024 * 1024)
    chunked = requests.post(f"{switchboard.url}/chat/v1/sessions", timeout=10,
                            data=iter([big[i:i + 65536] for i in range(0, len(big), 65536)]),
                            headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413 and chunked.json()["error"]["code"] == "too_large"
