"""Every service answers JSON the same way: sorted keys, ISO 8601 dates, nothing refused."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

from shared.config import Settings
from shared.web.app import create_base_app


def _answer(value):
    app, _ = create_base_app("json-test", Settings())
    app.add_url_rule("/value", "value", lambda: value)
    return app.test_client().get("/value")


def test_dates_are_iso_8601_with_their_microseconds_and_keys_are_sorted():
    moment = datetime(2026, 11, 24, 9, 30, 5, 120, tzinfo=timezone.utc)
    answer = _answer({"b": moment, "a": date(2026, 11, 24), "c": [moment.replace(microsecond=0)]})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.get_data(as_text=True).strip() == (
        '{"a":"2026-11-24","b":"2026-11-24T09:30:05.000120+00:00","c":["2026-11-24T09:30:05+00:00"]}')


def test_values_beyond_what_the_fast_writer_takes_are_still_answered():
    answer = _answer({"attributes": {"account": 2**70, "balance": Decimal("12.50"), "name": "Zoë"}})
    assert answer.status_code == 200
    assert json.loads(answer.get_data()) == {"attributes": {"account": 2**70, "balance": "12.50", "name": "Zoë"}}
