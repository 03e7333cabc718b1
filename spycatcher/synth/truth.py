"""Ground truth for the generated network (``truth.json``).

Campaigns with their operator, persona kind, style, members, employer, targets, target
organisations, first and last activity and traits; lone personas; the genuine look-alikes (hard
negatives) by kind; and the sensitive organisations that have staff in the network.
"""

from __future__ import annotations

from collections import Counter as Tally
from typing import Any

import numpy as np

from spycatcher.synth.campaigns import Campaign
from spycatcher.synth.clock import iso
from spycatcher.synth.orgs import Orgs
from spycatcher.synth.population import NEWCOMER, RECRUITER, RESEARCHER, Population
from spycatcher.synth.sectors import SECTORS


def campaign_truth(camp: Campaign, pop: Population, orgs_names: list[str]) -> dict[str, Any]:
    """One campaign (or lone persona) as published: ids are public ids, times ISO 8601."""
    targets = sorted(camp.targets, key=lambda i: int(pop.public[i]))
    org_counts = Tally(orgs_names[int(pop.org[x])] for x in targets)
    return {
        "id": camp.id,
        "operator": camp.operator.id,
        "operator_utc_offset": camp.operator.tz,
        "persona_kind": camp.kind,
        "style": camp.traits["style"],
        "members": sorted(pop.pid(i) for i in camp.members),
        "employer": orgs_names[camp.org],
        "shell_employer": camp.shell,
        "targets": [pop.pid(i) for i in targets],
        "target_organisations": [
            {"name": name, "targets": n} for name, n in org_counts.most_common()
        ],
        "target_sectors": [SECTORS[s].key for s in camp.target_sectors],
        "first_activity": iso(camp.first_activity) if camp.first_activity else None,
        "last_activity": iso(camp.last_activity) if camp.last_activity else None,
        "off_platform_app": camp.app,
        "photo_bases": camp.photo_bases,
        "traits": {k: v for k, v in camp.traits.items() if k != "style"},
    }


def build_truth(
    seed: int,
    pop: Population,
    orgs: Orgs,
    campaigns: list[Campaign],
    as_of: int,
) -> dict[str, Any]:
    """The whole ``truth.json`` document."""
    ng = pop.n_genuine
    staffed = set(pop.org[:ng].tolist())
    sensitive = sorted(
        orgs.names[o]
        for o in staffed
        if o >= 0 and SECTORS[orgs.sector[o]].sensitive and not orgs.shell[o]
    )
    grouped = [c for c in campaigns if c.id is not None]
    lone = [c for c in campaigns if c.id is None]

    def ids_of(kind: int) -> list[str]:
        return sorted(pop.pid(i) for i in np.flatnonzero(pop.kind == kind).tolist())

    return {
        "seed": seed,
        "as_of": iso(as_of),
        "n_profiles": pop.n,
        "n_fake": pop.n - ng,
        "campaigns": [campaign_truth(c, pop, orgs.names) for c in grouped],
        "lone_fakes": [campaign_truth(c, pop, orgs.names) for c in lone],
        "hard_negatives": {
            "recruiter": ids_of(RECRUITER),
            "researcher": ids_of(RESEARCHER),
            "new_member": ids_of(NEWCOMER),
        },
        "sensitive_organisations": sensitive,
    }
