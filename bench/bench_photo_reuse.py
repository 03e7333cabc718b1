"""The reuse target: altered copies are matched, distinct images never are.

Usage: .venv/bin/python bench/bench_photo_reuse.py [--distinct 10000] [--bases 100] [--json OUT]

* 10,000 distinct images: generated scenes (seeded shapes, colour fields, grain), every pair of
  which must stay unmatched by PDQ (all eight orientations, radius 31) and by the crop-tolerant
  matcher.
* Altered copies: each base image (scikit-image's bundled photos plus generated scenes) is
  re-encoded at JPEG quality 50-95, resized 50-200%, cropped 5% and 10%, brightened or darkened
  by up to 20%, mirrored, and all of those at random at once ("combined"). Each copy is looked
  up among the bases *and* the 10,000 distinct images; it must find its own base and nothing else.

Recall is reported for PDQ alone and for PDQ plus the crop-tolerant matcher (what a scan uses).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from typing import Any

import numpy as np
from skimage import data as samples

from spycatcher.photo.cropmatch import CropTolerantMatcher
from spycatcher.photo.index import MultiIndexHash
from spycatcher.photo.pdq import hash_image
from spycatcher.photo.testimages import alterations, scene

SAMPLES = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "immunohistochemistry",
    "hubble_deep_field",
    "colorwheel",
    "camera",
    "moon",
    "coins",
    "clock",
    "brick",
    "grass",
    "gravel",
)


def sample_images() -> list[np.ndarray]:
    out = []
    for name in SAMPLES:
        img = np.asarray(getattr(samples, name)())
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        out.append(np.ascontiguousarray(img[..., :3]).astype(np.uint8))
    return out


def run(n_distinct: int, n_bases: int, size: int, seed: int) -> dict[str, Any]:
    t_start = time.perf_counter()
    bases = sample_images()
    bases += [
        scene(np.random.default_rng(10_000_000 + i), size) for i in range(n_bases - len(bases))
    ]
    distinct = (scene(np.random.default_rng(i), size) for i in range(n_distinct))

    index, crops = MultiIndexHash(), CropTolerantMatcher()
    dihedral = []
    for img in [*bases, *distinct]:
        h = hash_image(img)
        index.add(h.hash)
        crops.add(img)
        dihedral.append(h.dihedral)
    nb = len(bases)
    t_indexed = time.perf_counter()

    # false matches: every image (bases included, all distinct) against every other one
    pdq_pairs: set[tuple[int, int]] = set()
    for me, variants in enumerate(dihedral):
        for j in {int(j) for v in variants for j in index.query(v, 31)[0]} - {me}:
            pdq_pairs.add((min(me, j), max(me, j)))
    crop_pairs = crops.all_pairs()
    crop_false = sum(len(v) for v in crop_pairs.values()) // 2
    t_pairs = time.perf_counter()

    # altered copies
    rng = np.random.default_rng(seed)
    recall_pdq: dict[str, list[bool]] = defaultdict(list)
    recall_all: dict[str, list[bool]] = defaultdict(list)
    wrong = 0
    for i, img in enumerate(bases):
        for name, alter in alterations(rng):
            copy = alter(img)
            h = hash_image(copy)
            by_pdq = {int(j) for v in h.dihedral for j in index.query(v, 31)[0]}
            by_crop = {m.id for m in crops.query(copy)}
            found = by_pdq | by_crop
            wrong += len(found - {i})
            recall_pdq[name].append(i in by_pdq)
            recall_all[name].append(i in found)
    t_done = time.perf_counter()

    def pct(d: dict[str, list[bool]]) -> dict[str, float]:
        return {k: round(100 * float(np.mean(v)), 2) for k, v in d.items()}

    all_pdq = [x for v in recall_pdq.values() for x in v]
    all_both = [x for v in recall_all.values() for x in v]
    return {
        "distinct_images": n_distinct + nb,
        "distinct_pairs": (n_distinct + nb) * (n_distinct + nb - 1) // 2,
        "false_matches_pdq_among_distinct": len(pdq_pairs),
        "false_matches_crop_matcher_among_distinct": crop_false,
        "bases": nb,
        "altered_copies": len(all_both),
        "copies_matched_to_a_wrong_image": wrong,
        "recall_pct_pdq_only": round(100 * float(np.mean(all_pdq)), 2),
        "recall_pct_pdq_plus_crop_matcher": round(100 * float(np.mean(all_both)), 2),
        "recall_pct_by_alteration_pdq_only": pct(recall_pdq),
        "recall_pct_by_alteration_with_crop_matcher": pct(recall_all),
        "seconds": {
            "hash_and_index": round(t_indexed - t_start, 1),
            "all_pairs_false_match_check": round(t_pairs - t_indexed, 1),
            "copy_queries": round(t_done - t_pairs, 1),
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--distinct", type=int, default=10_000)
    ap.add_argument("--bases", type=int, default=100)
    ap.add_argument("--size", type=int, default=192, help="side of the generated images")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", dest="json_out", default=None)
    args = ap.parse_args()
    result = run(args.distinct, args.bases, args.size, args.seed)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
