"""The synthetic network generator: reproducible, valid, and a real detection problem.

One small network (2,000 members) is generated once for the module; the tests read it the way a
user of the files would (JSON lines and truth.json) and check the properties the generator
promises: byte-identical output for a seed, every record valid under the data contract, ground
truth consistent with truth.json, campaigns that concentrate on sensitive organisations, reuse
photos and templates and reply fast, and genuine look-alikes that make it hard.
"""

from __future__ import annotations

import gzip
import itertools
import re
import statistics
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest

from spycatcher.schema import Event, Profile, parse_datetime
from spycatcher.synth import SynthSummary, generate
from spycatcher.synth.profile_writer import ProfileWorker, can_fork

N = 2_000
STUDENT_JOBS = {"Intern", "Summer Intern", "Student Placement", "Working Student"}
SEED = 11
LURE = re.compile(
    r"whatsapp|wechat|telegram|personal email|fee|report|expenses|all expenses|honorarium"
    r"|clearance|exclusive|covered",
    re.IGNORECASE,
)


class Network:
    """The generated files, loaded once."""

    def __init__(self, out: Path, summary: SynthSummary) -> None:
        self.out = out
        self.summary = summary
        self.profile_lines = (out / "profiles.jsonl").read_bytes().splitlines()
        self.event_lines = (out / "events.jsonl").read_bytes().splitlines()
        self.profiles = [orjson.loads(x) for x in self.profile_lines]
        self.events = [orjson.loads(x) for x in self.event_lines]
        self.truth = orjson.loads((out / "truth.json").read_bytes())
        self.by_id = {p["id"]: p for p in self.profiles}
        self.sensitive = set(self.truth["sensitive_organisations"])
        hn = self.truth["hard_negatives"]
        self.recruiters = set(hn["recruiter"])
        self.researchers = set(hn["researcher"])
        self.newcomers = set(hn["new_member"])
        self.fakes = {p["id"] for p in self.profiles if p["label"] == "fake"}
        self.degree: Counter[str] = Counter()
        for e in self.events:
            if e["type"] == "connection":
                self.degree[e["actor"]] += 1
                self.degree[e["target"]] += 1

    def employer(self, pid: str) -> str | None:
        current = [x for x in self.by_id[pid].get("experience", []) if x.get("end") is None]
        return current[0]["company"] if current else None

    def invitations_from(self, ids: set[str]) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == "invitation" and e["actor"] in ids]

    def sensitive_share(self, ids: set[str]) -> float:
        invs = self.invitations_from(ids)
        hits = sum(self.employer(e["target"]) in self.sensitive for e in invs)
        return hits / max(1, len(invs))


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Network:
    out = tmp_path_factory.mktemp("synth")
    summary = generate(out, N, SEED)
    return Network(out, summary)


def _dt(text: str) -> datetime:
    value = parse_datetime(text)
    assert value is not None
    return value


def _hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _nearest(h: str, bases: list[str]) -> str:
    return min(bases, key=lambda b: _hamming(h, b))


def _shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + k]) for i in range(max(0, len(words) - k + 1))}


def _jaccard(a: set[Any], b: set[Any]) -> float:
    return len(a & b) / max(1, len(a | b))


# ---- reproducibility and the contract -----------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 400, 5)
    b = generate(tmp_path / "b", 400, 5, workers=1)
    c = generate(tmp_path / "c", 400, 6)
    for name in ("profiles.jsonl", "events.jsonl", "truth.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes(), name
    assert a.n_events == b.n_events and a.event_counts == b.event_counts
    assert c.n_profiles == 400


def test_gzip_output_holds_the_same_records(tmp_path: Path) -> None:
    generate(tmp_path / "plain", 300, 9)
    summary = generate(tmp_path / "gz", 300, 9, gzip=True)
    assert {f.name for f in summary.files} == {"profiles.jsonl.gz", "events.jsonl.gz", "truth.json"}
    for name in ("profiles", "events"):
        plain = (tmp_path / "plain" / f"{name}.jsonl").read_bytes()
        assert gzip.decompress((tmp_path / "gz" / f"{name}.jsonl.gz").read_bytes()) == plain


def test_every_record_validates_against_the_contract(net: Network) -> None:
    for line in net.profile_lines:
        Profile.model_validate_json(line)
    for line in net.event_lines:
        Event.model_validate_json(line)
    assert len(net.profiles) == N
    assert len(net.events) == net.summary.n_events
    assert len({p["id"] for p in net.profiles}) == N
    assert len({e["id"] for e in net.events}) == len(net.events)


def test_events_are_time_ordered_and_never_involve_an_account_before_it_exists(
    net: Network,
) -> None:
    as_of = _dt(net.truth["as_of"])
    created = {p["id"]: _dt(p["created_at"]) for p in net.profiles}
    last: datetime | None = None
    for e in net.events:
        at = _dt(e["at"])
        assert at < as_of
        assert last is None or at >= last
        last = at
        assert at >= created[e["actor"]], e
        assert at >= created[e["target"]], e
        assert e["actor"] != e["target"]
    window_start = as_of.replace(year=as_of.year - 2)
    old = [e for e in net.events if _dt(e["at"]) < window_start]
    assert len(old) / len(net.events) < 0.3
    # Older events are the historical connection graph (and a few aged personas' warm-ups).
    assert sum(e["type"] == "connection" for e in old) >= 0.9 * len(old)


def test_event_mix_is_close_to_the_requested_volume(net: Network) -> None:
    counts = net.summary.event_counts
    assert set(counts) == {"connection", "invitation", "message", "endorsement", "view", "report"}
    assert 12 * N < net.summary.n_events < 28 * N
    accepted = Counter(e.get("accepted") for e in net.events if e["type"] == "invitation")
    assert accepted[True] and accepted[False] and accepted[None]


# ---- ground truth -------------------------------------------------------------------------------


def test_labels_and_campaigns_match_truth(net: Network) -> None:
    truth = net.truth
    members = {m: c["id"] for c in truth["campaigns"] for m in c["members"]}
    lone = {m for c in truth["lone_fakes"] for m in c["members"]}
    assert len(truth["campaigns"]) >= 2
    for c in truth["campaigns"]:
        assert 3 <= len(c["members"]) <= 40
        assert c["persona_kind"] in {"headhunter", "think_tank", "consultant", "scholar"}
        assert c["targets"] and c["target_organisations"]
        assert c["first_activity"] <= c["last_activity"]
    for p in net.profiles:
        if p["label"] == "fake":
            assert p.get("campaign") == members.get(p["id"]), p["id"]
            assert p["id"] in members or p["id"] in lone
        else:
            assert p["label"] == "genuine" and p.get("campaign") is None
    assert net.fakes == set(members) | lone
    assert truth["n_fake"] == len(net.fakes)
    assert 0.005 <= len(net.fakes) / N <= 0.02
    for ids in (net.recruiters, net.researchers, net.newcomers):
        assert ids and all(net.by_id[i]["label"] == "genuine" for i in ids)


def test_shell_employers_have_no_genuine_staff(net: Network) -> None:
    genuine_employers = {
        x["company"]
        for p in net.profiles
        if p["label"] == "genuine"
        for x in p.get("experience", [])
    }
    shells = [c for c in net.truth["campaigns"] + net.truth["lone_fakes"] if c["shell_employer"]]
    assert shells
    for c in shells:
        assert c["employer"] not in genuine_employers
        assert c["employer"] not in net.sensitive


# ---- what makes campaigns detectable ----------------------------------------------------------


def test_campaigns_concentrate_on_sensitive_organisations(net: Network) -> None:
    ordinary = {p["id"] for p in net.profiles if p["label"] == "genuine"} - net.researchers
    fake_share = net.sensitive_share(net.fakes)
    genuine_share = net.sensitive_share(ordinary)
    assert fake_share > 2.0 * genuine_share, (fake_share, genuine_share)
    sloppy = {m for c in net.truth["campaigns"] if c["style"] == "sloppy" for m in c["members"]}
    if sloppy:
        assert net.sensitive_share(sloppy) > 3.0 * genuine_share


def test_reused_photos_stay_within_hamming_31_and_genuine_photos_do_not_collide(
    net: Network,
) -> None:
    checked = 0
    for c in net.truth["campaigns"] + net.truth["lone_fakes"]:
        if c["traits"]["photo"] != "reused":
            continue
        hashes = [net.by_id[m]["photo"]["pdq"] for m in c["members"] if "photo" in net.by_id[m]]
        for h in hashes:
            assert min(_hamming(h, base) for base in c["photo_bases"]) <= 12
        bases_of = [_nearest(h, c["photo_bases"]) for h in hashes]
        for (h1, b1), (h2, b2) in itertools.combinations(zip(hashes, bases_of, strict=True), 2):
            if b1 == b2:
                assert _hamming(h1, h2) <= 24 < 31
                checked += 1
    genuine = [
        int(p["photo"]["pdq"], 16) for p in net.profiles if p["label"] == "genuine" and "photo" in p
    ]
    assert len(genuine) > 0.8 * N
    assert len(set(genuine)) == len(genuine)
    # All genuine pairs are far apart (random 256-bit hashes sit near distance 128).
    arr = np.array([[(g >> (64 * k)) & (2**64 - 1) for k in range(4)] for g in genuine], np.uint64)
    lut = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
    closest = 256
    for i in range(len(arr) - 1):
        x = np.bitwise_xor(arr[i + 1 :], arr[i]).view(np.uint8)
        closest = min(closest, int(lut[x].reshape(len(arr) - i - 1, -1).sum(axis=1).min()))
    assert closest > 31
    assert checked or not any(
        c["traits"]["photo"] == "reused" and len(c["members"]) > 1 for c in net.truth["campaigns"]
    )


def test_templated_summaries_are_near_duplicates_but_genuine_ones_are_not(net: Network) -> None:
    within = []
    for c in net.truth["campaigns"]:
        if not c["traits"]["templated_summary"]:
            continue
        sh = [_shingles(net.by_id[m]["summary"], 2) for m in c["members"]]
        within += [_jaccard(a, b) for a, b in itertools.combinations(sh, 2)]
    genuine = [
        _shingles(p["summary"], 2)
        for p in net.profiles
        if p["label"] == "genuine" and p.get("summary")
    ]
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, len(genuine), size=(3000, 2))
    across = [_jaccard(genuine[i], genuine[j]) for i, j in pairs if i != j]
    assert within and statistics.mean(within) > 0.4
    assert statistics.mean(across) < 0.1
    assert np.mean(np.array(across) > 0.6) < 0.01


def test_personas_are_young_accounts_claiming_more_than_they_have(net: Network) -> None:
    as_of = _dt(net.truth["as_of"])

    def age_days(pid: str) -> float:
        return (as_of - _dt(net.by_id[pid]["created_at"])).days

    ordinary = [
        p["id"] for p in net.profiles if p["label"] == "genuine" and p["id"] not in net.newcomers
    ]
    assert statistics.median(age_days(f) for f in net.fakes) < 0.5 * statistics.median(
        age_days(g) for g in ordinary
    )
    ratio = [net.by_id[f]["counts"]["connections"] / (net.degree[f] + 1) for f in net.fakes]
    assert statistics.median(ratio) > 5
    for g in ordinary:
        assert net.by_id[g]["counts"]["connections"] >= net.degree[g]
    for c in net.truth["campaigns"]:
        if c["traits"]["burst"] and c["style"] == "sloppy" and len(c["members"]) > 1:
            days = [age_days(m) for m in c["members"]]
            assert max(days) - min(days) <= 13


def test_personas_use_lures_and_reply_within_minutes(net: Network) -> None:
    def lure_share(ids: set[str]) -> float:
        texts = [
            e["text"]
            for e in net.events
            if e["actor"] in ids and e["type"] in ("message", "invitation") and e.get("text")
        ]
        return sum(bool(LURE.search(t)) for t in texts) / max(1, len(texts))

    genuine = {p["id"] for p in net.profiles if p["label"] == "genuine"}
    fake_share, genuine_share = lure_share(net.fakes), lure_share(genuine)
    assert fake_share > 0.25
    assert 0.0 < genuine_share < fake_share / 3  # recruiters, researchers, friends: not zero

    def reply_minutes(responders: set[str]) -> list[float]:
        last: dict[str, dict[str, Any]] = {}
        out = []
        for e in net.events:
            if e["type"] != "message":
                continue
            prev = last.get(e["conversation"])
            if prev and prev["actor"] != e["actor"] and e["actor"] in responders:
                out.append((_dt(e["at"]) - _dt(prev["at"])).total_seconds() / 60)
            last[e["conversation"]] = e
        return out

    fake_replies = reply_minutes(net.fakes)
    genuine_replies = reply_minutes(genuine)
    assert fake_replies and statistics.median(fake_replies) < 60
    assert statistics.median(genuine_replies) > 3 * statistics.median(fake_replies)


# ---- what makes it hard ---------------------------------------------------------------------


def test_hard_negatives_look_superficially_similar(net: Network) -> None:
    per_actor = Counter(e["actor"] for e in net.events if e["type"] == "invitation")
    ordinary = [
        per_actor[p["id"]]
        for p in net.profiles
        if p["label"] == "genuine" and p["id"] not in net.recruiters | net.researchers
    ]
    assert statistics.median(per_actor[r] for r in net.recruiters) > 10 * max(
        1, statistics.median(ordinary)
    )
    # Researchers write to officials: their invitations concentrate on sensitive staff too.
    assert net.sensitive_share(net.researchers) > 2 * net.sensitive_share(
        {p["id"] for p in net.profiles if p["label"] == "genuine"} - net.researchers
    )
    as_of = _dt(net.truth["as_of"])
    for pid in net.newcomers:
        assert (as_of - _dt(net.by_id[pid]["created_at"])).days <= 150
    no_photo = sum("photo" not in net.by_id[p] for p in net.newcomers) / len(net.newcomers)
    assert no_photo > 0.3
    recruiter_words = [
        e["text"]
        for e in net.events
        if e["actor"] in net.recruiters and e["type"] == "message" and e.get("text")
    ]
    assert any("salary" in t or "remote" in t or "open to" in t for t in recruiter_words), (
        recruiter_words[:5]
    )
    off_platform = re.compile(r"whatsapp|wechat|telegram|personal email", re.IGNORECASE)
    assert not any(off_platform.search(t) for t in recruiter_words)


def test_degrees_are_heavy_tailed_with_homophily(net: Network) -> None:
    genuine = [p["id"] for p in net.profiles if p["label"] == "genuine"]
    deg = np.array([net.degree[g] for g in genuine])
    assert deg.max() >= 8 * max(1, np.median(deg))
    top = np.sort(deg)[::-1][: len(deg) // 100]
    assert top.sum() >= 0.07 * deg.sum()
    same_org = total = 0
    org_of = {g: net.employer(g) for g in genuine}
    org_sizes = Counter(o for o in org_of.values() if o)
    expected = sum((s / len(genuine)) ** 2 for s in org_sizes.values())
    for e in net.events:
        if e["type"] == "connection" and e["actor"] in org_of and e["target"] in org_of:
            total += 1
            same_org += org_of[e["actor"]] is not None and org_of[e["actor"]] == org_of[e["target"]]
    assert same_org / total > 5 * expected


def test_genuine_careers_follow_education(net: Network) -> None:
    checked = 0
    for p in net.profiles:
        if p["label"] != "genuine" or not p.get("education") or not p.get("experience"):
            continue
        first_degree_end = min(int(x["end"][:4]) for x in p["education"])
        jobs = [x for x in p["experience"] if x["title"] not in STUDENT_JOBS]
        if jobs:
            assert min(int(x["start"][:4]) for x in jobs) >= first_degree_end, p["id"]
        for x in p["experience"]:
            if x.get("end"):
                assert x["start"] <= x["end"]
        checked += 1
    assert checked > N // 2


def test_summary_reports_what_was_written(net: Network) -> None:
    s = net.summary
    assert s.n_profiles == N and s.n_fake == len(net.fakes)
    assert sum(s.event_counts.values()) == s.n_events
    assert [c["id"] for c in s.campaigns] == [c["id"] for c in net.truth["campaigns"]]
    assert all(f.exists() for f in s.files)
    assert s.as_dict()["out_dir"] == str(net.out)
    assert s.n_sensitive_organisations == len(net.sensitive) > 0


def test_rejects_unusable_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, 10, 1)
    with pytest.raises(ValueError):
        generate(tmp_path, 500, 1, events_per_profile=0)


def test_progress_reports_every_stage(tmp_path: Path) -> None:
    seen: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
    generate(tmp_path, 300, 3, progress=lambda s, d, t: seen[s].append((d, t)))
    assert set(seen) == {"plan", "profiles", "events"}
    for stage, marks in seen.items():
        assert marks[-1][0] == marks[-1][1], stage


class _FailingBuilder:
    """Writes one chunk, then fails, the way a bug in profile building would."""

    def chunks(self) -> Any:
        yield [{"id": "p1", "label": "genuine"}]
        raise ValueError("boom in profile building")


@pytest.mark.skipif(not can_fork(), reason="no fork on this platform")
def test_a_failing_profile_writer_process_is_reported(tmp_path: Path) -> None:
    worker = ProfileWorker(_FailingBuilder(), tmp_path / "profiles.jsonl", False)  # type: ignore[arg-type]
    seen: list[int] = []
    with pytest.raises(RuntimeError, match="boom in profile building"):
        worker.finish(seen.append)
    assert seen == [1]
