"""The audit trail is append-only in effect: any edit or deletion is detected, by the library, the
API and ``spycatcher audit verify``; concurrent appends still form one chain."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import delete, text, update
from typer.testing import CliRunner

from spycatcher.cli import app as cli_app
from spycatcher.review import audit
from spycatcher.review.base import transaction
from spycatcher.store import Store
from spycatcher.store.review import AuditHeadRow, AuditRow

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _store_with_entries(db_url: str, n: int = 6) -> Store:
    store = Store(db_url)
    for i in range(n):
        with transaction(store) as s:
            audit.append(
                s,
                actor="key:abc",
                action="case.decided.fake",
                now=NOW,
                subject=f"p_{i}",
                reason=f"reason {i}",
                details={"case_id": i, "score": 0.1 * i},
            )
    return store


def test_an_intact_chain_verifies_and_anchors(db_url):
    store = _store_with_entries(db_url)
    v = audit.verify(store)
    assert v.ok and v.entries == 6 and v.head_seq == 6
    h = audit.head(store)
    assert audit.verify(store, anchor=(h["seq"], h["hash"])).ok
    assert not audit.verify(store, anchor=(3, "0" * 64)).ok
    store.close()


def test_editing_an_entry_is_detected(db_url):
    store = _store_with_entries(db_url)
    with store.engine.begin() as conn:
        conn.execute(update(AuditRow).where(AuditRow.seq == 3).values(reason="nothing happened"))
    v = audit.verify(store)
    assert not v.ok
    assert v.problems[0]["seq"] == 3 and "edited" in v.problems[0]["problem"]
    store.close()


def test_rewriting_an_entry_with_a_fresh_hash_breaks_the_next_link(db_url):
    store = _store_with_entries(db_url)
    with store.session() as s:
        row = s.get(AuditRow, 2)
        forged = audit.entry_hash(
            row.seq, row.at, row.actor, "case.decided.genuine", row.subject, row.reason,
            row.details, row.prev_hash,
        )  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(
            update(AuditRow)
            .where(AuditRow.seq == 2)
            .values(action="case.decided.genuine", hash=forged)
        )
    v = audit.verify(store)
    assert [p["seq"] for p in v.problems] == [3]
    store.close()


def test_deleting_an_entry_in_the_middle_is_detected(db_url):
    store = _store_with_entries(db_url)
    with store.engine.begin() as conn:
        conn.execute(delete(AuditRow).where(AuditRow.seq == 4))
    v = audit.verify(store)
    assert not v.ok
    assert {p["seq"] for p in v.problems} == {4, 5}  # a gap, and a broken link after it
    store.close()


def test_deleting_the_newest_entry_is_detected(db_url):
    store = _store_with_entries(db_url)
    with store.engine.begin() as conn:
        conn.execute(delete(AuditRow).where(AuditRow.seq == 6))
    v = audit.verify(store)
    assert not v.ok and "newest entries deleted" in v.problems[0]["problem"]
    store.close()


def test_truncating_the_tail_and_the_head_together_is_caught_by_an_anchor(db_url):
    store = _store_with_entries(db_url)
    anchor = audit.head(store)
    with store.engine.begin() as conn:
        conn.execute(delete(AuditRow).where(AuditRow.seq >= 5))
        prev = conn.execute(text("SELECT hash FROM audit_log WHERE seq = 4")).scalar_one()
        conn.execute(update(AuditHeadRow).values(seq=4, hash=prev))
    assert audit.verify(store).ok  # a consistent truncation fools the chain alone...
    v = audit.verify(store, anchor=(anchor["seq"], anchor["hash"]))
    assert not v.ok  # ...but not a published anchor
    store.close()


def test_cli_audit_verify_exit_codes(db_url):
    store = _store_with_entries(db_url)
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["audit", "verify", "--db", db_url])
    assert ok.exit_code == 0, ok.output
    with store.engine.begin() as conn:
        conn.execute(update(AuditRow).where(AuditRow.seq == 1).values(actor="key:someone-else"))
    bad = runner.invoke(cli_app, ["audit", "verify", "--db", db_url])
    assert bad.exit_code == 1
    assert "BROKEN" in bad.output and "entry 1" in bad.output
    store.close()


def test_concurrent_appends_form_one_chain(db_url):
    store = Store(db_url)

    def work(k: int) -> None:
        for i in range(15):
            with transaction(store) as s:
                audit.append(s, actor=f"key:{k}", action="x", now=NOW, details={"i": i})

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    v = audit.verify(store)
    assert v.ok, v.problems
    assert v.entries == 60
    store.close()
