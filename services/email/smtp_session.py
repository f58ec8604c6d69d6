"""aiosmtpd's SMTP session, reading the MAIL FROM and RCPT TO paths senders write nearly always cheaply.

aiosmtpd parses every path with the stdlib's RFC 5322 parser and defines a class on each
call, which costs more than the rest of the session's commands together. A plain
`<local@domain>` (with its parameters after it) is read with one regex, giving exactly what
that parser gives; anything else still goes through it.
"""

from __future__ import annotations

import re

from aiosmtpd.smtp import SMTP

from services.email.parsing.plain_addresses import PLAIN_ADDRESS

_PLAIN_PATH = re.compile(rf"[ \t]*<({PLAIN_ADDRESS})>(?:[ \t]+([^\s(][^(]*))?")


def read_plain_path(arg: str) -> tuple[str, str] | None:
    """(address, parameters) of `<local@domain> PARAMS`, or None when the path is not that plain."""
    found = _PLAIN_PATH.fullmatch(arg)
    return (found.group(1), found.group(2) or "") if found else None


class InboxSmtp(SMTP):
    """An aiosmtpd session whose address parsing is cheap for plain paths."""

    def _getaddr(self, arg: str):
        plain = read_plain_path(arg) if arg else None
        if plain is None:
            return super()._getaddr(arg)
        local = plain[0].rpartition("@")[0]
        if self.local_part_limit and len(local) > self.local_part_limit:
            return None, None
        return plain
