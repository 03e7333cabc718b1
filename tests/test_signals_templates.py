"""TemplateStage + TemplateDetector: shared wording across profiles, with the others named."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from spycatcher.engine.stages import stage_classes
from spycatcher.schema import Event, Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.templates import TemplateDetector, TemplateStage

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SCRIPT = (
    "Experienced talent acquisition partner connecting exceptional professionals with leading "
    "international clients in policy, defence and technology sectors. Passionate about building "
    "long term cooperation and exchange between Europe and Asia through consulting projects."
)
MESSAGE = (
    "Dear friend, our institute values your insights on European energy security and would like "
    "to invite you to contribute a brief analysis for our quarterly policy review"
)

WORDS = (
    "garden river lantern copper meadow violin harbor orchard pebble canyon tulip marble falcon "
    "spruce ember quartz saddle willow thistle beacon juniper cobalt prairie magnet walnut"
).split()


def _edit(text: str, rng: random.Random, share: float) -> str:
    words = text.split()
    for _ in range(int(len(words) * share)):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def _random_text(rng: random.Random, n: int) -> str:
    vocab = [f"{a}{b}" for a in WORDS for b in ("ing", "er", "ly", "s", "ed")]
    return " ".join(rng.choice(vocab) for _ in range(n))


def _run(profiles: list[Profile], events: list[Event]) -> dict[str, ProfileContext]:
    st = TemplateStage({})
    for p in profiles:
        st.observe_profile(p)
    for e in events:
        st.observe_event(e)
    st.finish(T0)
    out = {}
    for p in profiles:
        ctx = ProfileContext()
        st.annotate(p, ctx)
        out[p.id] = ctx
    return out


def test_stage_is_registered() -> None:
    assert TemplateStage in stage_classes()


def test_edited_copies_of_a_summary_are_found_and_named() -> None:
    rng = random.Random(3)
    profiles = [Profile(id=f"fake{i}", summary=_edit(SCRIPT, rng, 0.15)) for i in range(6)]
    profiles += [Profile(id=f"real{i}", summary=_random_text(rng, 40)) for i in range(40)]
    ctxs = _run(profiles, [])
    for i in range(6):
        assert sorted(ctxs[f"fake{i}"].template_matches["summary"]) == sorted(
            f"fake{j}" for j in range(6) if j != i
        )
    assert all("summary" not in ctxs[f"real{i}"].template_matches for i in range(40))
    signals = list(TemplateDetector().detect(profiles[0], ctxs["fake0"]))
    assert [s.name for s in signals] == ["text.template_summary"]
    assert "Same wording in their summary as 5 other profiles: fake1" in signals[0].evidence
    assert signals[0].data["count"] == 5


def test_messages_sent_by_several_accounts() -> None:
    rng = random.Random(5)
    profiles = [Profile(id=f"p{i}") for i in range(8)]
    events = [
        Event(type="message", actor=f"p{i}", target="victim", at=T0, text=_edit(MESSAGE, rng, 0.1))
        for i in range(3)
    ]
    events += [
        Event(type="message", actor=f"p{i}", target="x", at=T0, text=_random_text(rng, 25))
        for i in range(3, 8)
    ]
    # repeats of the same text by one sender are one text
    events += [Event(type="message", actor="p0", target="y", at=T0, text=events[0].text)] * 5
    ctxs = _run(profiles, events)
    assert sorted(ctxs["p0"].template_matches["message"]) == ["p1", "p2"]
    assert "message" not in ctxs["p5"].template_matches
    names = [s.name for s in TemplateDetector().detect(profiles[0], ctxs["p0"])]
    assert names == ["text.template_message"]


def test_short_headlines_and_boilerplate_crowds_do_not_fire() -> None:
    profiles = [Profile(id=f"e{i}", headline="Software Engineer at Google") for i in range(30)]
    ctxs = _run(profiles, [])
    assert all(not c.template_matches for c in ctxs.values())
    # a crowd sharing a long headline is boilerplate, not a campaign
    crowd = [
        Profile(id=f"c{i}", headline="Senior Software Engineer Cloud Platform Team Google Zurich")
        for i in range(130)
    ]
    ctxs = _run(crowd, [])
    assert len(ctxs["c0"].template_matches["headline"]) == 20  # listed ids are bounded
    assert ctxs["c0"].extra["template_cluster_sizes"]["headline"] == 129
    assert list(TemplateDetector().detect(crowd[0], ctxs["c0"])) == []


def test_detector_without_context_is_quiet() -> None:
    assert list(TemplateDetector().detect(Profile(id="x"), ProfileContext())) == []


def test_finish_keeps_the_clusters_and_lets_the_signatures_go() -> None:
    """Pass 2 reads only the clusters; the MinHash rows are released at finish (they would
    otherwise travel in every copy of the finished stage)."""
    import pickle

    rng = random.Random(3)
    profiles = [Profile(id=f"a{i}", summary=_edit(SCRIPT, rng, 0.1)) for i in range(4)]
    profiles += [Profile(id=f"b{i}", summary=_random_text(rng, 40)) for i in range(200)]
    st = TemplateStage({})
    for p in profiles:
        st.observe_profile(p)
    before = len(pickle.dumps(st))
    st.finish(T0)
    assert all(len(ix) == 0 for ix in st.indexes.values())
    assert len(pickle.dumps(st)) < before / 2
    ctx = ProfileContext()
    st.annotate(profiles[0], ctx)
    assert sorted(ctx.template_matches["summary"]) == ["a1", "a2", "a3"]
