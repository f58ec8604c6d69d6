"""Read header values from a parsed message without ever failing on a malformed one."""

import re
from datetime import datetime, timezone
from email import policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from services.email.parsing.charsets import repair_text
from services.email.parsing.encoded_words import decode_encoded_words
from services.email.parsing.plain_addresses import read_plain_addresses

_BRACKETED_ID = re.compile(r"<([^<>\s]{1,500})>")
_BARE_ID = re.compile(r"[^<>\s@]{1,250}@[^<>\s@]{1,250}")
_FOLD = re.compile(r"\r?\n|\r")
_MAX_IDS = 200
# The headers policy.default parses as address lists (Return-Path, for one, is not among them).
_ADDRESS_HEADERS = frozenset({"from", "sender", "to", "cc", "bcc", "reply-to"})


def get_raw(msg: Message, name: str) -> str | None:
    """Return the first `name` header unfolded and undecoded, or None when absent."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if len(key) == len(wanted) and key.lower() == wanted:  # the length check spares most lower() calls
            return _FOLD.sub("", str(value)).strip()
    return None


def get_text(msg: Message, name: str, warnings: list[str]) -> str | None:
    """Return the first `name` header as decoded text."""
    raw = get_raw(msg, name)
    return None if raw is None else decode_encoded_words(raw, warnings).strip()


def get_ids(msg: Message, name: str) -> tuple[str, ...]:
    """Return the message ids a threading header names, brackets stripped, duplicates dropped."""
    raw = get_raw(msg, name)
    if not raw:
        return ()
    found = _BRACKETED_ID.findall(raw) or _BARE_ID.findall(raw)
    return tuple(dict.fromkeys(repair_text(found_id) for found_id in found[:_MAX_IDS]))


def get_message_id(msg: Message) -> str | None:
    """Return the Message-ID without brackets, or None when missing or unusable."""
    raw = get_raw(msg, "Message-ID")
    if not raw:
        return None
    bracketed = _BRACKETED_ID.search(raw)
    if bracketed:
        return repair_text(bracketed.group(1))
    token = raw.strip("<> \t")
    return repair_text(token) if token and len(token) <= 500 and not re.search(r"[\s<>]", token) else None


def get_date(msg: Message, warnings: list[str]) -> datetime | None:
    """Return the Date header as an aware datetime; a date with no zone is taken as UTC."""
    raw = get_raw(msg, "Date")
    if not raw:
        return None
    try:
        parsed = parsedate_to_datetime(repair_text(raw))
    except (TypeError, ValueError, IndexError, OverflowError):
        warnings.append("Date header unreadable; ignored")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def get_addresses(msg: Message, name: str, warnings: list[str]) -> list[tuple[str, str]]:
    """Return (display name, lower-cased address) pairs of an address header, dropping invalid ones."""
    pairs = _parse_addresses(msg, name)
    comments = _comment_names(msg, name) if any(not display for display, _ in pairs) else {}
    found = []
    for display, address in pairs:
        address = repair_text(address).strip().strip("<>").lower()
        if _looks_like_address(address):
            display = display or comments.get(address, "")
            found.append((decode_encoded_words(display, warnings).strip(), address))
        elif address:
            warnings.append(f"invalid address in {name} ignored")
    return found


def _comment_names(msg: Message, name: str) -> dict[str, str]:
    """Old-style 'addr (Full Name)' keeps the name in a comment, which only the lenient parser reads."""
    raw = get_raw(msg, name) or ""
    if "(" not in raw:
        return {}
    return {address.lower(): display for display, address in getaddresses([raw]) if display}


def _parse_addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """Parse with the stdlib's RFC 5322 parser, falling back to its lenient one if that breaks."""
    raw = get_raw(msg, name)
    if raw is None:
        return []
    if name.lower() in _ADDRESS_HEADERS and (plain := read_plain_addresses(raw)) is not None:
        return plain
    try:
        addresses = getattr(policy.default.header_factory(name, raw), "addresses", None)
    except Exception:  # the stdlib's structured parser has crashed on hostile input before
        addresses = None
    if addresses is None:  # Return-Path is not an address header to the stdlib
        return getaddresses([raw])
    return [(address.display_name, address.addr_spec) for address in addresses]


def _looks_like_address(address: str) -> bool:
    """Accept local@domain with no spaces; full validation is for outbound only."""
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain) and not re.search(r"[\s<>,;]", address)
