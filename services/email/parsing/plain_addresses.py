"""Read the address headers nearly all mail carries without the stdlib's full RFC 5322 parser.

`Name <local@domain>`, `"Name" <local@domain>`, `<local@domain>` and bare `local@domain`,
in comma-separated lists of printable ASCII, give exactly what `policy.default` gives
(tests/unit/email_parsing/test_plain_addresses.py compares the two), at a tenth of
its cost. Anything else (comments, groups, encoded words, escapes, 8-bit bytes, obsolete
syntax) returns None and is left to the stdlib.
"""

import re

_ATOM = r"[A-Za-z0-9!#$%&'*+/?^_`{|}~-]+"  # atext without '=', so no encoded word gets here
# local@domain as a dot-atom on both sides: what the stdlib returns unchanged as the addr-spec.
PLAIN_ADDRESS = rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_MAILBOX = re.compile(
    rf"[ \t]*(?:(?:(?P<phrase>{_ATOM}(?:[ \t]+{_ATOM})*)|\"(?P<quoted>[ !#-<>-\[\]-~]*)\")?"
    rf"[ \t]*<(?P<angled>{PLAIN_ADDRESS})>|(?P<bare>{PLAIN_ADDRESS}))[ \t]*(?:,|\Z)"
)


def read_plain_addresses(raw: str) -> list[tuple[str, str]] | None:
    """Return (display name, address) pairs when every mailbox is in a plain form, else None."""
    if not raw.strip():
        return None
    found, position = [], 0
    while position < len(raw):
        mailbox = _MAILBOX.match(raw, position)
        if mailbox is None:
            return None
        phrase, quoted, angled, bare = mailbox.group("phrase", "quoted", "angled", "bare")
        found.append((" ".join(phrase.split()) if phrase else quoted or "", angled or bare))
        position = mailbox.end()
    return found
