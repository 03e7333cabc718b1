"""The intelligence population stage: imported indicators matched against every scanned profile.

At start it loads the matchable indicators, with their producer, actor and marking, from one of
(first found wins) the stage options:

* ``intel_indicators``: a list of :class:`~spycatcher.intel.matching.CompiledIndicator` (for
  callers that hold them already, e.g. the API checking one profile);
* ``store``: a :class:`~spycatcher.store.Store` whose intelligence tables to read;
* ``db_url``: a database URL to open such a store.

With none of them the stage matches nothing, so a scan without intelligence behaves as before.
Indicators whose ``valid_until`` has passed (at the time of the scan, not the data's reference
date: expiry is the partner withdrawing the indicator) are left out. In pass 2 it
writes ``ctx.intel_matches`` (strongest first), which :mod:`spycatcher.signals.intel` reads. The
profile's PDQ hash is taken from the profile (``photo.pdq``) or, when a photo stage computed it
from the image, from ``ctx.photo_analysis["pdq"]``, which is why this stage runs late.

Imported PDQ indicators are also in the photo hash bank (except TLP:RED ones), where the photo
stage matches them allowing for rotation and mirroring; its bank matches (``ctx.photo_matches``)
that name one of these indicators become intelligence matches too, so they carry the indicator's
source, actor and marking.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from spycatcher.engine.stages import PopulationStage, register_stage
from spycatcher.intel.matching import CompiledIndicator, IntelIndex, ProfileFacts
from spycatcher.schema import Profile
from spycatcher.signals.base import ProfileContext


def indicators_from_options(options: dict[str, Any]) -> list[CompiledIndicator]:
    """The indicators a scan should match, from whichever option names them."""
    given = options.get("intel_indicators")
    if given is not None:
        return list(given)
    store = options.get("store")
    if store is None and options.get("db_url"):
        from spycatcher.store import Store

        store = Store(str(options["db_url"]))
    if store is None:
        return []
    from spycatcher.intel.catalogue import load_indicators

    return load_indicators(store)


@register_stage
class IntelStage(PopulationStage):
    """Matches intelligence indicators; fills ``ctx.intel_matches``."""

    name = "intel"
    order = 80

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(options)
        self.indicators = indicators_from_options(dict(self.options))
        self.index: IntelIndex | None = None

    def finish(self, as_of: datetime) -> None:
        self.index = IntelIndex(self.indicators, datetime.now(UTC))

    def annotate(self, profile: Profile, ctx: ProfileContext) -> None:
        if not self.indicators:
            return
        if self.index is None:  # annotate without a finish (one profile checked on its own)
            self.index = IntelIndex(self.indicators, datetime.now(UTC))
        pdq = ctx.photo_analysis.get("pdq")
        facts = ProfileFacts.from_profile(profile, pdq=pdq if isinstance(pdq, str) else None)
        ctx.intel_matches.extend(self.index.match(facts, ctx.photo_matches))

    def merge(self, other: PopulationStage) -> None:
        """Nothing to fold in: the indicators come from the options, not from the records."""
