"""Photo red flags: no photo, someone else's photo, a known-bad photo, a generated face.

``PhotoStage`` sees every profile's photo once (pass 1): it hashes it (from ``photo.pdq``, or by
loading ``photo.path`` safely, relative to the profiles file and never outside its folder), puts
the hash in an exact PDQ index, and, when a model is configured, scores the image for being
AI-generated. In ``finish`` it finds every pair of profiles whose photos match within the PDQ
radius (any of the eight rotations/mirrors) and every match against the hash bank of known-bad
photos; in ``annotate`` it hands those facts to the profile's context. ``PhotoDetector`` turns the
facts into reasons.

Stage options (``ScanOptions.stage_options``):

* ``profiles_dir``: the folder photo paths are relative to (the engine sets it);
* ``photo_model``: path of an AI-face model (``spycatcher photo train``); else
  ``$SPYCATCHER_PHOTO_MODEL`` or a packaged model, if any;
* ``photo_radius``: PDQ match radius in bits (default 31, Meta's);
* ``hash_bank``: a :class:`~spycatcher.photo.bank.HashBank`, or ``store``: a Store whose
  ``photo_hashes`` table is loaded, and to which this scan's profile photos are added afterwards
  (``photo_record``, default true);
* ``photo_geometry``: run the Haar face/eye check (default true);
* ``photo_max_group``: a photo shared by more profiles than this is treated as the platform's
  placeholder picture, not as reuse (default 1000);
* ``photo_crop_max``: how many loaded photos also go to the crop-tolerant matcher
  (:mod:`spycatcher.photo.cropmatch`, about 30 KB each; default 100,000; 0 turns it off).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np

from spycatcher.engine.stages import PopulationStage, register_stage
from spycatcher.photo.aiface import AIFaceDetector
from spycatcher.photo.analyse import analyse_image, resolve_model
from spycatcher.photo.bank import HashBank
from spycatcher.photo.cropmatch import CropTolerantMatcher
from spycatcher.photo.index import MultiIndexHash
from spycatcher.photo.join import all_matches
from spycatcher.photo.load import ImageRejected, load_profile_photo
from spycatcher.photo.pdq import (
    DEFAULT_THRESHOLD,
    MIN_QUALITY,
    hash_from_hex,
    hash_image,
    pack_many,
)
from spycatcher.schema import Profile
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.platforms import platform_traits
from spycatcher.signals.registry import register

#: other profiles named per reuse match (the count stays exact)
MAX_NAMED = 20
#: at or above this probability the generated-face signal fires
AI_THRESHOLD = 0.5


def _has_photo(profile: Profile) -> bool:
    """Whether the profile shows a photo.

    The contract's ``photo: {}`` means "has a photo, nothing more is known" (InstaFake says only
    *whether* there is a picture); ``null`` or no field means no photo. Only the latter is missing.
    """
    return profile.photo is not None


@register_stage
class PhotoStage(PopulationStage):
    """Hash every photo, find reuse across profiles and matches to the hash bank."""

    name = "photo"
    order = 40

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(options)
        o = self.options
        self.radius = int(o.get("photo_radius", DEFAULT_THRESHOLD))  # type: ignore[call-overload]
        self.max_group = int(o.get("photo_max_group", 1000))  # type: ignore[call-overload]
        self.geometry = bool(o.get("photo_geometry", True))
        base = o.get("profiles_dir")
        self.base_dir = str(base) if base else None
        model = o.get("photo_model")
        self.model: AIFaceDetector | None = (
            model if isinstance(model, AIFaceDetector) else resolve_model(model)  # type: ignore[arg-type]
        )
        self.store = o.get("store")
        bank = o.get("hash_bank")
        self.bank: HashBank | None = bank if isinstance(bank, HashBank) else None
        if self.bank is None and self.store is not None:
            from spycatcher.store.hashbank import load_bank

            self.bank = load_bank(self.store)
        self.record = bool(o.get("photo_record", True))
        self.crop_max = int(o.get("photo_crop_max", 100_000))  # type: ignore[call-overload]
        self.crops = CropTolerantMatcher(self.radius)
        self.crop_ids: list[int] = []  # crop matcher id -> index id

        self.index = MultiIndexHash()
        self.keys: list[tuple[str, str]] = []  # index id -> (platform, profile id)
        self.qualities: list[int] = []
        self.variants: dict[int, tuple[bytes, ...]] = {}  # index id -> the 7 other orientations
        self.analysis: dict[str, dict[str, Any]] = {}
        self.matches: dict[str, list[dict[str, Any]]] = {}

    # -- pass 1 --------------------------------------------------------------------------------

    def observe_profile(self, profile: Profile) -> None:
        ph = profile.photo
        if ph is None:
            return
        info: dict[str, Any] = {}
        photo_hash = None
        rgb = None
        if ph.path and self.base_dir:
            try:
                rgb = load_profile_photo(self.base_dir, ph.path).rgb
                photo_hash = hash_image(rgb)
                info = analyse_image(rgb, self.model, self.geometry, photo_hash)
            except ImageRejected as exc:
                info = {"error": exc.reason, "error_code": exc.code}
        if photo_hash is None and ph.pdq:
            photo_hash = hash_from_hex(ph.pdq)
            if not info:
                # a bare precomputed hash: annotate() reads it from the profile again, so a
                # million-profile scan keeps no {"pdq": ...} dict per photo (~350 MB)
                self.analysis.pop(profile.id, None)  # the later record wins
            else:
                info.setdefault("pdq", photo_hash.hex)
        if info:
            self.analysis[profile.id] = info
        if photo_hash is None:
            return
        if photo_hash.quality < MIN_QUALITY:
            info["low_quality"] = True  # too little structure to match on
            return
        i = self.index.add(photo_hash.hash)
        self.keys.append((profile.platform, profile.id))
        self.qualities.append(photo_hash.quality)
        if len(photo_hash.dihedral) > 1:
            self.variants[i] = photo_hash.dihedral[1:]
        if rgb is not None and len(self.crops) < self.crop_max:
            self.crops.add(rgb)
            self.crop_ids.append(i)

    # -- population ----------------------------------------------------------------------------

    def _neighbours(self) -> dict[int, dict[int, int]]:
        """For each index id, the other ids whose photo matches any orientation of its own.

        One bulk join over the whole population (:func:`spycatcher.photo.join.all_matches`)
        rather than one index query per photo, which grew faster than linearly with the scan (a
        million photos would spend ~20 CPU-minutes in queries). Same answer: every pair within
        the radius, exactly as brute force finds it.
        """
        words = self.index.words()
        found: dict[int, dict[int, int]] = {}
        if words.shape[0] == 0:
            return found
        owners = [i for i, vs in self.variants.items() for _ in vs]
        extra = pack_many([v for vs in self.variants.values() for v in vs]) if owners else None
        src, dst, dist = all_matches(words, self.radius, extra, np.array(owners, dtype=np.int64))
        bounds = np.flatnonzero(np.diff(src)) + 1
        for s, e in zip(
            np.concatenate([[0], bounds]).tolist(),
            np.concatenate([bounds, [src.size]]).tolist(),
            strict=True,
        ):
            if e > s:
                found[int(src[s])] = dict(zip(dst[s:e].tolist(), dist[s:e].tolist(), strict=True))
        # cropped copies, which PDQ alone misses (photos loaded from files only)
        for ci, got_crop in self.crops.all_pairs().items():
            row = found.setdefault(self.crop_ids[ci], {})
            for cj, d in got_crop.items():
                j = self.crop_ids[cj]
                if j not in row or d < row[j]:
                    row[j] = d
        # matching is symmetric: a pdq-only profile is found by the other's mirrored variant
        for i, got in list(found.items()):
            for j, d in got.items():
                other = found.setdefault(j, {})
                if i not in other or d < other[i]:
                    other[i] = d
        return found

    def finish(self, as_of: datetime) -> None:
        for i, got in self._neighbours().items():
            platform, pid = self.keys[i]
            ordered = sorted(got.items(), key=lambda kv: (kv[1], self.keys[kv[0]][1]))
            info = self.analysis.setdefault(pid, {})
            info["shared_with"] = len(ordered)
            if len(ordered) > self.max_group:
                info["placeholder"] = True  # the platform's default picture, not a stolen face
                continue
            self.matches.setdefault(pid, []).extend(
                {
                    "kind": "profile",
                    "ref": self.keys[j][1],
                    "distance": int(d),
                    "reason": "same photo as another profile in this scan",
                }
                for j, d in ordered[:MAX_NAMED]
            )
        if self.bank is not None and len(self.bank):
            in_scan = {pid for _, pid in self.keys}
            for i, (platform, pid) in enumerate(self.keys):
                h = self.index.words()[i].tobytes()
                hashes = (h, *self.variants.get(i, ()))
                for m in self.bank.match(
                    hashes, self.radius, ("known_bad", "profile"), (platform, pid)
                ):
                    if m["kind"] == "profile" and m["ref"] in in_scan:
                        continue  # already found within this scan
                    if m["kind"] == "profile":
                        m["reason"] = "same photo as a profile seen in an earlier scan"
                    self.matches.setdefault(pid, []).append(m)
        if self.store is not None and self.record and self.keys:
            from spycatcher.store.hashbank import record_profile_photos

            words = self.index.words()
            record_profile_photos(
                self.store,
                (
                    (platform, pid, words[i].tobytes().hex(), self.qualities[i])
                    for i, (platform, pid) in enumerate(self.keys)
                ),
            )
        # pass 2 reads only ``analysis`` and ``matches``: the hashes, their owners and the crop
        # thumbnails (tens of bytes to kilobytes a photo) would stay in the process and travel in
        # every copy of the finished stage (the Spark engine broadcasts it to each Python worker)
        self.index = MultiIndexHash()
        self.keys = []
        self.qualities = []
        self.variants = {}
        self.crops = CropTolerantMatcher(self.radius)
        self.crop_ids = []

    # -- pass 2 --------------------------------------------------------------------------------

    def annotate(self, profile: Profile, ctx: ProfileContext) -> None:
        info = self.analysis.get(profile.id)
        if info:
            ctx.photo_analysis.update(info)
        ph = profile.photo
        if ph is not None and ph.pdq and "pdq" not in ctx.photo_analysis:
            ctx.photo_analysis["pdq"] = hash_from_hex(ph.pdq).hex  # not kept (observe_profile)
        found = self.matches.get(profile.id)
        if found:
            ctx.photo_matches.extend(found)

    def merge(self, other: PopulationStage) -> None:
        """Fold in a partial stage (Spark): its hashes appended after this stage's, in order."""
        assert isinstance(other, PhotoStage)
        if self.matches:
            raise RuntimeError("merge stages before finish()")
        words = other.index.words()
        ids = self.index.add_many(np.ascontiguousarray(words).view(np.uint8).reshape(-1, 32))
        self.keys.extend(other.keys)
        self.qualities.extend(other.qualities)
        for i, variants in other.variants.items():
            self.variants[ids.start + i] = variants
        if self.analysis:  # the later record wins, as in a single pass (bare hashes: not kept)
            for _platform, pid in other.keys:
                if pid not in other.analysis:
                    self.analysis.pop(pid, None)
        self.analysis.update(other.analysis)
        # the crop matcher takes the first photo_crop_max loaded photos, in input order
        room = max(0, self.crop_max - len(self.crops))
        take = min(room, len(other.crop_ids))
        if take:
            self.crops._thumbs.extend(other.crops._thumbs[:take])
            self.crops._verify.extend(other.crops._verify[:take])
            self.crops._matrix = None
            self.crop_ids.extend(ids.start + i for i in other.crop_ids[:take])


def _names(ids: Iterable[str], total: int) -> str:
    shown = list(ids)[:5]
    text = ", ".join(shown)
    if total > len(shown):
        text += f" and {total - len(shown)} more"
    return text


@register
class PhotoDetector(Detector):
    """Reasons from the profile photo: missing, reused, known-bad, generated."""

    name = "photo"
    specs = (
        SignalSpec(
            "photo.missing",
            "No profile photo",
            0.4,
            "A profile without a photo tells you nothing about who is behind it. Before you share "
            "anything, check who they are through another channel, such as their organisation's "
            "official website or switchboard.",
        ),
        SignalSpec(
            "photo.reused",
            "The same photo is on other profiles",
            2.5,
            "The same face appears on other profiles, so at most one of them can be the real "
            "person. Fake recruiters often copy someone else's photo. Do not trust this profile "
            "until you have checked who it is through another channel.",
        ),
        SignalSpec(
            "photo.known_bad",
            "Photo already known from fake profiles",
            4.0,
            "This photo has been seen before on fake profiles, or was taken from a catalogue or "
            "stock photo site. Do not reply. Report the profile to the platform and tell your "
            "security team.",
        ),
        SignalSpec(
            "photo.ai_generated",
            "Photo looks computer-generated",
            2.5,
            "The face looks as if a computer program made it rather than a camera. Real people "
            "rarely use generated faces; fake profiles often do. Look for smeared earrings, odd "
            "backgrounds and blurred hair edges, and check who the person is through another "
            "channel.",
        ),
    )

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        analysis = ctx.photo_analysis
        if not _has_photo(profile) and not analysis.get("pdq"):
            # a dataset that gives no photo information at all does not show a missing photo
            if platform_traits(profile, ctx).photos_known:
                yield self.signal("photo.missing", 1.0, "The profile has no photo.")
            return

        same = [m for m in ctx.photo_matches if m.get("kind") == "profile"]
        if same and not analysis.get("placeholder"):
            total = max(int(analysis.get("shared_with", 0)), len(same))
            closest = min(int(m.get("distance", 0)) for m in same)
            others = [str(m.get("ref")) for m in same]
            plural = "profile" if total == 1 else "profiles"
            yield self.signal(
                "photo.reused",
                min(1.0, 0.7 + 0.15 * (total - 1)),
                f"The same photo (allowing for resizing, cropping, mirroring or rotation) is on "
                f"{total} other {plural}: {_names(others, total)}. The closest copy differs in "
                f"{closest} of 256 bits of its fingerprint.",
                {"profiles": others, "count": total, "distance": closest},
            )

        bad = [m for m in ctx.photo_matches if m.get("kind") == "bank"]
        if bad:
            best = min(bad, key=lambda m: int(m.get("distance", 0)))
            d = int(best.get("distance", 0))
            reason = str(best.get("reason") or "a photo used by fake profiles")
            source = str(best.get("ref") or best.get("source") or "hash bank")
            yield self.signal(
                "photo.known_bad",
                1.0 if d <= DEFAULT_THRESHOLD // 2 else 0.85,
                f"The photo matches one on record as: {reason} (source: {source}; "
                f"{d} of 256 bits of the fingerprint differ).",
                {"source": source, "reason": reason, "distance": d, "matches": len(bad)},
            )

        p = analysis.get("ai_generated_probability")
        alignment = float(analysis.get("stylegan_eye_alignment") or 0.0)
        if isinstance(p, (int, float)):
            if p >= AI_THRESHOLD:
                extra = (
                    " The eyes are also exactly where face generators put them."
                    if alignment >= 0.5
                    else ""
                )
                yield self.signal(
                    "photo.ai_generated",
                    (p - AI_THRESHOLD) / (1 - AI_THRESHOLD),
                    f"Our image check gives a {p:.0%} chance that the face was generated by a "
                    f"computer, from the fine texture and colour of its pixels.{extra}",
                    {"probability": p, "eye_alignment": alignment},
                )
        elif alignment >= 0.5:
            # no trained model: the geometric cue alone, kept weak (real FFHQ-style crops share it)
            yield self.signal(
                "photo.ai_generated",
                0.4 * alignment,
                "The eyes sit exactly where face-generating programs (StyleGAN and its "
                "successors, as on 'this person does not exist') put them. Real photos are rarely "
                "cropped like that, but some are, so this is only a hint.",
                {"eye_alignment": alignment},
            )
