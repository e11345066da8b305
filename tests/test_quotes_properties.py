"""Property tests: any text in, a list out, offsets always inside the article."""

from __future__ import annotations

import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.quotes import extract_quotes

MARKS = "“”„‟‘’‚‛«»‹›\"'"
SOUP = st.lists(st.sampled_from(list(MARKS + "abc XYZ.,:;!?\n-—()") + ["said", "She", " he said, ", "according to "]),
                max_size=120).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=300), SOUP, st.lists(SOUP, max_size=4).map("\n".join))


def check_offsets(article: str) -> None:
    for quote in extract_quotes(article):
        assert 0 <= quote.start <= quote.end <= len(article)
        assert quote.spans and all(0 <= s <= e <= len(article) for s, e in quote.spans)
        assert quote.start == quote.spans[0][0] and quote.end == quote.spans[-1][1]
        assert quote.text == " ".join(article[s:e] for s, e in quote.spans)
        if quote.type == "direct" and len(quote.spans) == 1:
            assert quote.text == article[quote.start:quote.end]
        for field in (quote.speaker, quote.cue):
            if field is not None:
                assert 0 <= field["start"] <= field["end"] <= len(article)
                assert field["text"] == article[field["start"]:field["end"]]
        assert all(0 <= p for p in quote.paragraphs)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_any_text_gives_valid_offsets(article: str) -> None:
    check_offsets(article)


def test_a_large_adversarial_input_is_fast_and_valid() -> None:
    rng = random.Random(0)
    pieces = [rng.choice(["“", "”", '"', "'", "’", "«", "»", "„", "said", " ", "word", ".", "\n", "He said: "])
              for _ in range(60_000)]
    article = "".join(pieces)
    started = time.perf_counter()
    check_offsets(article)
    assert time.perf_counter() - started < 5.0
