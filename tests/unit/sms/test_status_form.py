import pytest

from services.sms.domain.delivery import DeliveryUpdate, parse_status_form
from services.sms.domain.errors import InvalidSmsForm
from tests.support.sms_forms import load_form

SID = "SMdeadbeefdeadbeefdeadbeefdeadbeef"


def test_a_delivered_callback_becomes_a_delivered_update():
    update = parse_status_form(load_form("status_delivered.txt"))
    assert update == DeliveryUpdate(SID, "delivered", "delivered", None)


def test_undelivered_fails_but_stays_visible_with_its_carrier_error():
    update = parse_status_form(load_form("status_undelivered.txt"))
    assert update == DeliveryUpdate(SID, "failed", "undelivered", 30003)


@pytest.mark.parametrize(
    ("provider_status", "status"),
    [
        ("accepted", "queued"), ("scheduled", "queued"), ("queued", "queued"),
        ("sending", "queued"), ("sent", "sent"), ("partially_delivered", "sent"),
        ("delivered", "delivered"), ("read", "delivered"), ("undelivered", "failed"),
        ("failed", "failed"), ("canceled", "failed"),
    ],
)
def test_each_twilio_status_maps_onto_a_switchboard_status(provider_status, status):
    form = {"MessageSid": SID, "MessageStatus": provider_status}
    assert parse_status_form(form).status == status


def test_the_status_is_read_without_regard_to_case():
    form = {"MessageSid": SID, "MessageStatus": "Delivered"}
    assert parse_status_form(form).provider_status == "delivered"


def test_an_older_callback_with_only_sms_status_is_understood():
    assert parse_status_form({"MessageSid": SID, "SmsStatus": "sent"}).status == "sent"


def _details(form):
    with pytest.raises(InvalidSmsForm) as caught:
        parse_status_form(form)
    return caught.value.details


@pytest.mark.parametrize("status", ["received", "receiving", "exploded"])
def test_a_status_that_is_not_about_delivery_is_refused(status):
    assert "MessageStatus" in _details({"MessageSid": SID, "MessageStatus": status})


def test_a_callback_without_status_or_sid_names_both():
    assert _details({}) == {"MessageSid": "is required", "MessageStatus": "is required"}


@pytest.mark.parametrize("code", ["abc", "-5", "30003.0"])
def test_an_error_code_must_be_numeric(code):
    form = {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": code}
    assert "ErrorCode" in _details(form)


def test_a_blank_error_code_means_none():
    form = {"MessageSid": SID, "MessageStatus": "sent", "ErrorCode": ""}
    assert parse_status_form(form).error_code is None
