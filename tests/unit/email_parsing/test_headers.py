"""Header values are read leniently: odd ids, dates and addresses still give what can be used."""

from datetime import timezone
from email import policy
from email.parser import BytesParser

from services.email.parsing.headers import get_addresses, get_date, get_ids, get_message_id


def _msg(headers: str):
    return BytesParser(policy=policy.compat32).parsebytes((headers + "\r\n\r\nbody").encode("utf-8"))


def test_threading_ids_come_without_brackets_or_comments_and_without_duplicates():
    msg = _msg("In-Reply-To: <a@x.example> (Anna's message of Monday)\r\nReferences: <r@x.example>\r\n <a@x.example> <r@x.example>")
    assert get_ids(msg, "In-Reply-To") == ("a@x.example",)
    assert get_ids(msg, "References") == ("r@x.example", "a@x.example")


def test_ids_without_angle_brackets_are_still_found():
    msg = _msg("References: one@x.example two@x.example\r\nMessage-ID: bare-id@x.example")
    assert get_ids(msg, "References") == ("one@x.example", "two@x.example")
    assert get_message_id(msg) == "bare-id@x.example"


def test_a_message_id_that_is_empty_or_has_spaces_is_unusable():
    assert get_message_id(_msg("Message-ID: <>")) is None
    assert get_message_id(_msg("Message-ID: two words")) is None


def test_a_date_with_an_unknown_zone_is_taken_as_utc():
    date = get_date(_msg("Date: Tue, 4 Mar 2025 10:00:00 -0000"), [])
    assert date.tzinfo is timezone.utc and date.hour == 10


def test_an_unreadable_date_is_none_with_a_warning():
    warnings: list[str] = []
    assert get_date(_msg("Date: 32 Foo 20x5"), warnings) is None
    assert warnings == ["Date header unreadable; ignored"]


def test_invalid_addresses_are_dropped_and_valid_ones_lower_cased():
    warnings: list[str] = []
    found = get_addresses(_msg('To: "A" <A@Example.COM>, not-an-address, <>, b@x.example'), "To", warnings)
    assert found == [("A", "a@example.com"), ("", "b@x.example")]
    assert warnings == ["invalid address in To ignored"]


def test_an_old_style_comment_gives_the_display_name():
    assert get_addresses(_msg("From: alerts@x.example (Uptime Monitor)"), "From", []) == [("Uptime Monitor", "alerts@x.example")]


def test_a_group_without_members_gives_no_addresses():
    assert get_addresses(_msg("To: undisclosed-recipients:;"), "To", []) == []


def test_an_encoded_word_left_inside_quotes_is_decoded():
    found = get_addresses(_msg('From: "=?utf-8?Q?J=C3=BCrgen?=" <j@x.example>'), "From", [])
    assert found == [("Jürgen", "j@x.example")]
