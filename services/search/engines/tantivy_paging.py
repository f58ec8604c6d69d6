"""Reads tantivy's hits in Switchboard's order (relevance, newest, message_id) after a cursor.

tantivy sorts by one value, the score or the time, and breaks ties its own way. Only hits
whose value is strictly better than the last fetched one are sure to be all in hand;
those are put in full order with time and message_id, and more hits are fetched when
too few are left after the cursor.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

import tantivy

from services.search.engines.cursors import SortKey

TIME = "created_at_us"
# Fetch more than a page, so that ties at the edge rarely need a second search: scores
# tie by the thousand on template-like messages (every search walks all its matches anyway,
# so a larger first fetch costs little), times seldom.
_HEADROOM = 2
_FIRST_FETCH_RANKED = 2048
_FIRST_FETCH_BY_TIME = 128
_GROWTH = 8


@dataclass(frozen=True)
class Hit:
    """One found document and its position in the result order."""

    sort_key: SortKey
    stored: tantivy.Document


def hits_after(
    searcher: tantivy.Searcher, query: tantivy.Query, *, ranked: bool,
    after: SortKey | None, size: int,
) -> tuple[list[Hit], int]:
    """Up to size hits strictly after the sort key `after`, in result order, and how many match."""
    fetch = max(size * _HEADROOM, _FIRST_FETCH_RANKED if ranked else _FIRST_FETCH_BY_TIME)
    while True:
        result = searcher.search(query, fetch, count=True, order_by_field=None if ranked else TIME)
        in_hand = len(result.hits) >= result.count
        edge = None if in_hand else result.hits[-1][0]
        found = _in_order_after(searcher, _candidates(result.hits, edge, after, size), ranked, after, size)
        if len(found) >= size or in_hand:
            return found[:size], result.count
        fetch = min(fetch * _GROWTH, result.count)


def _candidates(
    hits: list[tuple[float, tantivy.DocAddress]], edge: float | None,
    after: SortKey | None, size: int,
) -> list[tuple[float, tantivy.DocAddress]]:
    """The settled hits (ranked above `edge`) that can be among the first `size` after the cursor.

    tantivy hands hits best first, so once `size` of them rank below the cursor, every
    hit ranked lower than the last of those is out of reach: a tie of thousands at the
    top then costs one pass over the tie, not over every fetched hit.
    """
    candidates: list[tuple[float, tantivy.DocAddress]] = []
    past_cursor = 0
    for rank, address in hits:
        if (edge is not None and rank <= edge) or (past_cursor >= size and rank < candidates[-1][0]):
            break
        if after is not None and rank > after[0]:
            continue
        candidates.append((rank, address))
        past_cursor += after is None or rank < after[0]
    return candidates


def _in_order_after(
    searcher: tantivy.Searcher, settled: list[tuple[float | int, tantivy.DocAddress]],
    ranked: bool, after: SortKey | None, size: int,
) -> list[Hit]:
    """Order rows by rank and time, then each tie by message_id, reading only the documents needed."""
    addresses = [address for _, address in settled]
    times = searcher.fast_field_values(TIME, addresses) if ranked else [rank for rank, _ in settled]
    rows = [(-rank, -time, n) for n, ((rank, _), time) in enumerate(zip(settled, times))]
    cursor = None if after is None else (-after[0], -after[-2], after[-1])
    at_cursor = [] if cursor is None else [row for row in rows if row[:2] == cursor[:2]]
    if cursor is not None:
        rows = [row for row in rows if row[:2] > cursor[:2]]
    # Only the first `size` positions matter, plus whatever ties with the last of them.
    nearest = heapq.nsmallest(size, rows)
    if nearest:
        edge, chosen = nearest[-1][:2], set(nearest)
        nearest += [row for row in rows if row[:2] == edge and row not in chosen]
    rows = at_cursor + nearest
    found: list[Hit] = []
    for (rank, time), tied in itertools.groupby(sorted(rows), key=lambda row: row[:2]):
        hits = [_read(searcher, -rank, -time, addresses[n], ranked) for *_, n in tied]
        for hit in sorted(hits, key=lambda hit: hit.sort_key[-1]):
            if cursor is None or (rank, time, hit.sort_key[-1]) > cursor:
                found.append(hit)
        if len(found) >= size:
            break
    return found


def _read(searcher: tantivy.Searcher, rank: float | int, time: int,
          address: tantivy.DocAddress, ranked: bool) -> Hit:
    stored = searcher.doc(address)
    key: SortKey = [time, stored.get_first("message_id")]
    return Hit([rank, *key] if ranked else key, stored)
