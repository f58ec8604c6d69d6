"""Phone numbers as Switchboard keeps them: E.164, or the digits of a short code."""

import phonenumbers

from services.sms.domain.errors import InvalidPhoneNumber

__all__ = ["InvalidPhoneNumber", "normalise_phone"]

_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "has no valid country code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "is not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "is too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "is too short",
    phonenumbers.NumberParseException.TOO_LONG: "is too long",
}


def normalise_phone(raw: str, default_region: str = "US") -> str:
    """Return the one spelling of a number so the same customer is always matched."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPhoneNumber("a phone number is required")
    number = _parse(raw, default_region)
    if phonenumbers.is_valid_number(number):
        # E.164 has no room for an extension, which SMS cannot reach anyway.
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _is_textable_short_code(raw, number, default_region):
        return phonenumbers.national_significant_number(number)
    raise InvalidPhoneNumber(f"{raw.strip()!r} is not a valid phone number")


def _parse(raw: str, default_region: str) -> phonenumbers.PhoneNumber:
    """Parse with phonenumbers, turning its error codes into readable messages."""
    try:
        return phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as error:
        reason = _PARSE_REASONS.get(error.error_type, "is not a phone number")
        raise InvalidPhoneNumber(f"{raw.strip()!r} {reason}") from error


def _is_textable_short_code(raw: str, number: phonenumbers.PhoneNumber, region: str) -> bool:
    """Accept carrier short codes, but never emergency numbers: we must not text them."""
    if raw.strip().startswith("+"):
        return False
    if not phonenumbers.is_valid_short_number_for_region(number, region):
        return False
    digits = phonenumbers.national_significant_number(number)
    return not phonenumbers.is_emergency_number(digits, region)


def region_of(number: str | None, fallback: str = "US") -> str:
    """The region a number belongs to, used to read national numbers sent to it."""
    try:
        country_code = phonenumbers.parse(number or "", None).country_code
    except phonenumbers.NumberParseException:
        return fallback
    region = phonenumbers.region_code_for_country_code(country_code)
    # "ZZ" is unknown and "001" a non-geographic service: neither has national numbers.
    return region if region not in ("ZZ", "001") else fallback
