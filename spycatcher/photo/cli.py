"""``spycatcher photo ...``: hash photos, train and evaluate the AI-face detector, check a photo.

A thin layer: each command parses its arguments and calls :mod:`spycatcher.photo`. File names are
printed through :func:`_safe` (control characters removed, Rich markup escaped) because a labels
file or a folder listing may have been written by someone else.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape

photo_app = typer.Typer(
    help="Profile photos: PDQ hashes, the hash bank, and the AI-generated face detector.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
out = Console()


def _safe(value: object, limit: int = 200) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    return escape(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def _print_errors(errors: list[str], show: int = 10) -> None:
    for e in errors[:show]:
        console.print(f"  [red]skipped[/] {_safe(e, 300)}")
    if len(errors) > show:
        console.print(f"  ... and {len(errors) - show} more")


@photo_app.command("hash")
def hash_cmd(
    images: Annotated[list[Path], typer.Argument(help="JPEG, PNG or WebP files")],
    dihedral: Annotated[
        bool, typer.Option(help="also print the 7 rotated/mirrored variants")
    ] = False,
) -> None:
    """Print each photo's PDQ hash (64 hex characters) and quality.

    Example: spycatcher photo hash face.jpg
    """
    from spycatcher.photo.load import ImageRejected, load_image
    from spycatcher.photo.pdq import hash_image

    failed = 0
    for path in images:
        try:
            h = hash_image(load_image(path).rgb)
        except ImageRejected as exc:
            console.print(f"[red]rejected[/] {_safe(path)}: {_safe(exc.reason)}")
            failed += 1
            continue
        variants = " ".join(v.hex() for v in h.dihedral[1:]) if dihedral else ""
        sys.stdout.write(
            f"{h.hex}\t{h.quality}\t{path}" + (f"\t{variants}" if variants else "") + "\n"
        )
    if failed:
        raise typer.Exit(1)


@photo_app.command()
def train(
    labels: Annotated[Path, typer.Argument(help="labels.csv with columns path,label")],
    model: Annotated[Path, typer.Option("--model", help="where to write the model (JSON)")],
) -> None:
    """Train the AI-generated face detector on labelled images (label: real or ai_generated).

    Example: spycatcher photo train faces/labels.csv --model aiface.json
    """
    from spycatcher.photo.aiface import AIFaceDetector
    from spycatcher.photo.training import image_features

    data = _load(labels)
    detector = AIFaceDetector()
    feats, keep = image_features(detector, data)
    y = np.asarray(data.labels)[keep]
    _print_errors(data.errors)
    try:
        detector.fit_features(feats, y)
    except ValueError as exc:
        console.print(f"[red]error[/] {_safe(exc, 300)}")
        raise typer.Exit(2) from exc
    detector.save(model)
    console.print(
        f"trained on {len(y)} images ({int(y.sum())} ai_generated, {int(len(y) - y.sum())} real); "
        f"model written to {_safe(model)}"
    )


def _load(labels: Path) -> Any:
    from spycatcher.photo.training import load_labelled

    try:
        return load_labelled(labels)
    except (ValueError, OSError) as exc:
        console.print(f"[red]error[/] {_safe(exc, 400)}")
        raise typer.Exit(2) from exc


@photo_app.command()
def evaluate(
    labels: Annotated[Path, typer.Argument(help="labels.csv with columns path,label")],
    model: Annotated[
        Path | None, typer.Option("--model", help="evaluate this trained model as it is")
    ] = None,
    cv: Annotated[
        int | None, typer.Option("--cv", help="cross-validate with K folds (default 5)")
    ] = None,
    repeats: Annotated[int, typer.Option(help="repeat cross-validation with new splits")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Measure the AI-face detector: a saved model on these images, or K-fold cross-validation.

    Prints n, positives, roc_auc, pr_auc, tpr_at_fpr_1pct, tpr_at_fpr_5pct and brier.
    Example: spycatcher photo evaluate faces/labels.csv --cv 5 --json
    """
    from spycatcher.photo.aiface import AIFaceDetector
    from spycatcher.photo.training import cross_validate, image_features
    from spycatcher.scoring.metrics import binary_metrics

    data = _load(labels)
    feats, keep = image_features(AIFaceDetector(), data)
    y = np.asarray(data.labels, dtype=np.int64)[keep]
    try:
        if model is not None and cv is None:
            detector = AIFaceDetector.load(model)
            if (detector.patch, detector.trunc, detector.max_side) != (64, 2, 512):
                feats = [detector.image_features(data.images[i]) for i in keep]
            scores = detector.predict_proba_features(feats)[:, 1]
            result: dict[str, Any] = binary_metrics(y, scores)
            result["mode"] = "model"
        else:
            result = cross_validate(feats, y, folds=cv or 5, repeats=max(1, repeats))
            result["mode"] = "cross_validation"
    except ValueError as exc:
        console.print(f"[red]error[/] {_safe(exc, 300)}")
        raise typer.Exit(2) from exc
    result["skipped"] = len(data.errors)
    _print_errors(data.errors)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    for key, value in result.items():
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        out.print(f"{key:>16}  {shown}")


@photo_app.command()
def check(
    images: Annotated[list[Path], typer.Argument(help="photos to check")],
    model: Annotated[Path | None, typer.Option("--model", help="AI-face model (JSON)")] = None,
    db: Annotated[
        str | None, typer.Option(help="also match against this database's hash bank")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON lines")] = False,
) -> None:
    """Check photos someone sent you: does the face look generated, is it a known photo?

    Example: spycatcher photo check their_photo.jpg --model aiface.json
    """
    from spycatcher.photo.analyse import analyse_image, resolve_model
    from spycatcher.photo.load import ImageRejected, load_image
    from spycatcher.photo.pdq import hash_image

    try:
        detector = resolve_model(model)
    except (ValueError, OSError) as exc:
        console.print(f"[red]error[/] model: {_safe(exc, 300)}")
        raise typer.Exit(2) from exc
    bank = None
    if db is not None:
        from spycatcher.store import Store
        from spycatcher.store.hashbank import load_bank

        bank = load_bank(Store(db))
    if detector is None and not as_json:
        console.print(
            "no AI-face model configured (--model or $SPYCATCHER_PHOTO_MODEL): "
            "only the eye-position hint is checked"
        )
    for path in images:
        result: dict[str, Any] = {"path": str(path)}
        try:
            img = load_image(path)
        except ImageRejected as exc:
            result.update(error=exc.reason, error_code=exc.code)
        else:
            h = hash_image(img.rgb)
            result.update(analyse_image(img.rgb, detector, photo_hash=h))
            if bank is not None:
                result["bank_matches"] = bank.match(h.dihedral)
        if as_json:
            sys.stdout.write(json.dumps(result) + "\n")
            continue
        _print_check(path, result)


def _print_check(path: Path, r: dict[str, Any]) -> None:
    out.print(f"[bold]{_safe(path)}[/]")
    if "error" in r:
        out.print(f"  could not read this photo: {_safe(r['error'], 300)}")
        return
    p = r.get("ai_generated_probability")
    if p is not None:
        verdict = "looks computer-generated" if p >= 0.5 else "looks like a camera photo"
        out.print(f"  {verdict}: {p:.0%} chance the face was generated")
    if r.get("stylegan_eye_alignment", 0) >= 0.5:
        out.print("  the eyes sit exactly where face generators put them (a hint, not proof)")
    elif not r.get("face_found"):
        out.print("  no frontal face found")
    for m in r.get("bank_matches", [])[:5]:
        out.print(
            f"  [red]matches a known photo[/]: {_safe(m['reason'])} "
            f"(source {_safe(m['ref'])}, {m['distance']} bits differ)"
        )
    out.print(f"  PDQ {r['pdq']} (quality {r['pdq_quality']})")


@photo_app.command("bank-add")
def bank_add(
    items: Annotated[list[str], typer.Argument(help="image files or 64-hex PDQ hashes")],
    source: Annotated[str, typer.Option(help="where this came from, e.g. intel:ncsc-2024-07")],
    reason: Annotated[str, typer.Option(help="why the photo is bad, in words a reviewer reads")],
    db: Annotated[str | None, typer.Option(help="database URL")] = None,
) -> None:
    """Add known-bad photos (files or PDQ hashes) to the hash bank, with source and reason.

    Example: spycatcher photo bank-add stolen.jpg --source review:case-42 --reason "catalogue model"
    """
    from spycatcher.photo.load import ImageRejected, load_image
    from spycatcher.photo.pdq import from_hex, hash_image
    from spycatcher.store import Store
    from spycatcher.store.hashbank import add_known_bad

    hashes: list[str] = []
    for item in items:
        try:
            hashes.append(from_hex(item).hex())
            continue
        except ValueError:
            pass
        try:
            hashes.append(hash_image(load_image(Path(item)).rgb).hex)
        except ImageRejected as exc:
            console.print(f"[red]rejected[/] {_safe(item)}: {_safe(exc.reason)}")
    n = add_known_bad(Store(db), [(h, source, reason) for h in hashes])
    console.print(f"added {n} new known-bad photo(s) ({len(hashes) - n} already banked)")
