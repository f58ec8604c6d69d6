"""GET /api/v1/search as agents, admins and integrations use it, over real HTTP."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.integration.search_indexing.events import conversation_updated, message_stored
from tests.support.http import wait_until

any_text = st.text(st.characters(codec="utf-8"), max_size=300)


def index(running, *envelopes, expect_total: int) -> None:
    running.bus.publish(envelopes)
    admin = running.admin()
    assert wait_until(lambda: admin.get("/api/v1/search").json()["total"] == expect_total)


def search(client, **params) -> dict:
    answer = client.get("/api/v1/search", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_hit_carries_the_contracts_fields_with_a_highlighted_snippet(running_search):
    index(running_search, message_stored("m-1", "My <b>refund</b> for order 77 never arrived"), expect_total=1)

    body = search(running_search.admin(), q="refunds")

    assert body["total"] == 1 and body["next_cursor"] is None
    hit = body["items"][0]
    assert hit["message_id"] == "m-1" and hit["conversation_id"] == "conv-1" and hit["channel"] == "email"
    assert hit["contact"] == {"id": "contact-1", "name": "Ana Lima"}
    assert datetime.fromisoformat(hit["created_at"]).tzinfo is not None
    assert "<mark>refund</mark>" in hit["snippet"] and "&lt;b&gt;" in hit["snippet"]


def test_pages_follow_the_cursor_until_every_hit_was_seen_once(running_search):
    index(running_search, *[message_stored(f"m-{n}", f"password reset {n}", minute=n) for n in range(7)],
          expect_total=7)
    admin, seen, cursor = running_search.admin(), [], None
    while True:
        body = search(admin, q="password", limit=3, **({"cursor": cursor} if cursor else {}))
        assert body["total"] == 7
        seen += [hit["message_id"] for hit in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(f"m-{n}" for n in range(7))


def test_filters_narrow_the_search(running_search):
    index(running_search,
          message_stored("m-1", "late parcel", conversation_id="conv-1", minute=1),
          message_stored("m-2", "late parcel", conversation_id="conv-2", minute=5, status="resolved"),
          expect_total=2)
    admin = running_search.admin()
    assert [h["message_id"] for h in search(admin, q="parcel", status="resolved")["items"]] == ["m-2"]
    assert [h["message_id"] for h in search(admin, q="parcel", conversation_id="conv-1")["items"]] == ["m-1"]
    window = {"from": "2026-03-01T09:02:00+00:00", "to": "2026-03-01T10:00:00Z"}
    assert [h["message_id"] for h in search(admin, q="parcel", **window)["items"]] == ["m-2"]
    assert search(admin, q="parcel", channel="sms")["total"] == 0


def test_agents_find_only_their_teams_and_their_own_conversations(running_search):
    index(running_search,
          message_stored("m-billing", "invoice question", conversation_id="conv-1", team_id="billing"),
          message_stored("m-mine", "invoice again", conversation_id="conv-2", team_id="tech", assignee_id="lin"),
          message_stored("m-other", "invoice here", conversation_id="conv-3", team_id="tech"),
          expect_total=3)

    lin = running_search.agent("lin", team_ids=["billing"])
    assert sorted(h["message_id"] for h in search(lin, q="invoice")["items"]) == ["m-billing", "m-mine"]
    assert search(lin, q="invoice")["total"] == 2
    assert [h["message_id"] for h in search(lin, assignee_id="me")["items"]] == ["m-mine"]
    stranger = running_search.agent("max", team_ids=["sales"])
    assert search(stranger, q="invoice") == {"items": [], "total": 0, "next_cursor": None}


def test_a_transfer_changes_who_finds_the_conversation(running_search):
    index(running_search, message_stored("m-1", "broken screen", team_id="tech"), expect_total=1)
    running_search.bus.publish([conversation_updated("conv-1", 2, team_id="billing")])
    billing = running_search.agent("ivy", team_ids=["billing"])
    assert wait_until(lambda: search(billing, q="screen")["total"] == 1)
    assert search(running_search.agent("tom", team_ids=["tech"]), q="screen")["total"] == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=any_text)
def test_any_query_text_is_answered_never_a_500(running_search, q):
    answer = running_search.admin().get("/api/v1/search", params={"q": q})
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"items", "total", "next_cursor"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cursor=st.text(max_size=100))
def test_a_forged_cursor_is_a_400_never_a_500(running_search, cursor):
    answer = running_search.admin().get("/api/v1/search", params={"q": "x", "cursor": cursor})
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert answer.json()["error"]["code"] == "malformed"


def test_bad_parameters_get_the_contracts_error_shape(running_search):
    admin = running_search.admin()
    for params, field in [({"limit": 0}, "limit"), ({"limit": "many"}, "limit"), ({"from": "yesterday"}, "from"),
                          ({"status": "lost"}, "status"), ({"colour": "red"}, "colour"), ({"q": "x" * 1001}, "q")]:
        answer = admin.get("/api/v1/search", params=params)
        assert answer.status_code == 422, (params, answer.text)
        assert field in answer.json()["error"]["details"], answer.text


def test_search_needs_credentials(running_search):
    from tests.support.http import Client

    assert Client(running_search.url).get("/api/v1/search").status_code == 401


def test_with_the_engine_down_search_answers_503_with_the_reason(search_without_engine):
    answer = search_without_engine.admin().get("/api/v1/search", params={"q": "refund"})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    error = answer.json()["error"]
    assert error["code"] == "unavailable" and "did not answer" in error["details"]["reason"]
    ready = search_without_engine.admin().get("/readyz")
    assert ready.status_code == 503 and "search" in ready.json()["error"]["details"]
