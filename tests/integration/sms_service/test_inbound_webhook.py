"""The inbound webhook answers 2xx only once RabbitMQ has the text, and stores each MessageSid once."""

import dataclasses
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from services.sms.tables import inbound_texts
from tests.integration.sms_service.conftest import CUSTOMER, drain, running_sms, text_form

DEAD_BROKER = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens there


def test_the_text_is_on_rabbitmq_when_the_webhook_answers(settings):
    with running_sms(settings) as sms:
        answer = sms.post_text(text_form("My parcel is late"))
        assert answer.status_code == 200, answer.text
        # No waiting: a 2xx means the broker already confirmed it.
        [envelope] = drain(sms.service.runtime.bus, "inbox.inbound")
    assert envelope["type"] == "inbound.sms"
    assert envelope["payload"]["sender"] == {"type": "phone", "value": CUSTOMER, "verified": False}
    assert envelope["payload"]["text"] == "My parcel is late"


def test_with_the_broker_down_the_webhook_answers_503_and_the_text_is_published_later(settings):
    form = text_form("Hello? Anyone?")
    down = dataclasses.replace(settings, broker_url=DEAD_BROKER)
    with running_sms(down, publish_wait_seconds=0.5) as sms:
        answer = sms.post_text(form)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable" and answer.headers["Retry-After"]

    with running_sms(settings) as sms:  # the broker is reachable again
        sms.service.runtime.relay.wake()
        retried = sms.post_text(form)  # Twilio tries again with the same MessageSid
        assert retried.status_code == 200, retried.text
        bus = sms.service.runtime.bus
        published = drain(bus, "inbox.inbound")
    assert [e["payload"]["channel_message_id"] for e in published] == [form["MessageSid"]]


def test_the_same_message_sid_posted_at_once_many_times_is_stored_and_published_once(settings):
    form = text_form("Sent once, delivered by the provider many times")
    with running_sms(settings) as sms:
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(lambda _: sms.post_text(form), range(6)))
        assert [a.status_code for a in answers] == [200] * 6
        published = drain(sms.service.runtime.bus, "inbox.inbound")
        with sms.service.runtime.db.reading() as db:
            stored = db.execute(select(func.count()).select_from(inbound_texts)).scalar()
    assert len(published) == 1 and stored == 1
