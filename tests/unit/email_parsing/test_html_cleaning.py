"""Inbound HTML is sanitised with an explicit allow-list and always yields readable text."""

import pytest

from services.email.parsing import html_cleaning, limits, parse_email
from services.email.parsing.html_cleaning import clean_html, measure_depth


def _clean(html: str) -> tuple[str | None, str, list[str]]:
    warnings: list[str] = []
    safe, text = clean_html(html, warnings)
    return safe, text, warnings


@pytest.mark.parametrize("hostile", [
    '<script>alert(1)</script>', '<img src="x" onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>', '<a href="http://plain.example">x</a>',
    '<img src="data:image/png;base64,AAAA">', '<form action="https://evil.example"><input></form>',
    '<p style="position:fixed;top:0">x</p>', '<svg onload="alert(1)"></svg>', '<style>body{display:none}</style>',
])
def test_hostile_markup_is_removed(hostile):
    safe, _, _ = _clean(f"<p>ok</p>{hostile}")
    for marker in ("script", "onerror", "javascript", "iframe", "http://", "data:", "<form", "position", "onload", "<style"):
        assert marker not in safe


def test_https_mailto_and_cid_links_are_kept_with_noopener():
    safe, _, _ = _clean('<a href="https://a.example/x">a</a><a href="mailto:b@example.com">b</a><img src="cid:logo@x">')
    assert 'href="https://a.example/x"' in safe and 'href="mailto:b@example.com"' in safe and 'src="cid:logo@x"' in safe
    assert 'rel="noopener noreferrer"' in safe


def test_text_comes_from_the_visible_content_with_block_breaks():
    _, text, _ = _clean("<h1>Title</h1><p>First <b>bold</b> para</p><p>Second</p><script>var x</script>")
    assert text == "Title\n\nFirst bold para\n\nSecond"


def test_entities_are_decoded_in_the_text():
    assert _clean("<p>Fish &amp; chips &lt;3</p>")[1] == "Fish & chips <3"


def test_html_deeper_than_html_texts_limit_still_yields_text_through_nh3():
    depth = limits.HTML_TEXT_SAFE_DEPTH + 100
    safe, text, warnings = _clean("<div>" * depth + "inner &amp; text" + "</div>" * depth)
    assert text == "inner & text"
    assert safe is not None and warnings == []


def test_html_deeper_than_the_cap_is_reduced_to_text_with_a_warning():
    depth = limits.MAX_HTML_DEPTH + 10
    safe, text, warnings = _clean("<span>" * depth + "kept <i>words</i>" + "</span>" * depth)
    assert safe is None
    assert text == "kept words"
    assert any("nested deeper" in warning for warning in warnings)


def test_oversized_html_is_cut_without_leaving_half_a_tag(monkeypatch):
    monkeypatch.setattr(limits, "MAX_HTML_CHARS", 30)
    safe, text, warnings = _clean("<p>abcdefghij</p><p>klmnop</p><p>tail</p>")
    assert "tail" not in text and "<" not in text
    assert any("cut to 30" in warning for warning in warnings)


def test_a_run_of_unclosed_angle_brackets_is_handled():
    safe, text, _ = _clean("<" * 50_000 + "b>word")
    assert "word" in text


def test_measure_depth_counts_nesting_and_survives_empty_input():
    assert measure_depth("<div><div><p>x</p></div></div>") >= 3
    assert measure_depth("") == 0


def test_the_html_text_is_only_extracted_when_asked_for(monkeypatch):
    monkeypatch.setattr(html_cleaning, "html_to_text", lambda *_: pytest.fail("text extracted though not needed"))
    safe, text = clean_html("<p>Hello <b>there</b></p>", [], with_text=False)
    assert (safe, text) == ("<p>Hello <b>there</b></p>", "")


def test_a_mail_with_a_plain_part_takes_its_text_from_it_without_reading_the_html(monkeypatch):
    monkeypatch.setattr(html_cleaning, "html_to_text", lambda *_: pytest.fail("text extracted though not needed"))
    raw = (b"From: a@x.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nPlain words\r\n--b\r\nContent-Type: text/html\r\n\r\n"
           b"<p>HTML words</p>\r\n--b--\r\n")
    parsed = parse_email(raw)
    assert parsed.text == "Plain words" and parsed.html == "<p>HTML words</p>"
