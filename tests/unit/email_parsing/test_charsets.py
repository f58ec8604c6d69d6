"""Text in any charset decodes to clean Unicode, with a guess and a warning instead of a failure."""

import base64

import pytest

from services.email.parsing.charsets import decode_bytes, find_codec, repair_text
from services.email.parsing.encoded_words import decode_encoded_words


def _decode(data: bytes, label: str | None) -> tuple[str, list[str]]:
    warnings: list[str] = []
    return decode_bytes(data, label, warnings), warnings


@pytest.mark.parametrize("label, text", [
    ("iso-8859-1", "café"), ("windows-1252", "“€”"), ("koi8-r", "Привет"), ("iso-2022-jp", "こんにちは"),
    ("gb2312", "订单"), ("shift_jis", "注文"), ("utf-16", "ünï"), ("UTF-8", "naïve ✓"),
])
def test_declared_charsets_decode_without_warnings(label, text):
    assert _decode(text.encode(find_codec(label) or label), label) == (text, [])


def test_an_unknown_charset_is_guessed_and_reported():
    text, warnings = _decode("arrivé".encode("latin-1"), "x-mac-klingon")
    assert text == "arrivé"
    assert warnings == ["unknown charset 'x-mac-klingon'; text decoded by guess"]


def test_utf8_declared_but_latin1_sent_falls_back_to_windows_1252():
    text, warnings = _decode("Grüße".encode("latin-1"), "utf-8")
    assert text == "Grüße"
    assert "not valid utf-8" in warnings[0]


def test_a_missing_or_ascii_label_guesses_utf8_silently():
    assert _decode("Grüße".encode("utf-8"), None) == ("Grüße", [])
    assert _decode("Grüße".encode("utf-8"), "us-ascii") == ("Grüße", [])


@pytest.mark.parametrize("label", ["base64", "zlib", "rot13", "undefined", "unicode_escape", "idna", "a\x00b", ""])
def test_codecs_that_are_not_text_charsets_are_refused(label):
    assert find_codec(label) is None
    assert _decode(b"plain \\u0041 text", label)[0] == "plain \\u0041 text"


def test_control_characters_are_dropped_but_newlines_and_tabs_kept():
    assert _decode(b"a\x00b\x07c\td\ne", "utf-8")[0] == "abc\td\ne"


def test_surrogate_escaped_raw_bytes_are_decoded_properly():
    assert repair_text("M\udcc3\udcbcller") == "Müller"
    assert repair_text("J\udce9r\udcf4me") == "Jérôme"


def test_encoded_words_in_several_charsets_and_encodings_decode():
    warnings: list[str] = []
    value = "=?utf-8?Q?a_b?=  =?iso-8859-1?Q?=E9?= tail =?koi8-r?B?8NLJ18XU?="
    assert decode_encoded_words(value, warnings) == "a bé tail Привет"
    assert warnings == []


def test_a_character_split_across_two_encoded_words_is_rejoined():
    first, second = base64.b64encode("ä".encode()[:1]).decode(), base64.b64encode("ä".encode()[1:]).decode()
    assert decode_encoded_words(f"=?UTF-8?B?{first}?= =?utf-8?B?{second}?=", []) == "ä"


def test_broken_encoded_words_never_raise():
    warnings: list[str] = []
    assert decode_encoded_words("=?utf-8?B?%%%?= ok =?nope?Q?x?= =?utf-8*en?Q?y?=", warnings) == " ok xy"
    assert decode_encoded_words("=?utf-8?B?w6TDtg?=", []) == "äö"  # missing padding
