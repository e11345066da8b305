"""`stance evaluate-quotes`: score quote extraction and attribution against a gold file.

Gold format (data/quotes/gold.json):

    {"version": 1, "target": "...", "articles": [{"id", "text", "quotes": [
        {"text", "spans", "type", "speaker", "speaker_mention", "cue", "fragment", "stance"}]}]}

A predicted statement matches a gold one when their lower-cased word sets overlap with
Jaccard >= 0.5; pairs are matched one-to-one, greedily by best Jaccard, within an article.
Speaker accuracy and stance accuracy are measured on matched pairs.

>>> words_match("Ms Stanovaya", "Tatiana Stanovaya"), words_match("ISW", "Institute for the Study of War")
(True, True)
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from model.errors import DataError

JACCARD_MIN = 0.5
TYPES = ("direct", "indirect", "mixed")

_WORD = re.compile(r"\w+(?:[’']\w+)*")
# Words that decorate a name without changing who it is.
_NAME_NOISE = frozenset({
    "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
    "president", "vice", "prime", "minister", "secretary", "general", "gen", "chancellor",
    "defence", "defense", "foreign", "deputy", "senator", "sen", "governor", "ambassador",
    "spokesman", "spokeswoman", "spokesperson", "colonel", "col", "admiral", "commander",
    "the", "analyst", "lawmaker", "senior", "chief", "leader", "king", "queen", "pope",
})


def word_set(text: str) -> set[str]:
    """Lower-cased words (punctuation and quote marks dropped)."""
    return {w.lower().replace("’", "'") for w in _WORD.findall(text)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _name_forms(name: str) -> tuple[list[str], set[str]]:
    """Normalised words of a name, and the acronyms it can be written as."""
    acronyms = {m.upper() for m in re.findall(r"\(([A-Za-z&]{2,8})\)", name)}
    bare = re.sub(r"\([^)]*\)", " ", name)
    bare = re.sub(r"[’']s\b", "", bare)
    words = [w for w in (w.lower() for w in _WORD.findall(bare)) if w not in _NAME_NOISE]
    capitals = [w for w in _WORD.findall(bare) if w[:1].isupper() and w.lower() not in _NAME_NOISE]
    if len(capitals) >= 2:
        acronyms.add("".join(w[0] for w in capitals).upper())
    if len(words) == 1 and words[0].isalpha() and len(words[0]) <= 8:
        acronyms.add(words[0].upper())
    return words, acronyms


def words_match(predicted: str | None, gold: str | None) -> bool:
    """Same speaker? Equal after dropping titles, a surname of the other, or acronym forms."""
    if not predicted or not gold:
        return not predicted and not gold
    p_words, p_acr = _name_forms(predicted)
    g_words, g_acr = _name_forms(gold)
    if not p_words or not g_words:
        return predicted.strip().lower() == gold.strip().lower()
    if p_words == g_words:
        return True
    if len(p_words) == 1 and p_words[0] == g_words[-1] or len(g_words) == 1 and g_words[0] == p_words[-1]:
        return True
    # Acronym forms: "ISW" against "Institute for the Study of War (ISW)".
    return (len(p_words) == 1 and p_words[0].upper() in g_acr) or (len(g_words) == 1 and g_words[0].upper() in p_acr)


def match_statements(predicted: Sequence[str], gold: Sequence[str]) -> list[tuple[int, int, float]]:
    """One-to-one greedy matching by best Jaccard >= 0.5: (pred index, gold index, jaccard).

    >>> match_statements(["peace now please", "war"], ["peace now", "no war at all"])
    [(0, 0, 0.6666666666666666)]
    """
    p_sets = [word_set(t) for t in predicted]
    g_sets = [word_set(t) for t in gold]
    pairs = [(jaccard(p, g), i, j) for i, p in enumerate(p_sets) for j, g in enumerate(g_sets)]
    pairs = [pair for pair in pairs if pair[0] >= JACCARD_MIN]
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for score, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j, score))
    return sorted(out)


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, float | int]:
    precision = tp_p / n_pred if n_pred else 0.0
    recall = tp_g / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted": n_pred, "gold": n_gold}


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read and check a gold file; errors say what was expected and how to fix it."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"gold file {p} does not exist; expected a JSON file like data/quotes/gold.json "
                        "({\"version\": 1, \"articles\": [...]}); pass --gold PATH")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"gold file {p} is not valid UTF-8 JSON ({exc}); fix the file or regenerate it") from exc
    check_gold(data, str(p))
    return data


def check_gold(data: Any, name: str = "gold") -> None:
    """Raise DataError unless `data` has the gold structure."""
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        found = type(data).__name__ if not isinstance(data, dict) else ", ".join(sorted(data)) or "nothing"
        raise DataError(f"{name}: expected an object with an \"articles\" list; found {found}")
    for k, article in enumerate(data["articles"]):
        if not isinstance(article, dict) or not isinstance(article.get("text"), str) or not isinstance(article.get("quotes"), list):
            keys = ", ".join(sorted(article)) if isinstance(article, dict) else type(article).__name__
            raise DataError(f"{name}, article {k}: expected \"text\" (string) and \"quotes\" (list); found {keys}")
        for n, quote in enumerate(article["quotes"]):
            if not isinstance(quote, dict) or not isinstance(quote.get("text"), str):
                raise DataError(f"{name}, article {article.get('id', k)}, quote {n}: expected an object with a \"text\" string")


def evaluate_quotes(
    gold: dict[str, Any],
    pipeline: Any = None,
    extractor: Callable[[str], list[Any]] | None = None,
) -> dict[str, Any]:
    """Precision/recall/F1 overall and by type (with and without fragments), speaker and stance accuracy.

    `extractor` defaults to model.quotes.extract_quotes; with a `pipeline`, statements are
    classified through model.analyze.analyze_article, the same path the service takes.
    """
    check_gold(gold)
    if extractor is None:
        from model.quotes import extract_quotes as extractor
    target = gold.get("target")
    if pipeline is not None:
        from model.analyze import analyze_article

    report: dict[str, Any] = {}
    for setting, keep_fragments in (("all", True), ("no_fragments", False)):
        counts = {t: [0, 0, 0, 0] for t in ("overall",) + TYPES}  # tp_pred, n_pred, tp_gold, n_gold
        speaker_ok = speaker_n = stance_ok = stance_n = 0
        misses: list[dict[str, Any]] = []
        for article in gold["articles"]:
            text = article["text"]
            if pipeline is not None:
                analysed = analyze_article(pipeline, text, target)
                preds = analysed["quotes"]
            else:
                preds = [q.to_dict() for q in extractor(text)]
            golds = [q for q in article["quotes"] if keep_fragments or not q.get("fragment")]
            preds = [q for q in preds if keep_fragments or not q.get("fragment")]
            matches = match_statements([p["text"] for p in preds], [g["text"] for g in golds])
            matched_p = {i for i, _, _ in matches}
            matched_g = {j for _, j, _ in matches}
            for i, p in enumerate(preds):
                for key in ("overall", p.get("type")):
                    if key in counts:
                        counts[key][1] += 1
                        counts[key][0] += i in matched_p
            for j, g in enumerate(golds):
                for key in ("overall", g.get("type")):
                    if key in counts:
                        counts[key][3] += 1
                        counts[key][2] += j in matched_g
            for i, j, _ in matches:
                predicted_name = (preds[i].get("speaker") or {}).get("resolved")
                ok = words_match(predicted_name, golds[j].get("speaker"))
                speaker_n += 1
                speaker_ok += ok
                if not ok and setting == "all":
                    misses.append({"article": article.get("id"), "text": golds[j]["text"][:80],
                                   "gold_speaker": golds[j].get("speaker"), "predicted_speaker": predicted_name})
                if pipeline is not None and golds[j].get("stance"):
                    stance_n += 1
                    stance_ok += preds[i]["stance"]["label"] == golds[j]["stance"]
            if setting == "all":
                for j, g in enumerate(golds):
                    if j not in matched_g:
                        misses.append({"article": article.get("id"), "missed": g["text"][:80], "type": g.get("type")})
                for i, p in enumerate(preds):
                    if i not in matched_p:
                        misses.append({"article": article.get("id"), "spurious": p["text"][:80], "type": p.get("type")})
        section = {key: _prf(*values) for key, values in counts.items()}
        section["speaker_accuracy"] = speaker_ok / speaker_n if speaker_n else 0.0
        section["speaker_matched"] = speaker_n
        if pipeline is not None:
            section["stance_accuracy"] = stance_ok / stance_n if stance_n else 0.0
            section["stance_matched"] = stance_n
        if setting == "all":
            section["errors"] = misses
        report[setting] = section
    return report


def format_table(report: dict[str, Any]) -> str:
    """A small fixed-width table of the report."""
    lines = [f"{'setting':<14}{'type':<10}{'P':>7}{'R':>7}{'F1':>7}{'pred':>6}{'gold':>6}"]
    for setting in ("all", "no_fragments"):
        section = report[setting]
        for key in ("overall",) + TYPES:
            row = section[key]
            lines.append(f"{setting:<14}{key:<10}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}"
                         f"{row['predicted']:>6}{row['gold']:>6}")
        extra = f"speaker accuracy {section['speaker_accuracy']:.3f} on {section['speaker_matched']} matched"
        if "stance_accuracy" in section:
            extra += f"; stance accuracy {section['stance_accuracy']:.3f} on {section['stance_matched']}"
        lines.append(f"{setting:<14}{extra}")
    return "\n".join(lines)


# -- command line -------------------------------------------------------------------------


def configure_evaluate_quotes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gold", required=True, help="gold JSON file, e.g. data/quotes/gold.json")
    parser.add_argument("--model", default=None, help="checkpoint directory: also score stance on matched statements")
    parser.add_argument("--out", default=None, help="write the full report (with errors) as JSON here")
    parser.set_defaults(func=run_evaluate_quotes)


def run_evaluate_quotes(args: argparse.Namespace) -> int:
    gold = load_gold(args.gold)
    pipeline = None
    if args.model:
        from model.pipeline import StancePipeline

        pipeline = StancePipeline.from_pretrained(args.model)
    report = evaluate_quotes(gold, pipeline=pipeline)
    print(format_table(report))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0
