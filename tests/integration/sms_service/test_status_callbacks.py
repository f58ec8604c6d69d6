"""Twilio's status callbacks on real PostgreSQL and RabbitMQ, including one that overtakes the send's answer."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from services.sms.sending import STATUS_PATH
from services.sms.tables import early_statuses, outbound_texts
from tests.integration.sms_service.conftest import running_sms
from tests.integration.sms_service.test_reply_worker import reply_envelope, run_worker


def test_a_callback_that_comes_before_the_send_is_recorded_is_applied_once_it_is(settings, provider):
    reply = reply_envelope()
    with running_sms(settings) as sms:
        callbacks = []
        provider.state.on_accept = lambda message: callbacks.append(
            sms.post_signed(STATUS_PATH, provider.state.status_form(message["sid"], "sent", None)).status_code)
        reports = run_worker(sms, [reply], reports_expected=2)
        with sms.service.runtime.db.reading() as db:
            row = db.execute(select(outbound_texts)).one()
            kept = db.execute(select(early_statuses)).all()
    assert callbacks == [204]
    assert [(r["status"], r["details"]["provider_status"]) for r in reports] == [("queued", "queued"), ("sent", "sent")]
    assert {r["provider_message_id"] for r in reports} == {provider.messages[0]["sid"]}
    assert (row.state, row.provider_status) == ("accepted", "sent") and kept == []


def test_a_callback_for_a_message_we_never_sent_is_forgotten_after_an_hour(settings, provider):
    strangers = ["SM" + "1" * 32, "SM" + "2" * 32]
    with running_sms(settings) as sms:
        assert sms.post_signed(STATUS_PATH, provider.state.status_form(strangers[0], "delivered", None)).status_code == 204
        with sms.service.runtime.db.transaction() as db:
            db.execute(update(early_statuses).values(received_at=datetime.now(timezone.utc) - timedelta(hours=2)))
        assert sms.post_signed(STATUS_PATH, provider.state.status_form(strangers[1], "sent", None)).status_code == 204
        with sms.service.runtime.db.reading() as db:
            kept = db.execute(select(early_statuses.c.provider_sid, early_statuses.c.provider_status)).all()
    assert kept == [(strangers[1], "sent")]
