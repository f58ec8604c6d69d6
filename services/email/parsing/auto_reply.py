"""Recognise automatic mail (vacation replies, bounces, bulk) so Switchboard never answers a robot."""

import re
from collections.abc import Mapping

# The headers find_auto_reply_reason reads, lower-cased.
AUTO_REPLY_HEADERS = ("auto-submitted", "x-autoreply", "x-autorespond", "precedence", "x-auto-response-suppress")
_PRECEDENCE = {"bulk", "junk", "auto_reply"}
# Exchange puts these on its own automatic replies, asking that nobody answer them.
_SUPPRESSED = {"all", "oof", "autoreply"}
_ROBOT_SENDERS = {"mailer-daemon", "postmaster"}
_SUBJECT = re.compile(
    r"\s*(?:automatic reply|auto[- ]?reply|autoreply|out of (?:the )?office|abwesenheitsnotiz"
    r"|automatische antwort|undeliverable|undelivered mail|delivery status notification"
    r"|mail delivery failed|returned mail)\b",
    re.IGNORECASE,
)


def find_auto_reply_reason(
    headers: Mapping[str, str], subject: str, from_address: str, is_delivery_report: bool,
) -> str | None:
    """Return why a message looks automatic, or None for one a person wrote."""
    return (
        _from_headers(headers)
        or ("delivery status report" if is_delivery_report else None)
        or _from_sender(from_address)
        or _from_subject(subject)
    )


def _from_headers(headers: Mapping[str, str]) -> str | None:
    """RFC 3834 and the de-facto headers auto-responders and bulk senders add."""
    submitted = _token(headers.get("auto-submitted"))
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    for name, label in (("x-autoreply", "X-Autoreply"), ("x-autorespond", "X-Autorespond")):
        if name in headers and _token(headers[name]) not in {"no", "false", "0"}:
            return f"{label} header"
    precedence = _token(headers.get("precedence"))
    if precedence in _PRECEDENCE:
        return f"Precedence: {precedence}"
    suppress = headers.get("x-auto-response-suppress") or ""
    if _SUPPRESSED & set(re.split(r"[\s,;]+", suppress.lower())):
        return f"X-Auto-Response-Suppress: {suppress.strip()[:60]}"
    return None


def _from_sender(from_address: str) -> str | None:
    """Mail servers send bounces as MAILER-DAEMON or postmaster."""
    local = from_address.rpartition("@")[0] or from_address
    return f"sent by {local}" if local.lower() in _ROBOT_SENDERS else None


def _from_subject(subject: str) -> str | None:
    """Clients without the headers still say so in the subject."""
    found = _SUBJECT.match(subject)
    return f"subject starts with {found.group(0).strip()!r}" if found else None


def _token(value: str | None) -> str:
    """The first token of a header value, lower-cased, without its parameters."""
    return (value or "").split(";", 1)[0].strip().lower()
