import re

import pytest

from services.sms.adapters.twilio_client import TwilioMessagesClient
from services.sms.domain.outbound import PermanentSendError, SendResult, TemporarySendError
from tests.support.twilio_provider import FakeTwilioProvider

CUSTOMER = "+14155550123"
INBOX = "+14155550100"


class RecordedSleeps(list):
    """Stands in for time.sleep, keeping the waits the client asked for."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def sleeps():
    return RecordedSleeps()


@pytest.fixture
def client(twilio_provider, sleeps):
    client = TwilioMessagesClient(
        twilio_provider.api_base,
        twilio_provider.account_sid,
        twilio_provider.auth_token,
        backoff_seconds=0.5,
        sleep=sleeps,
    )
    yield client
    client.close()


def test_a_message_is_sent_and_the_provider_answer_is_returned(client, twilio_provider):
    result = client.send(CUSTOMER, INBOX, "Your order ships today", "https://sb.example/status")
    assert isinstance(result, SendResult)
    assert re.fullmatch(r"SM[0-9a-f]{32}", result.provider_sid)
    assert (result.status, result.num_segments, result.error_code) == ("queued", 1, None)
    [message] = twilio_provider.messages
    assert message["sid"] == result.provider_sid
    assert (message["to"], message["from"], message["body"]) == (CUSTOMER, INBOX, "Your order ships today")
    assert message["status_callback"] == "https://sb.example/status"


def test_the_segment_count_comes_from_the_provider(client):
    assert client.send(CUSTOMER, INBOX, "ж" * 71).num_segments == 2


def test_without_a_status_callback_none_is_sent(client, twilio_provider):
    client.send(CUSTOMER, INBOX, "hello")
    assert "StatusCallback" not in twilio_provider.received[0].form


def test_a_429_is_retried_after_the_wait_the_provider_asks_for(client, twilio_provider, sleeps):
    twilio_provider.fail_next(1, 429, retry_after="2")
    result = client.send(CUSTOMER, INBOX, "hello")
    assert result.status == "queued"
    assert len(twilio_provider.received) == 2
    assert sleeps == [2.0]


def test_a_very_long_retry_after_is_capped(twilio_provider, sleeps):
    twilio_provider.fail_next(1, 429, retry_after="3600")
    with TwilioMessagesClient(twilio_provider.api_base, twilio_provider.account_sid,
                              twilio_provider.auth_token, max_wait_seconds=5, sleep=sleeps) as client:
        client.send(CUSTOMER, INBOX, "hello")
    assert sleeps == [5]


def test_a_429_without_retry_after_backs_off_exponentially(client, twilio_provider, sleeps):
    twilio_provider.fail_next(3, 429)
    client.send(CUSTOMER, INBOX, "hello")
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_500_is_retried_until_the_provider_accepts(client, twilio_provider, sleeps):
    twilio_provider.fail_next(2, 500)
    result = client.send(CUSTOMER, INBOX, "hello")
    assert len(twilio_provider.received) == 3
    assert len(twilio_provider.messages) == 1
    assert result.provider_sid == twilio_provider.messages[0]["sid"]
    assert sleeps == [0.5, 1.0]


def test_a_dropped_connection_is_retried(client, twilio_provider):
    twilio_provider.drop_next(1)
    assert client.send(CUSTOMER, INBOX, "hello").status == "queued"
    assert len(twilio_provider.received) == 2


def test_a_provider_that_keeps_failing_gives_a_temporary_error_after_every_attempt(
    client, twilio_provider, sleeps
):
    twilio_provider.fail_next(None, 500)
    with pytest.raises(TemporarySendError) as caught:
        client.send(CUSTOMER, INBOX, "hello")
    assert (caught.value.http_status, caught.value.code) == (500, 20500)
    assert len(twilio_provider.received) == 4
    assert len(sleeps) == 3
    assert twilio_provider.messages == []


def test_the_number_of_attempts_can_be_chosen(twilio_provider):
    twilio_provider.fail_next(None, 500)
    with TwilioMessagesClient(twilio_provider.api_base, twilio_provider.account_sid,
                              twilio_provider.auth_token, max_attempts=2, backoff_seconds=0) as client:
        with pytest.raises(TemporarySendError):
            client.send(CUSTOMER, INBOX, "hello")
    assert len(twilio_provider.received) == 2


def test_an_unreachable_provider_gives_a_temporary_error(sleeps):
    with FakeTwilioProvider() as provider:
        api_base = provider.api_base
    with TwilioMessagesClient(api_base, provider.account_sid, provider.auth_token, sleep=sleeps) as client:
        with pytest.raises(TemporarySendError, match="unreachable") as caught:
            client.send(CUSTOMER, INBOX, "hello")
    assert caught.value.http_status is None
    assert len(sleeps) == 3


def test_an_invalid_to_number_is_a_permanent_error_with_twilios_code(client, twilio_provider, sleeps):
    with pytest.raises(PermanentSendError) as caught:
        client.send("+1 555 555 0123", INBOX, "hello")
    assert (caught.value.code, caught.value.http_status) == (21211, 400)
    assert "To" in caught.value.message
    assert len(twilio_provider.received) == 1
    assert sleeps == []


def test_a_scripted_400_is_not_retried(client, twilio_provider):
    twilio_provider.fail_next(5, 400, code=21211, message="Invalid 'To' Phone Number")
    with pytest.raises(PermanentSendError) as caught:
        client.send(CUSTOMER, INBOX, "hello")
    assert caught.value.code == 21211
    assert len(twilio_provider.received) == 1


def test_an_unsubscribed_recipient_is_a_permanent_error(client, twilio_provider):
    twilio_provider.unsubscribe(CUSTOMER)
    with pytest.raises(PermanentSendError) as caught:
        client.send(CUSTOMER, INBOX, "hello")
    assert caught.value.code == 21610


def test_an_empty_body_is_refused_by_the_provider(client):
    with pytest.raises(PermanentSendError) as caught:
        client.send(CUSTOMER, INBOX, "")
    assert caught.value.code == 21602


def test_wrong_credentials_are_a_permanent_401(twilio_provider, sleeps):
    with TwilioMessagesClient(twilio_provider.api_base, twilio_provider.account_sid,
                              "not-the-token", sleep=sleeps) as client:
        with pytest.raises(PermanentSendError) as caught:
            client.send(CUSTOMER, INBOX, "hello")
    assert (caught.value.http_status, caught.value.code) == (401, 20003)
    assert len(twilio_provider.received) == 1
    assert not twilio_provider.received[0].authorised


def test_a_client_for_another_account_is_refused_as_unauthorised(twilio_provider):
    with TwilioMessagesClient(twilio_provider.api_base, "AC" + "f" * 32,
                              twilio_provider.auth_token, backoff_seconds=0) as client:
        with pytest.raises(PermanentSendError) as caught:
            client.send(CUSTOMER, INBOX, "hello")
    assert caught.value.http_status == 401


def test_a_503_is_retried_like_any_server_error(client, twilio_provider):
    twilio_provider.fail_next(1, 503)
    assert client.send(CUSTOMER, INBOX, "hello").status == "queued"
    assert len(twilio_provider.received) == 2


def test_the_client_posts_to_the_messages_path_with_basic_auth(client, twilio_provider):
    client.send(CUSTOMER, INBOX, "hello")
    [request] = twilio_provider.received
    assert request.path == f"/2010-04-01/Accounts/{twilio_provider.account_sid}/Messages.json"
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.authorised
