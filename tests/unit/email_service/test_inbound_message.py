"""From a parsed email to the InboundMessage the inbox receives, and what is refused (pure code)."""

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from shared.envelopes import dump_envelope, load_envelope, make_envelope
from services.email.attachments import media_type, safe_filename
from services.email.inbound_message import NotACustomerMessage, check_customer_message, inbound_payload, thread_ids
from services.email.parsing import parse_email
from services.email.smtp_server import is_inbox_recipient

CORPUS = Path(__file__).resolve().parents[2] / "data" / "email"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def parsed(name: str):
    return parse_email((CORPUS / name).read_bytes())


def test_the_new_part_of_a_reply_is_the_text_and_the_quote_is_kept_beside_it():
    email = parsed("gmail_reply_threading.eml")
    payload = inbound_payload(email, conversation_id="c-1", received_at=NOW)
    assert payload["text"].startswith("Hi Mia,\n\nthe code worked")
    assert "> here is your discount code: SPRING25." in payload["metadata"]["quoted_text"]
    assert "gmail_quote" in payload["html"]
    assert payload["thread"] == {"message_id": email.message_id, "in_reply_to": email.in_reply_to,
                                 "references": list(email.references), "conversation_id": "c-1"}
    assert payload["channel_message_id"] == email.message_id
    make_envelope("inbound.email", payload, source="tests")  # fits the shared schema


def test_stored_attachments_travel_with_their_urls_and_fit_the_shared_schema():
    stored = [{"filename": "invoice.pdf", "content_type": "application/pdf", "size": 120, "too_large": False,
               "url": "/api/v1/email/attachments/a-1"},
              {"filename": "video.mp4", "content_type": "video/mp4", "size": 90_000_000, "too_large": True,
               "url": None}]
    payload = inbound_payload(parsed("attachment_pdf.eml"), conversation_id=None, received_at=NOW,
                              attachments=stored)
    assert "conversation_id" not in payload["thread"]
    envelope = load_envelope(dump_envelope(make_envelope("inbound.email", payload, source="tests")))
    assert envelope.payload["attachments"] == stored


@pytest.mark.parametrize("given, safe", [
    ("invoice.pdf", "invoice.pdf"),
    ("../../etc/passwd", "etc_passwd"),
    ("C:\\Users\\ana\\Rechnung März.pdf", "C_Users_ana_Rechnung März.pdf"),
    ('a"; filename="evil.exe', "a_ filename=_evil.exe"),
    ("line\r\nbreak.txt", "line_break.txt"),
    ("...", "attachment"),
    (None, "attachment"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_attachment_names_are_made_safe_to_offer_as_a_download(given, safe):
    assert safe_filename(given) == safe


@pytest.mark.parametrize("declared, served", [
    ("image/png", "image/png"),
    ("Application/PDF", "application/pdf"),
    ("text/html\r\nSet-Cookie: a=b", "application/octet-stream"),
    ("nonsense", "application/octet-stream"),
    ("", "application/octet-stream"),
])
def test_only_a_plain_media_type_is_served_as_declared(declared, served):
    assert media_type(declared) == served


def test_an_auto_reply_is_marked_with_its_reason():
    payload = inbound_payload(parsed("auto_submitted_vacation.eml"), conversation_id="c-1", received_at=NOW)
    assert payload["metadata"]["auto_reply"] is True
    assert payload["metadata"]["auto_reply_reason"].startswith("Auto-Submitted")


def test_the_sender_address_is_lower_cased_as_contacts_are():
    email = replace(parsed("gmail_reply_threading.eml"), from_address="Mia.Jones@Example.COM")
    assert inbound_payload(email, conversation_id=None, received_at=NOW)["sender"]["value"] == "mia.jones@example.com"


def test_a_reply_points_first_at_in_reply_to_then_the_newest_references():
    email = replace(parsed("gmail_reply_threading.eml"), in_reply_to="b@x", references=("root@x", "a@x", "b@x"))
    assert thread_ids(email) == ["b@x", "a@x", "root@x"]


@pytest.mark.parametrize("sender, reason", [
    ("", "no sender address"),
    ("not-an-address", "no sender address"),
    ("Support@Northwind.example", "mail loop"),
    ("a" * 400 + "@example.com", "longer than an address"),
])
def test_mail_that_cannot_be_a_customer_message_is_refused_with_a_reason(sender, reason):
    email = replace(parsed("gmail_reply_threading.eml"), from_address=sender)
    with pytest.raises(NotACustomerMessage, match=reason):
        check_customer_message(email, "support@northwind.example")


@pytest.mark.parametrize("address, accepted", [
    ("support@northwind.example", True),
    ("<Support@NORTHWIND.example>", True),
    ("support+c-7f3k9q2x@northwind.example", True),
    ("support@elsewhere.example", False),
    ("sales@northwind.example", False),
    ("support@northwind.example.evil.test", False),
    ("supportx@northwind.example", False),
])
def test_only_the_inbox_and_its_plus_addresses_are_recipients(address, accepted):
    assert is_inbox_recipient(address, "support@northwind.example") is accepted
