"""Moving records and state in and out of Spark without losing the input's order.

Exact agreement with the local engine rests on order: "the first 20 texts of a sender", "the later
record wins", error line numbers. So the input is read with Spark's text source split on ``\\n``
only (the local reader's rule), one DataFrame per file in name order and unioned, which keeps a
partition's lines contiguous and partitions in file order; workers read raw bytes (the column is
cast to binary, so bytes that are not UTF-8 fail exactly as they do locally) and number lines
within their partition; the driver turns those into file line numbers with the partitions' line
counts. How many partitions: :func:`split_bytes` (a multiple of the cluster's cores, each at most
:data:`MAX_PARTITION_BYTES`), applied with :func:`input_split`.

Stage states are pickled with :func:`dumps`, which also handles the per-instance ``lru_cache``
wrappers some stages hold (rebuilt empty on the other side), and split into rows of at most
:data:`CHUNK_BYTES` so that no Arrow cell grows past its 2 GB limit.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel

from spycatcher.io.records import MAX_LINE_BYTES, LoadReport, RecordError, parse_record

if TYPE_CHECKING:
    from pyspark import Broadcast
    from pyspark.sql import DataFrame, SparkSession

#: largest piece of a pickled state in one row
CHUNK_BYTES = 64 * 1024 * 1024
#: default bound on the input bytes of one partition (Spark's own ``maxPartitionBytes`` default)
MAX_PARTITION_BYTES = 128 * 2**20


# -- pickling ------------------------------------------------------------------------------------
def _rewrap(fn: Callable[..., Any], maxsize: int | None, typed: bool) -> Any:
    return functools.lru_cache(maxsize=maxsize, typed=typed)(fn)


class _Pickler(pickle.Pickler):
    """Pickles ``lru_cache`` wrappers of bound methods (which plain pickle refuses) as a fresh,
    empty cache around the same method."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, functools._lru_cache_wrapper) and inspect.ismethod(
            getattr(obj, "__wrapped__", None)
        ):
            params = obj.cache_parameters()
            return _rewrap, (obj.__wrapped__, params["maxsize"], params["typed"])
        return NotImplemented


def dumps(obj: Any) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def loads(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 - our own driver's and workers' state, never input


def chunks(data: bytes, size: int = CHUNK_BYTES) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def shared(bc: Broadcast[bytes]) -> Any:
    """A broadcast :func:`dumps` payload, unpickled once per worker process and kept.

    Python workers are reused across tasks, and so is the Broadcast object they hold; keeping the
    unpickled value on it avoids unpickling the stages again for every partition.
    """
    cached = getattr(bc, "_spycatcher_value", None)
    if cached is None:
        cached = loads(bc.value)
        bc._spycatcher_value = cached  # type: ignore[attr-defined]
        if hasattr(bc, "_value"):
            del bc._value  # the pickled bytes are no longer needed in this worker
    return cached


# -- input files ---------------------------------------------------------------------------------
def input_files(spark: SparkSession, path: str | Path) -> list[str]:
    """The files behind ``path`` (a file, a folder of part files, or a glob), in name order.

    Any Hadoop file system works (``hdfs://``, ``s3a://``, local paths). Hidden and ``_``-prefixed
    files (``_SUCCESS``) in folders are skipped, as Spark does.
    """
    text = str(path)
    if "://" not in text and not text.startswith("file:"):
        text = str(Path(text).expanduser().resolve())
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hpath = jvm.org.apache.hadoop.fs.Path(text)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # type: ignore[union-attr]
    found = fs.globStatus(hpath)
    if not found:
        raise FileNotFoundError(f"no input at {path}")
    out: list[str] = []
    for status in found:
        if status.isDirectory():
            names = [
                s.getPath().toString()
                for s in fs.listStatus(status.getPath())
                if s.isFile() and not s.getPath().getName().startswith(("_", "."))
            ]
            out.extend(sorted(names))
        else:
            out.append(status.getPath().toString())
    return out


def input_bytes(spark: SparkSession, files: list[str]) -> int:
    """The total size of ``files`` (as listed by :func:`input_files`), in bytes."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    conf = spark.sparkContext._jsc.hadoopConfiguration()  # type: ignore[union-attr]
    total = 0
    for name in files:
        hpath = jvm.org.apache.hadoop.fs.Path(name)
        total += int(hpath.getFileSystem(conf).getFileStatus(hpath).getLen())
    return total


def split_bytes(total: int, slots: int, max_bytes: int = MAX_PARTITION_BYTES) -> int:
    """Input bytes per partition: ``total`` cut into the fewest partitions that are a multiple of
    ``slots`` (the cluster's cores, ``defaultParallelism``) and hold at most ``max_bytes`` each.

    Why a multiple of the cores: every partition is one task and tasks run in waves of one per
    core, so 5 partitions on 2 cores take 3 waves, the last with one core idle (a fixed 32 MiB
    gave that at 100k profiles). Why the fewest: each partition's partial state is unpickled and
    merged by the driver, alone and in order, and each costs a task and a state; more, smaller
    partitions only add that. Why a bound: a partition's partial stages (and its share of pass 2)
    live in one Python worker, so on a large input memory per worker stays bounded; past
    ``slots * max_bytes`` the count grows by whole waves (``2 * slots``, ``3 * slots``, ...).
    """
    slots = max(1, slots)
    max_bytes = max(1, max_bytes)
    waves = max(1, -(-total // (slots * max_bytes)))
    return max(1, -(-total // (slots * waves)))


@contextlib.contextmanager
def input_split(spark: SparkSession, size: int) -> Iterator[None]:
    """Within the block, Spark cuts input files into splits of ``size`` bytes, one partition each.

    Spark reads ``spark.sql.files.maxPartitionBytes`` when it plans a job, not when a DataFrame is
    made, so every job that reads the input (not a cached result of it) runs inside this block.
    ``minPartitionNum`` 1 stops Spark from cutting a small file of a folder into one piece per
    core on its own (it sizes splits file by file here, each file being its own DataFrame). A file
    is cut at ``size``, ``2 * size``, ... (each line goes to exactly one split), and as each file
    is its own DataFrame in the union, the partitions stay in file order (Spark orders the splits
    of one read by size, which keeps a single file's in order: all are ``size`` but the last).
    The previous settings are restored afterwards.
    """
    conf = spark.conf
    keys = {
        "spark.sql.files.maxPartitionBytes": str(int(size)),
        "spark.sql.files.minPartitionNum": "1",
    }
    saved = {k: conf.get(k, None) for k in keys}
    for k, v in keys.items():
        conf.set(k, v)
    try:
        yield
    finally:
        for k, old in saved.items():
            if old is None:
                conf.unset(k)
            else:
                conf.set(k, old)


def read_lines(spark: SparkSession, files: list[str]) -> DataFrame:
    """Lines of ``files`` as (``f``: file number, ``value``: raw bytes), in file order."""
    from pyspark.sql import functions as F

    frames = [
        spark.read.option("lineSep", "\n")
        .text(name)
        .select(F.lit(i).alias("f"), F.col("value").cast("binary").alias("value"))
        for i, name in enumerate(files)
    ]
    df = frames[0]
    for more in frames[1:]:
        df = df.unionAll(more)
    return df


# -- records -------------------------------------------------------------------------------------
def iter_records(
    batches: Iterator[Any],
    model: type[BaseModel],
    report: LoadReport | None,
    lines: dict[int, int],
) -> Iterator[tuple[BaseModel, bytes]]:
    """Validated records (and their raw line) from Arrow batches of (f, value) rows.

    The same rules as :func:`spycatcher.io.records.iter_validated` and ``read_records``: blank
    lines are skipped, over-long lines and bad JSON are errors, then ``parse_record`` validates.
    Errors name the file by number and the line within this partition (``lines`` counts lines per
    file); the driver rewrites both. ``report`` None: errors are not kept (pass 2).
    """
    for batch in batches:
        files = batch.column(0).to_pylist()
        values = batch.column(1).to_pylist()
        for f, raw in zip(files, values, strict=True):
            n = lines[f] = lines.get(f, 0) + 1
            # Spark strips the newline the local reader counts (except after a file's last line)
            if len(raw) + 1 > MAX_LINE_BYTES:
                if report is not None:
                    report.read += 1
                    report.add_error(
                        RecordError(str(f), n, "", f"line longer than {MAX_LINE_BYTES} bytes")
                    )
                continue
            stripped = raw.strip()
            if not stripped:
                continue
            if report is not None:
                report.read += 1
            try:
                obj = orjson.loads(stripped)
            except orjson.JSONDecodeError as exc:
                if report is not None:
                    report.add_error(RecordError(str(f), n, "", f"invalid JSON: {exc}"))
                continue
            rec, err = parse_record(model, obj, str(f), n)
            if err is not None:
                if report is not None:
                    report.add_error(err)
                continue
            if report is not None:
                report.accepted += 1
            yield rec, stripped  # type: ignore[misc]
