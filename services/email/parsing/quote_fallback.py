"""A plain line-based reply splitter, used when mail-parser-reply fails, and shared clean-up rules."""

import re

from services.email.parsing.model import ReplyParts

_QUOTE_HEADER = re.compile(
    r"(?:>+ ?)*(?:On\b.*\bwrote:|Am\b.*\bschrieb\b.*:|Le\b.*\ba écrit ?:|El\b.*\bescribió:"
    r"|-{2,} ?(?:Original Message|Ursprüngliche Nachricht|Forwarded message|Weitergeleitete Nachricht) ?-{2,}"
    r"|_{20,})\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"\*?(?:From|Von|De|Da|Van):\*? ", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"\*?(?:Sent|Date|To|Subject|Gesendet|Datum|An|Betreff|Envoyé|Enviado|Inviato):\*? ", re.IGNORECASE,
)
_SIGNATURE_START = re.compile(r"(?:--|__|sent from my\b.*|get outlook for\b.*|gesendet von\b.*)\s*$", re.IGNORECASE)


def split_by_lines(text: str) -> ReplyParts:
    """Split at the first quote header, then split the signature off at its delimiter."""
    lines = [line.strip() for line in text.split("\n")]
    cut = next((i for i in range(len(lines)) if _starts_quote(lines, i)), len(lines))
    new_lines, quoted = lines[:cut], "\n".join(lines[cut:]).strip()
    signature_at = next((i for i, line in enumerate(new_lines) if _SIGNATURE_START.match(line)), len(new_lines))
    new_text = "\n".join(new_lines[:signature_at]).strip()
    signature = "\n".join(new_lines[signature_at:]).strip()
    if not new_text and quoted:
        header, _, rest = quoted.partition("\n\n")
        return recover_bottom_post(header, rest, signature)
    return ReplyParts(new_text, quoted, signature)


def _starts_quote(lines: list[str], index: int) -> bool:
    """Tell whether a quote header (one line, or an Outlook From/Sent block) starts here."""
    if _QUOTE_HEADER.match(lines[index]):
        return True
    following = lines[index + 1:index + 4]
    return bool(_HEADER_FROM.match(lines[index])) and any(_HEADER_NEXT.match(line) for line in following)


def recover_bottom_post(header: str, body: str, signature: str = "") -> ReplyParts:
    """When the text opens with a quote, the sender's words are the lines that are not quoted."""
    lines = body.split("\n")
    own = "\n".join(line for line in lines if not line.startswith(">")).strip()
    quoted = "\n".join([header] + [line for line in lines if line.startswith(">")]).strip()
    return ReplyParts(own, quoted, signature)


def move_trailing_quote(parts: ReplyParts) -> ReplyParts:
    """Move a block of '>' lines that ends the new text (and its header line) into the quoted text."""
    lines = parts.new_text.split("\n")
    start = len(lines)
    while start > 0 and (lines[start - 1].startswith(">") or not lines[start - 1].strip()):
        start -= 1
    if not any(line.startswith(">") for line in lines[start:]):
        return parts
    if start > 0 and lines[start - 1].rstrip().endswith(":"):
        start -= 1  # an attribution line in a language the patterns do not know
    moved = "\n".join(lines[start:]).strip()
    quoted = f"{moved}\n\n{parts.quoted_text}".strip()
    return ReplyParts("\n".join(lines[:start]).strip(), quoted, parts.signature)
