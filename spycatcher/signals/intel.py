"""Intelligence signals: a partner (a government agency, another platform) named this account.

These are the strongest reasons spycatcher can give, because someone who investigated the account
says so; they are also only as good as that partner's report, which is why the evidence always
names the source, the actor it was tied to, and the marking the partner set (a reader must not
share TLP:AMBER evidence beyond their organisation, nor TLP:RED beyond the named recipients).

One signal per kind of match (the strongest match of that kind speaks; the evidence says how many
more there were). A display name that merely resembles a named persona is only a weak hint:
names are easy to share by chance and easy to copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spycatcher.intel.markings import label, most_restrictive
from spycatcher.schema import Profile
from spycatcher.signals.base import Detector, ProfileContext, Signal, SignalSpec
from spycatcher.signals.registry import register

_REPORT = (
    "Do not reply or share anything with this account. Report it to the platform and to your "
    "security team, then remove it from your connections."
)

#: match kind -> the signal it raises
SIGNAL_FOR_KIND: dict[str, str] = {
    "account": "intel.account_match",
    "url": "intel.url_match",
    "email": "intel.email_match",
    "photo": "intel.photo_match",
    "website": "intel.website_match",
    "email_domain": "intel.email_domain",
    "name": "intel.name_similarity",
}

_WHAT = {
    "account": "this account",
    "url": "this profile's address",
    "email": "this profile's email address",
    "photo": "this profile's photo",
    "website": "a website this profile lists",
    "email_domain": "the domain of this profile's email address",
    "name": "a name like this profile's",
}


def _clip(text: Any, n: int = 120) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def describe(m: dict[str, Any], more: int, marking: str | None = None) -> str:
    """Plain-language evidence: what, named as what, by whom, tied to whom, how marked."""
    kind = m["kind"]
    head = f"Intelligence from {_clip(m.get('source') or 'a partner', 80)} names {_WHAT[kind]}"
    if m.get("name"):
        head += f" (\u201c{_clip(m['name'], 80)}\u201d)"
    if kind == "photo" and m.get("distance") is not None:
        head += f"; the photo differs by {m['distance']} of 256 PDQ bits"
    if kind == "name" and m.get("value"):
        head += f"; the name \u201c{_clip(m['value'], 60)}\u201d is similar, not the same"
    if m.get("actor"):
        head += f"; linked to {_clip(m['actor'], 100)}"
    if m.get("sightings"):
        head += f"; partners report seeing it {m['sightings']} times"
    if more:
        head += f"; {more} more such indicator{'s' if more > 1 else ''}"
    return head + f" [{marking or m.get('marking') or 'unmarked'}]."


@register
class IntelDetector(Detector):
    """Raises ``intel.*`` from ``ctx.intel_matches`` (filled by the intelligence stage)."""

    name = "intel.matches"
    specs = (
        SignalSpec(
            "intel.account_match",
            "Named in threat intelligence as a fake account",
            5.0,
            "A government or industry partner has identified this account as part of a hostile "
            "approach. " + _REPORT,
        ),
        SignalSpec(
            "intel.url_match",
            "Its profile address is listed in threat intelligence",
            5.0,
            "The address of this profile was shared by a partner as belonging to a fake "
            "persona. " + _REPORT,
        ),
        SignalSpec(
            "intel.email_match",
            "Its email address is listed in threat intelligence",
            3.5,
            "A partner has linked this email address to a hostile approach. Do not write to it "
            "or move the conversation there; report the profile to your security team.",
        ),
        SignalSpec(
            "intel.photo_match",
            "Its photo matches one listed in threat intelligence",
            3.5,
            "The same picture was used by a persona a partner reported. Fake profiles reuse "
            "photos; a real person's photo rarely appears in such reports. " + _REPORT,
        ),
        SignalSpec(
            "intel.website_match",
            "Lists a website named in threat intelligence",
            2.0,
            "A partner reported this website as a front used in approaches (for example a "
            "recruiting firm or think tank that does not really exist). Do not enter details "
            "there; check the organisation through a source you trust.",
        ),
        SignalSpec(
            "intel.email_domain",
            "Uses an email domain named in threat intelligence",
            2.0,
            "The email address is at a domain a partner linked to fake organisations. Check the "
            "organisation independently before replying.",
        ),
        SignalSpec(
            "intel.name_similarity",
            "Its name resembles a persona named in threat intelligence",
            0.8,
            "The name is similar to one a partner reported. Names are easily shared by chance, "
            "so this is only a hint: look at the other reasons before deciding.",
        ),
    )

    def detect(self, profile: Profile, ctx: ProfileContext) -> Iterable[Signal]:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for m in ctx.intel_matches:
            kind = m.get("kind")
            if kind in SIGNAL_FOR_KIND:
                by_kind.setdefault(str(kind), []).append(m)
        for kind, matches in by_kind.items():
            matches.sort(key=lambda m: (-float(m.get("strength", 0.0)), str(m.get("indicator"))))
            lead = matches[0]
            refs: list[str] = []
            actors: list[str] = []
            for m in matches:
                refs.extend(r for r in m.get("marking_refs", ()) if r not in refs)
                actors.extend(a for a in m.get("actor_refs", ()) if a not in actors)
            governing = label(most_restrictive(str(m.get("marking")) for m in matches))
            yield self.signal(
                SIGNAL_FOR_KIND[kind],
                float(lead.get("strength", 0.0)),
                describe(lead, len(matches) - 1, governing),
                {
                    "indicators": [m["indicator"] for m in matches][:20],
                    "source": lead.get("source"),
                    "actor": lead.get("actor"),
                    "actor_refs": actors[:20],
                    "marking": governing,
                    "marking_refs": refs,
                    "kind": kind,
                },
            )
