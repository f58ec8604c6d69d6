"""Every message in tests/data/email parses to the fields its .json file expects."""

import json
from pathlib import Path

import pytest

from services.email.parsing import parse_email
from tests.unit.email_parsing.corpus_checks import find_mismatches

CORPUS = Path(__file__).resolve().parents[2] / "data" / "email"
MESSAGES = sorted(CORPUS.glob("*.eml"))


def test_the_corpus_holds_at_least_thirty_messages_each_with_expectations():
    assert len(MESSAGES) >= 30
    assert all(message.with_suffix(".json").is_file() for message in MESSAGES)


@pytest.mark.parametrize("message", MESSAGES, ids=lambda path: path.stem)
def test_corpus_message_parses_to_its_expected_fields(message: Path):
    expected = json.loads(message.with_suffix(".json").read_text(encoding="utf-8"))
    parsed = parse_email(message.read_bytes())
    assert find_mismatches(parsed, expected) == []
