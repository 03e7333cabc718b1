"""Everything spycatcher works out from one photo, as ``ProfileContext.photo_analysis`` holds it.

One function per entry point: :func:`analyse_image` for decoded pixels, :func:`analyse_photo_file`
for a file (``spycatcher check --photo``). A rejected file never raises here: the reason is kept
under ``"error"`` so that the member sees "we could not read this photo: ..." instead of a crash.

The AI-face model is found by :func:`resolve_model`: an explicit path, else the environment
variable ``SPYCATCHER_PHOTO_MODEL``, else a model shipped in the package (``photo/models/
aiface.json``; none is shipped today, because the only labelled faces available to train one are
for evaluation only). Without a model, the geometric cue (eyes exactly where StyleGAN puts them)
is still reported.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from spycatcher.photo.aiface import AIFaceDetector, face_geometry
from spycatcher.photo.load import DEFAULT_LIMITS, ImageLimits, ImageRejected, load_image
from spycatcher.photo.pdq import PhotoHash, hash_image

ENV_MODEL = "SPYCATCHER_PHOTO_MODEL"
PACKAGED_MODEL = Path(__file__).with_name("models") / "aiface.json"

_model_cache: dict[str, AIFaceDetector] = {}


def resolve_model(path: str | Path | None = None) -> AIFaceDetector | None:
    """The AI-face model to use, or None when none is configured (see module docs)."""
    candidate = path or os.environ.get(ENV_MODEL) or None
    if candidate is None and PACKAGED_MODEL.is_file():
        candidate = PACKAGED_MODEL
    if candidate is None:
        return None
    key = str(Path(candidate).resolve())
    if key not in _model_cache:
        _model_cache[key] = AIFaceDetector.load(candidate)
    return _model_cache[key]


def analyse_image(
    rgb: np.ndarray,
    model: AIFaceDetector | None = None,
    geometry: bool = True,
    photo_hash: PhotoHash | None = None,
) -> dict[str, Any]:
    """PDQ hash and quality, face/eye geometry and (with a model) the AI-generated probability."""
    h = photo_hash or hash_image(rgb)
    out: dict[str, Any] = {
        "pdq": h.hex,
        "pdq_quality": h.quality,
        "width": int(rgb.shape[1]),
        "height": int(rgb.shape[0]),
    }
    if geometry:
        out.update(face_geometry(rgb).as_dict())
    if model is not None:
        try:
            p = float(model.predict_proba([rgb])[0, 1])
            out["ai_generated_probability"] = round(p, 4)
        except ValueError as exc:  # e.g. too small to analyse
            out["ai_generated_error"] = str(exc)
    return out


def analyse_photo_file(
    path: str | Path,
    model: AIFaceDetector | str | Path | None = None,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Analyse a photo file; a file we refuse gives ``{"error": reason, "error_code": code}``."""
    try:
        img = load_image(path, limits)
    except ImageRejected as exc:
        return {"error": exc.reason, "error_code": exc.code}
    detector = model if isinstance(model, AIFaceDetector) else resolve_model(model)
    out = analyse_image(img.rgb, detector)
    out["format"] = img.format
    return out
