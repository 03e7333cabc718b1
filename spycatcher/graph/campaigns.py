"""Campaigns: suspects that one operator appears to run together.

Intelligence services work at scale: many personas, one operator, the same targets. Personas give
themselves away by what they share: a reused photo, templated wording, the same shell employer,
the same contact details, accounts created in one burst, and the same people approached. Platforms
catch them as clusters (LinkedIn scored whole registration clusters at AUC 0.98).

How suspects are linked (weights add up per pair; a pair is linked at 1.0):

==================  ======  ============================================================
trait               weight  when
==================  ======  ============================================================
photo               1.0     PDQ hashes within Hamming distance 31 (the same picture)
email or phone      1.0     the same address or number
template (a field)  0.5     the same wording in one field (summary, ...); messages 0.25, as
                            lure scripts are shared between operators; headlines 0, as they
                            are too short ("Research Fellow at ...") to be anyone's template
shell employer      0.5     a current employer that mostly suspects list; 1.0 when at least
                            three suspects and no one else list it
website             0.5     the same uncommon website domain
targets             0.5     they approached overlapping sets of people, or of organisations
                            (Jaccard; one behaviour, so both together still weigh 0.5)
creation burst      0.5     accounts created within ``BURST_DAYS`` of each other, unless
                            they are colleagues at a real employer (a cohort joins together)
==================  ======  ============================================================

A pair is linked at 1.0, and a weakly linked pair only if it shares something its members *made
or did* (wording, a website, targets): an employer and a creation date are context that adds
weight, never a link on their own. So a campaign forms from one strong link or two weak ones,
never from one weak coincidence, and never from context alone: colleagues at a small firm who
joined the same week, or suspects at one big employer, stay apart. Keys shared by too many
suspects (``MAX_BUCKET``: a default avatar, a webmail domain) are not evidence of one operator and
are skipped.

Strong links join suspects at once. Weakly linked groups then merge by average linkage (at least
``MERGE_SHARE`` of their member pairs linked), so two established groups do not chain together
through one coincidental pair; and two groups that each present a different confirmed front never
merge, since one operator runs several campaigns from the same scripts and target lists, each
behind its own front. Campaigns have at least two members.

A campaign's score combines its members' scores with how strongly they are tied together; the
:class:`CampaignDetector` raises ``campaign.*`` signals from it when the engine re-scores members,
so that belonging to a convincing campaign lifts each member's score.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

import numpy as np
import scipy.sparse as sp

from spycatcher.engine.traits import SuspectTraits
from spycatcher.photo.index import make_index
from spycatcher.photo.pdq import DEFAULT_THRESHOLD, from_hex, pack_many
from spycatcher.schema import Profile
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.registry import register

STRONG = 1.0
WEAK = 0.5
LINK_THRESHOLD = 1.0
#: accounts created this close together form a burst
BURST_DAYS = 3
#: target sets overlapping this much (Jaccard) with at least TARGET_MIN_SHARED people in common
TARGET_JACCARD = 0.15
TARGET_MIN_SHARED = 2
#: sets of targeted organisations overlapping this much, with at least ORG_MIN_SHARED in common
ORG_JACCARD = 0.3
ORG_MIN_SHARED = 2
#: a key (photo, contact, employer, target, template group) shared by more suspects is too common
MAX_BUCKET = 500
#: per-field template weights (default WEAK). Lure messages are drawn from a few scripts that
#: many operators share, so the same message wording links two campaigns about as often as one
#: (measured on synthetic networks: likelihood ratio ~30 against ~700 for a shared summary);
#: headlines are too short to be anyone's template
TEMPLATE_FIELD_WEIGHT = {"headline": 0.0, "message": 0.25}
#: link kinds that come from what a persona made or did; a link needs at least one of them
ACTIVITY_KINDS = frozenset({"template", "website", "targets", "organisations"})
#: an employer is a shell when at least this share of the people listing it are suspects
SHELL_SHARE = 0.5
#: a shell is confirmed (a strong link) when this many suspects claim it and they are this share
#: of everyone listing it
CONFIRMED_SHELL_MIN = 3
CONFIRMED_SHELL_SHARE = 1.0
#: without population counts, an employer listed by more suspects than this is taken as real
MAX_SHELL_SUSPECTS = 60
MIN_CAMPAIGN_SIZE = 2
#: average linkage: clusters merge while this share of their member pairs are linked
MERGE_SHARE = 0.25
#: a group is reported when, taken together, it is more likely than not to be coordinated fakes
#: (its members' scores and how tightly they are tied; see ``_campaign``)
MIN_CAMPAIGN_SCORE = 0.5

#: employer strings that name no organisation at all
GENERIC_EMPLOYERS = frozenset(
    {
        "",
        "-",
        "n/a",
        "na",
        "none",
        "private",
        "confidential",
        "stealth",
        "stealth startup",
        "stealth mode",
        "self-employed",
        "self employed",
        "freelance",
        "freelancer",
        "independent",
        "independent consultant",
        "retired",
        "student",
        "unemployed",
    }
)
#: website hosts that many unrelated people list
COMMON_DOMAINS = frozenset(
    {
        "linkedin.com",
        "facebook.com",
        "twitter.com",
        "x.com",
        "instagram.com",
        "github.com",
        "medium.com",
        "youtube.com",
        "google.com",
        "sites.google.com",
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "wordpress.com",
        "blogspot.com",
        "wix.com",
        "about.me",
        "researchgate.net",
        "academia.edu",
        "orcid.org",
        "t.me",
        "wa.me",
    }
)

#: log-odds added to the members' median when this share of them are tied by a kind of link
KIND_BONUS = {
    "photo": 1.5,
    "contact": 1.2,
    "template": 0.8,
    "employer": 0.8,
    "website": 0.6,
    "targets": 0.8,
    "organisations": 0.4,
    "burst": 0.4,
}
#: log-odds per doubling of the number of members
SIZE_BONUS = 0.25

#: link kind -> how a sentence of evidence names it, for members' own explanations
KIND_WORDS = {
    "photo": "a photo",
    "contact": "an email address or phone number",
    "template": "wording",
    "employer": "an employer few others list",
    "website": "a website",
    "targets": "targets",
    "organisations": "targeted organisations",
    "burst": "a creation date",
}


@dataclass(slots=True)
class Campaign:
    """A group of suspects that appear to be run together, and why.

    ``members`` are ordered by score (highest first, then id); ``targets`` by how many members
    approached them; ``evidence`` is plain sentences; ``score`` is the campaign-level score (0..1).
    """

    id: str
    members: list[str]
    targets: list[str]
    organisations: list[str]
    first_activity: datetime | None
    last_activity: datetime | None
    evidence: list[str]
    score: float
    #: link kind -> number of members tied to another member by it
    links: dict[str, int] = field(default_factory=dict)
    #: member id -> the kinds of link it has with other members
    member_links: dict[str, list[str]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.members)

    def as_dict(self) -> dict[str, Any]:
        """The campaign as the results contract (DESIGN.md) shows it."""
        return {
            "id": self.id,
            "members": list(self.members),
            "size": len(self.members),
            "targets": list(self.targets),
            "organisations": list(self.organisations),
            "first_activity": self.first_activity.isoformat() if self.first_activity else None,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "evidence": list(self.evidence),
            "score": round(float(self.score), 6),
            "links": dict(self.links),
        }


def campaign_id(members: Iterable[str]) -> str:
    """Deterministic: the same members give the same id in every run and engine."""
    digest = hashlib.sha256("\n".join(sorted(members)).encode("utf-8")).hexdigest()
    return "campaign-" + digest[:16]


class _DisjointSet:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller index becomes the root: deterministic whatever the order of unions
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


@dataclass(slots=True)
class _Relations:
    """What links which suspects: strong groups (union at once) and weak pairs (to be summed)."""

    n: int
    #: (kind, detail, members): every member of the group shares the key
    groups: list[tuple[str, str, list[int]]] = field(default_factory=list)
    #: (i, j) with i < j -> {kind or "template:<field>": weight}
    weak: dict[tuple[int, int], dict[str, float]] = field(default_factory=lambda: defaultdict(dict))

    def add_weak(self, i: int, j: int, kind: str, weight: float = WEAK) -> None:
        if i == j:
            return
        key = (i, j) if i < j else (j, i)
        self.weak[key][kind] = weight


def _buckets(values: Iterable[tuple[int, Iterable[str]]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i, keys in values:
        for k in set(keys):
            out[k].append(i)
    return out


def _photo_links(traits: Sequence[SuspectTraits], rel: _Relations) -> None:
    """Suspects whose photos are the same picture (PDQ within Meta's match distance)."""
    by_hash: dict[bytes, list[int]] = defaultdict(list)
    for i, t in enumerate(traits):
        if t.photo_pdq:
            try:
                by_hash[from_hex(t.photo_pdq)].append(i)
            except ValueError:
                continue  # a malformed hash is no evidence
    hashes = sorted(h for h, m in by_hash.items() if len(m) <= MAX_BUCKET)
    if not hashes:
        return
    # identical hashes are one entry; near-identical ones join through the exact radius index
    index = make_index("mih")
    index.add_many(pack_many(hashes))
    ds = _DisjointSet(len(hashes))
    for a, h in enumerate(hashes):
        ids, _dist = index.query(h, DEFAULT_THRESHOLD)
        for b in ids.tolist():
            if b > a:
                ds.union(a, b)
    clusters: dict[int, list[int]] = defaultdict(list)
    for a, h in enumerate(hashes):
        clusters[ds.find(a)].extend(by_hash[h])
    for members in clusters.values():
        if 2 <= len(members) <= MAX_BUCKET:
            rel.groups.append(("photo", "", sorted(members)))


def _contact_links(traits: Sequence[SuspectTraits], rel: _Relations) -> None:
    strong = _buckets(
        (i, [c for c in t.contacts if not c.startswith("web:")]) for i, t in enumerate(traits)
    )
    for key, members in sorted(strong.items()):
        if 2 <= len(members) <= MAX_BUCKET:
            rel.groups.append(("contact", key, sorted(members)))
    web = _buckets(
        (i, [c for c in t.contacts if c.startswith("web:") and c[4:] not in COMMON_DOMAINS])
        for i, t in enumerate(traits)
    )
    for _key, members in sorted(web.items()):
        if 2 <= len(members) <= MAX_BUCKET:
            for i, j in combinations(members, 2):
                rel.add_weak(i, j, "website")


def _template_links(
    traits: Sequence[SuspectTraits], index: Mapping[str, int], rel: _Relations
) -> None:
    for i, t in enumerate(traits):
        for fld, others in t.template_matches.items():
            if len(others) > MAX_BUCKET:
                continue
            weight = TEMPLATE_FIELD_WEIGHT.get(fld, WEAK)
            if weight <= 0:
                continue
            for other in others:
                j = index.get(other)
                if j is not None:
                    rel.add_weak(i, j, f"template:{fld}", weight)


def staff_counts(
    traits: Sequence[SuspectTraits], employer_staff: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Population counts per normalised employer name, from the argument and the traits."""
    staff = {" ".join(k.split()).lower(): v for k, v in (employer_staff or {}).items()}
    for t in traits:
        extra = t.extra.get("employer_staff") if t.extra else None
        if isinstance(extra, Mapping):
            for k, v in extra.items():
                if isinstance(v, int):
                    key = " ".join(str(k).split()).lower()
                    staff[key] = max(staff.get(key, 0), v)
    return staff


def confirmed_shells(shells: Mapping[str, list[int]], staff: Mapping[str, int]) -> set[str]:
    """Shells that exist only in suspects' profiles: a strong link on their own.

    At least ``CONFIRMED_SHELL_MIN`` suspects claim to work there now, and they are at least
    ``CONFIRMED_SHELL_SHARE`` (all) of everyone in the data who lists it: an organisation that
    nobody but suspicious accounts has ever worked for (BfV's "RiseHR", "Center for Sino-Europe
    Development Studies"). Needs population counts; without them no shell is confirmed.
    """
    out = set()
    for name, members in shells.items():
        total = staff.get(name)
        if (
            total is not None
            and len(members) >= CONFIRMED_SHELL_MIN
            and len(members) >= CONFIRMED_SHELL_SHARE * total
        ):
            out.add(name)
    return out


def shell_employers(
    traits: Sequence[SuspectTraits], employer_staff: Mapping[str, int] | None = None
) -> dict[str, list[int]]:
    """Employers that look like shells: listed by at least two suspects and by few others.

    A real big employer is listed by many people who are not suspects; a shell set up for
    personas is listed (almost) only by them. With population counts (``employer_staff``: how many
    profiles in the whole scan list the employer as current, or per-trait
    ``extra["employer_staff"]``, which the ``employers`` stage writes for current positions), a
    shell is a counted employer where at least ``SHELL_SHARE`` of those listing it are suspects;
    an employer without a count is then only a past job, and past jobs are not claims of being on
    a shell's staff (one operator reuses filler employers across campaigns). With no counts at all,
    employers listed by more than ``MAX_SHELL_SUSPECTS`` suspects are taken as real.
    """
    staff = staff_counts(traits, employer_staff)
    out: dict[str, list[int]] = {}
    names = ((i, [" ".join(e.split()).lower() for e in _claimed(t)]) for i, t in enumerate(traits))
    for name, members in _buckets(names).items():
        if name in GENERIC_EMPLOYERS or len(members) < 2 or len(members) > MAX_BUCKET:
            continue
        total = staff.get(name)
        if total is not None:
            if len(members) < SHELL_SHARE * max(total, len(members)):
                continue
        elif staff or len(members) > MAX_SHELL_SUSPECTS:
            continue
        out[name] = sorted(members)
    return out


def _norm_claimed(t: SuspectTraits) -> set[str]:
    return {" ".join(e.split()).lower() for e in _claimed(t)} - GENERIC_EMPLOYERS


def _claimed(t: SuspectTraits) -> list[str]:
    """A suspect's current employers when the engine says which they are, else all it lists."""
    current = t.extra.get("employer_staff") if t.extra else None
    if isinstance(current, Mapping):
        return [str(k) for k in current]
    return list(t.employers)


def _employer_links(shells: Mapping[str, list[int]], confirmed: set[str], rel: _Relations) -> None:
    for emp, members in sorted(shells.items()):
        if emp in confirmed:
            rel.groups.append(("employer", emp, members))
            continue
        for i, j in combinations(members, 2):
            rel.add_weak(i, j, "employer")


def _overlap_links(
    sets: Sequence[frozenset[str]], kind: str, jaccard: float, min_shared: int, rel: _Relations
) -> None:
    """Weak links between suspects whose sets overlap (Jaccard), counted by a sparse product.

    Items held by more than ``MAX_BUCKET`` suspects (a famous target, a ministry every campaign
    approaches) say nothing about who works together and are left out of the counting; the
    Jaccard denominator still uses the whole sets.
    """
    buckets = _buckets((i, s) for i, s in enumerate(sets))
    rows: list[int] = []
    cols: list[int] = []
    col = 0
    for _item, members in sorted(buckets.items()):
        if 2 <= len(members) <= MAX_BUCKET:
            rows.extend(members)
            cols.extend([col] * len(members))
            col += 1
    if not col:
        return
    n = len(sets)
    inc = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (np.asarray(rows), np.asarray(cols))), shape=(n, col)
    )
    shared = sp.triu(inc @ inc.T, k=1).tocoo()
    size = np.fromiter((len(x) for x in sets), dtype=np.int64, count=n)
    union = size[shared.row] + size[shared.col] - shared.data
    keep = (shared.data >= min_shared) & (shared.data >= jaccard * union)
    for i, j in zip(shared.row[keep].tolist(), shared.col[keep].tolist(), strict=True):
        rel.add_weak(i, j, kind)


def _target_links(traits: Sequence[SuspectTraits], rel: _Relations) -> None:
    """The same people approached, and people at the same organisations.

    Both come from one behaviour (whom the personas approach), so together they weigh no more
    than one weak link (see ``_pair_weight``).
    """
    people = [frozenset(t.targets) for t in traits]
    _overlap_links(people, "targets", TARGET_JACCARD, TARGET_MIN_SHARED, rel)
    orgs = [frozenset(" ".join(o.split()).lower() for o in t.target_orgs) for t in traits]
    _overlap_links(orgs, "organisations", ORG_JACCARD, ORG_MIN_SHARED, rel)


def _pair_weight(kinds: Mapping[str, float]) -> float:
    """Sum of a pair's link weights, counting approach behaviour (people, organisations) once."""
    approach = max(kinds.get("targets", 0.0), kinds.get("organisations", 0.0))
    rest = sum(w for k, w in kinds.items() if k not in ("targets", "organisations"))
    return rest + approach


def _has_activity(kinds: Mapping[str, float]) -> bool:
    return any(k.split(":", 1)[0] in ACTIVITY_KINDS for k in kinds)


def _burst(a: SuspectTraits, b: SuspectTraits) -> bool:
    if a.created_at is None or b.created_at is None:
        return False
    return abs(a.created_at - b.created_at) <= timedelta(days=BURST_DAYS)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _cluster(
    n: int,
    groups: Iterable[list[int]],
    linked: Iterable[tuple[int, int]],
    fronts: Mapping[int, set[str]] | None = None,
) -> list[list[int]]:
    """Strong groups join at once; weakly linked clusters join by average linkage.

    Two clusters merge while the share of their member pairs that are linked is at least
    ``MERGE_SHARE``, best-linked first. Two suspects, or a suspect and a small group, merge on one
    link; two established groups do not merge because one pair of them happens to share a
    template and a creation week. ``fronts`` (member -> confirmed shells it claims) keeps apart,
    whatever their weak links, two groups that each present a different front organisation:
    one operator runs several campaigns from the same scripts and target lists, each behind its
    own front.
    """
    ds = _DisjointSet(n)
    for g in groups:
        for m in g[1:]:
            ds.union(g[0], m)
    front: dict[int, set[str]] = defaultdict(set)
    for i, names in (fronts or {}).items():
        front[ds.find(i)] |= names
    size: Counter[int] = Counter(ds.find(i) for i in range(n))
    nbrs: dict[int, Counter[int]] = defaultdict(Counter)
    for i, j in linked:
        a, b = ds.find(i), ds.find(j)
        if a != b:
            nbrs[a][b] += 1
            nbrs[b][a] += 1
    heap: list[tuple[float, int, int]] = []
    for a, row in nbrs.items():
        for b, k in row.items():
            if a < b:
                heapq.heappush(heap, (-k / (size[a] * size[b]), a, b))
    while heap:
        neg, a, b = heapq.heappop(heap)
        if a not in nbrs or b not in nbrs[a]:
            continue  # one side was merged away since
        share = nbrs[a][b] / (size[a] * size[b])
        if abs(share + neg) > 1e-12:
            continue  # stale entry; a fresher one is in the heap
        if share < MERGE_SHARE:
            break
        if front[a] and front[b] and not front[a] & front[b]:
            continue  # two campaigns, two fronts
        keep, gone = (a, b) if a < b else (b, a)
        ds.parent[gone] = keep
        size[keep] += size.pop(gone)
        front[keep] |= front.pop(gone, set())
        moved = nbrs.pop(gone)
        del nbrs[keep][gone]
        for x, k in moved.items():
            if x == keep:
                continue
            del nbrs[x][gone]
            nbrs[keep][x] += k
            nbrs[x][keep] += k
        for x, k in nbrs[keep].items():
            heapq.heappush(heap, (-k / (size[keep] * size[x]), min(keep, x), max(keep, x)))
    comps: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        comps[ds.find(i)].append(i)
    return list(comps.values())


def find_campaigns(
    traits: Sequence[SuspectTraits],
    as_of: datetime | None = None,
    *,
    employer_staff: Mapping[str, int] | None = None,
    min_size: int = MIN_CAMPAIGN_SIZE,
    min_score: float = MIN_CAMPAIGN_SCORE,
) -> list[Campaign]:
    """Group suspects into campaigns; strongest first (score, then size, then id).

    Groups smaller than ``min_size`` or with a campaign score below ``min_score`` are not
    reported: two weakly suspicious accounts that happen to list one email address are a lead for
    a reviewer, not a campaign. ``as_of`` is accepted for the engines' uniform call and reserved
    for activity windows; the result depends only on the traits, so both engines and repeated
    runs agree.
    """
    del as_of  # the grouping is a function of the traits alone
    seen: set[str] = set()
    uniq: list[SuspectTraits] = []
    for t in sorted(traits, key=lambda t: (t.profile_id, -t.score)):
        if t.profile_id not in seen:
            seen.add(t.profile_id)
            uniq.append(t)
    index = {t.profile_id: i for i, t in enumerate(uniq)}
    rel = _Relations(len(uniq))
    _photo_links(uniq, rel)
    _contact_links(uniq, rel)
    _template_links(uniq, index, rel)
    shells = shell_employers(uniq, employer_staff)
    staff = staff_counts(uniq, employer_staff)
    confirmed = confirmed_shells(shells, staff)
    _employer_links(shells, confirmed, rel)
    _target_links(uniq, rel)

    # colleagues at a real employer have an ordinary reason to join together (a new cohort)
    real = [{e for e in _norm_claimed(t) if e not in shells} for t in uniq]
    linked = []
    for (i, j), kinds in rel.weak.items():
        if _burst(uniq[i], uniq[j]) and not real[i] & real[j]:
            kinds["burst"] = WEAK
        if _pair_weight(kinds) >= LINK_THRESHOLD and _has_activity(kinds):
            linked.append((i, j))
    fronts: dict[int, set[str]] = defaultdict(set)
    for emp in confirmed:
        for m in shells[emp]:
            fronts[m].add(emp)
    comps = _cluster(len(uniq), [g for _k, _d, g in rel.groups], linked, fronts)
    groups = [members for members in comps if len(members) >= max(2, min_size)]
    found = (
        _campaign(uniq, members, links, confirmed, staff.keys())
        for members, links in zip(groups, _links_within(groups, rel, shells), strict=True)
    )
    out = [c for c in found if c.score >= min_score]
    out.sort(key=lambda c: (-c.score, -c.size, c.id))
    return out


@dataclass
class _Within:
    """The relations inside one campaign: its members' part of each strong group (two or more
    of them, in ``_Relations.groups`` order) and the weak pairs with both ends among them."""

    groups: list[tuple[str, list[int]]] = field(default_factory=list)
    weak: list[tuple[int, int, dict[str, float]]] = field(default_factory=list)
    #: (employer, members claiming it), two or more, in employer order
    shells: list[tuple[str, int]] = field(default_factory=list)


def _links_within(
    campaigns: Sequence[list[int]], rel: _Relations, shells: Mapping[str, list[int]]
) -> list[_Within]:
    """Every campaign's :class:`_Within`, in one pass over the relations and shell employers.

    Why one pass: scanning all groups and weak pairs once per campaign was quadratic; at 5M
    profiles (3,732 campaigns, millions of weak pairs) it took most of the 268-290 s the
    campaign step needed.
    """
    of = {m: c for c, members in enumerate(campaigns) for m in members}
    out = [_Within() for _ in campaigns]
    for kind, _detail, group in rel.groups:
        parts: dict[int, list[int]] = defaultdict(list)
        for m in group:
            c = of.get(m)
            if c is not None:
                parts[c].append(m)
        for c, g in parts.items():
            if len(g) >= 2:
                out[c].groups.append((kind, g))
    for (i, j), kinds in rel.weak.items():
        c = of.get(i)
        if c is not None and of.get(j) == c:
            out[c].weak.append((i, j, kinds))
    for emp, staff in sorted(shells.items()):
        claims = Counter(c for m in staff if (c := of.get(m)) is not None)
        for c, k in claims.items():
            if k >= 2:
                out[c].shells.append((emp, k))
    return out


def _campaign(
    traits: Sequence[SuspectTraits],
    members: list[int],
    within: _Within,
    confirmed: set[str],
    counted: Collection[str],
) -> Campaign:
    member_kinds: dict[int, set[str]] = defaultdict(set)
    template_fields: dict[str, set[int]] = defaultdict(set)
    photo_groups: list[int] = []
    for kind, g in within.groups:
        for m in g:
            member_kinds[m].add(kind)
        if kind == "photo":
            photo_groups.append(len(g))
    for i, j, kinds in within.weak:
        for k in kinds:
            base = k.split(":", 1)[0]
            member_kinds[i].add(base)
            member_kinds[j].add(base)
            if base == "template":
                template_fields[k.split(":", 1)[1]].update((i, j))
    # burst over the whole group: the largest set created within BURST_DAYS of each other
    burst_members = _largest_burst([traits[m] for m in members])
    if len(burst_members) >= 2:
        for m in members:
            if traits[m].profile_id in burst_members:
                member_kinds[m].add("burst")

    ordered = sorted(members, key=lambda m: (-traits[m].score, traits[m].profile_id))
    ids = [traits[m].profile_id for m in ordered]
    id_set = set(ids)
    target_count: Counter[str] = Counter()
    org_count: Counter[str] = Counter()
    for m in members:
        target_count.update(t for t in set(traits[m].targets) if t not in id_set)
        org_count.update(set(traits[m].target_orgs))
    targets = [t for t, _ in sorted(target_count.items(), key=lambda kv: (-kv[1], kv[0]))]
    orgs = [o for o, _ in sorted(org_count.items(), key=lambda kv: (-kv[1], kv[0]))]

    firsts = [traits[m].first_activity or traits[m].created_at for m in members]
    lasts = [traits[m].last_activity or traits[m].created_at for m in members]
    first = min((d for d in firsts if d is not None), default=None)
    last = max((d for d in lasts if d is not None), default=None)

    links = Counter(k for m in members for k in member_kinds[m])
    n = len(members)
    logit = statistics.median(_logit(traits[m].score) for m in members)
    logit += sum(KIND_BONUS[k] * c / n for k, c in links.items())
    logit += SIZE_BONUS * math.log2(n)
    score = _sigmoid(logit)

    evidence = _evidence(
        traits,
        members,
        links,
        photo_groups,
        template_fields,
        within.shells,
        burst_members,
        target_count,
        org_count,
        confirmed,
        counted,
    )
    return Campaign(
        id=campaign_id(ids),
        members=ids,
        targets=targets,
        organisations=orgs,
        first_activity=first,
        last_activity=last,
        evidence=evidence,
        score=score,
        links=dict(sorted(links.items())),
        member_links={traits[m].profile_id: sorted(member_kinds[m]) for m in ordered},
    )


def _largest_burst(group: Sequence[SuspectTraits]) -> set[str]:
    dated = sorted((t.created_at, t.profile_id) for t in group if t.created_at is not None)
    best: tuple[int, int] = (0, 0)
    lo = 0
    for hi in range(len(dated)):
        while dated[hi][0] - dated[lo][0] > timedelta(days=BURST_DAYS):
            lo += 1
        if hi - lo + 1 > best[1] - best[0]:
            best = (lo, hi + 1)
    return {pid for _, pid in dated[best[0] : best[1]]}


def _quote(text: str, limit: int = 60) -> str:
    """Attacker-written text shown as data: trimmed and quoted, never interpreted."""
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


def _evidence(
    traits: Sequence[SuspectTraits],
    members: list[int],
    links: Counter[str],
    photo_groups: list[int],
    template_fields: Mapping[str, set[int]],
    shells: list[tuple[str, int]],
    burst_members: set[str],
    target_count: Counter[str],
    org_count: Counter[str],
    confirmed: set[str],
    counted: Collection[str],
) -> list[str]:
    n = len(members)
    out: list[str] = []
    if links.get("photo"):
        if len(photo_groups) == 1:
            out.append(f"{photo_groups[0]} of the {n} profiles use the same photo.")
        else:
            out.append(f"{links['photo']} of the {n} profiles reuse photos among themselves.")
    if links.get("contact"):
        out.append(f"{links['contact']} profiles list the same email address or phone number.")
    for fld in sorted(template_fields):
        k = len(template_fields[fld])
        out.append(f"{k} profiles use the same wording ({fld.replace('_', ' ')}).")
    for emp, k in shells:  # (employer, members claiming it), two or more, in employer order
        if emp in confirmed:
            who = ", an employer that no one else in the data lists"
        elif emp in counted:
            who = ", an employer listed mostly by suspicious accounts"
        else:
            who = ""  # no population counts: say only what the profiles say
        out.append(f"{k} profiles claim to work at {_quote(emp)}{who}.")
    if links.get("website"):
        out.append(f"{links['website']} profiles list the same website.")
    if len(burst_members) >= 2:
        dates = sorted(
            d
            for m in members
            if traits[m].profile_id in burst_members and (d := traits[m].created_at) is not None
        )
        out.append(
            f"{len(burst_members)} accounts were created within {BURST_DAYS} days of each "
            f"other ({dates[0]:%d %b %Y} to {dates[-1]:%d %b %Y})."
        )
    common = sum(1 for c in target_count.values() if c >= 2)
    if common:
        out.append(
            f"They approached {common} of the same {'person' if common == 1 else 'people'}; "
            f"{len(target_count)} people in all."
        )
    elif target_count:
        k = len(target_count)
        out.append(f"Together they approached {k} {'person' if k == 1 else 'people'}.")
    shared_orgs = [
        o for o, c in sorted(org_count.items(), key=lambda kv: (-kv[1], kv[0])) if c >= 2
    ]
    if shared_orgs:
        examples = " and ".join(_quote(o, 40) for o in shared_orgs[:2])
        many = len(shared_orgs)
        out.append(
            f"They approached people at the same {many} "
            f"organisation{'s' if many > 1 else ''}, such as {examples}."
        )
    return out


def campaign_signals(campaign: Campaign, member_id: str) -> list[Signal]:
    """The ``campaign.*`` signals for one member of ``campaign`` (empty if it is not a member)."""
    return list(CampaignDetector().signals_for(campaign, member_id))


@register
class CampaignDetector(Detector):
    """Belonging to a campaign lifts a member's score in proportion to the campaign's score.

    Reads ``ctx.extra["campaign"]``, which the engine sets when it re-scores a campaign's members;
    on the first pass there is no campaign and this detector says nothing.
    """

    name = "campaign.membership"
    specs = (
        SignalSpec(
            "campaign.member",
            "Part of a group of profiles that appear to be run together",
            2.0,
            "This profile shares photos, wording, employers, contact details or targets with "
            "other suspicious profiles: the pattern of one operator running many fake personas. "
            "Do not engage with any of them. Report them all to the platform and to your "
            "security team, and warn colleagues who may have been approached too.",
        ),
    )

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterator[Signal]:
        camp = ctx.extra.get("campaign")
        if isinstance(camp, Campaign):
            yield from self.signals_for(camp, profile.id)

    def signals_for(self, campaign: Campaign, member_id: str) -> Iterator[Signal]:
        if member_id not in campaign.member_links:
            return
        kinds = [KIND_WORDS[k] for k in campaign.member_links[member_id] if k in KIND_WORDS]
        others = campaign.size - 1
        text = (
            f"One of {campaign.size} profiles that appear to be run together "
            f"(campaign score {campaign.score:.2f})"
        )
        if kinds:
            text += f": it shares {_join(kinds)} with other members"
        if campaign.targets:
            text += f"; together they approached {len(campaign.targets)} people"
        yield self.signal(
            "campaign.member",
            campaign.score,
            text + ".",
            {"campaign": campaign.id, "size": campaign.size, "others": others},
        )


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
