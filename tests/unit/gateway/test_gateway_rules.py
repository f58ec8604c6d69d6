"""The gateway's pure rules: scopes per path, webhook events, signatures, backoff, limits, spec merging."""

import hashlib
import hmac
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from gateway.delivery import RetryPolicy, encode, sign
from gateway.openapi import merge_specs
from gateway.ratelimit import RateLimits
from gateway.scopes import required_scope
from gateway.webhooks import check_target, external_events
from shared.config import ConfigError, Settings
from shared.envelopes import make_envelope
from shared.web.auth import GATEWAY_AUDIENCE, Principal, gateway_principal, sign_gateway_principal
from shared.web.errors import ApiError

SETTINGS = Settings(secret_key="unit-test-secret-key-long-enough-for-hs256")


@pytest.mark.parametrize("method, path, scope", [
    ("GET", "/api/v1/conversations", "conversations:read"),
    ("GET", "/api/v1/conversations/c1", "conversations:read"),
    ("PATCH", "/api/v1/conversations/c1", "conversations:write"),
    ("POST", "/api/v1/conversations/c1/notes", "conversations:write"),
    ("GET", "/api/v1/events", "conversations:read"),
    ("GET", "/api/v1/contacts/k1", "contacts:read"),
    ("POST", "/api/v1/contacts", "contacts:write"),
    ("POST", "/api/v1/contacts/k1/merge", "contacts:write"),
    ("GET", "/api/v1/search", "search"),
    ("POST", "/api/v1/teams", "admin"),
    ("GET", "/api/v1/agents", "admin"),
    ("GET", "/api/v1/routing/rules", "admin"),
    ("POST", "/api/v1/api-keys", "admin"),
    ("GET", "/api/v1/webhooks", "admin"),
    ("GET", "/api/v1/conversationsX", "admin"),
    ("POST", "/chat/v1/sessions", None),
    ("GET", "/healthz", None),
])
def test_each_path_needs_the_contract_scope(method, path, scope):
    assert required_scope(method, path) == scope


def _conversation(**changes):
    return {"id": "c1", "status": "open", "version": 2, **changes}


def _updated(changes, **conversation):
    return make_envelope("conversation.updated", {"conversation": _conversation(**conversation),
                                                  "contact": {"id": "k1"}, "changes": changes}, source="tests")


def test_bus_events_become_the_webhook_events_subscribers_know():
    stored = make_envelope("message.stored", {
        "message": {"id": "m1", "channel": "chat", "direction": "inbound", "text": "hi",
                    "created_at": datetime.now(timezone.utc)},
        "conversation": _conversation(), "contact": {"id": "k1"}}, source="tests")
    assert [e for e, _ in external_events(stored)] == ["message.created"]
    assert [e for e, _ in external_events(_updated(["assignee", "team"], assignee_id="a1"))] == [
        "conversation.updated", "conversation.assigned"]
    assert [e for e, _ in external_events(_updated(["assignee"], assignee_id=None))] == ["conversation.updated"]
    assert [e for e, _ in external_events(_updated(["status"], status="resolved"))] == [
        "conversation.updated", "conversation.resolved"]
    assert [e for e, _ in external_events(_updated(["priority"], status="resolved"))] == ["conversation.updated"]


def test_the_signature_is_hmac_sha256_of_timestamp_and_body_as_a_receiver_recomputes_it():
    body = encode({"type": "message.created", "data": {"text": "héllo"}})
    expected = hmac.new(b"whsec_s", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("whsec_s", 1700000000, body) == "sha256=" + expected
    assert sign("whsec_other", 1700000000, body) != sign("whsec_s", 1700000000, body)


def test_retries_back_off_exponentially_up_to_a_ceiling():
    policy = RetryPolicy(base_seconds=10, max_delay_seconds=60)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def test_a_spent_budget_answers_429_with_retry_after():
    limits = RateLimits(per_key="2/minute", per_ip="1/hour")
    limits.charge_key("k1")
    limits.charge_key("k1")
    with pytest.raises(ApiError) as refused:
        limits.charge_key("k1")
    assert refused.value.status == 429 and refused.value.code == "rate_limited"
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 60
    limits.charge_key("k2")  # budgets are per key
    limits.charge_address("10.0.0.1")
    with pytest.raises(ApiError) as by_address:
        limits.charge_address("10.0.0.1")
    assert int(by_address.value.headers["Retry-After"]) > 60


def test_a_malformed_limit_setting_names_the_variable():
    with pytest.raises(ConfigError, match="SWITCHBOARD_RATE_LIMIT_PER_KEY"):
        RateLimits(per_key="lots", per_ip="10/second")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook",
                                 "http://169.254.169.254/latest/meta-data", "http://[::1]/hook"])
def test_webhooks_to_our_own_network_are_refused_unless_allowed(url):
    with pytest.raises(ApiError) as refused:
        check_target(url, allow_private=False)
    assert refused.value.status == 422 and "url" in refused.value.details
    check_target(url, allow_private=True)


def test_only_http_urls_can_receive_webhooks():
    with pytest.raises(ApiError):
        check_target("ftp://example.com/x", allow_private=True)


def test_merged_spec_has_every_service_paths_and_schemas():
    own = {"openapi": "3.0.3", "paths": {"/api/v1/api-keys": {"post": {}}}, "components": {"schemas": {"A": {}}},
           "tags": [{"name": "gateway"}]}
    inbox = {"paths": {"/api/v1/conversations": {"get": {}}}, "components": {"schemas": {"B": {}}},
             "tags": [{"name": "inbox"}, {"name": "gateway"}]}
    merged = merge_specs(own, [inbox])
    assert set(merged["paths"]) == {"/api/v1/api-keys", "/api/v1/conversations"}
    assert set(merged["components"]["schemas"]) == {"A", "B"}
    assert [t["name"] for t in merged["tags"]] == ["gateway", "inbox"]
    assert own["paths"] == {"/api/v1/api-keys": {"post": {}}}, "the gateway's own spec is left untouched"


API_KEY = "sbk_the-key-the-client-sent"
PRINCIPAL = Principal(kind="api_key", id="key-1", name="CRM", role="api_key", scopes=frozenset({"search"}))


def test_services_accept_the_principal_the_gateway_signed_for_this_key():
    header = sign_gateway_principal(SETTINGS, PRINCIPAL, API_KEY)
    assert gateway_principal(SETTINGS, API_KEY, header) == PRINCIPAL


def test_services_ignore_a_missing_forged_replayed_or_expired_principal_header():
    header = sign_gateway_principal(SETTINGS, PRINCIPAL, API_KEY)
    assert gateway_principal(SETTINGS, API_KEY, None) is None
    assert gateway_principal(SETTINGS, "sbk_another-key", header) is None, "bound to the key it came with"
    forged = sign_gateway_principal(replace(SETTINGS, secret_key="an-outsider-guess-of-the-secret-key-xx"),
                                    replace(PRINCIPAL, scopes=frozenset({"admin"})), API_KEY)
    assert gateway_principal(SETTINGS, API_KEY, forged) is None
    past = datetime.now(timezone.utc) - timedelta(minutes=5)
    expired = jwt.encode({"sub": "key-1", "key": hashlib.sha256(API_KEY.encode()).hexdigest(), "aud": GATEWAY_AUDIENCE,
                          "iat": past, "exp": past + timedelta(seconds=60)}, SETTINGS.secret_key, algorithm="HS256")
    assert gateway_principal(SETTINGS, API_KEY, expired) is None
