"""Markdown and self-contained HTML renderings of an evaluation report (plots inlined as PNG)."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from model.labels import LABELS

SHOWN_ERRORS = 12


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def headline_rows(report: dict[str, Any]) -> list[list[str]]:
    ci = report.get("ci", {})
    rows = [["model", _f(report["macro_f1"]), f"[{_f(ci['macro_f1'][0])}, {_f(ci['macro_f1'][1])}]" if ci else "-",
             _f(report["f_avg"]), f"[{_f(ci['f_avg'][0])}, {_f(ci['f_avg'][1])}]" if ci else "-",
             _f(report["accuracy"]), _f(report["ece"])]]
    for name, b in (report.get("baselines") or {}).items():
        if isinstance(b, dict):
            rows.append([f"baseline: {name}", _f(b["macro_f1"]), "", _f(b["f_avg"]), "", _f(b["accuracy"]), _f(b["ece"])])
    comparison = report.get("comparison")
    if comparison:
        b = comparison["b_metrics"]
        bci = b.get("ci", {})
        rows.append(["model B", _f(b["macro_f1"]), f"[{_f(bci['macro_f1'][0])}, {_f(bci['macro_f1'][1])}]" if bci else "-",
                     _f(b["f_avg"]), "", _f(b["accuracy"]), _f(b["ece"])])
    return rows


HEAD = ["", "macro-F1", "95% CI", "F_avg", "95% CI", "accuracy", "ECE"]


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: dict[str, Any], errors: list[dict[str, Any]]) -> str:
    model = report["model"]
    parts = [f"# Evaluation: {model.get('name')} {model.get('version')}",
             f"Data: {', '.join(report['data'])} ({report['n']} statements; labels {report['label_distribution']}). "
             f"Throughput: {report['throughput_statements_per_s']} statements/s.",
             "## Headline", _md_table(HEAD, headline_rows(report))]
    if report.get("gain_over"):
        parts.append("Gain over baselines (macro-F1): " + ", ".join(
            f"{name} {g['macro_f1']:+.3f}" for name, g in report["gain_over"].items()))
    if report.get("comparison"):
        c = report["comparison"]
        parts.append(f"## Comparison\nA = `{c['a']}`, B = `{c['b']}`. Macro-F1 B − A = {c['macro_f1_delta']:+.3f} "
                     f"(95% paired-bootstrap CI [{c['ci'][0]:+.3f}, {c['ci'][1]:+.3f}]); McNemar p = "
                     f"{c['mcnemar']['p_value']:.3g} (only A right: {c['mcnemar']['only_a_correct']}, "
                     f"only B right: {c['mcnemar']['only_b_correct']}).")
    parts += ["## Per class", _md_table(["label", "precision", "recall", "F1", "support"], [
        [label, _f(m["precision"]), _f(m["recall"]), _f(m["f1"]), str(m["support"])] for label, m in report["per_class"].items()]),
        "## Confusion matrix (rows: gold, columns: predicted)",
        _md_table(["gold \\ predicted", *LABELS], [[LABELS[i], *map(str, row)] for i, row in enumerate(report["confusion_matrix"])])]
    for key, groups in report.get("breakdowns", {}).items():
        parts += [f"## By {key}", "Macro-F1 here averages over the labels present in each slice.",
                  _md_table([key, "n", "accuracy", "macro-F1"], [
            [name, str(g["n"]), _f(g["accuracy"]), _f(g["macro_f1"])] for name, g in groups.items()])]
    parts += [f"## Errors (most confident first; all {len(errors)} in errors.csv)", _md_table(
        ["gold", "predicted", "confidence", "target", "text"],
        [[e["gold"], e["predicted"], _f(e["confidence"]), e["target"], e["text"][:160]] for e in errors[:SHOWN_ERRORS]])]
    return "\n\n".join(parts) + "\n"


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def plots(report: dict[str, Any]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    out = {}
    cm = np.array(report["confusion_matrix"])
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(LABELS)), LABELS)
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_title("Confusion matrix")
    out["confusion_matrix"] = _png(fig)

    bins = [b for b in report["reliability"] if b["count"]]
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.bar([(b["lo"] + b["hi"]) / 2 for b in bins], [b["accuracy"] for b in bins], width=1 / 15, alpha=0.7,
           edgecolor="black", label="accuracy")
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o", color="darkred", label="bin mean")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(f"Reliability (ECE {report['ece']:.3f})")
    ax.legend(fontsize=7, loc="upper left")
    out["reliability"] = _png(fig)

    fig, ax = plt.subplots(figsize=(5, 3.2))
    x = np.arange(len(LABELS))
    for k, metric in enumerate(("precision", "recall", "f1")):
        ax.bar(x + (k - 1) * 0.27, [report["per_class"][label][metric] for label in LABELS], width=0.27, label=metric)
    ax.set_xticks(x, LABELS)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    ax.set_title("Per class")
    out["per_class"] = _png(fig)

    for key, groups in report.get("breakdowns", {}).items():
        names = list(groups)[:25]
        fig, ax = plt.subplots(figsize=(6, 0.28 * len(names) + 1))
        ax.barh(range(len(names)), [groups[n]["accuracy"] for n in names], color="steelblue")
        ax.set_yticks(range(len(names)), [f"{n} (n={groups[n]['n']})" for n in names], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("accuracy")
        ax.set_title(f"Accuracy by {key}")
        out[f"breakdown_{key}"] = _png(fig)
    return out


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: dict[str, Any], errors: list[dict[str, Any]]) -> str:
    images = plots(report)
    model = report["model"]
    figures = "".join(f'<figure><img alt="{html.escape(name)}" src="{src}"><figcaption>{html.escape(name.replace("_", " "))}'
                      f"</figcaption></figure>" for name, src in images.items())
    gain = ""
    if report.get("gain_over"):
        gain = "<p>Gain over baselines (macro-F1): " + ", ".join(
            f"{html.escape(n)} {g['macro_f1']:+.3f}" for n, g in report["gain_over"].items()) + "</p>"
    comparison = ""
    if report.get("comparison"):
        c = report["comparison"]
        comparison = (f"<h2>Comparison</h2><p>Macro-F1 B − A = {c['macro_f1_delta']:+.3f} (95% CI [{c['ci'][0]:+.3f}, "
                      f"{c['ci'][1]:+.3f}]), McNemar p = {c['mcnemar']['p_value']:.3g}.</p>")
    error_rows = [[e["gold"], e["predicted"], _f(e["confidence"]), e["target"], e["text"]] for e in errors[:SHOWN_ERRORS]]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Evaluation: {html.escape(str(model.get('name')))} {html.escape(str(model.get('version')))}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 14px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
figure {{ display: inline-block; margin: 0.5em; vertical-align: top; }}
img {{ max-width: 460px; }}
</style></head><body>
<h1>Evaluation: {html.escape(str(model.get('name')))} <small>{html.escape(str(model.get('version')))}</small></h1>
<p>Data: {html.escape(', '.join(report['data']))} ({report['n']} statements). Throughput: {report['throughput_statements_per_s']} statements/s.</p>
<h2>Headline</h2>
{_html_table(HEAD, headline_rows(report))}
{gain}
{comparison}
<h2>Per class</h2>
{_html_table(["label", "precision", "recall", "F1", "support"], [[label, _f(m["precision"]), _f(m["recall"]), _f(m["f1"]), str(m["support"])] for label, m in report["per_class"].items()])}
<h2>Plots</h2>
{figures}
<h2>Errors, most confident first</h2>
<p>All {len(errors)} misclassified statements are in errors.csv.</p>
{_html_table(["gold", "predicted", "confidence", "target", "text"], error_rows)}
</body></html>
"""
