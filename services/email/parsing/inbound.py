"""Parse one raw inbound email into a ParsedEmail, tolerating everything a sender can get wrong.

Only input that is not an email at all raises UnparseableEmail: anything that is
not bytes, empty input, input over limits.MAX_MESSAGE_BYTES (50 MiB), or a message
with neither headers nor body.
"""

import re
from email import policy
from email.message import Message
from email.parser import BytesParser

from services.email.parsing import limits
from services.email.parsing.auto_reply import AUTO_REPLY_HEADERS, find_auto_reply_reason
from services.email.parsing.bodies import Body, read_body
from services.email.parsing.envelope import read_envelope
from services.email.parsing.headers import get_raw
from services.email.parsing.mime_parts import get_defect_warnings
from services.email.parsing.model import ParsedEmail, UnparseableEmail
from services.email.parsing.raw_headers import trim_header_block
from services.email.parsing.reply_split import split_reply

_BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)


def parse_email(raw: bytes, *, max_attachment_bytes: int = 10 * 1024 * 1024) -> ParsedEmail:
    """Parse raw RFC 5322 bytes; attachments over max_attachment_bytes keep their size but no content."""
    raw = check_raw(raw)
    trimmed, warnings = trim_header_block(raw)
    msg, body_readable = _parse_mime(trimmed, warnings)
    body = read_body(msg, max_attachment_bytes, warnings) if body_readable else Body()
    if not msg.keys() and not body.text.strip() and not body.attachments:
        raise UnparseableEmail("no headers and no body")
    if b"\n" in raw and b"\r\n" not in raw:
        warnings.append("bare LF line endings")
    envelope = read_envelope(msg, raw, warnings)
    headers = {name: value for name in AUTO_REPLY_HEADERS if (value := get_raw(msg, name)) is not None}
    reason = find_auto_reply_reason(headers, envelope.subject, envelope.from_address, body.is_delivery_report)
    parts = split_reply(body.text)
    return ParsedEmail(
        **vars(envelope), text=body.text, html=body.html,
        new_text=parts.new_text, quoted_text=parts.quoted_text, signature=parts.signature,
        attachments=body.attachments, is_auto_reply=reason is not None, auto_reply_reason=reason,
        warnings=tuple(dict.fromkeys(get_defect_warnings([msg]) + warnings))[:limits.MAX_WARNINGS],
    )


def check_raw(raw: object) -> bytes:
    """Refuse what cannot be an email before any parsing work is spent on it."""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise UnparseableEmail(f"expected bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    if not raw.strip():
        raise UnparseableEmail("empty message")
    if len(raw) > limits.MAX_MESSAGE_BYTES:
        raise UnparseableEmail(f"message of {len(raw)} bytes is over the {limits.MAX_MESSAGE_BYTES}-byte limit")
    return raw


def too_nested(raw: bytes) -> bool:
    """More multipart containers than the stdlib parser walks in reasonable time."""
    return len(_BOUNDARY.findall(raw)) > limits.MAX_MULTIPART_CONTAINERS


def _parse_mime(raw: bytes, warnings: list[str]) -> tuple[Message, bool]:
    """Parse the MIME tree, or only the headers when the tree is too deep to walk safely."""
    # compat32 keeps header values as raw strings; policy.default would build (and
    # rebuild, on every access) a parsed header object, which costs most of the time.
    # Address headers are parsed with policy.default's parser where they are read.
    parser = BytesParser(policy=policy.compat32)
    if not too_nested(raw):
        try:
            return parser.parsebytes(raw), True
        except RecursionError:
            pass
    warnings.append("MIME structure nested too deeply; only the headers were read")
    return parser.parsebytes(raw, headersonly=True), False
