"""Split a reply into the sender's new words, their signature and the quoted history.

mail-parser-reply finds the quote headers (English, German, Outlook and more); its
cost grows with the cube of line length, so it only reads the first
REPLY_SCAN_CHARS of the body, with every line longer than MAX_REPLY_LINE_CHARS
swapped for a short placeholder and put back afterwards.
"""

import functools
import re

from mailparser_reply import EmailMessage as ReplyReader

from services.email.parsing import limits
from services.email.parsing.model import ReplyParts
from services.email.parsing.quote_fallback import move_trailing_quote, recover_bottom_post, split_by_lines

_LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
_CLOSINGS = (
    r"thanks|thank you|many thanks|thanks again|cheers|best|best regards|kind regards|warm regards"
    r"|regards|sincerely|yours sincerely|mit freundlichen grüßen|freundliche grüße|viele grüße"
    r"|beste grüße|liebe grüße|grüße|gruß|vielen dank|danke|cordialement|saludos|atentamente"
    r"|cordiali saluti|met vriendelijke groet|groeten"
)
_CLOSING_LINE = re.compile(rf"(?:{_CLOSINGS})[ \t]*[,.!]*[ \t]*$", re.IGNORECASE | re.MULTILINE)
# Replaces the library's own list, which also cuts at "Thanks, but..." or a "- item" line.
_SIGNATURE = re.compile(
    r"^(?:--|__)[ \t]*$[\s\S]*\Z"
    r"|^(?:sent from my|get outlook for|gesendet von|envoyé de mon|enviado desde mi)\b.*$[\s\S]*\Z"
    rf"|^(?:{_CLOSINGS})[ \t]*[,.!]*[ \t]*$(?:\n.{{0,80}}){{0,6}}\Z",
    re.IGNORECASE | re.MULTILINE,
)
# Disclaimer removal is switched off: it deletes customer sentences starting "Warning:".
_NEVER = re.compile(r"(?!)")
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")


def split_reply(text: str) -> ReplyParts:
    """Return the new text, quoted history and signature of a body, each line stripped of edge spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ue000", "\ufffd").replace("\ue001", "\ufffd")
    head, tail = _cut(text)
    shaped, long_lines = _shape(head)
    try:
        parts = _read(shaped)
    except Exception:  # a regex-heavy third-party parser: any failure costs only the split
        parts = split_by_lines(shaped)
    parts = ReplyParts(*(_restore(part, long_lines) for part in (parts.new_text, parts.quoted_text, parts.signature)))
    return move_trailing_quote(_add_tail(parts, tail))


def _cut(text: str) -> tuple[str, str]:
    """Cut the text at a line end near REPLY_SCAN_CHARS."""
    if len(text) <= limits.REPLY_SCAN_CHARS:
        return text, ""
    at = text.rfind("\n", 0, limits.REPLY_SCAN_CHARS)
    at = at if at > 0 else limits.REPLY_SCAN_CHARS
    return text[:at], text[at:]


def _shape(text: str) -> tuple[str, list[str]]:
    """Swap over-long lines for numbered placeholders no quote pattern can match."""
    long_lines: list[str] = []
    lines = []
    for line in text.split("\n"):
        if len(line.strip()) > limits.MAX_REPLY_LINE_CHARS:
            long_lines.append(line.strip())
            line = f"\ue000{len(long_lines) - 1}\ue001"
        lines.append(line)
    return "\n".join(lines), long_lines


@functools.cache
def _quote_headers() -> re.Pattern[str]:
    """The library's quote-header pattern for our languages; it would rebuild it for every message."""
    return ReplyReader(text="", languages=list(_LANGUAGES)).HEADER_REGEX


def _read(text: str) -> ReplyParts:
    """Ask mail-parser-reply where the replies start and where the signature begins."""
    reader = ReplyReader(
        text=text, languages=list(_LANGUAGES), keep_hyphen_lists=True, _header_regex=_quote_headers(),
        _signature_regex=_SIGNATURE, _disclaimers_regex=_NEVER,
    ).read()
    first, later = reader.replies[0], reader.replies[1:]
    quoted = _quoted_history(reader.text, first.content, later[0].content) if later else ""
    if first.headers:
        return recover_bottom_post(first.headers, first.full_body, first.signatures)
    if first.signatures and not first.body and _CLOSING_LINE.match(first.signatures):
        return ReplyParts(first.signatures, quoted)  # "Thanks!" alone is the message itself
    return ReplyParts(first.body, quoted, first.signatures)


def _quoted_history(text: str, first: str, second: str) -> str:
    """Return the text from the first quote header on, as one piece of the original."""
    start = text.find(second, text.find(first) + len(first))
    return text[start:].strip() if start >= 0 else second


def _restore(text: str, long_lines: list[str]) -> str:
    """Put the over-long lines back in place of their placeholders."""
    return _PLACEHOLDER.sub(lambda found: long_lines[int(found.group(1))], text) if long_lines else text


def _add_tail(parts: ReplyParts, tail: str) -> ReplyParts:
    """Append the unread rest of a long body to whichever section it continues."""
    if not tail.strip():
        return parts
    if parts.quoted_text:
        return ReplyParts(parts.new_text, parts.quoted_text + tail, parts.signature)
    if parts.signature:
        return ReplyParts(parts.new_text, parts.quoted_text, parts.signature + tail)
    return ReplyParts(parts.new_text + tail, parts.quoted_text, parts.signature)
