"""Turn bytes and half-decoded strings from any sender into clean text, never failing on a charset."""

import codecs
import re

# Labels real mail clients send that Python does not know under that name.
_ALIASES = {
    "x-sjis": "shift_jis", "x-euc-jp": "euc_jp", "ks_c_5601-1987": "cp949",
    "x-gbk": "gbk", "windows-874": "cp874", "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman", "unicode-1-1-utf-7": "utf-7",
}
# gb2312 mail is written by encoders that use the whole of GBK; the superset decodes both.
_SUPERSETS = {"gb2312": "gbk", "euc-cn": "gbk", "iso-8859-1": "cp1252", "latin1": "cp1252"}
# Labels that say nothing useful; 8-bit text under them is guessed without a warning.
_UNINFORMATIVE = frozenset({"us-ascii", "ascii", "unknown-8bit", "x-unknown", "default"})
# Text codecs that interpret escapes or host names rather than decode a charset.
_REFUSED = ("escape", "idna", "punycode")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def find_codec(label: str | None) -> str | None:
    """Return a Python text codec for a MIME charset label, or None when it names none."""
    if not label:
        return None
    name = label.strip().strip('"').lower()
    name = _SUPERSETS.get(name, _ALIASES.get(name, name))
    if name in _UNINFORMATIVE or any(word in name for word in _REFUSED):
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    # bytes-to-bytes codecs (base64, zlib...) and 'undefined' only ever raise
    return info.name if getattr(info, "_is_text_encoding", True) and info.name != "undefined" else None


def decode_bytes(data: bytes, label: str | None, warnings: list[str]) -> str:
    """Decode a body with its declared charset, guessing UTF-8 then Windows-1252 when that fails."""
    codec = find_codec(label)
    if codec is None:
        if label and label.strip().strip('"').lower() not in _UNINFORMATIVE:
            warnings.append(f"unknown charset {label.strip()[:40]!r}; text decoded by guess")
        return guess_decode(data)
    try:
        return clean_text(data.decode(codec))
    except (UnicodeError, LookupError):
        warnings.append(f"text is not valid {label.strip()[:40]}; decoded with a fallback")
    if codec == "utf-8":
        return guess_decode(data)
    try:
        return clean_text(data.decode(codec, errors="replace"))
    except (UnicodeError, LookupError):
        return guess_decode(data)


def guess_decode(data: bytes) -> str:
    """Decode bytes of unknown charset: UTF-8 when valid, else Windows-1252 (Latin-1 superset)."""
    try:
        return clean_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        return clean_text(data.decode("cp1252", errors="replace"))


def repair_text(value: str) -> str:
    """Recover the raw 8-bit bytes the stdlib keeps as surrogates and decode them properly."""
    if not _SURROGATE.search(value):
        return clean_text(value)
    try:
        raw = value.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        return clean_text(_SURROGATE.sub("\ufffd", value))
    return guess_decode(raw)


def clean_text(value: str) -> str:
    """Drop control characters (keeping tab and newlines) that no mail text legitimately carries."""
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))
