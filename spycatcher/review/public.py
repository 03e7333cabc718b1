"""Reports from the public checker: anyone may report a profile, without an account.

Most people who meet a fake recruiter will never hold a member key, and the profile they report
may be one the platform has not sent us yet. Their report is recorded like a member's
(:func:`spycatcher.review.reports.submit`), with three differences that keep an open form from
becoming a weapon against genuine people:

* **Who.** The reporter is a pseudonym, ``public:<keyed hash of their address and the day>``
  (made by the web page): no address is stored, the same visitor is one reporter for a day, and
  nobody can be followed from one day to the next.
* **Rate limits.** Tighter than a member's: :data:`PER_HOUR` an hour and :data:`PER_DAY` a day
  per pseudonym, counted in the database like members' limits; one report per pseudonym and
  profile (a repeat returns the first).
* **Weight.** A public reporter never builds a track record (the pseudonym changes daily), so
  each report weighs the Beta(1, 4) prior of an unknown reporter (0.2) inside the pool of unproven
  reporters, whose total is capped (``ReportPolicy.unproven_cap``) and watched for bursts. Public
  reports therefore corroborate; several from different visitors can put a profile in front of a
  reviewer (a case opens at ``case_threshold``), and none of them restricts anything by itself.

The report keeps the profile id, the reason, the note the visitor chose to leave (bounded), and
``source = "public"``. The audit trail records it with pseudonyms only.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from spycatcher.review import audit
from spycatcher.review import reports as reports_mod
from spycatcher.review.base import transaction
from spycatcher.review.service import Actor, ReviewService

PER_HOUR = 3
PER_DAY = 10
#: who re-scores a profile after a public report (in the audit trail)
PUBLIC = Actor("public:checker", "public")


def submit_public_report(
    service: ReviewService,
    reporter: str,
    platform: str,
    profile_id: str,
    reason: str,
    text: str | None,
) -> dict[str, Any]:
    """File an anonymous report (raises RateLimited or ReviewError); see the module doc."""
    if not reporter.startswith("public:"):
        raise ValueError("a public reporter's pseudonym starts with 'public:'")
    policy = replace(service.policies.reports, per_hour=PER_HOUR, per_day=PER_DAY)
    now = service.clock()
    with transaction(service.store) as s:
        row, created = reports_mod.submit(
            s,
            policy,
            platform=platform,
            profile_id=profile_id,
            reporter=reporter,
            reason=reason,
            text=text,
            now=now,
            source="public",
        )
        if created:
            audit.append(
                s,
                actor=PUBLIC.id,
                action="report.filed",
                now=now,
                subject=audit.pseudonym(s, platform, profile_id, now),
                details={"report_id": row.id, "reason": reason, "reporter": "public"},
            )
        out = reports_mod.as_dict(row, show_reporter=False)
    out["duplicate"] = not created
    out["case_opened"] = False
    if created:
        profile = service.store.get_profile(profile_id, platform)
        if profile is not None:
            triage = service.rescore([profile], cause="report", actor=PUBLIC)
            out["case_opened"] = bool(triage["cases_opened"])
    return out
