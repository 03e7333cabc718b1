"""What an account does: ``behaviour.*`` signals from invitations and messages.

A hostile persona is given away less by its profile than by its behaviour: it writes to many
people, and disproportionately to staff of sensitive organisations (government, defence,
diplomacy, research...) across many such organisations, starting soon after the account was made,
in bursts, replying within minutes, and steering conversations off the platform. A genuine
recruiter or researcher also writes to many people, so the signals measure *whom* and *how*
against the population, not just how much: the share of invitations to sensitive staff is
compared with the population's base rate (lift), and staff of the sender's own organisation do
not count as breadth.

:class:`BehaviourStage` gathers everything in one streaming pass over events into flat columns
(``array`` of ints and floats: ~25 bytes an event) and computes per-account statistics with numpy
sorts and bincounts in :meth:`~BehaviourStage.finish`; memory grows with events and accounts,
never with text (only a bounded sample of texts per sender is kept, for the message detector).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np

from spycatcher.engine.packed import PackedStrings
from spycatcher.engine.stages import PopulationStage, register_stage
from spycatcher.numeric import unique_sorted
from spycatcher.schema import Event, Profile
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.registry import register
from spycatcher.text.lures import MOVE_OFF_PLATFORM, default_matcher
from spycatcher.text.sensitive import SensitiveOrgs, org_key

#: texts kept per sender for the message detector (texts with lures first)
MAX_TEXTS_PER_ACTOR = 20
#: texts without any lure kept per sender (enough for escalation and similarity, bounded memory)
MAX_PLAIN_TEXTS_PER_ACTOR = 2
#: characters kept of one stored text
MAX_TEXT_CHARS = 4_000
#: targets and organisations reported per account
MAX_TARGETS = 50
MAX_TARGET_ORGS = 20
#: pseudo-count pulling a small sender's sensitive share towards the base rate (2 of 2 is no lift)
PRIOR_INVITATIONS = 5.0

#: behaviour.young_account: full strength from this many invitations ...
YOUNG_FULL_INVITATIONS = 40.0
#: ... when the first came within this many days of the account's creation, none from the second
YOUNG_DAYS_FULL = 60.0
YOUNG_DAYS_END = 180.0
#: the "strangers" factor when no invitation's outcome is known
STRANGERS_UNKNOWN = 0.7
#: behaviour.fast_replies: a median within FAST_REPLY_SECONDS over MIN_FAST_REPLIES replies is
#: full strength; within PROMPT_REPLY_SECONDS over MIN_REPLIES it still counts, weaker
MIN_FAST_REPLIES = 3
MIN_REPLIES = 5
FAST_REPLY_SECONDS = 300.0
PROMPT_REPLY_SECONDS = 3600.0

#: bit 15 of a text mask: "this event carried a text" (bits 0..13 are flagged lure categories,
#: 14 is MOVE_OFF_PLATFORM)
HAS_TEXT = 1 << 15


@lru_cache(maxsize=262_144)
def _org_key_cached(name: str) -> str:
    return org_key(name)


def _seconds(dt: datetime | None) -> float:
    if dt is None:
        return math.nan
    return dt.timestamp()


def _as_datetime(ts: float) -> datetime | None:
    if not math.isfinite(ts):
        return None
    return datetime.fromtimestamp(ts, tz=UTC)


@register_stage
class BehaviourStage(PopulationStage):
    """Per-account invitation and message statistics into ``ctx.behaviour`` and ``ctx.sent_texts``.

    Options: ``sensitive_config`` (path to a sensitive-organisation TOML; the built-in list by
    default), ``max_texts_per_actor``.
    """

    name = "behaviour"
    order = 20

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(options)
        cfg = self.options.get("sensitive_config")
        self.sensitive = SensitiveOrgs.load(str(cfg) if cfg else None)
        self._sector_bit = {s.name: i for i, s in enumerate(self.sensitive.sectors)}
        self.matcher = default_matcher()
        lex = self.matcher.lexicon
        # a move off the platform counts whether or not its words alone flag the text: an
        # account that asks many of the people it invited to continue on WhatsApp is doing it
        self._high_risk_mask = MOVE_OFF_PLATFORM | sum(
            1 << lex.bits[c] for c in ("paid_work", "trip", "elicitation") if c in lex.bits
        )
        self._off_mask = MOVE_OFF_PLATFORM
        self.max_texts = int(str(self.options.get("max_texts_per_actor", MAX_TEXTS_PER_ACTOR)))
        # ids
        self._ids: dict[str, int] = {}
        self._id_list: list[str] = []
        self.n_profiles = 0
        # per profile (index = id number; ids first seen in events get defaults in finish)
        self._created = array("d")
        self._sectors = array("H")
        self._sens_org = array("i")
        self._employer = array("i")
        self._orgs: dict[str, int] = {}
        self._org_names: list[str] = []
        # invitations and texts as columns
        self._inv_actor = array("i")
        self._inv_target = array("i")
        self._inv_time = array("d")
        self._inv_acc = array("b")
        self._txt_actor = array("i")
        self._txt_target = array("i")
        self._txt_time = array("d")
        self._txt_mask = array("H")
        self._txt_is_message = array("b")
        self._texts: dict[int, list[str]] = {}
        self._plain_counts: dict[int, int] = {}
        # a partial stage (Spark) has seen no profile: it samples every sender's texts, with their
        # lure masks, and merge() keeps the samples of senders that are profiles
        self._keep_all_texts = self.partial
        self._text_masks: dict[int, list[int]] = {}
        self._finished = False
        # after finish: the text samples packed (see _pack_texts)
        self._text_start = np.zeros(1, dtype=np.int64)
        self._text_pack = PackedStrings()
        #: after finish: every account id packed, for pass 2's lists of targets
        self._id_pack = PackedStrings()
        self.stats: dict[str, np.ndarray] = {}
        self.base_rate = 0.0

    # -- pass 1 ------------------------------------------------------------------------------
    def _intern(self, pid: str) -> int:
        i = self._ids.get(pid)
        if i is None:
            i = len(self._id_list)
            self._ids[pid] = i
            self._id_list.append(pid)
        return i

    def _org(self, name: str) -> int:
        key = _org_key_cached(name)
        if not key:
            return -1
        i = self._orgs.get(key)
        if i is None:
            i = len(self._org_names)
            self._orgs[key] = i
            self._org_names.append(name.strip()[:200])
        return i

    def observe_profile(self, profile: Profile) -> None:
        i = self._intern(profile.id)
        match = self.sensitive.classify(profile)
        sectors = 0
        sens_org = -1
        if match is not None:
            for s in match.sectors:
                sectors |= 1 << self._sector_bit[s]
            sens_org = self._org(match.org)
        employer = -1
        for pos in profile.current_positions():
            if pos.company:
                employer = self._org(pos.company)
                break
        created = _seconds(profile.created_at)
        if i == len(self._created):
            self._created.append(created)
            self._sectors.append(sectors)
            self._sens_org.append(sens_org)
            self._employer.append(employer)
        elif i < len(self._created):  # the same id twice: the later record wins
            self._created[i] = created
            self._sectors[i] = sectors
            self._sens_org[i] = sens_org
            self._employer[i] = employer
        else:  # pragma: no cover - ids from events are interned only after pass 1
            raise RuntimeError("profiles must be observed before events")
        self.n_profiles = len(self._created)

    # -- events (the hottest loop of a scan: keep it lean) -----------------------------------
    def observe_event(self, event: Event) -> None:
        typ = event.type
        if typ != "invitation" and typ != "message":
            return
        ids = self._ids
        a = ids.get(event.actor)
        if a is None:
            a = self._intern(event.actor)
        b = ids.get(event.target)
        if b is None:
            b = self._intern(event.target)
        t = event.at.timestamp()
        if typ == "invitation":
            self._inv_actor.append(a)
            self._inv_target.append(b)
            self._inv_time.append(t)
            acc = event.accepted
            self._inv_acc.append(-1 if acc is None else int(acc))
        text = event.text
        if text:
            mask = self.matcher.mask(text) | HAS_TEXT
            self._txt_actor.append(a)
            self._txt_target.append(b)
            self._txt_time.append(t)
            self._txt_mask.append(mask)
            self._txt_is_message.append(typ == "message")
            if a < self.n_profiles or self._keep_all_texts:
                self._keep_text(a, text, mask)

    def _keep_text(self, a: int, text: str, mask: int) -> None:
        texts = self._texts.get(a)
        if texts is None:
            texts = self._texts[a] = []
        text = text[:MAX_TEXT_CHARS]
        if len(texts) >= self.max_texts or text in texts:
            return
        if mask == HAS_TEXT:
            plain = self._plain_counts.get(a, 0)
            if plain >= MAX_PLAIN_TEXTS_PER_ACTOR:
                return
            self._plain_counts[a] = plain + 1
        texts.append(text)
        if self._keep_all_texts:
            self._text_masks.setdefault(a, []).append(mask)

    # -- population statistics ---------------------------------------------------------------
    def finish(self, as_of: datetime) -> None:
        n = len(self._id_list)
        n_prof = self.n_profiles
        sens_org = np.full(n, -1, dtype=np.int32)
        sens_org[:n_prof] = np.frombuffer(self._sens_org, dtype=np.int32)
        employer = np.full(n, -1, dtype=np.int32)
        employer[:n_prof] = np.frombuffer(self._employer, dtype=np.int32)
        created = np.full(n, np.nan)
        created[:n_prof] = np.frombuffer(self._created, dtype=np.float64)
        self._sens_org_np = sens_org
        self._sectors_np = np.zeros(n, dtype=np.uint16)
        self._sectors_np[:n_prof] = np.frombuffer(self._sectors, dtype=np.uint16)

        st: dict[str, np.ndarray] = {}
        invited = self._invitation_stats(n, sens_org, employer, created, st)
        self._text_stats(n, st, invited)
        self.stats = st
        # raw columns are no longer needed: release them
        for col in (
            "_inv_time",
            "_inv_acc",
            "_txt_actor",
            "_txt_target",
            "_txt_time",
            "_txt_mask",
            "_txt_is_message",
        ):
            setattr(self, col, array(getattr(self, col).typecode))
        # the text sample is complete: its per-sender counters go too (an entry per sender)
        self._plain_counts = {}
        self._text_masks = {}
        self._pack_texts(n)
        self._finished = True

    def _pack_texts(self, n: int) -> None:
        """Pack the per-sender text samples, and every account id, into buffers with offsets
        (:mod:`spycatcher.engine.packed`): pass 2 reads them for every profile, and read as
        Python strings made one by one during the events pass they made each forked worker copy
        most of the parent's pages. Texts ``_text_start[i]`` to ``_text_start[i + 1]`` are
        sender ``i``'s."""
        start = np.zeros(n + 1, dtype=np.int64)

        def in_order() -> Iterator[str]:
            for i in sorted(self._texts):
                texts = self._texts.pop(i)  # let go of each list as it is packed
                start[i + 1] = len(texts)
                yield from texts

        self._text_pack = PackedStrings(in_order())
        self._texts = {}
        np.cumsum(start, out=start)
        self._text_start = start
        self._id_pack = PackedStrings(self._id_list)

    def sample_of(self, i: int) -> list[str]:
        """Account number ``i``'s sample of sent texts, in the order they were kept."""
        if not self._finished:
            return list(self._texts.get(i, []))
        return self._text_pack.slice(int(self._text_start[i]), int(self._text_start[i + 1]))

    def _invitation_stats(
        self,
        n: int,
        sens_org: np.ndarray,
        employer: np.ndarray,
        created: np.ndarray,
        st: dict[str, np.ndarray],
    ) -> np.ndarray | None:
        """Invitation statistics into ``st``; returns the sorted keys (actor * n + target) of
        invitations sent, or None when the data holds no invitations at all."""
        ia = np.frombuffer(self._inv_actor, dtype=np.int32).astype(np.int64)
        it = np.frombuffer(self._inv_target, dtype=np.int32).astype(np.int64)
        tt = np.frombuffer(self._inv_time, dtype=np.float64)
        acc = np.frombuffer(self._inv_acc, dtype=np.int8)
        inv = np.bincount(ia, minlength=n)
        st["invitations"] = inv.astype(np.int32)
        st["accepted"] = np.bincount(ia, weights=(acc == 1), minlength=n).astype(np.int32)
        st["acc_known"] = np.bincount(ia, weights=(acc >= 0), minlength=n).astype(np.int32)
        tgt_org = sens_org[it] if len(it) else np.zeros(0, dtype=np.int32)
        tgt_sens = tgt_org >= 0
        # staff of the sender's own organisation are colleagues, not targets
        outside = tgt_sens & (tgt_org != employer[ia])
        sens = np.bincount(ia, weights=tgt_sens, minlength=n)
        st["sensitive"] = sens.astype(np.int32)
        st["sensitive_outside"] = np.bincount(ia, weights=outside, minlength=n).astype(np.int32)
        # base rate: the mean sender's share (each sender counts once, so heavy senders,
        # including the personas themselves, do not set the norm)
        senders = inv >= 3
        if senders.any():
            self.base_rate = float(np.mean(sens[senders] / inv[senders]))
        elif inv.sum():
            self.base_rate = float(sens.sum() / inv.sum())
        base = max(self.base_rate, 1e-3)
        smoothed = (sens + PRIOR_INVITATIONS * base) / (inv + PRIOR_INVITATIONS)
        st["sensitive_share"] = np.where(inv > 0, sens / np.maximum(inv, 1), 0.0).astype(np.float32)
        st["lift"] = np.where(inv > 0, smoothed / base, 0.0).astype(np.float32)
        # distinct sensitive organisations outside the sender's own
        n_orgs = max(len(self._org_names), 1)
        pair = unique_sorted(ia[outside] * n_orgs + tgt_org[outside])
        st["distinct_sensitive_orgs"] = np.bincount(pair // n_orgs, minlength=n).astype(np.int32)
        # time: first/last invitation, burstiness, busiest day
        first = np.full(n, np.inf)
        last = np.full(n, -np.inf)
        if len(ia):
            np.minimum.at(first, ia, tt)
            np.maximum.at(last, ia, tt)
        st["first_at"] = first
        st["last_at"] = last
        span_days = np.where(inv > 0, (last - first) / 86400.0, 0.0)
        st["rate_per_day"] = np.where(inv > 0, inv / (span_days + 1.0), 0.0).astype(np.float32)
        st["age_at_first_days"] = np.where(
            (inv > 0) & np.isfinite(created), (first - created) / 86400.0, np.nan
        ).astype(np.float32)
        order = np.lexsort((tt, ia))
        sa, stt = ia[order], tt[order]
        same = np.zeros(len(sa), dtype=bool)
        same[1:] = sa[1:] == sa[:-1]
        gaps = np.where(same, np.diff(stt, prepend=0.0), 0.0)
        g_n = np.bincount(sa, weights=same, minlength=n)
        g_sum = np.bincount(sa, weights=gaps, minlength=n)
        g_sq = np.bincount(sa, weights=gaps * gaps, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = g_sum / g_n
            std = np.sqrt(np.maximum(g_sq / g_n - mean * mean, 0.0))
            burst = (std - mean) / (std + mean)
        st["burstiness"] = np.where(g_n >= 2, np.nan_to_num(burst, nan=0.0), np.nan).astype(
            np.float32
        )
        day = np.floor(tt / 86400.0).astype(np.int64)
        if len(ia):
            day_key = ia * (int(day.max() - day.min()) + 1) + (day - day.min())
            uk, counts = np.unique(day_key, return_counts=True)
            peak = np.zeros(n, dtype=np.int64)
            np.maximum.at(peak, uk // (int(day.max() - day.min()) + 1), counts)
        else:
            peak = np.zeros(n, dtype=np.int64)
        st["peak_day"] = peak.astype(np.int32)
        # targets for evidence: per sender, staff of sensitive organisations first, oldest first
        order = np.lexsort((tt, ~tgt_sens, ia))
        self._inv_order_targets = it[order].astype(np.int32)
        self._inv_start = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(inv, out=self._inv_start[1:])
        return unique_sorted(ia * n + it) if len(ia) else None

    def _text_stats(self, n: int, st: dict[str, np.ndarray], invited: np.ndarray | None) -> None:
        ta = np.frombuffer(self._txt_actor, dtype=np.int32).astype(np.int64)
        tb = np.frombuffer(self._txt_target, dtype=np.int32).astype(np.int64)
        tt = np.frombuffer(self._txt_time, dtype=np.float64)
        tm = np.frombuffer(self._txt_mask, dtype=np.uint16).astype(np.int64)
        is_msg = np.frombuffer(self._txt_is_message, dtype=np.int8).astype(bool)
        st["texts_sent"] = np.bincount(ta, minlength=n).astype(np.int32)
        # accounts with a flagged lure in any text: the message detector reads only their texts
        # again (pass 2 would otherwise re-read every sender's texts to find nothing)
        lured = np.zeros(n, dtype=bool)
        lured[ta[(tm & (MOVE_OFF_PLATFORM - 1)) != 0]] = True
        st["lure_flagged"] = lured
        # reply latency: in each conversation (unordered pair), a message that answers the other
        # side's last message; attributed to the one replying
        lo, hi = np.minimum(ta, tb), np.maximum(ta, tb)
        conv = lo * n + hi
        m_idx = np.flatnonzero(is_msg)
        order = m_idx[np.lexsort((tt[m_idx], conv[m_idx]))]
        c, a, t = conv[order], ta[order], tt[order]
        reply = np.zeros(len(c), dtype=bool)
        reply[1:] = (c[1:] == c[:-1]) & (a[1:] != a[:-1])
        lat = np.diff(t, prepend=0.0)[reply]
        rep = a[reply]
        st["replies"] = np.bincount(rep, minlength=n).astype(np.int32)
        med = np.full(n, np.nan, dtype=np.float32)
        if len(rep):
            o = np.lexsort((lat, rep))
            r_sorted, l_sorted = rep[o], lat[o]
            counts = np.bincount(r_sorted, minlength=n)
            starts = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(counts, out=starts[1:])
            has = counts > 0
            lo_i = starts[:-1][has] + (counts[has] - 1) // 2
            hi_i = starts[:-1][has] + counts[has] // 2
            med[has] = (l_sorted[lo_i] + l_sorted[hi_i]) / 2.0
        st["median_reply_seconds"] = med
        # directed conversations: off-platform moves and escalation (a high-risk lure after a
        # harmless text in the same conversation)
        dkey = ta * n + tb
        order = np.lexsort((tt, dkey))
        dk, dm = dkey[order], tm[order]
        new = np.ones(len(dk), dtype=bool)
        new[1:] = dk[1:] != dk[:-1]
        group_start = np.maximum.accumulate(np.where(new, np.arange(len(dk)), 0))
        benign = dm == HAS_TEXT
        last_benign = np.maximum.accumulate(np.where(benign, np.arange(len(dk)), -1))
        before = np.full(len(dk), -1)
        before[1:] = last_benign[:-1]
        escalating = ((dm & self._high_risk_mask) != 0) & (before >= group_start)
        esc_pairs = unique_sorted(dk[escalating])
        off_pairs = unique_sorted(dk[(dm & self._off_mask) != 0])
        st["escalating_conversations_all"] = np.bincount(esc_pairs // n, minlength=n).astype(
            np.int32
        )
        st["off_platform_moves_all"] = np.bincount(off_pairs // n, minlength=n).astype(np.int32)
        # an approach is a conversation with someone the account invited: friends of long
        # standing moving to WhatsApp are not one (without invitation data, count them all)
        if invited is not None:
            esc_pairs = esc_pairs[np.isin(esc_pairs, invited, assume_unique=True)]
            off_pairs = off_pairs[np.isin(off_pairs, invited, assume_unique=True)]
        st["escalating_conversations"] = np.bincount(esc_pairs // n, minlength=n).astype(np.int32)
        st["off_platform_moves"] = np.bincount(off_pairs // n, minlength=n).astype(np.int32)
        st["conversations"] = np.bincount(unique_sorted(dk) // n, minlength=n).astype(np.int32)

    # -- pass 2 ------------------------------------------------------------------------------
    def annotate(self, profile: Profile, ctx: ProfileContext) -> None:
        i = self._ids.get(profile.id)
        if i is None or not self._finished:
            return
        texts = self.sample_of(i)
        if texts:
            ctx.sent_texts = texts
            # a stored text cut at MAX_TEXT_CHARS may read differently from the whole one the
            # mask came from (a veto after the cut), so the detector reads such samples itself
            ctx.sent_texts_flagged = bool(self.stats["lure_flagged"][i]) or any(
                len(t) >= MAX_TEXT_CHARS for t in texts
            )
        ctx.behaviour = self.behaviour_of(i)

    def behaviour_of(self, i: int) -> dict[str, Any]:
        """The behaviour dict for account number ``i`` (see ProfileContext.behaviour)."""
        st = self.stats
        inv = int(st["invitations"][i])
        known = int(st["acc_known"][i])
        accepted = int(st["accepted"][i])
        out: dict[str, Any] = {
            "invitations": inv,
            "accepted": accepted,
            "acceptance_rate": (accepted / known) if known else None,
            "sensitive_invitations": int(st["sensitive"][i]),
            "sensitive_outside_own_org": int(st["sensitive_outside"][i]),
            "sensitive_share": float(st["sensitive_share"][i]),
            "base_rate": self.base_rate,
            "lift": float(st["lift"][i]),
            "distinct_sensitive_orgs": int(st["distinct_sensitive_orgs"][i]),
            "burstiness": _opt(st["burstiness"][i]),
            "peak_day_invitations": int(st["peak_day"][i]),
            "invitations_per_day": float(st["rate_per_day"][i]),
            "age_at_first_invitation_days": _opt(st["age_at_first_days"][i]),
            "median_reply_seconds": _opt(st["median_reply_seconds"][i]),
            "replies": int(st["replies"][i]),
            "texts_sent": int(st["texts_sent"][i]),
            "off_platform_moves": int(st["off_platform_moves"][i]),
            "off_platform_moves_all": int(st["off_platform_moves_all"][i]),
            "escalating_conversations": int(st["escalating_conversations"][i]),
            "escalating_conversations_all": int(st["escalating_conversations_all"][i]),
            "conversations_seen": int(st["conversations"][i]),
            "first_at": _as_datetime(float(st["first_at"][i])),
            "last_at": _as_datetime(float(st["last_at"][i])),
            "targets": [],
            "target_orgs": [],
            "target_sectors": [],
        }
        if inv:
            lo = int(self._inv_start[i])
            block = self._inv_order_targets[lo : lo + inv]
            out["targets"] = list(
                dict.fromkeys(self._id_pack[int(t)] for t in block[: MAX_TARGETS * 2])
            )[:MAX_TARGETS]
            orgs: dict[int, None] = {}
            sector_bits = 0
            own = int(self._employer[i]) if i < self.n_profiles else -1
            for t in block[:2000].tolist():
                o = int(self._sens_org_np[t])
                if o < 0:
                    break  # sensitive targets come first
                sector_bits |= int(self._sectors_np[t])
                if o != own and len(orgs) < MAX_TARGET_ORGS:
                    orgs[o] = None
            out["target_orgs"] = [self._org_names[o] for o in orgs]
            out["target_sectors"] = [
                s.name for k, s in enumerate(self.sensitive.sectors) if sector_bits >> k & 1
            ]
        if out["escalating_conversations"]:
            for text in self.sample_of(i):
                if self.matcher.mask(text) & self._high_risk_mask:
                    out["escalation_example"] = text[:300]
                    break
        return out

    def id_of(self, i: int) -> str:
        return self._id_list[i]

    # -- Spark partitions ----------------------------------------------------------------------
    def merge(self, other: PopulationStage) -> None:
        """Fold in a partial stage: ids and organisations re-numbered in input order, profile
        facts set (the later record wins), event columns appended, and each profile's text
        sample replayed through the same rules, so it holds what a single pass would keep."""
        assert isinstance(other, BehaviourStage)
        if self._finished or other._finished:
            raise RuntimeError("merge stages before finish()")
        if other.n_profiles and len(self._id_list) > self.n_profiles:
            raise RuntimeError("profiles must be merged before events")
        remap = np.fromiter(
            (self._intern(pid) for pid in other._id_list), dtype=np.int64, count=len(other._id_list)
        )
        if other.n_profiles:
            keys = [""] * len(other._org_names)
            for key, k in other._orgs.items():
                keys[k] = key
            org_map = np.full(len(keys) + 1, -1, dtype=np.int64)  # last slot: -1 stays -1
            for k, key in enumerate(keys):
                o = self._orgs.get(key)
                if o is None:
                    o = self._orgs[key] = len(self._org_names)
                    self._org_names.append(other._org_names[k])
                org_map[k] = o
            for j in range(other.n_profiles):
                i = int(remap[j])
                created, sectors = other._created[j], other._sectors[j]
                sens_org = int(org_map[other._sens_org[j]])
                employer = int(org_map[other._employer[j]])
                if i == len(self._created):
                    self._created.append(created)
                    self._sectors.append(sectors)
                    self._sens_org.append(sens_org)
                    self._employer.append(employer)
                else:  # the same id in an earlier segment: the later record wins
                    self._created[i], self._sectors[i] = created, sectors
                    self._sens_org[i], self._employer[i] = sens_org, employer
            self.n_profiles = len(self._created)

        def ids(col: array) -> bytes:
            return remap[np.frombuffer(col, dtype=np.int32)].astype(np.int32).tobytes()

        self._inv_actor.frombytes(ids(other._inv_actor))
        self._inv_target.frombytes(ids(other._inv_target))
        self._inv_time.extend(other._inv_time)
        self._inv_acc.extend(other._inv_acc)
        self._txt_actor.frombytes(ids(other._txt_actor))
        self._txt_target.frombytes(ids(other._txt_target))
        self._txt_time.extend(other._txt_time)
        self._txt_mask.extend(other._txt_mask)
        self._txt_is_message.extend(other._txt_is_message)
        for j, texts in other._texts.items():
            a = int(remap[j])
            if a >= self.n_profiles and not self._keep_all_texts:
                continue
            masks = other._text_masks.get(j) or [self.matcher.mask(t) | HAS_TEXT for t in texts]
            for text, mask in zip(texts, masks, strict=True):
                self._keep_text(a, text, mask)


def _opt(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


# ---------------------------------------------------------------------------------------------
_ADVICE_TARGETING = (
    "Accounts that work through the staff of sensitive organisations one after another are how "
    "hostile services find people to approach. If this account wrote to you, do not share work "
    "details, tell your security team, report the profile and remove the connection."
)

SPECS: tuple[SignalSpec, ...] = (
    SignalSpec(
        "behaviour.sensitive_targeting",
        "Mostly writes to staff of sensitive organisations",
        2.0,
        _ADVICE_TARGETING,
    ),
    SignalSpec(
        "behaviour.many_sensitive_orgs",
        "Approaches staff across many sensitive organisations",
        0.6,
        _ADVICE_TARGETING,
    ),
    SignalSpec(
        "behaviour.young_account",
        "Started inviting many strangers soon after the account was created",
        2.5,
        "A new account that immediately invites dozens of people who do not know it is how fake "
        "personas start. Check who they are before accepting.",
    ),
    SignalSpec(
        "behaviour.burst",
        "Sends invitations in bursts",
        0.6,
        "Many invitations in a short time, then silence, is typical of accounts worked in "
        "sessions by an operator. On its own it proves nothing.",
    ),
    SignalSpec(
        "behaviour.high_volume",
        "Sends invitations to very many people",
        0.4,
        "Recruiters and researchers write to many people too; this matters together with whom "
        "they write to.",
    ),
    SignalSpec(
        "behaviour.low_acceptance",
        "Most people ignore their invitations",
        0.5,
        "When most recipients decline, many of them did not know the sender. Accept only people "
        "you know or can verify.",
    ),
    SignalSpec(
        "behaviour.fast_replies",
        "Replies within the hour, every time",
        0.8,
        "Very fast replies at any hour suggest an operator paid to keep the conversation going. "
        "On its own it proves nothing.",
    ),
    SignalSpec(
        "behaviour.off_platform",
        "Steers several conversations off the platform",
        1.2,
        "Moving one conversation to WhatsApp or personal email can be innocent; doing it with "
        "many people is a method. Keep contact on the platform until you have verified who "
        "they are, and tell your security team.",
    ),
)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _days(x: float) -> str:
    if x < 1:
        return "less than a day"
    return f"{x:.0f} day{'s' if round(x) != 1 else ''}"


def _minutes(seconds: float) -> str:
    m = round(seconds / 60)
    if m < 1:
        return "less than a minute"
    return f"{m} minute{'s' if m != 1 else ''}"


def _young_strength(inv: int, age_days: float, acceptance: float | None) -> float:
    """How strongly "invited many people soon after the account was made" speaks for a persona.

    Three factors, each in [0, 1]: volume (full at YOUNG_FULL_INVITATIONS), youth (full up to
    YOUNG_DAYS_FULL days between creation and the first invitation, none from YOUNG_DAYS_END),
    and strangers: a new member importing an address book invites people who know them and
    nearly all accept, so an acceptance rate of 90% or more keeps a quarter of the strength and
    one below 70% all of it (unknown acceptance: STRANGERS_UNKNOWN). On the tuning networks
    (synthetic seeds 5 and 3) no genuine recruiter or researcher and ~0.1% of ordinary members
    started inviting 15+ people within 120 days of creation, against ~97% of personas."""
    volume = min(1.0, inv / YOUNG_FULL_INVITATIONS)
    youth = min(1.0, max(0.0, (YOUNG_DAYS_END - age_days) / (YOUNG_DAYS_END - YOUNG_DAYS_FULL)))
    if acceptance is None:
        strangers = STRANGERS_UNKNOWN
    else:
        strangers = min(1.0, max(0.25, (1.0 - acceptance) / 0.25))
    return volume * youth * strangers


def _prompt_strength(median_seconds: float) -> float:
    """1 for a median reply within FAST_REPLY_SECONDS, falling linearly to 0.4 at
    PROMPT_REPLY_SECONDS: an operator paid to keep conversations going answers within the hour
    every time; busy professionals' medians run to hours (recruiters' and researchers' median
    ~4-5 hours on the tuning networks)."""
    if median_seconds <= FAST_REPLY_SECONDS:
        return 1.0
    span = PROMPT_REPLY_SECONDS - FAST_REPLY_SECONDS
    return 1.0 - 0.6 * (median_seconds - FAST_REPLY_SECONDS) / span


@register
class BehaviourDetector(Detector):
    """``behaviour.*``: reads ``ctx.behaviour`` (from :class:`BehaviourStage`)."""

    name = "behaviour.events"
    specs = SPECS

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        b = ctx.behaviour
        if not b:
            return []
        out: list[Signal] = []
        inv = int(b.get("invitations") or 0)
        lift = float(b.get("lift") or 0.0)
        share = float(b.get("sensitive_share") or 0.0)
        outside = int(b.get("sensitive_outside_own_org") or 0)
        base = float(b.get("base_rate") or 0.0)
        orgs = list(b.get("target_orgs") or [])
        n_orgs = int(b.get("distinct_sensitive_orgs") or 0)
        sectors = list(b.get("target_sectors") or [])
        if inv >= 5 and outside >= 3 and lift >= 2.0:
            strength = min(1.0, (lift - 1.5) / 3.0) * min(1.0, outside / 15.0)
            where = f" ({', '.join(s.replace('_', ' ') for s in sectors[:4])})" if sectors else ""
            ex = f", e.g. {', '.join(orgs[:3])}" if orgs else ""
            out.append(
                self.signal(
                    "behaviour.sensitive_targeting",
                    max(strength, 0.2),
                    f"{_pct(share)} of their {inv} invitations went to staff of sensitive "
                    f"organisations{where}{ex}: {lift:.1f} times the usual share on this network "
                    f"({_pct(base)})",
                    {"invitations": inv, "share": share, "lift": lift, "base_rate": base},
                )
            )
        if n_orgs >= 4:
            out.append(
                self.signal(
                    "behaviour.many_sensitive_orgs",
                    min(1.0, (n_orgs - 3) / 10.0),
                    f"Invited staff of {n_orgs} different sensitive organisations"
                    + (f", including {', '.join(orgs[:5])}" if orgs else ""),
                    {"organisations": orgs, "count": n_orgs},
                )
            )
        age = b.get("age_at_first_invitation_days")
        acc = b.get("acceptance_rate")
        if age is not None and inv >= 15 and 0 <= float(age) < YOUNG_DAYS_END:
            # a new member inviting people they know is normal (nearly all accept); a new account
            # inviting dozens of strangers from its first weeks is how a persona starts
            strength = _young_strength(inv, float(age), None if acc is None else float(acc))
            if strength >= 0.05:  # high acceptance and few invitations: nothing to report
                out.append(
                    self.signal(
                        "behaviour.young_account",
                        strength,
                        f"Started inviting people {_days(float(age))} after the account was "
                        f"created, {inv} invitations in all"
                        + (f", {_pct(float(acc))} of them accepted" if acc is not None else ""),
                        {
                            "age_at_first_invitation_days": float(age),
                            "invitations": inv,
                            "acceptance_rate": acc,
                        },
                    )
                )
        burst = b.get("burstiness")
        peak = int(b.get("peak_day_invitations") or 0)
        if inv >= 15 and (peak >= max(15, 0.3 * inv) or (burst is not None and burst >= 0.6)):
            out.append(
                self.signal(
                    "behaviour.burst",
                    min(1.0, max(peak / max(inv, 1), float(burst or 0.0))),
                    f"Sent {peak} of their {inv} invitations on a single day"
                    + (f" (burstiness {float(burst):.2f})" if burst is not None else ""),
                )
            )
        rate = float(b.get("invitations_per_day") or 0.0)
        if inv >= 100:
            out.append(
                self.signal(
                    "behaviour.high_volume",
                    min(1.0, inv / 400.0),
                    f"Sent {inv} invitations ({rate:.1f} a day while active)",
                )
            )
        if acc is not None and inv >= 20 and float(acc) < 0.3:
            out.append(
                self.signal(
                    "behaviour.low_acceptance",
                    (0.3 - float(acc)) / 0.3,
                    f"Only {_pct(float(acc))} of their {inv} invitations were accepted",
                )
            )
        med = b.get("median_reply_seconds")
        replies = int(b.get("replies") or 0)
        m = float(med) if med is not None else math.inf
        if m <= PROMPT_REPLY_SECONDS and replies >= (
            MIN_FAST_REPLIES if m <= FAST_REPLY_SECONDS else MIN_REPLIES
        ):
            out.append(
                self.signal(
                    "behaviour.fast_replies",
                    _prompt_strength(m) * min(1.0, replies / 10.0),
                    f"Replied in a median of {_minutes(m)} across {replies} replies",
                    {"median_reply_seconds": m, "replies": replies},
                )
            )
        moves = int(b.get("off_platform_moves") or 0)
        if moves >= 2:
            out.append(
                self.signal(
                    "behaviour.off_platform",
                    min(1.0, 0.4 + 0.15 * moves),
                    f"Asked {moves} different people to continue off the platform",
                )
            )
        return out
