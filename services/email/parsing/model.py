"""The values parsing an inbound email produces, shared by the inbound pipeline and its tests."""

from dataclasses import dataclass, field
from datetime import datetime


class UnparseableEmail(Exception):
    """Raised when input cannot be read as an email at all; the caller keeps it aside for an admin."""

    def __init__(self, reason: str) -> None:
        """Keep the reason apart from the message so callers can store it."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attachment:
    """A file carried by a message; `filename` is the sender's text and must never be used as a path."""

    filename: str | None
    content_type: str
    size: int
    content: bytes | None = field(repr=False)  # None when larger than the caller's limit
    content_id: str | None = None
    inline: bool = False


@dataclass(frozen=True)
class ReplyParts:
    """A message body split into what the sender wrote now, their signature, and quoted history."""

    new_text: str
    quoted_text: str = ""
    signature: str = ""


@dataclass(frozen=True)
class ParsedEmail:
    """Everything Switchboard needs from one inbound email, decoded and sanitised."""

    message_id: str
    message_id_synthetic: bool
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    date: datetime | None
    text: str
    html: str | None
    new_text: str
    quoted_text: str
    signature: str
    attachments: tuple[Attachment, ...]
    is_auto_reply: bool
    auto_reply_reason: str | None
    warnings: tuple[str, ...]
