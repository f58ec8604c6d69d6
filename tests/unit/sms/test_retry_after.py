import datetime

import pytest

from services.sms.adapters.retry_policy import get_retry_after_seconds

NOW = datetime.datetime(2026, 11, 3, 12, 0, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(("header", "seconds"), [("0", 0.0), ("7", 7.0), (" 120 ", 120.0)])
def test_retry_after_in_seconds_is_read_as_seconds(header, seconds):
    assert get_retry_after_seconds(header, NOW) == seconds


def test_retry_after_as_an_http_date_is_the_time_until_then():
    assert get_retry_after_seconds("Tue, 03 Nov 2026 12:00:30 GMT", NOW) == 30.0


def test_an_http_date_in_the_past_means_retry_at_once():
    assert get_retry_after_seconds("Tue, 03 Nov 2026 11:00:00 GMT", NOW) == 0.0


@pytest.mark.parametrize("header", [None, "", "soon", "-5", "1.5", "٣", "Tue, 03 Nov 2026 12:00:30"])
def test_an_unreadable_retry_after_is_ignored(header):
    assert get_retry_after_seconds(header, NOW) is None
