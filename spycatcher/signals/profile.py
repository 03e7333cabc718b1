"""Profile red flags that one profile shows on its own (../shared/redflags.md, "Profile").

Each reason is cheap, explainable and weak on its own: genuine new members have thin histories and
genuine recruiters write "headhunter" in their headline. The scorer combines them; the trained model
learns how much each is worth on real data.

The one population fact used here is how many members list the same employer (``EmployerStage``):
a "Center for ... Studies" that no one else works for is what a shell employer looks like.

Reasons about the career and the completeness of a profile (thin history, seniority without a
history, most sections empty, many connections and no career) need a platform that shows a
career: on Twitter or Instagram those sections do not exist, and their emptiness is no evidence
(:func:`~spycatcher.signals.platforms.platform_traits`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from spycatcher.engine.stages import PopulationStage, register_stage
from spycatcher.schema import Profile, partial_date_to_months
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.platforms import platform_traits
from spycatcher.signals.registry import register

# Personas hostile services use (BfV, NCSC): headhunters, think tanks, consultants, scholars.
PERSONA_PATTERNS: dict[str, re.Pattern[str]] = {
    "headhunter or recruiter": re.compile(
        r"\b(head\s*hunter|headhunting|recruit(?:er|ing|ment)|talent (?:acquisition|partner|"
        r"scout)|executive search|hr (?:manager|consultant|director))\b",
        re.I,
    ),
    "think-tank researcher": re.compile(
        r"\b(think[\s-]*tank|research fellow|senior fellow|visiting fellow|policy (?:researcher|"
        r"analyst)|cent(?:er|re) for [\w\s-]{0,40}stud(?:y|ies)|institute (?:of|for) [\w\s-]{0,40}"
        r"(?:stud(?:y|ies)|affairs|relations|strategy))\b",
        re.I,
    ),
    "consultant": re.compile(
        r"\b(consultant|consulting|advisory|strategic advis[eo]r|business development)\b", re.I
    ),
    "scholar": re.compile(
        r"\b(scholar|academic exchange|visiting professor|exchange programme|"
        r"international cooperation)\b",
        re.I,
    ),
}

# What shell fronts call themselves; a real employer of that name will have other staff.
SHELL_NAME = re.compile(
    r"\b(cent(?:er|re) (?:for|of)|institute (?:of|for)|foundation for|association for|"
    r"council (?:on|for)|"
    r"forum|development studies|strategic|consult(?:ing|ancy|ants)|hr\b|talent|partners|"
    r"international (?:exchange|cooperation|relations)|global (?:solutions|advisory|research))",
    re.I,
)

SENIOR_TITLE = re.compile(
    r"\b(chief|director|head of|vice[\s-]president|vp|president|partner|principal|"
    r"senior fellow|managing|executive|founder)\b",
    re.I,
)

BUZZWORDS = frozenset(
    (
        "passionate dynamic innovative strategic synergy synergies leverage leveraging "
        "results-driven visionary proven track record global network excellence cutting-edge "
        "thought leader leadership opportunities exceptional extensive outstanding world-class "
        "best-in-class cooperation mutual win-win exchange connecting bridge bridging talents "
        "talent seasoned professionals excellent resources high-end elite prestigious exclusive "
    ).split()
)

_WORD = re.compile(r"[a-z][a-z'-]+")


def _norm_company(name: str | None) -> str:
    # lower case, blanks collapsed: str.split() and re's \s agree on what a blank is
    return " ".join((name or "").lower().split())


#: contract dates seen -> months (a scan meets a few thousand distinct ones, millions of times)
_MONTHS: dict[str, int | None] = {}


def _months(value: str | None) -> int | None:
    """:func:`partial_date_to_months`, remembered for the dates a scan keeps meeting."""
    if value is None:
        return None
    m = _MONTHS.get(value, -1)
    if m == -1:
        m = partial_date_to_months(value)
        if len(_MONTHS) < 100_000:
            _MONTHS[value] = m
    return m


def _job_months(p: Profile) -> list[tuple[int | None, int | None, bool]]:
    """(start, end, end missing) in months for each listed job, computed once per profile."""
    return [(_months(e.start), _months(e.end), e.end is None) for e in p.experience]


def career_span_months(p: Profile, as_of: datetime | None) -> int:
    """Months from the earliest experience start to its latest end (or as_of for current roles)."""
    return _span(_job_months(p), as_of)


def _span(jobs: list[tuple[int | None, int | None, bool]], as_of: datetime | None) -> int:
    starts = [s for s, _t, _open in jobs if s is not None]
    if not starts:
        return 0
    now = as_of.year * 12 + as_of.month - 1 if as_of else None
    ends = []
    for _s, m, is_open in jobs:
        if m is None and is_open and now is not None:
            m = now
        if m is not None:
            ends.append(m)
    return max(0, (max(ends) if ends else max(starts)) - min(starts))


@register_stage
class EmployerStage(PopulationStage):
    """Counts how many members list each employer, so a detector can spot one-person fronts."""

    name = "employers"
    order = 10

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(options)
        self.staff: Counter[str] = Counter()

    def observe_profile(self, profile: Profile) -> None:
        for c in {_norm_company(e.company) for e in profile.experience if e.company}:
            self.staff[c] += 1

    def annotate(self, profile: Profile, ctx: ProfileContext) -> None:
        ctx.extra["employer_staff"] = {
            c: self.staff.get(c, 0)
            for c in {_norm_company(e.company) for e in profile.current_positions() if e.company}
        }

    def merge(self, other: PopulationStage) -> None:
        """Spark partitions: staff counts add up."""
        assert isinstance(other, EmployerStage)
        self.staff.update(other.staff)


A_REMOVE = "Do not accept or reply until you have checked who this is through another channel."


@register
class ProfileDetector(Detector):
    name = "profile.basics"
    specs = (
        SignalSpec(
            "profile.persona",
            "Presents as a recruiter, think-tank researcher, consultant or scholar",
            0.6,
            "These are the roles hostile intelligence services use most often to make contact. "
            "A genuine one will be happy for you to check them through their organisation's "
            "own website or switchboard.",
        ),
        SignalSpec(
            "profile.shell_employer",
            "Works for an organisation that nobody else here works for",
            1.2,
            "Look the organisation up outside the platform: a real firm or institute has a "
            "website, an address, and other staff you can find. Fronts usually do not.",
        ),
        SignalSpec(
            "profile.seniority_mismatch",
            "Very senior title with a thin career history",
            0.9,
            "Senior people have long, checkable careers. A senior title with little behind it "
            "is a common sign of an invented persona.",
        ),
        SignalSpec(
            "profile.young_account",
            "New account claiming a long career",
            1.3,
            "Accounts made recently that claim many years of experience are often built for a "
            "specific approach. " + A_REMOVE,
        ),
        SignalSpec(
            "profile.thin_history",
            "Little or inconsistent career and education history",
            0.7,
            "Real profiles usually show several jobs and where the person studied, with dates "
            "that fit together.",
        ),
        SignalSpec(
            "profile.inconsistent_dates",
            "Dates in the history do not add up",
            0.8,
            "Jobs that end before they start, or studies that finish after a senior career "
            "began, suggest the history was made up.",
        ),
        SignalSpec(
            "profile.connections_mismatch",
            "Claims many connections that the rest of the profile cannot explain",
            0.9,
            "Fake profiles often show 500+ connections to look established. Mutual connections "
            "prove nothing: many people accept anyone.",
        ),
        SignalSpec(
            "profile.buzzword_summary",
            "Generic, buzzword-heavy summary",
            0.5,
            "Vague summaries full of words like 'exclusive', 'global network' or 'win-win' say "
            "nothing that can be checked.",
        ),
        SignalSpec(
            "profile.incomplete",
            "Most of the profile is empty",
            0.4,
            "Very empty profiles give you nothing to verify. Ask yourself why they want to "
            "connect with you.",
        ),
        SignalSpec(
            "profile.verified",
            "Identity verified by the platform",
            -1.5,
            "Verification lowers the risk but does not remove it: still think before you share "
            "anything about your work.",
        ),
        SignalSpec(
            "profile.established",
            "Long-standing account with a long, consistent history",
            -1.0,
            "An account that has existed for years with a consistent history is less likely to "
            "be a recently built persona.",
        ),
    )

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        as_of = ctx.as_of
        out: list[Signal] = []
        # only a platform that shows a career makes an empty or thin one evidence
        career_shown = bool(platform_traits(profile, ctx).career_sections)
        current = profile.current_positions()
        role_text = " ".join(filter(None, [profile.headline] + [e.title or "" for e in current]))
        employer_text = " ".join(e.company or "" for e in current)

        # persona
        personas = [k for k, rx in PERSONA_PATTERNS.items() if rx.search(role_text)]
        if personas:
            m = next(rx.search(role_text) for k, rx in PERSONA_PATTERNS.items() if k in personas)
            phrase = m.group(0) if m else ""
            out.append(
                self.signal(
                    "profile.persona",
                    0.7 + 0.15 * (len(personas) - 1),
                    f"Describes themself as a {personas[0]} (\u201c{phrase}\u201d).",
                    {"personas": personas},
                )
            )

        # shell employer: a front-like name that no one else in the data works for
        staff: dict[str, int] = ctx.extra.get("employer_staff", {})
        for e in current:
            comp = _norm_company(e.company)
            if not comp:
                continue
            shell_like = bool(SHELL_NAME.search(comp))
            n_staff = staff.get(comp)
            if shell_like and n_staff is not None and n_staff <= 5:
                others = max(0, n_staff - 1)
                out.append(
                    self.signal(
                        "profile.shell_employer",
                        1.0 if others == 0 else 0.8 - 0.1 * others,
                        f"Works at \u201c{e.company}\u201d; {others} other member"
                        f"{'s' if others != 1 else ''} here list{'s' if others == 1 else ''} "
                        "that employer.",
                        {"company": e.company, "other_staff": others},
                    )
                )
                break
            if shell_like and n_staff is None and SHELL_NAME.search(employer_text):
                out.append(
                    self.signal(
                        "profile.shell_employer",
                        0.4,
                        f"Works at \u201c{e.company}\u201d, a name of the kind used by front "
                        "organisations; check that it exists.",
                        {"company": e.company},
                    )
                )
                break

        jobs = _job_months(profile)
        span = _span(jobs, as_of)
        n_jobs = len(profile.experience)

        # seniority vs history
        if career_shown and SENIOR_TITLE.search(role_text) and (n_jobs <= 1 or span < 60):
            out.append(
                self.signal(
                    "profile.seniority_mismatch",
                    0.9 if n_jobs <= 1 else 0.6,
                    f"Senior title (\u201c{SENIOR_TITLE.search(role_text).group(0)}\u201d) with "  # type: ignore[union-attr]
                    f"{n_jobs} listed job{'s' if n_jobs != 1 else ''} over "
                    f"{span // 12} year{'s' if span // 12 != 1 else ''}.",
                )
            )

        # account age vs claimed career
        age_days = (as_of - profile.created_at).days if as_of and profile.created_at else None
        if age_days is not None and age_days < 365 and span >= 96:
            out.append(
                self.signal(
                    "profile.young_account",
                    1.0 if age_days < 120 else 0.7,
                    f"Account created {age_days} days ago but claims {span // 12} years of career.",
                    {"account_age_days": age_days, "career_years": span // 12},
                )
            )

        # thin or inconsistent history
        if career_shown and n_jobs + len(profile.education) <= 1:
            out.append(
                self.signal(
                    "profile.thin_history",
                    0.8 if n_jobs + len(profile.education) == 0 else 0.5,
                    f"Lists {n_jobs} job{'s' if n_jobs != 1 else ''} and "
                    f"{len(profile.education)} place{'s' if len(profile.education) != 1 else ''}"
                    " of study.",
                )
            )
        bad = self._date_problems(profile, as_of, jobs)
        if bad:
            out.append(
                self.signal(
                    "profile.inconsistent_dates", min(1.0, 0.5 * len(bad)), "; ".join(bad[:3]) + "."
                )
            )

        # connections the rest cannot explain
        conns = profile.counts.get("connections")
        if conns is not None and conns >= 500:
            observed = ctx.behaviour.get("connections_observed")
            reasons = []
            if age_days is not None and age_days < 365:
                reasons.append(f"an account only {age_days} days old")
            if career_shown and n_jobs <= 1:
                reasons.append("almost no career history")
            if observed is not None and observed < conns * 0.1:
                reasons.append(f"only {observed} connections seen in the data")
            if reasons:
                out.append(
                    self.signal(
                        "profile.connections_mismatch",
                        min(1.0, 0.5 + 0.25 * (len(reasons) - 1)),
                        f"Claims {conns}+ connections with " + " and ".join(reasons) + ".",
                    )
                )

        # buzzwords
        words = _WORD.findall((profile.summary or "").lower())
        if len(words) >= 12:
            hits = [w for w in words if w in BUZZWORDS]
            ratio = len(hits) / len(words)
            if ratio >= 0.08 and len(hits) >= 3:
                shown = ", ".join(sorted(set(hits))[:6])
                out.append(
                    self.signal(
                        "profile.buzzword_summary",
                        min(1.0, ratio * 6),
                        f"{len(hits)} of {len(words)} words in the summary are stock phrases "
                        f"({shown}).",
                    )
                )

        # completeness
        parts = [
            profile.headline,
            profile.summary,
            profile.location,
            profile.experience,
            profile.education,
            profile.skills,
        ]
        filled = sum(1 for x in parts if x)
        if career_shown and filled <= 2:
            out.append(
                self.signal(
                    "profile.incomplete",
                    1.0 - filled / 3,
                    f"Only {filled} of 6 main sections (headline, summary, location, jobs, "
                    "education, skills) are filled in.",
                )
            )

        if profile.verified:
            out.append(
                self.signal(
                    "profile.verified", 1.0, "The platform has verified this member's identity."
                )
            )
        if age_days is not None and age_days > 5 * 365 and span >= 60 and n_jobs >= 2 and not bad:
            out.append(
                self.signal(
                    "profile.established",
                    min(1.0, age_days / (10 * 365)),
                    f"Account is {age_days // 365} years old with {n_jobs} jobs over "
                    f"{span // 12} years.",
                )
            )
        return out

    @staticmethod
    def _date_problems(
        p: Profile,
        as_of: datetime | None,
        jobs: list[tuple[int | None, int | None, bool]] | None = None,
    ) -> list[str]:
        problems = []
        now = as_of.year * 12 + as_of.month - 1 if as_of else None
        for e, (s, t, _open) in zip(p.experience, jobs or _job_months(p), strict=True):
            if s is not None and t is not None and t < s:
                problems.append(f"a job at {e.company or 'an employer'} ends before it starts")
            if now is not None and s is not None and s > now + 1:
                problems.append(f"a job at {e.company or 'an employer'} starts in the future")
        current = p.current_positions()
        if len(current) >= 4:
            problems.append(f"{len(current)} jobs held at the same time")
        return problems
