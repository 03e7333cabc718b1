"""What a detector is and what it returns.

A detector looks at one profile (plus the context the engine gathered about it from the whole
population: behaviour from events, shared templates, photo matches, graph scores, intelligence) and
returns signals. Each signal it can raise is declared up front as a :class:`SignalSpec` (rules as
data): a plain-language title, the default weight the zero-shot scorer gives it, and what to do.
That keeps weights, wording and advice in one place, and lets a reader list every reason spycatcher
can give without running anything.

Detectors are pure functions of (profile, context): the local engine calls them in-process and the
Spark engine calls the same code inside each partition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from spycatcher.schema import Profile

FAMILIES = (
    "profile",
    "message",
    "behaviour",
    "text",
    "photo",
    "graph",
    "campaign",
    "intel",
    "report",
    "model",
)


@dataclass(frozen=True, slots=True)
class SignalSpec:
    """A kind of reason a detector can give.

    ``weight`` is the zero-shot scorer's log-odds contribution at full strength: positive means
    "more likely fake", negative means "more likely genuine" (a verified identity, say).

    ``overlap`` names the group of signals that restate much the same fact, so that the
    zero-shot scorer counts only the strongest of them in full; by default a signal overlaps
    with its family. A family that holds unrelated facts (the audience reasons in ``profile.*``:
    who follows the account, whether it is used, how its identity is filled in) gives each fact
    its own group.
    """

    name: str
    title: str
    weight: float
    advice: str
    overlap: str = ""

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def group(self) -> str:
        """The overlap group: signals of one group are damped against each other."""
        return self.overlap or self.family


@dataclass(frozen=True, slots=True)
class Signal:
    """One reason, about one profile: what fired, how strongly (0..1), the evidence, what to do."""

    name: str
    strength: float
    evidence: str
    advice: str = ""
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "strength": round(float(self.strength), 4),
            "evidence": self.evidence,
            "advice": self.advice,
        }
        if self.data:
            out["data"] = self.data
        return out


@dataclass(slots=True)
class ProfileContext:
    """What the engine knows about a profile beyond the profile itself.

    Every field is optional so a detector works on a lone profile (``spycatcher check``) as well as
    inside a full scan. Population stages fill the fields they own; detectors only read them.
    """

    as_of: datetime | None = None
    #: invitation notes and messages this profile sent (a bounded sample), newest last
    sent_texts: list[str] = field(default_factory=list)
    #: whether any of them has a flagged lure, when a stage already matched every text the
    #: account sent (False lets the message detector skip reading them again); None: unknown
    sent_texts_flagged: bool | None = None
    #: per-account behaviour aggregates from events (see spycatcher.signals.behaviour)
    behaviour: dict[str, Any] = field(default_factory=dict)
    #: near-duplicate text matches: field name -> ids of other profiles with the same wording
    template_matches: dict[str, list[str]] = field(default_factory=dict)
    #: photo matches: list of {"kind": "profile"|"bank", "ref": id or source, "distance": int, ...}
    photo_matches: list[dict[str, Any]] = field(default_factory=list)
    #: photo analysis results (AI-generated probability etc.)
    photo_analysis: dict[str, Any] = field(default_factory=dict)
    #: graph scores, e.g. {"sybilrank_trust": 0.1, "sybilscar_fake": 0.8}
    graph: dict[str, float] = field(default_factory=dict)
    #: intelligence matches: list of {"indicator", "source", "actor", "marking", "kind", "strength"}
    intel_matches: list[dict[str, Any]] = field(default_factory=list)
    #: member reports against this profile, already weighted by reporter reliability
    reports: dict[str, Any] = field(default_factory=dict)
    #: free space for third-party population stages
    extra: dict[str, Any] = field(default_factory=dict)


class Detector:
    """Base class for detectors. Subclass, declare ``specs``, implement :meth:`detect`.

    ``signal()`` builds a Signal from a declared spec so that a detector can only raise reasons it
    declared, with the declared advice.
    """

    #: unique detector name, e.g. "profile.basics"
    name: ClassVar[str] = ""
    specs: ClassVar[tuple[SignalSpec, ...]] = ()

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        raise NotImplementedError

    @classmethod
    def spec(cls, name: str) -> SignalSpec:
        for s in cls.specs:
            if s.name == name:
                return s
        raise KeyError(f"{cls.__name__} declares no signal {name!r}")

    def signal(
        self, name: str, strength: float, evidence: str, data: dict[str, Any] | None = None
    ) -> Signal:
        spec = self.spec(name)
        return Signal(
            name=name,
            strength=max(0.0, min(1.0, float(strength))),
            evidence=evidence,
            advice=spec.advice,
            data=data or {},
        )
