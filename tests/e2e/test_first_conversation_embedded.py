"""The first conversation, end to end, in the embedded mode (`make run`), over real HTTP only.

A web chat customer writes; the message travels through the broker to the inbox and
routing; the demo agent finds it assigned with its text and context, answers, and the
customer's chat shows the answer (also live, over Server-Sent Events).
"""

import pytest

from tests.support.http import Client, SseListener, wait_until


@pytest.fixture
def switchboard(start_embedded):
    return start_embedded()


def start_chat(base_url: str, **visitor) -> tuple[Client, str]:
    answer = Client(base_url).post("/chat/v1/sessions", json=visitor)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return Client(base_url, body["token"]), body["session_id"]


def test_a_chat_message_reaches_the_agent_and_the_reply_reaches_the_customer(switchboard):
    customer, session_id = start_chat(switchboard.url, name="Ana", email="Ana@Example.com")
    live = SseListener(f"{switchboard.url}/chat/v1/sessions/{session_id}/events?token={customer.token}")
    sent = customer.post(f"/chat/v1/sessions/{session_id}/messages",
                         json={"text": "My order #1234 has not arrived", "client_message_id": "c-1"})
    assert sent.status_code == 201, sent.text

    agent = Client(switchboard.url).login("agent@switchboard.local", "switchboard-demo")
    mine = lambda: agent.get("/api/v1/conversations?assignee=me").json()["items"]  # noqa: E731
    assert wait_until(lambda: len(mine()) == 1), "the conversation was never assigned to the demo agent"
    item = mine()[0]
    assert item["contact"]["name"] == "Ana"
    assert item["channel"] == "chat" and item["status"] == "open"
    assert item["assignee"]["name"] == "Dana (demo agent)"
    assert "My order #1234" in item["last_message"]["preview"]

    conversation = agent.get(f"/api/v1/conversations/{item['id']}").json()
    assert [m["text"] for m in conversation["messages"]] == ["My order #1234 has not arrived"]
    identities = {(i["type"], i["value"], i["verified"]) for i in conversation["context"]["contact"]["identities"]}
    assert ("email", "ana@example.com", False) in identities
    assert ("chat", session_id, True) in identities
    assert conversation["routing"]["agent"]["id"] == item["assignee"]["id"]

    reply = agent.post(f"/api/v1/conversations/{item['id']}/messages", json={"text": "Sorry! It ships today."})
    assert reply.status_code == 201, reply.text
    assert reply.json()["status"] == "queued" and reply.json()["channel"] == "chat"

    transcript = lambda: customer.get(f"/chat/v1/sessions/{session_id}/messages").json()["items"]  # noqa: E731
    assert wait_until(lambda: len(transcript()) == 2)
    answer = transcript()[1]
    assert answer["direction"] == "outbound" and answer["text"] == "Sorry! It ships today."
    assert answer["author_name"] == "Dana (demo agent)"
    assert wait_until(lambda: any(e["data"]["text"] == "Sorry! It ships today." for e in live.events))
    live.close()

    delivered = lambda: agent.get(f"/api/v1/conversations/{item['id']}").json()["messages"][1]["status"]  # noqa: E731
    assert wait_until(lambda: delivered() == "delivered")


def test_a_resent_chat_message_is_stored_once(switchboard):
    customer, session_id = start_chat(switchboard.url, name="Bo")
    path = f"/chat/v1/sessions/{session_id}/messages"
    first = customer.post(path, json={"text": "hello?", "client_message_id": "same"})
    again = customer.post(path, json={"text": "hello?", "client_message_id": "same"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    admin = Client(switchboard.url, "test-admin-token")
    assert wait_until(lambda: len(admin.get("/api/v1/conversations").json()["items"]) == 1)
    conversation_id = admin.get("/api/v1/conversations").json()["items"][0]["id"]
    assert len(admin.get(f"/api/v1/conversations/{conversation_id}").json()["messages"]) == 1


def test_the_conversation_is_found_by_search(switchboard):
    customer, session_id = start_chat(switchboard.url, name="Cy")
    customer.post(f"/chat/v1/sessions/{session_id}/messages", json={"text": "The invoice total looks wrong"})
    admin = Client(switchboard.url, "test-admin-token")
    found = lambda: admin.get("/api/v1/search", params={"q": "invoice"}).json()  # noqa: E731
    assert wait_until(lambda: found()["total"] == 1)
    assert "<mark>" in found()["items"][0]["snippet"]
    assert admin.get("/api/v1/search", params={"q": "refund"}).json()["total"] == 0


def test_a_visitor_cannot_read_or_write_another_session(switchboard):
    owner, session_id = start_chat(switchboard.url, name="Di")
    # The owner writes first, so the session is also known from the service's memory.
    assert owner.post(f"/chat/v1/sessions/{session_id}/messages", json={"text": "hello"}).status_code == 201
    intruder, _ = start_chat(switchboard.url, name="Eve")
    assert intruder.get(f"/chat/v1/sessions/{session_id}/messages").status_code == 404
    assert intruder.post(f"/chat/v1/sessions/{session_id}/messages", json={"text": "hi"}).status_code == 404
    assert Client(switchboard.url).get(f"/chat/v1/sessions/{session_id}/messages").status_code == 404


@pytest.mark.parametrize("body, status, field", [
    ({"text": ""}, 422, "text"),
    ({"text": "hi", "colour": "red"}, 422, "colour"),
    ({}, 422, "text"),
    ({"text": "x" * 5001}, 422, "text"),
])
def test_bad_chat_messages_get_the_contracts_error_shape(switchboard, body, status, field):
    customer, session_id = start_chat(switchboard.url)
    answer = customer.post(f"/chat/v1/sessions/{session_id}/messages", json=body)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["code"] == "invalid_fields" and field in error["details"]


def test_malformed_json_is_a_400_not_a_500(switchboard):
    customer, session_id = start_chat(switchboard.url)
    answer = customer.post(f"/chat/v1/sessions/{session_id}/messages", data="{not json",
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "malformed"


def test_the_inbox_refuses_callers_without_a_valid_token(switchboard):
    assert Client(switchboard.url).get("/api/v1/conversations").status_code == 401
    forged = Client(switchboard.url, "eyJhbGciOiJIUzI1NiJ9.e30.forged")
    answer = forged.get("/api/v1/conversations")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"
    wrong = Client(switchboard.url).post("/api/v1/auth/login", json={"email": "agent@switchboard.local",
                                                                     "password": "guess"})
    assert wrong.status_code == 401


def test_health_and_readiness_answer_without_auth(switchboard):
    assert Client(switchboard.url).get("/healthz").json() == {"status": "ok"}
    assert Client(switchboard.url).get("/readyz").json() == {"status": "ready"}


def test_the_chat_api_answers_a_customers_site_cross_origin(switchboard):
    preflight = Client(switchboard.url).request("OPTIONS", "/chat/v1/sessions", headers={
        "Origin": "https://shop.example.com", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
