"""How many SMS parts a text takes, so agents see what a reply will cost."""

from collections.abc import Iterable

# The GSM 03.38 default alphabet (one septet each), without its escape character.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs an escape septet plus its own.
_GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm7(text: str) -> bool:
    """Tell whether the text fits the GSM-7 alphabet, the cheaper encoding."""
    return all(char in _GSM7_BASIC or char in _GSM7_EXTENDED for char in text)


def count_segments(text: str) -> int:
    """Count the parts a text is sent in; an empty text still takes one."""
    if is_gsm7(text):
        widths = (2 if char in _GSM7_EXTENDED else 1 for char in text)
        return _pack(widths, GSM7_SINGLE, GSM7_PART)
    # UCS-2 counts UTF-16 code units: a character beyond the BMP (most emoji) takes two.
    widths = (2 if ord(char) > 0xFFFF else 1 for char in text)
    return _pack(widths, UCS2_SINGLE, UCS2_PART)


def _pack(widths: Iterable[int], single: int, part: int) -> int:
    """Fill parts in order; a two-unit character is never split across parts."""
    sizes = list(widths)
    if sum(sizes) <= single:
        return 1
    parts, used = 1, 0
    for size in sizes:
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts
