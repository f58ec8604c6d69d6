"""Bounces: which of our mails a delivery status report returns, and the reason the remote server gave."""

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from services.email.parsing import DeliveryFailure, read_delivery_failure

CORPUS = Path(__file__).resolve().parents[2] / "data" / "email"

# The shape Gmail's mailer-daemon uses: the whole returned mail as message/rfc822.
GMAIL_STYLE = b"""\
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: support@northwind.example
Subject: Delivery Status Notification (Failure)
Message-ID: <5f1e.dsn@mx.google.com>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000dsn"; report-type=delivery-status

--000000000000dsn
Content-Type: text/plain; charset="UTF-8"

Your message wasn't delivered to mia@example.org because the address couldn't be found.

--000000000000dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Arrival-Date: Tue, 25 Mar 2025 03:10:12 -0700 (PDT)

Final-Recipient: rfc822; mia@example.org
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.org. (192.0.2.44, the server for the domain example.org.)
Diagnostic-Code: smtp; {diagnostic}

--000000000000dsn
Content-Type: message/rfc822

From: Northwind Support <support@northwind.example>
To: mia@example.org
Subject: Re: Refund
Message-ID: <reply-7@northwind.example>

We have refunded your order.

--000000000000dsn--
"""


def gmail_style(action="failed", status="5.1.1", diagnostic="550 5.1.1 The email account does not exist."):
    return GMAIL_STYLE.replace(b"{action}", action.encode()).replace(b"{status}", status.encode()) \
        .replace(b"{diagnostic}", diagnostic.encode())


def test_a_postfix_bounce_names_our_mail_from_its_returned_headers_and_the_servers_words():
    failure = read_delivery_failure((CORPUS / "bounce_mailer_daemon.eml").read_bytes())
    assert failure == DeliveryFailure(
        "174289740800.5555.1010101010101010101@northwind.example",
        "the mail to no.such.user@example.com bounced: 550 5.1.1 <no.such.user@example.com>: Recipient address "
        "rejected: User unknown in virtual mailbox table")


def test_a_gmail_bounce_names_our_mail_from_the_whole_returned_message():
    failure = read_delivery_failure(gmail_style())
    assert failure.original_message_id == "reply-7@northwind.example"
    assert failure.reason == "the mail to mia@example.org bounced: 550 5.1.1 The email account does not exist."


def test_without_a_diagnostic_the_status_code_is_the_reason():
    failure = read_delivery_failure(gmail_style(diagnostic="").replace(b"Diagnostic-Code: smtp; \n", b""))
    assert failure.reason == "the mail to mia@example.org bounced: status 5.1.1"


@pytest.mark.parametrize("raw", [
    gmail_style(action="delayed", status="4.4.7"),  # still trying: not a failure yet
    (CORPUS / "bounce_report_only.eml").read_bytes(),  # no returned mail to name ours
    (CORPUS / "auto_submitted_vacation.eml").read_bytes(),
    (CORPUS / "gmail_reply_threading.eml").read_bytes(),
    b"\x00\xff not a mail",
])
def test_anything_but_a_failure_report_naming_a_mail_is_no_bounce(raw):
    assert read_delivery_failure(raw) is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_no_input_crashes_the_bounce_reader(raw):
    found = read_delivery_failure(b"Content-Type: multipart/report; boundary=b\r\n\r\n--b\r\n" + raw)
    assert found is None or (found.original_message_id and isinstance(found.reason, str))
