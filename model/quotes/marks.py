"""Find quotation marks the way a reader does: one linear pass, no regular expressions.

The scanner works paragraph by paragraph (paragraphs are separated by newlines) and keeps
a small stack of open marks. Each mark is classified from its neighbours only, so the pass
is O(n) whatever the input: thousands of unbalanced marks cost no more than ordinary text.

>>> [q.spans for q in scan_quotes('He said “we will stay” and left.')]
[[(9, 21)]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Families: marks of one family open and close each other. Straight marks get their own
# families so that a stray ASCII quote never closes a typographic one.
_DOUBLE, _SINGLE, _GUILLEMET, _SGUILLEMET, _STRAIGHT2, _STRAIGHT1 = "D", "S", "G", "g", "d", "s"
# mark -> (family, the opposite-facing mark, the left-pointing mark of the pair)
_GUILLEMET_PAIRS = {"«": (_GUILLEMET, "»", "«"), "»": (_GUILLEMET, "«", "«"),
                    "‹": (_SGUILLEMET, "›", "‹"), "›": (_SGUILLEMET, "‹", "‹")}

QUOTE_CHARS = frozenset("“”„‟‘’‚‛«»‹›\"'")
# A plain character class: finditer jumps from mark to mark in C, linear in the input.
_MARK_RE = re.compile("[“”„‟‘’‚‛«»‹›\"']")
_SINGLE_RE = re.compile("[’'‘]")
OPENING_CHARS = frozenset("“„‟‘‚‛«»‹›\"'")
_OPEN_PUNCT = frozenset("([{<—–-/")
_CLOSE_PUNCT = frozenset(".,;:!?)]}>…—–-")

# Deeper nesting than this is noise (adversarial soup); capping the stack keeps each
# mark O(1) because a closing mark searches at most this many entries.
_MAX_DEPTH = 8


@dataclass
class MarkedQuote:
    """A top-level quotation: content spans (marks excluded) and what was nested inside.

    `spans` has one entry per paragraph the quote runs through; `closed` is False when the
    quote ran to the end of a paragraph without a closing mark and did not continue.
    """

    spans: list[tuple[int, int]]
    paragraphs: list[int]
    open_mark: int
    close_mark: int | None = None
    nested: list[tuple[int, int]] = field(default_factory=list)
    closed: bool = True
    # (opening mark, closing mark or paragraph end) of each piece, marks included.
    frames: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Open:
    family: str
    char: str
    pos: int
    # Opened by ' or ’, which is just as often an apostrophe: dropped if never closed.
    ambiguous: bool = False


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty paragraphs as (start, end) offsets; newlines separate paragraphs.

    >>> split_paragraphs("a\\n\\n b \\nc")
    [(0, 1), (4, 5), (7, 8)]
    """
    paragraphs: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        start = pos
        while start < end and text[start].isspace():
            start += 1
        stop = end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start:
            paragraphs.append((start, stop))
        if nl < 0:
            break
        pos = nl + 1
    return paragraphs


def _is_space(ch: str) -> bool:
    return ch == "" or ch.isspace()


def _opener_like(prev: str, nxt: str) -> bool:
    return (_is_space(prev) or prev in _OPEN_PUNCT or prev in QUOTE_CHARS) and not _is_space(nxt)


def _closer_like(prev: str, nxt: str) -> bool:
    return not _is_space(prev) and (_is_space(nxt) or nxt in _CLOSE_PUNCT or nxt in QUOTE_CHARS)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past surrounding whitespace (French « guillemets » carry spaces)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class _ParagraphScanner:
    """Classifies each mark of one paragraph as opening, closing or apostrophe."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        # For each position, is there a later single-quote closing candidate in the
        # paragraph? Lets "the soldiers’ rations’" close at the last mark, computed
        # right to left once so that the lookahead stays linear.
        self.later_single_close = self._later_single_closers()

    def _later_single_closers(self) -> set[int]:
        text = self.text
        later: set[int] = set()
        seen = False
        positions = [m.start() for m in _SINGLE_RE.finditer(text, self.start, self.end)]
        for i in reversed(positions):
            if seen:
                later.add(i)
            prev = text[i - 1] if i > self.start else ""
            nxt = text[i + 1] if i + 1 < self.end else ""
            if (not prev.isalnum() or not nxt.isalnum()) and _closer_like(prev, nxt):
                seen = True
        return later

    def classify(self, i: int, stack: list[_Open]) -> tuple[str, str] | None:
        """('open'|'close', family) for the mark at i, or None for apostrophes and strays."""
        text = self.text
        ch = text[i]
        prev = text[i - 1] if i > self.start else ""
        nxt = text[i + 1] if i + 1 < self.end else ""
        innermost = {entry.family: entry for entry in stack}  # later entries win

        if ch in "„‟":
            return ("open", _DOUBLE)
        if ch == "“":
            top = innermost.get(_DOUBLE)
            if top is not None and top.char == "„":
                return ("close", _DOUBLE)
            return ("open", _DOUBLE)
        if ch == "”":
            if _DOUBLE in innermost:
                return ("close", _DOUBLE)
            return ("open", _DOUBLE) if _opener_like(prev, nxt) else None
        if ch in _GUILLEMET_PAIRS:
            # «…» (French) and »…« (German, Swiss) share a family: a mark closes the
            # opposite-facing one on top; otherwise « opens, and » opens unless a space follows.
            family, other, left = _GUILLEMET_PAIRS[ch]
            top = innermost.get(family)
            if top is not None and top.char == other:
                return ("close", family)
            if ch == left or not _is_space(nxt):
                return ("open", family)
            return None
        if ch == '"':
            opener, closer = _opener_like(prev, nxt), _closer_like(prev, nxt)
            if opener and not closer:
                return ("open", _STRAIGHT2)
            if closer and not opener:
                return ("close", _STRAIGHT2) if _STRAIGHT2 in innermost else None
            return ("close", _STRAIGHT2) if _STRAIGHT2 in innermost else ("open", _STRAIGHT2)
        # Single marks: apostrophes first (don’t, Kremlin’s, ’90s, rock ’n’ roll).
        if prev.isalnum() and nxt.isalnum():
            return None
        if nxt.isdigit():
            return None
        family = _STRAIGHT1 if ch == "'" else _SINGLE
        if ch in "‚‛":
            return ("open", _SINGLE)
        if ch == "‘":
            top = innermost.get(_SINGLE)
            if top is not None and top.char == "‚":
                return ("close", _SINGLE)
            return ("open", _SINGLE) if not _is_space(nxt) else None
        # ’ or ': a closing quote only when one of its family is open.
        if family in innermost and not _is_space(prev):
            # Plural possessive ("the soldiers’ rations") inside a single-quoted span:
            # keep the quote open when a later mark can still close it.
            if prev in "sS" and nxt == " " and i in self.later_single_close:
                return None
            return ("close", family)
        if _opener_like(prev, nxt) and nxt.isalpha():
            return ("open", family)
        return None


def scan_quotes(text: str) -> list[MarkedQuote]:
    """All top-level quotations in `text`, in order, following the news conventions.

    - nested quotes of any kind stay inside their outer quote (`nested` lists them);
    - a paragraph that ends inside a quote continues it when the next paragraph opens
      with a quote mark; otherwise the quote closes at the end of its paragraph;
    - apostrophes (don’t, soldiers’, ’90s) are never quote marks.

    >>> q = scan_quotes('“One.\\n“Two,” she said.')[0]
    >>> q.spans, q.paragraphs
    ([(1, 5), (7, 11)], [0, 1])
    """
    paragraphs = split_paragraphs(text)
    quotes: list[MarkedQuote] = []
    carried: MarkedQuote | None = None  # a quote continuing from the previous paragraph
    carried_family = ""
    for index, (p_start, p_end) in enumerate(paragraphs):
        scanner = _ParagraphScanner(text, p_start, p_end)
        stack: list[_Open] = []
        current: MarkedQuote | None = None
        first = p_start
        if carried is not None:
            # The continuation mark opens the next piece of the same quote.
            current = carried
            current.paragraphs.append(index)
            stack.append(_Open(carried_family, text[first], first))
            first += 1
            carried = None
        for match in _MARK_RE.finditer(text, first, p_end):
            i = match.start()
            ch = text[i]
            decision = scanner.classify(i, stack)
            if decision is None:
                continue
            action, family = decision
            if action == "open":
                if len(stack) >= _MAX_DEPTH:
                    continue
                if not stack:
                    current = MarkedQuote(spans=[], paragraphs=[index], open_mark=i)
                stack.append(_Open(family, ch, i, ambiguous=ch in "'’"))
                continue
            # Close the innermost open mark of this family; anything opened inside it
            # and never closed is dropped (a stray inner mark must not eat the quote).
            depth = next(d for d in range(len(stack) - 1, -1, -1) if stack[d].family == family)
            opened = stack[depth]
            del stack[depth:]
            if stack:
                if current is not None:
                    current.nested.append(_trim(text, opened.pos + 1, i))
                continue
            if opened.ambiguous and i - opened.pos <= 3:
                current = None  # rock ’n’ roll: two apostrophes, not a quote
                continue
            if current is not None:
                current.spans.append(_trim(text, opened.pos + 1, i))
                current.frames.append((opened.pos, i + 1))
                current.close_mark = i
                quotes.append(current)
            current = None
        if not stack or current is None:
            continue
        # The paragraph ended inside a quote. Ambiguous single marks opened at the bottom
        # were apostrophes after all ('em, ’tis); only a real opening mark can run on.
        while stack and stack[0].ambiguous:
            stack.pop(0)
        if not stack:
            continue
        outer = stack[0]
        if not current.spans:
            current.open_mark = outer.pos
        piece = _trim(text, outer.pos + 1, p_end)
        nxt = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        continues = nxt is not None and _opens_continuation(text[nxt[0]], outer.family)
        if piece[1] > piece[0]:
            current.spans.append(piece)
            current.frames.append((outer.pos, p_end))
        if continues and current.spans:
            carried, carried_family = current, outer.family
        elif current.spans:
            current.closed = False
            quotes.append(current)
    return quotes


def _opens_continuation(ch: str, family: str) -> bool:
    """Does a paragraph starting with `ch` continue a quote of `family`?"""
    if family in (_DOUBLE, _STRAIGHT2):
        return ch in "“„\"”«»"
    if family == _GUILLEMET:
        return ch in "«»“„\""
    if family in (_SINGLE, _STRAIGHT1):
        return ch in "‘'’‚"
    if family == _SGUILLEMET:
        return ch in "‹›"
    return False
