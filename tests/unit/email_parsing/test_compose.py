"""Outbound replies carry fresh ids and threading headers, and refuse header injection."""

from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser

import pytest

from services.email.parsing import compose_reply, parse_email, reply_to_address
from services.email.parsing.compose import MAX_REFERENCES

NOW = datetime(2025, 4, 1, 9, 30, tzinfo=timezone.utc)


def _reply(**changes):
    arguments = dict(
        inbox_address="support@northwind.example", inbox_name="Northwind Support",
        to_address="anna@example.com", to_name="Anna Berg", subject="Order 10452", text="Hello Anna,\n\nall done.",
        in_reply_to="<c1@example.com>", references=["root@example.com"], domain="northwind.example", now=NOW,
    )
    arguments.update(changes)
    return compose_reply(**arguments)


def _wire(message) -> bytes:
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def test_a_reply_has_a_fresh_message_id_and_the_thread_headers():
    message = _reply()
    assert message["Message-ID"].endswith("@northwind.example>")
    assert message["Message-ID"] != _reply()["Message-ID"]
    assert message["In-Reply-To"] == "<c1@example.com>"
    assert message["References"] == "<root@example.com> <c1@example.com>"
    assert message["Date"] == "Tue, 01 Apr 2025 09:30:00 +0000"


def test_addresses_names_and_reply_to_are_set():
    message = _reply(reply_to=reply_to_address("support@northwind.example", "ab12"))
    assert str(message["From"]) == "Northwind Support <support@northwind.example>"
    assert str(message["To"]) == "Anna Berg <anna@example.com>"
    assert str(message["Reply-To"]) == "support+c-ab12@northwind.example"


def test_the_body_has_a_text_part_and_an_escaped_html_part():
    message = _reply(text="Price <b>not</b> bold & fine\nsecond line\n\nnext paragraph")
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert plain.startswith("Price <b>not</b> bold & fine")
    assert "<p>Price &lt;b&gt;not&lt;/b&gt; bold &amp; fine<br>second line</p><p>next paragraph</p>" in html


def test_a_given_html_body_is_used_as_is():
    assert "<em>hi</em>" in _reply(html="<p><em>hi</em></p>").get_body(("html",)).get_content()


@pytest.mark.parametrize("subject, expected", [
    ("Order 10452", "Re: Order 10452"), ("Re: Order 10452", "Re: Order 10452"),
    ("RE: Re: Order 10452", "Re: Order 10452"), ("AW: Rechnung", "Re: Rechnung"), ("Fwd: Invoice", "Re: Invoice"),
])
def test_the_subject_gets_one_re_prefix(subject, expected):
    assert _reply(subject=subject)["Subject"] == expected


def test_references_are_deduplicated_and_include_the_message_replied_to():
    message = _reply(references=["<a@x.example>", "b@x.example", "a@x.example"], in_reply_to="b@x.example")
    assert message["References"] == "<a@x.example> <b@x.example>"


def test_long_references_keep_the_root_and_the_latest():
    references = [f"id{i}@x.example" for i in range(50)]
    ids = _reply(references=references, in_reply_to="last@x.example")["References"].split()
    assert len(ids) == MAX_REFERENCES
    assert ids[0] == "<id0@x.example>" and ids[-1] == "<last@x.example>" and ids[-2] == "<id49@x.example>"


def test_a_first_message_without_a_thread_has_no_threading_headers():
    message = _reply(in_reply_to=None, references=[])
    assert message["In-Reply-To"] is None and message["References"] is None


@pytest.mark.parametrize("field", ["subject", "to_name", "inbox_name", "to_address", "inbox_address", "domain"])
@pytest.mark.parametrize("payload", ["x\r\nBcc: victim@example.com", "x\nBcc: victim@example.com", "x\rB", "x\x00y"])
def test_line_breaks_in_any_header_value_are_refused(field, payload):
    with pytest.raises(ValueError):
        _reply(**{field: payload})


@pytest.mark.parametrize("changes, message", [
    ({"to_address": "not-an-address"}, "invalid email address"),
    ({"to_address": "anna@example.invalid"}, "invalid email address"),
    ({"inbox_address": "support"}, "invalid inbox address"),
    ({"in_reply_to": "two ids@x"}, "not a message id"),
    ({"references": ["<a@b> <c@d>"]}, "not a message id"),
    ({"domain": "bad domain"}, "not a domain"),
])
def test_invalid_addresses_ids_and_domains_are_refused_clearly(changes, message):
    with pytest.raises(ValueError, match=message):
        _reply(**changes)


def test_an_internationalised_mailbox_is_sent_as_smtputf8():
    message = _reply(to_address="jürgen@example.de", to_name="Jürgen")
    assert message.policy.utf8
    assert "jürgen@example.de" in _wire(message).decode("utf-8")


def test_an_internationalised_domain_is_sent_as_punycode():
    assert str(_reply(to_address="anna@bücher.example")["To"]).endswith("<anna@xn--bcher-kva.example>")


def test_the_reply_parses_back_to_the_same_thread():
    message = _reply(references=["root@example.com"], subject="AW: Größe ändern")
    parsed = parse_email(_wire(message))
    assert parsed.message_id == message["Message-ID"].strip("<>")
    assert (parsed.in_reply_to, parsed.references) == ("c1@example.com", ("root@example.com", "c1@example.com"))
    assert parsed.subject == "Re: Größe ändern"
    assert parsed.new_text == "Hello Anna,\n\nall done."
    assert parsed.warnings == ()


def test_the_stdlib_reads_the_output_as_well_formed():
    reparsed = BytesParser(policy=policy.default).parsebytes(_wire(_reply()))
    assert reparsed.defects == []
    assert reparsed.get_content_type() == "multipart/alternative"
