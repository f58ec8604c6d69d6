"""Agents' email replies through the email service's worker, RabbitMQ and PostgreSQL, to a real SMTP relay.

The relay is an aiosmtpd sink that can answer like a busy (4xx) or refusing (5xx) server;
delivery reports are read off the inbox's queue, as the inbox would receive them.
"""

import threading
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from shared.config import Settings
from shared.envelopes import load_envelope, make_envelope
from shared.messaging import MessageBus
from services.email import inbound, outbound, thread_keys
from services.email.quarantine import list_quarantined
from services.email.bootstrap import bootstrap
from tests.integration.email.conftest import INBOX
from tests.integration.email.smtp_sink import SmtpSink
from tests.support.http import wait_until

CONVERSATION = "7d1c7a52-5b7e-4c52-9d6e-2b1f0c4e9a10"
BOUNCE = (Path(__file__).resolve().parents[2] / "data" / "email" / "bounce_mailer_daemon.eml").read_bytes()


@pytest.fixture
def start_email(settings):
    """Start the email service's workers with a relay URL; stopped after the test."""
    MessageBus(settings.broker_url).declare()
    running = []

    def start(relay_url: str | None):
        service = bootstrap(replace(settings, smtp_relay_url=relay_url), retry_backoff_seconds=0.01)
        stop = threading.Event()
        threads = [worker.start(stop) for worker in service.workers()]
        running.append((service, stop, threads))
        return service

    yield start
    for service, stop, threads in running:
        stop.set()
        for thread in threads:
            thread.join(5)
        service.runtime.close()


def request_reply(settings: Settings, reply_id: str = "0b0e3a4e-1111-4c1d-8a55-3e0f4b6d7c21", **overrides) -> None:
    payload = {"message_id": reply_id, "conversation_id": CONVERSATION, "channel": "email",
               "to": {"type": "email", "value": "ana@example.com"}, "to_name": "Ana Lima",
               "text": "Your parcel ships today.\n\nDana", "subject": "Re: Parcel", "author_name": "Dana",
               "thread": {"message_id": "q-2@example.com", "references": ["q-1@example.com"]},
               "created_at": datetime.now(timezone.utc)} | overrides
    bus = MessageBus(settings.broker_url)
    bus.publish([make_envelope("reply.requested.email", payload, source="tests")])
    bus.close()


def delivery_reports(settings: Settings) -> list[dict]:
    found = []
    bus = MessageBus(settings.broker_url)
    bus.take_all("inbox.updates", lambda headers, body: found.append(load_envelope(body).payload) or True)
    bus.close()
    return found


def wait_for_report(settings: Settings) -> dict:
    reports: list[dict] = []
    assert wait_until(lambda: reports.extend(delivery_reports(settings)) or reports, timeout=20)
    [report] = reports
    return report


def test_a_reply_goes_out_threaded_and_its_message_id_is_remembered(settings, start_email):
    with SmtpSink() as relay:
        service = start_email(relay.url)
        request_reply(settings)
        report = wait_for_report(settings)
    assert report["status"] == "sent" and report["reason"] is None
    [sent] = relay.received
    message = sent.message
    assert sent.mail_from == INBOX and sent.rcpt_tos == ["ana@example.com"]
    assert str(message["From"]) == f"Dana <{INBOX}>" and str(message["To"]) == "Ana Lima <ana@example.com>"
    assert message["Subject"] == "Re: Parcel"
    assert message["In-Reply-To"] == "<q-2@example.com>"
    assert message["References"] == "<q-1@example.com> <q-2@example.com>"
    assert message["Message-ID"] == "<0b0e3a4e-1111-4c1d-8a55-3e0f4b6d7c21@example.com>"
    assert report["provider_message_id"] == message["Message-ID"].strip("<>")
    assert message.get_body(("plain",)).get_content().startswith("Your parcel ships today.")
    assert "<p>Your parcel ships today.</p>" in message.get_body(("html",)).get_content()
    with service.runtime.db.reading() as db:
        for known in ("0b0e3a4e-1111-4c1d-8a55-3e0f4b6d7c21@example.com", "q-2@example.com", "q-1@example.com"):
            assert thread_keys.find_conversation(db, [known]) == CONVERSATION


def test_a_customer_who_answers_at_once_already_finds_the_conversation(settings, start_email):
    """The relay may deliver, and the customer answer, before the outcome is recorded."""
    owners_while_relayed = []
    with SmtpSink() as relay:
        service = start_email(relay.url)

        def look_up(message):
            with service.runtime.db.reading() as db:
                owners_while_relayed.append(thread_keys.find_conversation(db, [message["Message-ID"].strip("<>")]))

        relay.handler.on_receipt = look_up
        request_reply(settings)
        assert wait_for_report(settings)["status"] == "sent"
    assert owners_while_relayed == [CONVERSATION]


def test_a_relay_that_asks_for_credentials_gets_them_from_the_url(settings, start_email):
    with SmtpSink(credentials=("switchboard", "p@ss word")) as relay:
        start_email(relay.url.replace("smtp://", "smtp://switchboard:p%40ss%20word@"))
        request_reply(settings)
        assert wait_for_report(settings)["status"] == "sent"
    assert len(relay.received) == 1


def test_a_busy_relay_is_tried_again_until_it_takes_the_reply(settings, start_email):
    with SmtpSink(answers=["451 4.7.1 Greylisted, try again later", "421 4.3.2 Busy"]) as relay:
        start_email(relay.url)
        request_reply(settings)
        report = wait_for_report(settings)
    assert report["status"] == "sent"
    assert relay.handler.attempts == 3 and len(relay.received) == 1


def test_a_refusing_relay_fails_the_reply_at_once_with_its_words(settings, start_email):
    with SmtpSink(answers=["554 5.7.1 Message rejected as spam"]) as relay:
        start_email(relay.url)
        request_reply(settings)
        report = wait_for_report(settings)
    assert report["status"] == "failed"
    assert report["reason"] == "the relay answered 554 5.7.1 Message rejected as spam"
    assert relay.handler.attempts == 1


def test_a_relay_that_stays_busy_fails_the_reply_after_the_last_attempt(settings, start_email):
    with SmtpSink(answers=["451 4.3.0 Try later"] * outbound.SEND_ATTEMPTS) as relay:
        start_email(relay.url)
        request_reply(settings)
        report = wait_for_report(settings)
    assert report["status"] == "failed" and "451 4.3.0 Try later" in report["reason"]
    assert relay.handler.attempts == outbound.SEND_ATTEMPTS and relay.received == []


def test_an_unreachable_relay_is_a_temporary_failure_until_the_attempts_run_out(settings, start_email):
    start_email("smtp://127.0.0.1:1")
    request_reply(settings)
    report = wait_for_report(settings)
    assert report["status"] == "failed" and "not reachable" in report["reason"]


def test_without_a_relay_the_reply_fails_with_a_clear_reason(settings, start_email):
    start_email(None)
    request_reply(settings)
    report = wait_for_report(settings)
    assert report["status"] == "failed" and "SWITCHBOARD_SMTP_RELAY_URL" in report["reason"]


def test_an_address_no_mail_can_reach_fails_the_reply(settings, start_email):
    with SmtpSink() as relay:
        start_email(relay.url)
        request_reply(settings, to={"type": "email", "value": "not an address"})
        report = wait_for_report(settings)
    assert report["status"] == "failed" and "invalid email address" in report["reason"]
    assert relay.handler.attempts == 0


def test_a_bounce_of_a_sent_reply_fails_it_once_and_a_stray_bounce_is_kept_aside(settings, start_email):
    with SmtpSink() as relay:
        service = start_email(relay.url)
        request_reply(settings)
        assert wait_for_report(settings)["status"] == "sent"
    ours = relay.received[0].message["Message-ID"].encode()
    bounce = BOUNCE.replace(b"<174289740800.5555.1010101010101010101@northwind.example>", ours)

    for _ in range(2):  # the bounce delivered twice (a retried SMTP transaction)
        outcome = inbound.take_in(service.runtime, bounce, source="smtp")
        assert outcome.accepted and outcome.quarantine_id is None
    report = wait_for_report(settings)
    assert report["message_id"] == "0b0e3a4e-1111-4c1d-8a55-3e0f4b6d7c21" and report["status"] == "failed"
    assert "550 5.1.1" in report["reason"] and "User unknown" in report["reason"]
    assert delivery_reports(settings) == []

    stray = inbound.take_in(service.runtime, BOUNCE, source="smtp")  # returns a mail we never sent
    assert not stray.accepted
    assert list_quarantined(service.runtime)[1] == 1


def test_a_bounce_that_comes_back_before_the_relay_answers_still_fails_the_reply(settings, start_email):
    outcomes = []
    with SmtpSink() as relay:
        service = start_email(relay.url)

        def bounce_at_once(message):
            bounce = BOUNCE.replace(b"<174289740800.5555.1010101010101010101@northwind.example>",
                                    message["Message-ID"].encode())
            outcomes.append(inbound.take_in(service.runtime, bounce, source="smtp"))

        relay.handler.on_receipt = bounce_at_once
        request_reply(settings)
        report = wait_for_report(settings)
    assert [(o.accepted, o.quarantine_id) for o in outcomes] == [(True, None)]
    assert report["status"] == "failed" and "User unknown" in report["reason"]
    assert delivery_reports(settings) == []  # the relay's later 250 changes nothing
