"""The outbox: the platform's webhook is down, actions queue; it comes back; every action arrives
exactly once, signed, in order per profile. A real HTTP receiver on a loopback port."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from review_helpers import FAKE, MEMBERS, approach_events, running
from sqlalchemy import select

from spycatcher.review.actions import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Deliverer,
    WebhookConfig,
    sign,
    verify_signature,
)
from spycatcher.store.review import ActionRow

SECRET = "platform-shared-secret"


class Receiver:
    """The platform's side: verifies each signature, records what arrived, answers 200."""

    def __init__(self, port: int, status: int = 200):
        self.port = port
        self.status = status
        self.received: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ok = verify_signature(
                    SECRET,
                    self.headers.get(TIMESTAMP_HEADER),
                    self.headers.get(SIGNATURE_HEADER),
                    body,
                )
                with receiver.lock:
                    if not ok:
                        receiver.bad_signatures += 1
                    receiver.received.append(
                        {"key": self.headers.get(IDEMPOTENCY_HEADER), "body": orjson.loads(body)}
                    )
                self.send_response(receiver.status if ok else 401)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_signature_round_trip_and_rejections():
    body = b'{"id": "a1"}'
    ts = int(time.time())
    header = sign(SECRET, ts, body)
    assert verify_signature(SECRET, str(ts), header, body)
    assert not verify_signature(SECRET, str(ts), header, body + b" ")  # altered body
    assert not verify_signature("other", str(ts), header, body)  # wrong secret
    assert not verify_signature(SECRET, str(ts - 3600), sign(SECRET, ts - 3600, body), body)
    assert not verify_signature(SECRET, None, header, body)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _remove_fakes(svc: Any, n: int) -> None:
    """Ingest n fakes that approached the members, and decide each 'fake' (remove)."""
    fakes = [{**FAKE, "id": f"fake{i}", "name": f"Fake {i}"} for i in range(n)]
    events = []
    for i in range(n):
        for e in approach_events():
            if e["actor"] == "fake1":
                events.append({**e, "id": f"{e['id']}-{i}", "actor": f"fake{i}"})
    svc.client.post("/ingest/profiles", json=[*MEMBERS, *fakes], headers=svc.h("admin"))
    svc.client.post("/ingest/events", json=events, headers=svc.h("admin"))
    queue = svc.client.get("/queue?limit=100", headers=svc.h("reviewer")).json()
    assert len(queue) == n
    for case in queue:
        svc.client.post(f"/cases/{case['id']}/claim", headers=svc.h("reviewer"))
        r = svc.client.post(
            f"/cases/{case['id']}/decision",
            json={"decision": "fake", "reason": "lures", "action": "remove"},
            headers=svc.h("reviewer"),
        )
        assert r.status_code == 200, r.text


def test_webhook_down_then_up_every_action_arrives_exactly_once(db_url):
    port = free_port()
    clock = Clock()
    cfg = WebhookConfig(url=f"http://127.0.0.1:{port}/hook", secret=SECRET, timeout=2.0)
    with running(db_url, webhook_config=cfg, clock=clock) as svc:
        _remove_fakes(svc, 3)
        with svc.store.session() as s:
            queued = list(s.scalars(select(ActionRow).order_by(ActionRow.seq)))
        assert len(queued) == 6  # remove + notify per fake
        ids = {a.id for a in queued}

        # the platform is down: nothing is lost, every action waits with a retry scheduled
        deliverer: Deliverer = svc.app.state.deliverer
        report = deliverer.deliver_due()
        assert report.delivered == 0 and report.failed == 3  # one per profile; the rest wait
        assert report.waiting == 3
        with svc.store.session() as s:
            rows = list(s.scalars(select(ActionRow)))
        assert all(a.status == "pending" for a in rows)
        tried = [a for a in rows if a.attempts]
        assert all(a.last_error and a.next_attempt_at for a in tried)
        assert deliverer.deliver_due().delivered == 0  # not due yet: backoff holds
        clock.now += timedelta(seconds=7)
        assert deliverer.deliver_due().failed == 3  # due again, still down

        # the platform comes back on the same port
        with Receiver(port) as platform:
            clock.now += timedelta(minutes=5)
            total = 0
            for _ in range(3):
                total += deliverer.deliver_due().delivered
            assert total == 6
            for _ in range(2):  # later rounds send nothing again
                assert deliverer.deliver_due().delivered == 0
            got = platform.received
        assert platform.bad_signatures == 0
        keys = [g["key"] for g in got]
        assert sorted(keys) == sorted(ids) and len(keys) == len(set(keys))
        assert all(g["body"]["id"] == g["key"] for g in got)
        for i in range(3):  # per profile: the removal arrives before the notifications
            mine = [g["body"]["action"] for g in got if g["body"]["profile_id"] == f"fake{i}"]
            assert mine == ["remove", "notify"]
        notify = next(g["body"] for g in got if g["body"]["action"] == "notify")
        assert {n["member_id"] for n in notify["notifications"]} == {"alice", "bob", "carol"}
        with svc.store.session() as s:
            assert {a.status for a in s.scalars(select(ActionRow))} == {"delivered"}
        audit = svc.client.get("/admin/audit?limit=1000", headers=svc.h("admin")).json()
        assert sum(e["action"] == "action.delivered" for e in audit) == 6


def test_concurrent_deliverers_send_each_action_once(db_url):
    port = free_port()
    cfg = WebhookConfig(url=f"http://127.0.0.1:{port}/hook", secret=SECRET, timeout=5.0)
    with running(db_url, webhook_config=cfg) as svc:
        _remove_fakes(svc, 4)
        with Receiver(port) as platform:
            workers = [Deliverer(svc.store, cfg) for _ in range(3)]

            def run(d: Deliverer) -> None:
                for _ in range(4):
                    d.deliver_due()

            threads = [threading.Thread(target=run, args=(d,)) for d in workers]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            keys = [g["key"] for g in platform.received]
        assert len(keys) == 8 and len(set(keys)) == 8


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_background_worker_delivers_without_being_asked(db_url):
    port = free_port()
    cfg = WebhookConfig(
        url=f"http://127.0.0.1:{port}/hook",
        secret=SECRET,
        timeout=2.0,
        base_delay=timedelta(milliseconds=100),
    )
    with Receiver(port) as platform:
        with running(db_url, webhook_config=cfg, start_outbox=True, outbox_interval=0.1) as svc:
            _remove_fakes(svc, 1)
            deadline = time.time() + 20
            while len(platform.received) < 2 and time.time() < deadline:
                time.sleep(0.1)
        assert [g["body"]["action"] for g in platform.received] == ["remove", "notify"]


def test_an_action_the_platform_keeps_refusing_goes_dead_until_an_admin_retries(db_url):
    port = free_port()
    clock = Clock()
    cfg = WebhookConfig(
        url=f"http://127.0.0.1:{port}/hook", secret=SECRET, timeout=2.0, max_attempts=3
    )
    with running(db_url, webhook_config=cfg, clock=clock) as svc:
        _remove_fakes(svc, 1)
        deliverer: Deliverer = svc.app.state.deliverer
        with Receiver(port, status=500) as platform:
            dead = 0
            for _ in range(3):
                dead += deliverer.deliver_due().dead
                clock.now += timedelta(hours=2)
            assert dead == 1 and len(platform.received) == 3  # the removal, tried 3 times
            platform.status = 200
            assert deliverer.deliver_due().delivered == 0  # dead actions wait for a person
            dead_rows = svc.client.get("/admin/outbox?status=dead", headers=svc.h("admin")).json()
            assert [a["action"] for a in dead_rows] == ["remove"]
            assert dead_rows[0]["last_error"] == "HTTP 500"
            r = svc.client.post(f"/admin/outbox/{dead_rows[0]['id']}/retry", headers=svc.h("admin"))
            assert r.status_code == 200 and r.json()["status"] == "pending"
            assert deliverer.deliver_due().delivered == 2  # the removal, then the notifications
            assert [g["body"]["action"] for g in platform.received[3:]] == ["remove", "notify"]
