"""Compact facts about a suspect, gathered during the scan for campaign detection.

Campaigns are found among suspects only (a small share of the population), after every profile has
been scored: the engine keeps one :class:`SuspectTraits` per profile scored at or above
``CAMPAIGN_MIN_SCORE`` and hands the list to :func:`spycatcher.graph.campaigns.find_campaigns`.
Keeping traits small (hashes, ids, short strings) bounds memory on large scans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: profiles scored at least this high are considered for campaigns
CAMPAIGN_MIN_SCORE = 0.4


@dataclass(slots=True)
class SuspectTraits:
    profile_id: str
    score: float
    name: str | None = None
    created_at: datetime | None = None
    #: current and past employers, normalised to lower case
    employers: list[str] = field(default_factory=list)
    #: PDQ hash (64 hex) of the photo, when known
    photo_pdq: str | None = None
    #: email, phone, website domains, normalised
    contacts: list[str] = field(default_factory=list)
    #: ids of other profiles that share templated wording, by field (from ProfileContext)
    template_matches: dict[str, list[str]] = field(default_factory=dict)
    #: ids of profiles this account approached (bounded sample) and their organisations
    targets: list[str] = field(default_factory=list)
    target_orgs: list[str] = field(default_factory=list)
    first_activity: datetime | None = None
    last_activity: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
