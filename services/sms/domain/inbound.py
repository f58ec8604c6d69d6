"""An SMS or MMS a customer sent, read from the provider's webhook form."""

import dataclasses
from collections.abc import Mapping
from urllib.parse import urlsplit

from services.sms.domain.errors import InvalidSmsForm
from services.sms.domain.form_fields import (
    FieldErrors,
    check_count,
    check_message_sid,
    check_required,
    get_text,
)
from services.sms.domain.keywords import Keyword, classify_keyword
from services.sms.domain.phones import normalise_phone
from services.sms.domain.segments import count_segments

__all__ = ["InboundSms", "InvalidSmsForm", "Media", "parse_twilio_form"]

MAX_MEDIA = 10  # Twilio's own limit on attachments per MMS
MAX_BODY_BYTES = 16 * 1024  # ten times Twilio's 1,600 characters; more is not an SMS
MAX_SEGMENTS = 100
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclasses.dataclass(frozen=True)
class Media:
    """An attachment the provider hosts; we only keep where it is and what it is."""

    url: str
    content_type: str


@dataclasses.dataclass(frozen=True)
class InboundSms:
    """A customer's message as Switchboard understands it."""

    message_sid: str
    from_number: str
    to_number: str
    body: str
    media: tuple[Media, ...]
    num_segments: int
    keyword: Keyword | None


def parse_twilio_form(form: Mapping[str, str], default_region: str = "US") -> InboundSms:
    """Read and check a Twilio inbound webhook form; raises InvalidSmsForm naming each bad field."""
    errors = FieldErrors()
    sid = errors.read("MessageSid", check_message_sid, get_text(form, "MessageSid"))
    sender = errors.read("From", _check_phone, get_text(form, "From"), default_region)
    recipient = errors.read("To", _check_phone, get_text(form, "To"), default_region)
    body = errors.read("Body", _check_body, get_text(form, "Body"))
    media = _read_media(form, errors)
    segments = errors.read("NumSegments", _check_segments, get_text(form, "NumSegments"), body)
    errors.check_none()
    return InboundSms(sid, sender, recipient, body, media, segments, classify_keyword(body))


def _check_phone(value: str, default_region: str) -> str:
    """Normalise a number field; InvalidPhoneNumber is a ValueError, so it is collected."""
    return normalise_phone(check_required(value), default_region)


def _check_body(value: str) -> str:
    """Keep the body exactly as sent, but refuse what no SMS could be."""
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode text") from None
    if size > MAX_BODY_BYTES:
        raise ValueError(f"is longer than {MAX_BODY_BYTES} bytes")
    # PostgreSQL text cannot hold NUL, and no handset sends one.
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


def _check_segments(value: str, body: str | None) -> int:
    """Trust the provider's count; work it out from the body when it sent none."""
    if not value.strip():
        return count_segments(body or "")
    return check_count(value, MAX_SEGMENTS)


def _read_media(form: Mapping[str, str], errors: FieldErrors) -> tuple[Media, ...]:
    """Read MediaUrlN / MediaContentTypeN for every N below NumMedia."""
    raw_count = get_text(form, "NumMedia") or "0"
    count = errors.read("NumMedia", check_count, raw_count, MAX_MEDIA)
    found = (_read_one_media(form, errors, index) for index in range(count or 0))
    return tuple(media for media in found if media is not None)


def _read_one_media(form: Mapping[str, str], errors: FieldErrors, index: int) -> Media | None:
    """Read one attachment; its content type falls back to a generic one."""
    url = errors.read(f"MediaUrl{index}", _check_media_url, get_text(form, f"MediaUrl{index}"))
    content_type = get_text(form, f"MediaContentType{index}").strip() or DEFAULT_CONTENT_TYPE
    return Media(url, content_type) if url else None


def _check_media_url(value: str) -> str:
    """Accept only absolute web addresses, since someone will later fetch them."""
    url = check_required(value)
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an http or https address")
    return url
