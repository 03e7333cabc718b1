"""Population stages: facts about a profile that only the whole population can tell.

A detector sees one profile at a time. Some reasons need more: how many invitations an account sent
and to whom (events), whether its summary is worded like fifty others (all texts), whether its photo
is someone else's (the hash bank), where it sits in the graph. A population stage gathers such facts
in streaming passes and then writes them into each profile's :class:`ProfileContext`, where
detectors read them.

The local engine drives a stage like this::

    for p in profiles:  stage.observe_profile(p)      # pass 1 over profiles
    for e in events:    stage.observe_event(e)        # one pass over events
    stage.finish(as_of)                               # population statistics, indexes, iterations
    for p in profiles:  stage.annotate(p, ctx)        # pass 2, chunk by chunk, before detectors

Stages keep compact state (numpy arrays, sketches, counters), never whole records, so memory grows
with the number of accounts, not with the size of the files. A third party adds a stage through the
entry-point group ``spycatcher.stages`` or :func:`register_stage`.

The Spark engine observes records in many places at once: each partition of the input gets a fresh
stage built with the option ``partial=True``, observes only its own records, and the partial stages
are folded, in file order, into one stage with :meth:`PopulationStage.merge` (profiles first, then
events); ``finish`` and ``annotate`` are unchanged. A stage that implements ``merge`` (and can be
pickled) runs on both engines with the same results.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from importlib.metadata import entry_points
from typing import ClassVar

from spycatcher.schema import Event, Profile
from spycatcher.signals.base import ProfileContext

ENTRY_POINT_GROUP = "spycatcher.stages"
#: stage option set on the stages an engine builds for one partition of the input (see merge)
PARTIAL = "partial"
#: options that hold live objects (a store, a bank) or name one: the main stages use them,
#: partial stages in workers do not get them
DRIVER_ONLY_OPTIONS = ("store", "db_url", "hash_bank", "intel_indicators")

BUILTIN_MODULES = (
    "spycatcher.signals.profile",
    "spycatcher.signals.behaviour",
    "spycatcher.signals.templates",
    "spycatcher.signals.photo",
    "spycatcher.graph.stage",
    "spycatcher.intel.stage",
)


class PopulationStage:
    """Base class: override what the stage needs; every hook defaults to doing nothing."""

    name: ClassVar[str] = ""
    #: stages run in ascending order (a stage may read what an earlier one wrote into the context)
    order: ClassVar[int] = 100

    def __init__(self, options: dict[str, object] | None = None) -> None:
        self.options = options or {}

    def observe_profile(self, profile: Profile) -> None:
        """Pass 1: see every profile once (index ids, organisations, texts, photo hashes)."""

    def observe_event(self, event: Event) -> None:
        """See every event once (after pass 1, so profile facts are known)."""

    def finish(self, as_of: datetime) -> None:
        """Compute population statistics once all records have been observed."""

    def annotate(self, profile: Profile, ctx: ProfileContext) -> None:
        """Pass 2: write this stage's facts about ``profile`` into ``ctx``."""

    @property
    def partial(self) -> bool:
        """True for a stage that observes one partition of the input and will be merged."""
        return bool(self.options.get(PARTIAL))

    def merge(self, other: PopulationStage) -> None:
        """Fold in ``other``, a partial stage that observed the records right after this one's.

        ``other`` was built with the same options plus ``partial=True`` and observed, from scratch,
        one contiguous segment of the input: profiles, or (after every profile segment was
        merged) events. A partial stage observing events has seen no profile, so it keeps what it
        needs to decide at merge time (a sample for every sender, say, filtered here to senders
        that are profiles). After every segment is merged in input order, this stage must be
        exactly as if it had observed every record itself: the same ids in the same order, the
        same samples ("the first 20 texts" follow the input order), so that both engines give the
        same scores. Stages that merge must also pickle (partial stages travel from workers; the
        finished stages are sent to every worker).
        """
        raise NotImplementedError(
            f"population stage {self.name!r} ({type(self).__qualname__}) has no merge(), so it "
            "cannot run on the Spark engine; implement PopulationStage.merge (see its docstring) "
            "or scan with the local engine"
        )


_stages: dict[str, type[PopulationStage]] = {}
_loaded = False


def register_stage(cls: type[PopulationStage]) -> type[PopulationStage]:
    """Class decorator: make a population stage part of every scan."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    _stages[cls.name] = cls
    return cls


def stage_classes() -> list[type[PopulationStage]]:
    global _loaded
    if not _loaded:
        _loaded = True
        for mod in BUILTIN_MODULES:
            try:
                importlib.import_module(mod)
            except ModuleNotFoundError as exc:
                if exc.name != mod:
                    raise
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            obj = ep.load()
            if isinstance(obj, type) and issubclass(obj, PopulationStage):
                register_stage(obj)
    return sorted(_stages.values(), key=lambda c: (c.order, c.name))


def build_stages(options: dict[str, object] | None = None) -> list[PopulationStage]:
    return [cls(options) for cls in stage_classes()]
