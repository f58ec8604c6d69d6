"""Automatic mail is recognised by its headers, its report type, its sender or its subject."""

import pytest

from services.email.parsing.auto_reply import find_auto_reply_reason


def _reason(headers=None, subject="Question about my order", sender="anna@example.com", report=False):
    return find_auto_reply_reason(headers or {}, subject, sender, report)


@pytest.mark.parametrize("headers, reason", [
    ({"auto-submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
    ({"auto-submitted": "Auto-Generated; owner-email=x@example.com"}, "Auto-Submitted: auto-generated"),
    ({"x-autoreply": "yes"}, "X-Autoreply header"),
    ({"x-autorespond": "Thank you"}, "X-Autorespond header"),
    ({"precedence": "bulk"}, "Precedence: bulk"),
    ({"precedence": "Junk"}, "Precedence: junk"),
    ({"precedence": "auto_reply"}, "Precedence: auto_reply"),
    ({"x-auto-response-suppress": "All"}, "X-Auto-Response-Suppress: All"),
    ({"x-auto-response-suppress": "DR, OOF, AutoReply"}, "X-Auto-Response-Suppress: DR, OOF, AutoReply"),
])
def test_auto_reply_headers_are_recognised(headers, reason):
    assert _reason(headers) == reason


@pytest.mark.parametrize("headers", [
    {"auto-submitted": "no"}, {"auto-submitted": ""}, {"precedence": "list"}, {"x-autoreply": "no"},
    {"x-auto-response-suppress": "DR, RN"}, {"x-mailer": "Outlook"},
])
def test_headers_that_do_not_mean_automatic_mail_are_ignored(headers):
    assert _reason(headers) is None


def test_a_delivery_status_report_is_automatic():
    assert _reason(report=True) == "delivery status report"


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.com", "postmaster@example.org"])
def test_mail_server_senders_are_automatic(sender):
    assert _reason(sender=sender) == f"sent by {sender.split('@')[0]}"


@pytest.mark.parametrize("subject", [
    "Out of Office: Re: order", "Automatic reply: Your order", "AUTO-REPLY: away", "Abwesenheitsnotiz: Rechnung",
    "Automatische Antwort: Rechnung", "Undeliverable: Re: order", "Mail delivery failed: returning message",
])
def test_auto_reply_subjects_are_recognised(subject):
    assert _reason(subject=subject) is not None


@pytest.mark.parametrize("subject", ["Re: out of office hours support?", "My automatic reply settings are broken", ""])
def test_ordinary_subjects_mentioning_those_words_are_not_automatic(subject):
    assert _reason(subject=subject) is None


def test_headers_win_over_weaker_signs_in_the_reason():
    assert _reason({"auto-submitted": "auto-replied"}, subject="Out of Office", report=True) == "Auto-Submitted: auto-replied"
