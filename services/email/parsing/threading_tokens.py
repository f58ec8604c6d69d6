"""Carry a conversation token in the Reply-To address, for clients that drop threading headers.

Switchboard replies from `support@example.com` with Reply-To
`support+c-<token>@example.com`; the answer comes back to that address.
"""

import re
from collections.abc import Iterable
from email.utils import parseaddr

_TOKEN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_MARK = "+c-"


def reply_to_address(inbox_address: str, token: str) -> str:
    """Return the plus-address that routes an answer back to the conversation behind `token`."""
    if not _TOKEN.fullmatch(token):
        raise ValueError("conversation token must be 1-64 lower-case letters, digits, '-' or '_'")
    local, domain = _split(inbox_address)
    if not local:
        raise ValueError(f"not an inbox address: {inbox_address!r}")
    return f"{local}{_MARK}{token}@{domain}"


def find_conversation_token(addresses: Iterable[str], inbox_address: str) -> str | None:
    """Return the token of the first recipient that is a plus-address of the inbox, if any."""
    local, domain = _split(inbox_address)
    if not local:
        return None
    prefix = (local + _MARK).lower()
    for address in addresses:
        if _MARK not in str(address).lower():
            continue  # no plus-address at all: spare parsing it
        found_local, found_domain = _split(address)
        if found_domain == domain and found_local.lower().startswith(prefix):
            token = found_local[len(prefix):].lower()
            if _TOKEN.fullmatch(token):
                return token
    return None


def _split(address: str) -> tuple[str, str]:
    """Split 'Name <local@domain>' or 'local@domain' into local part and lower-cased domain."""
    _, addr_spec = parseaddr(address if isinstance(address, str) else "")
    local, at, domain = addr_spec.strip().rpartition("@")
    return (local, domain.lower()) if at else ("", "")
