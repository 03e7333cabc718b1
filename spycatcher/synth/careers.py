"""Genuine careers: education then jobs, consistent with age, seniority and account age.

A genuine member studies from about 18, starts work after their last degree, climbs towards their
current seniority, and mostly stays in one sector. Dates are "YYYY" for education and "YYYY-MM"
for jobs, as exports show them. Consistency here is what makes a persona's "twenty years as a
senior partner" on a six-week-old account stand out.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from spycatcher.synth.orgs import INTERNATIONAL_SCHOOLS, Orgs, invented_employer
from spycatcher.synth.sectors import SECTORS

_DESCRIPTIONS = (
    "Led work on {topic}.",
    "Responsible for {topic} across the team.",
    "Delivered projects on {topic} and {topic2}.",
    "Part of the {topic} team.",
    "Managed a team of {n}; focus on {topic}.",
    "Worked on {topic}, reporting to the head of department.",
)


def degree_for(r: random.Random, field: str, master: bool) -> str:
    """A degree that fits the field (no MEng in Medicine)."""
    if "Engineering" in field:
        return r.choice(("MEng", "MSc")) if master else "BEng"
    if field == "Law":
        return "LLM" if master else "LLB"
    if field == "Medicine":
        return "MSc" if master else "MBBS"
    sciences = (
        "Physics",
        "Chemistry",
        "Mathematics",
        "Computer Science",
        "Biochemistry",
        "Pharmacology",
        "Molecular Biology",
        "Materials Science",
        "Actuarial Science",
    )
    if field in sciences or "Science" in field:
        return r.choice(("MSc", "MRes", "MPhil")) if master else r.choice(("BSc", "BSc (Hons)"))
    if master:
        return (
            r.choice(("MA", "MSc", "MBA", "MPhil"))
            if "Business" in field
            else r.choice(("MA", "MSc", "MPhil"))
        )
    return r.choice(("BA", "BA (Hons)", "BSc"))


_STUDENT_JOBS = ("Intern", "Summer Intern", "Student Placement", "Working Student", "Intern")
_MONTH0 = 1940 * 12
_MONTHS = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(_MONTH0, 2100 * 12)]


class CareerBuilder:
    """Builds experience and education lists; holds per-sector org lists for fast picks."""

    def __init__(self, orgs: Orgs, as_of: int) -> None:
        self.orgs = orgs
        self.as_of_year = datetime.fromtimestamp(as_of, UTC).year
        self.as_of_month = datetime.fromtimestamp(as_of, UTC).month
        self.by_sector: dict[int, list[int]] = {}
        for o in range(len(orgs)):
            if not orgs.shell[o]:
                self.by_sector.setdefault(orgs.sector[o], []).append(o)
        self.sectors = sorted(self.by_sector)
        unis = sorted({u for u in orgs.university if u})
        self.universities = unis or ["University of Northbridge"]

    @staticmethod
    def _month(months: int) -> str:
        """Months since year 0 -> "YYYY-MM"."""
        return (
            _MONTHS[months - _MONTH0]
            if months >= _MONTH0
            else f"{months // 12:04d}-{months % 12 + 1:02d}"
        )

    def build(
        self,
        r: random.Random,
        *,
        age: int,
        sector: int,
        seniority: int,
        org: int,
        title: str,
        location: str,
        researcher: bool,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
        """(experience, education, facts: school, field, prev_org, student ("1" if studying))."""
        sec = SECTORS[sector]
        now = self.as_of_year * 12 + self.as_of_month - 1
        birth = self.as_of_year - age
        field = r.choice(sec.fields)
        school = r.choice(self.universities if r.random() < 0.94 else INTERNATIONAL_SCHOOLS)
        education: list[dict[str, Any]] = []
        b_start = birth + 18 + (1 if r.random() < 0.3 else 0)
        b_end = b_start + r.choice((3, 3, 4))
        if b_end > self.as_of_year:
            # Still studying: the degree's (expected) end is in the future, and the employer in
            # the plan is where they intern or work alongside their studies.
            degree = degree_for(r, field, False)
            education.append(
                {"school": school, "degree": degree, "field": field, "start": str(b_start),
                 "end": str(b_end)}
            )  # fmt: skip
            start = max(b_start * 12 + 8, now - r.randint(1, 14))
            job = {
                "title": r.choice(_STUDENT_JOBS),
                "company": self.orgs.names[org],
                "start": self._month(min(start, now)),
                "end": None,
                "location": location,
            }
            facts = {"school": school, "field": field, "prev_org": "", "student": "1"}
            return [job], education, facts
        education.append({"school": school, "degree": degree_for(r, field, False), "field": field,
                          "start": str(b_start), "end": str(b_end)})  # fmt: skip
        last_end = b_end
        if r.random() < (0.55 if sec.sensitive else 0.3) or researcher:
            m_start = last_end + (0 if r.random() < 0.6 else r.randint(1, 3))
            m_end = m_start + r.choice((1, 1, 2))
            if m_end <= self.as_of_year:
                education.append({"school": r.choice(self.universities),
                                  "degree": degree_for(r, field, True), "field": field,
                                  "start": str(m_start), "end": str(m_end)})  # fmt: skip
                last_end = m_end
        if (researcher or sec.key == "university_research") and seniority >= 1:
            p_end = last_end + 4
            if p_end <= self.as_of_year - 1:
                education.append({"school": r.choice(self.universities), "degree": "PhD",
                                  "field": field, "start": str(last_end),
                                  "end": str(p_end)})  # fmt: skip
                last_end = p_end
        if r.random() < 0.12:  # some members list only their degree, some none at all
            education = education[-1:] if r.random() < 0.5 else []
        education.reverse()

        career_start = min(now - 1, last_end * 12 + 8 + r.randint(0, 10))
        tenure = int(r.uniform(0.3, 8.0) * 12)
        cur_start = max(career_start, now - tenure)
        experience: list[dict[str, Any]] = [
            {"title": title, "company": self.orgs.names[org], "start": self._month(cur_start),
             "end": None, "location": location},
        ]  # fmt: skip
        if r.random() < 0.25:
            experience[0]["description"] = self._description(r, sector)
        t = cur_start
        level = seniority
        prev_org = ""
        while t - career_start > 10 and len(experience) < 7:
            gap = r.randint(0, 4) if r.random() < 0.3 else 0
            end = t - gap
            length = int(r.uniform(1.0, 6.0) * 12)
            start = max(career_start, end - length)
            if end - start < 3:
                break
            if r.random() < 0.45:
                level = max(0, level - 1)
            psector = sector if r.random() < 0.75 else r.choice(self.sectors)
            porgs = self.by_sector.get(psector) or self.by_sector[sector]
            porg = r.choice(porgs)
            company = self.orgs.names[porg] if r.random() < 0.9 else invented_employer(r)
            ptitles = SECTORS[psector].titles[level]
            entry: dict[str, Any] = {
                "title": r.choice(ptitles),
                "company": company,
                "start": self._month(start),
                "end": self._month(end),
            }
            if r.random() < 0.15:
                entry["description"] = self._description(r, psector)
            experience.append(entry)
            if not prev_org:
                prev_org = company
            t = start
        if r.random() < 0.08 and len(experience) > 1:  # thin profiles list only the current job
            experience = experience[:1]
        return experience, education, {"school": school, "field": field, "prev_org": prev_org,
                                       "student": ""}  # fmt: skip

    def _description(self, r: random.Random, sector: int) -> str:
        topics = SECTORS[sector].topics
        return r.choice(_DESCRIPTIONS).format(
            topic=r.choice(topics), topic2=r.choice(topics), n=r.randint(2, 15)
        )
