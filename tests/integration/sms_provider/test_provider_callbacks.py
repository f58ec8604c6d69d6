import pytest

from services.sms.adapters.signatures import check_twilio_signature
from services.sms.adapters.twilio_client import TwilioMessagesClient
from services.sms.domain.outbound import TemporarySendError
from services.sms.domain.delivery import parse_status_form
from tests.support.webhook_receiver import WebhookReceiver

CUSTOMER = "+14155550123"
INBOX = "+14155550100"


@pytest.fixture
def receiver():
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def sent_sid(twilio_provider, receiver):
    with TwilioMessagesClient(
        twilio_provider.api_base, twilio_provider.account_sid, twilio_provider.auth_token
    ) as client:
        result = client.send(CUSTOMER, INBOX, "Your refund is on its way", receiver.url("/status"))
    return result.provider_sid


def test_a_status_callback_is_signed_so_switchboard_can_verify_it(twilio_provider, receiver, sent_sid):
    url = receiver.url("/webhooks/sms/twilio/status")
    response = twilio_provider.send_status_callback(url, sent_sid, "delivered")
    assert response.status_code == 204
    [post] = receiver.posts
    signature = post.headers["X-Twilio-Signature"]
    assert check_twilio_signature(twilio_provider.auth_token, url, post.form, signature)
    assert not check_twilio_signature("another-token", url, post.form, signature)


def test_a_status_callback_carries_what_twilio_posts(twilio_provider, receiver, sent_sid):
    twilio_provider.send_status_callback(receiver.url("/cb"), sent_sid, "undelivered", error_code=30003)
    form = receiver.posts[0].form
    assert (form["To"], form["From"], form["AccountSid"]) == (CUSTOMER, INBOX, twilio_provider.account_sid)
    update = parse_status_form(form)
    assert (update.message_sid, update.status, update.provider_status, update.error_code) == (
        sent_sid, "failed", "undelivered", 30003)


def test_report_status_posts_to_the_callback_the_message_was_sent_with(twilio_provider, receiver, sent_sid):
    twilio_provider.report_status(sent_sid, "sent")
    [post] = receiver.posts
    assert post.path == "/status"
    assert parse_status_form(post.form).status == "sent"
    assert twilio_provider.messages[0]["status"] == "sent"


def test_report_status_for_an_unknown_message_is_refused(twilio_provider):
    with pytest.raises(LookupError):
        twilio_provider.report_status("SM" + "0" * 32, "delivered")


def test_the_provider_stops_failing_once_the_scripted_answers_are_used_up(twilio_provider):
    twilio_provider.fail_next(2, 500)
    outcomes = []
    with TwilioMessagesClient(twilio_provider.api_base, twilio_provider.account_sid,
                              twilio_provider.auth_token, max_attempts=1) as client:
        for _ in range(3):
            try:
                outcomes.append(client.send(CUSTOMER, INBOX, "hi").status)
            except TemporarySendError as error:
                outcomes.append(type(error).__name__)
    assert outcomes == ["TemporarySendError", "TemporarySendError", "queued"]
