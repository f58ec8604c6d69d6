"""Hostile or broken input still parses quickly into a result (or a clear UnparseableEmail)."""

import pytest

from services.email.parsing import UnparseableEmail, parse_email
from services.email.parsing import limits

HEADERS = b"From: Anna <anna@example.com>\r\nTo: support@northwind.example\r\nSubject: hello\r\nMessage-ID: <a1@example.com>\r\n"


def _message(body: bytes, content_type: bytes = b"text/plain; charset=utf-8", extra: bytes = b"") -> bytes:
    return HEADERS + extra + b"Content-Type: " + content_type + b"\r\n\r\n" + body


@pytest.mark.timeout(20)
def test_html_nested_a_hundred_thousand_levels_deep_still_gives_its_text():
    html = b"<div>" * 100_000 + b"deep secret" + b"</div>" * 100_000
    parsed = parse_email(_message(html, b"text/html; charset=utf-8"))
    assert "deep secret" in parsed.text
    assert parsed.html is None
    assert any("nested deeper" in warning for warning in parsed.warnings)


@pytest.mark.timeout(20)
def test_html_nested_past_html_texts_limit_is_still_sanitised_and_read():
    html = b"<div>" * 600 + b"middle depth" + b"</div>" * 600
    parsed = parse_email(_message(html, b"text/html; charset=utf-8"))
    assert parsed.text == "middle depth"
    assert parsed.html is not None and "middle depth" in parsed.html


@pytest.mark.timeout(20)
def test_ten_thousand_character_lines_do_not_stall_the_reply_parser():
    hostile = b"Am " + b"x schrieb " * 1_000
    body = b"Please call me back.\r\n" + hostile + b"\r\n" + (b"On " + b"y " * 5_000) + b"\r\n"
    parsed = parse_email(_message(body))
    assert parsed.new_text.startswith("Please call me back.")
    assert "x schrieb x schrieb" in parsed.new_text


@pytest.mark.timeout(20)
def test_a_reply_longer_than_the_scanned_part_keeps_its_tail():
    filler = b"line of the customer's long report\r\n" * 5_000
    body = b"Start of report\r\n" + filler + b"END-OF-REPORT\r\n"
    parsed = parse_email(_message(body))
    assert parsed.new_text.endswith("END-OF-REPORT")
    assert len(parsed.new_text) > limits.REPLY_SCAN_CHARS


@pytest.mark.timeout(20)
def test_a_header_bomb_of_twenty_thousand_encoded_words_is_cut_and_parsed():
    bomb = b"Subject: " + b" ".join([b"=?utf-8?q?caf=C3=A9?="] * 20_000) + b"\r\n"
    to_bomb = b"Cc: " + b", ".join(b"user%d@example.com" % i for i in range(20_000)) + b"\r\n"
    raw = bomb + to_bomb + b"From: anna@example.com\r\nMessage-ID: <bomb@example.com>\r\n\r\nstill here\r\n"
    parsed = parse_email(raw)
    assert parsed.subject.startswith("cafécafé")  # space between encoded words is folding, not text
    assert 0 < len(parsed.cc) < 20_000
    assert parsed.from_address == "anna@example.com"
    assert parsed.text == "still here"
    assert any("cut to" in warning for warning in parsed.warnings)


@pytest.mark.timeout(20)
def test_fifty_thousand_header_fields_keep_the_ones_switchboard_reads():
    junk = b"".join(b"X-Junk-%d: value\r\n" % i for i in range(50_000))
    raw = junk + b"From: anna@example.com\r\nSubject: after the junk\r\nMessage-ID: <late@example.com>\r\n\r\nbody\r\n"
    parsed = parse_email(raw)
    assert (parsed.subject, parsed.from_address, parsed.message_id) == ("after the junk", "anna@example.com", "late@example.com")
    assert any("header fields dropped" in warning for warning in parsed.warnings)


def _nested(levels: int) -> bytes:
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(levels)
    )
    closing = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(levels)))
    return HEADERS + opening + b"Content-Type: text/plain\r\n\r\ndeep body" + closing


@pytest.mark.timeout(20)
def test_two_thousand_nested_mime_parts_give_the_headers_and_a_warning():
    parsed = parse_email(_nested(2_000))
    assert parsed.subject == "hello"
    assert parsed.from_address == "anna@example.com"
    assert any("nested too deeply" in warning for warning in parsed.warnings)


@pytest.mark.timeout(20)
def test_parts_nested_past_the_walk_limit_are_skipped_with_a_warning():
    parsed = parse_email(_nested(limits.MAX_MIME_DEPTH + 5))
    assert parsed.text == ""
    assert any("nested deeper than" in warning for warning in parsed.warnings)


def test_moderately_nested_parts_are_read():
    assert parse_email(_nested(10)).text == "deep body"


def test_an_attachment_over_the_limit_keeps_its_size_but_not_its_content():
    raw = (
        HEADERS + b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nsee file\r\n'
        b'--m\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename="big.zip"\r\n\r\n'
        + b"Z" * 5_000 + b"\r\n--m--\r\n"
    )
    attachment = parse_email(raw, max_attachment_bytes=1_000).attachments[0]
    assert (attachment.filename, attachment.size, attachment.content) == ("big.zip", 5_000, None)
    assert parse_email(raw).attachments[0].content == b"Z" * 5_000


@pytest.mark.parametrize("raw", [b"", b"   \r\n\t ", b"\r\n\r\n"])
def test_empty_input_is_unparseable(raw):
    with pytest.raises(UnparseableEmail, match="empty"):
        parse_email(raw)


@pytest.mark.parametrize("raw", ["From: a@example.com\r\n\r\nhi", None, 42])
def test_input_that_is_not_bytes_is_unparseable(raw):
    with pytest.raises(UnparseableEmail, match="expected bytes"):
        parse_email(raw)


def test_input_over_the_hard_size_cap_is_unparseable(monkeypatch):
    monkeypatch.setattr(limits, "MAX_MESSAGE_BYTES", 100)
    with pytest.raises(UnparseableEmail, match="over the 100-byte limit") as raised:
        parse_email(HEADERS + b"\r\n" + b"x" * 200)
    assert "limit" in raised.value.reason


def test_a_blank_line_then_only_control_bytes_has_neither_headers_nor_body():
    with pytest.raises(UnparseableEmail, match="no headers and no body"):
        parse_email(b"\r\n\x00\x07\x00")


def test_bytes_without_any_header_are_kept_as_a_body_with_warnings():
    parsed = parse_email(b"just some words, no headers")
    assert parsed.text == "just some words, no headers"
    assert parsed.message_id_synthetic
    assert "no sender address found" in parsed.warnings


def test_the_synthetic_message_id_is_the_same_for_the_same_bytes_and_differs_otherwise():
    first = parse_email(b"Subject: no id\r\n\r\nbody one")
    again = parse_email(b"Subject: no id\r\n\r\nbody one")
    other = parse_email(b"Subject: no id\r\n\r\nbody two")
    assert first.message_id == again.message_id != other.message_id
    assert first.message_id.startswith("sha256-") and first.message_id.endswith("@switchboard.invalid")


def test_headers_with_no_blank_line_before_the_body_still_give_the_body():
    parsed = parse_email(b"From: a@example.com\nSubject: squashed\nHello there\nsecond line\n")
    assert (parsed.subject, parsed.text) == ("squashed", "Hello there\nsecond line")
    assert "no blank line between headers and body" in parsed.warnings


def test_a_multipart_without_a_boundary_is_read_as_text():
    parsed = parse_email(_message(b"plain words", b"multipart/mixed"))
    assert parsed.text == "plain words"
