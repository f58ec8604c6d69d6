"""The reply email an agent's answer becomes, and how the relay URL is read (no network)."""

import pytest

from services.email.outbound import build_reply, email_message_id
from services.email.parsing import find_conversation_token
from services.email.relay import SmtpRelay

INBOX = "support@northwind.example"
REPLY = {"message_id": "5b0c8f2e-4a8e-4f5e-9f3a-0d7e6c5b4a31", "conversation_id": "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f",
         "to": {"type": "email", "value": "mia@example.com"}, "to_name": "Mia Jones", "text": "It is covered.",
         "subject": "Re: Warranty", "author_name": "Dana",
         "thread": {"message_id": "m-2@example.com", "references": ["m-1@example.com"]}}


def test_the_reply_threads_under_the_customers_last_message():
    message = build_reply(INBOX, REPLY)
    assert message["In-Reply-To"] == "<m-2@example.com>"
    assert message["References"] == "<m-1@example.com> <m-2@example.com>"
    assert message["Subject"] == "Re: Warranty"
    assert message["Message-ID"] == f"<{REPLY['message_id']}@northwind.example>"
    assert str(message["From"]) == f"Dana <{INBOX}>"


def test_the_reply_to_address_carries_the_conversation_for_clients_that_drop_headers():
    reply_to = str(build_reply(INBOX, REPLY)["Reply-To"])
    assert find_conversation_token([reply_to], INBOX) == REPLY["conversation_id"]


def test_a_reply_on_a_conversation_that_began_elsewhere_has_no_threading_headers():
    message = build_reply(INBOX, REPLY | {"thread": {}, "subject": ""})
    assert message["In-Reply-To"] is None and message["References"] is None
    assert message["Subject"] == "Re:"


def test_a_message_id_that_cannot_go_in_a_header_drops_the_threading_not_the_reply():
    message = build_reply(INBOX, REPLY | {"thread": {"message_id": "two words@example.com", "references": []}})
    assert message["In-Reply-To"] is None and message["Reply-To"] is not None


def test_the_message_id_is_the_same_on_every_retry_of_one_reply():
    assert build_reply(INBOX, REPLY)["Message-ID"] == build_reply(INBOX, REPLY)["Message-ID"]
    assert email_message_id("r-1", INBOX) != email_message_id("r-2", INBOX)


def test_an_address_with_a_line_break_is_refused_before_anything_is_sent():
    with pytest.raises(ValueError):
        build_reply(INBOX, REPLY | {"to": {"type": "email", "value": "mia@example.com\r\nBcc: all@example.com"}})


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail:25", ("mail", 25, False, None, None)),
    ("smtp://mail", ("mail", 25, False, None, None)),
    ("smtps://mail", ("mail", 465, True, None, None)),
    ("smtps://user%40corp:p%3Ass@relay.example:2465", ("relay.example", 2465, True, "user@corp", "p:ss")),
])
def test_the_relay_url_gives_host_port_tls_and_credentials(url, expected):
    relay = SmtpRelay.from_url(url)
    assert (relay.host, relay.port, relay.implicit_tls, relay.username, relay.password) == expected
