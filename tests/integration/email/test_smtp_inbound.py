"""The inbound SMTP server against real RabbitMQ and PostgreSQL, spoken to by smtplib.

What it publishes is read straight off the inbox's queue, so these tests see exactly what
the inbox would receive, and nothing that was not published.
"""

import smtplib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from shared.config import Settings
from shared.envelopes import load_envelope, make_envelope
from shared.messaging import MessageBus
from services.email import inbound, thread_keys
from services.email.attachments import find_attachment
from services.email.bootstrap import bootstrap
from services.email.quarantine import list_quarantined
from services.email.smtp_server import SmtpServer
from tests.integration.email.conftest import INBOX

CORPUS = Path(__file__).resolve().parents[2] / "data" / "email"


@pytest.fixture
def email_service(settings):
    MessageBus(settings.broker_url).declare()
    service = bootstrap(settings)
    yield service
    service.runtime.close()


@pytest.fixture
def smtp(email_service):
    server = email_service.start_smtp("127.0.0.1", 0)
    yield server
    server.stop()


def published(settings: Settings) -> list:
    """Every envelope waiting on the inbox's queue, taken off it."""
    found = []
    bus = MessageBus(settings.broker_url)
    bus.take_all("inbox.inbound", lambda headers, body: found.append(load_envelope(body)) or True)
    bus.close()
    return found


def mail(text="Where is my parcel?", **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Ana Lima <Ana@Example.com>")
    message["To"] = headers.pop("To", INBOX)
    message["Subject"] = headers.pop("Subject", "Parcel")
    message["Message-ID"] = headers.pop("Message_ID", "<q-1@example.com>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def send(server, message, to=(INBOX,)):
    with smtplib.SMTP("127.0.0.1", server.port, timeout=15) as client:
        return client.send_message(message, to_addrs=list(to))


def test_a_mail_for_the_inbox_is_published_with_its_parts_before_250(smtp, settings):
    assert send(smtp, mail()) == {}
    [envelope] = published(settings)
    payload = envelope.payload
    assert envelope.type == "inbound.email"
    assert payload["channel_message_id"] == "q-1@example.com"
    assert payload["sender"] == {"type": "email", "value": "ana@example.com", "verified": False}
    assert payload["sender_name"] == "Ana Lima" and payload["subject"] == "Parcel"
    assert payload["text"].strip() == "Where is my parcel?"
    assert payload["thread"] == {"message_id": "q-1@example.com", "in_reply_to": None, "references": []}
    assert "auto_reply" not in payload["metadata"]


def test_other_recipients_are_refused_so_the_server_is_no_open_relay(smtp, settings):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(smtp, mail(), to=["victim@elsewhere.example"])
    code, text = refused.value.recipients["victim@elsewhere.example"]
    assert code == 550 and b"Relaying denied" in text
    assert published(settings) == []


def test_a_plus_address_of_the_inbox_is_accepted_and_its_token_threads(smtp, settings):
    tokened = "support+c-3f2a9c1e-0000-4000-8000-000000000001@example.com"
    send(smtp, mail(To=tokened), to=[tokened])
    [envelope] = published(settings)
    assert envelope.payload["thread"]["conversation_id"] == "3f2a9c1e-0000-4000-8000-000000000001"


def test_a_reply_to_a_known_message_carries_its_conversation(smtp, settings, email_service):
    with email_service.runtime.db.transaction() as db:
        thread_keys.remember(db, "conversation-7", ["ours-1@example.com"], "outbound")
    send(smtp, mail(Message_ID="<q-2@example.com>", In_Reply_To="<ours-1@example.com>",
                    References="<q-1@example.com> <ours-1@example.com>"))
    [envelope] = published(settings)
    assert envelope.payload["thread"]["conversation_id"] == "conversation-7"
    assert envelope.payload["thread"]["references"] == ["q-1@example.com", "ours-1@example.com"]


def test_the_thread_lookups_of_several_mails_share_one_query_and_each_gets_its_own_answer(email_service):
    with email_service.runtime.db.transaction() as db:
        thread_keys.remember(db, "conversation-1", ["a@x.example"], "outbound")
        thread_keys.remember(db, "conversation-2", ["b@x.example", "c@x.example"], "inbound")
    with email_service.runtime.db.reading() as db:
        found = thread_keys.find_conversations(db, [["unknown@x.example", "c@x.example", "a@x.example"],
                                                    ["nothing@x.example"], [], ["a@x.example"]])
    assert found == ["conversation-2", None, None, "conversation-1"]


def test_an_oversized_mail_is_refused_with_552(email_service, settings):
    small = SmtpServer(email_service.take_in, INBOX, host="127.0.0.1", port=0, max_message_bytes=2000).start()
    try:
        with pytest.raises(smtplib.SMTPException) as refused:
            send(small, mail("x" * 5000))
        assert "552" in str(refused.value)
    finally:
        small.stop()
    assert published(settings) == []


def test_garbage_is_accepted_and_kept_aside_for_an_admin_never_dropped(smtp, settings, email_service):
    with smtplib.SMTP("127.0.0.1", smtp.port, timeout=15) as client:
        client.sendmail("robot@example.net", [INBOX], b"\x00\xff\xfe garbage without any header")
    assert published(settings) == []
    items, total = list_quarantined(email_service.runtime)
    assert total == 1 and items[0]["reason"] == "no sender address" and items[0]["mail_from"] == "robot@example.net"


def test_an_auto_reply_outside_any_conversation_is_kept_aside_not_published(smtp, settings, email_service):
    send(smtp, mail(Subject="Out of office", Auto_Submitted="auto-replied"))
    assert published(settings) == []
    items, _ = list_quarantined(email_service.runtime)
    assert items[0]["reason"].startswith("automatic reply (Auto-Submitted: auto-replied)")


def test_an_auto_reply_in_a_known_thread_is_published_marked_as_automatic(smtp, settings, email_service):
    with email_service.runtime.db.transaction() as db:
        thread_keys.remember(db, "conversation-9", ["174279960011.2211.3344556677889900111@northwind.example"],
                             "outbound")
    raw = (CORPUS / "auto_submitted_vacation.eml").read_bytes()  # a vacation reply to that message
    with smtplib.SMTP("127.0.0.1", smtp.port, timeout=15) as client:
        client.sendmail("someone@example.org", [INBOX], raw)
    [envelope] = published(settings)
    assert envelope.payload["metadata"]["auto_reply"] is True
    assert envelope.payload["thread"]["conversation_id"] == "conversation-9"


def with_files(*files: tuple[str, str, bytes]) -> EmailMessage:
    message = mail("The photos you asked for.", Message_ID="<files-1@example.com>")
    for filename, content_type, content in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def test_attachments_are_kept_up_to_the_limit_and_published_with_their_urls(smtp, settings, email_service,
                                                                            monkeypatch):
    monkeypatch.setattr(inbound, "MAX_ATTACHMENT_BYTES", 1024)
    photo, scan = b"\x89PNG small photo", b"%PDF-" + b"x" * 4000
    send(smtp, with_files(("../../etc/photo.png", "image/png", photo), ("scan.pdf", "application/pdf", scan)))
    [envelope] = published(settings)
    kept, dropped = envelope.payload["attachments"]
    assert kept["filename"] == "etc_photo.png" and kept["content_type"] == "image/png"
    assert kept["size"] == len(photo) and kept["too_large"] is False
    assert kept["url"].startswith("/api/v1/email/attachments/")
    assert dropped == {"filename": "scan.pdf", "content_type": "application/pdf", "size": len(scan),
                       "too_large": True, "url": None}
    with email_service.runtime.db.reading() as db:
        stored = find_attachment(db, kept["url"].rpartition("/")[2])
    assert stored.content == photo and stored.too_large is False


def test_a_mail_delivered_again_points_at_the_attachments_stored_the_first_time(smtp, settings):
    files = with_files(("notes.txt", "text/plain", b"first copy"))
    send(smtp, files)
    send(smtp, files)
    first, again = published(settings)
    assert first.payload["attachments"] == again.payload["attachments"]


def test_mail_from_many_sessions_at_once_is_each_published_once_before_its_250(smtp, settings):
    def deliver(session: int) -> list:
        with smtplib.SMTP("127.0.0.1", smtp.port, timeout=30) as client:
            return [client.send_message(mail(f"Mail {n}", Message_ID=f"<s{session}-{n}@example.com>"), to_addrs=[INBOX])
                    for n in range(5)]

    with ThreadPoolExecutor(8) as sessions:
        refusals = [answer for answers in sessions.map(deliver, range(8)) for answer in answers]
    assert refusals == [{}] * 40
    ids = sorted(envelope.payload["channel_message_id"] for envelope in published(settings))
    assert ids == sorted(f"s{session}-{n}@example.com" for session in range(8) for n in range(5))


def test_the_server_answers_451_when_the_broker_is_down(settings):
    down = replace(settings, broker_url="amqp://guest:guest@127.0.0.1:1//")
    service = bootstrap(down)
    server = service.start_smtp("127.0.0.1", 0)
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(server, mail())
        assert refused.value.smtp_code == 451
    finally:
        server.stop()
        service.runtime.close()


def stored(conversation_id: str, channel: str, message_id: str | None):
    return make_envelope("message.stored", {
        "message": {"id": f"m-{conversation_id}-{message_id}", "channel": channel, "direction": "inbound",
                    "text": "hello", "channel_message_id": message_id, "created_at": datetime.now(timezone.utc)},
        "conversation": {"id": conversation_id, "status": "open", "version": 1},
        "contact": {"id": "k-1", "name": "Ana"}}, source="tests")


def test_a_batch_of_stored_messages_teaches_the_conversations_of_its_emails_only(email_service):
    rt = email_service.runtime
    thread_keys.learn_from_stored(rt, [
        stored("conversation-1", "email", "first@x.example"),
        stored("conversation-2", "email", "first@x.example"),  # the same id again: the first owner keeps it
        stored("conversation-3", "chat", "chat-message@x.example"),
        stored("conversation-4", "email", None),
        stored("conversation-5", "email", "second@x.example"),
    ])
    thread_keys.learn_from_stored(rt, [stored("conversation-6", "email", "second@x.example")])  # redelivered later

    with rt.db.reading() as db:
        found = thread_keys.find_conversations(db, [["first@x.example"], ["chat-message@x.example"],
                                                    ["second@x.example"]])
    assert found == ["conversation-1", None, "conversation-5"]
