"""The web pages' foundation: security headers, sign-in and sessions, CSRF, vendored assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from review_helpers import running
from web_support import browser_sign_in, csrf_from, live_server, sign_in

from spycatcher.api.auth import revoke_key
from spycatcher.web.security import CSP, SESSION_SECONDS, SessionSigner

WEB = Path(__file__).resolve().parents[1] / "spycatcher" / "web"


def test_pages_send_a_strict_content_security_policy(tmp_path):
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        r = svc.client.get("/login")
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert csp == CSP
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
        css = svc.client.get("/static/app.css")
        assert css.status_code == 200 and "text/css" in css.headers["content-type"]
        assert "content-security-policy" in css.headers


def test_sign_in_sets_a_signed_httponly_strict_cookie_and_audits_it(tmp_path):
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        r = svc.client.get("/login")
        token = csrf_from(r.text)
        bad = svc.client.post("/login", data={"api_key": "sc_nope_x", "csrf_token": token})
        assert bad.status_code == 401 and "not recognised" in bad.text
        r = svc.client.post(
            "/login",
            data={"api_key": svc.keys["reviewer"], "csrf_token": token, "next": ""},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/console"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert svc.keys["reviewer"].split("_", 2)[2] not in cookie  # never the secret
        actions = [e["action"] for e in svc.service.audit_entries(limit=1000)]
        assert "web.signed_in" in actions


def test_login_without_csrf_token_is_refused(tmp_path):
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        r = svc.client.post("/login", data={"api_key": svc.keys["reviewer"]})
        assert r.status_code == 403 and "expired" in r.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil", ""])
def test_sign_in_never_redirects_off_site(tmp_path, target):
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        token = csrf_from(svc.client.get("/login").text)
        r = svc.client.post(
            "/login",
            data={"api_key": svc.keys["admin"], "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/console"


def test_revoking_the_key_ends_the_browser_session(tmp_path):
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        sign_in(svc.client, svc.keys["reviewer"])
        assert svc.client.get("/", follow_redirects=False).headers["location"] == "/console"
        key_id = svc.keys["reviewer"].split("_")[1]
        revoke_key(svc.store, key_id)
        assert svc.client.get("/", follow_redirects=False).headers["location"] == "/checker"


def test_sign_out_clears_the_session(tmp_path):
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        sign_in(svc.client, svc.keys["reviewer"])
        page = svc.client.get("/login")
        r = svc.client.post(
            "/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
        )
        assert r.status_code == 303
        assert svc.client.get("/", follow_redirects=False).headers["location"] == "/checker"


def test_session_signer_rejects_forgeries_and_expired_cookies():
    signer = SessionSigner("k1")
    cookie = signer.issue("abc123", now=1000.0)
    assert signer.key_id(cookie, now=1001.0) == "abc123"
    assert signer.key_id(cookie, now=1000.0 + SESSION_SECONDS + 1) is None
    assert SessionSigner("k2").key_id(cookie, now=1001.0) is None
    key_id, expires, nonce, mac = cookie.split(".")
    assert signer.key_id(f"admin1.{expires}.{nonce}.{mac}", now=1001.0) is None
    assert signer.key_id(f"{key_id}.9999999999.{nonce}.{mac}", now=1001.0) is None
    assert signer.key_id("garbage", now=1001.0) is None
    assert signer.csrf_ok(cookie, signer.csrf_token(cookie))
    assert not signer.csrf_ok(cookie, signer.csrf_token(None))
    assert not signer.csrf_ok(cookie, "")


def test_no_page_or_asset_refers_to_another_origin():
    """Every asset is vendored: templates and static files name no remote origin."""
    remote = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.I)
    css_remote = re.compile(r"""url\(\s*["']?(?:https?:)?//|@import""", re.I)
    for path in [*WEB.glob("templates/**/*.html"), *WEB.glob("static/**/*")]:
        if path.is_dir() or path.suffix in (".png", ".woff2"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not remote.search(text), f"{path.name} loads from another origin"
        assert not css_remote.search(text), f"{path.name} loads from another origin"
        if path.suffix == ".html":
            assert "<script>" not in text and " style=" not in text, f"inline code in {path.name}"
            assert "|safe" not in text.replace(" ", ""), f"{path.name} marks a value safe"


def test_sign_in_in_a_real_browser(tmp_path, chromium):
    with live_server(f"sqlite:///{tmp_path / 'w.db'}") as live:
        ctx = chromium.new_context()
        page = ctx.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live.base}/login")
        assert page.title() == "Sign in · spycatcher"
        page.keyboard.press("Tab")  # the skip link comes first
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        browser_sign_in(page, live.base, live.keys["reviewer"])
        cookies = {c["name"]: c for c in ctx.cookies()}
        assert cookies["spycatcher_session"]["httpOnly"] is True
        assert cookies["spycatcher_session"]["sameSite"] == "Strict"
        assert not [e for e in errors if "Content Security Policy" in e], errors
        ctx.close()
