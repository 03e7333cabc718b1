"""One SparkSession for spycatcher: local mode by default, or any master URL.

The Spark engine needs only a session; this helper makes one with settings that suit the engine
(no UI, small shuffles, Arrow for Python data, workers run by the same Python as the driver) and
reuses the active one when there is one, because starting the JVM costs 10-15 s (more on a busy
machine). On a cluster, ``spark-submit`` creates the session and :func:`get_spark` just picks it up:
see docs/spark.md.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: driver memory in local mode (the driver JVM also runs the executors there); env overrides
DEFAULT_DRIVER_MEMORY = "6g"


def _local_cores(master: str) -> int:
    inner = master[master.find("[") + 1 : master.find("]")] if "[" in master else "1"
    if inner.startswith("*"):
        return os.cpu_count() or 1
    try:
        return max(1, int(inner.split(",")[0]))
    except ValueError:
        return os.cpu_count() or 1


def get_spark(
    master: str | None = None,
    cores: int | None = None,
    *,
    app_name: str = "spycatcher",
    conf: dict[str, str] | None = None,
) -> SparkSession:
    """The active SparkSession, or a new one on ``master`` (default ``local[cores or *]``).

    ``conf`` adds or overrides settings. Settings that only take effect at JVM start (driver
    memory, master) are ignored when a session is already running: tests share one session,
    benchmarks that compare core counts start one process per count.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "the Spark engine needs PySpark >= 4: pip install 'spycatcher[spark]' (and Java 17)"
        ) from exc
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # under spark-submit (which starts the JVM first) the master and settings are the submitter's
    submitted = master is None and "PYSPARK_GATEWAY_PORT" in os.environ
    master = master or os.environ.get("SPYCATCHER_SPARK_MASTER") or f"local[{cores or '*'}]"
    if master.startswith("local") and not submitted:
        # workers must run the driver's Python (the one with spycatcher and its dependencies)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    settings = {
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.python.worker.reuse": "true",
        # stable str hashes in every worker: partial template stages compare text hashes
        "spark.executorEnv.PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
    }
    if not submitted:
        settings["spark.ui.enabled"] = "false"
        settings["spark.ui.showConsoleProgress"] = "false"
    if master.startswith("local") and not submitted:
        n = _local_cores(master)
        settings.update(
            {
                "spark.driver.memory": os.environ.get(
                    "SPYCATCHER_SPARK_DRIVER_MEMORY", DEFAULT_DRIVER_MEMORY
                ),
                "spark.driver.bindAddress": "127.0.0.1",
                "spark.driver.host": "127.0.0.1",
                "spark.sql.shuffle.partitions": str(max(4, 2 * n)),
                "spark.default.parallelism": str(max(2, n)),
            }
        )
    settings.update(conf or {})
    builder = SparkSession.builder.appName(app_name)
    if not submitted:
        builder = builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
