"""Which characters a piece of a regular expression can match, over a small sample alphabet.

The sample is Latin text plus one stand-in for each kind of character outside it (a digit,
a letter, a space, a symbol, an emoji), so two pieces that share any character share a
sample character too, except for rare case pairs across the boundary such as the Kelvin sign.
"""

from functools import lru_cache
from re import _constants as sre  # the codes of re's own parser; re has no public parse tree

_LATIN_END = 0x250
_STAND_INS = ("\u0663", "\u4e2d", "\u2003", "\u2603", "\U0001f600")
ALPHABET = frozenset([chr(code) for code in range(_LATIN_END)] + list(_STAND_INS))
EVERYTHING = ALPHABET

_CATEGORIES = {
    sre.CATEGORY_DIGIT: str.isdecimal,
    sre.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
    sre.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    sre.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
    sre.CATEGORY_LINEBREAK: lambda ch: ch == "\n",
    sre.CATEGORY_NOT_LINEBREAK: lambda ch: ch != "\n",
}


def charset(op, argument) -> frozenset[str]:
    """The sample characters one character-matching node (LITERAL, NOT_LITERAL, ANY, IN) accepts."""
    if op == sre.LITERAL:
        return _literal(argument)
    if op == sre.NOT_LITERAL:
        return EVERYTHING - _literal(argument)
    if op == sre.IN:
        return _class(tuple(argument))
    return EVERYTHING


@lru_cache(maxsize=1024)
def _literal(code: int) -> frozenset[str]:
    """A literal matches itself in either case, since Switchboard's patterns ignore case."""
    target = chr(code)
    found = {ch for ch in ALPHABET if _same_ignoring_case(ch, target)}
    if target not in ALPHABET:
        found.add(_stand_in(target))
    return frozenset(found)


@lru_cache(maxsize=1024)
def _class(items: tuple) -> frozenset[str]:
    """A bracketed class like [^a-z\\d], negation included."""
    found = frozenset().union(*(_class_item(op, argument) for op, argument in items))
    if not any(op == sre.NEGATE for op, _ in items):
        return found
    # Stand-ins added for members outside the sample are guesses; their complement must keep them.
    guessed = frozenset(_STAND_INS) if any(_reaches_outside(*item) for item in items) else frozenset()
    return (EVERYTHING - found) | guessed


def _class_item(op, argument) -> frozenset[str]:
    """One member of a bracketed class."""
    if op == sre.LITERAL:
        return _literal(argument)
    if op == sre.RANGE:
        return _range(*argument)
    if op == sre.CATEGORY:
        test = _CATEGORIES.get(argument)
        return frozenset(filter(test, ALPHABET)) if test else EVERYTHING
    return frozenset()


def _range(low: int, high: int) -> frozenset[str]:
    """A range; one reaching past the sample's Latin part may hold any kind of character."""
    found = {ch for ch in ALPHABET if any(low <= ord(v) <= high for v in _case_variants(ch))}
    if high >= _LATIN_END:
        found.update(_STAND_INS)
    return frozenset(found)


def _reaches_outside(op, argument) -> bool:
    """Whether a class member stands for characters beyond the sample's Latin part."""
    if op == sre.RANGE:
        return argument[1] >= _LATIN_END
    return op == sre.LITERAL and chr(argument) not in ALPHABET


def _same_ignoring_case(ch: str, target: str) -> bool:
    return ch == target or ch.lower() == target.lower() or ch.upper() == target.upper()


def _case_variants(ch: str) -> tuple[str, ...]:
    return tuple(v for v in (ch, ch.lower(), ch.upper()) if len(v) == 1)


def _stand_in(ch: str) -> str:
    """The sample character that stands for a character outside the sample."""
    if ch.isdecimal():
        return _STAND_INS[0]
    if ch.isalnum() or ch == "_":
        return _STAND_INS[1]
    return _STAND_INS[2] if ch.isspace() else _STAND_INS[3]
