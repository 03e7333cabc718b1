"""The Spark engine: the local engine's scan, with the work spread over a Spark cluster.

Same stages, detectors, scorer and campaign logic as :mod:`spycatcher.engine.local`, moved
differently, so that both engines give the same scores, ranking and campaigns:

1. **profiles**: the input is cut into partitions in file order, as many as a multiple of the
   cluster's cores (:func:`~.spark_io.split_bytes`); each gets fresh partial population stages
   (option ``partial=True``) that observe its profiles; the driver folds the partial states in
   file order with :meth:`~spycatcher.engine.stages.PopulationStage.merge`;
2. **events**: the same with events; partitions also emit the ties of the social graph;
3. **graph**: SybilRank and SybilSCAR run over the ties in Spark (:mod:`.spark_graph`: in one
   task while the graph fits one worker, as cached row blocks beyond), giving the graph stage
   exactly the scores scipy would;
4. **finish** on the driver, then the finished stages, detectors and scorer are broadcast, and
   the driver lets go of its stages;
5. **pass 2**: every partition annotates and assesses its profiles (``mapInArrow``) with the same
   :func:`~spycatcher.engine.core.assess`, all partitions at once (:class:`_Handoff`); the driver
   reads the rows in file order into the local engine's spill file, suspect list (each suspect
   with its raw line and pass-2 context) and :func:`~spycatcher.engine.local.rescore_campaigns`;
   the result is a :class:`~spycatcher.engine.local.ScanResult`.

Optionally the assessments, campaigns and summary are written as Parquet (``output_parquet``),
which is what a cluster run keeps. Until pass 2 the driver holds the merged stage states, like the
local engine does: memory there grows with the number of accounts (see docs/spark.md).
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow.parquet as pq

from spycatcher.engine.core import Scorer
from spycatcher.engine.gc_pause import gc_paused
from spycatcher.engine.local import (
    MAX_SUSPECTS,
    ScanResult,
    _Spill,
    default_scorer,
    rescore_campaigns,
)
from spycatcher.engine.spark_io import (
    MAX_PARTITION_BYTES,
    dumps,
    input_bytes,
    input_files,
    input_split,
    loads,
    read_lines,
    split_bytes,
)
from spycatcher.engine.spark_tasks import (
    ASSESS_SCHEMA,
    OBSERVE_SCHEMA,
    assess_partition,
    observe_partition,
)
from spycatcher.engine.stages import DRIVER_ONLY_OPTIONS, PARTIAL, PopulationStage, stage_classes
from spycatcher.engine.traits import SuspectTraits
from spycatcher.io.records import LoadReport, StrictModeError, parse_record
from spycatcher.schema import Profile
from spycatcher.signals.base import Detector, ProfileContext
from spycatcher.signals.registry import detectors as registered_detectors

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Progress = Callable[[str, int], None]
#: assessments per store write, as in the local engine
STORE_CHUNK = 5_000


def _noop(_stage: str, _n: int) -> None:
    return None


@dataclasses.dataclass
class _Phase:
    """What the driver folded together from one pass over one input."""

    report: LoadReport
    latest: datetime | None
    parts: int
    #: tie rows the partitions emitted (the graph's size, known without a Spark job)
    ties: int


def _merge_partials(
    rows: Iterator[tuple[int, bytes]],
    stages: list[PopulationStage],
    names: list[str],
) -> _Phase:
    """Fold partial states ((part, payload chunk) rows, in partition and chunk order) into
    ``stages``."""
    report = LoadReport()
    offsets: dict[int, int] = {}  # file number -> lines in earlier partitions
    latest: datetime | None = None
    parts = 0
    ties = 0

    def fold(payload: bytes) -> None:
        with gc_paused():  # see spycatcher.engine.gc_pause
            _fold(payload)

    def _fold(payload: bytes) -> None:
        nonlocal latest, parts, ties
        state = loads(payload)
        parts += 1
        ties += state.get("ties", 0)
        for mine, theirs in zip(stages, state["stages"], strict=True):
            mine.merge(theirs)
        got: LoadReport = state["report"]
        got.errors = [
            dataclasses.replace(
                e, file=names[int(e.file)], line=offsets.get(int(e.file), 0) + e.line
            )
            for e in got.errors
        ]
        report.merge(got)
        for f, n in state["lines"]:
            offsets[f] = offsets.get(f, 0) + n
        if state["latest"] is not None and (latest is None or state["latest"] > latest):
            latest = state["latest"]

    current: int | None = None
    buf: list[bytes] = []
    for part, payload in rows:
        if current is not None and part != current:
            fold(b"".join(buf))
            buf = []
        current = part
        buf.append(bytes(payload))
    if current is not None:
        fold(b"".join(buf))
    return _Phase(report, latest, parts, ties)


def _observe(
    spark: SparkSession,
    lines: DataFrame,
    split: int,
    kind: str,
    classes: list[type[PopulationStage]],
    options: dict[str, Any],
    emit_ties: bool,
    progress: Progress,
) -> _Handoff:
    """The observe pass over one input (cut into ``split``-byte partitions), every partition at
    once: state rows (kind 0) and tie rows (kind 1), handed to the driver (:class:`_Handoff`);
    reports the number of partitions to ``progress``."""
    bundle = spark.sparkContext.broadcast(
        dumps({"kind": kind, "classes": classes, "options": options, "emit_ties": emit_ties})
    )
    out = lines.mapInArrow(lambda it: observe_partition(it, bundle), OBSERVE_SCHEMA)
    with input_split(spark, split):
        handoff = _Handoff(spark, out, "observe")
        parts = lines.rdd.getNumPartitions()
    progress(f"{kind} (workers)", parts)
    return handoff


def _states(observed: _Handoff) -> Iterator[tuple[int, bytes]]:
    """The (part, payload chunk) state rows of an observe pass, in partition and chunk order."""
    return observed.rows(["part", "payload"], kind=0)


def scan_spark(
    profiles: str | Path,
    events: str | Path | None = None,
    *,
    master: str | None = None,
    scorer: Scorer | None = None,
    store: Any = None,
    as_of: datetime | None = None,
    strict: bool = False,
    detectors: Sequence[Detector] | None = None,
    stage_options: dict[str, Any] | None = None,
    find_campaigns: bool = True,
    output_parquet: str | Path | None = None,
    partition_bytes: int | None = None,
    spark: SparkSession | None = None,
    source: str | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Scan profiles (and events) on Spark; returns the local engine's :class:`ScanResult`.

    ``profiles`` and ``events`` are files, folders of part files or globs on any Hadoop file system
    (local, ``hdfs://``, ``s3a://``). Each input is cut into the fewest partitions that are a
    multiple of the cluster's cores (``defaultParallelism``) and hold at most ``partition_bytes``
    each (default :data:`~.spark_io.MAX_PARTITION_BYTES`; see :func:`~.spark_io.split_bytes` for
    why). ``output_parquet`` is a folder (any file system) that receives ``assessments/``,
    ``campaigns/`` and ``summary/`` as Parquet.
    """
    from spycatcher.engine.spark_session import get_spark

    return _scan(
        spark or get_spark(master),
        profiles,
        events,
        scorer=scorer,
        store=store,
        as_of=as_of,
        strict=strict,
        detectors=detectors,
        stage_options=stage_options or {},
        find_campaigns=find_campaigns,
        output_parquet=output_parquet,
        max_partition_bytes=partition_bytes or MAX_PARTITION_BYTES,
        source=source,
        progress=progress or _noop,
    )


def _display_names(given: str | Path, files: list[str]) -> list[str]:
    """File names for error messages: the path as given when it is one file (as locally)."""
    return [str(given)] if len(files) == 1 else list(files)


def _scan(
    spark: SparkSession,
    profiles: str | Path,
    events: str | Path | None,
    *,
    scorer: Scorer | None,
    store: Any,
    as_of: datetime | None,
    strict: bool,
    detectors: Sequence[Detector] | None,
    stage_options: dict[str, Any],
    find_campaigns: bool,
    output_parquet: str | Path | None,
    max_partition_bytes: int,
    source: str | None,
    progress: Progress,
) -> ScanResult:
    from spycatcher.graph.stage import GraphStage

    t0 = time.perf_counter()
    options = dict(stage_options)
    local_input = "://" not in str(profiles) and not str(profiles).startswith("file:")
    if local_input and "profiles_dir" not in options:
        options["profiles_dir"] = str(Path(profiles).parent.resolve())
    options["graph_scores_external"] = True
    classes = stage_classes()
    stages = [cls(options) for cls in classes]
    partial = {k: v for k, v in options.items() if k not in DRIVER_ONLY_OPTIONS}
    partial[PARTIAL] = True
    graph = next((s for s in stages if isinstance(s, GraphStage)), None)

    slots = spark.sparkContext.defaultParallelism

    # 1. profiles: partial stages per partition, folded in file order
    p_files = input_files(spark, profiles)
    p_lines = read_lines(spark, p_files)
    # the same split for pass 2, which reads the profiles again (see input_split)
    p_split = split_bytes(input_bytes(spark, p_files), slots, max_partition_bytes)
    with _observe(spark, p_lines, p_split, "profiles", classes, partial, False, progress) as obs:
        p_phase = _merge_partials(_states(obs), stages, _display_names(profiles, p_files))
    progress("profiles (merge)", p_phase.report.accepted)
    if strict and p_phase.report.errors:
        raise StrictModeError(p_phase.report.errors[0])

    # 2. events, and the graph's ties
    e_report = LoadReport()
    latest = p_phase.latest
    ties = None
    n_ties = 0
    with contextlib.ExitStack() as cleanup:  # the events' hand-off lives until the graph is done
        if events is not None:
            e_files = input_files(spark, events)
            e_lines = read_lines(spark, e_files)
            e_split = split_bytes(input_bytes(spark, e_files), slots, max_partition_bytes)
            e_observed = cleanup.enter_context(
                _observe(
                    spark, e_lines, e_split, "events", classes, partial, graph is not None, progress
                )
            )
            names = _display_names(events, e_files)
            e_phase = _merge_partials(_states(e_observed), stages, names)
            e_report = e_phase.report
            if e_phase.latest is not None and (latest is None or e_phase.latest > latest):
                latest = e_phase.latest
            ties = e_observed.frame.where("kind = 1").select("actor", "target")
            n_ties = e_phase.ties
            progress("events (merge)", e_report.accepted)
            if strict and e_report.errors:
                raise StrictModeError(e_report.errors[0])
        as_of = as_of or latest or datetime.now(UTC)

        # 3. graph scores as DataFrame iterations, then every stage's finish on the driver
        if graph is not None:
            from spycatcher.engine.spark_graph import graph_scores

            if ties is None:
                ties = spark.createDataFrame([], "actor string, target string")
            shuffle = int(spark.conf.get("spark.sql.shuffle.partitions", "8") or 8)
            graph.use_scores(graph_scores(spark, ties, graph, shuffle, n_ties=n_ties))
            progress("graph", 0)
    with gc_paused():  # see spycatcher.engine.gc_pause
        for st in stages:
            st.finish(as_of)
            progress(f"stage {st.name}", 0)

    # 4-5. pass 2 on the workers, rows back in file order
    dets = list(detectors) if detectors is not None else registered_detectors()
    scorer = default_scorer(scorer)
    bundle = spark.sparkContext.broadcast(
        dumps(
            {
                "stages": stages,
                "detectors": dets,
                "scorer": scorer,
                "as_of": as_of,
                "find_campaigns": find_campaigns,
            },
        )
    )
    # The workers have the stages now; the driver lets go of its own copy (several GB at millions
    # of accounts) while the workers hold theirs: suspects come back with their pass-2 context.
    stages.clear()
    graph = None
    assessed = p_lines.mapInArrow(lambda it: assess_partition(it, bundle), ASSESS_SCHEMA)
    with input_split(spark, p_split):
        handoff = _Handoff(spark, assessed, "pass2")
    try:
        n_rows = handoff.n_rows
        progress("scoring (workers)", n_rows)
        run_id = store.start_run("spark", source or str(profiles), scorer.name) if store else None
        spill = _Spill()
        levels: Counter[str] = Counter()
        suspects: dict[str, tuple[bytes, SuspectTraits]] = {}  # id -> (payload, traits)
        pending: list[dict[str, Any]] = []
        for row in handoff.rows(["id", "score", "level", "row", "suspect"]):
            pid, score, level, data, suspect = row
            spill.write_encoded(pid, score, data)
            levels[level] += 1
            if suspect is not None:
                suspects[pid] = (suspect, loads(suspect)[0])
                if len(suspects) > MAX_SUSPECTS:  # the same rule as the local engine
                    weakest = min(suspects, key=lambda k: suspects[k][1].score)
                    del suspects[weakest]
            if store is not None:
                pending.append(orjson.loads(data))
                if len(pending) >= STORE_CHUNK:
                    store.save_assessments(run_id, pending)
                    pending = []
        if store is not None and pending:
            store.save_assessments(run_id, pending)
        progress("scoring (driver)", n_rows)

        def member(pid: str) -> tuple[Profile, ProfileContext]:
            _traits, raw, ctx = loads(suspects[pid][0])
            p, err = parse_record(Profile, orjson.loads(raw), "", 0)
            assert p is not None, err
            return p, ctx

        campaigns: list[dict[str, Any]] = []
        if find_campaigns and suspects:
            traits_sorted = [suspects[k][1] for k in sorted(suspects)]
            campaigns = rescore_campaigns(
                traits_sorted, member, as_of, dets, scorer, spill, levels, store, run_id
            )
        result = ScanResult(
            p_phase.report, e_report, as_of, campaigns, levels, run_id, scorer.name, spill
        )
        if output_parquet is not None:
            _write_parquet(spark, handoff.frame, spill, n_rows, result, output_parquet)
    finally:
        handoff.close()
    if store is not None:
        store.save_campaigns(run_id, campaigns)
        store.finish_run(run_id, result.summary())
    progress(f"done in {time.perf_counter() - t0:.1f}s", 0)
    return result


class _Handoff:
    """Rows that every partition computes in parallel, then read by the driver in partition order
    (an observe pass's partial states and ties, pass 2's assessments).

    In local mode (the driver shares the workers' file system) the workers write Parquet into a
    temporary folder, one file per partition, and the driver reads the files in partition order
    with pyarrow: all partitions run at once, and the driver reads columns, not rows pickled by the
    JVM. That matters for the partial states: ``toLocalIterator`` has an executor pickle all of a
    partition's rows into one array on the JVM heap (state chunks of up to 64 MiB each, converted
    to strings on the way), which is what ran a 6 GB heap out of memory at 5M profiles. On a
    cluster the rows are persisted on the executors' disks (all partitions at once as well) and
    streamed to the driver partition by partition with ``toLocalIterator``.
    """

    def __init__(self, spark: SparkSession, rows: DataFrame, name: str) -> None:
        from pyspark import StorageLevel

        self.spark = spark
        self.tmp: Path | None = None
        self.files: list[Path] = []
        self._frame: DataFrame | None = None
        if _shares_files_with_workers(spark):
            self.tmp = Path(tempfile.mkdtemp(prefix=f"spycatcher-{name}-"))
            rows.write.parquet((self.tmp / "rows").as_uri())
            self.files = sorted((self.tmp / "rows").glob("part-*.parquet"), key=_part_number)
            self.n_rows = sum(pq.ParquetFile(f).metadata.num_rows for f in self.files)
        else:
            self._frame = rows.persist(StorageLevel.DISK_ONLY)
            self.n_rows = self._frame.count()

    def __enter__(self) -> _Handoff:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def frame(self) -> DataFrame:
        """The rows as a DataFrame (for ties, the Parquet output), with Spark reading them."""
        if self._frame is None:
            assert self.tmp is not None
            self._frame = self.spark.read.parquet((self.tmp / "rows").as_uri())
        return self._frame

    def rows(self, cols: list[str], kind: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Values of ``cols``, row by row in partition order (binary columns as ``bytes``);
        ``kind``: only the observe rows of that kind (0 states, 1 ties)."""
        if self.tmp is None:
            frame = self.frame if kind is None else self.frame.where(f"kind = {int(kind)}")
            for r in frame.select(*cols).toLocalIterator(prefetchPartitions=True):
                yield tuple(bytes(v) if isinstance(v, bytearray) else v for v in r)
            return
        for f in self.files:
            if kind is None:
                batches = pq.ParquetFile(f).iter_batches(batch_size=4096, columns=cols)
            else:  # a partition's state rows at once: the driver joins them anyway
                batches = iter(
                    pq.read_table(f, columns=cols, filters=[("kind", "=", kind)]).to_batches()
                )
            for batch in batches:
                yield from zip(*(batch.column(c).to_pylist() for c in cols), strict=True)

    def close(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
        elif self._frame is not None:
            self._frame.unpersist()


def _shares_files_with_workers(spark: SparkSession) -> bool:
    """Whether the workers' temporary files are the driver's (local mode)."""
    return (spark.sparkContext.master or "").startswith("local")


def _part_number(path: Path) -> tuple[int, str]:
    """Spark's part files are named part-<partition>-<job>-c<file>...: sort by partition."""
    return int(path.name.split("-")[1]), path.name


def _write_parquet(
    spark: SparkSession,
    assessed: DataFrame,
    spill: _Spill,
    n_rows: int,
    result: ScanResult,
    out: str | Path,
) -> None:
    """assessments/ (id, score, level, campaign_id, assessment JSON), campaigns/, summary/."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    base = assessed.select(
        "id",
        "score",
        "level",
        F.lit(None).cast("string").alias("campaign_id"),
        F.col("row").cast("string").alias("assessment"),
        F.col("pos").alias("_pos"),
    )
    if n_rows != len(spill.ids):  # an id twice in the input: the later record wins
        order = Window.partitionBy("id").orderBy(F.col("_pos").desc())
        base = base.withColumn("_n", F.row_number().over(order)).where("_n = 1").drop("_n")
    base = base.drop("_pos")
    updated = [
        orjson.loads(line)
        for line in _campaign_rows(spill, {m for c in result.campaigns for m in c["members"]})
    ]
    if updated:
        upd = spark.createDataFrame(
            [
                (r["id"], float(r["score"]), r["level"], r["campaign_id"], orjson.dumps(r).decode())
                for r in updated
            ],
            "id string, score double, level string, campaign_id string, assessment string",
        )
        base = base.join(F.broadcast(upd.select("id")), "id", "left_anti").unionByName(upd)
    root = str(out).rstrip("/")
    base.write.mode("overwrite").parquet(f"{root}/assessments")
    campaigns = [(c["id"], orjson.dumps(c).decode()) for c in result.campaigns]
    spark.createDataFrame(campaigns, "id string, campaign string").write.mode("overwrite").parquet(
        f"{root}/campaigns"
    )
    spark.createDataFrame(
        [(orjson.dumps(result.summary()).decode(),)], "summary string"
    ).write.mode("overwrite").parquet(f"{root}/summary")


def _campaign_rows(spill: _Spill, members: set[str]) -> list[bytes]:
    """The spill's current (re-scored) rows of campaign members."""
    spill.fh.flush()
    out = []
    with open(spill.path, "rb") as fh:
        for pid in sorted(members):
            fh.seek(spill.offsets[spill.pos[pid]])
            out.append(fh.readline())
    return out
