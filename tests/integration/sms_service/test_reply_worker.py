"""The reply worker on real RabbitMQ and PostgreSQL: a reply is sent at most once, and says how it went."""

import dataclasses
import uuid
from datetime import datetime, timezone

from sqlalchemy import insert

from services.sms.adapters.twilio_client import TwilioMessagesClient
from services.sms.domain import failures
from services.sms.tables import outbound_texts
from shared.envelopes import make_envelope
from tests.integration.sms_service.conftest import CUSTOMER, INBOX_NUMBER, drain, running_sms
from tests.support.bus_contract import RunningWorker, wait_until


def reply_envelope(text: str = "Your parcel ships today", to: str = CUSTOMER):
    return make_envelope("reply.requested.sms", {
        "message_id": str(uuid.uuid4()), "conversation_id": str(uuid.uuid4()), "channel": "sms",
        "to": {"type": "phone", "value": to}, "text": text, "created_at": datetime.now(timezone.utc)},
        source="tests")


def delivery_reports(bus) -> list[dict]:
    return [e["payload"] for e in drain(bus, "inbox.updates") if e["type"] == "delivery.updated"]


def run_worker(sms, envelopes, reports_expected: int = 1) -> list[dict]:
    """Publish envelopes to `sms.replies`, run the service's own worker, return the delivery reports."""
    bus, reports = sms.service.runtime.bus, []
    [worker] = sms.service.workers()

    def arrived() -> bool:
        reports.extend(delivery_reports(bus))
        return len(reports) >= reports_expected

    with RunningWorker(bus, "sms.replies", worker.handler):
        bus.publish(envelopes)
        assert wait_until(arrived, timeout=30)
    return reports


def test_a_redelivered_reply_is_sent_once(settings, provider):
    reply, later = reply_envelope(), reply_envelope("And here is the tracking link")
    with running_sms(settings) as sms:
        # One consumer takes them in order, so both copies are handled once `later` is reported.
        reports = run_worker(sms, [reply, reply, later], reports_expected=2)
    assert [m["body"] for m in provider.messages] == ["Your parcel ships today", "And here is the tracking link"]
    assert len(provider.received) == 2
    sent = provider.messages[0]
    assert (sent["to"], sent["from"]) == (CUSTOMER, INBOX_NUMBER)
    assert [r["message_id"] for r in reports] == [reply.payload["message_id"], later.payload["message_id"]]
    assert reports[0]["status"] == "queued" and reports[0]["provider_message_id"] == sent["sid"]
    assert reports[0]["details"]["segments"] == 1


def test_a_reply_whose_sending_was_interrupted_is_not_sent_again(settings, provider):
    reply = reply_envelope()
    with running_sms(settings) as sms:
        now = datetime.now(timezone.utc)
        with sms.service.runtime.db.transaction() as db:  # what a crash during the provider call leaves
            db.execute(insert(outbound_texts).values(message_id=reply.payload["message_id"], to_number=CUSTOMER,
                                                     state="sending", created_at=now, updated_at=now))
        reports = run_worker(sms, [reply])
    assert provider.received == []
    assert [(r["status"], r["reason"]) for r in reports] == [("failed", failures.INTERRUPTED)]


def test_a_provider_that_stays_unavailable_leaves_the_reply_failed_with_the_reason(settings, provider):
    provider.fail_next(None, 503)
    with running_sms(settings) as sms:
        sms.service.make_sender = lambda: TwilioMessagesClient(
            provider.api_base, provider.account_sid, provider.auth_token, backoff_seconds=0.01)
        reports = run_worker(sms, [reply_envelope()])
    assert len(provider.received) == 4  # the client's attempts, with backoff between them
    [report] = reports
    assert report["status"] == "failed" and "unavailable" in report["reason"]
    assert report["details"]["error_code"] == 20503


def test_without_twilio_settings_a_reply_fails_saying_what_to_configure(settings, provider):
    unconfigured = dataclasses.replace(settings, twilio_account_sid=None, twilio_auth_token=None)
    with running_sms(unconfigured) as sms:
        reports = run_worker(sms, [reply_envelope()])
    [report] = reports
    assert report["status"] == "failed" and "SWITCHBOARD_TWILIO_ACCOUNT_SID" in report["reason"]
    assert provider.received == []


def test_a_reply_to_something_that_is_not_a_phone_number_fails_without_calling_twilio(settings, provider):
    with running_sms(settings) as sms:
        [report] = run_worker(sms, [reply_envelope(to="not-a-number-" + "9" * 40)])
    assert report["status"] == "failed" and "cannot receive texts" in report["reason"]
    assert provider.received == []
