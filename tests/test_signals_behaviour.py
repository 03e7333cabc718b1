"""BehaviourStage + BehaviourDetector on a small hand-made network.

The network: 30 staff of sensitive organisations (ministries, defence firms, an embassy), 30
ordinary members, a persona ("fake") that invites 24 sensitive staff across many organisations
days after its creation and moves three conversations to WhatsApp after a harmless start, and a
genuine recruiter who invites as many people, mostly ordinary members, and writes plain notes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spycatcher.engine.stages import stage_classes
from spycatcher.schema import Event, Profile
from spycatcher.signals.base import ProfileContext
from spycatcher.signals.behaviour import BehaviourDetector, BehaviourStage
from spycatcher.signals.message import MessageDetector

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
SENSITIVE_EMPLOYERS = [
    "Ministry of Defence",
    "BAE Systems",
    "Foreign Office",
    "Embassy of Norway",
    "Department of Energy",
    "Sellafield Ltd",
]


def _profile(pid: str, company: str | None, created: datetime, headline: str = "") -> Profile:
    exp = [{"title": "Analyst", "company": company, "start": "2015"}] if company else []
    return Profile(id=pid, headline=headline or None, created_at=created, experience=exp)


def _network() -> tuple[list[Profile], list[Event]]:
    profiles = [
        _profile(
            f"s{i}", SENSITIVE_EMPLOYERS[i % len(SENSITIVE_EMPLOYERS)], T0 - timedelta(days=3000)
        )
        for i in range(30)
    ]
    profiles += [_profile(f"o{i}", f"Shop {i}", T0 - timedelta(days=2000)) for i in range(30)]
    profiles.append(
        _profile("fake", "Center for Sino-Europe Development Studies", T0 - timedelta(days=3))
    )
    profiles.append(_profile("rec", "Acme Recruiting", T0 - timedelta(days=2500)))
    events: list[Event] = []
    # the persona: 24 invitations to sensitive staff within two days, 12 accepted
    for k in range(24):
        events.append(
            Event(
                type="invitation",
                actor="fake",
                target=f"s{k}",
                at=T0 + timedelta(minutes=30 * k),
                accepted=k % 2 == 0,
                text="Hello, I came across your profile and would be glad to connect.",
            )
        )
    # two conversations: harmless first, then WhatsApp; the persona replies within a minute
    for k in (0, 2, 4):
        start = T0 + timedelta(days=2, hours=k)
        events.append(
            Event(
                type="message",
                actor="fake",
                target=f"s{k}",
                at=start,
                text="Thanks for connecting!",
            )
        )
        events.append(
            Event(
                type="message",
                actor=f"s{k}",
                target="fake",
                at=start + timedelta(minutes=10),
                text="Likewise, what is it about?",
            )
        )
        events.append(
            Event(
                type="message",
                actor="fake",
                target=f"s{k}",
                at=start + timedelta(minutes=10, seconds=40),
                text="Please add me on WhatsApp, it is safer to talk there: +86 138 0013 8000",
            )
        )
    # the recruiter: 24 invitations, mostly to ordinary members, spread over weeks
    for k in range(24):
        target = f"o{k}" if k < 21 else f"s{k}"
        events.append(
            Event(
                type="invitation",
                actor="rec",
                target=target,
                at=T0 + timedelta(days=k, hours=3),
                accepted=True,
                text="Hi, I'm hiring for a data engineer role in Leeds. Open to a chat?",
            )
        )
    # ordinary members invite each other a little (sets the base rate)
    for k in range(20):
        events.append(
            Event(
                type="invitation",
                actor=f"o{k}",
                target=f"o{(k + 1) % 30}",
                at=T0 + timedelta(days=k),
                accepted=True,
            )
        )
        events.append(
            Event(
                type="invitation",
                actor=f"o{k}",
                target=f"o{(k + 2) % 30}" if k % 3 else f"s{k}",
                at=T0 + timedelta(days=k, hours=1),
                accepted=True,
            )
        )
        events.append(
            Event(
                type="invitation",
                actor=f"o{k}",
                target=f"o{(k + 3) % 30}",
                at=T0 + timedelta(days=k, hours=2),
                accepted=True,
            )
        )
    return profiles, events


@pytest.fixture(scope="module")
def stage() -> BehaviourStage:
    profiles, events = _network()
    st = BehaviourStage({})
    for p in profiles:
        st.observe_profile(p)
    for e in events:
        st.observe_event(e)
    st.finish(T0 + timedelta(days=60))
    st.profiles = {p.id: p for p in profiles}  # type: ignore[attr-defined]
    return st


def _ctx(stage: BehaviourStage, pid: str) -> ProfileContext:
    ctx = ProfileContext()
    stage.annotate(stage.profiles[pid], ctx)  # type: ignore[attr-defined]
    return ctx


def test_stage_is_registered() -> None:
    assert BehaviourStage in stage_classes()


def test_behaviour_aggregates_for_the_persona(stage: BehaviourStage) -> None:
    b = _ctx(stage, "fake").behaviour
    assert b["invitations"] == 24
    assert b["accepted"] == 12
    assert b["acceptance_rate"] == pytest.approx(0.5)
    assert b["sensitive_share"] == pytest.approx(1.0)
    assert b["lift"] > 3
    assert b["distinct_sensitive_orgs"] == len(SENSITIVE_EMPLOYERS)
    assert set(b["target_orgs"]) == set(SENSITIVE_EMPLOYERS)
    assert "defence" in b["target_sectors"] and "diplomacy" in b["target_sectors"]
    assert b["age_at_first_invitation_days"] == pytest.approx(3.0)
    assert b["median_reply_seconds"] == pytest.approx(40.0)
    assert b["replies"] == 3
    assert b["off_platform_moves"] == 3
    assert b["escalating_conversations"] == 3
    assert b["targets"][:3] == ["s0", "s1", "s2"]
    assert b["first_at"] == T0
    assert b["last_at"] == T0 + timedelta(minutes=30 * 23)
    assert b["peak_day_invitations"] == 24


def test_sent_texts_are_a_deduplicated_sample(stage: BehaviourStage) -> None:
    texts = _ctx(stage, "fake").sent_texts
    assert texts.count("Hello, I came across your profile and would be glad to connect.") == 1
    assert any("WhatsApp" in t for t in texts)


def test_the_stage_tells_the_message_detector_whose_texts_hold_no_lure(
    stage: BehaviourStage,
) -> None:
    """The shortcut must be exact: for every account, reading the texts again gives the same
    signals as trusting the stage's "no flagged lure" (and the persona's texts are flagged)."""
    detector = MessageDetector()
    seen = set()
    for pid, profile in stage.profiles.items():  # type: ignore[attr-defined]
        ctx = _ctx(stage, pid)
        if not ctx.sent_texts:
            assert ctx.sent_texts_flagged is None
            continue
        seen.add(ctx.sent_texts_flagged)
        trusted = [s.as_dict() for s in detector.detect(profile, ctx)]
        ctx.sent_texts_flagged = None
        assert [s.as_dict() for s in detector.detect(profile, ctx)] == trusted, pid
        if trusted:
            assert _ctx(stage, pid).sent_texts_flagged is True
    assert _ctx(stage, "fake").sent_texts_flagged is True
    assert _ctx(stage, "rec").sent_texts_flagged is False
    assert seen == {True, False}


def test_a_text_cut_for_storage_is_read_again_by_the_message_detector() -> None:
    """A stored sample keeps 4,000 characters; a veto after the cut could make the cut text read
    as a lure the whole one is not, so such accounts never take the shortcut."""
    st = BehaviourStage({})
    st.observe_profile(_profile("long", "Shop", T0 - timedelta(days=900)))
    st.observe_profile(_profile("o", "Shop", T0 - timedelta(days=900)))
    st.observe_event(
        Event(type="message", actor="long", target="o", at=T0, text="Quarterly figures. " * 300)
    )
    st.finish(T0 + timedelta(days=1))
    ctx = ProfileContext()
    st.annotate(_profile("long", "Shop", T0 - timedelta(days=900)), ctx)
    assert ctx.sent_texts_flagged is True  # not known to be free of lures: read again


def test_text_samples_read_back_after_packing_in_order_and_intact() -> None:
    """finish() packs every sender's sample into one buffer: each sender gets back exactly its
    own texts, in the order kept, including non-Latin scripts and emoji; silent accounts none."""
    st = BehaviourStage({})
    for pid in ("a", "b", "c", "d"):
        st.observe_profile(_profile(pid, "Shop", T0 - timedelta(days=900)))
    sent = {
        "a": ["Привет, рад знакомству с вами и вашей командой.", "Thanks 🙂 see you at the fair"],
        "c": ["你好，很高兴认识你。", "Hello again", "Ça va? Déjà vu."],
    }
    k = 0
    for pid, texts in sent.items():
        for text in texts:
            k += 1
            st.observe_event(
                Event(type="message", actor=pid, target="b", at=T0 + timedelta(hours=k), text=text)
            )
    st.finish(T0 + timedelta(days=1))
    for pid in ("a", "b", "c", "d"):
        ctx = ProfileContext()
        st.annotate(_profile(pid, "Shop", T0 - timedelta(days=900)), ctx)
        # texts without a lure: the first MAX_PLAIN_TEXTS_PER_ACTOR (2) of each sender are kept
        assert ctx.sent_texts == sent.get(pid, [])[:2], pid


def test_recruiter_aggregates(stage: BehaviourStage) -> None:
    b = _ctx(stage, "rec").behaviour
    assert b["invitations"] == 24
    assert b["sensitive_invitations"] == 3
    assert b["lift"] < 2
    assert b["off_platform_moves"] == 0
    assert b["median_reply_seconds"] is None


def test_detector_fires_on_the_persona(stage: BehaviourStage) -> None:
    ctx = _ctx(stage, "fake")
    signals = {s.name: s for s in BehaviourDetector().detect(stage.profiles["fake"], ctx)}  # type: ignore[attr-defined]
    assert {
        "behaviour.sensitive_targeting",
        "behaviour.many_sensitive_orgs",
        "behaviour.young_account",
        "behaviour.burst",
        "behaviour.fast_replies",
        "behaviour.off_platform",
    } <= set(signals)
    ev = signals["behaviour.sensitive_targeting"].evidence
    assert "100% of their 24 invitations" in ev and "times the usual share" in ev
    assert "Ministry of Defence" in signals["behaviour.many_sensitive_orgs"].evidence
    assert all(s.advice for s in signals.values())
    msg = {s.name for s in MessageDetector().detect(stage.profiles["fake"], ctx)}  # type: ignore[attr-defined]
    assert {"message.off_platform", "message.escalation"} <= msg


def test_detector_quiet_on_the_recruiter_and_ordinary_members(stage: BehaviourStage) -> None:
    for pid in ("rec", "o1", "s1"):
        ctx = _ctx(stage, pid)
        signals = list(BehaviourDetector().detect(stage.profiles[pid], ctx))  # type: ignore[attr-defined]
        assert signals == [], (pid, signals)
        assert list(MessageDetector().detect(stage.profiles[pid], ctx)) == []  # type: ignore[attr-defined]


def test_unknown_profile_and_empty_stage() -> None:
    st = BehaviourStage({})
    st.finish(T0)
    ctx = ProfileContext()
    st.annotate(Profile(id="nobody"), ctx)
    assert ctx.behaviour == {} and ctx.sent_texts == []
    assert list(BehaviourDetector().detect(Profile(id="nobody"), ctx)) == []


def test_events_about_unknown_accounts_do_not_break(stage: BehaviourStage) -> None:
    st = BehaviourStage({})
    st.observe_profile(_profile("a", "Ministry of Defence", T0))
    st.observe_event(Event(type="invitation", actor="ghost", target="a", at=T0))
    st.observe_event(Event(type="message", actor="a", target="ghost2", at=T0, text="hi there"))
    st.observe_event(Event(type="view", actor="a", target="ghost", at=T0))
    st.finish(T0)
    ctx = ProfileContext()
    st.annotate(_profile("a", "Ministry of Defence", T0), ctx)
    assert ctx.behaviour["invitations"] == 0
    assert ctx.behaviour["texts_sent"] == 1
    assert ctx.sent_texts == ["hi there"]


def test_sensitive_config_from_a_user_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "orgs.toml"
    cfg.write_text('[sectors.retail]\ntitle = "retail"\npatterns = ["shop"]\n', encoding="utf-8")
    st = BehaviourStage({"sensitive_config": str(cfg)})
    st.observe_profile(_profile("x", "Shop 1", T0))
    st.observe_profile(_profile("y", "Ministry of Defence", T0))
    st.observe_event(Event(type="invitation", actor="y", target="x", at=T0))
    st.finish(T0)
    ctx = ProfileContext()
    st.annotate(_profile("y", "Ministry of Defence", T0), ctx)
    assert ctx.behaviour["sensitive_invitations"] == 1
    assert ctx.behaviour["target_sectors"] == ["retail"]


def _detect(**b: object) -> dict[str, float]:
    base: dict[str, object] = {"invitations": 0, "lift": 0.0, "replies": 0}
    ctx = ProfileContext()
    ctx.behaviour = {**base, **b}
    return {s.name: s.strength for s in BehaviourDetector().detect(Profile(id="x"), ctx)}  # type: ignore[attr-defined]


def test_young_account_weighs_strangers_not_a_new_members_own_contacts() -> None:
    # a new account inviting 60 people in its first week, 55% accepting: full strength
    persona = _detect(invitations=60, age_at_first_invitation_days=6.0, acceptance_rate=0.55)
    assert persona["behaviour.young_account"] == pytest.approx(1.0)
    # a new member inviting 20 people they know, all accepting: weak or nothing
    member = _detect(invitations=20, age_at_first_invitation_days=6.0, acceptance_rate=1.0)
    assert member.get("behaviour.young_account", 0.0) < 0.15
    # youth fades: at 120 days half, from 180 days nothing
    mid = _detect(invitations=60, age_at_first_invitation_days=120.0, acceptance_rate=0.55)
    assert mid["behaviour.young_account"] == pytest.approx(0.5)
    old = _detect(invitations=60, age_at_first_invitation_days=200.0, acceptance_rate=0.55)
    assert "behaviour.young_account" not in old


def test_prompt_replies_count_weaker_than_fast_ones() -> None:
    fast = _detect(median_reply_seconds=60.0, replies=10)
    prompt = _detect(median_reply_seconds=3000.0, replies=10)
    slow = _detect(median_reply_seconds=5 * 3600.0, replies=10)
    few = _detect(median_reply_seconds=3000.0, replies=3)
    assert fast["behaviour.fast_replies"] == pytest.approx(1.0)
    assert 0.4 < prompt["behaviour.fast_replies"] < 0.6
    assert "behaviour.fast_replies" not in slow and "behaviour.fast_replies" not in few


def test_a_bare_move_to_whatsapp_counts_as_a_move_but_flags_no_lure() -> None:
    """ "What's your WhatsApp?" alone is not a lure flag (colleagues and recruiters ask it), but
    an account that invites people and then asks them to continue elsewhere is moving them
    off the platform, and the behaviour statistics count it."""
    st = BehaviourStage({})
    mover = _profile("m", "Shop", T0 - timedelta(days=900))
    st.observe_profile(mover)
    for k in range(3):
        st.observe_profile(_profile(f"t{k}", "Shop", T0 - timedelta(days=900)))
        at = T0 + timedelta(days=k)
        st.observe_event(Event(type="invitation", actor="m", target=f"t{k}", at=at, accepted=True))
        for hours, text in ((1, "Thanks for connecting!"), (2, "What's your WhatsApp number?")):
            st.observe_event(
                Event(
                    type="message",
                    actor="m",
                    target=f"t{k}",
                    at=at + timedelta(hours=hours),
                    text=text,
                )
            )
    st.finish(T0 + timedelta(days=5))
    ctx = ProfileContext()
    st.annotate(mover, ctx)
    assert ctx.behaviour["off_platform_moves"] == 3
    assert ctx.behaviour["escalating_conversations"] == 3
    assert ctx.sent_texts_flagged is False
    behaviour = {s.name for s in BehaviourDetector().detect(mover, ctx)}
    assert "behaviour.off_platform" in behaviour
    messages = {s.name for s in MessageDetector().detect(mover, ctx)}
    assert messages == {"message.escalation"}
