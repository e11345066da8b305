"""Attribution rules over a parsed paragraph: which verb claims which quote or clause.

The parser sees a *frame*: the paragraph with every long quote replaced by a one-word
placeholder, so "She wrote on X: “Putin will …" reads "She wrote on X: “Yes", which
costs a few tokens instead of fifty and parses the way attributions do. Offsets map back
to the article through `Frame.orig`.

Rules, in the order they run for each paragraph:

1. pre-posed: a reporting verb followed (after adverbials, ":" or "that") by a quote;
2. complement: a reporting verb's clausal complement: indirect speech if it has no quote
   marks, mixed if it mixes quoted fragments with the reporter's words, direct if the
   whole complement is one quote;
3. post-posed: a quote followed by "she said", "said X", "according to X";
4. split quotes: “…,” she said, “…” (also across the attribution's full stop);
5. governing verb: a remaining quote (usually a scare quote) takes the subject of the
   speech or evaluation verb it hangs from ("called it “theatre”");
6. named subjects of other verbs are remembered as antecedents for later pronouns.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from model.quotes.lexicon import (
    EVALUATIVE_VERBS,
    NON_SPEAKER_NOUNS,
    ORG_HEADS,
    PERSON_NOUNS,
    PRONOUNS_FEMALE,
    PRONOUNS_MALE,
    QUOTE_ONLY_VERBS,
    REPORTING_VERBS,
    ROLE_NOUNS,
    VIA_PREP_HEADS,
)
from model.quotes.marks import MarkedQuote

if TYPE_CHECKING:  # spaCy is imported lazily, with the model
    from spacy.tokens import Doc, Token

# Quotes longer than this are replaced by PLACEHOLDER before parsing: their inside says
# nothing about who speaks, and parsing cost grows with every word.
LONG_QUOTE_WORDS = 5
PLACEHOLDER = "Yes"
WORD_RE = re.compile(r"[A-Za-z]+")

_QUOTE_ONLY = QUOTE_ONLY_VERBS | EVALUATIVE_VERBS
_CUE_WORDS = REPORTING_VERBS | EVALUATIVE_VERBS
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Between a reporting verb and its quote: "told reporters on Tuesday:", "wrote on X:".
_BRIDGE_DEPS = frozenset({
    "prep", "pobj", "det", "amod", "compound", "poss", "advmod", "npadvmod", "dative",
    "nummod", "punct", "mark", "case", "pcomp", "nmod", "quantmod", "cc", "prt",
})
_TELL_VERBS = frozenset({"tell", "tells", "told", "telling"})
_NOT_SUBJECTS = frozenset({"it", "this", "there", "what", "which", "that", "who", "i", "you", "we"})


@dataclass(eq=False)  # identity semantics: candidates live in sets
class Candidate:
    """A direct quote on its way to becoming a Quote."""

    marked: MarkedQuote
    spans: list[tuple[int, int]]
    paragraphs: list[int]
    words: int = 0
    attribution: Attribution | None = None
    how: str = ""  # "pre" | "post" | "governed" | "inherit"
    absorbed: bool = False  # part of a mixed statement
    joined: bool = False  # second half of a split quote
    speaker: dict[str, Any] | None = None

    @property
    def start(self) -> int:
        return self.spans[0][0]


@dataclass(eq=False)
class Attribution:
    """A reporting verb (or "according to") with its subject and what it governs."""

    para: int
    cue: tuple[int, int]
    mention: tuple[int, int]  # the words at the attribution ("Its director, Anika Lorre")
    name: tuple[int, int]  # the words that name the speaker ("Anika Lorre")
    head: str = ""  # lower-cased head noun of the naming phrase
    proper: bool = True  # the naming phrase holds a proper noun
    plural: bool = False
    roles: set[str] = field(default_factory=set)
    owner: str | None = None  # "its"/"their"/"Ms Joss’s" in front of an organisational head
    owner_rest: str = ""  # what the owner owns: "foreign ministry"
    ner: str | None = None
    person_span: str | None = None  # PERSON entity text inside the name
    pronoun: str | None = None
    quotes: list[Candidate] = field(default_factory=list)
    statement: tuple[int, int] | None = None
    statement_type: str = ""
    context: tuple[int, int] | None = None
    speaker: dict[str, Any] | None = None
    subject_only: bool = False  # a subject remembered for pronouns; says nothing


@dataclass
class Frame:
    """A paragraph as the parser sees it: long quotes replaced, offsets mapped back."""

    para: int
    text: str
    orig: list[int]  # frame offset -> article offset (len(text) + 1 entries)
    pieces: list[tuple[Candidate, int, int]]  # candidate, piece start, piece end (marks included)
    headline: bool = False  # a first line without a full stop: its quotes are scare quotes


def build_frame(text: str, index: int, p_start: int, p_end: int,
                pieces: list[tuple[Candidate, int, int, int, int]]) -> Frame:
    """The parser's view of one paragraph; pieces are (cand, start, end, mark start, mark end)."""
    chunks: list[str] = []
    orig: list[int] = []
    cursor = p_start
    for _cand, s, e, _fs, _fe in pieces:
        if s < cursor:
            continue
        chunks.append(text[cursor:s])
        orig.extend(range(cursor, s))
        if len(WORD_RE.findall(text[s:e])) > LONG_QUOTE_WORDS:
            # Keep the closing punctuation: “Yes,” she said parses as an attribution.
            tail = text[e - 1] if text[e - 1] in ",.!?" else ""
            chunks.append(PLACEHOLDER + tail)
            orig.extend([s] * (len(PLACEHOLDER) - 1) + [e - 1 - len(tail)] + ([e - 1] if tail else []))
        else:
            chunks.append(text[s:e])
            orig.extend(range(s, e))
        cursor = e
    chunks.append(text[cursor:p_end])
    orig.extend(range(cursor, p_end))
    orig.append(p_end)
    line = text[p_start:p_end]
    headline = index == 0 and len(line.split()) <= 25 and not line.rstrip().endswith((".", "!", "?", ":", "”", '"', "»", "«", "“"))
    return Frame(index, "".join(chunks), orig, [(c, fs, fe) for c, _s, _e, fs, fe in pieces], headline)


_SENTENCE_END = re.compile(r"[.!?][”\"’»«“]?\s+(?=[A-Z“\"„«»‘(])")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "gen", "lt", "col", "st", "maj", "capt", "sen", "rep",
                            "gov", "prof", "no", "vs", "u.s", "u.k", "jr", "sr", "adm", "sgt"})
_QUOTE_MARKS = frozenset("“”„‟‘’‚‛«»‹›\"'")
_LOOKBACK_WORDS = frozenset({"he", "she", "they", "his", "her", "their", "its"})


def select_sentences(frame: Frame) -> Frame:
    """Keep only the sentences that can attribute something, to spare the parser.

    A sentence is kept if it holds a quote mark, a speech verb or "according to"; the one
    before it is kept too when it speaks through a pronoun ("An NLF commander laughed.
    “…,” he said."), so the antecedent is parsed. Parsing cost is per token: on news copy
    this drops about a third of what the parser would otherwise read.
    """
    text = frame.text
    bounds = [0]
    for match in _SENTENCE_END.finditer(text):
        word_start = text.rfind(" ", 0, match.start()) + 1
        if text[word_start:match.start()].lower().strip("(") in _ABBREVIATIONS:
            continue
        bounds.append(match.end())
    bounds.append(len(text))
    sentences = [(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    if len(sentences) <= 1:
        return frame
    keep: list[bool] = []
    for a, b in sentences:
        words = {w.lower() for w in WORD_RE.findall(text[a:b])}
        keep.append(any(ch in _QUOTE_MARKS for ch in text[a:b]) or bool(words & _CUE_WORDS) or "according" in words)
    for i in range(1, len(sentences)):
        a, b = sentences[i]
        if keep[i] and not keep[i - 1] and {w.lower() for w in WORD_RE.findall(text[a:b])} & _LOOKBACK_WORDS:
            keep[i - 1] = True
    if all(keep):
        return frame
    chunks: list[str] = []
    orig: list[int] = []
    for (a, b), kept in zip(sentences, keep):
        if kept:
            chunks.append(text[a:b])
            orig.extend(frame.orig[a:b])
    orig.append(frame.orig[len(text)])
    return Frame(frame.para, "".join(chunks), orig, frame.pieces, frame.headline)


def worth_parsing(frame: Frame) -> bool:
    """Only paragraphs with a speech verb or a quote can attribute anything."""
    if frame.pieces:
        return True
    words = {w.lower() for w in WORD_RE.findall(frame.text)}
    return bool(words & _CUE_WORDS) or "according" in words


# -- one paragraph --------------------------------------------------------------------------


class _Paragraph:
    """The rules above, over one parsed frame."""

    def __init__(self, text: str, frame: Frame, doc: Doc) -> None:
        self.text, self.frame, self.doc = text, frame, doc
        self.found: list[Attribution] = []
        self.found_ids: set[int] = set()
        self.claimed: list[tuple[int, int]] = []  # token ranges already inside a statement
        self.pre_bridge: dict[int, str] = {}  # verb index -> punctuation before its quote
        self.pending_colon: Attribution | None = None
        # One sweep over tokens and pieces (both in text order) instead of a token x piece
        # search: a paragraph of quote-mark soup has hundreds of each.
        self.starts: list[int] = [self.start(tok) for tok in doc]
        self.piece_of: list[Candidate | None] = [None] * len(doc)
        self.tokens_of: dict[int, list[int]] = {}  # id(candidate) -> its token indices
        pieces = sorted(frame.pieces, key=lambda p: p[1])
        self.next_piece: dict[int, Candidate] = {}  # id(candidate) -> the quote after its last piece here
        for (cand, _fs, _fe), (after, _s, _e) in itertools.pairwise(pieces):
            if after is not cand:
                self.next_piece[id(cand)] = after
        self.by_cue: dict[int, Attribution] = {}  # cue offset -> attribution, to merge rules
        k = 0
        for i, pos in enumerate(self.starts):
            while k < len(pieces) and pieces[k][2] <= pos:
                k += 1
            if k < len(pieces) and pieces[k][1] <= pos < pieces[k][2]:
                self.piece_of[i] = pieces[k][0]
                self.tokens_of.setdefault(id(pieces[k][0]), []).append(i)

    def _add(self, att: Attribution) -> None:
        if id(att) not in self.found_ids:
            self.found_ids.add(id(att))
            self.found.append(att)
        self.by_cue.setdefault(att.cue[0], att)

    def quoted(self, tok: Token) -> bool:
        return self.piece_of[tok.i] is not None

    def start(self, tok: Token) -> int:
        return self.frame.orig[tok.idx]

    def end(self, tok: Token) -> int:
        return self.frame.orig[tok.idx + len(tok.text) - 1] + 1

    def inside_claim(self, i: int) -> bool:
        return any(a <= i < b for a, b in self.claimed)

    def run(self) -> tuple[list[Attribution], Attribution | None]:
        doc, piece_of = self.doc, self.piece_of
        verbs = [tok for tok in doc if piece_of[tok.i] is None and is_cue(tok)]
        if self.frame.headline:
            verbs = []  # "Teregal and Sarn agree to “technical talks”" reports nothing
        for verb in verbs:
            if not self.inside_claim(verb.i):
                self._verb(verb)
        for cand, fs, fe in self.frame.pieces:
            if cand.attribution is None and not cand.absorbed and fe == cand.marked.frames[-1][1]:
                self._post_posed(cand, fe)
        for cand, _fs, _fe in self.frame.pieces:
            if cand.attribution is None and not cand.absorbed and not cand.joined:
                self._governed(cand)
        self._remember_subjects()
        return self.found, self.pending_colon

    # rules 1 and 2
    def _verb(self, verb: Token) -> None:
        doc, piece_of = self.doc, self.piece_of
        subject = subject_of(verb, self.quoted)
        if subject is None or piece_of[subject.i] is not None:
            return
        att = self._attribution(verb, subject)
        quote, bridge = self._quote_after(verb, subject)
        if quote is not None and self.frame.headline and quote.words <= 3:
            quote = None  # headline scare quotes belong to no one
        if quote is not None and quote.attribution is None and (_can_speak(subject) or verb.lower_ not in EVALUATIVE_VERBS):
            claim(att, quote, "pre")
            self.pre_bridge[verb.i] = bridge
            self._add(att)
            last = max([verb.i] + [i for i in self.tokens_of.get(id(quote), []) if i > verb.i])
            self.claimed.append((verb.i, last + 1))
            return
        if bridge == ":" and quote is None:
            self.pending_colon = att
        region = self._complement(verb)
        if region is None:
            return
        lo, hi, full_hi = region
        # "… would return to their bases »within weeks«": a quote closing the clause is
        # part of it even when the parser hung it elsewhere.
        while hi < len(doc) and (piece_of[hi] is not None or (doc[hi].is_punct and hi + 1 < len(doc)
                                                              and piece_of[hi + 1] is not None and doc[hi].text not in ".!?;")):
            if piece_of[hi] is None and doc[hi].text == ",":
                break
            hi += 1
        full_hi = max(full_hi, hi)
        inside = {piece_of[i] for i in range(lo, hi) if piece_of[i] is not None}
        bare = [doc[i] for i in range(lo, hi) if piece_of[i] is None and not doc[i].is_punct and doc[i].lower_ != "that"]
        if inside and not bare:
            # "believe that “…”": the whole complement is one quoted stretch
            for cand in sorted(inside, key=lambda c: c.start):
                if cand.attribution is None:
                    claim(att, cand, "pre")
            self._add(att)
            return
        if any(c.attribution is not None or len(c.spans) > 1 for c in inside):
            return
        if not inside and not _is_clause(verb, lo, hi):
            return
        start, end = self.start(doc[lo]), self.end(doc[hi - 1])
        for cand in inside:
            start, end = min(start, cand.marked.frames[0][0]), max(end, cand.marked.frames[-1][1])
            cand.absorbed = True
            cand.attribution = att
        att.statement = trim_span(self.text, start, end)
        att.statement_type = "mixed" if inside else "indirect"
        att.context = (self.start(verb.sent[0]), self.end(verb.sent[-1]))
        if att.statement[1] > att.statement[0]:
            self._add(att)
            self.claimed.append((lo, full_hi))

    def _quote_after(self, verb: Token, subject: Token) -> tuple[Candidate | None, str]:
        """The quote a verb introduces, with the punctuation that bridges them (":" "," "")."""
        doc, piece_of = self.doc, self.piece_of
        subject_ids = set(range(subject.left_edge.i, subject.right_edge.i + 1)) if subject.i > verb.i else set()
        start = verb.i + 2 if verb.lower_ == "according" else verb.i + 1
        evaluative = verb.lower_ in EVALUATIVE_VERBS
        bridge = ""
        for i in range(start, min(len(doc), start + 14)):
            tok = doc[i]
            if piece_of[i] is not None:
                return piece_of[i], bridge
            if tok.text in (".", "!", "?", ";"):
                return None, bridge
            if tok.text in (":", ",", "—", "–"):
                bridge = tok.text
                continue
            if tok.is_punct or i in subject_ids:
                continue
            if tok.tag_.startswith("VB"):
                return None, ""
            allowed = tok.dep_ in _BRIDGE_DEPS or tok.lower_ == "that" or \
                (tok.dep_ in ("dobj", "dative") and verb.lower_ in _TELL_VERBS) or \
                (evaluative and tok.dep_ in ("dobj", "attr", "oprd", "nsubj", "appos", "conj"))
            if not allowed:
                return None, ""
            bridge = "that" if tok.lower_ == "that" else ""
        return None, bridge

    def _complement(self, verb: Token) -> tuple[int, int, int] | None:
        """Token range [lo, hi) of what the verb reports, and where its claim ends."""
        doc, piece_of = self.doc, self.piece_of
        if verb.lower_ == "according" or verb.lower_ in _QUOTE_ONLY:
            return None
        ccomps = [c for c in verb.children if c.dep_ == "ccomp"]
        right = [c for c in ccomps if c.i > verb.i]
        left_side = [c for c in ccomps if c.i < verb.i]
        if right:
            comp = right[0]
            lo, hi = max(comp.left_edge.i, verb.i + 1), comp.right_edge.i + 1
            # "… accept it will give up land and it is unlikely Ukraine would join Nato":
            # a clause coordinated after the complement belongs to the same report.
            for conj in verb.children:
                reported = any(g.dep_ == "mark" and g.lower_ == "that" for g in conj.children)
                if conj.dep_ == "conj" and conj.i >= hi and (reported or not is_cue(conj)) and \
                        any(g.dep_ in ("nsubj", "nsubjpass", "expl") for g in conj.children):
                    hi = conj.right_edge.i + 1
        elif (via := _that_clause_below(verb)) is not None:
            # "said in a report that …": the parser hung the clause on "report"
            lo, hi = max(via.left_edge.i, verb.i + 1), via.right_edge.i + 1
        elif left_side:
            comp = left_side[-1]
            lo, hi = comp.left_edge.i, comp.right_edge.i + 1
            if any(piece_of[i] is not None for i in range(lo, hi)):
                return None  # “…,” she said: the post-posed rule handles it
        elif any(c.dep_ in ("xcomp",) for c in verb.children) or \
                any(c.dep_ == "dobj" and not _has_quote_in(c, piece_of) for c in verb.children):
            return None
        else:
            # "believes nothing “will not deter …”": no ccomp, but the quote is the claim.
            lo, hi = verb.i + 1, verb.sent.end
            first_quote = next((i for i in range(lo, hi) if piece_of[i] is not None), None)
            if first_quote is None:
                return None
            if any(doc[i].tag_.startswith("VB") for i in range(lo, first_quote)):
                return None  # "replied by calling her a “warmonger”": another verb owns the quote
        full_hi = hi
        # "…, according to RIA" is the source, not the statement; another speech verb with
        # its own subject ("…, while the ministry said …") starts another statement.
        for i in range(lo + 1, hi):
            tok = doc[i]
            if tok.lower_ == "according" and doc[i - 1].text == ",":
                hi = i - 1
                break
            own_subject = any(c.dep_ in _SUBJECT_DEPS for c in tok.children)
            reported = any(c.dep_ == "mark" and c.lower_ in ("that", "if", "whether") for c in tok.children)
            if piece_of[i] is None and is_cue(tok) and tok.i != verb.i and not reported and (
                    own_subject or tok.dep_ == "conj"):
                cut = min(c.left_edge.i for c in tok.children if c.dep_ in _SUBJECT_DEPS) \
                    if any(c.dep_ in _SUBJECT_DEPS for c in tok.children) else tok.i
                while cut > lo and (doc[cut - 1].is_punct or doc[cut - 1].dep_ in ("cc", "mark") or doc[cut - 1].lower_ in ("while", "whereas")):
                    cut -= 1
                if cut > lo:
                    hi = cut
                    full_hi = cut
                break
        while lo < hi and ((doc[lo].is_punct and piece_of[lo] is None) or doc[lo].lower_ == "that"):
            lo += 1
        while hi > lo and doc[hi - 1].is_punct and piece_of[hi - 1] is None:
            hi -= 1
        return (lo, hi, full_hi) if hi > lo else None

    # rules 3 and 4
    def _post_posed(self, cand: Candidate, frame_end: int) -> None:
        verb = self._verb_after(frame_end)
        if verb is None:
            return
        subject = subject_of(verb, self.quoted)
        if subject is None or self.piece_of[subject.i] is not None:
            return
        existing = self.by_cue.get(self.start(verb))
        att = existing or self._attribution(verb, subject)
        att.subject_only = False
        claim(att, cand, "post")
        if existing is None:
            self._add(att)
        self._join_split(cand, att, verb)

    def _verb_after(self, frame_end: int) -> Token | None:
        """The reporting verb of a post-posed attribution right after the quote, if any."""
        doc, piece_of = self.doc, self.piece_of
        first = bisect.bisect_left(self.starts, frame_end)
        if first >= len(doc):
            return None
        content = 0
        relative = False  # inside ", who asked not to be named,": it describes the speaker
        for i in range(first, min(len(doc), first + 30)):
            tok = doc[i]
            if piece_of[i] is not None or tok.text in (".", "!", "?", ":", ";"):
                return None
            if relative:
                relative = tok.text not in (",", "—", "–")
                continue
            if tok.lower_ in ("who", "whose") and i > first and doc[i - 1].text in (",", "—", "–"):
                relative = True
                continue
            if tok.is_punct:
                continue
            if is_cue(tok) and tok.lower_ not in _QUOTE_ONLY:
                return None if self.pre_bridge.get(tok.i) == ":" else tok
            if tok.tag_.startswith("VB") or tok.tag_ == "MD":
                return None
            content += 1
            if content > 6:
                return None
        return None

    def _join_split(self, first: Candidate, att: Attribution, verb: Token) -> None:
        """“…,” she said, “…”: the second half joins the first as one statement.

        The news convention holds across the attribution's full stop too (“…,” said X, who
        leads the bloc. “…”) as long as nothing but the attribution sits between the halves.
        """
        if len(first.spans) != len(first.marked.spans):
            return
        second = self.next_piece.get(id(first))
        if second is None:
            return
        if second.attribution not in (None, att) or second.absorbed:
            return
        gap_start, gap_end = first.marked.frames[-1][1], second.marked.frames[0][0]
        between = self.text[gap_start:gap_end].strip()
        inner_end = self.text[first.spans[-1][0]:first.spans[-1][1]].rstrip()
        words = len(WORD_RE.findall(between))
        opens_with_comma = inner_end.endswith(",") or between.startswith(",")
        if not opens_with_comma or words > 25 or ":" in between or ";" in between:
            return
        # The gap must be the attribution sentence only: no other verb of speech.
        lo, hi = bisect.bisect_left(self.starts, gap_start), bisect.bisect_left(self.starts, gap_end)
        # Verbs inside a relative clause on the speaker ("the general, who asked not to be
        # named, told reporters, “…”") describe the speaker; they do not start a new report.
        gap_verbs = [t for t in self.doc[lo:hi] if t.tag_.startswith("VB") and not _in_relative_clause(t, verb)]
        if any(t.i != verb.i and (t.dep_ == "ROOT" or (is_cue(t) and t.dep_ not in ("relcl", "acl"))) for t in gap_verbs):
            return
        if second in att.quotes:
            att.quotes.remove(second)
        first.spans.extend(second.spans)
        first.paragraphs.extend(second.paragraphs)
        second.joined = True

    # rule 5
    def _governed(self, cand: Candidate) -> None:
        """A leftover quote takes the subject of the speech verb it hangs from."""
        if self.frame.headline:
            return  # headline scare quotes belong to no one
        doc, piece_of = self.doc, self.piece_of
        inner = [doc[i] for i in self.tokens_of.get(id(cand), []) if not doc[i].is_punct]
        if not inner:
            return
        tok = inner[0]
        for _ in range(8):
            if tok.head is tok:
                break
            tok = tok.head
            if piece_of[tok.i] is None and tok.tag_.startswith("VB"):
                break
        if piece_of[tok.i] is not None or not tok.tag_.startswith("VB"):
            return
        if is_cue(tok):
            subject = subject_of(tok, self.quoted)
            if subject is None or piece_of[subject.i] is not None or not _can_speak(subject):
                return
            att = self.by_cue.get(self.start(tok)) or self._attribution(tok, subject)
            att.subject_only = False
            claim(att, cand, "governed")
            self._add(att)
            return
        # "for the analyst Mara Ilves, Volek is simply “flattering” …"
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ == "for" and child.i < tok.i:
                pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
                if pobj is not None and is_proper(pobj):
                    att = self._attribution(child, pobj)
                    att.cue = (self.start(child), self.start(child))  # no speech verb here
                    att.subject_only = False
                    claim(att, cand, "governed")
                    self._add(att)
                    return

    # rule 6
    def _remember_subjects(self) -> None:
        if self.frame.headline:
            return  # "Envoy says …" in a headline would shadow the envoy the article names
        for tok in self.doc:
            if tok.dep_ not in _SUBJECT_DEPS or self.piece_of[tok.i] is not None or self.inside_claim(tok.i):
                continue
            if is_cue(tok.head) and any(a.cue[0] == self.start(tok.head) for a in self.found):
                continue
            named = is_proper(tok) or any(c.dep_ == "appos" and is_proper(c) for c in tok.children) or \
                (tok.lower_ in ORG_HEADS and any(c.dep_ == "poss" and is_proper(c) for c in tok.children))
            person_noun = tok.lower_.rstrip("s") in PERSON_NOUNS or tok.lower_ in PERSON_NOUNS
            group = tok.tag_ == "NNS" and not tok.lower_ in NON_SPEAKER_NOUNS
            if named or person_noun or group:
                att = self._attribution(tok.head, tok)
                att.subject_only = True
                self._add(att)

    def _attribution(self, verb: Token, subject: Token) -> Attribution:
        doc = self.doc
        if verb.lower_ == "according" and verb.i + 1 < len(doc):
            cue = (self.start(verb), self.end(doc[verb.i + 1]))
        else:
            cue = (self.start(verb), self.end(verb))
        left, end, right = mention_tokens(subject)
        if end <= left:
            left, end = subject.i, subject.i + 1
        name_head, name_left, name_end = subject, left, end
        owner: str | None = None
        # "the ministry's spokeswoman, Alina Dorsk": the appositive carries the name.
        if not (is_proper(subject) or subject.tag_ == "PRP"):
            # The appositive may hang off a noun inside the phrase ("Dravina’s governor in
            # the occupied part of the corridor, Oleg Stanek,"): the first proper one counts.
            appositives = [t for t in doc[subject.i + 1:right] if t.dep_ == "appos" and is_proper(t)]
            for child in appositives[:1]:
                a_left, a_end, _ = mention_tokens(child)
                name_head, name_left, name_end = child, max(a_left, child.left_edge.i), a_end
                end = max(end, a_end)
                break
            else:
                if subject.lower_ in VIA_PREP_HEADS:
                    # "a statement from Castellan’s foreign ministry", "Organisers from X"
                    for prep in subject.children:
                        if prep.dep_ == "prep" and prep.lower_ in ("from", "by", "of"):
                            pobj = next((g for g in prep.children if g.dep_ == "pobj"), None)
                            if pobj is not None:
                                p_left, p_end, _ = mention_tokens(pobj)
                                name_head, name_left, name_end = pobj, p_left, p_end
                                break
        head = name_head
        # "Tomas Aberra of the Highland Relief Committee": the person, not the committee.
        if is_proper(head) and any(c.dep_ == "compound" and is_proper(c) for c in head.children):
            prep = next((c for c in head.children if c.dep_ == "prep" and c.i > head.i and c.lower_ in ("of", "from", "at")), None)
            if prep is not None and prep.i < name_end:
                if name_end == end:
                    end = prep.i
                name_end = prep.i
        # "its foreign ministry", "Ms Joss’s office": an organisation named through its owner.
        poss = next((c for c in head.children if c.dep_ == "poss"), None)
        owner_rest = ""
        if poss is not None and not is_proper(head):
            owner_tokens = [t for t in doc[max(poss.left_edge.i, left):poss.i + 1]]
            while len(owner_tokens) > 1 and not is_proper(owner_tokens[0]) and any(is_proper(t) for t in owner_tokens):
                owner_tokens = owner_tokens[1:]  # "If Ostmark’s foreign ministry"
            owner = doc[owner_tokens[0].i:poss.i + 1].text
            owner = owner.removesuffix("’s").removesuffix("'s").strip()
            rest_start = poss.i + 1
            while rest_start < name_end and doc[rest_start].dep_ == "case":
                rest_start += 1
            owner_rest = doc[rest_start:name_end].text if rest_start < name_end else head.text
            if owner.lower() in ("its", "their"):
                # "Castellan has offered …, its foreign ministry said": the sentence's own
                # named subject is the owner when one comes before the attribution.
                hint = next((t for t in verb.sent if t.i < subject.i and t.dep_ in _SUBJECT_DEPS
                             and is_proper(t) and not self.quoted(t)), None)
                if hint is not None:
                    owner = doc[hint.left_edge.i:hint.i + 1].text
        mention = (self.start(doc[left]), self.end(doc[end - 1]))
        name = (self.start(doc[name_left]), self.end(doc[name_end - 1]))
        roles = {t.lower_ for t in doc[left:right] if t.lower_ in ROLE_NOUNS}
        att = Attribution(self.frame.para, cue, mention, name, head=head.lower_, roles=roles, owner=owner,
                          owner_rest=owner_rest)
        att.proper = is_proper(head)
        att.plural = head.tag_ in ("NNS", "NNPS")
        if end - left == 1 and subject.lower_ in PRONOUNS_MALE | PRONOUNS_FEMALE | {"they"}:
            att.pronoun = subject.lower_
        return att


def attribute_paragraph(text: str, frame: Frame, doc: Doc) -> tuple[list[Attribution], Attribution | None]:
    """Attributions found in one paragraph, and a trailing "X said:" waiting for a quote."""
    return _Paragraph(text, frame, doc).run()


# -- small helpers ----------------------------------------------------------------------------


def is_proper(tok: Token) -> bool:
    """A capitalised proper noun (the tagger calls a post-posed "minister" NNP too)."""
    return tok.tag_ in ("NNP", "NNPS") and tok.text[:1].isupper()


def is_cue(tok: Token) -> bool:
    """A reporting verb (as a verb) or the "according" of "according to"."""
    if tok.lower_ == "according":
        return tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to"
    return tok.lower_ in _CUE_WORDS and tok.tag_.startswith("VB")


def subject_of(verb: Token, quoted: Callable[[Token], bool] | None = None) -> Token | None:
    """The speaker token: nsubj, the object of "according to", or the head verb's subject.

    `quoted(tok)` tells tokens inside quotes, which never speak ("“Yes,” said X" can
    give the verb two subjects).
    """
    if verb.lower_ == "according":
        if verb.i + 1 >= len(verb.doc):
            return None
        return next((c for c in verb.doc[verb.i + 1].children if c.dep_ == "pobj"), None)
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ in _SUBJECT_DEPS:
                if quoted is not None and quoted(child):
                    continue
                if child.lower_ in ("who", "which", "that") and current.dep_ == "relcl":
                    return current.head
                if child.lower_ in _NOT_SUBJECTS:
                    return None
                return child
        if current is verb and current.dep_ == "acl" and verb.lower_ in REPORTING_VERBS and \
                current.head.i < verb.i and current.head.tag_.startswith("NN") and \
                not any(c.dep_ == "agent" for c in verb.children):
            # "Varosia’s premier, Aurel Dancu, posted on social media that …" parsed as a
            # noun modified by "posted": the noun is the one posting.
            return current.head
        if current is verb and current.dep_ in ("ROOT", "ccomp") and verb.lower_ in _CUE_WORDS:
            # A misparse left the verb without a subject ("…, Teregal’s chief negotiator,
            # Selin Arda, insisted …"): take the noun phrase that ends right before it.
            fallback = _noun_phrase_before(verb, quoted)
            if fallback is not None:
                return fallback
        if current.dep_ in ("conj", "advcl", "xcomp", "pcomp", "prep") and current.head is not current:
            head = current.head
            # "organisers said their petition had 80,000 signatures and demanded …": the
            # conjoined speech verb shares the reporter's subject, not the clause's.
            if current.dep_ == "conj" and head.dep_ == "ccomp" and is_cue(head.head):
                head = head.head
            current = head
            continue
        break
    return None


def _in_relative_clause(tok: Token, verb: Token) -> bool:
    """Is `tok` inside a relative clause (or one opened by "who"/"which") below `verb`?"""
    current = tok
    for _ in range(6):  # bounded walk up the tree: parses are shallow here
        if current is verb or current.head is current:
            break
        if current.dep_ in ("relcl", "acl") or any(c.lower_ in ("who", "which") and c.dep_ in _SUBJECT_DEPS
                                                   for c in current.children):
            return True
        current = current.head
    return False


def _that_clause_below(verb: Token) -> Token | None:
    """A "that" clause reached from the verb only through a prepositional phrase."""
    for prep in verb.children:
        if prep.dep_ != "prep" or prep.i < verb.i:
            continue
        for pobj in prep.children:
            if pobj.dep_ != "pobj":
                continue
            for clause in pobj.children:
                if clause.dep_ in ("acl", "relcl", "ccomp") and any(
                        m.dep_ == "mark" and m.lower_ == "that" for m in clause.children):
                    return clause
    return None


def _noun_phrase_before(verb: Token, quoted: Callable[[Token], bool] | None) -> Token | None:
    doc = verb.doc
    i = verb.i - 1
    while i >= verb.sent.start and doc[i].is_punct:
        i -= 1
    if i < verb.sent.start or (quoted is not None and quoted(doc[i])):
        return None
    tok = doc[i]
    if not (tok.tag_.startswith("NN") or tok.tag_ == "PRP") or tok.lower_ in _NOT_SUBJECTS:
        return None
    while tok.dep_ in ("appos", "compound", "flat") and tok.head is not tok:
        tok = tok.head
    return tok


def _can_speak(subject: Token) -> bool:
    """Texts and pairs do not speak: "the document calls", "the two men agreed"."""
    if subject.lower_ in NON_SPEAKER_NOUNS:
        return False
    return not any(c.dep_ == "conj" or c.lower_ == "both" or (c.dep_ == "nummod" and c.lower_ not in ("one", "1"))
                   for c in subject.children)


def mention_tokens(subject: Token) -> tuple[int, int, int]:
    """Token range of the speaker mention, without appositives or relative clauses.

    Returns (start, end, subtree_end): the appositive ("a senior fellow at X") lies between
    end and subtree_end and still tells us the person's roles.
    """
    doc = subject.doc
    left, right = subject.left_edge.i, subject.right_edge.i + 1
    end = right
    depth = 0
    for i in range(subject.i, right):
        tok = doc[i]
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and (tok.text in (",", "—", "–", ";", ".") or tok.dep_ in ("relcl", "acl")
                             or tok.lower_ in ("who", "which") or tok.tag_.startswith("VB") or tok.tag_ == "MD"):
            end = i
            break
    # A bad parse can hang the previous sentence or an "If" on the subject.
    for i in range(subject.i - 1, left - 1, -1):
        if doc[i].text in (".", "!", "?", ";", ":") or doc[i].dep_ in ("mark", "cc") or \
                (doc[i].tag_.startswith("VB") and not doc[i].text[:1].isupper()):
            left = i + 1
            break
    while end > left and doc[end - 1].is_punct and doc[end - 1].text != ")":
        end -= 1
    while left < end and (doc[left].is_punct or doc[left].dep_ in ("mark", "cc")):
        left += 1
    return left, end, right


def claim(att: Attribution, cand: Candidate, how: str) -> None:
    att.quotes.append(cand)
    cand.attribution, cand.how = att, how


def _has_quote_in(tok: Token, piece_of: list[Candidate | None]) -> bool:
    return any(piece_of[i] is not None for i in range(tok.left_edge.i, tok.right_edge.i + 1))


def _is_clause(verb: Token, lo: int, hi: int) -> bool:
    """A finite clause with its own subject: "it was for Ukraine to decide …"."""
    for c in verb.children:
        if c.dep_ == "ccomp" and (lo <= c.i < hi or c.i < verb.i):
            return any(g.dep_ in ("nsubj", "nsubjpass", "expl", "csubj")
                       or (g.dep_ == "mark" and g.lower_ in ("that", "if", "whether")) for g in c.children)
    return False


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding spaces, leading joiners and the final full stop of a clause."""
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-."):
        end -= 1
    return start, end
