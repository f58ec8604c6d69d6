"""SMS end to end in the embedded mode, over real HTTP only.

A customer's text arrives as Twilio posts it (signed with twilio's own RequestValidator);
an agent answers from the inbox API; the reply reaches a local server speaking Twilio's
Messages API; that server's signed status callbacks move the reply to delivered.
"""

import dataclasses
import secrets

import pytest
import requests
from twilio.request_validator import RequestValidator

from shared import embedded
from tests.support.http import Client, wait_until
from tests.support.processes import free_port
from tests.support.twilio_provider import FakeTwilioProvider

INBOX_NUMBER = "+14155550100"
CUSTOMER = "+14155550123"
INBOUND_PATH = "/webhooks/sms/twilio"
STATUS_PATH = "/webhooks/sms/twilio/status"


@dataclasses.dataclass
class SmsWorld:
    """A running Switchboard wired to a local Twilio, and ways to act in it."""

    switchboard: embedded.EmbeddedSwitchboard
    provider: FakeTwilioProvider

    @property
    def url(self) -> str:
        return self.switchboard.url

    def text(self, body: str, *, sender: str = CUSTOMER, sid: str | None = None, **fields) -> requests.Response:
        """Post a customer's text the way Twilio does, correctly signed."""
        form = {"MessageSid": sid or new_sid(), "AccountSid": self.provider.account_sid, "From": sender,
                "To": INBOX_NUMBER, "Body": body, "NumMedia": "0", **fields}
        return self.post_form(INBOUND_PATH, form)

    def post_form(self, path: str, form: dict, *, signature: str | None = None, token: str | None = None):
        signed = RequestValidator(token or self.provider.auth_token).compute_signature(self.url + path, form)
        headers = {} if signature == "" else {"X-Twilio-Signature": signature or signed}
        return requests.post(self.url + path, data=form, headers=headers, timeout=15)

    def agent(self) -> Client:
        return Client(self.url).login("agent@switchboard.local", "switchboard-demo")

    def admin(self) -> Client:
        return Client(self.url, "test-admin-token")

    def only_conversation(self, client: Client) -> dict:
        assert wait_until(lambda: len(client.get("/api/v1/conversations").json()["items"]) == 1)
        [item] = client.get("/api/v1/conversations").json()["items"]
        return client.get(f"/api/v1/conversations/{item['id']}").json()

    def reply(self, client: Client, conversation_id: str, text: str) -> dict:
        answer = client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": text})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def reply_once_settled(self, client: Client, conversation_id: str, message_id: str, settled) -> dict:
        """The reply as the agent sees it, once `settled(reply)` holds."""
        def current():
            messages = client.get(f"/api/v1/conversations/{conversation_id}").json()["messages"]
            return next(m for m in messages if m["id"] == message_id)
        assert wait_until(lambda: settled(current())), current()
        return current()


def new_sid() -> str:
    return "SM" + secrets.token_hex(16)


@pytest.fixture
def sms(start_embedded):
    port = free_port()
    with FakeTwilioProvider() as provider:
        yield SmsWorld(start_embedded(
            http_port=port, public_url=f"http://127.0.0.1:{port}", twilio_account_sid=provider.account_sid,
            twilio_auth_token=provider.auth_token, twilio_api_base=provider.api_base, sms_number=INBOX_NUMBER), provider)


def test_a_text_reaches_the_agent_and_the_reply_is_delivered(sms):
    answer = sms.text("Hi, my order #4521 hasn't arrived yet.")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/xml") and "<Response" in answer.text

    agent = sms.agent()
    mine = lambda: agent.get("/api/v1/conversations?assignee=me").json()["items"]  # noqa: E731
    assert wait_until(lambda: len(mine()) == 1), "the text was never assigned to the demo agent"
    item = mine()[0]
    assert item["channel"] == "sms" and "#4521" in item["last_message"]["preview"]
    conversation = agent.get(f"/api/v1/conversations/{item['id']}").json()
    identities = {(i["type"], i["value"]) for i in conversation["context"]["contact"]["identities"]}
    assert identities == {("phone", CUSTOMER)}

    long_text = "We are so sorry about the delay. " * 6  # 198 characters: two SMS parts
    reply = sms.reply(agent, item["id"], long_text)
    assert reply["channel"] == "sms" and reply["status"] == "queued"

    assert wait_until(lambda: len(sms.provider.messages) == 1)
    [sent] = sms.provider.messages
    assert (sent["to"], sent["from"], sent["body"]) == (CUSTOMER, INBOX_NUMBER, long_text)
    assert sent["status_callback"] == sms.url + STATUS_PATH
    assert all(request.authorised for request in sms.provider.received)

    queued = sms.reply_once_settled(agent, item["id"], reply["id"], lambda m: "segments" in m["metadata"])
    assert queued["status"] == "queued" and queued["metadata"]["segments"] == 2
    assert queued["metadata"]["provider_message_id"] == sent["sid"]

    assert sms.provider.report_status(sent["sid"], "sent").status_code == 204
    sms.reply_once_settled(agent, item["id"], reply["id"], lambda m: m["status"] == "sent")
    assert sms.provider.report_status(sent["sid"], "delivered").status_code == 204
    delivered = sms.reply_once_settled(agent, item["id"], reply["id"], lambda m: m["status"] == "delivered")
    assert delivered["metadata"]["segments"] == 2 and delivered["status_reason"] is None


@pytest.mark.parametrize("status, error_code, words", [
    ("undelivered", 30003, "switched off"),
    ("failed", 30006, "landline"),
])
def test_a_carrier_failure_shows_the_agent_why(sms, status, error_code, words):
    sms.text("Please call me back")
    admin = sms.admin()
    conversation = sms.only_conversation(admin)
    reply = sms.reply(admin, conversation["id"], "Calling you now")
    assert wait_until(lambda: len(sms.provider.messages) == 1)
    sms.provider.report_status(sms.provider.messages[0]["sid"], status, error_code=error_code)
    failed = sms.reply_once_settled(admin, conversation["id"], reply["id"], lambda m: m["status"] == "failed")
    assert words in failed["status_reason"] and str(error_code) in failed["status_reason"]
    assert failed["metadata"]["provider_status"] == status


def test_numbers_in_many_national_formats_are_one_contact(sms):
    for number in ("(415) 555-0123", "+1 415 555 0123", "415.555.0123", "1-415-555-0123", "+14155550123"):
        assert sms.text(f"from {number}", sender=number).status_code == 200
    admin = sms.admin()
    conversation = sms.only_conversation(admin)
    assert wait_until(lambda: len(admin.get(f"/api/v1/conversations/{conversation['id']}").json()["messages"]) == 5)
    identities = admin.get(f"/api/v1/conversations/{conversation['id']}").json()["context"]["contact"]["identities"]
    assert [(i["type"], i["value"]) for i in identities] == [("phone", CUSTOMER)]


def test_a_resolved_conversation_stays_closed_and_a_new_text_opens_a_new_one(sms):
    sms.text("First question")
    admin = sms.admin()
    first = sms.only_conversation(admin)
    assert admin.request("PATCH", f"/api/v1/conversations/{first['id']}", json={"status": "resolved"}).ok
    sms.text("A new question, a week later")
    opened = lambda: admin.get("/api/v1/conversations?status=open").json()["items"]  # noqa: E731
    assert wait_until(lambda: len(opened()) == 1 and opened()[0]["id"] != first["id"])
    second = admin.get(f"/api/v1/conversations/{opened()[0]['id']}").json()
    assert [m["text"] for m in second["messages"]] == ["A new question, a week later"]
    assert first["id"] in [c["id"] for c in second["context"]["previous_conversations"]]


def test_media_are_recorded_with_their_urls_and_types(sms):
    photo, receipt = "https://api.twilio.com/media/ME1", "https://api.twilio.com/media/ME2"
    sms.text("Photos of the damaged box", NumMedia="2", MediaUrl0=photo, MediaContentType0="image/jpeg",
             MediaUrl1=receipt, MediaContentType1="application/pdf")
    [message] = sms.only_conversation(sms.admin())["messages"]
    assert [(a["url"], a["content_type"]) for a in message["attachments"]] == [
        (photo, "image/jpeg"), (receipt, "application/pdf")]


def test_a_repeated_message_sid_is_stored_once(sms):
    sid = new_sid()
    assert sms.text("Is anyone there?", sid=sid).status_code == 200
    assert sms.text("Is anyone there?", sid=sid).status_code == 200
    sms.text("Hello?")  # once this one is in, a second copy of the first would be too
    admin = sms.admin()
    conversation = sms.only_conversation(admin)
    texts = lambda: [m["text"] for m in admin.get(f"/api/v1/conversations/{conversation['id']}").json()["messages"]]  # noqa: E731
    assert wait_until(lambda: "Hello?" in texts())
    assert texts() == ["Is anyone there?", "Hello?"]


@pytest.mark.parametrize("signature, token", [
    ("", None),                       # no signature at all
    ("bm90IGEgc2lnbmF0dXJl", None),   # a made-up one
    (None, "someone-elses-token"),    # signed, but not with our auth token
])
def test_unsigned_or_badly_signed_texts_are_refused_and_not_published(sms, signature, token):
    form = {"MessageSid": new_sid(), "From": "+14155550999", "To": INBOX_NUMBER, "Body": "forged", "NumMedia": "0"}
    answer = sms.post_form(INBOUND_PATH, form, signature=signature, token=token)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    sms.text("genuine")
    admin = sms.admin()
    conversation = sms.only_conversation(admin)
    assert [m["text"] for m in conversation["messages"]] == ["genuine"]


def test_a_text_signed_for_another_url_is_refused(sms):
    form = {"MessageSid": new_sid(), "From": CUSTOMER, "To": INBOX_NUMBER, "Body": "replayed", "NumMedia": "0"}
    signature = RequestValidator(sms.provider.auth_token).compute_signature(sms.url + "/elsewhere", form)
    assert sms.post_form(INBOUND_PATH, form, signature=signature).status_code == 403


@pytest.mark.parametrize("fields, status, bad_field", [
    ({"From": ""}, 422, "From"),
    ({"From": "not a number"}, 422, "From"),
    ({"MessageSid": "12345"}, 422, "MessageSid"),
    ({"NumMedia": "2"}, 422, "MediaUrl0"),
    ({"NumMedia": "many"}, 422, "NumMedia"),
    ({"NumMedia": "1", "MediaUrl0": "file:///etc/passwd"}, 422, "MediaUrl0"),
    ({"Body": "x" * 17000}, 422, "Body"),
    ({"Body": "nul \x00 byte"}, 422, "Body"),
    ({"Body": "x" * 70_000}, 413, None),
])
def test_malformed_and_oversized_forms_get_a_4xx_in_the_contracts_shape(sms, fields, status, bad_field):
    answer = sms.text("hello", **fields)
    assert answer.status_code == status, answer.text
    if bad_field:
        assert bad_field in answer.json()["error"]["details"]
    else:
        assert answer.json()["error"]["code"] == "too_large"


def test_a_body_that_is_not_a_form_is_refused(sms):
    answer = requests.post(sms.url + INBOUND_PATH, json={"From": CUSTOMER}, timeout=15)
    assert answer.status_code == 415 and answer.json()["error"]["code"] == "unsupported_media_type"


def test_provider_busy_then_the_reply_goes_out(sms):
    sms.text("Where is my parcel?")
    admin = sms.admin()
    conversation = sms.only_conversation(admin)
    sms.provider.fail_next(1, 429, retry_after="0")
    sms.provider.fail_next(1, 500)
    reply = sms.reply(admin, conversation["id"], "It is out for delivery")
    assert wait_until(lambda: len(sms.provider.messages) == 1)
    assert [r.form.get("Body") for r in sms.provider.received] == ["It is out for delivery"] * 3
    queued = sms.reply_once_settled(admin, conversation["id"], reply["id"], lambda m: "segments" in m["metadata"])
    assert queued["status"] == "queued" and queued["metadata"]["segments"] == 1


def test_a_refused_reply_fails_with_twilios_error_code(sms):
    sms.text("Can you text my other phone?")
    admin = sms.admin()
    conversation = sms.only_conversation(admin)
    sms.provider.fail_next(1, 400, code=21211, message="Invalid 'To' Phone Number")
    reply = sms.reply(admin, conversation["id"], "Sure")
    failed = sms.reply_once_settled(admin, conversation["id"], reply["id"], lambda m: m["status"] == "failed")
    assert "21211" in failed["status_reason"] and "Invalid 'To' Phone Number" in failed["status_reason"]
    assert failed["metadata"]["error_code"] == 21211
    assert len(sms.provider.received) == 1  # a 4xx is not retried


def test_an_opted_out_customer_gets_no_replies_until_they_opt_back_in(sms):
    sms.text("Where is my refund?")
    assert sms.text("STOP").status_code == 200
    admin = sms.admin()
    conversation = sms.only_conversation(admin)
    assert wait_until(lambda: len(admin.get(f"/api/v1/conversations/{conversation['id']}").json()["messages"]) == 2)
    stop = admin.get(f"/api/v1/conversations/{conversation['id']}").json()["messages"][1]
    assert stop["text"] == "STOP" and stop["metadata"]["keyword"] == "opt_out"

    refused = sms.reply(admin, conversation["id"], "Your refund was sent today")
    failed = sms.reply_once_settled(admin, conversation["id"], refused["id"], lambda m: m["status"] == "failed")
    assert failed["status_reason"] == "the customer opted out by texting STOP"
    assert sms.provider.received == []

    sms.text("START")
    assert wait_until(lambda: len(admin.get(f"/api/v1/conversations/{conversation['id']}").json()["messages"]) == 4)
    sms.reply(admin, conversation["id"], "Welcome back")
    assert wait_until(lambda: [m["body"] for m in sms.provider.messages] == ["Welcome back"])


def test_help_reaches_the_agent_marked_as_such(sms):
    sms.text("help")
    [message] = sms.only_conversation(sms.admin())["messages"]
    assert message["metadata"]["keyword"] == "help"


def test_status_callbacks_must_be_signed_and_may_name_unknown_messages(sms):
    form = {"MessageSid": new_sid(), "MessageStatus": "delivered", "AccountSid": sms.provider.account_sid}
    assert sms.post_form(STATUS_PATH, form, signature="").status_code == 403
    assert sms.post_form(STATUS_PATH, form, token="someone-elses-token").status_code == 403
    assert sms.post_form(STATUS_PATH, form).status_code == 204  # not ours: nothing to update
    bad = sms.post_form(STATUS_PATH, {**form, "MessageStatus": "exploded"})
    assert bad.status_code == 422 and "MessageStatus" in bad.json()["error"]["details"]
