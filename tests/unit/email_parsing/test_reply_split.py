"""Splitting a reply keeps the customer's words whole and moves quotes and signatures aside."""

import pytest

from services.email.parsing import reply_split
from services.email.parsing.quote_fallback import split_by_lines
from services.email.parsing.reply_split import split_reply

GMAIL = "Hi,\n\nit still fails.\n\nOn Tue, 4 Mar 2025 at 10:12, Support <support@northwind.example> wrote:\n> try again\n"
OUTLOOK_DE = (
    "Danke, klappt.\n\nVon: Support <support@northwind.example>\nGesendet: Dienstag, 4. März 2025 10:12\n"
    "An: Max <max@example.de>\nBetreff: AW: Export\n\nHallo Max\n"
)


def test_a_gmail_reply_splits_at_the_attribution_line():
    parts = split_reply(GMAIL)
    assert parts.new_text == "Hi,\n\nit still fails."
    assert parts.quoted_text.startswith("On Tue, 4 Mar 2025") and parts.quoted_text.endswith("> try again")


def test_a_german_outlook_reply_splits_at_the_von_block():
    parts = split_reply(OUTLOOK_DE)
    assert parts.new_text == "Danke, klappt."
    assert parts.quoted_text.startswith("Von: Support")


def test_a_sentence_starting_with_thanks_is_not_taken_for_a_signature():
    text = "Hi,\nThanks, but the export still fails.\nCan you check?\n"
    assert split_reply(text).new_text == "Hi,\nThanks, but the export still fails.\nCan you check?"


def test_hyphen_lists_and_warning_sentences_stay_in_the_new_text():
    text = "Steps:\n- open the app\n- press export\nWarning: the mail server rejected my mail\n"
    parts = split_reply(text)
    assert parts.new_text == text.strip()
    assert parts.signature == ""


def test_a_closing_followed_by_a_long_paragraph_is_not_a_signature():
    text = "Hello\n\nThanks!\n\n" + "\n".join(f"Detail line {i} about the broken zipper" for i in range(10))
    assert "Detail line 9" in split_reply(text).new_text


def test_a_message_that_is_only_thanks_keeps_it_as_the_new_text():
    parts = split_reply("Thanks!\n")
    assert (parts.new_text, parts.signature) == ("Thanks!", "")


def test_the_dash_dash_delimiter_starts_the_signature():
    parts = split_reply("Please call me.\n\n-- \nAnna Berg\n+49 40 1234\n")
    assert (parts.new_text, parts.signature) == ("Please call me.", "--\nAnna Berg\n+49 40 1234")


def test_a_bottom_posted_answer_is_the_new_text():
    text = "On Tue, 4 Mar 2025, Support <support@northwind.example> wrote:\n> Which size?\n\nSize L please.\n"
    parts = split_reply(text)
    assert parts.new_text == "Size L please."
    assert "> Which size?" in parts.quoted_text


def test_trailing_quoted_lines_without_a_known_header_move_to_the_quote():
    text = "Yes.\n\nEl 4 mar 2025, Soporte escribió algo:\n> ¿Sí o no?\n"
    parts = split_reply(text)
    assert parts.new_text == "Yes."
    assert parts.quoted_text.startswith("El 4 mar 2025") and "> ¿Sí o no?" in parts.quoted_text


def test_long_lines_come_back_unchanged_after_the_split():
    long_line = "word " * 100
    parts = split_reply(f"{long_line}\n\n{GMAIL}")
    assert parts.new_text.startswith(long_line.strip())
    assert "\ue000" not in parts.new_text


def test_private_use_placeholder_characters_in_the_input_are_harmless():
    parts = split_reply("odd \ue0009\ue001 text\n" + "x" * 300)
    assert "x" * 300 in parts.new_text


def test_the_line_based_fallback_is_used_when_mail_parser_reply_fails(monkeypatch):
    def broken(**_):
        raise RuntimeError("library failure")

    monkeypatch.setattr(reply_split, "ReplyReader", broken)
    parts = split_reply(GMAIL + "\n")
    assert parts.new_text == "Hi,\n\nit still fails."
    assert parts.quoted_text.startswith("On Tue, 4 Mar 2025")


@pytest.mark.parametrize("text, new_text", [
    (GMAIL, "Hi,\n\nit still fails."),
    (OUTLOOK_DE, "Danke, klappt."),
    ("Fine.\n\n-----Original Message-----\nFrom: a\nSent: b\n\nold", "Fine."),
    ("Ok\n\nFrom: Support <s@x.example>\nSent: Monday\nTo: me\n\nold", "Ok"),
    ("Answer\n\nSent from my iPhone\n", "Answer"),
    ("no quote at all\n", "no quote at all"),
])
def test_the_line_based_fallback_splits_the_common_formats(text, new_text):
    assert split_by_lines(text).new_text == new_text


def test_the_line_based_fallback_finds_the_signature_delimiter():
    parts = split_by_lines("Body\n-- \nSig line\n\nOn Mon, X wrote:\n> q\n")
    assert (parts.new_text, parts.signature) == ("Body", "--\nSig line")
    assert parts.quoted_text.startswith("On Mon, X wrote:")


def test_the_quote_header_pattern_built_once_is_the_one_the_library_builds_for_each_message():
    library = reply_split.ReplyReader(text="any body", languages=list(reply_split._LANGUAGES))
    assert reply_split._quote_headers().pattern == library.HEADER_REGEX.pattern
    assert reply_split._quote_headers().flags == library.HEADER_REGEX.flags
