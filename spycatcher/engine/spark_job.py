"""``spark-submit`` entry point: scan inputs on any Hadoop file system, write Parquet and the store.

    spark-submit --master yarn ... spycatcher/engine/spark_job.py \\
        --profiles s3a://bucket/profiles/ --events s3a://bucket/events/ \\
        --output s3a://bucket/runs/2026-06-01

The CLI's ``scan --engine spark`` takes local paths; this takes URIs (``hdfs://``, ``s3a://``,
``file:``), uses the session spark-submit made, writes ``assessments/``, ``campaigns/`` and
``summary/`` as Parquet under ``--output``, and saves the run in the store named by ``--db`` or
``$SPYCATCHER_DATABASE_URL`` unless ``--no-store``. See docs/spark.md.
"""

from __future__ import annotations

import argparse
import json
import sys

from spycatcher.schema import parse_datetime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--profiles", required=True, help="profiles JSONL: file, folder or glob URI")
    ap.add_argument("--events", default=None, help="events JSONL: file, folder or glob URI")
    ap.add_argument("--output", required=True, help="folder URI for the Parquet output")
    ap.add_argument("--db", default=None, help="database URL (default: $SPYCATCHER_DATABASE_URL)")
    ap.add_argument("--no-store", action="store_true", help="do not write the store")
    ap.add_argument("--as-of", default=None, help="reference date, ISO 8601")
    ap.add_argument(
        "--partition-mb",
        type=int,
        default=None,
        help="most input MiB in one partition (default 128); the count is a multiple of the cores",
    )
    args = ap.parse_args(argv)

    from spycatcher.engine.spark import scan_spark
    from spycatcher.engine.spark_session import get_spark

    store = None
    if not args.no_store:
        from spycatcher.store import Store

        store = Store(args.db)
    spark = get_spark()
    result = scan_spark(
        args.profiles,
        args.events,
        spark=spark,
        store=store,
        as_of=parse_datetime(args.as_of),
        output_parquet=args.output,
        partition_bytes=args.partition_mb * 2**20 if args.partition_mb else None,
    )
    with result:
        json.dump(result.summary(), sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
