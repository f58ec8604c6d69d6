"""Decode RFC 2047 encoded words word by word, so one bad word or charset never loses the rest.

The stdlib's `email.header.decode_header` raises on one undecodable word and the
`policy.default` headers turn unknown charsets into U+FFFD; senders get both wrong often.
"""

import base64
import binascii
import re

from services.email.parsing.charsets import decode_bytes, repair_text

_ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([qQbB])\?([^?\s]*)\?=")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")


def decode_encoded_words(value: str, warnings: list[str]) -> str:
    """Return header text with its encoded words decoded and raw 8-bit bytes repaired."""
    value = repair_text(value)
    if "=?" not in value:
        return value
    pieces: list[str | tuple[str, bytes]] = []
    position = 0
    for word in _ENCODED_WORD.finditer(value):
        between = value[position:word.start()]
        # whitespace between two encoded words is folding, not text (RFC 2047 section 6.2)
        if between and not (between.isspace() and pieces and isinstance(pieces[-1], tuple)):
            pieces.append(between)
        pieces.append(_decode_word(word, pieces))
        position = word.end()
    pieces.append(value[position:])
    return "".join(_join(pieces, warnings))


def _decode_word(word: re.Match[str], pieces: list) -> tuple[str, bytes]:
    """Decode one word to bytes, merging it with the previous word of the same charset."""
    charset = word.group(1).split("*", 1)[0].lower()  # drop an RFC 2231 language tag
    data = word.group(3)
    raw = _decode_b(data) if word.group(2) in "bB" else binascii.a2b_qp(data.encode("ascii", "replace"), header=True)
    if pieces and isinstance(pieces[-1], tuple) and pieces[-1][0] == charset:
        # a multi-byte character may be split across two words
        return charset, pieces.pop()[1] + raw
    return charset, raw


def _decode_b(data: str) -> bytes:
    """Decode base64 leniently: drop stray characters and repair padding."""
    data = _NOT_BASE64.sub("", data)
    if len(data) % 4 == 1:
        data = data[:-1]
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4))
    except binascii.Error:
        return b""


def _join(pieces: list[str | tuple[str, bytes]], warnings: list[str]) -> list[str]:
    """Turn decoded words into text with the usual charset fallbacks."""
    return [piece if isinstance(piece, str) else decode_bytes(piece[1], piece[0], warnings) for piece in pieces]
