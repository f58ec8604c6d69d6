"""Routing end to end in the embedded mode, over real HTTP: rules admins trust, assignment agents find fair.

Customers write by web chat; admins shape routing through the routing API; what routing decided
is read where agents read it, on the conversation in the inbox.
"""

from datetime import timedelta

import pytest

from services.routing.assignment import now
from services.routing.escalation import escalate_overdue
from tests.support.http import Client, wait_until

PASSWORD = "correct horse battery"


@pytest.fixture
def switchboard(start_embedded):
    return start_embedded(demo=False)


@pytest.fixture
def admin(switchboard) -> Client:
    return Client(switchboard.url, "test-admin-token")


def make_team(admin: Client, name: str, **extra) -> str:
    answer = admin.post("/api/v1/teams", json={"name": name, **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def make_agent(admin: Client, name: str, teams: list[str], **extra) -> dict:
    body = {"name": name, "email": f"{name.lower()}@example.com", "password": PASSWORD, "teams": teams,
            "presence": "online", **extra}
    answer = admin.post("/api/v1/agents", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def default_team(admin: Client) -> str:
    return next(t["id"] for t in admin.get("/api/v1/teams").json()["items"] if t["is_default"])


def chat(switchboard, text: str, name: str = "Ana") -> str:
    """A customer starts a chat and writes; the id of their conversation once the inbox has it."""
    base = Client(switchboard.url)
    session = base.post("/chat/v1/sessions", json={"name": name}).json()
    customer = Client(switchboard.url, session["token"])
    assert customer.post(f"/chat/v1/sessions/{session['session_id']}/messages", json={"text": text}).status_code == 201
    admin = Client(switchboard.url, "test-admin-token")
    found = lambda: [c for c in admin.get("/api/v1/conversations").json()["items"]  # noqa: E731
                     if c["contact"]["name"] == name]
    assert wait_until(lambda: len(found()) == 1)
    return found()[0]["id"]


def conversation(admin: Client, cid: str) -> dict:
    return admin.get(f"/api/v1/conversations/{cid}").json()


def routed(admin: Client, cid: str) -> dict:
    """The conversation once routing's decision reached the inbox."""
    assert wait_until(lambda: conversation(admin, cid)["routing"].get("agent") is not None)
    return conversation(admin, cid)


def agent_reason(admin: Client, cid: str) -> str | None:
    """Why routing chose the agent it chose (or nobody), as the conversation shows it."""
    return conversation(admin, cid)["routing"].get("agent", {}).get("reason")


def owner(admin: Client, cid: str) -> str | None:
    assignee = conversation(admin, cid)["assignee"]
    return assignee["id"] if assignee else None


INVOICE_RULE = {"name": "Invoices to billing", "position": 1, "stop": True,
                "conditions": {"any": [{"field": "text", "op": "contains", "value": "invoice"},
                                       {"field": "text", "op": "matches", "value": r"\bbill(ing)?\b"}]}}


def test_rules_are_created_changed_versioned_and_retired(admin):
    billing = make_team(admin, "Billing")
    created = admin.post("/api/v1/routing/rules", json={
        **INVOICE_RULE, "actions": [{"type": "assign_team", "team_id": billing}]})
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["version"] == 1 and rule["stop"] is True
    assert [r["id"] for r in admin.get("/api/v1/routing/rules").json()["items"]] == [rule["id"]]

    changed = admin.request("PUT", f"/api/v1/routing/rules/{rule['id']}", json={
        **INVOICE_RULE, "actions": [{"type": "assign_team", "team_id": billing},
                                    {"type": "set_priority", "value": "high"}]})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert admin.request("DELETE", f"/api/v1/routing/rules/{rule['id']}").status_code == 204
    assert admin.get(f"/api/v1/routing/rules/{rule['id']}").status_code == 404
    versions = admin.get(f"/api/v1/routing/rules/{rule['id']}/versions").json()["items"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[1]["rule"]["actions"][1] == {"type": "set_priority", "value": "high"}
    assert versions[2]["rule"] == {"deleted": True}


@pytest.mark.parametrize("body, path", [
    ({"name": "r", "conditions": {"all": [{"field": "colour", "op": "eq", "value": "red"}]}},
     "conditions.all[0].field"),
    ({"name": "r", "conditions": {"all": [{"field": "text", "op": "like", "value": "x"}]}}, "conditions.all[0].op"),
    ({"name": "r", "conditions": {"all": [{"field": "text", "op": "in", "value": "x"}]}}, "conditions.all[0].value"),
    ({"name": "r", "conditions": {"any": [{"field": "text", "op": "matches", "value": "(a+)+$"}]}},
     "conditions.any[0].value"),
    ({"name": "r", "conditions": {"any": [{"field": "text", "op": "matches", "value": "[unclosed"}]}},
     "conditions.any[0].value"),
    ({"name": "r", "conditions": {"all": [{"field": "text", "op": ["eq"], "value": "x"}]}}, "conditions.all[0].op"),
    ({"name": "r", "actions": [{"type": "assign_team", "team_id": "no-such-team"}]}, "actions[0].team_id"),
    ({"name": "r", "actions": [{"type": "assign_agent", "agent_id": "no-such-agent"}]}, "actions[0].agent_id"),
    ({"name": "r", "position": 10**30}, "position"),
    ({"name": ""}, "name"),
])
def test_a_bad_rule_is_refused_with_422_naming_the_part(admin, body, path):
    answer = admin.post("/api/v1/routing/rules", json=body)
    assert answer.status_code == 422, answer.text
    assert path in answer.json()["error"]["details"]
    assert admin.get("/api/v1/routing/rules").json()["items"] == []


def test_rules_are_for_admins_only(switchboard, admin):
    make_agent(admin, "Ana", [default_team(admin)])
    agent = Client(switchboard.url).login("ana@example.com", PASSWORD)
    assert agent.get("/api/v1/routing/rules").status_code == 403
    assert agent.post("/api/v1/routing/simulate", json={"message": {"channel": "chat", "from": "x"}}).status_code == 403


def test_simulate_explains_the_decision_and_changes_nothing(switchboard, admin):
    billing = make_team(admin, "Billing")
    ana = make_agent(admin, "Ana", [billing], skills=["es"])
    make_agent(admin, "Bo", [billing])
    rule = admin.post("/api/v1/routing/rules", json={**INVOICE_RULE, "actions": [
        {"type": "assign_team", "team_id": billing}, {"type": "require_skill", "value": "es"},
        {"type": "add_label", "value": "billing"}]}).json()
    body = {"message": {"channel": "email", "from": "ana@example.com", "text": "My invoice is wrong"}}
    answers = [admin.post("/api/v1/routing/simulate", json=body) for _ in range(3)]
    assert all(a.status_code == 200 for a in answers)
    decision = answers[0].json()
    assert all(a.json() == decision for a in answers), "simulating must not move round robin on"
    assert (decision["team_id"], decision["agent_id"]) == (billing, ana["id"])
    assert decision["labels"] == ["billing"] and decision["required_skills"] == ["es"]
    trace = decision["explanation"]["rules"][0]
    assert (trace["id"], trace["version"], trace["matched"]) == (rule["id"], 1, True)
    why = {c["id"]: c["why_not"] for c in decision["explanation"]["agent"]["candidates"]}
    assert why[ana["id"]] is None and why[next(k for k in why if k != ana["id"])] == "lacks skills es"

    other = admin.post("/api/v1/routing/simulate", json={"message": {"channel": "sms", "from": "+34600000000",
                                                                      "text": "hola"}}).json()
    assert other["team_id"] == default_team(admin) and other["waiting"] is True
    assert other["explanation"]["rules"][0]["matched"] is False
    assert admin.get("/api/v1/conversations").json()["items"] == []


@pytest.mark.parametrize("body", [
    {"message": {"channel": "fax", "from": "x"}},
    {"message": {"channel": "chat"}},
    {"message": {"channel": "chat", "from": "x"}, "contact": {"attributes": "vip"}},
    {"message": {"channel": "chat", "from": "x"}, "contact": []},
    {"message": "hello"},
])
def test_bad_simulations_get_422_not_500(admin, body):
    answer = admin.post("/api/v1/routing/simulate", json=body)
    assert answer.status_code == 422, answer.text


def test_simulate_reads_contact_attributes_and_the_agent_who_helped_before(admin):
    team = default_team(admin)
    make_agent(admin, "Ana", [team])
    bo = make_agent(admin, "Bo", [team])
    admin.post("/api/v1/routing/rules", json={"name": "VIPs", "conditions": {
        "all": [{"field": "contact.plan", "op": "eq", "value": "enterprise"}]},
        "actions": [{"type": "set_priority", "value": "urgent"}]})
    decision = admin.post("/api/v1/routing/simulate", json={
        "message": {"channel": "chat", "from": "x", "text": "hi"},
        "contact": {"attributes": {"plan": "Enterprise"}, "last_agent_id": bo["id"]}}).json()
    assert decision["priority"] == "urgent" and decision["agent_id"] == bo["id"]
    assert decision["explanation"]["agent"]["reason"].startswith("sticky")


def test_every_real_decision_is_explained_on_the_conversation_with_the_rule_version(switchboard, admin):
    billing = make_team(admin, "Billing")
    ana = make_agent(admin, "Ana", [billing])
    rule = admin.post("/api/v1/routing/rules", json={
        **INVOICE_RULE, "actions": [{"type": "assign_team", "team_id": billing}]}).json()
    first = routed(admin, chat(switchboard, "Where is my invoice?", name="Cy"))
    assert first["assignee"]["id"] == ana["id"] and first["team"]["id"] == billing
    trace = first["routing"]["rules"][0]
    assert (trace["id"], trace["version"], trace["matched"]) == (rule["id"], 1, True)
    assert first["routing"]["agent"]["reason"] == "round_robin"
    decisions = admin.get(f"/api/v1/routing/conversations/{first['id']}/decisions").json()["items"]
    assert [d["explanation"] for d in decisions] == [first["routing"]]

    admin.request("PUT", f"/api/v1/routing/rules/{rule['id']}", json={
        **INVOICE_RULE, "actions": [{"type": "assign_team", "team_id": billing},
                                    {"type": "set_priority", "value": "high"}]})
    second = routed(admin, chat(switchboard, "The billing page fails", name="Di"))
    assert second["routing"]["rules"][0]["version"] == 2 and second["priority"] == "high"


def test_waiting_conversations_are_handed_out_when_capacity_frees(switchboard, admin):
    team = default_team(admin)
    ana = make_agent(admin, "Ana", [team], capacity=1)
    first = chat(switchboard, "one", name="C1")
    assert wait_until(lambda: owner(admin, first) == ana["id"])
    second = chat(switchboard, "two", name="C2")
    third = chat(switchboard, "three", name="C3")
    assert wait_until(lambda: agent_reason(admin, third) == "nobody available")
    assert owner(admin, second) is None and owner(admin, third) is None

    agent = Client(switchboard.url).login("ana@example.com", PASSWORD)
    resolved = agent.request("PATCH", f"/api/v1/conversations/{first}", json={"status": "resolved"})
    assert resolved.status_code == 200, resolved.text
    assert wait_until(lambda: owner(admin, second) == ana["id"]), "the longest waiting goes first"
    assert owner(admin, third) is None

    bo = make_agent(admin, "Bo", [team], presence="offline")
    assert owner(admin, third) is None
    Client(switchboard.url).login("bo@example.com", PASSWORD).request(
        "PUT", "/api/v1/agents/me/presence", json={"status": "online"})
    assert wait_until(lambda: owner(admin, third) == bo["id"]), "an agent coming online takes the queue"


def test_a_conversation_waiting_too_long_is_escalated(switchboard, admin):
    patient = make_team(admin, "Patient", max_wait_seconds=60)
    admin.post("/api/v1/routing/rules", json={"name": "all", "actions": [{"type": "assign_team", "team_id": patient}]})
    cid = chat(switchboard, "anyone there?", name="Ed")
    assert wait_until(lambda: conversation(admin, cid)["team"] is not None)
    rt = switchboard.services["routing"].runtime
    assert escalate_overdue(rt, now() + timedelta(seconds=30)) == []
    assert escalate_overdue(rt, now() + timedelta(seconds=61)) == [cid]
    assert wait_until(lambda: conversation(admin, cid)["priority"] == "high")
    escalation = conversation(admin, cid)["routing"]["escalation"]
    assert escalation["from"] == "normal" and escalation["to"] == "high" and escalation["limit_seconds"] == 60
    assert escalate_overdue(rt, now() + timedelta(hours=1)) == [], "a conversation is escalated once"
    recorded = [a for a in conversation(admin, cid)["activity"] if a["action"] == "escalated"]
    assert len(recorded) == 1 and recorded[0]["details"]["limit_seconds"] == 60

    ana = make_agent(admin, "Ana", [patient])
    assert wait_until(lambda: owner(admin, cid) == ana["id"])
    assert conversation(admin, cid)["priority"] == "high", "handing out keeps the raised priority"


@pytest.mark.parametrize("policy", ["keep", "requeue"])
def test_an_agent_going_offline_keeps_or_requeues_their_conversations(switchboard, admin, policy):
    team = make_team(admin, "Chat", offline_policy=policy)
    admin.post("/api/v1/routing/rules", json={"name": "all", "actions": [{"type": "assign_team", "team_id": team}]})
    ana = make_agent(admin, "Ana", [team])
    cid = chat(switchboard, "hello", name="Flo")
    assert wait_until(lambda: owner(admin, cid) == ana["id"])
    bo = make_agent(admin, "Bo", [team])
    assert admin.request("PUT", f"/api/v1/agents/{ana['id']}/presence", json={"status": "offline"}).status_code == 200
    expected = bo["id"] if policy == "requeue" else ana["id"]
    assert wait_until(lambda: owner(admin, cid) == expected)
    if policy == "requeue":
        assert conversation(admin, cid)["routing"]["agent"]["id"] == bo["id"]


def test_a_requeued_conversation_with_nobody_free_waits_without_its_offline_owner(switchboard, admin):
    team = make_team(admin, "Night", offline_policy="requeue")
    admin.post("/api/v1/routing/rules", json={"name": "all", "actions": [{"type": "assign_team", "team_id": team}]})
    ana = make_agent(admin, "Ana", [team])
    cid = chat(switchboard, "anyone there?", name="Ida")
    assert wait_until(lambda: owner(admin, cid) == ana["id"])
    assert admin.request("PUT", f"/api/v1/agents/{ana['id']}/presence", json={"status": "offline"}).status_code == 200
    assert wait_until(lambda: owner(admin, cid) is None)
    assert conversation(admin, cid)["routing"]["requeued_from"] == ana["id"]


def test_the_inbox_learns_of_agents_and_their_changes(switchboard, admin):
    team = default_team(admin)
    ana = make_agent(admin, "Ana", [team], capacity=1)
    bo = make_agent(admin, "Bo", [team], presence="offline")
    cid = chat(switchboard, "hi", name="Gus")
    assert wait_until(lambda: owner(admin, cid) == ana["id"])
    # The inbox knows Bo only from routing's `agent.updated`: a transfer to him works.
    moved = admin.request("PATCH", f"/api/v1/conversations/{cid}", json={"assignee_id": bo["id"]})
    assert moved.status_code == 200, moved.text
    renamed = admin.request("PATCH", f"/api/v1/agents/{bo['id']}", json={"name": "Bo Lind", "capacity": 2})
    assert renamed.status_code == 200 and renamed.json()["capacity"] == 2
    assert wait_until(lambda: conversation(admin, cid)["assignee"]["name"] == "Bo Lind")


def test_an_agent_taking_a_conversation_by_hand_uses_their_capacity(switchboard, admin):
    team = default_team(admin)
    ana = make_agent(admin, "Ana", [team], capacity=1, presence="away")
    waiting = chat(switchboard, "first", name="Hal")
    assert wait_until(lambda: conversation(admin, waiting)["routing"].get("agent") is not None)
    agent = Client(switchboard.url).login("ana@example.com", PASSWORD)
    taken = agent.request("PATCH", f"/api/v1/conversations/{waiting}", json={"assignee_id": ana["id"]})
    assert taken.status_code == 200, taken.text
    agent.request("PUT", "/api/v1/agents/me/presence", json={"status": "online"})
    later = chat(switchboard, "second", name="Ivy")
    assert wait_until(lambda: agent_reason(admin, later) == "nobody available")
    assert owner(admin, waiting) == ana["id"] and owner(admin, later) is None


@pytest.mark.parametrize("path, body", [
    ("/api/v1/agents/nobody", {"name": "x"}),
    ("/api/v1/agents/nobody/presence", {"status": "online"}),
])
def test_unknown_agents_are_404(admin, path, body):
    method = "PUT" if path.endswith("presence") else "PATCH"
    assert admin.request(method, path, json=body).status_code == 404


class Customer:
    """A web chat visitor who may write several times in one session."""

    def __init__(self, switchboard, name: str):
        session = Client(switchboard.url).post("/chat/v1/sessions", json={"name": name}).json()
        self.name, self.session_id = name, session["session_id"]
        self.client = Client(switchboard.url, session["token"])
        self.admin = Client(switchboard.url, "test-admin-token")

    def writes(self, text: str) -> str:
        """Send `text`; the id of the conversation once the inbox shows it as the last message."""
        sent = self.client.post(f"/chat/v1/sessions/{self.session_id}/messages", json={"text": text})
        assert sent.status_code == 201
        found = lambda: [c for c in self.admin.get("/api/v1/conversations").json()["items"]  # noqa: E731
                         if c["contact"]["name"] == self.name and c["last_message"]["preview"] == text]
        assert wait_until(lambda: len(found()) == 1)
        return found()[0]["id"]


def test_a_conversation_an_agent_sends_to_a_team_stays_in_that_team(switchboard, admin):
    sales, billing = make_team(admin, "Sales"), make_team(admin, "Billing")
    admin.post("/api/v1/routing/rules", json={"name": "all", "actions": [{"type": "assign_team", "team_id": sales}]})
    ana = make_agent(admin, "Ana", [sales])
    bo = make_agent(admin, "Bo", [billing], presence="offline")
    jo = Customer(switchboard, "Jo")
    cid = jo.writes("I need a refund")
    assert wait_until(lambda: owner(admin, cid) == ana["id"])

    moved = Client(switchboard.url).login("ana@example.com", PASSWORD).request(
        "PATCH", f"/api/v1/conversations/{cid}", json={"team_id": billing, "note": "Refunds are Billing's"})
    assert moved.status_code == 200, moved.text
    assert wait_until(lambda: conversation(admin, cid)["routing"]["team"]["reason"] == "transferred by an agent")
    assert owner(admin, cid) is None and conversation(admin, cid)["team"]["id"] == billing

    assert jo.writes("Hello? Anyone?") == cid
    later = Customer(switchboard, "Kim").writes("Another question")
    assert wait_until(lambda: owner(admin, later) == ana["id"]), "routing has read Jo's message before Kim's"
    assert owner(admin, cid) is None and conversation(admin, cid)["team"]["id"] == billing, \
        "the customer writing again does not send it back to Sales by the rules"

    Client(switchboard.url).login("bo@example.com", PASSWORD).request(
        "PUT", "/api/v1/agents/me/presence", json={"status": "online"})
    assert wait_until(lambda: owner(admin, cid) == bo["id"])
    seen = conversation(admin, cid)
    assert seen["team"]["id"] == billing and seen["context"]["notes"][-1]["text"] == "Refunds are Billing's"


def test_an_admin_changes_a_team_after_creating_it(switchboard, admin):
    team = make_team(admin, "Chat")
    changed = admin.request("PATCH", f"/api/v1/teams/{team}", json={
        "name": "Live chat", "assignment": {"strategy": "least_busy"}, "max_wait_seconds": 90,
        "offline_policy": "requeue"})
    assert changed.status_code == 200, changed.text
    assert admin.get(f"/api/v1/teams/{team}").json() | {"created_at": None} == {
        "id": team, "name": "Live chat", "assignment": {"strategy": "least_busy"}, "is_default": False,
        "max_wait_seconds": 90, "offline_policy": "requeue", "created_at": None}

    admin.post("/api/v1/routing/rules", json={"name": "all", "actions": [{"type": "assign_team", "team_id": team}]})
    ana = make_agent(admin, "Ana", [team])
    cid = chat(switchboard, "hello", name="Lu")
    assert wait_until(lambda: owner(admin, cid) == ana["id"])
    assert conversation(admin, cid)["routing"]["agent"]["reason"] == "least_busy"
    assert admin.request("PATCH", f"/api/v1/teams/{team}", json={"name": "Chat desk"}).status_code == 200
    assert wait_until(lambda: conversation(admin, cid)["team"]["name"] == "Chat desk"), "the inbox shows the new name"
    bo = make_agent(admin, "Bo", [team])
    admin.request("PUT", f"/api/v1/agents/{ana['id']}/presence", json={"status": "offline"})
    assert wait_until(lambda: owner(admin, cid) == bo["id"]), "the offline policy changed to requeue"


@pytest.mark.parametrize("body, field", [
    ({"assignment": {"strategy": "random"}}, "assignment"),
    ({"max_wait_seconds": 0}, "max_wait_seconds"),
    ({"max_wait_seconds": 10**30}, "max_wait_seconds"),
    ({"max_wait_seconds": "soon"}, "max_wait_seconds"),
    ({"offline_policy": "drop"}, "offline_policy"),
    ({"name": ""}, "name"),
    ({"colour": "blue"}, "colour"),
])
def test_a_bad_team_change_is_refused_with_422_and_changes_nothing(admin, body, field):
    team = make_team(admin, "Chat", max_wait_seconds=60)
    before = admin.get(f"/api/v1/teams/{team}").json()
    answer = admin.request("PATCH", f"/api/v1/teams/{team}", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] and any(k.split(".")[0] == field for k in answer.json()["error"]["details"])
    assert admin.get(f"/api/v1/teams/{team}").json() == before


def test_only_admins_change_teams_and_names_stay_unique(switchboard, admin):
    team = make_team(admin, "Chat")
    make_team(admin, "Email")
    make_agent(admin, "Ana", [team])
    agent = Client(switchboard.url).login("ana@example.com", PASSWORD)
    assert agent.request("PATCH", f"/api/v1/teams/{team}", json={"name": "Mine"}).status_code == 403
    assert Client(switchboard.url).request("PATCH", f"/api/v1/teams/{team}", json={"name": "x"}).status_code == 401
    assert admin.request("PATCH", f"/api/v1/teams/{team}", json={"name": "Email"}).status_code == 409
    assert admin.request("PATCH", "/api/v1/teams/nope", json={"name": "x"}).status_code == 404
    assert admin.get(f"/api/v1/teams/{team}").json()["name"] == "Chat"


def test_a_deactivated_agent_is_locked_out_and_their_conversations_follow_the_team(switchboard, admin):
    team = make_team(admin, "Night", offline_policy="requeue")
    admin.post("/api/v1/routing/rules", json={"name": "all", "actions": [{"type": "assign_team", "team_id": team}]})
    ana = make_agent(admin, "Ana", [team])
    ana_client = Client(switchboard.url).login("ana@example.com", PASSWORD)
    cid = chat(switchboard, "hello", name="Mo")
    assert wait_until(lambda: owner(admin, cid) == ana["id"])
    assert ana_client.get(f"/api/v1/conversations/{cid}").status_code == 200
    bo = make_agent(admin, "Bo", [team])

    off = admin.request("PATCH", f"/api/v1/agents/{ana['id']}", json={"active": False})
    assert off.status_code == 200, off.text
    assert (off.json()["active"], off.json()["presence"]) == (False, "offline")
    assert wait_until(lambda: owner(admin, cid) == bo["id"]), "the team re-queues an offline agent's conversations"
    assert wait_until(lambda: ana_client.get("/api/v1/conversations").status_code == 401), \
        "the inbox refuses a token issued before the deactivation"
    assert Client(switchboard.url).post("/api/v1/auth/login", json={"email": "ana@example.com",
                                                                      "password": PASSWORD}).status_code == 401
    assert ana_client.request("PUT", "/api/v1/agents/me/presence", json={"status": "online"}).status_code == 401
    assert admin.request("PUT", f"/api/v1/agents/{ana['id']}/presence", json={"status": "online"}).status_code == 409
    later = chat(switchboard, "anyone?", name="Ned")
    assert wait_until(lambda: owner(admin, later) == bo["id"])
    moved = admin.request("PATCH", f"/api/v1/conversations/{later}", json={"assignee_id": ana["id"]})
    assert moved.status_code == 422, "nothing new goes to a deactivated agent, not even by hand"

    assert admin.request("PATCH", f"/api/v1/agents/{ana['id']}", json={"active": True}).status_code == 200
    assert wait_until(lambda: ana_client.get("/api/v1/conversations").status_code == 200)


@pytest.mark.parametrize("active", ["no", 0, None])
def test_active_must_be_true_or_false(admin, active):
    ana = make_agent(admin, "Ana", [default_team(admin)])
    answer = admin.request("PATCH", f"/api/v1/agents/{ana['id']}", json={"active": active})
    assert answer.status_code == 422 and "active" in answer.json()["error"]["details"]
    assert admin.get(f"/api/v1/agents/{ana['id']}").json()["active"] is True


def test_a_deactivated_admin_agents_token_no_longer_opens_the_admin_api(switchboard, admin):
    root = make_agent(admin, "Root", [default_team(admin)], role="admin")
    root_client = Client(switchboard.url).login("root@example.com", PASSWORD)
    assert root_client.get("/api/v1/routing/rules").status_code == 200
    assert admin.request("PATCH", f"/api/v1/agents/{root['id']}", json={"active": False}).status_code == 200
    for method, path in [("GET", "/api/v1/routing/rules"), ("GET", "/api/v1/agents/me"), ("GET", "/api/v1/teams")]:
        refused = root_client.request(method, path)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized", (method, path)
    made = root_client.post("/api/v1/agents", json={"name": "Sneaky", "email": "sneaky@example.com",
                                                    "password": PASSWORD, "teams": []})
    assert made.status_code == 401
