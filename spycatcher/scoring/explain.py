"""Feature names and values in words, so a trained model's reasons read like the detectors' own.

A tree model's contribution says "``ratio:following/followers`` pushed the log-odds up by 1.8".
A member of the public needs "follows 77 accounts for every one that follows back". This module
owns that translation: :func:`describe` renders one feature with its value, :func:`group_of`
merges the one-hot columns of a categorical into one reason.
"""

from __future__ import annotations

import math

#: plain words for the generic features (see spycatcher.scoring.features)
LABELS: dict[str, str] = {
    "account:age_days": "account age",
    "account:created_year": "year the account was created",
    "profile:completeness": "how complete the profile is",
    "profile:has_photo": "has a profile photo",
    "profile:verified": "identity verified by the platform",
    "contact:email": "gives an email address",
    "contact:phone": "gives a phone number",
    "contact:websites": "websites listed",
    "experience:count": "jobs listed",
    "experience:current": "current jobs",
    "experience:companies": "different employers",
    "experience:undated": "jobs without dates",
    "experience:senior_titles": "jobs with senior titles",
    "experience:span_months": "length of career (months)",
    "experience:mean_tenure_months": "average time in a job (months)",
    "experience:max_gap_months": "longest gap between jobs (months)",
    "education:count": "places of study",
    "education:degrees": "degrees listed",
    "education:end_to_first_job_months": "months from end of studies to first job",
    "skills:count": "skills listed",
    "summary:urls": "web links in the summary",
    "summary:hashtags": "hashtags in the summary",
    "summary:mentions": "mentions in the summary",
    "handle:underscores": "underscores in the username",
    "handle:name_overlap": "share of the name found in the username",
    "photo:matches": "other profiles or known photos matching the photo",
    "intel:matches": "matches with shared intelligence",
    "template:fields": "fields worded like other profiles",
    "template:max_copies": "profiles sharing the same wording",
    "text:sent": "messages and invitation notes seen",
}

_TEXT_PARTS = {
    "name": "name",
    "headline": "headline",
    "summary": "summary",
    "location": "location",
    "handle": "username",
}
_TEXT_STATS = {
    "length": ("length of the {}", "{:,.0f} characters"),
    "words": ("words in the {}", "{:,.0f}"),
    "digit_share": ("share of digits in the {}", "{:.0%}"),
    "upper_share": ("share of capital letters in the {}", "{:.0%}"),
    "non_ascii_share": ("share of non-Latin characters in the {}", "{:.0%}"),
    "symbol_share": ("share of symbols in the {}", "{:.0%}"),
}


def group_of(column: str) -> str:
    """The reason a column belongs to: one-hot columns ``k=v`` merge into ``k``; signals keep
    their signal name so that a contribution lines up with the detector's evidence."""
    if column.startswith("sig:"):
        return column[4:]
    if column.startswith("feature:") and "=" in column:
        return column.split("=", 1)[0]
    return column


def label(column: str) -> str:
    """A short plain-language name for a feature column."""
    if column in LABELS:
        return LABELS[column]
    kind, _, rest = column.partition(":")
    if kind == "sig":
        return rest
    if kind == "count":
        return f"number of {rest.replace('_', ' ')}"
    if kind == "ratio":
        a, _, b = rest.partition("/")
        return f"ratio of {a.replace('_', ' ')} to {b.replace('_', ' ')}"
    if kind == "rate":
        return f"{rest.split('/', 1)[0].replace('_', ' ')} per day since the account was made"
    if kind in _TEXT_PARTS:
        stat = _TEXT_STATS.get(rest)
        if stat:
            return stat[0].format(_TEXT_PARTS[kind])
    if kind == "feature":
        return rest.split("=", 1)[0].replace("_", " ")
    return f"{kind} {rest.replace('_', ' ').replace(':', ' ')}".strip()


def describe(column: str, value: float) -> str:
    """The feature and its value for this profile, in words (``value`` NaN means not given)."""
    name = label(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{name}: not given"
    kind, _, rest = column.partition(":")
    if kind == "sig":
        return f"{name} (strength {value:.2f})"
    if kind == "count":
        return f"{name}: {math.expm1(value):,.0f}"
    if kind == "ratio":
        return f"{name}: {math.exp(value):,.2g}"
    if kind == "rate":
        return f"{name}: {math.expm1(value):,.3g}"
    if kind == "feature" and "=" in rest:
        key, _, cat = rest.partition("=")
        if value == 1.0:
            return f"{key.replace('_', ' ')}: {'another value' if cat == '<other>' else cat}"
        return f"{key.replace('_', ' ')} is not {'a common value' if cat == '<other>' else cat}"
    if column == "account:age_days":
        return f"account age: {value:,.0f} days"
    if column == "account:created_year":
        return f"account created in {value:.0f}"
    if kind in _TEXT_PARTS and rest in _TEXT_STATS:
        return f"{name}: {_TEXT_STATS[rest][1].format(value)}"
    if column.startswith(("profile:has_", "profile:verified", "contact:email", "contact:phone")):
        return f"{name}: {'yes' if value >= 0.5 else 'no'}"
    if column == "profile:completeness":
        return f"{name}: {value:.0%}"
    if float(value).is_integer():
        return f"{name}: {value:,.0f}"
    return f"{name}: {value:.3g}"
