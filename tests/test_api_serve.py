"""``spycatcher serve`` really serves: a subprocess on a loopback port answers health, check and
the OpenAPI schema with a key made by ``spycatcher keys create``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from review_helpers import FAKE, LURE

BIN = Path(sys.executable).parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_on_loopback(tmp_path):
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    made = subprocess.run(
        [str(BIN / "spycatcher"), "keys", "create", "--role", "member", "--member", "linkedin:me",
         "--db", db],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    key = made.stdout.strip()
    assert key.startswith("sc_")
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPYCATCHER_WEBHOOK")}
    proc = subprocess.Popen(
        [str(BIN / "spycatcher"), "serve", "--port", str(port), "--db", db,
         "--log-level", "warning"],
        env=env, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                    assert json.loads(r.read())["status"] == "ok"
                    break
            except OSError:
                assert proc.poll() is None, "spycatcher serve exited"
                assert time.time() < deadline, "spycatcher serve did not start"
                time.sleep(0.3)
        body = json.dumps({"profile": FAKE, "message": LURE.format(name="Ann")}).encode()
        req = urllib.request.Request(
            f"{base}/check",
            data=body,
            headers={"Content-Type": "application/json", "X-API-Key": key},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            verdict = json.loads(r.read())
        assert verdict["level"] == "high"
        assert [s["step"] for s in verdict["what_to_do"]] == [
            "Recognise", "Realise", "Report", "Remove",
        ]  # fmt: skip
        req = urllib.request.Request(f"{base}/queue", headers={"X-API-Key": key})
        try:
            urllib.request.urlopen(req, timeout=10)
            raise AssertionError("a member reached the queue")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
        with urllib.request.urlopen(f"{base}/openapi.json", timeout=10) as r:
            assert "/cases/{case_id}/decision" in json.loads(r.read())["paths"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
