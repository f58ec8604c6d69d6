"""The header block is bounded and tidied before the stdlib parser sees it."""

from services.email.parsing import limits
from services.email.parsing.raw_headers import trim_header_block


def _trim(raw: bytes) -> tuple[bytes, list[str]]:
    return trim_header_block(raw)


def test_a_normal_message_passes_through_unchanged():
    raw = b"From: a@example.com\r\nSubject: hi\r\n folded\r\n\r\nbody\r\n"
    assert _trim(raw) == (raw, [])


def test_lines_without_a_colon_between_headers_are_dropped():
    raw = b"From: a@example.com\r\nbroken line\r\nSubject: kept\r\n\r\nbody"
    assert _trim(raw) == (b"From: a@example.com\r\nSubject: kept\r\n\r\nbody", ["header line without a colon dropped"])


def test_lines_after_the_last_header_start_the_body_when_no_blank_line_separates_them():
    trimmed, warnings = _trim(b"Subject: s\nHello\nWorld\n")
    assert trimmed == b"Subject: s\n\nHello\nWorld\n"
    assert warnings == ["no blank line between headers and body"]


def test_an_oversized_field_is_cut_at_a_separator():
    trimmed, warnings = _trim(b"To: " + b", ".join([b"someone@example.com"] * 2_000) + b"\r\n\r\nbody")
    header = trimmed.split(b"\r\n\r\n")[0]
    assert len(header) <= limits.MAX_HEADER_FIELD_BYTES
    assert header.endswith(b"someone@example.com")
    assert warnings == [f"header to cut to {limits.MAX_HEADER_FIELD_BYTES} bytes"]


def test_references_may_be_longer_than_other_fields():
    references = b"References: " + b" ".join(b"<id%d@example.com>" % i for i in range(600)) + b"\r\n"
    trimmed, warnings = _trim(references + b"\r\nbody")
    assert trimmed == references + b"\r\nbody" and warnings == []


def test_too_many_fields_keep_the_wanted_ones_wherever_they_are():
    junk = b"".join(b"X-Spam-%d: 1\r\n" % i for i in range(limits.MAX_HEADER_FIELDS + 50))
    trimmed, warnings = _trim(junk + b"Message-ID: <late@example.com>\r\n\r\nbody")
    assert b"Message-ID: <late@example.com>" in trimmed
    assert trimmed.count(b"\r\n") == limits.MAX_HEADER_FIELDS + 1
    assert warnings == ["header block trimmed: 51 header fields dropped"]


def test_an_mbox_separator_line_is_dropped():
    assert _trim(b"From someone Tue Mar 4 2025\nSubject: s\n\nb") == (b"Subject: s\n\nb", ["mbox 'From ' line dropped"])


def test_input_without_any_header_line_is_left_for_the_parser():
    assert _trim(b"no headers here\nat all") == (b"no headers here\nat all", [])
    assert _trim(b"\r\nbody only") == (b"\r\nbody only", [])
