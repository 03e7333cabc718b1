"""PDQ indicators and the photo hash bank: imported photo hashes go into the bank (never TLP:RED
ones), and the photo stage's bank matches, which allow for mirrored and rotated copies, become
intelligence matches that carry the indicator's source, actor and marking."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from intel_fixtures import AMBER, RED, T0, indicator
from PIL import Image

from spycatcher.engine.local import ScanOptions, scan
from spycatcher.intel.markings import tlp2_definition
from spycatcher.intel.matching import PDQ_THRESHOLD, bank_source, hamming, indicator_of_bank_source
from spycatcher.intel.stix_import import import_bundle
from spycatcher.photo.pdq import hash_image
from spycatcher.store import Store
from spycatcher.store.hashbank import load_bank

AMBER_PHOTO = "indicator--b0b0b0b0-0001-4000-8000-000000000001"
RED_PHOTO = "indicator--b0b0b0b0-0002-4000-8000-000000000002"


def scene(seed: int = 4, n: int = 512) -> np.ndarray:
    """Overlapping discs on a gradient: smooth shapes whose PDQ survives mirroring well."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:n, 0:n] / n
    img = np.zeros((n, n, 3))
    for _ in range(12):
        cx, cy, r = rng.random(), rng.random(), 0.05 + 0.2 * rng.random()
        img[((x - cx) ** 2 + (y - cy) ** 2) < r * r] = rng.integers(0, 256, 3)
    img += (40 * x)[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def _png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def test_bank_source_round_trip() -> None:
    sid = "indicator--b0b0b0b0-0001-4000-8000-000000000001"
    long_channel = "taxii:https://" + "x" * 300 + "/#collection"
    src = bank_source(long_channel, sid)
    assert len(src) <= 200 and src.endswith(sid)
    assert indicator_of_bank_source(src) == sid
    assert indicator_of_bank_source("review case 12") is None


def test_mirrored_photo_found_through_the_bank(tmp_path: Path) -> None:
    face = scene(4)
    other = scene(5)
    h_face = hash_image(face).hex
    h_other = hash_image(other).hex
    mirrored = np.ascontiguousarray(face[:, ::-1])
    (tmp_path / "mirrored.png").write_bytes(_png(mirrored))
    # the plain hashes are far apart: only the rotation/mirror-aware bank match can find it
    assert hamming(bytes.fromhex(hash_image(mirrored).hex), bytes.fromhex(h_face)) > PDQ_THRESHOLD

    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    bundle = {
        "type": "bundle",
        "id": "bundle--b0b0b0b0-9999-4000-8000-000000000000",
        "objects": [
            tlp2_definition("amber"),
            tlp2_definition("red"),
            indicator(AMBER_PHOTO, "Catalogue photo", f"[file:hashes.x_pdq = '{h_face}']"),
            indicator(RED_PHOTO, "Sensitive photo", f"[file:hashes.x_pdq = '{h_other}']", RED),
        ],
    }
    report = import_bundle(store, bundle, "file:photos.json")
    assert report.rejected == []
    bank = load_bank(store)
    sources = {e.source for e in bank.entries if e.kind == "known_bad"}
    assert sources == {bank_source("file:photos.json", AMBER_PHOTO)}  # RED stays out
    [entry] = [e for e in bank.entries if e.kind == "known_bad"]
    assert "TLP:AMBER" in entry.reason

    profiles = tmp_path / "profiles.jsonl"
    rows = [
        {
            "id": "p-mirror",
            "name": "Laeticia Chen",
            "created_at": T0,
            "photo": {"path": "mirrored.png"},
        },
        {"id": "p-plain", "name": "Anna Berg", "created_at": T0},
    ]
    profiles.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    opts = ScanOptions(store=store, stage_options={"store": store})
    with scan(profiles, None, opts) as result:
        by_id = {r["id"]: r for r in result.iter_ranked()}
    sigs = {s["name"]: s for s in by_id["p-mirror"]["signals"]}
    assert "intel.photo_match" in sigs
    assert sigs["intel.photo_match"]["data"]["marking_refs"] == [AMBER]
    assert "TLP:AMBER" in sigs["intel.photo_match"]["evidence"]
    assert "photo.known_bad" in sigs
    assert not any(s["name"].startswith("intel.") for s in by_id["p-plain"]["signals"])
    assert RED not in json.dumps(by_id["p-mirror"])
