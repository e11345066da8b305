"""Build data/stance/ from the annotation record: final labels, kappa, leak-free splits.

The record (`annotations.jsonl`) holds every written statement with the author's label and
two independent annotators' labels. A statement is kept when the two annotators agree;
when they disagree, two careful readers would honestly disagree, so it is left out, as
the guideline asks. Near duplicates (token Jaccard >= 0.8, contrast pairs included) are
grouped and each group goes to one split; whole conflicts are held out for test so it
measures generalisation to wars the model never saw.

    python -m training.corpus data/stance/annotations.jsonl data/stance --test-conflicts syria invented:sarn
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sklearn.metrics import cohen_kappa_score

from model.labels import DEFAULT_TARGET, LABELS
from training.datacheck import near_duplicate_pairs

KEEP_FIELDS = ("id", "text", "target", "label", "conflict", "speaker_role", "tags")


def final_label(record: dict[str, Any]) -> str | None:
    a, b = record["annotator_a"], record["annotator_b"]
    return a if a == b and a in LABELS else None


def kappa_report(records: list[dict[str, Any]]) -> dict[str, Any]:
    def kappa(rows: list[dict[str, Any]]) -> dict[str, Any]:
        a = [r["annotator_a"] for r in rows]
        b = [r["annotator_b"] for r in rows]
        agree = sum(x == y for x, y in zip(a, b))
        value = float(cohen_kappa_score(a, b, labels=list(LABELS))) if len(set(a) | set(b)) > 1 else 1.0
        return {"n": len(rows), "kappa": round(value, 3), "agreement": round(agree / max(len(rows), 1), 3)}

    out = {"overall": kappa(records),
           "default_target": kappa([r for r in records if r["target"] == DEFAULT_TARGET]),
           "other_targets": kappa([r for r in records if r["target"] != DEFAULT_TARGET]),
           "by_tag": {}}
    for tag in sorted({t for r in records for t in r["tags"]}):
        out["by_tag"][tag] = kappa([r for r in records if tag in r["tags"]])
    out["by_tag"]["(untagged)"] = kappa([r for r in records if not r["tags"]])
    out["author_vs_final"] = round(sum(r["author_label"] == r["final_label"] for r in records if r["final_label"])
                                   / max(1, sum(1 for r in records if r["final_label"])), 3)
    return out


def groups_of(rows: list[dict[str, Any]]) -> list[list[int]]:
    """Union-find over near-duplicate pairs: each group must land in one split."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in near_duplicate_pairs([r["text"] for r in rows]):
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        groups[find(i)].append(i)
    return list(groups.values())


def split(rows: list[dict[str, Any]], test_conflicts: set[str], dev_share: float, test_share: float,
          seed: int, pinned: dict[str, str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Assign near-duplicate groups to splits. `pinned` (id -> split) keeps rows where an
    earlier build put them, so adding data never moves a test row into training."""
    rng = random.Random(seed)
    pinned = pinned or {}
    out: dict[str, list[dict[str, Any]]] = {"train": [], "dev": [], "test": []}
    pools: dict[str, list[list[int]]] = defaultdict(list)
    for group in groups_of(rows):
        fixed = next((pinned[rows[i]["id"]] for i in group if rows[i]["id"] in pinned), None)
        if fixed:
            out[fixed].extend(rows[i] for i in group)
        elif any(rows[i]["conflict"] in test_conflicts for i in group):
            out["test"].extend(rows[i] for i in group)
        else:
            # Stratify by the label of the group's default-target row (or its first row).
            lead = next((rows[i] for i in group if rows[i]["target"] == DEFAULT_TARGET), rows[group[0]])
            pools[f"{lead['target'] == DEFAULT_TARGET}:{lead['label']}"].append(group)
    n_default = sum(r["target"] == DEFAULT_TARGET for r in rows)
    held_default = sum(r["target"] == DEFAULT_TARGET for r in out["test"])
    # Top test up to test_share of default-target rows with in-distribution conflicts too.
    extra_test = max(0.0, test_share - held_default / max(n_default, 1)) / max(1e-9, 1 - held_default / max(n_default, 1))
    for key in sorted(pools):
        groups = pools[key]
        rng.shuffle(groups)
        total = sum(len(g) for g in groups)
        taken = {"dev": 0, "test": 0}
        for g in groups:
            if taken["dev"] < total * dev_share:
                dest = "dev"
            elif taken["test"] < total * extra_test:
                dest = "test"
            else:
                dest = "train"
            taken[dest] = taken.get(dest, 0) + len(g)
            out[dest].extend(rows[i] for i in g)
    for name in out:
        out[name].sort(key=lambda r: r["id"])
    return out


def build(record_path: Path, out_dir: Path, test_conflicts: list[str], dev_share: float = 0.14,
          test_share: float = 0.15, seed: int = 20261126, keep_splits: bool = False) -> dict[str, Any]:
    records = [json.loads(line) for line in record_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in records:
        r["final_label"] = final_label(r)
    kept, seen = [], set()
    for r in records:
        key = (" ".join(r["text"].lower().split()), r["target"].lower())
        if r["final_label"] and key not in seen:  # an exact repeat adds nothing but weight
            seen.add(key)
            kept.append(r)
    # A contrast row is only a contrast if its partner survived with a different label.
    by_text: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in kept:
        by_text[r["text"]].append(r)
    rows = []
    for r in kept:
        tags = [t for t in r["tags"] if t != "contrast"]
        partners = by_text[r["text"]]
        if len({p["target"] for p in partners}) > 1 and len({p["final_label"] for p in partners}) > 1:
            tags.append("contrast")
        rows.append({"id": r["id"], "text": r["text"], "target": r["target"], "label": r["final_label"],
                     "conflict": r["conflict"], "speaker_role": r["speaker_role"], "tags": tags})
    pinned: dict[str, str] = {}
    if keep_splits:
        for name in ("train", "dev", "test"):
            path = out_dir / f"{name}.jsonl"
            if path.is_file():
                pinned.update({json.loads(line)["id"]: name for line in path.read_text(encoding="utf-8").splitlines()
                               if line.strip()})
    splits = split(rows, set(test_conflicts), dev_share, test_share, seed, pinned)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, split_rows in splits.items():
        with (out_dir / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for row in split_rows:
                handle.write(json.dumps({k: row[k] for k in KEEP_FIELDS}, ensure_ascii=False) + "\n")
    report = {"written": len(records), "kept": len(kept),
              "dropped_disagreement": sum(1 for r in records if not r["final_label"]),
              "dropped_exact_repeat": sum(1 for r in records if r["final_label"]) - len(kept),
              "kappa": kappa_report(records), "test_conflicts": test_conflicts,
              "split_rows": {k: len(v) for k, v in splits.items()},
              "dropped_by_label_pair": dict(Counter(f"{r['annotator_a']}/{r['annotator_b']}"
                                                    for r in records if not r["final_label"]))}
    (out_dir / "build_report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("record", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--test-conflicts", nargs="+", required=True)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--keep-splits", action="store_true",
                        help="rows already in out_dir keep their split; only new rows are assigned")
    args = parser.parse_args()
    print(json.dumps(build(args.record, args.out_dir, args.test_conflicts, seed=args.seed,
                           keep_splits=args.keep_splits), indent=2))


if __name__ == "__main__":
    main()
