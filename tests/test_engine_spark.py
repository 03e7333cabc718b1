"""The Spark engine gives the local engine's results: same scores, ranking, campaigns, errors.

Two layers. Without Spark: every built-in population stage, split into partial stages over
segments of the input and merged in order, must be exactly a single pass (the contract of
``PopulationStage.merge`` the Spark engine relies on). With Spark (one local session shared by
these tests): the graph iterations as DataFrame operations must equal scipy bit for bit, and a
synthetic network scanned by both engines must give identical rows, ranking, campaigns and load
reports, with Parquet output and the CLI's ``--engine spark`` on top.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import missing
from PIL import Image

from spycatcher.engine.local import ScanOptions, scan
from spycatcher.engine.stages import PARTIAL, PopulationStage, stage_classes
from spycatcher.io.records import read_events, read_profiles
from spycatcher.schema import Event, Profile
from spycatcher.signals.base import ProfileContext

T0 = datetime(2025, 3, 1, tzinfo=UTC)
LURES = [  # long enough to be indexed as message templates, and shared by every sender
    "We pay 2,000 USD for a short report on your work about regional defence procurement plans.",
    "Add me on WeChat so we can talk more freely about the exciting consulting project payment.",
]
TEMPLATE = (
    "Senior partner at a global consultancy connecting exceptional professionals with exclusive "
    "international opportunities in policy research and strategic advisory work"
)


def handmade(tmp: Path) -> tuple[Path, Path]:
    """A small population that exercises every merge rule: duplicate ids (the later wins),
    senders that are not profiles, more texts per sender than are kept (some repeated, some with
    lures), shared wording and photos, verified seeds, connections and accepted invitations."""
    rng = random.Random(5)
    profiles: list[dict[str, Any]] = []
    for i in range(80):
        persona = i < 10
        p: dict[str, Any] = {
            "id": f"p{i:03d}",
            "name": f"Person {i}",
            "headline": "Talent partner" if persona else f"Engineer {i % 7}",
            "summary": TEMPLATE.replace("global", ["global", "worldwide"][i % 2])
            if persona
            else f"I build things number {i} with {rng.choice(['steel', 'code', 'glass'])}",
            "created_at": (T0 - timedelta(days=30 if persona else 3000 + i)).date().isoformat(),
            "experience": [
                {
                    "title": "Director" if persona else "Engineer",
                    "company": "Centre for Strategic Studies" if persona else f"Firm {i % 6}",
                    "start": "2010",
                }
            ],
            "verified": (i % 5 == 0) and not persona,
        }
        if i < 4:
            p["photo"] = {"pdq": "f" * 48 + f"{i:016x}"}
        elif i < 10:  # image files: hashed, and kept by the crop-tolerant matcher
            p["photo"] = {"path": f"face{i % 3}.png"}
        profiles.append(p)
    dup = dict(profiles[12], headline="Changed later", verified=True)
    profiles.append(dup)
    events: list[dict[str, Any]] = []
    t = T0
    for k in range(900):
        t += timedelta(minutes=7)
        actor = f"p{k % 10:03d}" if k % 9 else f"ghost{k % 4}"
        target = f"p{rng.randrange(10, 80):03d}" if k % 13 else f"ghost{k % 3}"
        # each sender's own wording, or a shared lure: which texts come first decides clusters
        own = " ".join(f"w{k % 10}x{rng.randrange(40)}" for _ in range(9))
        text = rng.choice([*LURES, f"Lovely to meet you {own}", "Thanks!", None])
        kind = "invitation" if k % 3 else "message"
        e: dict[str, Any] = {"type": kind, "actor": actor, "target": target, "at": t.isoformat()}
        if text:
            e["text"] = text
        if kind == "invitation":
            e["accepted"] = rng.random() < 0.4
        events.append(e)
        if k % 5 == 0:
            a, b = rng.randrange(80), rng.randrange(80)
            events.append(
                {
                    "type": "connection",
                    "actor": f"p{a:03d}",
                    "target": f"p{b:03d}",
                    "at": t.isoformat(),
                }
            )
    pixels = np.random.default_rng(1).integers(0, 255, size=(3, 96, 96, 3), dtype=np.uint8)
    for k in range(3):
        big = np.kron(pixels[k], np.ones((2, 2, 1), dtype=np.uint8))  # some structure to hash
        Image.fromarray(big).save(tmp / f"face{k}.png")
    pf, ef = tmp / "profiles.jsonl", tmp / "events.jsonl"
    pf.write_text("".join(json.dumps(p) + "\n" for p in profiles))
    ef.write_text("".join(json.dumps(e) + "\n" for e in events))
    return pf, ef


def _segments(items: list[Any], k: int) -> Iterator[list[Any]]:
    bounds = [len(items) * i // k for i in range(k + 1)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        yield items[a:b]


def _contexts(stages: list[PopulationStage], profiles: list[Profile]) -> list[str]:
    out = []
    for p in profiles:
        ctx = ProfileContext(as_of=T0)
        for st in stages:
            st.annotate(p, ctx)
        out.append(repr(ctx))
    return out


@pytest.mark.parametrize("k", [2, 5, 13])
def test_partial_stages_merged_in_order_equal_a_single_pass(tmp_path: Path, k: int) -> None:
    pf, ef = handmade(tmp_path)
    profiles: list[Profile] = list(read_profiles(pf))
    events: list[Event] = list(read_events(ef))
    opts = {"profiles_dir": str(tmp_path), "fake_ids": ["p003"]}
    classes = stage_classes()
    assert {c.name for c in classes} >= {"employers", "behaviour", "templates", "graph"}

    single = [c(opts) for c in classes]
    for p in profiles:
        for st in single:
            st.observe_profile(p)
    for e in events:
        for st in single:
            st.observe_event(e)

    merged = [c(opts) for c in classes]
    for records, observe in ((profiles, "observe_profile"), (events, "observe_event")):
        for seg in _segments(records, k):
            part = [c({**opts, PARTIAL: True}) for c in classes]
            for r in seg:
                for st in part:
                    getattr(st, observe)(r)
            for mine, theirs in zip(merged, part, strict=True):
                mine.merge(theirs)
    # the crop-tolerant matcher keeps the same photos, in the same order
    photo, photo_merged = (next(st for st in ss if st.name == "photo") for ss in (single, merged))
    assert len(photo.crops) >= 3  # type: ignore[attr-defined]
    assert photo_merged.crop_ids == photo.crop_ids  # type: ignore[attr-defined]
    assert [t.tobytes() for t in photo_merged.crops._thumbs] == [  # type: ignore[attr-defined]
        t.tobytes()
        for t in photo.crops._thumbs  # type: ignore[attr-defined]
    ]
    for a, b in zip(single, merged, strict=True):
        a.finish(T0)
        b.finish(T0)
    assert _contexts(merged, profiles) == _contexts(single, profiles)


def test_a_stage_without_merge_says_how_to_fix_it() -> None:
    class Counting(PopulationStage):
        name = "counting"

    with pytest.raises(NotImplementedError, match="implement PopulationStage.merge"):
        Counting().merge(Counting({PARTIAL: True}))


def test_input_split_is_a_multiple_of_the_cores_with_bounded_partitions() -> None:
    from spycatcher.engine.spark_io import split_bytes

    mib = 2**20
    # 100k profiles (140 MB) on 2 cores: 2 partitions, not 5 of 32 MiB (3 waves)
    size = split_bytes(139_692_257, 2, 128 * mib)
    assert -(-139_692_257 // size) == 2
    for total in (1, 999, 10 * mib, 139_692_257, 5 * 2**30):
        for slots in (1, 2, 3, 8):
            for bound in (mib, 32 * mib, 128 * mib):
                size = split_bytes(total, slots, bound)
                n = -(-total // size)
                assert size <= bound or total < slots  # memory per partition stays bounded
                if total >= slots * slots:  # (a byte count can't be cut into more pieces)
                    assert n % slots == 0, (total, slots, bound)  # every wave uses every core
                    assert n == slots or -(-total // (n - slots)) > bound  # no fewer would do


# -- with Spark ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local SparkSession (2 cores) for every Spark test of the session."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing("pyspark (pip install '.[spark]')")
    if shutil.which("java") is None:
        missing("Java 17 (make system-deps)")
    from spycatcher.engine.spark_session import get_spark

    session = get_spark("local[2]", conf={"spark.sql.shuffle.partitions": "2"})
    yield session
    session.stop()


@pytest.mark.spark
@pytest.mark.parametrize("one_task_edges", [0, 10_000], ids=["row-blocks", "one-task"])
def test_graph_iterations_on_spark_equal_scipy_bit_for_bit(spark: Any, one_task_edges: int) -> None:
    from spycatcher.engine.spark_graph import graph_scores
    from spycatcher.graph.scores import compute_scores
    from spycatcher.graph.stage import GraphStage

    rng = np.random.default_rng(3)
    stage = GraphStage({"fake_ids": ["n7", "n19"], "trusted_ids": ["n2", "n7"]})
    for i in range(48):  # every account, some verified, a few with no ties at all
        stage.observe_profile(Profile(id=f"n{i}", verified=bool(i % 11 == 0)))
    ties = []
    for _ in range(150):  # duplicates, both directions and self-loops included
        a, b = (int(x) for x in rng.integers(0, 44, size=2))
        ties.append((f"n{a}", f"n{b}"))
        stage.builder.add_edge(f"n{a}", f"n{b}")
    local = compute_scores(stage.builder.to_csr(), *stage.seed_masks())
    df = spark.createDataFrame(ties, "actor string, target string")
    remote = graph_scores(spark, df, stage, 2, one_task_edges=one_task_edges)
    assert remote.iterations == local.iterations
    for name in (
        "degree",
        "trusted",
        "fake",
        "trusted_neighbours",
        "fake_neighbours",
        "sybilrank_trust",
        "sybilrank_rank_pct",
        "sybilscar_fake",
    ):
        a, b = getattr(local, name), getattr(remote, name)
        assert a.dtype == b.dtype, name
        # the same bits, not merely close: a last-bit difference could reorder a ranking
        assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), name
    assert np.isfinite(local.sybilscar_fake).sum() > 0 and np.isfinite(local.sybilrank_trust).any()


@pytest.mark.spark
def test_input_partitions_follow_the_cores_and_keep_file_order(spark: Any, tmp_path: Path) -> None:
    from spycatcher.engine.spark_io import input_bytes, input_split, read_lines, split_bytes

    rng = random.Random(2)
    lines = [f"{i} " + "x" * rng.randrange(0, 300) for i in range(4000)]
    one = tmp_path / "one.jsonl"
    one.write_text("\n".join(lines) + "\n")
    folder = tmp_path / "parts"
    folder.mkdir()
    for k, at in enumerate((0, 1500, 2600)):  # three part files of unequal size
        part = lines[at : (1500, 2600, 4000)[k]]
        (folder / f"part-{k:05d}").write_text("\n".join(part) + "\n")
    slots = spark.sparkContext.defaultParallelism
    conf = spark.conf.get("spark.sql.files.maxPartitionBytes")
    for files, bound, expect in (
        ([str(one)], 2**30, slots),
        ([str(one)], one.stat().st_size // 5, 3 * slots),
        (sorted(str(f) for f in folder.iterdir()), 2**30, 3),  # one per file, none cut per core
    ):
        total = input_bytes(spark, files)
        with input_split(spark, split_bytes(total, slots, bound)):
            df = read_lines(spark, files)
            got = df.rdd.glom().collect()  # partitions in order, each its rows in order
        assert len(got) == expect
        assert [bytes(r["value"]).decode() for part in got for r in part] == lines
    assert spark.conf.get("spark.sql.files.maxPartitionBytes") == conf  # restored


def _network(tmp: Path) -> tuple[Path, Path, list[str]]:
    """A synthetic network with a few bad lines (mid-file) in each input."""
    from spycatcher.synth import generate

    generate(tmp / "net", 300, 17, events_per_profile=6.0)
    truth = json.loads((tmp / "net" / "truth.json").read_text())
    pf, ef = tmp / "net" / "profiles.jsonl", tmp / "net" / "events.jsonl"
    for f, bad in (
        (pf, ["", "{not json", json.dumps({"name": "no id"}), "[1, 2]"]),
        (ef, [json.dumps({"type": "wave", "actor": "a", "target": "b", "at": "2025-01-01"})]),
    ):
        lines = f.read_text().splitlines()
        at = len(lines) // 2
        f.write_text("\n".join(lines[:at] + bad + lines[at:]) + "\n")
    fakes = [m for c in truth["campaigns"] for m in c["members"]][:2]
    return pf, ef, fakes


@pytest.mark.spark
@pytest.mark.parametrize("hand_off", ["files", "stream"])
def test_spark_and_local_engines_agree(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hand_off: str
) -> None:
    """Both hand-offs of rows to the driver: Parquet files read by the driver (local mode), and
    rows persisted by the workers and streamed with ``toLocalIterator`` (what a cluster uses)."""
    import tempfile

    from spycatcher.engine import spark as spark_engine
    from spycatcher.engine.spark import scan_spark

    if hand_off == "stream":
        monkeypatch.setattr(spark_engine, "_shares_files_with_workers", lambda _s: False)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    pf, ef, fakes = _network(tmp_path)
    stage_options = {"fake_ids": fakes}
    local = scan(pf, ef, ScanOptions(stage_options=stage_options))
    remote = scan_spark(
        pf,
        ef,
        spark=spark,
        stage_options=stage_options,
        partition_bytes=pf.stat().st_size // 3,  # several partitions: merges are exercised
        output_parquet=tmp_path / "out",
    )
    with local, remote:
        assert remote.summary() == local.summary()
        assert remote.profiles_report == local.profiles_report
        assert remote.events_report == local.events_report
        assert local.profiles_report.rejected == 3 and local.events_report.rejected == 1
        rows_local, rows_remote = list(local.iter_ranked()), list(remote.iter_ranked())
        assert [r["id"] for r in rows_remote] == [r["id"] for r in rows_local]
        assert rows_remote == rows_local  # scores, levels, signals, evidence: identical
        assert remote.campaigns == local.campaigns
        assert local.campaigns, "the synthetic network should hold at least one campaign"
        graph_signals = {s["name"] for r in rows_local for s in r["signals"]}
        assert {"graph.low_trust", "graph.near_fakes"} & graph_signals

        out = spark.read.parquet(str(tmp_path / "out" / "assessments"))
        assert out.count() == remote.scored
        flagged = {r["id"] for r in out.where("campaign_id is not null").collect()}
        assert flagged == {m for c in remote.campaigns for m in c["members"]}
        assert spark.read.parquet(str(tmp_path / "out" / "campaigns")).count() == len(
            remote.campaigns
        )
    # the hand-offs' temporary folders are gone once the scan is closed
    assert not [p.name for p in scratch.iterdir() if p.name.startswith("spycatcher-")]


@pytest.mark.spark
def test_cli_scan_with_the_spark_engine(spark: Any, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from spycatcher.cli import app

    pf, ef = handmade(tmp_path)
    outs = {}
    for engine in ("local", "spark"):
        out = tmp_path / f"{engine}.json"
        res = CliRunner().invoke(
            app,
            ["scan", str(pf), "--events", str(ef), "--engine", engine, "--no-store"]
            + ["--no-progress", "--json", str(out)],
        )
        assert res.exit_code == 0, res.output
        outs[engine] = json.loads(out.read_text())
    assert outs["spark"]["profiles"] == outs["local"]["profiles"]
    assert outs["spark"]["campaigns"] == outs["local"]["campaigns"]
    assert outs["spark"]["summary"] == outs["local"]["summary"]

    # the spark-submit entry point: URIs in, Parquet out
    from spycatcher.engine.spark_job import main

    out = tmp_path / "job"
    args = ["--profiles", pf.as_uri(), "--events", ef.as_uri(), "--output", str(out)]
    assert main([*args, "--no-store"]) == 0
    (row,) = spark.read.parquet(str(out / "summary")).collect()
    summary = json.loads(row["summary"])
    assert summary["profiles"] == outs["local"]["summary"]["profiles"]
    assert summary["scored"] == outs["local"]["summary"]["scored"]
    ranked = spark.read.parquet(str(out / "assessments")).orderBy(
        ["score", "id"], ascending=[False, True]
    )
    assert ranked.first()["id"] == outs["local"]["profiles"][0]["id"]
