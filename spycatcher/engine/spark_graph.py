"""SybilRank and SybilSCAR on Spark, bit for bit equal to the scipy ones.

The ties are turned into pairs of account numbers by Spark joins (the driver's account index,
shipped once through Arrow); the ties themselves never pass through the driver. Then one of two
ways, chosen by the number of ties:

* **One task** (up to :data:`ONE_TASK_EDGES` directed edges, twice the ties): the pairs go to a
  single partition, whose Python worker builds the adjacency matrix and runs the local engine's
  own :func:`~spycatcher.graph.scores.compute_scores` on it: the same code on the same matrix,
  so the same bits, in one Spark job. This is the fast way while the graph fits one worker (at
  50M edges the adjacency, transition and SybilSCAR matrices take 12 bytes an edge each, about
  2 GB with the pairs, as in the local engine): each propagation step as a Spark job costs about a
  second of fixed overhead on a busy 2-core machine, against milliseconds for the product.
* **Row blocks** (larger graphs): the directed edge list (both directions, distinct) is
  partitioned by destination and sorted by (destination, source); each partition becomes one
  block of CSR rows, built once by the Python workers and cached by Spark. Each propagation step
  is then one Spark job: the driver broadcasts the current vector (8 bytes an account), every
  partition multiplies its block by it with scipy's CSR product, and the driver receives one
  float per linked account. The products equal the local engine's bit for bit because they are
  the same computation: the same matrix entries (``1.0 / deg(source)`` for SybilRank,
  ``h / deg(destination)`` for SybilSCAR, 1.0 for neighbour counts), the same order of terms in
  a row (sources ascending, from 0.0) and the same scipy kernel; a row's sum does not depend on
  which rows share its block. Between products the driver runs the same numpy (adding priors,
  clipping), the ten SybilSCAR steps share jobs with the first ten SybilRank steps, and degrees
  and both neighbour counts come from one job. Everything after the iterations is one function
  both engines call (:func:`~spycatcher.graph.scores.assemble_scores`).

A last-bit difference in trust would be enough to swap two equally suspicious accounts, which is
why "close" is not good enough. Earlier versions ran each step as a DataFrame join with an
ordered aggregation (27 jobs with growing lineage): 112-134 s at 100k accounts where scipy needs
0.2 s.

The driver holds a few vectors of one float per account, alongside the per-account state it holds
anyway (see docs/spark.md); a Python worker holds one block and one vector at a time, or, in the
one-task way, the whole matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from spycatcher.engine.spark_io import chunks, dumps, loads
from spycatcher.graph.scores import GraphScores, assemble_scores, clean_seeds
from spycatcher.graph.sybilrank import sybilrank_iterations
from spycatcher.graph.sybilscar import HOMOPHILY, ITERATIONS, THETA

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from spycatcher.graph.stage import GraphStage

#: directed edges up to which the whole propagation runs in one task (3 matrices, 12 B an edge)
ONE_TASK_EDGES = 50_000_000
#: rows of the cached blocks: one pickled (rows, indptr, indices) per partition, in pieces
BLOCK_SCHEMA = "part int, seq int, payload binary"
_BLOCK = pa.schema([("part", pa.int32()), ("seq", pa.int32()), ("payload", pa.binary())])


def _frame(spark: SparkSession, columns: dict[str, Any]) -> DataFrame:
    """A DataFrame from driver-side columns, through Arrow."""
    return spark.createDataFrame(pa.table(columns))


def build_block(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """One partition's (dst, src) edges, sorted, as CSR rows: (rows, indptr, indices), pickled.

    ``rows`` are the partition's destinations (ascending), ``indices`` their sources, ascending
    within each row: the canonical CSR order scipy's product sums in.
    """
    from pyspark import TaskContext

    ctx = TaskContext.get()
    part = ctx.partitionId() if ctx is not None else 0
    dst_parts, src_parts = [], []
    for batch in batches:
        dst_parts.append(batch.column(0).to_numpy().astype(np.int64, copy=False))
        src_parts.append(batch.column(1).to_numpy().astype(np.int64, copy=False))
    dst = np.concatenate(dst_parts) if dst_parts else np.zeros(0, dtype=np.int64)
    src = np.concatenate(src_parts) if src_parts else np.zeros(0, dtype=np.int64)
    key_sorted = dst.size < 2 or bool(
        np.all((dst[1:] > dst[:-1]) | ((dst[1:] == dst[:-1]) & (src[1:] > src[:-1])))
    )
    if not key_sorted:  # Spark sorted them; this only guards the order the sums rely on
        order = np.lexsort((src, dst))
        dst, src = dst[order], src[order]
    rows, starts = np.unique(dst, return_index=True)
    indptr = np.append(starts, dst.size).astype(np.int64)
    pieces = chunks(dumps((rows, indptr, src)))
    yield pa.RecordBatch.from_pydict(
        {"part": [part] * len(pieces), "seq": list(range(len(pieces))), "payload": pieces},
        schema=_BLOCK,
    )


def _read_block(batches: Iterator[pa.RecordBatch]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The block of this partition (its pieces arrive in the order they were written)."""
    pieces: list[tuple[int, bytes]] = []
    for batch in batches:
        seqs = batch.column(1).to_pylist()
        payloads = batch.column(2).to_pylist()
        pieces.extend(zip(seqs, payloads, strict=True))
    if not pieces:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(1, dtype=np.int64), empty
    rows, indptr, indices = loads(b"".join(p for _s, p in sorted(pieces, key=lambda x: x[0])))
    return rows, indptr, indices


def multiply_block(
    batches: Iterator[pa.RecordBatch], bundle: Any, inverse: Any
) -> Iterator[pa.RecordBatch]:
    """This partition's rows of the products the driver asked for in this step's broadcast.

    ``bundle.value`` holds ``n`` and any of: ``degree`` (True: the rows' lengths), ``adj`` (vectors
    x: A @ x), ``rank`` (x: P @ x with P[v, u] = 1.0 * inv[u], ``inverse.value`` being inv, as
    :func:`~spycatcher.graph.sybilrank.transition_matrix` builds it) and ``scar`` (x: M @ x with
    M[v, u] = 1.0 * (h / deg(v)), as :func:`~spycatcher.graph.sybilscar.propagation_matrix`).
    """
    import scipy.sparse as sp

    want: dict[str, Any] = bundle.value
    n: int = want["n"]
    rows, indptr, indices = _read_block(batches)
    shape = (rows.size, n)
    lengths = np.diff(indptr)
    out: dict[str, Any] = {"idx": rows}
    if want.get("degree"):
        out["deg"] = lengths.astype(np.float64)
    if want.get("adj") is not None:
        a = sp.csr_matrix((np.ones(indices.size, dtype=np.float64), indices, indptr), shape=shape)
        for k, x in enumerate(want["adj"]):
            out[f"a{k}"] = a @ x
    if want.get("rank") is not None:
        inv: np.ndarray = inverse.value
        ones = np.ones(indices.size, dtype=np.float64)
        p = sp.csr_matrix((ones * inv[indices], indices, indptr), shape=shape)
        out["rank"] = p @ want["rank"]
    if want.get("scar") is not None:
        deg = lengths.astype(np.float64)
        h = np.zeros_like(deg)
        np.divide(HOMOPHILY, deg, out=h, where=deg > 0)
        ones = np.ones(indices.size, dtype=np.float64)
        m = sp.csr_matrix((ones * np.repeat(h, lengths), indices, indptr), shape=shape)
        out["scar"] = m @ want["scar"]
    yield pa.RecordBatch.from_pydict(out)


class SparkGraph:
    """The undirected tie graph as cached CSR row blocks in Spark, one per partition."""

    def __init__(self, spark: SparkSession, pairs: DataFrame, n: int, partitions: int):
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        self.spark = spark
        self.n = n
        distinct = (
            pairs.where(F.col("u") != F.col("v"))  # self-loops are no tie
            .select(F.least("u", "v").alias("lo"), F.greatest("u", "v").alias("hi"))
            .distinct()  # a tie seen twice, either way round, is one tie
        )
        both = distinct.select(F.col("hi").alias("dst"), F.col("lo").alias("src")).unionAll(
            distinct.select(F.col("lo").alias("dst"), F.col("hi").alias("src"))
        )
        self.blocks = (
            both.repartition(max(1, partitions), "dst")
            .sortWithinPartitions("dst", "src")
            .mapInArrow(build_block, BLOCK_SCHEMA)
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        self.blocks.count()  # every block built once, in parallel
        self.jobs = 1
        self._inverse: Any = None

    def set_inverse_degree(self, inv: np.ndarray) -> None:
        """Broadcast 1/deg once for every SybilRank step (the transition matrix's entries)."""
        self._inverse = self.spark.sparkContext.broadcast(inv)

    def products(self, **want: Any) -> dict[str, np.ndarray]:
        """One Spark job: the requested products (see :func:`multiply_block`) as dense vectors.

        Accounts without ties have no row in any block: their entries are 0.0, as in scipy.
        """
        names = ["idx"]
        types = ["idx long"]
        if want.get("degree"):
            names.append("deg")
        names += [f"a{k}" for k in range(len(want.get("adj") or []))]
        names += [k for k in ("rank", "scar") if want.get(k) is not None]
        types += [f"{c} double" for c in names[1:]]
        bundle = self.spark.sparkContext.broadcast({"n": self.n, **want})
        inverse = self._inverse
        try:
            table = self.blocks.mapInArrow(
                lambda it: multiply_block(it, bundle, inverse), ", ".join(types)
            ).toArrow()
        finally:
            bundle.destroy()
        self.jobs += 1
        idx = table.column("idx").to_numpy().astype(np.int64)
        out = {}
        for name in names[1:]:
            vec = np.zeros(self.n, dtype=np.float64)
            vec[idx] = table.column(name).to_numpy()
            out[name] = vec
        return out

    def close(self) -> None:
        if self._inverse is not None:
            self._inverse.destroy()
        self.blocks.unpersist()


def propagate(
    graph: SparkGraph, trusted: np.ndarray, fake: np.ndarray, steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Degrees, neighbour counts, raw SybilRank trust and SybilSCAR probabilities.

    The same iterations as :func:`~spycatcher.graph.sybilrank.sybilrank` and
    :func:`~spycatcher.graph.sybilscar.sybilscar` (degree weighting, the library's defaults),
    with each product computed by the blocks and the two walks sharing jobs while both run.
    """
    first = graph.products(degree=True, adj=[trusted.astype(np.float64), fake.astype(np.float64)])
    deg, tn, fn = first["deg"], first["a0"], first["a1"]

    trust: np.ndarray | None = None
    rank_steps = 0
    inv = np.zeros_like(deg)
    mask = trusted & (deg > 0)
    if mask.any():
        np.divide(1.0, deg, out=inv, where=deg > 0)
        graph.set_inverse_degree(inv)
        trust = np.zeros(graph.n, dtype=np.float64)
        trust[mask] = 1.0 / int(mask.sum())
        rank_steps = steps

    scar: np.ndarray | None = None
    scar_steps = 0
    q = np.zeros(graph.n, dtype=np.float64)
    if trusted.any() or fake.any():
        q[trusted] = -THETA
        q[fake] = THETA  # a confirmed fake outranks "verified": the later finding wins
        scar = q.copy()
        scar_steps = ITERATIONS if np.any(q) else 0

    for step in range(max(rank_steps, scar_steps)):
        want: dict[str, Any] = {}
        if step < rank_steps:
            want["rank"] = trust
        if step < scar_steps:
            want["scar"] = scar
        got = graph.products(**want)
        if "rank" in got:
            trust = got["rank"]
        if "scar" in got:
            p = got["scar"]
            p += q
            np.clip(p, -0.5, 0.5, out=p)
            scar = p
    return deg, tn, fn, trust, (scar + 0.5 if scar is not None else None)


def index_pairs(spark: SparkSession, ties: DataFrame, ids: list[str]) -> DataFrame:
    """(u, v): the ties' endpoints as account numbers (ties to unknown ids are dropped)."""
    nodes = _frame(spark, {"id": ids, "idx": np.arange(len(ids), dtype=np.int64)})
    u = nodes.withColumnRenamed("id", "actor").withColumnRenamed("idx", "u")
    v = nodes.withColumnRenamed("id", "target").withColumnRenamed("idx", "v")
    return ties.join(u, "actor").join(v, "target").select("u", "v")


def scores_in_one_task(batches: Iterator[pa.RecordBatch], bundle: Any) -> Iterator[pa.RecordBatch]:
    """All (u, v) pairs of the graph in this one partition: the local engine's computation."""
    from spycatcher.graph.build import undirected_csr
    from spycatcher.graph.scores import compute_scores

    b = bundle.value
    us, vs = [], []
    for batch in batches:
        us.append(batch.column(0).to_numpy().astype(np.int64, copy=False))
        vs.append(batch.column(1).to_numpy().astype(np.int64, copy=False))
    empty = np.zeros(0, dtype=np.int64)
    u = np.concatenate(us) if us else empty
    v = np.concatenate(vs) if vs else empty
    del us, vs
    scores = compute_scores(undirected_csr(u, v, b["n"]), b["trusted"], b["fake"])
    pieces = chunks(dumps(scores))
    yield pa.RecordBatch.from_pydict(
        {"part": [0] * len(pieces), "seq": list(range(len(pieces))), "payload": pieces},
        schema=_BLOCK,
    )


def _one_task(
    spark: SparkSession, pairs: DataFrame, n: int, trusted: np.ndarray, fake: np.ndarray
) -> GraphScores:
    bundle = spark.sparkContext.broadcast({"n": n, "trusted": trusted, "fake": fake})
    try:
        table = (
            pairs.repartition(1)
            .mapInArrow(lambda it: scores_in_one_task(it, bundle), BLOCK_SCHEMA)
            .toArrow()
        )
    finally:
        bundle.destroy()
    pieces = sorted(
        zip(table.column("seq").to_pylist(), table.column("payload").to_pylist(), strict=True)
    )
    scores: GraphScores = loads(b"".join(p for _s, p in pieces))
    return scores


def graph_scores(
    spark: SparkSession,
    ties: DataFrame,
    stage: GraphStage,
    partitions: int,
    one_task_edges: int = ONE_TASK_EDGES,
    n_ties: int | None = None,
) -> GraphScores:
    """What ``compute_scores`` gives for the stage's accounts and these ties, computed in Spark.

    ``one_task_edges``: up to this many directed edges (twice the ties, duplicates included) the
    propagation runs in one task, above it as row blocks (see the module docstring). ``n_ties``:
    the number of tie rows when the caller knows it (otherwise they are counted, one more job).
    """
    ids = list(stage.builder.index.ids)
    raw_trusted, raw_fake = stage.seed_masks()
    pairs = index_pairs(spark, ties, ids)
    if n_ties is None:
        n_ties = ties.count()
    if 2 * n_ties <= one_task_edges:
        return _one_task(spark, pairs, len(ids), raw_trusted, raw_fake)
    trusted, fake = clean_seeds(raw_trusted, raw_fake)
    graph = SparkGraph(spark, pairs, len(ids), partitions)
    try:
        steps = sybilrank_iterations(graph.n)
        deg, tn, fn, trust, scar = propagate(graph, trusted, fake, steps)
        return assemble_scores(deg, trusted, fake, tn, fn, trust, scar, steps)
    finally:
        graph.close()
