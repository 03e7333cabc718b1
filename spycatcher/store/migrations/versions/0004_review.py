"""Service: API keys, reports, cases, decisions, outbox, appeals, notifications, audit log.

Revision ID: 0004_review
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_review"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
#: the previous-hash of the first audit entry
GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("subject_platform", sa.String(100)),
        sa.Column("subject_id", sa.String(1000)),
        sa.Column("can_see_reporters", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("revoked_at", TZ),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("profile_id", sa.String(1000), nullable=False),
        sa.Column("reporter", sa.String(1000), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("platform", "profile_id", "reporter", name="uq_reports_once"),
    )
    op.create_index("ix_reports_reporter_at", "reports", ["platform", "reporter", "created_at"])
    op.create_index("ix_reports_created", "reports", ["created_at"])
    op.create_table(
        "profile_status",
        sa.Column("platform", sa.String(100), primary_key=True),
        sa.Column("profile_id", sa.String(1000), primary_key=True),
        sa.Column("label", sa.String(20)),
        sa.Column("decided_at", TZ),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("enforcement", sa.String(20)),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("profile_id", sa.String(1000), nullable=False),
        sa.Column("open_key", sa.String(1200), unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("triggers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("report_weight", sa.Float(), nullable=False),
        sa.Column("intel_matches", sa.Integer(), nullable=False),
        sa.Column("sensitivity", sa.Float(), nullable=False),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("closed_at", TZ),
        sa.Column("assignee", sa.String(100)),
        sa.Column("lease_until", TZ),
        sa.Column("outcome", sa.String(20)),
    )
    op.create_index("ix_cases_profile", "cases", ["platform", "profile_id"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("profile_id", sa.String(1000), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.Column("case_id", sa.Integer()),
        sa.Column("source", sa.String(20), nullable=False),
    )
    op.create_index("ix_decisions_profile", "decisions", ["platform", "profile_id", "decided_at"])
    op.create_table(
        "actions",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("profile_id", sa.String(1000), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Integer()),
        sa.Column("appeal_id", sa.Integer()),
        sa.Column("reverses", sa.String(32)),
        sa.Column("reversed_by", sa.String(32)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("delivered_at", TZ),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", TZ),
    )
    op.create_index("ix_actions_due", "actions", ["status", "next_attempt_at"])
    op.create_index("ix_actions_profile", "actions", ["platform", "profile_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("member_id", sa.String(1000), nullable=False),
        sa.Column("profile_id", sa.String(1000), nullable=False),
        sa.Column("case_id", sa.Integer()),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_notifications_member", "notifications", ["platform", "member_id"])
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("profile_id", sa.String(1000), nullable=False),
        sa.Column("open_key", sa.String(1200), unique=True),
        sa.Column("appellant", sa.String(1000), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("original_reviewer", sa.String(100)),
        sa.Column("case_id", sa.Integer()),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("decided_at", TZ),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("reason", sa.Text()),
    )
    op.create_index("ix_appeals_profile", "appeals", ["platform", "profile_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("reason", sa.Text()),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "pseudonyms",
        sa.Column("platform", sa.String(100), primary_key=True),
        sa.Column("subject_id", sa.String(1000), primary_key=True),
        sa.Column("token", sa.String(40), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "pseudonyms",
        "audit_head",
        "audit_log",
        "appeals",
        "notifications",
        "actions",
        "decisions",
        "case_events",
        "cases",
        "profile_status",
        "reports",
        "api_keys",
    ):
        op.drop_table(table)
