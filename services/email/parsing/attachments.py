"""Turn non-body MIME parts into Attachment values, holding back content past the caller's limit."""

from email.message import Message

from services.email.parsing.mime_parts import get_bytes, get_content_id, get_content_type, get_disposition, get_filename
from services.email.parsing.model import Attachment


def build_attachment(part: Message, max_bytes: int, warnings: list[str]) -> Attachment:
    """Describe one part; `content` is None when it is larger than max_bytes."""
    content = get_bytes(part)
    content_id = get_content_id(part)
    disposition = get_disposition(part)
    if len(content) > max_bytes:
        warnings.append(f"attachment of {len(content)} bytes over the {max_bytes}-byte limit; content dropped")
    return Attachment(
        filename=get_filename(part, warnings),
        content_type=get_content_type(part),
        size=len(content),
        content=content if len(content) <= max_bytes else None,
        content_id=content_id,
        inline=disposition == "inline" or (disposition is None and content_id is not None),
    )
