"""API keys through the gateway: created by admins, shown once, scoped, revocable, with last use."""

import pytest

from shared.web.auth import ALL_SCOPES
from tests.integration.gateway.conftest import new_key
from tests.support.http import Client

# One request per scope; the status a permitted caller gets is whatever the service answers, never 403.
REQUESTS = {
    "conversations:read": ("GET", "/api/v1/conversations", None),
    "conversations:write": ("POST", "/api/v1/conversations/no-such-conversation/notes", {"text": "checked"}),
    "contacts:read": ("GET", "/api/v1/contacts/no-such-contact", None),
    "contacts:write": ("POST", "/api/v1/contacts", {"name": "Ana", "identities": [
        {"type": "email", "value": "ana@example.com"}], "attributes": {}}),
    "search": ("GET", "/api/v1/search?q=parcel", None),
    "admin": ("GET", "/api/v1/teams", None),
}


def test_scopes_matrix_each_key_reaches_exactly_what_its_scope_allows(switchboard, admin):
    for held in sorted(ALL_SCOPES):
        caller = Client(switchboard.url, new_key(admin, held, name=f"only {held}"))
        for needed, (method, path, body) in REQUESTS.items():
            answer = caller.request(method, path, json=body)
            if held in (needed, "admin"):
                assert answer.status_code not in (401, 403), (held, path, answer.text)
            else:
                assert answer.status_code == 403, (held, path, answer.text)
                assert answer.json()["error"]["code"] == "forbidden"
                assert answer.json()["error"]["details"] == {"required_scope": needed}


def test_a_key_is_shown_once_stored_hashed_and_records_when_it_was_last_used(switchboard, admin):
    created = admin.post("/api/v1/api-keys", json={"name": "CRM sync", "scopes": ["conversations:read", "search"]})
    assert created.status_code == 201
    body = created.json()
    assert body["key"].startswith("sbk_") and body["scopes"] == ["conversations:read", "search"]
    assert body["last_used_at"] is None

    listed = admin.get("/api/v1/api-keys").json()["items"]
    assert [k["id"] for k in listed] == [body["id"]]
    assert "key" not in listed[0] and body["key"] not in admin.get(f"/api/v1/api-keys/{body['id']}").text
    assert body["key"].startswith(listed[0]["prefix"])

    assert Client(switchboard.url, body["key"]).get("/api/v1/conversations").status_code == 200
    assert admin.get(f"/api/v1/api-keys/{body['id']}").json()["last_used_at"] is not None


def test_a_revoked_key_is_refused_from_then_on(switchboard, admin):
    key = new_key(admin, "search")
    key_id = admin.get("/api/v1/api-keys").json()["items"][0]["id"]
    assert Client(switchboard.url, key).get("/api/v1/search").status_code == 200
    assert admin.request("DELETE", f"/api/v1/api-keys/{key_id}").status_code == 204
    refused = Client(switchboard.url, key).get("/api/v1/search")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert admin.get(f"/api/v1/api-keys/{key_id}").json()["revoked_at"] is not None
    assert admin.request("DELETE", "/api/v1/api-keys/no-such-key").status_code == 404


def test_only_admins_create_keys_and_only_with_contract_scopes(switchboard, admin):
    assert Client(switchboard.url).post("/api/v1/api-keys", json={"name": "x", "scopes": ["search"]}).status_code == 401
    searcher = Client(switchboard.url, new_key(admin, "search"))
    assert searcher.post("/api/v1/api-keys", json={"name": "x", "scopes": ["admin"]}).status_code == 403
    key_admin = Client(switchboard.url, new_key(admin, "admin"))
    assert key_admin.post("/api/v1/api-keys", json={"name": "x", "scopes": ["search"]}).status_code == 201

    for bad in ({"name": "x", "scopes": ["everything"]}, {"name": "x", "scopes": []}, {"scopes": ["search"]},
                {"name": "x", "scopes": ["search"], "owner": "me"}):
        answer = admin.post("/api/v1/api-keys", json=bad)
        assert answer.status_code == 422, bad
        assert answer.json()["error"]["code"] == "invalid_fields" and answer.json()["error"]["details"]


@pytest.mark.parametrize("token", ["sbk_never-issued", "sbk_", "sbk_" + "x" * 500])
def test_an_unknown_key_is_401_in_the_contract_format(switchboard, token):
    answer = Client(switchboard.url, token).get("/api/v1/conversations")
    assert answer.status_code == 401
    assert set(answer.json()["error"]) == {"code", "message", "details"}

