"""Shared fixtures. Storage tests run on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started here, once per test session, from the PostgreSQL binaries on the
machine (initdb + pg_ctl into a temporary folder, listening on loopback only); ``.ci/run`` installs
Debian's postgresql when they are missing. Outside CI a machine without PostgreSQL skips those
tests; in CI (CI=true) a missing component is a failure, never a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(component: str) -> None:
    """Skip for a missing component on a developer machine; fail in CI."""
    if IN_CI:
        pytest.fail(f"{component} is required in CI but missing", pytrace=False)
    pytest.skip(f"{component} not available")


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    cands = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return cands[-1] if cands else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database URL: $SPYCATCHER_TEST_PG_URL, or a throw-away local server."""
    given = os.environ.get("SPYCATCHER_TEST_PG_URL")
    if given:
        yield given
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        missing("PostgreSQL (initdb, pg_ctl)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg")
    tmp = Path(tempfile.mkdtemp(prefix="spycatcher-pg-"))
    data = tmp / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as an unprivileged user
        user = "nobody"
        pw = pwd.getpwnam(user)
        os.chmod(tmp, 0o755)
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", user, "--"]
    port = _free_port()
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c fsync=off"
    subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-o", opts, "-l", str(tmp / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    try:
        deadline = time.time() + 20
        import psycopg

        while True:
            try:
                with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres"):
                    break
            except psycopg.OperationalError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True
        )
        shutil.rmtree(tmp, ignore_errors=True)


_db_counter = 0


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on SQLite and on PostgreSQL (each test gets its own)."""
    global _db_counter
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = request.getfixturevalue("pg_url")
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(base)
    _db_counter += 1
    name = f"t{os.getpid()}_{_db_counter}"
    conninfo = f"host={u.host} port={u.port} user={u.username} dbname={u.database}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield u.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CHROMIUM = os.environ.get("SPYCATCHER_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (one browser per test process; ``make system-deps``
    installs it). Tests open their own pages with ``chromium.new_context()``."""
    if not Path(CHROMIUM).exists():
        missing(f"Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            browser.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many storage tests ran on each database, so a log run with -q shows that the
    PostgreSQL half ran (and did not skip) as well as the SQLite half."""
    counts: dict[str, dict[str, int]] = {"sqlite": {}, "postgresql": {}}
    for outcome in ("passed", "failed", "error", "skipped"):
        for rep in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(rep, "nodeid", "")
            if not nodeid.endswith("]") or "[" not in nodeid:
                continue
            params = nodeid[nodeid.rindex("[") + 1 : -1].split("-")
            for db in counts:
                if db in params:
                    counts[db][outcome] = counts[db].get(outcome, 0) + 1
    if not any(counts.values()):
        return
    parts = []
    for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        got = ", ".join(f"{n} {k}" for k, n in sorted(counts[db].items())) or "none"
        parts.append(f"{label}: {got}")
    terminalreporter.write_line("storage tests by database: " + "; ".join(parts))
