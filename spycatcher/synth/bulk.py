"""Ordinary activity of genuine members, generated one time window at a time.

Per window and member, counts of declined or pending invitations, conversations, endorsements
and profile views are Poisson draws from the member's activity level and how long their account
existed during the window; targets come from the member's contacts (conversations, endorsements),
colleagues or anyone (invitations, views). Nothing here is kept after its window is written, so
memory does not grow with the number of events.
"""

from __future__ import annotations

import numpy as np

from spycatcher.synth.clock import DAY, HOUR, WINDOW, at_working_time, pyrng_for, rng_for
from spycatcher.synth.eventlog import (
    CONNECTION,
    ENDORSEMENT,
    FALSE,
    INVITATION,
    MESSAGE,
    NONE,
    TRUE,
    VIEW,
    Batch,
    Counter,
)
from spycatcher.synth.graph import Adjacency, Edges
from spycatcher.synth.people import Directory
from spycatcher.synth.population import Population
from spycatcher.synth.sectors import SECTORS
from spycatcher.synth.texts import (
    CONVERSATION_KINDS,
    CONVERSATION_WEIGHTS,
    invitation_note,
    opening_message,
    reply_message,
)

#: per member and day at activity 1, for events_per_profile = 20
RATE_INVITE = 0.0011
RATE_CONVERSATION = 0.0039
RATE_ENDORSE = 0.0021
RATE_VIEW = 0.0045
NOTE_P = 0.1
PENDING_AFTER = 21 * DAY

_SKILLS = [list(s.skills) for s in SECTORS]
_LOG_4H = float(np.log(4 * HOUR))


def windows(as_of: int, earliest: int, n_months: int = 24) -> list[tuple[int, int, bool]]:
    """(start, end, in the activity window?) covering [earliest, as_of): years, then months."""
    w0 = as_of - WINDOW
    out: list[tuple[int, int, bool]] = []
    t = min(earliest, w0)
    year = 365 * DAY
    hist_start = w0 - ((w0 - t) // year + 1) * year
    a = hist_start
    while a < w0:
        out.append((a, a + year, False))
        a += year
    step = (WINDOW // n_months) // DAY * DAY  # whole days: working-hour snaps stay inside
    for k in range(n_months):
        b = as_of if k == n_months - 1 else w0 + (k + 1) * step
        out.append((w0 + k * step, b, True))
    return out


class Bulk:
    def __init__(
        self,
        seed: int,
        pop: Population,
        people: Directory,
        edges: Edges,
        adj: Adjacency,
        conv: Counter,
        events_per_profile: float,
    ) -> None:
        self.seed = seed
        self.pop = pop
        self.people = people
        self.edges = edges
        self.adj = adj
        self.conv = conv
        self.scale = events_per_profile / 20.0
        self.w0 = pop.as_of - WINDOW
        ng = pop.n_genuine
        self.ng = ng
        # Edge-formation invitations (only for connections made inside the activity window).
        inside = np.flatnonzero(edges.t >= self.w0)
        self.inv_idx = inside[np.argsort(edges.sent[inside], kind="stable")]
        self.inv_sent = edges.sent[self.inv_idx]
        by_org = np.argsort(pop.org[:ng], kind="stable").astype(np.int32)
        self.by_org = by_org
        n_orgs = int(pop.org[:ng].max()) + 1 if ng else 1
        self.org_start = np.searchsorted(pop.org[:ng][by_org], np.arange(n_orgs + 1))

    # ---- helpers ---------------------------------------------------------------------------

    def _actors(
        self, rng: np.random.Generator, a: int, b: int, rate: float
    ) -> tuple[np.ndarray, np.ndarray]:
        pop, ng = self.pop, self.ng
        created = pop.created[:ng]
        lo = np.maximum(a, created)
        expo = np.clip(b - lo, 0, None) / DAY
        lam = rate * self.scale * pop.activity[:ng] * expo
        k = rng.poisson(lam)
        actors = np.repeat(np.arange(ng, dtype=np.int32), k)
        span = (b - lo[actors]).astype(np.float64)
        t = lo[actors] + (rng.random(len(actors)) * span).astype(np.int64)
        t = at_working_time(rng, t, pop.tz[actors], created[actors] + 60)
        keep = t < pop.as_of
        return actors[keep], t[keep]

    def _colleague(self, rng: np.random.Generator, actors: np.ndarray) -> np.ndarray:
        org = self.pop.org[actors]
        lo = self.org_start[org]
        size = self.org_start[org + 1] - lo
        return self.by_org[lo + (rng.random(len(actors)) * size).astype(np.int64)]

    def _mixed_targets(
        self, rng: np.random.Generator, actors: np.ndarray, t: np.ndarray, p: tuple
    ) -> np.ndarray:
        """Per actor: a contact, a colleague or anyone, with probabilities ``p`` (-1: none).

        Only members whose accounts exist at the event's time qualify.
        """
        choice = rng.choice(3, size=len(actors), p=p)
        out = rng.integers(0, self.ng, len(actors)).astype(np.int32)
        c0 = np.flatnonzero(choice == 0)
        out[c0] = self.adj.random_neighbour(rng, actors[c0], t[c0])
        c1 = np.flatnonzero(choice == 1)
        out[c1] = self._colleague(rng, actors[c1])
        exists = self.pop.created[np.maximum(out, 0)] + 60 <= t
        return np.where(exists, out, -1).astype(np.int32)

    # ---- a window ------------------------------------------------------------------------------

    def window(self, k: int, a: int, b: int, active: bool) -> Batch:
        """Every genuine bulk event of one window (conversations may run past ``b``)."""
        e = self.edges
        parts: list[Batch] = []
        lo, hi = np.searchsorted(e.t, [a, b])
        sel = np.arange(lo, hi)
        parts.append(_batch(e.t[sel], CONNECTION, e.a[sel], e.b[sel]))
        if not active:
            return Batch.concat(parts)
        rng = rng_for(self.seed, "bulk", k)
        r = pyrng_for(self.seed, "bulk", k)
        people = self.people
        pop = self.pop

        # Invitations behind this window's new connections.
        lo, hi = np.searchsorted(self.inv_sent, [a, b])
        idx = self.inv_idx[lo:hi]
        inv = _batch(e.sent[idx], INVITATION, e.a[idx], e.b[idx], accepted=TRUE)
        for j in np.flatnonzero(rng.random(len(idx)) < NOTE_P).tolist():
            inv.text[j] = invitation_note(r, people, int(inv.actor[j]), int(inv.target[j]))
        parts.append(inv)

        # Invitations that were declined or are still pending.
        actors, t = self._actors(rng, a, b, RATE_INVITE)
        targets = self._mixed_targets(rng, actors, t, (0.0, 0.35, 0.65))
        ok = (targets >= 0) & (targets != actors)
        actors, t, targets = actors[ok], t[ok], targets[ok]
        acc = np.where(
            t > pop.as_of - PENDING_AFTER, NONE, np.where(rng.random(len(t)) < 0.55, FALSE, NONE)
        )
        dec = _batch(t, INVITATION, actors, targets, accepted=acc)
        for j in np.flatnonzero(rng.random(len(t)) < NOTE_P * 0.8).tolist():
            dec.text[j] = invitation_note(r, people, int(actors[j]), int(targets[j]))
        parts.append(dec)

        # Endorsements of contacts' skills.
        actors, t = self._actors(rng, a, b, RATE_ENDORSE)
        targets = self.adj.random_neighbour(rng, actors, t)
        ok = targets >= 0
        actors, t, targets = actors[ok], t[ok], targets[ok]
        end = _batch(t, ENDORSEMENT, actors, targets)
        sectors = pop.sector[targets].tolist()
        picks = rng.random(len(t)).tolist()
        end.text = [
            _SKILLS[s][int(u * len(_SKILLS[s]))] for s, u in zip(sectors, picks, strict=True)
        ]
        parts.append(end)

        # Profile views.
        actors, t = self._actors(rng, a, b, RATE_VIEW)
        targets = self._mixed_targets(rng, actors, t, (0.5, 0.2, 0.3))
        ok = (targets >= 0) & (targets != actors)
        parts.append(_batch(t[ok], VIEW, actors[ok], targets[ok]))

        # Conversations with contacts.
        actors, t = self._actors(rng, a, b, RATE_CONVERSATION)
        targets = self.adj.random_neighbour(rng, actors, t)
        ok = targets >= 0
        parts.append(self._conversations(r, rng, actors[ok], targets[ok], t[ok]))
        return Batch.concat(parts)

    def _conversations(
        self, r, rng, actors: np.ndarray, targets: np.ndarray, t: np.ndarray
    ) -> Batch:
        people, as_of = self.people, self.pop.as_of
        kinds = rng.choice(len(CONVERSATION_KINDS), size=len(actors), p=CONVERSATION_WEIGHTS)
        ts: list[int] = []
        src: list[int] = []
        dst: list[int] = []
        txt: list[str | None] = []
        convs: list[int] = []
        for a, b, t0, kk in zip(actors.tolist(), targets.tolist(), t.tolist(), kinds.tolist(),
                                strict=True):  # fmt: skip
            conv = self.conv.next()
            ts.append(t0)
            src.append(a)
            dst.append(b)
            txt.append(opening_message(r, CONVERSATION_KINDS[kk], people, a, b))
            convs.append(conv)
            tt = t0
            sender, reader = b, a
            p_more = 0.62
            for _ in range(5):
                if r.random() >= p_more:
                    break
                tt += int(max(60.0, min(r.lognormvariate(_LOG_4H, 1.5), 10 * DAY)))
                if tt >= as_of:
                    break
                ts.append(tt)
                src.append(sender)
                dst.append(reader)
                txt.append(reply_message(r, people, sender, reader))
                convs.append(conv)
                sender, reader = reader, sender
                p_more = 0.45
        n = len(ts)
        return Batch(
            np.array(ts, dtype=np.int64),
            np.full(n, MESSAGE, dtype=np.int8),
            np.array(src, dtype=np.int32),
            np.array(dst, dtype=np.int32),
            np.full(n, NONE, dtype=np.int8),
            np.array(convs, dtype=np.int64),
            np.full(n, -1, dtype=np.int8),
            txt,
        )


def _batch(
    t: np.ndarray,
    kind: int,
    actor: np.ndarray,
    target: np.ndarray,
    accepted: int | np.ndarray = NONE,
) -> Batch:
    n = len(t)
    if isinstance(accepted, np.ndarray):
        acc = accepted.astype(np.int8)
    else:
        acc = np.full(n, accepted, dtype=np.int8)
    return Batch(
        t.astype(np.int64),
        np.full(n, kind, dtype=np.int8),
        actor.astype(np.int32),
        target.astype(np.int32),
        acc,
        np.full(n, -1, dtype=np.int64),
        np.full(n, -1, dtype=np.int8),
        [None] * n,
    )
