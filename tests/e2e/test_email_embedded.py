"""Email end to end in the embedded mode: a customer's mail client, the inbox API, and a real relay.

The customer writes over SMTP (smtplib to Switchboard's aiosmtpd server); the agent answers
through the inbox API; the reply reaches a real SMTP relay (an aiosmtpd sink) threaded under
the customer's mail; the customer's answer to it lands in the same conversation, even after
it was resolved.
"""

from pathlib import Path
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import smtplib

from services.email import inbound
from tests.integration.email.smtp_sink import SmtpSink
from tests.support.http import Client, wait_until

INBOX = "support@switchboard.local"
BOUNCE = Path(__file__).resolve().parents[1] / "data" / "email" / "bounce_mailer_daemon.eml"


@pytest.fixture
def relay():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def switchboard(start_embedded, relay):
    return start_embedded(smtp_relay_url=relay.url)


def customer_mail(subject: str, text: str, *, sender: str = "Ana Lima <ana@example.com>", to: str = INBOX,
                  in_reply_to: str | None = None, message_id: str | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Message-ID"] = message_id or make_msgid(domain="example.com")
    if in_reply_to:
        mail["In-Reply-To"] = mail["References"] = in_reply_to
    mail.set_content(text)
    return mail


def send(switchboard, mail: EmailMessage, to: str = INBOX) -> None:
    with smtplib.SMTP("127.0.0.1", switchboard.smtp.port, timeout=15) as client:
        client.send_message(mail, to_addrs=[to])


def agent(switchboard) -> Client:
    return Client(switchboard.url).login("agent@switchboard.local", "switchboard-demo")


def only_conversation(client: Client) -> dict:
    assert wait_until(lambda: len(client.get("/api/v1/conversations").json()["items"]) == 1)
    return client.get("/api/v1/conversations").json()["items"][0]


def messages_of(client: Client, conversation_id: str) -> list[dict]:
    return client.get(f"/api/v1/conversations/{conversation_id}").json()["messages"]


def test_an_emailed_question_is_answered_in_the_customers_thread(switchboard, relay):
    first = customer_mail("Order #1234 has not arrived", "Hello, my order #1234 has not arrived yet.\n\nAna")
    send(switchboard, first)

    dana = agent(switchboard)
    assert wait_until(lambda: len(dana.get("/api/v1/conversations?assignee=me").json()["items"]) == 1)
    item = dana.get("/api/v1/conversations?assignee=me").json()["items"][0]
    assert item["channel"] == "email" and item["contact"]["name"] == "Ana Lima"
    [question] = messages_of(dana, item["id"])
    assert question["subject"] == "Order #1234 has not arrived"
    assert "has not arrived yet" in question["text"] and question["sender"] == "ana@example.com"

    answer = dana.post(f"/api/v1/conversations/{item['id']}/messages", json={"text": "Sorry! It ships today."})
    assert answer.status_code == 201 and answer.json()["channel"] == "email"
    assert wait_until(lambda: len(relay.received) == 1)
    sent = relay.received[0]
    reply = sent.message
    assert sent.rcpt_tos == ["ana@example.com"] and sent.mail_from == INBOX
    assert reply["From"].addresses[0].addr_spec == INBOX
    assert reply["Subject"] == "Re: Order #1234 has not arrived"
    assert reply["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in reply["References"]
    assert reply["Message-ID"] != first["Message-ID"]
    assert reply["Reply-To"].addresses[0].addr_spec == f"support+c-{item['id']}@switchboard.local"
    assert "Sorry! It ships today." in reply.get_body(("plain",)).get_content()
    assert "Sorry! It ships today." in reply.get_body(("html",)).get_content()
    assert wait_until(lambda: messages_of(dana, item["id"])[1]["status"] == "sent")
    assert messages_of(dana, item["id"])[1]["metadata"]["provider_message_id"] == reply["Message-ID"].strip("<>")

    send(switchboard, customer_reply(reply, "Thanks, it arrived!"))
    assert wait_until(lambda: len(messages_of(dana, item["id"])) == 3)
    latest = messages_of(dana, item["id"])[2]
    assert latest["text"].strip() == "Thanks, it arrived!"
    assert "Sorry! It ships today." in latest["metadata"]["quoted_text"]
    assert [c["id"] for c in dana.get("/api/v1/conversations").json()["items"]] == [item["id"]]


def test_a_reply_to_our_mail_reopens_its_resolved_conversation(switchboard, relay):
    send(switchboard, customer_mail("Invoice question", "Why was I charged twice?"))
    admin = Client(switchboard.url, "test-admin-token")
    conversation = only_conversation(admin)
    admin.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "Looking into it."})
    assert wait_until(lambda: len(relay.received) == 1)
    assert admin.request("PATCH", f"/api/v1/conversations/{conversation['id']}",
                         json={"status": "resolved"}).status_code == 200

    send(switchboard, customer_reply(relay.received[0].message, "It happened again."))
    assert wait_until(lambda: len(messages_of(admin, conversation["id"])) == 3)
    listed = admin.get("/api/v1/conversations").json()["items"]
    assert [(c["id"], c["status"]) for c in listed] == [(conversation["id"], "open")]


def customer_reply(ours: EmailMessage, text: str) -> EmailMessage:
    """What the customer's mail client sends when they answer our reply: threaded, with the quote."""
    quoted = "".join(f"> {line}\n" for line in ours.get_body(("plain",)).get_content().splitlines())
    body = f"{text}\n\nOn Mon, 23 Nov 2026 at 10:00, Support <{INBOX}> wrote:\n{quoted}"
    return customer_mail(f"Re: {ours['Subject']}", body, in_reply_to=ours["Message-ID"])


def test_the_same_mail_delivered_twice_is_stored_once(switchboard):
    mail = customer_mail("Password reset", "I cannot log in.")
    send(switchboard, mail)
    send(switchboard, mail)
    admin = Client(switchboard.url, "test-admin-token")
    conversation = only_conversation(admin)
    webhook = Client(switchboard.url).post("/webhooks/email/mime", data=mail.as_bytes(),
                                           headers={"Content-Type": "message/rfc822"})
    assert webhook.status_code == 202 and webhook.json()["status"] == "accepted"
    found = lambda: admin.get("/api/v1/search", params={"q": "log"}).json()["total"]  # noqa: E731
    assert wait_until(lambda: found() == 1)
    assert len(messages_of(admin, conversation["id"])) == 1


def test_a_provider_posts_raw_mime_to_the_webhook(switchboard):
    mail = customer_mail("Refund", "Please refund order #77.", sender="bo@example.org")
    answer = Client(switchboard.url).post("/webhooks/email/mime", data=mail.as_bytes(),
                                          headers={"Content-Type": "message/rfc822"})
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"status": "accepted", "message_id": mail["Message-ID"].strip("<>"),
                             "quarantine_id": None, "reason": None}
    admin = Client(switchboard.url, "test-admin-token")
    conversation = only_conversation(admin)
    assert messages_of(admin, conversation["id"])[0]["text"].strip() == "Please refund order #77."


def test_a_relay_that_refuses_the_reply_marks_it_failed_with_the_reason(switchboard, relay):
    relay.handler.answers = ["550 5.1.1 No such user here"]
    send(switchboard, customer_mail("Hello", "Anyone there?", sender="gone@example.com"))
    admin = Client(switchboard.url, "test-admin-token")
    conversation = only_conversation(admin)
    admin.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "Yes, we are."})
    assert wait_until(lambda: messages_of(admin, conversation["id"])[1]["status"] == "failed")
    failed = messages_of(admin, conversation["id"])[1]
    assert "550" in failed["status_reason"] and "No such user" in failed["status_reason"]
    assert relay.received == []


def test_mail_that_cannot_become_a_customer_message_is_kept_for_admins(switchboard):
    garbage = b"\x00\x01 this is not an email at all \xff"
    with smtplib.SMTP("127.0.0.1", switchboard.smtp.port, timeout=15) as client:
        client.sendmail("someone@example.com", [INBOX], garbage)
    admin = Client(switchboard.url, "test-admin-token")
    listed = admin.get("/api/v1/email/quarantine").json()
    assert listed["total"] == 1
    [item] = listed["items"]
    assert item["reason"] == "no sender address" and item["source"] == "smtp"
    assert item["mail_from"] == "someone@example.com"
    raw = admin.get(f"/api/v1/email/quarantine/{item['id']}/raw")
    assert raw.status_code == 200 and raw.content.rstrip(b"\r\n") == garbage
    assert admin.get("/api/v1/conversations").json()["items"] == []

    agent_only = agent(switchboard)
    assert agent_only.get("/api/v1/email/quarantine").status_code == 403
    assert Client(switchboard.url).get("/api/v1/email/quarantine").status_code == 401


def test_an_agent_downloads_a_customers_attachment_from_the_conversation(switchboard, monkeypatch):
    monkeypatch.setattr(inbound, "MAX_ATTACHMENT_BYTES", 2048)
    invoice, video = b"%PDF-1.7 the invoice", b"v" * 5000
    mail = customer_mail("Wrong invoice", "The invoice is attached; the video shows the damage.")
    mail.add_attachment(invoice, maintype="application", subtype="pdf", filename="Rechnung März.pdf")
    mail.add_attachment(video, maintype="video", subtype="mp4", filename="damage.mp4")
    send(switchboard, mail)

    dana = agent(switchboard)
    conversation = only_conversation(dana)
    [message] = messages_of(dana, conversation["id"])
    pdf, mp4 = message["attachments"]
    assert pdf["filename"] == "Rechnung März.pdf" and pdf["size"] == len(invoice) and pdf["too_large"] is False
    assert mp4 == {"filename": "damage.mp4", "content_type": "video/mp4", "size": len(video), "too_large": True,
                   "url": None}

    download = dana.get(pdf["url"])
    assert download.status_code == 200 and download.content == invoice
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    stranger = Client(switchboard.url).get(pdf["url"])
    assert stranger.status_code == 401 and stranger.json()["error"]["code"] == "unauthorized"
    for missing in ("/api/v1/email/attachments/00000000-0000-4000-8000-000000000000",
                    "/api/v1/email/attachments/not-an-id"):
        assert dana.get(missing).json()["error"]["code"] == "not_found"


def test_an_out_of_office_answer_is_kept_without_reopening_the_conversation(switchboard, relay):
    send(switchboard, customer_mail("Warranty", "Is my kettle still covered?"))
    admin = Client(switchboard.url, "test-admin-token")
    conversation = only_conversation(admin)
    admin.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "Yes, for two years."})
    assert wait_until(lambda: len(relay.received) == 1)
    assert admin.request("PATCH", f"/api/v1/conversations/{conversation['id']}",
                         json={"status": "resolved"}).status_code == 200
    before = admin.get(f"/api/v1/conversations/{conversation['id']}").json()

    out_of_office = customer_mail("Automatic reply: Re: Warranty", "I am away until Monday.",
                                  in_reply_to=relay.received[0].message["Message-ID"])
    out_of_office["Auto-Submitted"] = "auto-replied"
    send(switchboard, out_of_office)

    assert wait_until(lambda: len(messages_of(admin, conversation["id"])) == 3)
    after = admin.get(f"/api/v1/conversations/{conversation['id']}").json()
    assert after["status"] == "resolved" and after["waiting_since"] == before["waiting_since"]
    assert after["messages"][2]["metadata"]["auto_reply"] is True
    assert after["activity"][-1]["action"] == "auto_reply_received"


def test_a_bounce_of_our_reply_marks_it_failed_with_the_remote_servers_reason(switchboard, relay):
    send(switchboard, customer_mail("Delivery address", "Please change it.", sender="no.such.user@example.com"))
    admin = Client(switchboard.url, "test-admin-token")
    conversation = only_conversation(admin)
    admin.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "Done, changed."})
    assert wait_until(lambda: messages_of(admin, conversation["id"])[1]["status"] == "sent")

    # What the customer's mail server sent back, a while after our relay took the reply (Postfix's DSN).
    ours = relay.received[0].message["Message-ID"]
    dsn = BOUNCE.read_bytes().replace(b"<174289740800.5555.1010101010101010101@northwind.example>", ours.encode())
    with smtplib.SMTP("127.0.0.1", switchboard.smtp.port, timeout=15) as client:
        client.sendmail("", [INBOX], dsn)

    assert wait_until(lambda: messages_of(admin, conversation["id"])[1]["status"] == "failed")
    detail = admin.get(f"/api/v1/conversations/{conversation['id']}").json()
    assert len(detail["messages"]) == 2
    assert "550 5.1.1" in detail["messages"][1]["status_reason"]
    assert "User unknown" in detail["messages"][1]["status_reason"]
    assert detail["activity"][-1]["action"] == "delivery_failed"
    assert admin.get("/api/v1/email/quarantine").json()["total"] == 0


@pytest.mark.parametrize("body, headers, status, code", [
    (b"", {"Content-Type": "message/rfc822"}, 400, "malformed"),
    (b"   \r\n", {"Content-Type": "message/rfc822"}, 400, "malformed"),
    (b"From: a@example.com\r\n\r\nhi", {"Content-Type": "application/json"}, 415, "unsupported_media_type"),
    (b"x" * (25 * 1024 * 1024 + 1), {"Content-Type": "message/rfc822"}, 413, "too_large"),
])
def test_bad_webhook_bodies_get_the_contracts_error_shape(switchboard, body, headers, status, code):
    answer = Client(switchboard.url).post("/webhooks/email/mime", data=body, headers=headers)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
