"""Who is speaking: names, organisations, pronouns and "the minister", resolved in order.

A `SpeakerBook` reads the article once (linear scans for full names, honorifics and
acronyms) and then resolves each attribution as it comes, keeping the history of who has
spoken so that "She" and "the minister" point back to the most recent compatible person.

>>> book = SpeakerBook("Ms Tatiana Stanovaya spoke. Then Mr Oleg Ivanov spoke.")
>>> book.resolve_name("Stanovaya").name
'Tatiana Stanovaya'
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from model.quotes.lexicon import (
    DEMONYMS,
    FIRST_NAMES_FEMALE,
    FIRST_NAMES_MALE,
    HONORIFICS,
    HONORIFICS_FEMALE,
    HONORIFICS_MALE,
    ORG_WORDS,
    PLACE_WORDS,
    PRONOUNS_FEMALE,
    PRONOUNS_MALE,
    PRONOUNS_PLURAL,
    ROLE_NOUNS,
    TITLES,
)

# One capitalised word (letters, inner apostrophes/hyphens/dots). Single, unnested
# quantifiers only: matching is linear in the input.
_CAP_WORD = re.compile(r"[A-Z][\w’'\-]*\.?")
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z&]{1,7})\)")
_HONORIFIC_NAME = re.compile(r"\b(Mr|Mrs|Ms|Miss|Sir|Dame|Lord|Lady|Madam|Mme)\.? ([A-Z][\w’'\-]+)")
_STOP_JOINERS = frozenset({"of", "for", "the", "and", "on", "de", "du", "von", "van", "al", "bin"})


@dataclass
class Entity:
    """Someone (person) or something (org, group) that speaks in the article."""

    name: str
    kind: str  # "person" | "org" | "group"
    gender: str | None = None  # "m" | "f" | None when nothing says
    roles: set[str] = field(default_factory=set)
    last_pos: int = -1  # article offset of the latest mention we used


# "the Aldermark leader" is its president; "the premier" its prime minister.
_ROLE_SYNONYMS: dict[str, set[str]] = {
    "leader": {"leader", "president", "premier", "prime", "chancellor", "king", "queen", "emir", "head"},
    "premier": {"premier", "prime", "leader"},
    "head": {"head", "director", "chief", "chair", "chairman", "chairwoman", "leader"},
    "chief": {"chief", "head", "director", "commander"},
    "commander": {"commander", "general", "chief", "admiral"},
    "diplomat": {"diplomat", "envoy", "ambassador"},
    "envoy": {"envoy", "diplomat", "ambassador", "negotiator", "mediator"},
}


_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "if", "but", "and", "or", "in", "on", "at", "when", "while", "as", "after",
    "before", "for", "of", "to", "with", "by", "from", "then", "so", "yet", "since", "until",
    "although", "though", "because", "once", "where", "whether", "this", "that", "these", "those",
    "his", "her", "its", "their", "our", "my", "your", "asked", "speaking", "according", "under",
    "during", "over", "like", "unlike", "despite", "without", "within", "last", "next",
})


# "Families for Return, a group founded …", "the Coastal Liberation Front (CLF), an armed
# group": where "the group" later points. Single, unnested quantifiers over a bounded window.
_INTRODUCED_AS = r"([A-Z][\w’'\-]*(?: (?:[A-Z][\w’'\-]*|for|of|the|and))*)(?: \([A-Z][A-Za-z&]{{1,7}}\))?, (?:a|an) (?:[a-z\-]+ ){{0,3}}{head}\b"
_INTRO_WINDOW = 2_000
# A description named later in its own appositive or relative clause: "The woman, who later
# gave her name as Amara Tessel,", "a retired teacher named Edvard Kolle".
LATE_NAME = re.compile(r"\b(?:named|gave (?:her|his|their) name as|identified (?:herself |himself )?as)"
                       r" ((?:Mr |Ms |Mrs |Dr )?[A-Z][\w’'\-]+(?: [A-Z][\w’'\-]+){0,2})")
# Nouns that tell the gender of an unnamed person.
_GENDERED_NOUNS = {"woman": "f", "mother": "f", "wife": "f", "daughter": "f", "sister": "f", "widow": "f",
                   "man": "m", "father": "m", "husband": "m", "son": "m", "brother": "m", "widower": "m"}


def _strip_the(text: str) -> str:
    return text[4:] if text[:4].lower() == "the " else text


def _words(text: str) -> list[str]:
    return [w.strip(".,;:()’'\"").lower() for w in text.split()]


def acronym_of(name: str) -> str:
    """Initials of the capitalised words: "Institute for the Study of War" -> "ISW"."""
    return "".join(w[0] for w in name.split() if w[:1].isupper())


class SpeakerBook:
    """Article-wide memory of names, genders, roles and who spoke last."""

    def __init__(self, text: str) -> None:
        self.full_names: dict[str, str] = {}  # surname (lower) -> "First Last"
        self.genders: dict[str, str] = {}  # surname or full name (lower) -> "m"/"f"
        self.acronyms: dict[str, str] = {}  # "ISW" -> "Institute for the Study of War"
        self.entities: dict[str, Entity] = {}  # resolved name (lower) -> entity
        self.history: list[Entity] = []  # speakers and named subjects, oldest first
        # Mentions that are not attributions but can be referred back to: "led by General
        # Marc Fabre" (for "the general"), "organised by the Council of X (CSM)" (for "they").
        self.titled: list[tuple[int, Entity]] = []
        self.org_mentions: list[tuple[int, Entity]] = []
        self._text = text
        self._read(text)

    # -- article-wide scans ---------------------------------------------------------------

    def _read(self, text: str) -> None:
        # Runs of capitalised words separated by single spaces: candidate full names.
        run: list[str] = []
        run_start = 0
        last_end = -2
        for match in _CAP_WORD.finditer(text):
            # A full stop ends a name unless it closes an initial or an honorific ("Mr.").
            joins = match.start() == last_end + 1 and text[last_end] == " "
            if joins and text[last_end - 1] == "." and len(run[-1]) > 2 and run[-1].lower().rstrip(".") not in HONORIFICS:
                joins = False
            if joins:
                run.append(match.group())
            else:
                self._note_run(run, run_start)
                run, run_start = [match.group()], match.start()
            last_end = match.end()
        self._note_run(run, run_start)
        for match in _HONORIFIC_NAME.finditer(text):
            gender = "f" if match.group(1).lower() in HONORIFICS_FEMALE else "m"
            if match.group(1).lower() in HONORIFICS_FEMALE | HONORIFICS_MALE:
                self.genders[match.group(2).lower()] = gender
        for match in _ACRONYM.finditer(text):
            acronym = match.group(1)
            before = text[max(0, match.start() - 120):match.start()].rstrip()
            words = before.split()
            # Walk back over the name until its initials spell the acronym.
            for k in range(1, min(len(words), 12) + 1):
                candidate = " ".join(words[-k:])
                if acronym_of(candidate).upper() == acronym.upper() and words[-k][:1].isupper():
                    name = _strip_the(candidate.strip(",;:"))
                    self.acronyms[acronym] = name
                    entity = self.entities.setdefault(name.lower(), Entity(name, "org"))
                    self.org_mentions.append((match.start() - len(candidate), entity))
                    break

    def _note_run(self, run: list[str], start: int) -> None:
        words = [w.rstrip(".") if w.lower().rstrip(".") in HONORIFICS else w for w in run]
        roles = set()
        # "opposition leader Petra Holm", "Sarn’s defence minister, Lidia Horvat"
        for word in self._text[max(0, start - 40):start].replace(",", " ").split()[-3:]:
            if word.lower() in ROLE_NOUNS:
                roles.add(word.lower())
        while words and words[0].lower() in _FUNCTION_WORDS:
            words = words[1:]  # "If Ostmark’s …", "A Sarn negotiator" start sentences, not names
        while words and (words[0].lower().rstrip(".") in TITLES or words[0].lower() in DEMONYMS):
            if words[0].lower().rstrip(".") in ROLE_NOUNS:
                roles.add(words[0].lower().rstrip("."))
            words = words[1:]
        if not 2 <= len(words) <= 3:
            return
        lowered = [w.lower().strip("’'") for w in words]
        if any(w in ORG_WORDS or w in PLACE_WORDS or w in TITLES for w in lowered):
            return
        if any(w.isupper() and len(w) > 1 for w in words):  # SHOUTED WORDS, acronyms
            return
        clean = [w.removesuffix("’s").removesuffix("'s") for w in words]
        surname = clean[-1].lower()
        self.full_names.setdefault(surname, " ".join(clean))
        if roles:
            name = self.full_names[surname]
            entity = self.entities.setdefault(name.lower(), Entity(name, "person"))
            entity.roles |= roles
            self.titled.append((start, entity))
        first = lowered[0]
        if first in FIRST_NAMES_FEMALE:
            self.genders.setdefault(surname, "f")
        elif first in FIRST_NAMES_MALE:
            self.genders.setdefault(surname, "m")

    # -- resolution -----------------------------------------------------------------------

    def resolve_name(self, name: str, *, kind: str = "person", roles: set[str] | None = None,
                     gender: str | None = None) -> Entity:
        """The entity behind a name as written ("Ms Stanovaya", "ISW", "Tatiana Stanovaya")."""
        words = name.split()
        honorific_gender: str | None = None
        roles = set(roles or ())
        while words and words[0].lower().rstrip(".") in TITLES | DEMONYMS:
            lowered = words[0].lower().rstrip(".")
            if lowered in ROLE_NOUNS:
                roles.add(lowered)  # "General Tomas Reyk" is "the general" later on
            if lowered in HONORIFICS_FEMALE:
                honorific_gender = "f"
            elif lowered in HONORIFICS_MALE:
                honorific_gender = "m"
            if len(words) == 1:
                break
            words = words[1:]
        core = " ".join(words).removesuffix("’s").removesuffix("'s").strip(" ,;:")
        if kind == "org" or kind == "group":
            core = _strip_the(core)
            # "opposition Holmgard Freedom Party": descriptors before the name are not the name
            parts = core.split()
            while len(parts) > 1 and parts[0][:1].islower() and any(p[:1].isupper() for p in parts[1:]):
                parts = parts[1:]
            core = " ".join(parts)
            core = core.split(" (")[0].strip() or core
            core = self.acronyms.get(core, core)
        else:
            if len(words) == 1:
                core = self.full_names.get(core.lower(), core)
                if core.lower() not in self.entities:
                    # Surname first seen as "Stanovaya" after "Tatiana Stanovaya" spoke.
                    for key, entity in self.entities.items():
                        if entity.kind == "person" and key.endswith(" " + words[0].lower()):
                            core = entity.name
                            break
        if honorific_gender is not None:
            kind = "person"
        key = core.lower()
        entity = self.entities.get(key)
        if entity is None:
            entity = Entity(core, kind)
            self.entities[key] = entity
        elif kind == "person" and entity.kind != "person":
            entity.kind = "person"  # "Ms Stanovaya" settles what an earlier mention left open
        surname = core.split()[-1].lower() if core.split() else key
        entity.gender = entity.gender or gender or honorific_gender or self.genders.get(surname) or self._gender_of_first(core)
        entity.roles |= roles or set()
        return entity

    @staticmethod
    def _gender_of_first(name: str) -> str | None:
        first = name.split()[0].lower() if name.split() else ""
        if first in FIRST_NAMES_FEMALE:
            return "f"
        if first in FIRST_NAMES_MALE:
            return "m"
        return None

    def describe(self, description: str, kind: str, roles: set[str] | None = None) -> Entity:
        """An unnamed speaker, known by its description as first written ("a navy spokesman")."""
        key = description.lower()
        entity = self.entities.get(key)
        if entity is None:
            entity = self.entities[key] = Entity(description, kind)
        entity.roles |= roles or set()
        return entity

    def name_entity(self, entity: Entity, name: str) -> Entity:
        """An unnamed speaker learns its name: earlier quotes follow (see `spoken`)."""
        named = self.resolve_name(name, kind="person", gender=entity.gender)
        if named is entity:
            return entity
        if len(named.name.split()) >= len(entity.name.split()) or entity.name[:1].islower() or \
                entity.name.split()[0].lower() in ("a", "an", "one", "another", "the"):
            entity.name, entity.kind = named.name, "person"
            entity.gender = entity.gender or named.gender
            entity.roles |= named.roles
            self.entities[named.name.lower()] = entity  # "Ms Tessel" later finds this entity
        return entity

    def latest_unnamed_person(self, gender: str | None, pos: int) -> Entity | None:
        """"the woman" -> the most recent person known only by a description ("one marcher")."""
        def accept(e: Entity) -> bool:
            first = e.name.split()[0].lower() if e.name.split() else ""
            return e.kind == "person" and first in ("a", "an", "one", "another") and \
                (gender is None or e.gender in (None, gender))
        return self._latest(accept, pos)

    def named_org(self, head: str, pos: int) -> Entity | None:
        """"the ministry", "the group" -> the organisation named with that noun, most recent first."""
        best: Entity | None = None
        best_pos = -1
        for entity in reversed(self.history):
            if entity.kind in ("org", "group") and head in _words(entity.name) and entity.name.lower() != f"the {head}":
                best, best_pos = entity, entity.last_pos
                break
        lo = max(0, pos - _INTRO_WINDOW)
        pattern = re.compile(_INTRODUCED_AS.format(head=re.escape(head)))
        # ... or a capitalised name ending in it: "The Tannmark Interior Ministry".
        titled = re.compile(r"((?:[A-Z][\w’'\-]* ){1,4}" + re.escape(head.capitalize()) + r")\b")
        last = None
        for match in itertools.chain(pattern.finditer(self._text, lo, pos), titled.finditer(self._text, lo, pos)):
            if last is None or match.start() > last.start():
                last = match
        if last is not None and last.start() > best_pos:
            best = self.resolve_name(last.group(1), kind="org")
            if best.kind == "person":
                return None
        return best

    @staticmethod
    def gender_of_noun(noun: str) -> str | None:
        return _GENDERED_NOUNS.get(noun.lower())

    def _latest(self, accept: Any, pos: int, extra: list[tuple[int, Entity]] = ()) -> Entity | None:  # type: ignore[assignment]
        """The accepted entity mentioned last before `pos`: speakers first, then `extra`."""
        best: Entity | None = None
        best_pos = -2
        for entity in reversed(self.history):
            if accept(entity):
                best, best_pos = entity, entity.last_pos
                break
        for where, entity in extra:
            if best_pos < where < pos and accept(entity):
                best, best_pos = entity, where
        return best

    def most_recent_org(self, pos: int = 1 << 60) -> Entity | None:
        """The organisation that "its" and "the organisers" point back to."""
        return self._latest(lambda e: e.kind == "org", pos, self.org_mentions)

    def resolve_pronoun(self, pronoun: str, pos: int = 1 << 60) -> Entity | None:
        """Most recent compatible speaker: he/she to persons by gender, they to groups."""
        word = pronoun.lower()
        if word in PRONOUNS_PLURAL:
            return self._latest(lambda e: e.kind in ("org", "group"), pos, self.org_mentions)
        if word in PRONOUNS_FEMALE:
            return self._latest(lambda e: e.kind == "person" and e.gender != "m", pos)
        if word in PRONOUNS_MALE:
            return self._latest(lambda e: e.kind == "person" and e.gender != "f", pos)
        return None

    def resolve_role(self, role: str, pos: int = 1 << 60) -> Entity | None:
        """"the minister" -> the most recent person introduced with that title."""
        roles = _ROLE_SYNONYMS.get(role, {role})
        return self._latest(lambda e: e.kind == "person" and bool(roles & e.roles), pos, self.titled)

    def remember(self, entity: Entity, pos: int = -1) -> None:
        """Make `entity` the most recent speaker (mentioned at article offset `pos`)."""
        entity.last_pos = max(entity.last_pos, pos)
        if self.history and self.history[-1] is entity:
            return
        self.history.append(entity)


def classify_mention(mention: str, ner_label: str | None) -> str:
    """person | org | group | pronoun | role, from the words and the NER label.

    >>> classify_mention("The Institute for the Study of War (ISW)", "ORG"), classify_mention("She", None)
    ('org', 'pronoun')
    """
    words = _words(mention)
    if not words:
        return "group"
    if len(words) == 1 and words[0] in PRONOUNS_MALE | PRONOUNS_FEMALE | PRONOUNS_PLURAL:
        return "pronoun"
    capitalised = [w for w in mention.split() if w[:1].isupper() and w.lower().strip(".") not in ("the", "a")]
    if not capitalised or (len(capitalised) == 1 and mention.split()[0].lower() in ("the", "a", "an")
                           and capitalised[0].lower() in ROLE_NOUNS):
        head = words[-1]
        if head in ROLE_NOUNS and words[0] in ("the", "this", "that"):
            return "role"
        return "group"
    if words[0] in HONORIFICS:
        return "person"
    if ner_label == "PERSON":
        return "person"
    if ner_label in ("ORG", "GPE", "NORP", "FAC", "LOC"):
        return "org"
    if any(w in ORG_WORDS or w in PLACE_WORDS for w in words) or any(w.isupper() and len(w) > 1 for w in mention.split()):
        return "org"
    return "person"
