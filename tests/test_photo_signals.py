"""Photo signals inside a scan: missing, reused (even cropped or mirrored), known-bad, generated."""

import json
from datetime import UTC, datetime

import cv2
import numpy as np
import pytest
from PIL import Image

from spycatcher.engine.local import ScanOptions, scan
from spycatcher.photo.aiface import AIFaceDetector
from spycatcher.photo.bank import BankEntry, HashBank
from spycatcher.photo.pdq import hash_image
from spycatcher.photo.testimages import crop, jpeg, mirror, scene
from spycatcher.schema import Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.photo import PhotoDetector, PhotoStage
from spycatcher.signals.registry import all_specs
from spycatcher.store import Store
from spycatcher.store.hashbank import add_known_bad, load_bank

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)


def save(path, rgb):
    Image.fromarray(rgb).save(path)
    return path.name


def run(tmp_path, rows, **stage_options):
    f = tmp_path / "profiles.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    opts = ScanOptions(
        stages=[
            PhotoStage({"profiles_dir": str(tmp_path), "photo_geometry": False, **stage_options})
        ],
        detectors=[PhotoDetector()],
        as_of=AS_OF,
        find_campaigns=False,
    )
    with scan(f, None, opts) as result:
        return {r["id"]: {s["name"]: s for s in r["signals"]} for r in result.top(100)}


@pytest.fixture
def stolen(tmp_path):
    rng = np.random.default_rng(3)
    face = scene(np.random.default_rng(42), 200)
    return {
        "original": save(tmp_path / "original.png", face),
        "cropped": save(tmp_path / "cropped.jpg", jpeg(crop(face, 0.08, rng), 70)),
        "mirrored": save(tmp_path / "mirrored.png", mirror(face)),
        "other": save(tmp_path / "other.png", scene(np.random.default_rng(7), 200)),
        "pdq": hash_image(face).hex,
    }


def test_reuse_names_the_other_profiles_even_when_cropped_or_mirrored(tmp_path, stolen):
    rows = [
        {"id": "a", "photo": {"path": stolen["original"]}},
        {"id": "b", "photo": {"path": stolen["cropped"]}},
        {"id": "c", "photo": {"path": stolen["mirrored"]}},
        {"id": "d", "photo": {"pdq": stolen["pdq"]}},  # a precomputed hash only
        {"id": "e", "photo": {"path": stolen["other"]}},
        {"id": "f"},
    ]
    out = run(tmp_path, rows)
    # every link is a verified match; a crop cannot be matched to a bare hash (d), only to pixels
    expected = {"a": "bcd", "b": "ac", "c": "abd", "d": "ac"}
    for pid, others in expected.items():
        sig = out[pid]["photo.reused"]
        assert set(sig["data"]["profiles"]) == set(others), pid
        assert f"{len(others)} other profiles" in sig["evidence"]
    assert "photo.reused" not in out["e"]
    assert set(out["f"]) == {"photo.missing"}
    assert "photo.missing" not in out["a"]


def test_known_bad_photo_from_the_bank_gives_source_and_reason(tmp_path, stolen):
    bank = HashBank(
        [
            BankEntry(
                pdq=bytes.fromhex(stolen["pdq"]),
                source="intel:bfv-2017",
                reason="fashion catalogue photo used by a fake headhunter",
            )
        ]
    )
    rows = [
        {"id": "m", "photo": {"path": stolen["mirrored"]}},
        {"id": "o", "photo": {"path": stolen["other"]}},
    ]
    out = run(tmp_path, rows, hash_bank=bank)
    sig = out["m"]["photo.known_bad"]
    assert sig["data"]["source"] == "intel:bfv-2017"
    assert "fashion catalogue" in sig["evidence"]
    assert "photo.known_bad" not in out["o"]


def test_store_bank_is_loaded_and_scan_photos_are_recorded(tmp_path, stolen):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert add_known_bad(store, [(stolen["pdq"], "review:case-7", "stock photo")]) == 1
    rows = [{"id": "x", "photo": {"path": stolen["original"]}}]
    out = run(tmp_path, rows, store=store)
    assert out["x"]["photo.known_bad"]["data"]["source"] == "review:case-7"
    bank = load_bank(store)
    kinds = sorted(e.kind for e in bank.entries)
    assert kinds == ["known_bad", "profile"]
    # a later scan: a new profile wearing x's face is linked to x from the bank
    later = tmp_path / "later"
    later.mkdir()
    save(later / "p.png", np.asarray(Image.open(tmp_path / stolen["original"])))
    out2 = run(later, [{"id": "y", "photo": {"path": "p.png"}}], store=store)
    assert out2["y"]["photo.reused"]["data"]["profiles"] == ["x"]


def test_a_bad_photo_file_is_reported_not_fatal(tmp_path):
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    ctx = ProfileContext()
    stage = PhotoStage({"profiles_dir": str(tmp_path)})
    p = Profile(id="z", photo={"path": "broken.jpg"})
    stage.observe_profile(p)
    stage.finish(AS_OF)
    stage.annotate(p, ctx)
    assert "error" in ctx.photo_analysis
    assert list(PhotoDetector().detect(p, ctx)) == []


def test_generated_face_signal_uses_the_configured_model(tmp_path):
    rng = np.random.default_rng(0)

    def cam(seed):
        r = np.random.default_rng(seed)
        return np.clip(scene(r, 128) + r.normal(0, 4, (128, 128, 3)), 0, 255).astype(np.uint8)

    def gen(seed):  # smooth texture, noise shared by the channels
        r = np.random.default_rng(seed)
        smooth = cv2.GaussianBlur(scene(r, 128).astype(np.float32), (0, 0), 1.5)
        return np.clip(smooth + r.normal(0, 1.5, (128, 128, 1)), 0, 255).astype(np.uint8)

    X = [cam(i) for i in range(10)] + [gen(50 + i) for i in range(10)]
    model = AIFaceDetector(calibration_folds=0).fit(X, [0] * 10 + [1] * 10)
    rows = [
        {
            "id": "gen",
            "photo": {"path": save(tmp_path / "g.png", gen(int(rng.integers(1000, 2000))))},
        },
        {
            "id": "cam",
            "photo": {"path": save(tmp_path / "c.png", cam(int(rng.integers(3000, 4000))))},
        },
    ]
    out = run(tmp_path, rows, photo_model=model)
    assert "photo.ai_generated" in out["gen"]
    assert "chance" in out["gen"]["photo.ai_generated"]["evidence"]
    assert "photo.ai_generated" not in out["cam"]


def test_every_photo_signal_is_declared_with_plain_words():
    specs = {k: v for k, v in all_specs().items() if k.startswith("photo.")}
    assert set(specs) == {"photo.missing", "photo.reused", "photo.known_bad", "photo.ai_generated"}
    for spec in specs.values():
        assert spec.title and spec.advice and spec.weight > 0


def test_finish_keeps_what_pass_2_reads_and_lets_the_hashes_go(tmp_path, stolen):
    """After finish only the per-profile analysis and matches remain (they are what annotate
    reads); the index, owners and crop thumbnails are released."""
    stage = PhotoStage({"profiles_dir": str(tmp_path), "photo_geometry": False})
    profiles = [
        Profile(id="a", photo={"path": stolen["original"]}),
        Profile(id="b", photo={"path": stolen["cropped"]}),
        Profile(id="c", photo={"path": stolen["other"]}),
    ]
    for p in profiles:
        stage.observe_profile(p)
    assert len(stage.keys) == 3 and len(stage.crops) == 3
    stage.finish(AS_OF)
    assert stage.keys == [] and len(stage.crops) == 0 and stage.index.words().shape[0] == 0
    ctx = ProfileContext()
    stage.annotate(profiles[0], ctx)
    assert [m["ref"] for m in ctx.photo_matches] == ["b"]
    ctx = ProfileContext()
    stage.annotate(profiles[2], ctx)
    assert ctx.photo_matches == [] and "pdq" in ctx.photo_analysis
