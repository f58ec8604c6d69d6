"""The corpus comparison reports every kind of mismatch, so a broken parser cannot pass it."""

import json
from pathlib import Path

from services.email.parsing import parse_email
from tests.unit.email_parsing.corpus_checks import find_mismatches

CORPUS = Path(__file__).resolve().parents[2] / "data" / "email"


def _parsed(stem: str):
    return parse_email((CORPUS / f"{stem}.eml").read_bytes())


def test_a_wrong_exact_value_is_reported():
    assert find_mismatches(_parsed("plain_thunderbird_signature"), {"subject": "Something else"}) != []


def test_a_missing_substring_and_a_forbidden_one_are_reported():
    parsed = _parsed("html_only_contact_form")
    assert find_mismatches(parsed, {"text__contains": ["not in the text"]}) != []
    assert find_mismatches(parsed, {"text__excludes": ["Priya Nair"]}) != []


def test_a_wrong_attachment_detail_or_count_is_reported():
    parsed = _parsed("attachment_pdf")
    assert find_mismatches(parsed, {"attachments": [{"filename": "other.pdf"}]}) != []
    assert find_mismatches(parsed, {"attachments": []}) != []


def test_a_wrong_conversation_token_is_reported():
    assert find_mismatches(_parsed("gmail_reply_threading"), {"conversation_token": "nope"}) != []


def test_the_stored_expectations_match_for_a_sample_message():
    expected = json.loads((CORPUS / "gmail_reply_threading.json").read_text(encoding="utf-8"))
    assert find_mismatches(_parsed("gmail_reply_threading"), expected) == []
