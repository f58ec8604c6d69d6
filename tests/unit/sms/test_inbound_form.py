import pytest

from services.sms.domain.inbound import InvalidSmsForm, Media, parse_twilio_form
from services.sms.domain.keywords import Keyword
from tests.support.sms_forms import load_form


def test_a_plain_sms_is_read_with_normalised_numbers():
    sms = parse_twilio_form(load_form("inbound_plain.txt"))
    assert sms.message_sid == "SM1a2b3c4d1a2b3c4d1a2b3c4d1a2b3c4d"
    assert sms.from_number == "+14155550123"
    assert sms.to_number == "+14155550100"
    assert sms.body == "Hi, my order #4521 hasn't arrived yet. Can you check?"
    assert sms.media == ()
    assert sms.num_segments == 1
    assert sms.keyword is None


def test_an_mms_keeps_every_attachment_in_order():
    sms = parse_twilio_form(load_form("inbound_two_media.txt"))
    assert [media.content_type for media in sms.media] == ["image/jpeg", "image/png"]
    assert sms.media[0].url.endswith("/Media/ME11112222111122221111222211112222")
    assert sms.media[1].url.endswith("/Media/ME33334444333344443333444433334444")
    assert sms.message_sid.startswith("MM")


def test_unicode_and_emoji_survive_untouched():
    sms = parse_twilio_form(load_form("inbound_unicode_emoji.txt"))
    assert sms.body == "Grüße aus München! Заказ не пришёл 😞🙏"
    assert sms.from_number == "+447911123456"


def test_a_stop_message_is_marked_as_an_opt_out():
    sms = parse_twilio_form(load_form("inbound_stop.txt"))
    assert sms.keyword is Keyword.OPT_OUT
    assert sms.body == "  Stop "


def test_a_national_from_number_is_read_in_the_default_region():
    form = {**load_form("inbound_plain.txt"), "From": "020 7946 0958"}
    assert parse_twilio_form(form, default_region="GB").from_number == "+442079460958"


def test_a_missing_segment_count_is_worked_out_from_the_body():
    form = {**load_form("inbound_plain.txt"), "Body": "x" * 200}
    del form["NumSegments"]
    assert parse_twilio_form(form).num_segments == 2


def test_a_media_only_message_has_an_empty_body():
    form = {**load_form("inbound_two_media.txt"), "Body": ""}
    sms = parse_twilio_form(form)
    assert sms.body == "" and len(sms.media) == 2


def test_a_missing_content_type_falls_back_to_a_generic_one():
    form = load_form("inbound_two_media.txt")
    del form["MediaContentType1"]
    assert parse_twilio_form(form).media[1] == Media(form["MediaUrl1"], "application/octet-stream")


def _details(form):
    with pytest.raises(InvalidSmsForm) as caught:
        parse_twilio_form(form)
    return caught.value.details


@pytest.mark.parametrize("field", ["MessageSid", "From", "To"])
def test_a_missing_required_field_is_named(field):
    form = load_form("inbound_plain.txt")
    del form[field]
    assert _details(form) == {field: "is required"}


@pytest.mark.parametrize("field", ["MessageSid", "From", "To"])
def test_a_blank_required_field_is_named(field):
    form = {**load_form("inbound_plain.txt"), field: "  "}
    assert _details(form) == {field: "is required"}


@pytest.mark.parametrize("sid", ["SM123", "SM" + "g" * 32, "'; drop table messages; --", "SM" + "a" * 40])
def test_a_message_sid_not_shaped_like_twilios_is_refused(sid):
    form = {**load_form("inbound_plain.txt"), "MessageSid": sid}
    assert "MessageSid" in _details(form)


@pytest.mark.parametrize("sender", ["not-a-number", "+1 555 555 0123", "<script>"])
def test_a_from_that_is_not_a_phone_number_is_refused(sender):
    form = {**load_form("inbound_plain.txt"), "From": sender}
    assert "From" in _details(form)


@pytest.mark.parametrize(("value", "reason"), [("two", "whole number"), ("-1", "whole number"),
                                               ("1.5", "whole number"), ("١", "whole number"),
                                               ("11", "at most 10")])
def test_num_media_must_be_a_small_whole_number(value, reason):
    form = {**load_form("inbound_plain.txt"), "NumMedia": value}
    assert reason in _details(form)["NumMedia"]


def test_every_media_url_below_num_media_must_be_present():
    form = {**load_form("inbound_plain.txt"), "NumMedia": "3",
            "MediaUrl0": "https://api.twilio.com/media/one", "MediaContentType0": "image/gif"}
    assert _details(form) == {"MediaUrl1": "is required", "MediaUrl2": "is required"}


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "/relative/path", "https://"])
def test_a_media_url_must_be_an_absolute_web_address(url):
    form = {**load_form("inbound_two_media.txt"), "MediaUrl0": url}
    assert "MediaUrl0" in _details(form)


def test_a_body_beyond_16_kb_is_refused():
    form = {**load_form("inbound_plain.txt"), "Body": "a" * (16 * 1024 + 1)}
    assert _details(form) == {"Body": "is longer than 16384 bytes"}


def test_the_body_cap_counts_bytes_not_characters():
    form = {**load_form("inbound_plain.txt"), "Body": "😀" * 4097}  # 16,388 bytes
    assert "Body" in _details(form)


def test_a_body_with_a_nul_character_is_refused():
    form = {**load_form("inbound_plain.txt"), "Body": "hi\x00there"}
    assert _details(form) == {"Body": "contains a NUL character"}


def test_a_non_numeric_segment_count_is_refused():
    form = {**load_form("inbound_plain.txt"), "NumSegments": "many"}
    assert "NumSegments" in _details(form)


def test_every_bad_field_is_reported_at_once():
    form = {"Body": "hello", "NumMedia": "x"}
    assert set(_details(form)) == {"MessageSid", "From", "To", "NumMedia"}


def test_an_empty_form_names_each_required_field():
    assert set(_details({})) == {"MessageSid", "From", "To"}


def test_the_error_message_lists_the_bad_fields():
    form = {**load_form("inbound_plain.txt"), "From": ""}
    with pytest.raises(InvalidSmsForm, match="From"):
        parse_twilio_form(form)
