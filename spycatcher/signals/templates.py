"""Wording shared across accounts: ``text.*`` signals from near-duplicate summaries, headlines
and messages.

Personas are made in batches from one script: the same "About" text with a few words changed, the
same headline, the same approach message sent from several accounts. :class:`TemplateStage`
indexes every profile's summary and headline, and a bounded sample of each account's messages,
in MinHash LSH indexes (:mod:`spycatcher.text.templates`), clusters them once all records are seen,
and tells each profile which others share its wording. Genuine people share wording too (a
company's boilerplate, a recruiting firm's InMail template, "Software Engineer at Google"), so
very short texts are not indexed, huge clusters are treated as boilerplate, and the weights are
moderate: shared wording matters most together with what the account does.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from spycatcher.engine.stages import PopulationStage, register_stage
from spycatcher.schema import Event, Profile
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.registry import register
from spycatcher.text.templates import TemplateIndex

#: ids of other profiles listed per field in ctx.template_matches
MAX_LISTED = 20
#: distinct message texts indexed per sender
MESSAGES_PER_ACTOR = 2
#: minimum content words for a text to count as a template, by field
MIN_TOKENS = {"summary": 8, "headline": 4, "message": 8}
#: clusters larger than this are boilerplate, not a campaign's script, by field
MAX_CLUSTER = {"summary": 500, "headline": 100, "message": 500}
FIELDS = ("summary", "headline", "message")


@register_stage
class TemplateStage(PopulationStage):
    """Near-duplicate clusters of summaries, headlines and messages into ``ctx.template_matches``.

    Options: ``template_threshold`` (estimated Jaccard of content words, default 0.5).
    """

    name = "templates"
    order = 30

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(options)
        threshold = float(str(self.options.get("template_threshold", 0.5)))
        self.indexes = {
            f: TemplateIndex(threshold=threshold, min_tokens=MIN_TOKENS[f]) for f in FIELDS
        }
        self._ids: dict[str, int] = {}
        self._id_list: list[str] = []
        #: per sender: hashes of the texts already looked at (indexed or too short), bounded
        self._msg_seen: dict[int, list[int]] = {}
        #: per field, after finish: the clusters as arrays (see :class:`_Clusters`)
        self._clusters: dict[str, _Clusters] = {}
        # a partial stage (Spark) has seen no profile: it numbers every sender and logs, in input
        # order, each message it looked at (sender, text hash, indexed?) for merge() to replay
        self._partial = self.partial
        self._actors: dict[str, int] = {}
        self._actor_list: list[str] = []
        self._log_actor = array("i")
        self._log_hash = array("q")
        self._log_ok = array("b")

    def _intern(self, pid: str) -> int:
        i = self._ids.get(pid)
        if i is None:
            i = len(self._id_list)
            self._ids[pid] = i
            self._id_list.append(pid)
        return i

    def observe_profile(self, profile: Profile) -> None:
        i = self._intern(profile.id)
        if profile.summary:
            self.indexes["summary"].add(i, profile.summary)
        if profile.headline:
            self.indexes["headline"].add(i, profile.headline)

    def observe_event(self, event: Event) -> None:
        if not event.text or (event.type != "message" and event.type != "invitation"):
            return
        a = self._ids.get(event.actor)
        if a is None:
            if not self._partial:
                return  # not a profile in this scan: nothing to annotate
            a = self._actors.get(event.actor)
            if a is None:
                a = self._actors[event.actor] = len(self._actor_list)
                self._actor_list.append(event.actor)
        h = hash(event.text)
        seen = self._admit(a, h)
        if seen is None:
            return
        ok = self.indexes["message"].add(a, event.text)
        if ok:
            seen[0] += 1
        if self._partial:
            self._log_actor.append(a)
            self._log_hash.append(h)
            self._log_ok.append(ok)

    def _admit(self, a: int, h: int) -> list[int] | None:
        """Sender ``a``'s seen-list with ``h`` recorded, if a text with hash ``h`` is to be looked
        at (a few distinct texts per sender), else None."""
        seen = self._msg_seen.get(a)
        if seen is None:
            seen = self._msg_seen[a] = [0]  # [number indexed, text hashes...]
        elif seen[0] >= MESSAGES_PER_ACTOR or len(seen) > 3 * MESSAGES_PER_ACTOR:
            return None
        if h in seen[1:]:
            return None
        seen.append(h)
        return seen

    def finish(self, as_of: datetime) -> None:
        self._msg_seen.clear()
        for f, index in self.indexes.items():
            index.build()
            self._clusters[f] = _Clusters.of(index.clusters(min_size=2), len(self._id_list))
            index.release()  # annotate reads only the clusters

    def annotate(self, profile: Profile, ctx: ProfileContext) -> None:
        i = self._ids.get(profile.id)
        if i is None:
            return
        sizes: dict[str, int] = {}
        for f in FIELDS:
            table = self._clusters.get(f)
            members = table.members_of(i) if table is not None else None
            if members is None:
                continue
            # a cluster always holds ``i`` itself; only its head is needed for the names, so the
            # cost stays constant however large the cluster (a common headline has thousands)
            head = members[: MAX_LISTED + 1].tolist()
            sizes[f] = len(members) - 1
            ctx.template_matches[f] = [self._id_list[k] for k in head if k != i][:MAX_LISTED]
        if sizes:
            ctx.extra["template_cluster_sizes"] = sizes

    def merge(self, other: PopulationStage) -> None:
        """Fold in a partial stage: its profiles' texts under re-numbered ids, and its message log
        replayed through the same per-sender rules (senders that are profiles only), so the
        indexes hold the same rows in the same order as a single pass."""
        assert isinstance(other, TemplateStage)
        if not other.partial or (other._ids and other._actor_list):
            raise ValueError("merge takes a partial stage that saw only profiles or only events")
        if self._clusters:
            raise RuntimeError("merge stages before finish()")
        remap = np.array([self._intern(pid) for pid in other._id_list], dtype=np.int64)
        for f in ("summary", "headline"):
            keys, sigs = other.indexes[f].entries()
            if len(keys):
                self.indexes[f].extend_entries(remap[keys], sigs)
            self.indexes[f].n_skipped += other.indexes[f].n_skipped
        _, sigs = other.indexes["message"].entries()
        kept_keys: list[int] = []
        kept_rows: list[int] = []
        row = 0
        for j, h, ok in zip(other._log_actor, other._log_hash, other._log_ok, strict=True):
            r = row
            row += ok
            a = self._ids.get(other._actor_list[j])
            if a is None:
                continue  # not a profile in this scan
            seen = self._admit(a, h)
            if seen is None:
                continue
            if ok:
                seen[0] += 1
                kept_keys.append(a)
                kept_rows.append(r)
            else:
                self.indexes["message"].n_skipped += 1
        if kept_rows:
            self.indexes["message"].extend_entries(np.array(kept_keys), sigs[kept_rows])


@dataclass(frozen=True)
class _Clusters:
    """One field's clusters as three arrays instead of a dictionary entry per clustered key.

    At 1M profiles a dictionary from every clustered key to its cluster held ~1M Python ints and
    entries in the parent, and each forked pass-2 worker that looked keys up wrote their
    reference counts, copying those pages; array reads copy nothing.
    """

    cluster_of: np.ndarray  # key -> its cluster's number, -1 when in none (int32)
    starts: np.ndarray  # cluster c's keys are members[starts[c]:starts[c + 1]]
    members: np.ndarray  # every cluster's keys, each cluster sorted

    @classmethod
    def of(cls, clusters: list[np.ndarray], n_keys: int) -> _Clusters:
        top = max((int(k.max()) for k in clusters if len(k)), default=-1)
        cluster_of = np.full(max(n_keys, top + 1), -1, dtype=np.int32)
        for c, keys in enumerate(clusters):
            cluster_of[keys] = c
        sizes = np.fromiter((len(k) for k in clusters), dtype=np.int64, count=len(clusters))
        starts = np.zeros(len(clusters) + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        members = np.concatenate(clusters) if clusters else np.zeros(0, dtype=np.int64)
        return cls(cluster_of, starts, members)

    def members_of(self, key: int) -> np.ndarray | None:
        """The sorted keys of ``key``'s cluster (``key`` included), or None."""
        if key >= len(self.cluster_of):
            return None
        c = int(self.cluster_of[key])
        if c < 0:
            return None
        return self.members[int(self.starts[c]) : int(self.starts[c + 1])]


SPECS: tuple[SignalSpec, ...] = (
    SignalSpec(
        "text.template_summary",
        "Profile text copied from other profiles",
        1.0,
        "Fake profiles are made in batches from one script. Text worded like several other "
        "profiles' is a reason to check whether the person and employer are real before "
        "accepting or replying.",
    ),
    SignalSpec(
        "text.template_headline",
        "Headline worded like other profiles'",
        0.3,
        "Many genuine colleagues share a job title, so this matters only together with other "
        "signs; check the profile's history and employer.",
    ),
    SignalSpec(
        "text.template_message",
        "Sends the same message as other accounts",
        0.8,
        "The same approach message sent from several accounts points to a script run by a team. "
        "Genuine recruiting firms also use templates: check who is behind the message before "
        "replying, and report it if it offers money, trips or asks about your work.",
    ),
)

_FIELD_SIGNAL = {
    "summary": ("text.template_summary", "summary"),
    "headline": ("text.template_headline", "headline"),
    "message": ("text.template_message", "messages"),
}


@register
class TemplateDetector(Detector):
    """``text.*``: reads ``ctx.template_matches`` (from :class:`TemplateStage`)."""

    name = "text.templates"
    specs = SPECS

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        out: list[Signal] = []
        sizes = ctx.extra.get("template_cluster_sizes", {})
        for f, ids in ctx.template_matches.items():
            if f not in _FIELD_SIGNAL or not ids:
                continue
            n = int(sizes.get(f, len(ids)))
            if n > MAX_CLUSTER[f]:
                continue  # boilerplate shared by a crowd, not a campaign's script
            name, what = _FIELD_SIGNAL[f]
            # one look-alike can be chance (or a shared template site); a batch is a script
            strength = min(1.0, 0.3 + 0.1 * n)
            named = ", ".join(ids[:5])
            more = f" and {n - 5} more" if n > 5 else ""
            evidence = (
                f"Same wording in their {what} as {n} other profile{'s' if n > 1 else ''}: "
                f"{named}{more}"
            )
            out.append(self.signal(name, strength, evidence, {"others": ids, "count": n}))
        return out
