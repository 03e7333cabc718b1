"""What personas and look-alike genuine members do: invitations, conversations, reports.

Personas concentrate invitations on staff of sensitive organisations in their campaign's target
sectors and countries (with some noise, and careful operators warm up on ordinary members first),
share targets across the campaign, and escalate in conversation (interest, offer, off-platform,
probing, reward) replying within minutes. Genuine recruiters and researchers are the hard
negatives: many invitations, recruiter or research wording, some concentration on officials, but
long-established accounts, no off-platform moves and no paid-report offers.
"""

from __future__ import annotations

import random

import numpy as np

from spycatcher.synth import texts
from spycatcher.synth.campaigns import KIND_SKILLS, Campaign, Persona
from spycatcher.synth.clock import DAY, HOUR, WINDOW, pyrng_for, rng_for, work_at
from spycatcher.synth.eventlog import (
    CONNECTION,
    ENDORSEMENT,
    FALSE,
    INVITATION,
    MESSAGE,
    NONE,
    REPORT,
    REPORT_REASONS,
    TRUE,
    VIEW,
    Counter,
    EventLog,
)
from spycatcher.synth.graph import Adjacency
from spycatcher.synth.lures import REPORT_TEXTS, target_reply
from spycatcher.synth.people import Directory
from spycatcher.synth.places import CITIES
from spycatcher.synth.population import NEWCOMER, RECRUITER, RESEARCHER, Population
from spycatcher.synth.sectors import SECTOR_INDEX, SECTORS

#: where researchers' interviewees work
OFFICIAL_SECTORS = ("government", "diplomacy", "parliament", "defence", "intelligence")
_CITY_COUNTRY = np.array([c.country for c in CITIES], dtype=np.int64)


class Pools:
    """Genuine members grouped by (sector, country) and by country, for fast target sampling."""

    def __init__(self, pop: Population) -> None:
        ng = pop.n_genuine
        country = _CITY_COUNTRY[pop.city[:ng]]
        key = pop.sector[:ng].astype(np.int64) * 100 + country
        order = np.argsort(key, kind="stable").astype(np.int32)
        k = key[order]
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        ends = np.r_[starts[1:], len(k)]
        self.by_sector_country = {
            (int(k[s]) // 100, int(k[s]) % 100): order[s:e]
            for s, e in zip(starts, ends, strict=True)
        }
        corder = np.argsort(country, kind="stable").astype(np.int32)
        ck = country[corder]
        cstarts = np.flatnonzero(np.r_[True, ck[1:] != ck[:-1]])
        cends = np.r_[cstarts[1:], len(ck)]
        self.by_country = {int(ck[s]): corder[s:e] for s, e in zip(cstarts, cends, strict=True)}
        self.n_genuine = ng

    def sector_members(self, sectors: list[int], countries: list[int] | None) -> np.ndarray:
        parts = [
            v
            for (s, c), v in self.by_sector_country.items()
            if s in sectors and (countries is None or c in countries)
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def country_members(self, countries: list[int]) -> np.ndarray:
        parts = [self.by_country[c] for c in countries if c in self.by_country]
        return np.concatenate(parts) if parts else np.arange(self.n_genuine, dtype=np.int32)


def _weighted_sample(rng: np.random.Generator, w: np.ndarray, k: int) -> np.ndarray:
    """k distinct indices, probability proportional to weight (Efraimidis-Spirakis keys)."""
    if k >= len(w):
        return np.arange(len(w))
    keys = rng.random(len(w)) ** (1.0 / w)
    return np.argpartition(-keys, k)[:k]


def _reply_delay(r: random.Random) -> int:
    """How long a genuine member takes to answer: minutes to days, median a few hours."""
    return int(max(180.0, min(r.lognormvariate(np.log(5 * HOUR), 1.3), 9 * DAY)))


def _report(
    log: EventLog, r: random.Random, t: int, by: int, about: int, reason: str, as_of: int
) -> None:
    if t < as_of:
        text = r.choice(REPORT_TEXTS[reason]) if r.random() < 0.7 else None
        log.add(t, REPORT, by, about, text, aux=REPORT_REASONS.index(reason))


class Approaches:
    """Plans all non-bulk activity into one EventLog."""

    def __init__(
        self,
        seed: int,
        pop: Population,
        people: Directory,
        adj: Adjacency,
        log: EventLog,
        conv: Counter,
    ) -> None:
        self.seed = seed
        self.pop = pop
        self.people = people
        self.adj = adj
        self.log = log
        self.conv = conv
        self.pools = Pools(pop)
        self.as_of = pop.as_of
        self.w0 = pop.as_of - WINDOW

    # ---- campaigns ---------------------------------------------------------------------------

    def campaign(self, camp: Campaign, personas: dict[int, Persona]) -> None:
        r = pyrng_for(self.seed, "approach", camp.index)
        rng = rng_for(self.seed, "approach", camp.index)
        pop, tr = self.pop, camp.traits
        cands = self.pools.sector_members(camp.target_sectors, camp.target_countries)
        if len(cands) < 30:
            cands = self.pools.sector_members(camp.target_sectors, None)
        if len(cands) == 0:
            sens = [i for i, s in enumerate(SECTORS) if s.sensitive]
            cands = self.pools.sector_members(sens, None)
        n_inv = {p: r.randint(*tr["invitations"]) for p in camp.members}
        total = sum(n_inv.values())
        # Focus organisations: a campaign works through a few employers' staff.
        orgs_of = pop.org[cands]
        uniq, counts = np.unique(orgs_of, return_counts=True)
        n_focus = min(len(uniq), r.randint(2, 8))
        focus = uniq[_weighted_sample(rng, counts.astype(np.float64), n_focus)]
        w = 1.0 + 7.0 * np.isin(orgs_of, focus) + 0.5 * pop.seniority[cands]
        size = min(len(cands), max(20, int(total * r.uniform(0.5, 0.9))))
        pool = cands[_weighted_sample(rng, w, size)]
        noise_pool = self.pools.country_members(camp.target_countries)
        members = camp.members
        for p in members:
            self._persona(r, rng, camp, p, personas[p], pool, noise_pool, n_inv[p])
        if tr["intra_links"] and len(members) > 1:
            self._intra_links(r, camp, personas)

    def _persona(
        self,
        r: random.Random,
        rng: np.random.Generator,
        camp: Campaign,
        p: int,
        persona: Persona,
        pool: np.ndarray,
        noise_pool: np.ndarray,
        n_inv: int,
    ) -> None:
        pop, tr, log, as_of = self.pop, camp.traits, self.log, self.as_of
        created = int(pop.created[p])
        start = max(camp.start + int(r.uniform(0, 0.25) * (camp.end - camp.start)), created + DAY)
        end = max(camp.end, start + DAY)
        op_tz = camp.operator.tz
        # Warm-up: careful personas first collect ordinary contacts, to look normal.
        n_warm = r.randint(*tr["warmup"])
        if n_warm:
            warm = noise_pool[rng.integers(0, len(noise_pool), n_warm)]
            for x in np.unique(warm).tolist():
                t = work_at(r, created + int(r.uniform(1, max(2, (start - created) / DAY)) * DAY),
                            op_tz, created + HOUR)  # fmt: skip
                if t >= as_of or t < int(pop.created[x]) + DAY:
                    continue
                self._invite(r, camp, p, x, t, None, r.random() < 0.65, message=False)
        n_main = min(round(n_inv * (1 - tr["noise_share"])), len(pool))
        main = pool[rng.choice(len(pool), size=n_main, replace=False)]
        n_noise = round(n_main * tr["noise_share"] / (1 - tr["noise_share"]))
        noise = noise_pool[rng.integers(0, len(noise_pool), n_noise)] if n_noise else main[:0]
        targets = np.unique(np.concatenate([main, noise]))
        rng.shuffle(targets)
        u = rng.random(len(targets))
        if not camp.careful:
            u = u**2  # sloppy: a burst of invitations soon after creation
        times = np.sort(start + (u * (end - start)).astype(np.int64))
        for x, t0 in zip(targets.tolist(), times.tolist(), strict=True):
            tz = float(pop.tz[x]) if tr["local_hours"] else op_tz
            t = work_at(r, t0, tz, created + HOUR)
            x_created = int(pop.created[x])
            if t >= as_of or t < x_created + DAY:  # a target must exist to be approached
                continue
            lure = False
            note = None
            if r.random() < tr["note_rate"]:
                lure = tr["lure_in_note"] and r.random() < 0.8
                note = camp.note(r, lure, self._fill(r, camp, p, x, persona))
            if r.random() < 0.5:
                view_t = max(created + 60, x_created + 60, t - int(r.uniform(300, 2 * DAY)))
                log.add(view_t, VIEW, p, x)
            accepted = r.random() < tr["accept_rate"]
            self._invite(r, camp, p, x, t, note, accepted, message=True, persona=persona)
            camp.targets.add(x)
            if r.random() < tr["report_rate"] * (2.0 if lure else 1.0):
                reason = r.choice(("fake_profile", "suspicious_approach", "scam", "spam"))
                _report(log, r, t + int(r.uniform(1, 240) * HOUR), x, p, reason, as_of)

    def _invite(
        self,
        r: random.Random,
        camp: Campaign,
        p: int,
        x: int,
        t: int,
        note: str | None,
        accepted: bool,
        *,
        message: bool,
        persona: Persona | None = None,
    ) -> None:
        log, as_of = self.log, self.as_of
        camp.touch(t)
        if not accepted:
            log.add(t, INVITATION, p, x, note, FALSE if r.random() < 0.5 else NONE)
            return
        acc_t = t + int(min(r.lognormvariate(np.log(10 * HOUR), 1.2), 14 * DAY))
        if acc_t >= as_of:
            log.add(t, INVITATION, p, x, note, NONE)
            return
        log.add(t, INVITATION, p, x, note, TRUE)
        log.add(acc_t, CONNECTION, p, x)
        if r.random() < 0.3:
            log.add(acc_t + int(r.uniform(60, 3 * DAY)), VIEW, x, p)
        if message and persona is not None and r.random() < camp.traits["message_share"]:
            lag = r.uniform(1, 120 if camp.careful else 48) * HOUR
            self._conversation(r, camp, p, x, acc_t + int(lag), persona)

    def _fill(
        self, r: random.Random, camp: Campaign, p: int, x: int, persona: Persona
    ) -> dict[str, object]:
        sec = SECTORS[int(self.pop.sector[x])]
        topic, topic2 = r.sample(sec.topics, 2)
        return {
            "first": self.people.first(x),
            "topic": topic,
            "topic2": topic2,
            "org": self.people.org_name(x),
            "city": camp.invite_city,
            "fee": camp.fee,
            "app": camp.app,
            "handle": persona.handle,
        }

    def _conversation(
        self, r: random.Random, camp: Campaign, p: int, x: int, t: int, persona: Persona
    ) -> None:
        """An approach that escalates while the target keeps answering."""
        log, as_of = self.log, self.as_of
        stages = ["offer", "offplatform", "probe", "reward"]
        if camp.careful:
            stages = ["interest", "interest", "offer", "offplatform", "probe", "probe", "reward"]
        elif r.random() < 0.5:
            stages = ["interest", *stages]
        fill = self._fill(r, camp, p, x, persona)
        lo, hi = camp.traits["reply_minutes"]
        conv = self.conv.next()
        t = work_at(r, t, camp.operator.tz, t)
        followed = False
        k = 0
        repeat = 0
        while k < len(stages) and t < as_of:
            stage = stages[k]
            repeat = repeat + 1 if k and stages[k - 1] == stage else 0
            log.add(t, MESSAGE, p, x, camp.message(r, stage, fill, repeat), conv=conv)
            camp.touch(t)
            if r.random() < (0.6 if k == 0 else 0.55):
                t_reply = t + _reply_delay(r)
                if t_reply >= as_of:
                    return
                text, willing = target_reply(r, stage, fill)
                log.add(t_reply, MESSAGE, x, p, text, conv=conv)
                if not willing and r.random() < 0.6:
                    return
                t = t_reply + int(r.uniform(lo, hi) * 60)
                k += 1
                continue
            if followed or r.random() < 0.5:
                return
            followed = True
            t += int(r.uniform(2, 9) * DAY)
            if t >= as_of:
                return
            log.add(t, MESSAGE, p, x, camp.message(r, "followup", fill), conv=conv)
            if r.random() >= 0.35:
                return
            t_reply = t + _reply_delay(r)
            if t_reply >= as_of:
                return
            text, willing = target_reply(r, "followup", fill)
            log.add(t_reply, MESSAGE, x, p, text, conv=conv)
            if not willing:
                return
            t = t_reply + int(r.uniform(lo, hi) * 60)
            k += 1

    def _intra_links(self, r: random.Random, camp: Campaign, personas: dict[int, Persona]) -> None:
        pop, log, as_of = self.pop, self.log, self.as_of
        m = camp.members
        for a_i in range(len(m)):
            for b_i in range(a_i + 1, len(m)):
                if r.random() >= 0.5:
                    continue
                a, b = m[a_i], m[b_i]
                t0 = max(int(pop.created[a]), int(pop.created[b])) + int(r.uniform(1, 30) * DAY)
                t = work_at(r, t0, camp.operator.tz, t0)
                acc = t + int(r.uniform(0.1, 24) * HOUR)
                if acc >= as_of:
                    continue
                log.add(t, INVITATION, a, b, None, TRUE)
                log.add(acc, CONNECTION, a, b)
                camp.touch(t)
                for src, dst in ((a, b), (b, a)):
                    if r.random() < 0.4:
                        skill = r.choice(KIND_SKILLS[camp.kind])
                        te = acc + int(r.uniform(1, 20) * DAY)
                        if te < as_of:
                            log.add(te, ENDORSEMENT, src, dst, skill)

    # ---- hard negatives ---------------------------------------------------------------------

    def hard_negatives(self) -> None:
        pop = self.pop
        for i in np.flatnonzero(pop.kind == RECRUITER).tolist():
            self._outreach(i, recruiter=True)
        for i in np.flatnonzero(pop.kind == RESEARCHER).tolist():
            self._outreach(i, recruiter=False)
        self._noise_reports()

    def _outreach(self, i: int, *, recruiter: bool) -> None:
        pop, log, as_of, people = self.pop, self.log, self.as_of, self.people
        r = pyrng_for(self.seed, "outreach", i)
        rng = rng_for(self.seed, "outreach", i)
        home = int(_CITY_COUNTRY[pop.city[i]])
        if recruiter:
            n = r.randint(30, 250)
            if r.random() < 0.2:  # a specialist agency: one sector, wherever it is
                sweights = [s.weight for s in SECTORS]
                sector = r.choices(range(len(SECTORS)), weights=sweights)[0]
                cands = self.pools.sector_members([sector], None)
            else:
                cands = np.arange(pop.n_genuine, dtype=np.int32)
            accept_p, msg_p = 0.45, 0.35
        else:
            n = r.randint(10, 80)
            officials = [SECTOR_INDEX[k] for k in OFFICIAL_SECTORS]
            cands = self.pools.sector_members(officials, [home] if r.random() < 0.7 else None)
            accept_p, msg_p = 0.5, 0.4
        if len(cands) == 0:
            return
        if not recruiter and r.random() < 0.25:
            cands = np.concatenate([cands, self.pools.country_members([home])])
        targets = np.unique(cands[rng.integers(0, len(cands), n)])
        row = self.adj.indices[self.adj.indptr[i] : self.adj.indptr[i + 1]]
        targets = targets[(targets != i) & ~np.isin(targets, row)]
        lo = max(int(pop.created[i]) + DAY, self.w0)
        times = lo + (rng.random(len(targets)) * (as_of - lo)).astype(np.int64)
        tz = float(pop.tz[i])
        for x, t0 in zip(targets.tolist(), times.tolist(), strict=True):
            t = work_at(r, t0, tz, lo)
            if t >= as_of or t < int(pop.created[x]) + DAY:
                continue
            note = None
            if r.random() < (0.6 if recruiter else 0.5):
                note = (texts.recruiter_note if recruiter else texts.researcher_note)(
                    r, people, i, x
                )
            if r.random() >= accept_p:
                log.add(t, INVITATION, i, x, note, FALSE if r.random() < 0.5 else NONE)
                continue
            acc = t + int(min(r.lognormvariate(np.log(20 * HOUR), 1.2), 20 * DAY))
            if acc >= as_of:
                log.add(t, INVITATION, i, x, note, NONE)
                continue
            log.add(t, INVITATION, i, x, note, TRUE)
            log.add(acc, CONNECTION, i, x)
            if r.random() < 0.003 and recruiter:
                _report(log, r, acc + int(r.uniform(1, 72) * HOUR), x, i, "spam", as_of)
            if r.random() >= msg_p:
                continue
            write = texts.recruiter_message if recruiter else texts.researcher_message
            conv = self.conv.next()
            tm = work_at(r, acc + int(r.uniform(2, 96) * HOUR), tz, acc)
            if tm >= as_of:
                continue
            log.add(tm, MESSAGE, i, x, write(r, people, i, x), conv=conv)
            if r.random() < 0.45:
                tr = tm + _reply_delay(r)
                if tr >= as_of:
                    continue
                if r.random() < 0.5:
                    reply = texts.reply_message(r, people, x, i)
                else:  # the questions anyone asks a recruiter or researcher
                    stage = "offer" if recruiter else r.choice(("interest", "offer"))
                    reply, _ = target_reply(r, stage, {"first": people.first(i), "topic": ""})
                log.add(tr, MESSAGE, x, i, reply, conv=conv)
                tf = work_at(r, tr + int(r.lognormvariate(np.log(2 * HOUR), 1.0)), tz, tr + 300)
                if r.random() < 0.6 and tf < as_of:
                    log.add(tf, MESSAGE, i, x, write(r, people, i, x, followup=True), conv=conv)

    def _noise_reports(self) -> None:
        """Members report each other for ordinary reasons; new members get mistaken for fakes."""
        pop, log, as_of = self.pop, self.log, self.as_of
        r = pyrng_for(self.seed, "noise-reports")
        rng = rng_for(self.seed, "noise-reports")
        ng = pop.n_genuine
        n = max(1, int(ng * 0.0015))
        about = rng.integers(0, ng, n)
        newc = np.flatnonzero(pop.kind[:ng] == NEWCOMER)
        if len(newc):
            about = np.concatenate([about, newc[rng.integers(0, len(newc), max(1, n // 3))]])
        by = rng.integers(0, ng, len(about))
        for a, b in zip(about.tolist(), by.tolist(), strict=True):
            if a == b:
                continue
            lo = max(int(pop.created[a]), int(pop.created[b]), self.w0)
            t = lo + int(r.random() * max(HOUR, as_of - lo))
            reason = "fake_profile" if pop.kind[a] == NEWCOMER else r.choice(("spam", "harassment"))
            _report(log, r, t, b, a, reason, as_of)
