"""Refuses regular expressions whose matching time could run away on a customer's message.

Python's re backtracks. It takes exponential time when a repeated piece can match the same
text in more than one way ((a+)+, (a|a)*), cubic time or worse when two unlimited
quantifiers can share the text between them (.*a.*), and back-references defeat every
bound. What remains costs at most the square of the (bounded) input.
"""

from re import _constants as sre  # the codes of re's own parser; re has no public parse tree

from services.routing.domain.pattern_charsets import EVERYTHING, charset

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_CHARACTERS = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN)
_NOTHING = frozenset()
# A bounded repeat with more freedom than this costs like an unlimited one.
_SMALL_SPAN = 16


class _Refusal(Exception):
    """Why a pattern is refused; raised to leave the walk over the parse tree at once."""


def find_runaway_risk(tree) -> str | None:
    """Why the parsed pattern could run away, or None when its cost stays bounded."""
    try:
        _check_structure(tree, repeated=False)
        _follow(tree, _NOTHING)
    except _Refusal as refusal:
        return str(refusal)
    return None


def _check_structure(items, repeated: bool) -> None:
    """Refuse back-references, repeats inside repeats, and ambiguous alternatives in repeats."""
    for op, argument in items:
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            raise _Refusal("must not use back-references like \\1 or (?P=name)")
        if op in _REPEATS and argument[1] > 1:
            if repeated:
                raise _Refusal("must not repeat a group that itself repeats, like (a+)+ or (.*)*")
            _check_structure(argument[2], repeated=True)
            continue
        if op == sre.BRANCH and repeated:
            _check_alternatives(argument[1])
        for body in _bodies(op, argument):
            _check_structure(body, repeated)


def _check_alternatives(alternatives) -> None:
    """Inside a repeat, alternatives must each start differently and never match nothing."""
    seen = _NOTHING
    for alternative in alternatives:
        first, can_be_empty = _first_characters(alternative)
        if can_be_empty or seen & first:
            raise _Refusal("must not repeat alternatives that can match the same text, like (a|a)*")
        seen |= first


def _follow(items, live: frozenset) -> frozenset:
    """Walk a sequence, tracking what an earlier unlimited quantifier could still swallow."""
    for op, argument in items:
        live = _follow_one(op, argument, live)
    return live


def _follow_one(op, argument, live: frozenset) -> frozenset:
    if op in _CHARACTERS:
        # A character the live quantifier cannot match ends its reach.
        return live if live & charset(op, argument) else _NOTHING
    if op in _REPEATS:
        return _follow_repeat(*argument, live)
    if op == sre.BRANCH:
        return _NOTHING.union(*(_follow(alternative, live) for alternative in argument[1]))
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        _follow(argument[1], _NOTHING)
        return live
    bodies = _bodies(op, argument)
    return _follow(bodies[0], live) if bodies else live


def _follow_repeat(low: int, high: int, body, live: frozenset) -> frozenset:
    if high - low <= _SMALL_SPAN:
        after_one = _follow(body, live)
        return after_one if low > 0 else live | after_one
    swallows = _all_characters(body)
    if live & swallows:
        raise _Refusal("must not have two unlimited repeats that can match the same text in a row, like .*a.*")
    _, can_be_empty = _first_characters(body)
    return swallows if low > 0 and not can_be_empty else live | swallows


def _first_characters(items) -> tuple[frozenset, bool]:
    """The characters a sequence can start with, and whether it can match nothing at all."""
    found = _NOTHING
    for op, argument in items:
        first, can_be_empty = _first_of_one(op, argument)
        found |= first
        if not can_be_empty:
            return found, False
    return found, True


def _first_of_one(op, argument) -> tuple[frozenset, bool]:
    if op in _CHARACTERS:
        return charset(op, argument), False
    if op in _REPEATS:
        first, can_be_empty = _first_characters(argument[2])
        return first, can_be_empty or argument[0] == 0
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _NOTHING, True
    bodies = _bodies(op, argument)
    if not bodies:
        return EVERYTHING, True
    results = [_first_characters(body) for body in bodies]
    return _NOTHING.union(*(first for first, _ in results)), any(empty for _, empty in results)


def _all_characters(items) -> frozenset:
    """Every character a piece of pattern could consume."""
    found = _NOTHING
    for op, argument in items:
        if op in _CHARACTERS:
            found |= charset(op, argument)
        for body in _bodies(op, argument):
            found |= _all_characters(body)
    return found


def _bodies(op, argument) -> list:
    """The sub-sequences nested in one node of the parse tree."""
    if op == sre.SUBPATTERN:
        return [argument[3]]
    if op == sre.ATOMIC_GROUP:
        return [argument]
    if op in _REPEATS:
        return [argument[2]]
    if op == sre.BRANCH:
        return list(argument[1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [argument[1]]
    if op == sre.GROUPREF_EXISTS:
        return [body for body in argument[1:] if body is not None]
    return []
