"""Service load benchmark: ``check`` and ingest through ``spycatcher serve`` on loopback, with wrk.

For each store (a fresh SQLite file, and a throw-away PostgreSQL server started here with initdb and
pg_ctl, as user ``nobody`` when run as root) the benchmark starts ``spycatcher serve`` (uvicorn)
on 127.0.0.1, makes an admin and a member key, and drives two endpoints with wrk for a bounded
time each:

* ``POST /check``: a member checks one profile and the message it sent (pure CPU: detectors and
  the scorer; nothing stored);
* ``POST /ingest/profiles``: an admin sends batches of new profiles (JSON arrays); each batch is
  stored, re-scored and triaged (the write path).

It reports requests/s and p50/p99 latency and, with ``--write``, replaces the "## Service"
section of BENCHMARKS.md. wrk comes from Debian (``apt-get install wrk``); every request goes to
127.0.0.1 only, and each run stops after ``--duration`` seconds.

    python bench/bench_service.py --duration 15 --write
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

CHECK_BODY = {
    "profile": {
        "id": "bench-fake",
        "name": "Rachel Li",
        "headline": "Senior Headhunter at RiseHR | Think tank research fellow",
        "summary": "Passionate dynamic innovative strategic global network excellence exclusive "
        "opportunities for talented professionals. Win-win cooperation.",
        "created_at": "2024-05-01",
        "experience": [
            {"title": "Director of Talent", "company": "RiseHR Consulting", "start": "2024-04"}
        ],
        "counts": {"connections": 500},
    },
    "message": "Dear Alice, we pay well for short reports on your work. Please contact me on "
    "WhatsApp. All expenses paid trip to Beijing.",
}

CHECK_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "{key}"
wrk.body = [==[{body}]==]
"""

INGEST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "{key}"
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local counter = 0
function request()
  counter = counter + 1
  local items = {{}}
  for i = 1, {batch} do
    items[i] = string.format(
      '{{"id":"{run}-%d-%d-%d","name":"Bench Member %d","headline":"Engineer at Acme",' ..
      '"created_at":"2015-01-01","experience":[{{"title":"Engineer","company":"Acme %d",' ..
      '"start":"2015-01"}}],"counts":{{"connections":%d}}}}',
      tid, counter, i, i, counter % 50, 100 + i)
  end
  return wrk.format(nil, "/ingest/profiles", nil, "[" .. table.concat(items, ",") .. "]")
end
"""


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    cands = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return cands[-1] if cands else None


@contextmanager
def postgres() -> Iterator[str | None]:
    """A throw-away PostgreSQL server on loopback (None when the binaries are missing)."""
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        yield None
        return
    tmp = Path(tempfile.mkdtemp(prefix="spycatcher-bench-pg-"))
    data = tmp / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        pw = pwd.getpwnam("nobody")
        os.chmod(tmp, 0o755)
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "nobody", "--"]
    port = free_port()
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c max_connections=100"
    subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-o", opts, "-l", str(tmp / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True
        )
        shutil.rmtree(tmp, ignore_errors=True)


def make_keys(db: str) -> tuple[str, str]:
    sys.path.insert(0, str(ROOT))
    import spycatcher.store.review  # noqa: F401
    from spycatcher.api.auth import create_key
    from spycatcher.store import Store

    store = Store(db)
    admin, _ = create_key(store, "admin", name="bench admin", created_by="bench")
    member, _ = create_key(
        store, "member", subject=("linkedin", "bench-member"), created_by="bench"
    )
    store.close()
    return admin, member


@contextmanager
def server(db: str, port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "SPYCATCHER_DATABASE_URL": db}
    env.pop("SPYCATCHER_WEBHOOK_URL", None)
    cmd = [
        str(BIN / "spycatcher"), "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("spycatcher serve did not start")
            time.sleep(0.3)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"cannot read a wrk latency: {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> dict[str, Any]:
    res: dict[str, Any] = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        res[f"p{pct}_ms"] = _ms(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", out)
    res["socket_errors"] = m.group(1).strip() if m else None
    return res


def run_wrk(url: str, script: str, duration: int, connections: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
        path = fh.name
    try:
        cmd = [
            "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s",
            "-s", path, url,
        ]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120).stdout
    finally:
        os.unlink(path)
    return parse_wrk(out)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every process in a process group (the server and workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measured(pgid: int, url: str, script: str, args: argparse.Namespace) -> dict[str, Any]:
    """wrk's figures plus the server's CPU milliseconds per request (load-independent)."""
    before = group_cpu_seconds(pgid)
    res = run_wrk(url, script, args.duration, args.connections)
    used = group_cpu_seconds(pgid) - before
    res["cpu_ms_per_request"] = 1000 * used / res["requests"] if res["requests"] else None
    return res


def bench_backend(
    name: str, db: str, args: argparse.Namespace, workers: int
) -> list[dict[str, Any]]:
    admin, member = make_keys(db)
    port = free_port()
    rows = []
    with server(db, port, workers) as proc:
        base = f"http://127.0.0.1:{port}"
        check = CHECK_LUA.format(key=member, body=json.dumps(CHECK_BODY))
        res = measured(proc.pid, f"{base}/check", check, args)
        rows.append({"store": name, "workers": workers, "endpoint": "POST /check", **res})
        run = f"r{int(time.time())}"
        ingest = INGEST_LUA.format(key=admin, batch=args.batch, run=run)
        res = measured(proc.pid, f"{base}/ingest/profiles", ingest, args)
        res["records_per_s"] = res["rps"] * args.batch
        rows.append(
            {
                "store": name,
                "workers": workers,
                "endpoint": f"POST /ingest/profiles ({args.batch} new profiles a request)",
                **res,
            }
        )
    for r in rows:
        print(json.dumps(r), flush=True)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| store | workers | endpoint | requests/s | p50 | p99 | profiles/s | server CPU per "
        "request | non-2xx |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        per = f"{r['records_per_s']:,.0f}" if "records_per_s" in r else ""
        p50 = f"{r['p50_ms']:.1f} ms" if r["p50_ms"] is not None else "n/a"
        p99 = f"{r['p99_ms']:.1f} ms" if r["p99_ms"] is not None else "n/a"
        cpu = r.get("cpu_ms_per_request")
        cpu_text = f"{cpu:.1f} ms" if cpu is not None else "n/a"
        lines.append(
            f"| {r['store']} | {r['workers']} | {r['endpoint']} | {r['rps']:,.0f} | {p50} | "
            f"{p99} | {per} | {cpu_text} | {r['non_2xx']} |"
        )
    return "\n".join(lines)


def write_section(text: str, path: Path) -> None:
    """Replace (or append) the "## Service" section of BENCHMARKS.md."""
    doc = path.read_text() if path.exists() else "# Benchmarks\n"
    section = "## Service\n\n" + text.strip() + "\n"
    m = re.search(r"^## Service\n.*?(?=^## |\Z)", doc, re.M | re.S)
    if m:
        doc = doc[: m.start()] + section + ("\n" if m.end() < len(doc) else "") + doc[m.end() :]
    else:
        doc = doc.rstrip("\n") + "\n\n" + section
    path.write_text(doc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--duration", type=int, default=15, help="seconds per endpoint and store")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--batch", type=int, default=20, help="profiles per ingest request")
    ap.add_argument("--pg-workers", type=int, default=2, help="extra PostgreSQL run with N workers")
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 0
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="spycatcher-bench-svc-") as tmp:
        rows += bench_backend("SQLite", f"sqlite:///{tmp}/bench.db", args, 1)
    with postgres() as pg:
        if pg is None:
            print("PostgreSQL binaries not found: PostgreSQL rows skipped", file=sys.stderr)
        else:
            rows += bench_backend("PostgreSQL", pg, args, 1)
            if args.pg_workers > 1:
                rows += bench_backend("PostgreSQL", pg, args, args.pg_workers)
    load = os.getloadavg()[0]
    text = (
        f"`python bench/bench_service.py --duration {args.duration} --write`: "
        f"`spycatcher serve` (uvicorn) on 127.0.0.1, driven by wrk (1 thread, "
        f"{args.connections} connections, {args.duration} s per row) on the same machine "
        f"({machine()}; load average {load:.1f} when the run ended: the machine is shared, so "
        "treat requests/s and latency as lower bounds; the server's CPU time per request, read "
        "from "
        "/proc, does not depend on the load and gives the ceiling: 1000 / (CPU ms) requests/s "
        "per core). `check` runs every detector and the zero-shot scorer on one "
        "profile and message; ingest stores each batch of new profiles, re-scores them with the "
        "store's context and triages them into cases, and writes an audit entry per request.\n\n"
        + table(rows)
    )
    print(text)
    if args.write:
        write_section(text, ROOT / "BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
