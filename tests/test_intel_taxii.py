"""TAXII 2.1 both ways, against real peers started here on loopback:

* pull: the OASIS reference server medallion (memory backend) in a subprocess, written to with
  taxii2-client and read by spycatcher's puller, page by page and incrementally;
* serve: spycatcher's read-only collection (a FastAPI router under uvicorn in a thread), read with
  taxii2-client as the client, and by spycatcher's own puller.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import missing
from fastapi import FastAPI, HTTPException, Request
from intel_fixtures import IND_RACHEL, indicator, persona_bundle

from spycatcher.intel.outbox import record
from spycatcher.intel.stix_export import Finding, build_bundle
from spycatcher.intel.taxii_client import TaxiiError, pull
from spycatcher.intel.taxii_server import COLLECTION_ID, MEDIA_TYPE, make_taxii_router
from spycatcher.store import Store
from spycatcher.store.intel import IntelRepository

MEDALLION_COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, auth: Any = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, auth=auth, headers={"Accept": MEDIA_TYPE}, timeout=2)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def medallion(tmp_path: Path) -> Iterator[str]:
    """A medallion TAXII 2.1 server on a free loopback port; yields its discovery URL."""
    if importlib.util.find_spec("medallion") is None:
        missing("medallion (OASIS TAXII 2.1 reference server)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    data = {
        "/discovery": {
            "title": "medallion under test",
            "default": f"{base}/api1/",
            "api_roots": [f"{base}/api1/"],
        },
        "api1": {
            "information": {
                "title": "api1",
                "versions": [MEDIA_TYPE],
                "max_content_length": 10_000_000,
            },
            "status": [],
            "collections": [
                {
                    "id": MEDALLION_COLLECTION,
                    "title": "partner personas",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    (tmp_path / "data.json").write_text(json.dumps(data), encoding="utf-8")
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(tmp_path / "data.json"),
        },
        "users": {"partner": "s3cret"},
        "taxii": {"max_page_size": 100},
    }
    (tmp_path / "medallion.json").write_text(json.dumps(config), encoding="utf-8")
    log = open(tmp_path / "medallion.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from medallion.scripts.run import main; main()",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            str(tmp_path / "medallion.json"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"{base}/taxii2/", auth=("partner", "s3cret"))
        yield f"{base}/taxii2/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _push(discovery: str, objects: list[dict[str, Any]]) -> None:
    from taxii2client.v21 import Server

    server = Server(discovery, user="partner", password="s3cret")
    coll = next(c for c in server.api_roots[0].collections if c.id == MEDALLION_COLLECTION)
    status = coll.add_objects(
        json.dumps(
            {
                "type": "bundle",
                "id": "bundle--6a0f1e52-3f60-4d0e-9b8a-3a2a9c1f0b11",
                "objects": objects,
            }
        )
    )
    assert status.status == "complete"
    time.sleep(0.01)  # date_added must move on between pushes


def test_pull_from_medallion_pages_and_increments(medallion: str, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'pull.db'}")
    objects = persona_bundle()["objects"]
    bad = indicator("indicator--bad00000-0009-4000-8000-000000000009", "broken", "[url:value =")
    _push(medallion, [*objects, bad])

    res = pull(
        store, medallion, MEDALLION_COLLECTION, user="partner", password="s3cret", per_request=4
    )
    assert res.pages >= 4  # paged with limit / next
    assert res.report.read == len(objects) + 1
    assert res.report.accepted == len(objects)
    assert [r.id for r in res.report.rejected] == [
        "indicator--bad00000-0009-4000-8000-000000000009"
    ]
    assert res.last_added
    ids = {r.stix_id for r in IntelRepository(store).latest_objects()}
    assert IND_RACHEL in ids
    rows = {r.stix_id: r for r in IntelRepository(store).latest_objects()}
    assert rows[IND_RACHEL].source == f"taxii:{medallion}#{MEDALLION_COLLECTION}"

    # nothing new: the next pull asks only for objects added after the last one seen
    again = pull(store, medallion, MEDALLION_COLLECTION, user="partner", password="s3cret")
    assert again.added_after == res.last_added
    assert again.report.read == 0

    # one new object: only it is fetched
    newer = indicator(
        "indicator--a1b2c3d4-0077-4000-8000-000000000077",
        "New persona",
        "[user-account:account_login = 'new-persona']",
    )
    _push(medallion, [newer])
    third = pull(store, medallion, MEDALLION_COLLECTION, user="partner", password="s3cret")
    assert third.report.read == 1 and third.report.new == 1

    # wrong credentials and unknown collections are clear errors
    with pytest.raises(TaxiiError):
        pull(store, medallion, MEDALLION_COLLECTION, user="partner", password="wrong")
    with pytest.raises(TaxiiError, match="not found"):
        pull(
            store,
            medallion,
            "00000000-0000-4000-8000-000000000000",
            user="partner",
            password="s3cret",
        )


# -- serving -----------------------------------------------------------------------------------


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


def require_partner_key(request: Request) -> None:
    """Stands in for the service's API-key check (role intel-partner)."""
    if request.headers.get("authorization") != "Bearer partner-key":
        raise HTTPException(status_code=401, detail="an intel-partner API key is required")


def _serve(store: Store, auth: bool = False) -> tuple[Any, threading.Thread, str]:
    import uvicorn

    app = FastAPI()
    app.include_router(
        make_taxii_router(lambda: store, require_partner_key if auth else None), prefix="/taxii2"
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}/taxii2/"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    if importlib.util.find_spec("uvicorn") is None:
        missing("uvicorn")
    store = Store(f"sqlite:///{tmp_path / 'serve.db'}")
    server, thread, url = _serve(store)
    try:
        yield store, url
    finally:
        server.should_exit = True
        thread.join(10)


T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _publish(store: Store, ids: range, now: datetime) -> list[dict[str, Any]]:
    findings = [Finding(f"p{i:03d}", name=f"Persona {i}", score=0.9, level="high") for i in ids]
    res = build_bundle(findings, now=now)
    old = {
        sid: r.raw
        for sid, r in IntelRepository(store)
        .export_rows([o["id"] for o in res.bundle["objects"]])
        .items()
    }
    record(store, res.bundle["objects"], old, now)
    return res.bundle["objects"]


def test_serve_read_with_taxii2_client(served: tuple[Store, str], tmp_path: Path) -> None:
    from taxii2client.v21 import Server, as_pages

    store, url = served
    first = _publish(store, range(5), T1)
    server = Server(url)
    assert server.title == "spycatcher"
    [root] = server.api_roots
    [coll] = root.collections
    assert coll.id == COLLECTION_ID and coll.can_read and not coll.can_write

    pages = list(as_pages(coll.get_objects, per_request=7))
    got = [o for p in pages for o in p.get("objects", [])]
    assert len(pages) == -(-len(first) // 7)
    assert sorted(o["id"] for o in got) == sorted(o["id"] for o in first)
    assert all(p["more"] for p in pages[:-1]) and not pages[-1]["more"]

    # filters
    inds = coll.get_objects(type="indicator")["objects"]
    assert {o["type"] for o in inds} == {"indicator"} and len(inds) == 5
    one = coll.get_object(inds[0]["id"])["objects"]
    assert one == [inds[0]]
    assert coll.object_versions(inds[0]["id"])["versions"] == [inds[0]["modified"]]
    manifest = coll.get_manifest(type="indicator")["objects"]
    assert {m["id"] for m in manifest} == {o["id"] for o in inds}

    # objects added later are all that added_after returns
    later = T1 + timedelta(hours=1)
    second = _publish(store, range(5, 7), later)
    new_ids = {o["id"] for o in second} - {o["id"] for o in first}
    assert new_ids
    after = coll.get_objects(added_after=T1 + timedelta(minutes=1))
    assert {o["id"] for o in after["objects"]} == new_ids

    # spycatcher's own puller reads the served collection, then only what is new
    partner = Store(f"sqlite:///{tmp_path / 'partner.db'}")
    res = pull(partner, url, COLLECTION_ID, per_request=10)
    assert res.report.rejected == []
    assert res.report.accepted == len({o["id"] for o in first + second})
    _publish(store, range(7, 8), later + timedelta(hours=1))
    res2 = pull(partner, url, COLLECTION_ID)
    assert 0 < res2.report.read < res.report.read


def test_serve_protocol_errors(served: tuple[Store, str]) -> None:
    store, url = served
    _publish(store, range(2), T1)
    objects_url = f"{url}spycatcher/collections/{COLLECTION_ID}/objects/"
    ok = requests.get(objects_url, headers={"Accept": MEDIA_TYPE}, timeout=5)
    assert ok.status_code == 200 and ok.headers["content-type"] == MEDIA_TYPE
    assert ok.headers["X-TAXII-Date-Added-First"].startswith("2024-06-01T12:00:00")
    assert requests.get(objects_url, headers={"Accept": "text/html"}, timeout=5).status_code == 406
    post = requests.post(objects_url, headers={"Accept": MEDIA_TYPE}, json={}, timeout=5)
    assert post.status_code == 405
    bad = requests.get(objects_url, params={"next": "garbage!"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["title"] == "Bad next token"
    nope = requests.get(f"{url}spycatcher/collections/nope/objects/", timeout=5)
    assert nope.status_code == 404 and nope.headers["content-type"] == MEDIA_TYPE


def test_serve_requires_the_callers_auth(tmp_path: Path) -> None:
    from taxii2client.v21 import Server

    store = Store(f"sqlite:///{tmp_path / 'auth.db'}")
    _publish(store, range(2), T1)
    server, thread, url = _serve(store, auth=True)
    try:
        with pytest.raises(requests.HTTPError):
            Server(url).refresh()
        [coll] = Server(url, auth=_Bearer("partner-key")).api_roots[0].collections
        # the api root object made by Server shares the auth; objects come back
        assert len(coll.get_objects()["objects"]) > 0
    finally:
        server.should_exit = True
        thread.join(10)
