"""Labelled Twitter-style profiles made in the tests, shared by the scoring tests.

Fakes follow many accounts and are followed by few (with overlap, so the task is not trivial),
fakes come in campaigns, and a ``lang`` value is a collection shortcut the exclusion tests remove.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson

from spycatcher.scoring.model import TrainConfig

FAST = TrainConfig(rounds=40, bags=2, calibration_folds=3, learning_rate=0.1, threads=1)


def make_profiles(n: int = 240, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        fake = i % 3 == 0
        followers = int(rng.lognormal(2.0 if fake else 4.5, 1.0))
        following = int(rng.lognormal(6.0 if fake else 5.0, 0.8))
        rec = {
            "id": f"u{i}",
            "platform": "twitter",
            "name": f"User {i}",
            "summary": None if fake and rng.random() < 0.5 else "Reads, writes, walks the dog.",
            "created_at": f"{2009 + int(rng.integers(0, 5))}-03-01",
            "counts": {
                "followers": followers,
                "following": following,
                "posts": int(rng.lognormal(2.0 if fake else 5.0, 1.5)),
            },
            "features": {"lang": ("en" if fake else "it") if rng.random() < 0.9 else "fr"},
            "label": "fake" if fake else "genuine",
            "campaign": f"c{(i // 3) % 12}" if fake else None,
        }
        out.append(rec)
    return out


def write(path: Path, recs: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs))
    return path
