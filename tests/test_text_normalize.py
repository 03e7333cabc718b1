"""Normalisation undoes filter-evasion tricks and maps every match back to the original text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spycatcher.text.normalize import normalize, words


@pytest.mark.parametrize(
    "text",
    [
        "WhatsApp",
        "W h a t s A p p",
        "W.h.a.t.s.A.p.p",
        "w-h-a-t-s-a-p-p",
        "wh4tsapp",
        "WhatsАpp",  # Cyrillic А
        "Whats\u200bapp",  # zero-width space
        "Ｗｈａｔｓａｐｐ",  # full-width
        "𝐖𝐡𝐚𝐭𝐬𝐀𝐩𝐩",  # mathematical bold
        "Whatsａpp",
    ],
)
def test_obfuscations_fold_to_the_plain_word(text: str) -> None:
    norm = normalize(f"please add me on {text} today")
    assert "whatsapp" in norm.text
    start = norm.text.index("whatsapp")
    assert norm.quote(start, start + len("whatsapp")) == text


def test_accents_and_case() -> None:
    assert normalize("Café RÉSUMÉ").text == "cafe resume"
    n = normalize("Cafe\u0301 ok")  # e + combining acute
    assert n.text == "cafe ok"
    assert n.quote(0, 4) == "Cafe\u0301"  # the mark stays with its letter


def test_leetspeak_only_inside_words() -> None:
    assert normalize("t3l3gram and s1gnal").text == "telegram and signal"
    # real tokens that mix digits and letters are left alone
    assert normalize("5G, B2B, MP3 and 2nd place, call +44 7700 900123").text == (
        "5g, b2b, mp3 and 2nd place, call +44 7700 900123"
    )


def test_ordinary_text_is_untouched_and_maps_identically() -> None:
    text = "Hi Anna, thanks for connecting. Are you free for a call next week?"
    n = normalize(text)
    assert n.text == text.lower()
    assert n.starts is None and n.span(3, 7) == (3, 7)


def test_words() -> None:
    assert words("Ｔｅｌｅｇｒａｍ, please!") == ["telegram", "please"]


@given(st.text(max_size=200))
def test_span_map_is_consistent_for_any_text(text: str) -> None:
    n = normalize(text)
    if n.starts is not None and n.ends is not None:
        assert len(n.starts) == len(n.text) == len(n.ends)
        assert all(0 <= a < b <= len(text) for a, b in zip(n.starts, n.ends, strict=True))
        assert list(n.starts) == sorted(n.starts)
    for i in range(len(n.text)):
        a, b = n.span(i, i + 1)
        assert 0 <= a <= b <= len(text)
