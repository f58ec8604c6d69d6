import pytest

from services.sms.domain.phones import InvalidPhoneNumber, normalise_phone, region_of


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(415) 555-0123", "US", "+14155550123"),
        ("+1 415 555 0123", "US", "+14155550123"),
        ("+14155550123", "US", "+14155550123"),
        ("1-415-555-0123", "US", "+14155550123"),
        ("415.555.0123", "US", "+14155550123"),
        ("00 44 20 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("030 123456", "DE", "+4930123456"),
        ("(02) 9876 5432", "AU", "+61298765432"),
        ("90 1234 5678", "JP", "+819012345678"),
        ("  +1 415 555 0123\n", "US", "+14155550123"),
    ],
)
def test_national_and_international_spellings_become_e164(raw, region, expected):
    assert normalise_phone(raw, region) == expected


def test_the_default_region_is_the_united_states():
    assert normalise_phone("(415) 555-0123") == "+14155550123"


@pytest.mark.parametrize("raw", ["+1 415 555 0100 ext. 12", "415-555-0100 x99", "+14155550100;ext=7"])
def test_extensions_are_dropped_because_sms_cannot_reach_them(raw):
    assert normalise_phone(raw) == "+14155550100"


def test_a_valid_short_code_is_kept_as_its_digits():
    assert normalise_phone("22395", "US") == "22395"


def test_an_emergency_number_is_never_accepted_as_a_short_code():
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone("911", "US")


def test_a_short_code_is_judged_by_the_region_it_belongs_to():
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone("12345", "GB")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "required"),
        ("   ", "required"),
        ("hello", "not a phone number"),
        ("+1 555 555 0123", "not a valid phone number"),
        ("+1 415 555", "not a valid phone number"),
        ("+999 1234 5678", "no valid country code"),
        ("1" * 300, "too long"),
        ("+22395", "not a valid phone number"),
    ],
)
def test_text_that_is_not_a_textable_number_is_refused_with_a_reason(raw, fragment):
    with pytest.raises(InvalidPhoneNumber, match=fragment):
        normalise_phone(raw)


def test_a_national_number_under_an_unknown_region_is_refused():
    with pytest.raises(InvalidPhoneNumber, match="no valid country code"):
        normalise_phone("020 7946 0958", "ZZ")


def test_a_value_that_is_not_text_is_refused():
    with pytest.raises(InvalidPhoneNumber, match="required"):
        normalise_phone(None)  # type: ignore[arg-type]


def test_invalid_phone_number_is_a_value_error_so_schema_checks_can_catch_it():
    assert issubclass(InvalidPhoneNumber, ValueError)


@pytest.mark.parametrize("inbox_number, region", [
    ("+14155550100", "US"), ("+442071838750", "GB"), ("+4930123456", "DE"),
    (None, "US"), ("", "US"), ("not a number", "US"), ("+80012345678", "US"),
])
def test_national_numbers_are_read_in_the_region_of_the_inbox_number(inbox_number, region):
    assert region_of(inbox_number) == region
