"""Quote extraction speed: 1,000-word articles per second, a 1 MB adversarial input, and
(with --model) whole-article analysis per second.

    python benchmarks/bench_quotes.py [--gold data/quotes/gold.json] [--model DIR] [--threads 2]

The 1,000-word articles are gold articles concatenated (paragraphs kept) until each
reaches about 1,000 words, so they carry the gold set's mix of quotes and attributions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def thousand_word_articles(gold_path: Path, words: int = 1000) -> list[str]:
    """Gold articles joined into ~`words`-word articles (every gold article used once or more)."""
    texts = [a["text"] for a in json.loads(gold_path.read_text(encoding="utf-8"))["articles"]]
    articles, current, count = [], [], 0
    for text in texts + texts:  # wrap around so the last article is full too
        current.append(text)
        count += len(text.split())
        if count >= words:
            articles.append("\n".join(current))
            current, count = [], 0
    return articles


def adversarial(size: int = 1_000_000, seed: int = 0) -> str:
    """Thousands of unbalanced quote marks in random text, a few newlines, ~`size` characters."""
    rng = random.Random(seed)
    tokens = ["“", "”", '"', "'", "’", "‘", "«", "»", "„", "‹", "›", "said", "She said: ", "according to",
              "word", "Peace", ", ", ". ", "\n", "’90s", "don’t"] + ["lorem"] * 8
    out: list[str] = []
    n = 0
    while n < size:
        tok = rng.choice(tokens)
        out.append(tok)
        n += len(tok) + 1
        out.append(" ")
    return "".join(out)[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", default=str(REPO / "data" / "quotes" / "gold.json"))
    parser.add_argument("--model", default=None, help="checkpoint directory: also time analyze")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for --model (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the articles (default 3)")
    args = parser.parse_args()

    from model.quotes import extract_quotes, load_nlp

    load_nlp()
    extract_quotes("Warm-up: “we begin,” she said.")
    articles = thousand_word_articles(Path(args.gold))
    words = statistics.mean(len(a.split()) for a in articles)

    # extract: 1,000-word articles
    timings = []
    for _ in range(args.repeat):
        for article in articles:
            started = time.perf_counter()
            extract_quotes(article)
            timings.append(time.perf_counter() - started)
    print(f"extract: {len(articles)} articles of ~{words:.0f} words, {args.repeat} passes, cores={os.cpu_count()}")
    print(f"  {len(timings) / sum(timings):.1f} articles/s; per article median {1000 * statistics.median(timings):.1f} ms, "
          f"p95 {1000 * sorted(timings)[int(0.95 * (len(timings) - 1))]:.1f} ms, max {1000 * max(timings):.1f} ms")

    # adversarial: 1 MB of unbalanced quote marks
    soup = adversarial()
    started = time.perf_counter()
    found = extract_quotes(soup)
    print(f"adversarial 1 MB: {time.perf_counter() - started:.2f} s ({len(found)} statements)")
    one_line = soup.replace("\n", " ")
    started = time.perf_counter()
    found = extract_quotes(one_line)
    print(f"adversarial 1 MB, one paragraph: {time.perf_counter() - started:.2f} s ({len(found)} statements)")

    # analyze: the real classifier over every statement
    if args.model:
        from model.analyze import analyze_article
        from model.pipeline import StancePipeline

        pipeline = StancePipeline.from_pretrained(args.model, num_threads=args.threads)
        analyze_article(pipeline, articles[0])
        started = time.perf_counter()
        for article in articles:
            analyze_article(pipeline, article)
        elapsed = time.perf_counter() - started
        print(f"analyze: {len(articles) / elapsed:.2f} articles/s ({1000 * elapsed / len(articles):.0f} ms per article)")


if __name__ == "__main__":
    main()
