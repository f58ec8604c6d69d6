"""Carrier keywords: the replies that change whether we may text a customer."""

import enum


class Keyword(enum.StrEnum):
    """What a keyword asks of us; stored as text on the message."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


_KEYWORDS = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"), Keyword.OPT_OUT),
    **dict.fromkeys(("START", "YES", "UNSTOP"), Keyword.OPT_IN),
    **dict.fromkeys(("HELP", "INFO"), Keyword.HELP),
}


def classify_keyword(body: str) -> Keyword | None:
    """Name the keyword a message is, matched like carriers: the whole trimmed body."""
    text = body.strip()
    # Unicode case rules map letters such as the long s onto ASCII ("ſtop" -> "STOP"),
    # which no carrier treats as a keyword, so only plain ASCII text can match.
    if not text.isascii():
        return None
    return _KEYWORDS.get(text.upper())
