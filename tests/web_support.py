"""Helpers for the web page tests: sign in through the form, and a live server for the browser.

The live server is the real app (``create_app``) under uvicorn on a loopback port in a thread,
over a fresh store, so Playwright drives exactly what ``spycatcher serve`` serves.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi.testclient import TestClient

from spycatcher.api.app import create_app
from spycatcher.api.auth import create_key

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "the page has no CSRF token"
    return m.group(1)


def sign_in(client: TestClient, key: str) -> None:
    """Sign ``client`` in through the login form (the cookie stays in the client)."""
    r = client.get("/login")
    assert r.status_code == 200, r.text
    r = client.post(
        "/login",
        data={"api_key": key, "csrf_token": csrf_from(r.text), "next": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    base: str
    app: Any
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> Any:
        return self.app.state.store

    def key(self, name: str, role: str, member: str | None = None) -> str:
        subject = ("linkedin", member) if member else None
        k, _ = create_key(self.store, role, name=name, subject=subject)
        self.keys[name] = k
        return k


@contextmanager
def live_server(db_url: str, **kw: Any) -> Iterator[Live]:
    """The app under uvicorn on 127.0.0.1 in a thread, with a reviewer and an admin key."""
    kw.setdefault("start_outbox", False)
    app = create_app(db_url, **kw)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        assert thread.is_alive(), "the server thread died"
        assert time.time() < deadline, "the server did not start"
        time.sleep(0.05)
    live = Live(f"http://127.0.0.1:{port}", app)
    live.key("reviewer", "reviewer")
    live.key("admin", "admin")
    try:
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        app.state.store.close()


def browser_sign_in(page: Any, base: str, key: str) -> None:
    """Sign in through the real form in the browser."""
    page.goto(f"{base}/login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
