"""The MinHash LSH index agrees with the brute-force reference on small inputs."""

from __future__ import annotations

import random

import numpy as np

from spycatcher.text.templates import (
    TemplateIndex,
    brute_force_pairs,
    content_tokens,
    hash_words,
    jaccard,
)

VOCAB = [f"w{i}x" for i in range(3000)]


def _corpus(seed: int) -> tuple[list[str], list[int]]:
    """Random texts plus groups of edited copies (up to 20% of words replaced)."""
    rng = random.Random(seed)
    texts: list[str] = []
    groups: list[int] = []
    for g in range(15):
        base = [rng.choice(VOCAB) for _ in range(rng.randint(15, 60))]
        for _ in range(rng.randint(2, 6)):
            words = list(base)
            for _ in range(int(len(words) * rng.uniform(0, 0.2))):
                words[rng.randrange(len(words))] = rng.choice(VOCAB)
            texts.append(" ".join(words))
            groups.append(g)
    for _ in range(300):
        texts.append(" ".join(rng.choice(VOCAB) for _ in range(rng.randint(5, 80))))
        groups.append(-1)
    return texts, groups


def test_content_tokens_and_jaccard() -> None:
    assert content_tokens("The Analyst, at the Ministry of DEFENCE!") == {
        "analyst",
        "ministry",
        "defence",
    }
    assert jaccard("alpha beta gamma delta", "alpha beta gamma epsilon") == 3 / 5
    assert jaccard("", "") == 1.0


def test_word_hashes_are_stable_across_processes() -> None:
    # pinned values: signatures must agree between Spark workers and runs
    h = hash_words(["ministry", "defence"])
    assert h.dtype == np.uint32
    assert h.tolist() == [3518168441, 3909098077]
    assert len(set(hash_words(VOCAB[:1000]).tolist())) == 1000


def test_index_agrees_with_brute_force() -> None:
    texts, _ = _corpus(1)
    index = TemplateIndex(threshold=0.5, min_tokens=5)
    for i, t in enumerate(texts):
        index.add(i, t)
    index.build()
    truth = brute_force_pairs(texts, 0.5, min_tokens=5)
    found = set()
    for members in index.clusters():
        m = sorted(members.tolist())
        found |= {(a, b) for k, a in enumerate(m) for b in m[k + 1 :]}
    # every reference pair is in one cluster (recall), and clustered pairs are truly similar
    missed = truth - found
    assert len(missed) <= 0.03 * len(truth), missed
    near = {p for p in found if jaccard(texts[p[0]], texts[p[1]]) >= 0.3}
    assert len(near) >= 0.99 * len(found)


def test_planted_groups_are_recovered_and_random_texts_stay_alone() -> None:
    texts, groups = _corpus(2)
    index = TemplateIndex()
    for i, t in enumerate(texts):
        index.add(i, t)
    clusters = index.build().clusters()
    labels = {int(k): c for c, members in enumerate(clusters) for k in members}
    for g in range(15):
        ids = [i for i, x in enumerate(groups) if x == g]
        assert len({labels.get(i, -1 - i) for i in ids}) == 1, g
    assert all(labels.get(i) is None for i, x in enumerate(groups) if x < 0)


def test_keys_owning_several_texts_and_short_texts() -> None:
    index = TemplateIndex(min_tokens=5)
    text = "alpha bravo charlie delta echo foxtrot golf hotel india juliet"
    assert index.add(7, text)
    assert index.add(7, "kilo lima mike november oscar papa quebec romeo sierra tango")
    assert index.add(9, text.replace("golf", "uniform"))
    assert not index.add(11, "too short to say")
    assert index.n_skipped == 1
    index.build()
    assert index.cluster_of(7).tolist() == [7, 9]
    assert index.cluster_of(11).tolist() == []
    assert {int(k): v.tolist() for k, v in index.key_clusters().items()} == {7: [7, 9], 9: [7, 9]}
    assert len(index) == 3


def test_empty_index() -> None:
    index = TemplateIndex().build()
    assert index.clusters() == []


def test_clusters_match_a_group_by_group_reference():
    """clusters() groups in numpy; the plain per-group loop it replaced is the reference."""
    rng = np.random.default_rng(1)
    for _ in range(100):
        ix = TemplateIndex()
        n = int(rng.integers(1, 300))
        ix.keys = rng.integers(0, 50, size=n).astype(np.int64)
        ix.labels = rng.integers(0, max(1, n // 3), size=n).astype(np.int64)
        ix._built = True
        order = np.lexsort((ix.keys, ix.labels))
        lab, keys = ix.labels[order], ix.keys[order]
        groups = [np.unique(g) for g in np.split(keys, np.flatnonzero(np.diff(lab)) + 1)]
        for min_size in (1, 2, 3):
            want = sorted((g for g in groups if len(g) >= min_size), key=len, reverse=True)
            got = ix.clusters(min_size)
            assert len(got) == len(want)
            assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))


def test_a_pickled_index_carries_its_queued_texts_hashed() -> None:
    """A partial index pickled by a worker hashes its queue first; the copy builds the same."""
    import pickle

    idx = TemplateIndex(batch_size=1_000)
    texts = [
        f"we offer a paid consultation on energy policy for client number {i}" for i in range(5)
    ]
    for k, t in enumerate(texts):
        idx.add(k, t)
    assert idx._pending_keys  # still queued
    copy = pickle.loads(pickle.dumps(idx))
    assert not copy._pending_keys and len(copy) == len(texts)
    ref = TemplateIndex(batch_size=1_000)
    for k, t in enumerate(texts):
        ref.add(k, t)
    keys, sigs = copy.entries()
    ref_keys, ref_sigs = ref.entries()
    assert (keys == ref_keys).all() and (sigs == ref_sigs).all()


def test_a_released_index_refuses_further_use() -> None:
    """After release() the rows are gone: asking again is an error, never a silent empty answer."""
    import pytest

    index = TemplateIndex(min_tokens=5)
    text = "alpha bravo charlie delta echo foxtrot golf hotel india juliet"
    index.add(1, text)
    index.add(2, text.replace("golf", "uniform"))
    clusters = index.key_clusters()
    index.release()
    assert {k: v.tolist() for k, v in clusters.items()} == {1: [1, 2], 2: [1, 2]}
    assert len(index) == 0 and index.signatures.shape == (0, index.num_perm)
    for call in (
        lambda: index.add(3, text),
        index.build,
        index.clusters,
        lambda: index.cluster_of(1),
        index.entries,
    ):
        with pytest.raises(RuntimeError, match="released"):
            call()
