import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.sms.domain.segments import count_segments, is_gsm7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 1),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("a" * 460, 4),
    ],
)
def test_gsm7_text_fits_160_alone_and_153_per_part(text, expected):
    assert count_segments(text) == expected


def test_accented_letters_of_the_gsm_alphabet_stay_in_gsm7():
    text = "Café à Düsseldorf, Ñoño, £5 ¥3 §2 ¿Qué? Δ" * 3
    assert is_gsm7(text)
    assert count_segments("é" * 160) == 1
    assert not is_gsm7("ú")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("a" * 159 + "€", 2),
        ("a" * 158 + "[", 1),
        ("{}" * 40, 1),
    ],
)
def test_extension_characters_count_double(text, expected):
    assert count_segments(text) == expected


def test_an_extension_character_is_never_split_across_two_parts():
    # 306 septets would fit two parts of 153, but each part holds only 76 whole pairs.
    assert count_segments("€" * 153) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ж" * 70, 1),
        ("ж" * 71, 2),
        ("ж" * 134, 2),
        ("ж" * 135, 3),
        ("a" * 69 + "ж", 1),
        ("a" * 70 + "ж", 2),
    ],
)
def test_text_outside_gsm7_is_sent_as_ucs2_with_70_alone_and_67_per_part(text, expected):
    assert count_segments(text) == expected


def test_one_character_outside_gsm7_switches_the_whole_message_to_ucs2():
    assert count_segments("a" * 100) == 1
    assert count_segments("a" * 99 + "ç") == 2  # lower-case c-cedilla is not in GSM-7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("😀" * 35, 1),
        ("😀" * 36, 2),
        ("a" + "😀" * 34 + "a", 1),
        ("a" + "😀" * 34 + "aa", 2),
    ],
)
def test_emoji_count_as_two_utf16_code_units(text, expected):
    assert count_segments(text) == expected


def test_an_emoji_is_never_split_across_two_parts():
    # 67 code units per part hold 33 emoji, so 67 emoji need three parts, not two.
    assert count_segments("😀" * 67) == 3


@settings(derandomize=True, database=None, max_examples=200)
@given(st.text(max_size=400), st.characters())
def test_adding_a_character_never_makes_a_message_cheaper(text, extra):
    assert count_segments(text + extra) >= count_segments(text) >= 1
