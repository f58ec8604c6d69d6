"""Walk a parsed message's parts and read their MIME headers, bounded and never raising."""

from email.message import Message

from services.email.parsing import limits
from services.email.parsing.charsets import clean_text
from services.email.parsing.encoded_words import decode_encoded_words
from services.email.parsing.headers import get_raw

_FALLBACK_TYPE = "application/octet-stream"
_MAX_DEFECT_WARNINGS = 10


def walk_leaves(msg: Message, warnings: list[str]) -> list[Message]:
    """Return the leaf parts in order, without recursion, skipping what is too deep or too many."""
    stack: list[tuple[Message, int]] = [(msg, 0)]
    leaves: list[Message] = []
    while stack:
        part, depth = stack.pop()
        if not _is_container(part):
            leaves.append(part)
            if len(leaves) >= limits.MAX_MIME_PARTS:
                warnings.append(f"more than {limits.MAX_MIME_PARTS} MIME parts; the rest ignored")
                break
        elif depth >= limits.MAX_MIME_DEPTH:
            warnings.append(f"MIME parts nested deeper than {limits.MAX_MIME_DEPTH} levels ignored")
        else:
            stack.extend((child, depth + 1) for child in reversed(part.get_payload()))
    return leaves


def _is_container(part: Message) -> bool:
    """Multiparts are walked into; an attached message stays one part."""
    return part.is_multipart() and get_content_type(part).startswith("multipart/")


def get_content_type(part: Message) -> str:
    """Return the lower-cased content type, or octet-stream when the header is hostile."""
    if _oversized(part, "Content-Type"):
        return _FALLBACK_TYPE
    try:
        return part.get_content_type()
    except Exception:  # the stdlib parses parameters lazily and has crashed on odd ones
        return _FALLBACK_TYPE


def get_disposition(part: Message) -> str | None:
    """Return 'inline', 'attachment' or None."""
    if _oversized(part, "Content-Disposition"):
        return "attachment"
    try:
        return part.get_content_disposition()
    except Exception:  # see get_content_type
        return "attachment"


def get_filename(part: Message, warnings: list[str]) -> str | None:
    """Return the filename the sender gave, decoded; it is never safe to use as a path."""
    if _oversized(part, "Content-Disposition") or _oversized(part, "Content-Type"):
        return None
    try:
        name = part.get_filename()
    except Exception:  # see get_content_type
        return None
    if not name:
        return None
    return clean_text(decode_encoded_words(str(name), warnings)).strip() or None


def get_charset(part: Message) -> str | None:
    """Return the declared charset parameter, if any."""
    if _oversized(part, "Content-Type"):
        return None
    try:
        return part.get_content_charset()
    except Exception:  # see get_content_type
        return None


def get_content_id(part: Message) -> str | None:
    """Return the Content-ID without angle brackets."""
    raw = get_raw(part, "Content-ID")
    if not raw:
        return None
    return clean_text(raw.strip("<> \t"))[:500] or None


def get_bytes(part: Message) -> bytes:
    """Return the decoded content of a leaf part; attached messages come back as bytes too."""
    try:
        if part.is_multipart():
            return b"".join(child.as_bytes() for child in part.get_payload())
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding costs the part, not the message
        return b""
    return payload if isinstance(payload, bytes) else b""


def get_defect_warnings(parts: list[Message]) -> list[str]:
    """Name the structural defects the stdlib tolerated in these parts, once each."""
    names = (type(defect).__name__ for part in parts for defect in part.defects)
    return [f"MIME defect: {name}" for name in dict.fromkeys(names)][:_MAX_DEFECT_WARNINGS]


def _oversized(part: Message, name: str) -> bool:
    """A header too big for the stdlib's superlinear parameter parser."""
    raw = get_raw(part, name)
    return raw is not None and len(raw) > limits.MAX_HEADER_FIELD_BYTES
