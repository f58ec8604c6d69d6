"""What an agent reads when a text did not reach the customer."""

import pytest

from services.sms.domain import failures


def test_twilios_unsubscribed_error_is_explained_as_the_customers_stop():
    assert failures.refused_reason(21610, "Attempt to send to unsubscribed recipient") == failures.OPTED_OUT


def test_other_refusals_keep_twilios_message_and_code():
    reason = failures.refused_reason(21211, "Invalid 'To' Phone Number")
    assert "Invalid 'To' Phone Number" in reason and "21211" in reason


def test_a_refusal_without_a_code_does_not_invent_one():
    assert "error" not in failures.refused_reason(None, "Bad Request")


@pytest.mark.parametrize("code, words", [(30003, "switched off"), (30005, "no longer in service"),
                                         (30006, "landline"), (30007, "spam")])
def test_common_carrier_errors_are_put_in_plain_words(code, words):
    reason = failures.undelivered_reason("undelivered", code)
    assert words in reason and str(code) in reason and "undelivered" in reason


def test_an_unknown_carrier_error_still_shows_its_code():
    assert failures.undelivered_reason("failed", 30999).endswith("(error 30999)")
