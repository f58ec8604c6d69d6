"""One customer, one history: the same person writes by email, then SMS, then web chat.

Everything runs for real in the embedded mode: mail over SMTP into Switchboard's server,
replies out through a real SMTP relay (an aiosmtpd sink), texts signed with twilio's own
RequestValidator, replies to a local server speaking Twilio's Messages API, and the chat
API with a verified visitor email. The agent sees one conversation with every channel in
it, answers on any of them, and after it is resolved the next message starts a new one
whose context lists the first.
"""

import dataclasses
import secrets
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import requests
from twilio.request_validator import RequestValidator

from services.webchat.identity import expected_user_hash
from shared import embedded
from tests.integration.email.smtp_sink import SmtpSink
from tests.support.http import Client, wait_until
from tests.support.processes import free_port
from tests.support.twilio_provider import FakeTwilioProvider

INBOX_ADDRESS = "support@switchboard.local"
INBOX_NUMBER = "+14155550100"
ANA_EMAIL = "ana.lima@example.com"
ANA_PHONE = "+14155550123"
IDENTITY_SECRET = "chat-identity-secret-for-tests"


@dataclasses.dataclass
class World:
    switchboard: embedded.EmbeddedSwitchboard
    twilio: FakeTwilioProvider
    relay: SmtpSink

    @property
    def url(self) -> str:
        return self.switchboard.url

    def email(self, subject: str, text: str) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = f"Ana Lima <{ANA_EMAIL}>", INBOX_ADDRESS, subject
        mail["Message-ID"] = make_msgid(domain="example.com")
        mail.set_content(text)
        with smtplib.SMTP("127.0.0.1", self.switchboard.smtp.port, timeout=15) as client:
            client.send_message(mail, to_addrs=[INBOX_ADDRESS])

    def text(self, body: str) -> None:
        form = {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": self.twilio.account_sid,
                "From": "(415) 555-0123", "To": INBOX_NUMBER, "Body": body, "NumMedia": "0"}
        path = "/webhooks/sms/twilio"
        signature = RequestValidator(self.twilio.auth_token).compute_signature(self.url + path, form)
        answer = requests.post(self.url + path, data=form, headers={"X-Twilio-Signature": signature}, timeout=15)
        assert answer.status_code == 200, answer.text

    def chat(self, text: str) -> None:
        started = Client(self.url).post("/chat/v1/sessions", json={
            "name": "Ana", "email": ANA_EMAIL, "user_hash": expected_user_hash(IDENTITY_SECRET, ANA_EMAIL)})
        assert started.status_code == 201, started.text
        session = started.json()
        visitor = Client(self.url, session["token"])
        sent = visitor.post(f"/chat/v1/sessions/{session['session_id']}/messages", json={"text": text})
        assert sent.status_code == 201, sent.text


@pytest.fixture
def world(start_embedded):
    port = free_port()
    with FakeTwilioProvider() as twilio, SmtpSink() as relay:
        yield World(start_embedded(
            http_port=port, public_url=f"http://127.0.0.1:{port}", smtp_relay_url=relay.url,
            twilio_account_sid=twilio.account_sid, twilio_auth_token=twilio.auth_token,
            twilio_api_base=twilio.api_base, sms_number=INBOX_NUMBER, chat_identity_secret=IDENTITY_SECRET),
            twilio, relay)


def test_email_then_sms_then_chat_is_one_conversation_with_the_whole_history(world):
    admin = Client(world.url, "test-admin-token")
    # The shop's CRM knows Ana's email and phone; both are stored normalised (lower case, E.164).
    upserted = admin.post("/api/v1/contacts", json={
        "name": "Ana Lima", "identities": [{"type": "email", "value": ANA_EMAIL.upper()},
                                           {"type": "phone", "value": "+1 415-555-0123"}],
        "attributes": {"plan": "gold"}})
    assert upserted.status_code == 201, upserted.text
    contact_id = upserted.json()["id"]

    agent = Client(world.url).login("agent@switchboard.local", "switchboard-demo")
    mine = lambda: agent.get("/api/v1/conversations", params={"assignee": "me"}).json()["items"]  # noqa: E731

    world.email("Order 4521 missing", "Hello, my order 4521 has not arrived.")
    assert wait_until(lambda: len(mine()) == 1), "the email never reached the agent"
    conversation_id = mine()[0]["id"]

    world.text("It's Ana again, any news on 4521?")
    world.chat("Hi, still waiting for order 4521")
    detail = lambda: agent.get(f"/api/v1/conversations/{conversation_id}").json()  # noqa: E731
    assert wait_until(lambda: len(detail()["messages"]) == 3), detail()["messages"]

    seen = detail()
    assert [(m["channel"], m["direction"]) for m in seen["messages"]] == [
        ("email", "inbound"), ("sms", "inbound"), ("chat", "inbound")]
    assert set(seen["channels"]) == {"email", "sms", "chat"}
    assert seen["assignee"]["name"] == mine()[0]["assignee"]["name"], "the owner is kept across channels"
    assert len(mine()) == 1, "no second conversation was opened"
    contact = seen["context"]["contact"]
    assert contact["id"] == contact_id and contact["attributes"]["plan"] == "gold"
    assert {(i["type"], i["value"]) for i in contact["identities"]} >= {("email", ANA_EMAIL), ("phone", ANA_PHONE)}

    # The agent answers by SMS although Ana last wrote on chat, then by email (the default is chat).
    by_sms = agent.post(f"/api/v1/conversations/{conversation_id}/messages",
                        json={"text": "It ships tomorrow.", "channel": "sms"})
    assert by_sms.status_code == 201, by_sms.text
    assert wait_until(lambda: any(m["body"] == "It ships tomorrow." for m in world.twilio.messages))
    by_email = agent.post(f"/api/v1/conversations/{conversation_id}/messages",
                          json={"text": "Tracking link to follow.", "channel": "email"})
    assert by_email.status_code == 201, by_email.text
    assert wait_until(lambda: any("Tracking link to follow." in r.message.get_body(("plain",)).get_content()
                                for r in world.relay.received))

    assert agent.request("PATCH", f"/api/v1/conversations/{conversation_id}",
                         json={"status": "resolved"}).status_code == 200
    world.chat("Thanks, it arrived! One more question about returns.")
    assert wait_until(lambda: any(c["id"] != conversation_id for c in mine()))
    newer = next(c for c in mine() if c["id"] != conversation_id)
    context = agent.get(f"/api/v1/conversations/{newer['id']}").json()["context"]
    assert context["contact"]["id"] == contact_id
    assert [p["id"] for p in context["previous_conversations"]] == [conversation_id]
    assert set(context["previous_conversations"][0]["channels"]) == {"email", "sms", "chat"}
