"""The agents' unified inbox and the contacts API, end to end in the embedded mode, over real HTTP.

Dana (the demo agent, team Support) gets the chats; Bo is in team Billing. Who may see and
change what, transfers with a handoff note, snoozes that wake up, live events and contacts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.http import Client, SseListener, wait_until

ADMIN_TOKEN = "test-admin-token"
DANA = ("agent@switchboard.local", "switchboard-demo")


@pytest.fixture
def switchboard(start_embedded):
    return start_embedded()


@pytest.fixture
def people(switchboard):
    """The admin, Dana (Support) and Bo (Billing), logged in; Bo known to the inbox."""
    admin = Client(switchboard.url, ADMIN_TOKEN)
    team = admin.post("/api/v1/teams", json={"name": "Billing"}).json()
    bo = admin.post("/api/v1/agents", json={"name": "Bo", "email": "bo@switchboard.local", "password": "bo-password",
                                            "teams": [team["id"]], "presence": "online"}).json()
    dana = Client(switchboard.url).login(*DANA)
    bo_client = Client(switchboard.url).login("bo@switchboard.local", "bo-password")
    return {"admin": admin, "dana": dana, "bo": bo_client, "bo_id": bo["id"], "billing": team["id"]}


def chat(base_url: str, text: str, **visitor) -> tuple[Client, str]:
    """A customer starts a chat and writes once."""
    body = Client(base_url).post("/chat/v1/sessions", json=visitor).json()
    customer = Client(base_url, body["token"])
    assert customer.post(f"/chat/v1/sessions/{body['session_id']}/messages", json={"text": text}).status_code == 201
    return customer, body["session_id"]


def mine(agent: Client, **filters) -> list[dict]:
    return agent.get("/api/v1/conversations", params={"assignee": "me", **filters}).json()["items"]


def danas_conversation(switchboard, people, text="My invoice is wrong", **visitor) -> str:
    chat(switchboard.url, text, name="Ana", **visitor)
    assert wait_until(lambda: any(i["last_message"]["preview"] == text for i in mine(people["dana"])))
    return next(i["id"] for i in mine(people["dana"]) if i["last_message"]["preview"] == text)


def test_every_inbox_endpoint_refuses_strangers_and_other_teams(switchboard, people):
    cid = danas_conversation(switchboard, people, email="ana@example.com")
    contact_id = people["admin"].get(f"/api/v1/conversations/{cid}").json()["contact"]["id"]
    calls = [("GET", f"/api/v1/conversations/{cid}", None),
             ("PATCH", f"/api/v1/conversations/{cid}", {"priority": "urgent", "status": "resolved"}),
             ("POST", f"/api/v1/conversations/{cid}/messages", {"text": "not mine to answer"}),
             ("POST", f"/api/v1/conversations/{cid}/notes", {"text": "not mine to note"}),
             ("GET", f"/api/v1/contacts/{contact_id}", None),
             ("POST", f"/api/v1/contacts/{contact_id}/merge", {"other_id": contact_id}),
             ("POST", "/api/v1/contacts", {"identities": [{"type": "email", "value": "ana@example.com"}],
                                           "name": "Renamed by Bo"})]
    strangers = {"no token": Client(switchboard.url), "bad token": Client(switchboard.url, "not-a-token")}
    for method, path, body in [*calls, ("GET", "/api/v1/conversations", None), ("GET", "/api/v1/events", None)]:
        for who, client in strangers.items():
            answer = client.request(method, path, json=body)
            assert answer.status_code == 401, (who, method, path, answer.text)
            assert answer.json()["error"]["code"] == "unauthorized"
    for method, path, body in calls:
        answer = people["bo"].request(method, path, json=body)
        assert answer.status_code in (403, 404), (method, path, answer.text)

    assert cid not in [i["id"] for i in people["bo"].get("/api/v1/conversations").json()["items"]]
    seen = people["admin"].get(f"/api/v1/conversations/{cid}").json()
    assert (seen["status"], seen["priority"]) == ("open", "normal")  # Bo changed nothing
    assert [m["text"] for m in seen["messages"]] == ["My invoice is wrong"] and seen["context"]["notes"] == []
    assert seen["context"]["contact"]["name"] == "Ana"
    for method, path, body in calls[:5]:
        assert people["admin"].request(method, path, json=body).status_code in (200, 201), (method, path)


def test_an_agent_moved_to_another_team_sees_its_conversations_without_logging_in_again(switchboard, people):
    cid = danas_conversation(switchboard, people)
    support = people["admin"].get(f"/api/v1/conversations/{cid}").json()["team"]["id"]
    assert people["bo"].get(f"/api/v1/conversations/{cid}").status_code == 404
    changed = people["admin"].request("PATCH", f"/api/v1/agents/{people['bo_id']}", json={"teams": [support]})
    assert changed.status_code == 200, changed.text
    assert wait_until(lambda: people["bo"].get(f"/api/v1/conversations/{cid}").status_code == 200)


def test_a_transfer_with_a_handoff_note_gives_the_new_owner_the_whole_history(switchboard, people):
    cid = danas_conversation(switchboard, people)
    dana = people["dana"]
    assert dana.post(f"/api/v1/conversations/{cid}/notes", json={"text": "Asked for the invoice number"}).status_code == 201
    assert dana.post(f"/api/v1/conversations/{cid}/messages", json={"text": "Which invoice?"}).status_code == 201

    moved = dana.request("PATCH", f"/api/v1/conversations/{cid}",
                         json={"assignee_id": people["bo_id"], "note": "Billing question, over to you"})
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"id": cid, "transferred_away": True}

    assert [i["id"] for i in mine(people["bo"])] == [cid]
    seen = people["bo"].get(f"/api/v1/conversations/{cid}").json()
    assert seen["assignee"]["name"] == "Bo" and seen["team"]["id"] == people["billing"]
    assert [m["text"] for m in seen["messages"]] == ["My invoice is wrong", "Which invoice?"]
    assert [n["text"] for n in seen["context"]["notes"]] == ["Asked for the invoice number",
                                                             "Billing question, over to you"]
    assert seen["context"]["last_agent"]["name"] == "Dana (demo agent)"
    assert seen["activity"][-1]["action"] == "transferred"
    assert dana.get(f"/api/v1/conversations/{cid}").status_code == 404


def test_status_priority_labels_and_a_new_conversation_after_resolution(switchboard, people):
    customer, session_id = chat(switchboard.url, "Where is my parcel?", name="Cy")
    dana = people["dana"]
    assert wait_until(lambda: len(mine(dana)) == 1)
    first = mine(dana)[0]["id"]
    changed = dana.request("PATCH", f"/api/v1/conversations/{first}",
                           json={"priority": "high", "labels": ["shipping"], "status": "pending"})
    assert changed.status_code == 200, changed.text
    assert [mine(dana, **f)[0]["id"] for f in ({"priority": "high"}, {"label": "shipping"}, {"status": "pending"},
                                               {"channel": "chat"})] == [first] * 4
    assert mine(dana, label="billing") == []
    assert dana.request("PATCH", f"/api/v1/conversations/{first}", json={"status": "resolved"}).status_code == 200

    customer.post(f"/chat/v1/sessions/{session_id}/messages", json={"text": "One more thing"})
    assert wait_until(lambda: len(mine(dana, status="open")) == 1)
    second = mine(dana, status="open")[0]["id"]
    assert second != first
    context = dana.get(f"/api/v1/conversations/{second}").json()["context"]
    previous = context["previous_conversations"]
    assert [(p["id"], p["status"], p["first_line"]) for p in previous] == [(first, "resolved", "Where is my parcel?")]
    assert previous[0]["assignee"]["name"] == "Dana (demo agent)"
    assert context["contact"]["lifecycle_stage"] == "new"


def test_a_snoozed_conversation_comes_back_by_itself(switchboard, people):
    cid = danas_conversation(switchboard, people)
    soon = (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat()
    snoozed = people["dana"].request("PATCH", f"/api/v1/conversations/{cid}",
                                     json={"status": "snoozed", "snoozed_until": soon})
    assert snoozed.status_code == 200 and snoozed.json()["status"] == "snoozed"
    assert wait_until(lambda: people["dana"].get(f"/api/v1/conversations/{cid}").json()["status"] == "open")
    assert people["dana"].get(f"/api/v1/conversations/{cid}").json()["activity"][-1]["action"] == "woke_up"


def test_each_agent_hears_live_about_their_own_conversations_only(switchboard, people):
    headers = lambda client: {"Authorization": f"Bearer {client.token}"}  # noqa: E731
    dana_live = SseListener(f"{switchboard.url}/api/v1/events", headers=headers(people["dana"]))
    bo_live = SseListener(f"{switchboard.url}/api/v1/events", headers=headers(people["bo"]))
    assert (dana_live.status_code, bo_live.status_code) == (200, 200)
    customer, session_id = chat(switchboard.url, "Live, please", name="Di")
    assert wait_until(lambda: any(e["event"] == "conversation.assigned" and e["data"]["preview"] == "Live, please"
                                  for e in dana_live.events))
    cid = next(e["data"]["conversation_id"] for e in dana_live.events if e["event"] == "conversation.assigned")
    customer.post(f"/chat/v1/sessions/{session_id}/messages", json={"text": "Still there?"})
    assert wait_until(lambda: any(e["event"] == "message.created" and e["data"]["preview"] == "Still there?"
                                  for e in dana_live.events))
    people["dana"].request("PATCH", f"/api/v1/conversations/{cid}", json={"status": "pending"})
    assert wait_until(lambda: any(e["event"] == "conversation.updated" for e in dana_live.events))
    assert not any(e["data"].get("conversation_id") == cid for e in bo_live.events)
    dana_live.close()
    bo_live.close()


def test_a_reply_may_go_out_on_any_channel_the_customer_can_be_reached_on(switchboard, people):
    cid = danas_conversation(switchboard, people, email="ana@example.com")
    by_email = people["dana"].post(f"/api/v1/conversations/{cid}/messages", json={"text": "Sent by email",
                                                                                  "channel": "email"})
    assert by_email.status_code == 201, by_email.text
    assert by_email.json()["channel"] == "email"
    by_sms = people["dana"].post(f"/api/v1/conversations/{cid}/messages", json={"text": "?", "channel": "sms"})
    assert by_sms.status_code == 422 and "channel" in by_sms.json()["error"]["details"]


def test_contacts_are_upserted_by_any_identity_and_merged_with_both_histories(switchboard, people):
    admin = people["admin"]
    created = admin.post("/api/v1/contacts", json={
        "name": "Ana Lima", "identities": [{"type": "phone", "value": "+1 (415) 555-0123"}],
        "attributes": {"plan": "pro", "key_account": True}})
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["identities"][0]["value"] == "+14155550123" and contact["lifecycle_stage"] == "key_account"
    again = admin.post("/api/v1/contacts", json={"identities": [{"type": "phone", "value": "+14155550123"},
                                                                {"type": "email", "value": "Ana@Example.COM"}]})
    assert again.status_code == 200 and again.json()["id"] == contact["id"]
    assert {i["value"] for i in again.json()["identities"]} == {"+14155550123", "ana@example.com"}

    cid = danas_conversation(switchboard, people, text="hi from chat")  # a chat visitor without an email: a new contact
    chat_contact = admin.get(f"/api/v1/conversations/{cid}").json()["contact"]["id"]
    merged = people["dana"].post(f"/api/v1/contacts/{contact['id']}/merge", json={"other_id": chat_contact})
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert [c["id"] for c in body["conversations"]] == [cid]
    assert {i["type"] for i in body["identities"]} == {"phone", "email", "chat"}
    assert body["merges"][0]["merged_by"]["name"] == "Dana (demo agent)"
    assert admin.get(f"/api/v1/contacts/{chat_contact}").json()["id"] == contact["id"]
    context = people["dana"].get(f"/api/v1/conversations/{cid}").json()["context"]
    assert context["contact"]["id"] == contact["id"] and context["contact"]["attributes"]["plan"] == "pro"


@pytest.mark.parametrize("method, path, body, status, field", [
    ("POST", "/api/v1/contacts", {"identities": [{"type": "phone", "value": "555-0123"}]}, 422, "identities"),
    ("POST", "/api/v1/contacts", {"identities": [{"type": "email", "value": "not an email"}]}, 422, "identities"),
    ("POST", "/api/v1/contacts", {"identities": []}, 422, "identities"),
    ("POST", "/api/v1/contacts", {"identities": [{"type": "fax", "value": "1"}]}, 422, "identities"),
    ("POST", "/api/v1/contacts/nope/merge", {"other_id": "also-nope"}, 404, None),
    ("GET", "/api/v1/contacts/nope", None, 404, None),
    ("GET", "/api/v1/conversations?cursor=garbage", None, 400, "cursor"),
    ("GET", "/api/v1/conversations?limit=0", None, 422, "limit"),
    ("GET", "/api/v1/conversations/nope", None, 404, None),
    ("PATCH", "/api/v1/conversations/nope", {"status": "snoozed"}, 422, "snoozed_until"),
    ("PATCH", "/api/v1/conversations/nope", {"status": "snoozed", "snoozed_until": "2001-01-01T00:00:00+00:00"},
     422, "snoozed_until"),
    ("PATCH", "/api/v1/conversations/nope", {"colour": "red"}, 422, "colour"),
])
def test_bad_requests_get_the_contracts_error_shape(switchboard, method, path, body, status, field):
    answer = Client(switchboard.url, ADMIN_TOKEN).request(method, path, json=body)
    assert answer.status_code == status, answer.text
    if field:
        assert any(name.split(".")[0] == field for name in answer.json()["error"]["details"]), answer.text
