"""Reuse detection on altered copies (a small version of bench/bench_photo_reuse.py)."""

import numpy as np
from skimage import data as samples

from spycatcher.photo.cropmatch import CropTolerantMatcher
from spycatcher.photo.index import MultiIndexHash
from spycatcher.photo.pdq import hash_image
from spycatcher.photo.testimages import alterations, crop, scene


def test_every_kind_of_altered_copy_is_matched_to_its_original_only():
    rng = np.random.default_rng(11)
    originals = [np.ascontiguousarray(samples.astronaut()[::2, ::2]), samples.chelsea()]
    originals += [scene(np.random.default_rng(900 + i), 128) for i in range(2)]
    index, crops = MultiIndexHash(), CropTolerantMatcher()
    for img in originals:
        index.add(hash_image(img).hash)
        crops.add(img)
    missed = []
    for i, img in enumerate(originals):
        for name, alter in alterations(rng):
            copy = alter(img)
            h = hash_image(copy)
            by_pdq = {int(j) for v in h.dihedral for j in index.query(v, 31)[0]}
            by_crop = {m.id for m in crops.query(copy)}
            found = by_pdq | by_crop
            assert found <= {i}, (name, i, found)  # never matched to another photo
            if i not in found:
                missed.append((i, name))
    assert not missed


def test_pdq_alone_misses_crops_which_is_why_the_crop_matcher_exists():
    img = samples.astronaut()
    copy = crop(img, 0.10, np.random.default_rng(0))
    index = MultiIndexHash()
    index.add(hash_image(img).hash)
    assert all(index.query(v, 31)[0].size == 0 for v in hash_image(copy).dihedral)
    crops = CropTolerantMatcher()
    crops.add(img)
    assert [m.id for m in crops.query(copy)] == [0]


def test_distinct_pictures_never_match_each_other():
    pictures = [scene(np.random.default_rng(5000 + i), 96) for i in range(80)]
    index, crops = MultiIndexHash(), CropTolerantMatcher()
    hashes = [hash_image(p) for p in pictures]
    for p, h in zip(pictures, hashes, strict=True):
        index.add(h.hash)
        crops.add(p)
    for i, h in enumerate(hashes):
        hits = {int(j) for v in h.dihedral for j in index.query(v, 31)[0]}
        assert hits == {i}
    assert crops.all_pairs() == {}
