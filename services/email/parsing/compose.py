"""Build the outbound reply Switchboard sends, threaded so the customer's client files it correctly."""

import re
from html import escape
from collections.abc import Sequence
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from email_validator import EmailNotValidError, validate_email

from services.email.parsing.charsets import clean_text
from services.email.parsing.subjects import reply_subject

# Clients cope with long References, but some servers refuse headers near 998 octets
# per line; the first id (the thread's root) and the latest ones matter for threading.
MAX_REFERENCES = 20
_MESSAGE_ID = re.compile(r"[!-;=?-~]{1,250}@[!-;=?-~]{1,250}")  # printable ASCII, no '<' or '>'
_LINE_BREAK = re.compile(r"[\r\n\x00]")
_DOMAIN = re.compile(r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*")


def compose_reply(
    *, inbox_address: str, inbox_name: str, to_address: str, to_name: str, subject: str,
    text: str, html: str | None = None, in_reply_to: str | None, references: Sequence[str] = (),
    reply_to: str | None = None, domain: str, now: datetime | None = None,
) -> EmailMessage:
    """Return a multipart/alternative reply with fresh Message-ID, In-Reply-To and References."""
    _check_domain(domain)
    inbox_name, to_name, subject = _checked_texts(inbox_name=inbox_name, to_name=to_name, subject=subject)
    customer = _customer_address(to_name, to_address)
    # An internationalised mailbox name can only travel over SMTPUTF8 (RFC 6531).
    msg = EmailMessage(policy=policy.default if customer.username.isascii() else policy.SMTPUTF8)
    msg["From"] = _inbox_address(inbox_name, inbox_address)
    msg["To"] = customer
    if reply_to:
        msg["Reply-To"] = _inbox_address("", reply_to)
    msg["Subject"] = reply_subject(subject)
    msg["Date"] = format_datetime(now or datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain=domain)
    _add_threading(msg, in_reply_to, references)
    msg.set_content(text)
    msg.add_alternative(html if html is not None else text_to_html(text), subtype="html")
    return msg


def check_header_values(**values: str) -> None:
    """Refuse a line break in any header value: it would let a caller inject headers."""
    for name, value in values.items():
        if _LINE_BREAK.search(value):
            raise ValueError(f"{name} contains a line break or NUL, which is not allowed in a header")


def _checked_texts(**values: str) -> list[str]:
    """Refuse line breaks, then drop other control characters, which the stdlib folds into spaces."""
    check_header_values(**values)
    return [clean_text(value) for value in values.values()]


def _check_domain(domain: str) -> None:
    """The domain ends up in every Message-ID, so it must be a plain host name."""
    check_header_values(domain=domain)
    if not _DOMAIN.fullmatch(domain):
        raise ValueError(f"not a domain for Message-IDs: {domain!r}")


def thread_references(references: Sequence[str], in_reply_to: str | None) -> list[str]:
    """Return the thread's ids plus the one replied to, deduplicated, keeping the root and the latest."""
    ids = list(dict.fromkeys(_check_id(ref) for ref in [*references, *([in_reply_to] if in_reply_to else [])]))
    return ids if len(ids) <= MAX_REFERENCES else [ids[0], *ids[-(MAX_REFERENCES - 1):]]


def text_to_html(text: str) -> str:
    """Escape plain text into paragraphs and line breaks."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if p.strip()]
    body = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f"<!DOCTYPE html><html><body>{body}</body></html>"


def _add_threading(msg: EmailMessage, in_reply_to: str | None, references: Sequence[str]) -> None:
    """Set In-Reply-To and References so mail clients thread the reply."""
    ids = thread_references(references, in_reply_to)
    if in_reply_to:
        msg["In-Reply-To"] = f"<{_check_id(in_reply_to)}>"
    if ids:
        msg["References"] = " ".join(f"<{found_id}>" for found_id in ids)


def _check_id(message_id: str) -> str:
    """Accept an id with or without angle brackets; refuse anything that is not one id."""
    bare = message_id.strip().removeprefix("<").removesuffix(">") if isinstance(message_id, str) else ""
    if not _MESSAGE_ID.fullmatch(bare):
        raise ValueError(f"not a message id: {message_id!r}")
    return bare


def _inbox_address(name: str, address: str) -> Address:
    """Parse Switchboard's own (configured) address; `.local` and the like are fine here."""
    check_header_values(address=address)
    try:
        parsed = Address(display_name=name, addr_spec=address.strip())
    except (ValueError, IndexError) as error:  # HeaderParseError is a ValueError
        raise ValueError(f"invalid inbox address {address!r}") from error
    if not parsed.username or not parsed.domain:
        raise ValueError(f"invalid inbox address {address!r}")
    return parsed


def _customer_address(name: str, address: str) -> Address:
    """Check the customer's address with email-validator (syntax only: the relay decides delivery)."""
    check_header_values(address=address)
    try:
        valid = validate_email(address, check_deliverability=False, globally_deliverable=False, test_environment=True)
    except EmailNotValidError as error:
        raise ValueError(f"invalid email address {address!r}: {error}") from error
    local, domain = (valid.ascii_email or valid.normalized).rsplit("@", 1)
    return Address(display_name=name, username=local, domain=domain)
