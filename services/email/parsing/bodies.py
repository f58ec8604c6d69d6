"""Find a message's body text, HTML and attachments among its MIME parts."""

from dataclasses import dataclass
from email.message import Message

from services.email.parsing.attachments import build_attachment
from services.email.parsing.charsets import decode_bytes
from services.email.parsing.html_cleaning import clean_html
from services.email.parsing.mime_parts import (
    get_bytes, get_charset, get_content_type, get_defect_warnings, get_disposition, get_filename, walk_leaves,
)
from services.email.parsing.model import Attachment

_BODY_TYPES = ("text/plain", "text/html")


@dataclass(frozen=True)
class Body:
    """What the parts of one message add up to."""

    text: str = ""
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    is_delivery_report: bool = False


def read_body(msg: Message, max_attachment_bytes: int, warnings: list[str]) -> Body:
    """Join the inline text and HTML parts; every other leaf is an attachment."""
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    leaves = walk_leaves(msg, warnings)
    for part in leaves:
        content_type = _body_type(part, warnings)
        if content_type is None:
            attachments.append(build_attachment(part, max_attachment_bytes, warnings))
        else:
            text = decode_bytes(get_bytes(part), get_charset(part), warnings).replace("\r\n", "\n").replace("\r", "\n")
            (plain if content_type == "text/plain" else html).append(text)
    plain_text = "\n".join(plain).strip()
    # The HTML's own text is only needed when there is no plain text to show.
    clean, html_as_text = clean_html("\n".join(html), warnings, with_text=not plain_text) if html else (None, "")
    text = plain_text or html_as_text
    report = any(get_content_type(part) == "message/delivery-status" for part in leaves)
    warnings.extend(get_defect_warnings(leaves))
    return Body(text, clean, tuple(attachments), report or _is_report(msg))


def _body_type(part: Message, warnings: list[str]) -> str | None:
    """Return text/plain or text/html for body parts, None for attachments."""
    content_type = get_content_type(part)
    if content_type.startswith("multipart/"):
        warnings.append(f"{content_type} without usable boundary read as text")
        return "text/plain"
    if content_type not in _BODY_TYPES or get_disposition(part) == "attachment":
        return None
    return None if get_filename(part, warnings) else content_type


def _is_report(msg: Message) -> bool:
    """A multipart/report of type delivery-status is a bounce even without its status part."""
    try:
        report_type = msg.get_param("report-type", "") if get_content_type(msg) == "multipart/report" else ""
    except Exception:  # parameters are parsed lazily; see mime_parts
        return False
    return str(report_type).lower() == "delivery-status"
