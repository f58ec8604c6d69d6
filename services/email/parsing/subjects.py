"""Compare and prefix subjects the way mail clients do, across languages."""

import re

# Re, Aw/Antw (German, Dutch), Sv (Nordic), Fw/Fwd/Wg (forwards), with an optional
# counter like "Re[2]:" and the full-width colon some Asian clients write.
_PREFIX = re.compile(r"\s*(?:re|aw|antw|sv|fwd?|wg)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def strip_reply_prefixes(subject: str) -> str:
    """Return the subject without any leading reply or forward prefixes, spaces collapsed."""
    subject = _SPACES.sub(" ", subject).strip()
    while (found := _PREFIX.match(subject)) and found.end() > 0:
        subject = subject[found.end():]
    return subject.strip()


def normalise_subject(subject: str) -> str:
    """Return the form two subjects of one thread share: no prefixes, spaces collapsed, case folded."""
    return strip_reply_prefixes(subject).casefold()


def reply_subject(subject: str) -> str:
    """Prefix "Re: " exactly once, whatever prefixes the thread has gathered."""
    stripped = strip_reply_prefixes(subject)
    return f"Re: {stripped}" if stripped else "Re:"
