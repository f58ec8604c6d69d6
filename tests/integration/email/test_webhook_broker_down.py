"""The raw-MIME webhook over real HTTP when the broker cannot be reached: 503, nothing accepted."""

from dataclasses import replace

import pytest

from gateway.app import create_embedded_app
from services.email.bootstrap import bootstrap
from tests.integration.email.test_smtp_inbound import mail
from tests.support.http import Client, serving


@pytest.fixture
def webhook_url(settings):
    service = bootstrap(replace(settings, broker_url="amqp://guest:guest@127.0.0.1:1//"))
    with serving(create_embedded_app(service.runtime.settings, [service])) as url:
        yield url
    service.runtime.close()


def test_the_webhook_answers_503_with_retry_after_when_the_broker_is_down(webhook_url):
    answer = Client(webhook_url).post("/webhooks/email/mime", data=mail().as_bytes(),
                                      headers={"Content-Type": "message/rfc822"})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable" and answer.headers["Retry-After"] == "5"
