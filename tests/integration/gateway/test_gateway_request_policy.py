"""The gateway's limits over real HTTP: rate limits (429 + Retry-After), body size (413), Idempotency-Key."""

import http.client
from urllib.parse import urlsplit

from tests.integration.gateway.conftest import ADMIN, new_key
from tests.support.http import Client


def test_a_key_over_its_budget_gets_429_with_retry_after_while_other_keys_go_on(start_switchboard):
    switchboard = start_switchboard(rate_limit_per_key="3/minute")
    admin = Client(switchboard.url, ADMIN)
    busy, calm = (Client(switchboard.url, new_key(admin, "search")) for _ in range(2))
    assert [busy.get("/api/v1/search").status_code for _ in range(3)] == [200, 200, 200]
    refused = busy.get("/api/v1/search")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limited" and refused.json()["error"]["details"]["limit"]
    assert calm.get("/api/v1/search").status_code == 200


def test_a_client_address_over_its_budget_gets_429_but_probes_still_answer(start_switchboard):
    switchboard = start_switchboard(rate_limit_per_ip="4/hour")
    visitor = Client(switchboard.url)
    answers = [visitor.post("/chat/v1/sessions", json={"name": "Ana"}).status_code for _ in range(5)]
    assert answers == [201, 201, 201, 201, 429]
    refused = visitor.get("/chat/widget.js")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 60
    assert visitor.get("/healthz").status_code == 200


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(start_switchboard):
    switchboard = start_switchboard(rate_limit_per_ip="1/hour", trusted_proxy_hops=1)
    visitor = Client(switchboard.url)
    ana = lambda: visitor.get("/chat/widget.js", headers={"X-Forwarded-For": "203.0.113.7"})  # noqa: E731
    assert [ana().status_code, ana().status_code] == [200, 429]
    assert visitor.get("/chat/widget.js", headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 200


def test_guessing_api_keys_spends_the_address_budget(start_switchboard):
    switchboard = start_switchboard(rate_limit_per_ip="2/hour")
    guesser = Client(switchboard.url, "sbk_guess")
    assert [guesser.get("/api/v1/conversations").status_code for _ in range(3)] == [401, 401, 429]


def test_bodies_over_the_limit_are_413_whether_announced_or_chunked(switchboard):
    admin = Client(switchboard.url, ADMIN)
    big = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    answer = admin.post("/api/v1/teams", data=big, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"

    chunked = admin.post("/chat/v1/sessions", data=iter([big[i:i + 65536] for i in range(0, len(big), 65536)]),
                         headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413 and chunked.json()["error"]["code"] == "too_large"
    assert admin.get("/api/v1/teams").status_code == 200, "the gateway still serves after refusing"


def test_a_retried_post_with_the_same_idempotency_key_returns_the_first_result(switchboard):
    admin = Client(switchboard.url, ADMIN)
    first = admin.post("/api/v1/teams", json={"name": "Billing"}, headers={"Idempotency-Key": "billing-1"})
    again = admin.post("/api/v1/teams", json={"name": "Billing"}, headers={"Idempotency-Key": "billing-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert [t["name"] for t in admin.get("/api/v1/teams").json()["items"]].count("Billing") == 1

    reused = admin.post("/api/v1/teams", json={"name": "Sales"}, headers={"Idempotency-Key": "billing-1"})
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"


def test_idempotency_keys_belong_to_one_caller_and_failed_requests_can_be_retried(switchboard):
    admin = Client(switchboard.url, ADMIN)
    other = Client(switchboard.url, new_key(admin, "admin"))
    mine = admin.post("/api/v1/teams", json={"name": "Mine"}, headers={"Idempotency-Key": "shared-key"})
    theirs = other.post("/api/v1/teams", json={"name": "Theirs"}, headers={"Idempotency-Key": "shared-key"})
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]

    invalid = admin.post("/api/v1/teams", json={"name": ""}, headers={"Idempotency-Key": "k-invalid"})
    assert invalid.status_code == 422
    replayed = admin.post("/api/v1/teams", json={"name": ""}, headers={"Idempotency-Key": "k-invalid"})
    assert replayed.status_code == 422 and replayed.headers["Idempotent-Replayed"] == "true"
    too_long = admin.post("/api/v1/teams", json={"name": "X"}, headers={"Idempotency-Key": "k" * 300})
    assert too_long.status_code == 400


def test_request_ids_are_kept_from_the_client_or_made_up(switchboard):
    parts = urlsplit(switchboard.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", "/healthz", headers={"X-Request-ID": "trace-42"})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.getheader("X-Request-ID") == "trace-42"
    assert len(Client(switchboard.url).get("/healthz").headers["X-Request-ID"]) >= 16
