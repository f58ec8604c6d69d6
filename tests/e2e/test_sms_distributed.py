"""SMS with every service in its own process (gateway, SMS webhooks, SMS sender, inbox, routing...).

Twilio signs SWITCHBOARD_PUBLIC_URL, the address it is given, while the request reaches the
SMS service through the gateway; the reply goes out from the separate `consume sms` process.
"""

import secrets

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.support.http import Client, wait_until
from tests.support.processes import DISTRIBUTED_ADMIN
from tests.support.twilio_provider import FakeTwilioProvider

ADMIN = DISTRIBUTED_ADMIN
PUBLIC_URL = "https://support.example.com"
INBOX_NUMBER, CUSTOMER = "+14155550100", "+14155550123"


@pytest.fixture
def provider():
    with FakeTwilioProvider() as provider:
        yield provider


@pytest.fixture
def switchboard(start_distributed, provider):
    return start_distributed(
        SWITCHBOARD_PUBLIC_URL=PUBLIC_URL, SWITCHBOARD_TWILIO_ACCOUNT_SID=provider.account_sid,
        SWITCHBOARD_TWILIO_AUTH_TOKEN=provider.auth_token, SWITCHBOARD_TWILIO_API_BASE=provider.api_base,
        SWITCHBOARD_SMS_NUMBER=INBOX_NUMBER)


def post_signed(base_url: str, path: str, form: dict, auth_token: str) -> requests.Response:
    signature = RequestValidator(auth_token).compute_signature(PUBLIC_URL + path, form)
    return requests.post(base_url + path, data=form, headers={"X-Twilio-Signature": signature}, timeout=15)


def test_a_text_and_its_reply_travel_through_separate_processes(switchboard, provider):
    form = {"MessageSid": "SM" + secrets.token_hex(16), "From": "(415) 555-0123", "To": INBOX_NUMBER,
            "Body": "Is my order shipped?", "NumMedia": "0"}
    answer = post_signed(switchboard.url, "/webhooks/sms/twilio", form, provider.auth_token)
    assert answer.status_code == 200, answer.text + switchboard.logs()

    admin = Client(switchboard.url, ADMIN)
    items = lambda: admin.get("/api/v1/conversations").json()["items"]  # noqa: E731
    assert wait_until(lambda: len(items()) == 1, timeout=20), switchboard.logs()
    conversation_id = items()[0]["id"]
    reply = admin.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": "Yes, this morning."})
    assert reply.status_code == 201, reply.text

    assert wait_until(lambda: len(provider.messages) == 1, timeout=20), switchboard.logs()
    sent = provider.messages[0]
    assert (sent["to"], sent["body"]) == (CUSTOMER, "Yes, this morning.")
    assert sent["status_callback"] == PUBLIC_URL + "/webhooks/sms/twilio/status"

    status = provider.state.status_form(sent["sid"], "delivered", None)
    assert post_signed(switchboard.url, "/webhooks/sms/twilio/status", status, provider.auth_token).status_code == 204
    reply_status = lambda: admin.get(f"/api/v1/conversations/{conversation_id}").json()["messages"][1]["status"]  # noqa: E731
    assert wait_until(lambda: reply_status() == "delivered", timeout=20), switchboard.logs()
