"""`make bench`'s table: the agents' inbox figures beside the machine's ceiling."""

from bench.report import inbox_rows, render

LOADED = {"list@8": {"rps": 400.0, "p99_ms": 12.5, "non_2xx": 0},
          "detail@64": {"rps": 150.0, "p99_ms": 300.0, "non_2xx": 3}}


def test_each_inbox_load_shows_its_p99_and_its_share_of_the_flask_ceiling():
    rows = inbox_rows(LOADED, flask_ceiling=2000.0)
    assert [(r.what, r.value, r.unit) for r in rows] == [
        ("list@8 p99", 12.5, "ms"), ("list@8 throughput", 400.0, "req/s"),
        ("detail@64 p99, 3 not 2xx", 300.0, "ms"), ("detail@64 throughput", 150.0, "req/s")]
    assert [r.share_of_ceiling for r in rows] == ["", "20%", "", "8%"]


def test_only_the_list_at_8_connections_is_held_to_the_budget():
    list_p99, _, detail_p99, _ = inbox_rows(LOADED, flask_ceiling=2000.0)
    assert (list_p99.budget, list_p99.ok) == ("≤ 10 ms", False)
    assert (detail_p99.budget, detail_p99.ok) == ("", None)


def test_without_a_ceiling_the_throughput_is_shown_alone():
    table = render(inbox_rows(LOADED, flask_ceiling=None))
    assert "400.00 req/s" in table and "%" not in table
