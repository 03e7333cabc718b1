"""The individual's view of one profile: "Think Before You Link".

A member has one profile that approached them (and perhaps the message it sent and its photo).
This module runs the same detectors and scorer as a full scan on that lone profile and turns the
result into plain words: each red flag, the risk level, and what to do (Recognise, Realise,
Report, Remove), plus how to reduce their own exposure. The CLI, the API and the public web page
all call :func:`check_profile`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from spycatcher.engine.core import Scorer, assess, run_detectors
from spycatcher.schema import Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.registry import all_specs, detectors

MAX_PROFILE_BYTES = 1024 * 1024

FOUR_RS = {
    "high": [
        ("Recognise", "Several signs match fake profiles used by hostile intelligence services."),
        (
            "Realise",
            "If this is a hostile approach, anything you share could harm your career, your "
            "employer and national security. Offers of money, trips or 'exclusive' work are "
            "how these approaches begin.",
        ),
        (
            "Report",
            "Report the profile to the platform, and tell your organisation's security team "
            "what it sent you. Keep the messages.",
        ),
        ("Remove", "Do not reply. Remove the contact from your network and block it."),
    ],
    "medium": [
        ("Recognise", "Some signs match fake profiles; none of them proves it on its own."),
        (
            "Realise",
            "Fake profiles are built to look ordinary. Think about what they want from you.",
        ),
        (
            "Report",
            "Verify who they are through another channel (their organisation's official "
            "website or switchboard). If that fails, report the profile and tell your security "
            "team.",
        ),
        ("Remove", "Until you have verified them, do not share anything about your work."),
    ],
    "low": [
        ("Recognise", "We found few or no warning signs in what you gave us."),
        (
            "Realise",
            "A low score is not proof the profile is genuine. Be cautious with requests about "
            "your work, colleagues or access.",
        ),
        ("Report", "If they later ask for something unusual, report it to your security team."),
        ("Remove", "Remove any contact you do not know and have no reason to keep."),
    ],
}

#: what a member is told about a cue that is not a warning sign on its own (see worth_knowing)
CUE_ADVICE = (
    "Colleagues, friends and genuine recruiters write this too, so it is not a warning sign on "
    "its own. From someone you have not met or verified, take it as a reason to check who they "
    "are before you go any further."
)
#: at most this many cues are listed
MAX_CUES = 5

REDUCE_EXPOSURE = [
    "Don't advertise a security clearance, sensitive projects or your employer's sensitive role.",
    "Keep the detail and visibility of your profile to the minimum you need.",
    "Share CVs and project details only with contacts you have verified.",
    "Verify a new contact through another channel before you engage.",
]


def check_profile(
    profile: Profile,
    message: str | None = None,
    photo: Path | None = None,
    scorer: Scorer | None = None,
    as_of: datetime | None = None,
    *,
    messages: Sequence[str] = (),
    photo_analysis: Mapping[str, Any] | None = None,
    unknown: Collection[str] = (),
) -> dict[str, Any]:
    """Assess one profile (and the message it sent) and explain the result in plain words.

    ``messages`` are further texts the profile sent (oldest first, e.g. every invitation note and
    message in a member's data export); ``message`` comes after them. ``photo_analysis`` is what
    :func:`spycatcher.photo.analyse.analyse_image` made of a photo already decoded in memory (the
    web page never writes an uploaded photo to disk); ``photo`` is a file to analyse instead.
    ``unknown`` names signals about parts of the profile the caller could not see (a data export
    holds a sender's name and headline, not their photo or history): they are left out before
    scoring, so that "no photo" is never said of a photo nobody looked at.
    """
    from spycatcher.scoring.zero_shot import ZeroShotScorer

    ctx = ProfileContext(as_of=as_of or datetime.now(UTC))
    ctx.sent_texts.extend(t for t in messages if t)
    if message:
        ctx.sent_texts.append(message)
    if photo_analysis is not None:
        ctx.photo_analysis.update(photo_analysis)
    elif photo is not None:
        from spycatcher.photo.analyse import analyse_photo_file

        ctx.photo_analysis.update(analyse_photo_file(photo))
    scorer = scorer or ZeroShotScorer()
    if unknown:
        seen = [s for s in run_detectors(profile, ctx, detectors()) if s.name not in unknown]
        a = scorer.score(profile, seen, ctx)
    else:
        a, _ = assess(profile, ctx, detectors(), scorer)
    specs = dict(all_specs())
    if scorer is not None and not isinstance(scorer, ZeroShotScorer):
        from spycatcher.scoring.model import MODEL_SPECS  # titles of a trained model's reasons

        specs.update({s.name: s for s in MODEL_SPECS})
    reasons = []
    for s in a.signals:
        spec = specs.get(s.name)
        reasons.append(
            {
                "name": s.name,
                "title": spec.title if spec else s.name,
                "evidence": s.evidence,
                "advice": s.advice,
                "strength": round(s.strength, 3),
                "direction": "lowers risk" if a.contributions.get(s.name, 0) < 0 else "raises risk",
                "data": s.data,
            }
        )
    return {
        "id": profile.id,
        "name": profile.name,
        "score": round(a.score, 4),
        "level": a.level,
        "reasons": reasons,
        "worth_knowing": worth_knowing(ctx.sent_texts),
        "what_to_do": [{"step": k, "text": v} for k, v in FOUR_RS[a.level]],
        "reduce_exposure": REDUCE_EXPOSURE,
    }


def load_profile_json(data: bytes, source: str = "profile") -> Profile:
    """Parse one profile from JSON (an object, or the first line of JSON Lines)."""
    if len(data) > MAX_PROFILE_BYTES:
        raise ValueError(f"{source}: larger than {MAX_PROFILE_BYTES} bytes")
    text = data.strip()
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            obj = orjson.loads(text.splitlines()[0]) if text else None
        except (orjson.JSONDecodeError, IndexError) as exc:
            raise ValueError(f"{source}: line 1: not valid JSON ({exc})") from exc
    if not isinstance(obj, dict):
        raise ValueError(f"{source}: line 1: expected one JSON object")
    try:
        return Profile.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{source}: line 1: {loc}: {first['msg']}") from exc


def check_profile_file(
    path: Path,
    message: str | None = None,
    photo: Path | None = None,
    scorer: Scorer | None = None,
) -> dict[str, Any]:
    if path.stat().st_size > MAX_PROFILE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_PROFILE_BYTES} bytes")
    profile = load_profile_json(path.read_bytes(), str(path))
    if photo is None and profile.photo and profile.photo.path:
        candidate = (path.parent / profile.photo.path).resolve()
        if candidate.is_relative_to(path.parent.resolve()) and candidate.is_file():
            photo = candidate
    return check_profile(profile, message=message, photo=photo, scorer=scorer)


def worth_knowing(texts: Sequence[str]) -> list[dict[str, str]]:
    """Cues in the texts that are too ordinary to count as lures (a request to continue on
    WhatsApp, a question about clearance), in plain words: they do not change the score, but the
    member deciding about a stranger's approach should know they are there."""
    from spycatcher.text.lures import default_matcher, unflagged_cues

    matcher = default_matcher()
    out = []
    for h in unflagged_cues(texts, matcher)[:MAX_CUES]:
        title = matcher.lexicon.titles.get(h.category, h.category)
        out.append(
            {
                "category": h.category,
                "title": title[:1].upper() + title[1:],
                "quote": h.text[:200],
                "advice": CUE_ADVICE,
            }
        )
    return out


def render_check_text(verdict: dict[str, Any], esc: Callable[[object, int], str]) -> str:
    """Rich-markup text for a terminal; every attacker-controlled string goes through ``esc``."""
    colour = {"high": "red", "medium": "yellow", "low": "green"}[verdict["level"]]
    lines = [
        f"[bold]{esc(verdict.get('name') or verdict['id'], 80)}[/]",
        f"Risk: [bold {colour}]{verdict['level'].upper()}[/] (score {verdict['score']:.2f})",
        "",
        "[bold]Why[/]" if verdict["reasons"] else "[bold]Why[/]\n  No warning signs found.",
    ]
    for r in verdict["reasons"]:
        mark = "-" if r["direction"] == "lowers risk" else "!"
        lines.append(f"  {mark} [bold]{esc(r['title'], 120)}[/]: {esc(r['evidence'], 300)}")
        if r["advice"]:
            lines.append(f"      {esc(r['advice'], 400)}")
    if verdict.get("worth_knowing"):
        lines += ["", "[bold]Worth knowing[/] (not warning signs on their own)"]
        for c in verdict["worth_knowing"]:
            lines.append(f"  ? {esc(c['title'], 120)}: \u201c{esc(c['quote'], 200)}\u201d")
        lines.append(f"      {esc(CUE_ADVICE, 400)}")
    lines += ["", "[bold]What to do[/]"]
    for step in verdict["what_to_do"]:
        lines.append(f"  [bold]{step['step']}[/]: {step['text']}")
    lines += ["", "[bold]Reduce your own exposure[/]"]
    lines += [f"  - {t}" for t in verdict["reduce_exposure"]]
    return "\n".join(lines)
