"""SybilRank and SybilSCAR as DataFrame iterations, bit for bit equal to the scipy ones.

GraphFrames is not available, and the graph need not be: one propagation step is a join of the
edge list with the current vector and a sum per destination. Floating-point sums depend on their
order, and a last-bit difference in trust would be enough to swap two equally suspicious accounts
in the ranking, so each sum is computed in the order scipy's CSR product uses (sources ascending,
starting from 0.0): the contributions for a destination are collected, sorted by source and folded
left with Spark SQL's ``aggregate``. Java and numpy both do IEEE 754 double arithmetic without
fused multiply-add, so every value equals the local engine's exactly, not just within a tolerance.
Zero contributions are left out (adding 0.0 changes nothing), which keeps the first steps small.

The vector lives in Spark between steps (one row per non-zero account, checkpointed each step to
cut the lineage). The edge list is cached partitioned by destination, so when the vector is small
enough to broadcast (``BROADCAST_NODES``) a step is one map-side join and one aggregation with no
shuffle of the edges; above that the vector is joined by a shuffle. The driver receives the
degree, neighbour counts and the final vectors (one float per account) and builds
:class:`~spycatcher.graph.scores.GraphScores` with the same
:func:`~spycatcher.graph.scores.assemble_scores` the local engine uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from spycatcher.graph.scores import GraphScores, assemble_scores, clean_seeds
from spycatcher.graph.sybilrank import sybilrank_iterations
from spycatcher.graph.sybilscar import HOMOPHILY, ITERATIONS, THETA

#: accounts up to which the vector is broadcast to every edge partition (16 bytes an account)
BROADCAST_NODES = 20_000_000
#: steps between checkpoints of the vector (each cuts the lineage; fewer jobs between them)
CHECKPOINT_EVERY = 4

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

    from spycatcher.graph.stage import GraphStage


def _frame(spark: SparkSession, columns: dict[str, np.ndarray | list[str]]) -> DataFrame:
    """A DataFrame from driver-side columns, through Arrow."""
    return spark.createDataFrame(pa.table(columns))


def _vector(spark: SparkSession, values: np.ndarray) -> DataFrame:
    """(idx, r) rows for the non-zero entries of a vector."""
    idx = np.flatnonzero(values)
    return _frame(spark, {"idx": idx.astype(np.int64), "r": values[idx].astype(np.float64)})


def _collect(df: DataFrame, n: int, column: str = "r") -> np.ndarray:
    """A (idx, value) DataFrame as a dense numpy vector of length n (zeros elsewhere)."""
    out = np.zeros(n, dtype=np.float64)
    table = df.select("idx", column).toArrow()
    if table.num_rows:
        idx = table.column("idx").to_numpy().astype(np.int64)
        out[idx] = table.column(column).to_numpy().astype(np.float64)
    return out


def _checkpoint(vec: DataFrame, step: int) -> DataFrame:
    return vec.localCheckpoint(eager=True) if step % CHECKPOINT_EVERY == 0 else vec


def _ordered_sum(term: Column) -> Column:
    """Sum of ``term`` per group, in ascending ``src`` order, starting from 0.0 (as CSR does)."""
    from pyspark.sql import functions as F

    parts = F.array_sort(F.collect_list(F.struct(F.col("src"), term.alias("c"))))
    return F.aggregate(parts, F.lit(0.0).cast("double"), lambda acc, x: acc + x["c"])


class SparkGraph:
    """The undirected tie graph as a cached directed edge list (both directions) with degrees."""

    def __init__(
        self,
        spark: SparkSession,
        ties: DataFrame,
        ids: list[str],
        partitions: int,
        broadcast_nodes: int = BROADCAST_NODES,
    ):
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        self.spark = spark
        self.n = len(ids)
        self.broadcast = self.n <= broadcast_nodes
        nodes = _frame(spark, {"id": ids, "idx": np.arange(self.n, dtype=np.int64)})
        u = nodes.withColumnRenamed("id", "actor").withColumnRenamed("idx", "u")
        v = nodes.withColumnRenamed("id", "target").withColumnRenamed("idx", "v")
        pairs = (
            ties.join(u, "actor")
            .join(v, "target")
            .where(F.col("u") != F.col("v"))  # self-loops are no tie
            .select(F.least("u", "v").alias("lo"), F.greatest("u", "v").alias("hi"))
            .distinct()  # a tie seen twice, either way round, is one tie
        )
        both = pairs.select(F.col("lo").alias("src"), F.col("hi").alias("dst")).unionAll(
            pairs.select(F.col("hi").alias("src"), F.col("lo").alias("dst"))
        )
        both = both.persist(StorageLevel.MEMORY_AND_DISK)
        deg = both.groupBy("src").count().select(F.col("src").alias("idx"), "count")
        self.degree = _collect(deg.select("idx", F.col("count").cast("double").alias("r")), self.n)
        # scipy: P = A scaled by 1/deg(source); M = A scaled by h/deg(destination)
        linked = self.degree > 0
        inv = _frame(
            spark,
            {
                "idx": np.flatnonzero(linked).astype(np.int64),
                "inv": 1.0 / self.degree[linked],
                "scar": HOMOPHILY / self.degree[linked],
            },
        )
        src_inv = inv.select(F.col("idx").alias("src"), F.col("inv").alias("inv_src"))
        dst_scar = inv.select(F.col("idx").alias("dst"), F.col("scar").alias("scar_dst"))
        self.edges = (
            both.join(src_inv, "src")
            .join(dst_scar, "dst")
            .repartition(partitions, "dst")
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        self.n_edges = self.edges.count()
        both.unpersist()

    def neighbour_counts(self, mask: np.ndarray) -> np.ndarray:
        """For every account, how many of its neighbours are in ``mask`` (A @ mask)."""
        from pyspark.sql import functions as F

        if not mask.any() or not self.n_edges:
            return np.zeros(self.n, dtype=np.float64)
        marked = _vector(self.spark, mask.astype(np.float64)).select(F.col("idx").alias("src"))
        counts = self.edges.join(marked, "src").groupBy("dst").count()
        return _collect(
            counts.select(F.col("dst").alias("idx"), F.col("count").cast("double").alias("r")),
            self.n,
        )

    def _step(self, vec: DataFrame, term: Column) -> DataFrame:
        """One product: for each destination, the ordered sum of ``term`` over its sources."""

        from pyspark.sql import functions as F

        src = vec.withColumnRenamed("idx", "src")
        msgs = self.edges.join(F.broadcast(src) if self.broadcast else src, "src")
        return msgs.groupBy("dst").agg(_ordered_sum(term).alias("s"))

    def sybilrank(self, seeds: np.ndarray, steps: int) -> np.ndarray:
        """Raw SybilRank trust after ``steps`` steps from the seeds that have ties."""
        from pyspark.sql import functions as F

        mask = seeds & (self.degree > 0)
        trust = np.zeros(self.n, dtype=np.float64)
        trust[mask] = 1.0 / int(mask.sum())
        vec = _vector(self.spark, trust)
        for step in range(1, steps + 1):
            nxt = self._step(vec, F.col("inv_src") * F.col("r"))
            vec = nxt.select(F.col("dst").alias("idx"), F.col("s").alias("r"))
            vec = _checkpoint(vec.where(F.col("r") != 0.0), step)
        return _collect(vec, self.n)

    def sybilscar(self, trusted: np.ndarray, fake: np.ndarray) -> np.ndarray:
        """SybilSCAR probabilities (degree weighting, the library's defaults)."""
        from pyspark.sql import functions as F

        q = np.zeros(self.n, dtype=np.float64)
        q[trusted] = -THETA
        q[fake] = THETA
        if not np.any(q):
            return q + 0.5
        priors = _vector(self.spark, q).withColumnRenamed("r", "q")
        vec = _vector(self.spark, q)
        for step in range(1, ITERATIONS + 1):
            s = self._step(vec, F.col("scar_dst") * F.col("r")).withColumnRenamed("dst", "idx")
            total = F.coalesce(F.col("s"), F.lit(0.0)) + F.coalesce(F.col("q"), F.lit(0.0))
            vec = s.join(priors, "idx", "full_outer").select(
                "idx", F.least(F.greatest(total, F.lit(-0.5)), F.lit(0.5)).alias("r")
            )
            vec = _checkpoint(vec.where(F.col("r") != 0.0), step)
        return _collect(vec, self.n) + 0.5

    def close(self) -> None:
        self.edges.unpersist()


def graph_scores(
    spark: SparkSession, ties: DataFrame, stage: GraphStage, partitions: int
) -> GraphScores:
    """What ``compute_scores`` gives for the stage's accounts and these ties, computed in Spark."""
    ids = list(stage.builder.index.ids)
    trusted, fake = clean_seeds(*stage.seed_masks())
    graph = SparkGraph(spark, ties, ids, partitions)
    try:
        deg = graph.degree
        steps = sybilrank_iterations(graph.n)
        tn = graph.neighbour_counts(trusted)
        fn = graph.neighbour_counts(fake)
        trust = None
        if (trusted & (deg > 0)).any():
            trust = graph.sybilrank(trusted, steps)
        scar = None
        if trusted.any() or fake.any():
            scar = graph.sybilscar(trusted, fake)
        return assemble_scores(deg, trusted, fake, tn, fn, trust, scar, steps)
    finally:
        graph.close()
