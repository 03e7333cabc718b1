"""Semantic similarity to known approach scripts (the optional ``spycatcher[embeddings]`` extra).

The real packaged model is used (loaded by path, offline). Without the extra these tests skip
locally; under CI (``CI=true``) a missing extra is a failure, because the Makefile's test install
includes it.
"""

from __future__ import annotations

import os

import pytest

from spycatcher.schema import Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.text import embeddings

if not embeddings.available():
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError(
            "CI must install spycatcher[embeddings] (see the Makefile's install-dev)"
        )
    pytest.skip("spycatcher[embeddings] is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def similarity() -> embeddings.ScriptSimilarity:
    return embeddings.ScriptSimilarity()


def test_model_is_packaged_and_loads_offline() -> None:
    path = embeddings.model_path()
    assert (path / "config.json").exists() and (path / "model.safetensors").exists()
    model = embeddings.load_model()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    vec = model.encode(["hello"], normalize_embeddings=True)
    assert vec.shape == (1, 384)


def test_a_script_is_closest_to_itself_and_paraphrases_rank_above_small_talk(
    similarity: embeddings.ScriptSimilarity,
) -> None:
    script = similarity.scripts[0]
    sims = similarity.similarities([script.text])
    assert sims.shape == (1, len(similarity.scripts))
    assert int(sims[0].argmax()) == 0 and sims[0, 0] > 0.99
    texts = [
        "Hi Tom, it was great to meet you at the conference. Let's keep in touch!",
        "Could you tell me which of your colleagues work on this programme and what they do now?",
    ]
    best = similarity.similarities(texts).max(axis=1)
    assert best[1] > best[0]
    matches = similarity.matches(texts)
    assert [m.text_index for m in matches] == [1]
    assert matches[0].script.category == "elicitation"


def test_sentences_split_the_greeting_from_the_ask() -> None:
    text = "Hi. Thanks for connecting with me today! Who works on radar?"
    assert embeddings.sentences(text) == [
        "Thanks for connecting with me today!",
        "Who works on radar?",
    ]
    assert embeddings.sentences("short") == ["short"]


def test_known_script_detector(similarity: embeddings.ScriptSimilarity) -> None:
    from spycatcher.signals.message import KnownScriptDetector

    det = KnownScriptDetector(similarity)
    ctx = ProfileContext(
        sent_texts=[
            "Dear Anna, nice to connect.",
            "Please keep our cooperation private; there is no need to inform your employer.",
        ]
    )
    signals = list(det.detect(Profile(id="p"), ctx))
    assert [s.name for s in signals] == ["message.known_script"]
    assert "reads like a known approach script (urgency" in signals[0].evidence
    assert signals[0].data["script"] == "keep-secret"
    assert list(det.detect(Profile(id="p"), ProfileContext(sent_texts=["Thanks!"]))) == []


def test_user_scripts_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    path.write_text('[[script]]\nid = "x"\ncategory = "trip"\ntext = "Come to our island"\n')
    assert [s.id for s in embeddings.load_scripts(path)] == ["x"]
    path.write_text('[[script]]\nid = "x"\n')
    with pytest.raises(ValueError, match="missing 'category'"):
        embeddings.load_scripts(path)
