"""Where a long flow wraps into rows: to an aspect ratio, a width, or not at all."""
from __future__ import annotations

import bisect
import itertools
import math
from typing import Callable, Dict, List, Set, Tuple

from .columns import frame_columns, place, row_width
from .spec import SIDE_MARGIN, SKIP_BASE, LayoutOptions

AUTO_WRAP_ASPECT = 4.0
DEFAULT_ASPECT = 16 / 9
ASPECT_TOLERANCE = math.log(1.15)
BREAK_WINDOWS = (0.7, 0.85)  # a row may end this far into its width, where fewest edges cross
LEGIBLE_WIDTH_PER_FONT = 90.0  # drawing width in font sizes: 10 in at 8 pt is 960 / (8 * 4 / 3) = 90
MAX_REGUESSES = 2  # row counts re-guessed from measured figures when the first guesses miss the aspect
GIANT_COLUMNS = 2_000  # above this, one break window and one first guess: each measurement is a whole build


def choose_rows(nodes, columns, busy, pairs, opts: LayoutOptions,
                measure: Callable[[List[Tuple[int, int]]], Tuple[float, float]]) -> List[Tuple[int, int]]:
    """Rows as (first, last) column pairs; `measure(rows)` gives the drawing's (width, height) with them."""
    count = len(columns)
    if count == 0:
        return []
    single = [(0, count - 1)]
    centres = place(columns, 0, count - 1, busy, opts)
    total = row_width(columns, centres, 0, count - 1)
    breaker = _RowBreaker(columns, (_cut_crossings(nodes, pairs, count), *_frame_interiors(nodes, opts)), centres)
    if opts.max_width is not None:
        target = opts.max_width - 2 * opts.padding - 2 * SIDE_MARGIN
        for _ in range(8):
            rows = breaker.rows(target)
            overflow = measure(rows)[0] - opts.max_width
            if overflow <= 0 or all(first == last for first, last in rows):
                break
            target -= overflow + 1.0
        return rows
    band = _band_height(nodes, opts)
    aspect = opts.aspect
    if aspect is None:
        if total / max(band, 1.0) <= AUTO_WRAP_ASPECT * 1.5:
            return single
        aspect = DEFAULT_ASPECT
    if opts.transposed:
        aspect = 1 / aspect
    height = band + opts.row_gap + SKIP_BASE
    guess = max(1, round(math.sqrt(total / (height * aspect))))
    best, best_score = single, None
    measured: Dict[Tuple[Tuple[int, int], ...], Tuple[float, float]] = {}
    giant = count > GIANT_COLUMNS
    windows = BREAK_WINDOWS[:1] if giant else BREAK_WINDOWS
    spread = (0,) if giant else range(-1, 3)
    for window in windows:  # a wider window finds block boundaries; a narrower one packs tighter
        counts, tried = sorted({max(1, guess + d) for d in spread}), set()
        for _ in range(MAX_REGUESSES + 1):
            for k in counts:
                tried.add(k)
                rows = single if k == 1 else _balanced_rows(breaker, total, k, window)
                key = tuple(rows)
                if key not in measured:  # the two windows often split alike
                    measured[key] = measure(rows)
                scene_width, scene_height = measured[key]
                ratio = scene_width / max(scene_height, 1.0)
                miss = abs(math.log(ratio / aspect))
                page_width = scene_height if opts.transposed else scene_width
                small_text = max(0.0, page_width / opts.font_size - LEGIBLE_WIDTH_PER_FONT)
                score = (miss > ASPECT_TOLERANCE, small_text, miss)
                if best_score is None or score < best_score:
                    best, best_score, best_ratio = rows, score, ratio
            if not best_score[0] or len(best) == 1:
                break
            # the guess was far off (row heights differ from the estimate): the ratio goes with 1 / rows²
            stretch = math.sqrt(best_ratio / aspect) if not opts.transposed else math.sqrt(aspect / best_ratio)
            better = max(1, round(len(best) * stretch))
            counts = [k for k in (better - 1, better, better + 1) if k >= 1 and k not in tried]
            if not counts:
                break
        miss_too_big, small_text = best_score[:2]
        if not miss_too_big and (small_text == 0.0 or small_text > 0.15 * LEGIBLE_WIDTH_PER_FONT):
            break  # good already, or too far from legible for another window to help
    return best


def _balanced_rows(breaker, total, k, window) -> List[Tuple[int, int]]:
    """The narrowest row width that still fits the flow into k rows (binary search)."""
    low, high = total / k, total
    rows = breaker.rows(high, window)
    for _ in range(9):
        middle = (low + high) / 2
        attempt = breaker.rows(middle, window)
        if len(attempt) <= k:
            high, rows = middle, attempt
        else:
            low = middle
    return rows


def _cut_crossings(nodes, pairs, count) -> List[int]:
    """How many distinct layers send an edge across the cut after each column."""
    sources: List[Set[int]] = [set() for _ in range(count)]
    for s, t in pairs:
        lo, hi = sorted((nodes[s].rank, nodes[t].rank))
        origin = s if nodes[s].rank <= nodes[t].rank else t
        for c in range(lo, hi):
            sources[c].add(origin)
    return [len(group) for group in sources]


def _band_height(nodes, opts) -> float:
    lanes: Dict[int, float] = {}
    for n in nodes:
        h = n.up + n.down + (n.label_block + opts.label_gap if n.item.lines else 0)
        lanes[n.lane] = max(lanes.get(n.lane, 0.0), h)
    return sum(lanes.values()) + opts.lane_gap * max(len(lanes) - 1, 0)


class _RowBreaker:
    """Splits the columns of a one-row placement into rows (see `rows`); built once per layout, since the
    row search asks for many splits."""

    def __init__(self, columns, cuts, centres):
        count = len(columns)
        self.count = count
        self.crossings, self.inside, self.within_block = cuts
        self.lefts = [centres[c] - columns.full[c][0] for c in range(count)]
        self.rights = [centres[c] + columns.full[c][1] for c in range(count)]
        self.reach = list(itertools.accumulate(self.rights, max))  # rightmost extent of columns 0..c

    def rows(self, target, window=0.8) -> List[Tuple[int, int]]:
        """Rows at most `target` wide; near the end of a row, cut where fewest edges cross.

        The cuts given were (crossings per cut, columns after which a frame would split, those after which a
        block would: never cut there unless the block alone is wider than a row)."""
        count, rights, reach = self.count, self.rights, self.reach
        crossings, inside, within_block = self.crossings, self.inside, self.within_block
        rows, first = [], 0
        while first < count:
            left = self.lefts[first]
            wide = target * window
            width = lambda right: right - left  # noqa: E731 (widths as the one-row placement measures them)
            if width(reach[first]) > target:  # a label up to here reaches past the row: look at each column
                last = first
                for c in range(first + 1, count):
                    if width(rights[c]) > target:
                        break
                    last = c
            else:  # the first column after `first` reaching past the target ends the row
                last = bisect.bisect_right(reach, target, first + 1, key=width) - 1
            start = bisect.bisect_left(reach, wide, first, key=width)  # no column before it is wide enough
            candidates = [c for c in range(start, last + 1) if rights[c] - left >= wide and c not in inside]
            if last < count - 1 and candidates:
                last = min(candidates, key=lambda c: (crossings[c], -c))
            elif last < count - 1 and last in within_block:
                last = next((c for c in range(last - 1, first - 1, -1) if c not in within_block), last)
                while last < count - 1 and last in within_block:  # a block wider than a row gets a wider row
                    last += 1
            rows.append((first, last))
            first = last + 1
        return rows


def _frame_interiors(nodes, opts: LayoutOptions) -> Tuple[Set[int], Set[int]]:
    """Columns after which a row break would split a frame, and those after which it would split a block."""
    inside: Set[int] = set()
    within_block: Set[int] = set()
    if not opts.frames:
        return inside, within_block
    for spec, first, last in frame_columns(nodes, opts.frames):
        inside.update(range(first, last))
        if spec.kind == "block":
            within_block.update(range(first, last))
    return inside, within_block
