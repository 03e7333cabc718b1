"""The graph stage and its signals, driven the way the local engine drives them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spycatcher.engine.stages import stage_classes
from spycatcher.graph.stage import GraphStage, is_tie
from spycatcher.schema import Event, Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.graph import GraphDetector
from spycatcher.signals.registry import all_specs

AT = datetime(2024, 5, 1, tzinfo=UTC)


def ev(kind: str, a: str, b: str, accepted: bool | None = None) -> Event:
    return Event(type=kind, actor=a, target=b, at=AT, accepted=accepted)  # type: ignore[arg-type]


def community() -> tuple[list[Profile], list[Event]]:
    """40 members (10 verified) in a ring with chords; 6 personas tied to each other and, by
    two accepted invitations, to two members; one account with no ties at all."""
    profiles = [Profile(id=f"m{i}", verified=(i % 4 == 0)) for i in range(40)]
    profiles += [Profile(id=f"s{i}") for i in range(6)]
    profiles.append(Profile(id="alone"))
    events = [ev("connection", f"m{i}", f"m{(i + 1) % 40}") for i in range(40)]
    events += [ev("connection", f"m{i}", f"m{(i + 2) % 40}") for i in range(40)]
    events += [ev("connection", f"s{i}", f"s{j}") for i in range(6) for j in range(i + 1, 6)]
    events += [ev("invitation", "s0", "m3", accepted=True), ev("invitation", "s1", "m9", True)]
    # invitations that were not accepted, messages and views are not ties
    events += [ev("invitation", f"s{i}", f"m{i + 10}", accepted=False) for i in range(6)]
    events += [ev("message", "s2", "m2"), ev("view", "s3", "m1"), ev("invitation", "s4", "m4")]
    return profiles, events


def run(options: dict[str, object] | None = None) -> dict[str, ProfileContext]:
    profiles, events = community()
    stage = GraphStage(options)
    for p in profiles:
        stage.observe_profile(p)
    for e in events:
        stage.observe_event(e)
    stage.finish(AT)
    out = {}
    for p in profiles:
        ctx = ProfileContext(as_of=AT)
        stage.annotate(p, ctx)
        out[p.id] = ctx
    return out


def signals(ctx: ProfileContext, pid: str) -> dict[str, float]:
    return {s.name: s.strength for s in GraphDetector().detect(Profile(id=pid), ctx)}


def test_stage_is_registered_and_ties_are_connections_and_accepted_invitations() -> None:
    assert GraphStage in stage_classes()
    assert is_tie(ev("connection", "a", "b"))
    assert is_tie(ev("invitation", "a", "b", accepted=True))
    assert not is_tie(ev("invitation", "a", "b", accepted=False))
    assert not is_tie(ev("invitation", "a", "b"))
    assert not is_tie(ev("message", "a", "b"))


def test_personas_behind_two_ties_get_low_trust_and_members_do_not() -> None:
    ctx = run()
    s0 = ctx["s2"].graph
    assert s0["degree"] == 5.0 and s0["trusted_seeds"] == 10.0
    assert s0["sybilrank_trust"] < 0.5 * min(
        ctx[f"m{i}"].graph["sybilrank_trust"] for i in range(40)
    )
    for i in range(6):
        assert "graph.low_trust" in signals(ctx[f"s{i}"], f"s{i}")
    flagged_members = [i for i in range(40) if "graph.low_trust" in signals(ctx[f"m{i}"], f"m{i}")]
    assert flagged_members == []


def test_an_account_without_ties_is_reported_as_no_information_not_as_suspicious() -> None:
    ctx = run()
    g = ctx["alone"].graph
    assert g["degree"] == 0.0 and "sybilrank_trust" not in g and "sybilscar_fake" not in g
    sig = list(GraphDetector().detect(Profile(id="alone"), ctx["alone"]))
    assert [s.name for s in sig] == ["graph.no_information"]
    assert all_specs()["graph.no_information"].weight == 0.0
    assert "no connections" in sig[0].evidence


def test_without_any_seed_the_graph_says_nothing() -> None:
    profiles, events = community()
    stage = GraphStage()
    for p in profiles:
        stage.observe_profile(p.model_copy(update={"verified": None}))
    for e in events:
        stage.observe_event(e)
    stage.finish(AT)
    ctx = ProfileContext()
    stage.annotate(profiles[0], ctx)
    assert "sybilrank_trust" not in ctx.graph
    names = [s.name for s in GraphDetector().detect(profiles[0], ctx)]
    assert names == ["graph.no_information"]


def test_review_decisions_seed_sybilscar() -> None:
    ctx = run({"fake_ids": {"s0"}, "trusted_ids": ["m1", "unknown-id"]})
    assert ctx["s0"].graph["known_fake"] == 1.0
    assert ctx["m1"].graph["trusted_seed"] == 1.0
    assert ctx["s3"].graph["fake_neighbours"] == 1.0
    near = signals(ctx["s3"], "s3")
    assert near.get("graph.near_fakes", 0.0) > 0.5
    # members far from the known fake are not pulled over 0.5
    assert all("graph.near_fakes" not in signals(ctx[f"m{i}"], f"m{i}") for i in range(40))
    # the confirmed fake itself is not re-flagged by the graph
    assert "graph.near_fakes" not in signals(ctx["s0"], "s0")


def test_an_account_the_graph_never_saw() -> None:
    stage_ctx = ProfileContext()
    stage = GraphStage()
    stage.finish(AT)
    stage.annotate(Profile(id="new"), stage_ctx)
    assert stage_ctx.graph == {"degree": 0.0, "trusted_seeds": 0.0}


def test_specs_are_declared_with_advice() -> None:
    for spec in GraphDetector.specs:
        assert spec.family == "graph" and spec.title and len(spec.advice) > 40


def test_bad_options_are_rejected_clearly() -> None:
    with pytest.raises(TypeError):
        GraphStage({"trusted_ids": "m1"})
