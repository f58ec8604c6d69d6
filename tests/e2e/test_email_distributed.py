"""Email with every service in its own process (`switchboard smtp`, the email API and consumer, the rest).

On RabbitMQ and PostgreSQL, started with the commands the containers run; the test speaks
SMTP to the SMTP process and HTTP to the gateway only, and a real SMTP sink is the relay.
"""

import smtplib
import socket

import pytest

from tests.e2e.test_email_embedded import customer_mail, customer_reply
from tests.e2e.test_first_conversation_distributed import ADMIN, online_agent
from tests.integration.email.smtp_sink import SmtpSink
from tests.support.http import Client, wait_until

INBOX = "support@switchboard.local"


@pytest.fixture
def relay():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def switchboard(start_distributed, relay):
    return start_distributed(SWITCHBOARD_SMTP_RELAY_URL=relay.url)


def smtp_listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_an_email_travels_through_separate_processes_and_the_answer_is_threaded(switchboard, relay):
    port = switchboard.ports["smtp"]
    assert wait_until(lambda: smtp_listening(port), timeout=30), switchboard.logs()
    agent = online_agent(switchboard.url)
    question = customer_mail("Cancel my plan", "Please cancel my plan at the end of the month.")
    with smtplib.SMTP("127.0.0.1", port, timeout=15) as client:
        client.send_message(question, to_addrs=[INBOX])

    mine = lambda: agent.get("/api/v1/conversations?assignee=me").json()["items"]  # noqa: E731
    assert wait_until(lambda: len(mine()) == 1, timeout=20), switchboard.logs()
    conversation_id = mine()[0]["id"]
    assert agent.post(f"/api/v1/conversations/{conversation_id}/messages",
                      json={"text": "Done: it ends on the 30th."}).status_code == 201
    assert wait_until(lambda: len(relay.received) == 1, timeout=20), switchboard.logs()
    ours = relay.received[0].message
    assert ours["In-Reply-To"] == question["Message-ID"]

    answer = Client(switchboard.url).post("/webhooks/email/mime", data=customer_reply(ours, "Thank you!").as_bytes(),
                                          headers={"Content-Type": "message/rfc822"})
    assert answer.status_code == 202, answer.text
    messages = lambda: agent.get(f"/api/v1/conversations/{conversation_id}").json()["messages"]  # noqa: E731
    assert wait_until(lambda: len(messages()) == 3, timeout=20), switchboard.logs()
    assert messages()[2]["text"].strip() == "Thank you!"
    assert wait_until(lambda: messages()[1]["status"] == "sent", timeout=20)
    quarantine = Client(switchboard.url, ADMIN).get("/api/v1/email/quarantine")
    assert quarantine.status_code == 200 and quarantine.json()["total"] == 0
