"""Twilio form posts captured as files under tests/data/sms, read back as forms."""

from pathlib import Path
from urllib.parse import parse_qsl

SMS_DATA = Path(__file__).resolve().parent.parent / "data" / "sms"


def load_form(name: str) -> dict[str, str]:
    """Read one urlencoded form post (e.g. "inbound_plain.txt") into a dict."""
    text = (SMS_DATA / name).read_text(encoding="utf-8").strip()
    return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))


def load_body(name: str) -> str:
    """Read the raw urlencoded body, to post it exactly as it was captured."""
    return (SMS_DATA / name).read_text(encoding="utf-8").strip()
