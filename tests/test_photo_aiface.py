"""The AI-face detector: the scikit-learn contract, safe model files, and face geometry.

The two classes here are made on the spot: "camera" pictures carry independent sensor-like noise
in each colour channel, "generated" ones a smoother texture whose noise is shared by the
channels. That is the kind of difference the detector's features are built to see.
"""

import json

import numpy as np
import pytest
from skimage import data as samples
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from spycatcher.photo.aiface import (
    AIFaceDetector,
    face_geometry,
    normalise_for_analysis,
    patch_features,
)
from spycatcher.photo.testimages import scene
from spycatcher.photo.training import cross_validate


def camera(seed):
    rng = np.random.default_rng(seed)
    base = scene(rng, 128).astype(np.float32)
    return np.clip(base + rng.normal(0, 4, base.shape), 0, 255).astype(np.uint8)


def generated(seed):
    rng = np.random.default_rng(seed)
    base = scene(rng, 128).astype(np.float32)
    shared = rng.normal(0, 2, base.shape[:2])[..., None]
    return np.clip(base + shared, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def toy():
    X = [camera(i) for i in range(12)] + [generated(100 + i) for i in range(12)]
    y = np.array([0] * 12 + [1] * 12)
    return X, y


@pytest.fixture(scope="module")
def fitted(toy):
    X, y = toy
    return AIFaceDetector(calibration_folds=3).fit(X, y)


def test_features_are_per_patch_and_scale_is_normalised():
    f = patch_features(camera(0))
    assert f.shape == (4, 4 * 25 + 8) and np.isfinite(f).all()
    big = np.zeros((1024, 700, 3), dtype=np.uint8)
    assert max(normalise_for_analysis(big).shape[:2]) == 512
    with pytest.raises(ValueError):
        patch_features(np.zeros((40, 40, 3), dtype=np.uint8))


def test_follows_the_scikit_learn_contract(toy):
    X, y = toy
    est = AIFaceDetector(C=0.5, calibration_folds=2)
    assert est.get_params()["C"] == 0.5 and not hasattr(est, "coef_")
    assert est.fit(X, y) is est
    assert list(est.classes_) == [0, 1]
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.allclose(proba.sum(axis=1), 1)
    fresh = clone(est)
    assert not hasattr(fresh, "coef_")
    images = np.empty(len(X), dtype=object)  # sklearn indexes a 1-D object array of images
    for i, im in enumerate(X):
        images[i] = im
    scores = cross_val_score(AIFaceDetector(calibration_folds=0), images, y, cv=2)
    assert scores.shape == (2,)


def test_learns_to_separate_camera_noise_from_generated_texture(toy, fitted):
    X, y = toy
    feats = [fitted.image_features(im) for im in X]
    result = cross_validate(feats, y, folds=3, make=lambda: AIFaceDetector(calibration_folds=2))
    assert result["roc_auc"] >= 0.9
    assert set(result) >= {"n", "positives", "roc_auc", "pr_auc", "brier"}
    model = fitted
    held_out = [camera(500), generated(600)]
    p = model.predict_proba(held_out)[:, 1]
    assert p[1] > p[0]


def test_labels_may_be_strings_and_one_class_is_refused(toy):
    X, y = toy
    names = ["ai_generated" if v else "real" for v in y]
    assert AIFaceDetector(calibration_folds=0).fit(X, names).predict(X[:1]).shape == (1,)
    with pytest.raises(ValueError):
        AIFaceDetector().fit(X[:3], ["real"] * 3)
    with pytest.raises(ValueError):
        AIFaceDetector().fit(X[:2], ["real", "fake"])


def test_model_file_is_json_and_round_trips(toy, fitted, tmp_path):
    X, y = toy
    model = fitted
    path = tmp_path / "m.json"
    model.save(path)
    data = json.loads(path.read_text())
    assert data["format"] == "spycatcher-aiface"
    again = AIFaceDetector.load(path)
    assert np.allclose(again.predict_proba(X[:4]), model.predict_proba(X[:4]))


def test_malformed_or_hostile_model_files_are_refused(fitted, tmp_path):
    good = fitted.to_dict()
    bad_cases = [
        b"\x80\x04\x95 pickle bytes",
        json.dumps({**good, "format": "pickle"}).encode(),
        json.dumps({**good, "coef": good["coef"][:-1]}).encode(),
        json.dumps({**good, "scale": [0.0] * len(good["scale"])}).encode(),
        json.dumps({**good, "params": {**good["params"], "patch": "64; import os"}}).encode(),
        json.dumps({**good, "calibration": ["nan", 1]}).encode(),
    ]
    for i, blob in enumerate(bad_cases):
        p = tmp_path / f"bad{i}.json"
        p.write_bytes(blob)
        with pytest.raises(ValueError):
            AIFaceDetector.load(p)


def test_unfitted_model_says_so():
    with pytest.raises(RuntimeError):
        AIFaceDetector().predict_proba([camera(0)])


def test_face_geometry_finds_a_face_and_eyes():
    g = face_geometry(samples.astronaut())
    assert g.face is not None
    assert len(g.eyes) >= 2
    assert 0.0 <= g.stylegan_alignment <= 1.0
    blank = face_geometry(np.full((200, 200, 3), 128, dtype=np.uint8))
    assert blank.face is None and blank.stylegan_alignment == 0.0


def test_eyes_at_the_stylegan_spot_score_high():
    # place the astronaut's face so that her eyes land where FFHQ alignment puts them
    img = samples.astronaut()
    g = face_geometry(img)
    (lx, ly), (rx, ry) = sorted(g.eyes, key=lambda e: e[0])[:1] + sorted(g.eyes)[-1:]
    h, w = img.shape[:2]
    eye_dist = (rx - lx) * w
    scale = (0.616 - 0.367) * 512 / eye_dist
    import cv2

    resized = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    cx, cy = (lx + rx) / 2 * w * scale, (ly + ry) / 2 * h * scale
    x0, y0 = round(cx - 0.4915 * 512), round(cy - 0.471 * 512)
    pad = np.pad(resized, ((512, 512), (512, 512), (0, 0)), mode="edge")
    crop = np.ascontiguousarray(pad[y0 + 512 : y0 + 1024, x0 + 512 : x0 + 1024])
    aligned = face_geometry(crop)
    assert aligned.square
    assert aligned.stylegan_alignment > 0.5
