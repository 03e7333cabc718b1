"""Profiles, events, scan runs, assessments, campaigns.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("platform", sa.String(100), primary_key=True),
        sa.Column("profile_id", sa.String(1000), primary_key=True),
        sa.Column("name", sa.Text()),
        sa.Column("label", sa.String(20)),
        sa.Column("campaign", sa.String(1000)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("event_key", sa.String(1000), primary_key=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(1000), nullable=False),
        sa.Column("target", sa.String(1000), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_events_actor", "events", ["actor"])
    op.create_index("ix_events_target", "events", ["target"])
    op.create_table(
        "scan_runs",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("engine", sa.String(20), nullable=False),
        sa.Column("source", sa.Text()),
        sa.Column("scorer", sa.String(200), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "run_id",
            sa.String(64),
            sa.ForeignKey("scan_runs.run_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("profile_id", sa.String(1000), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("campaign_id", sa.String(64)),
    )
    op.create_index("ix_assessments_profile", "assessments", ["platform", "profile_id"])
    op.create_index("ix_assessments_run_score", "assessments", ["run_id", "score"])
    op.create_table(
        "campaigns",
        sa.Column(
            "run_id",
            sa.String(64),
            sa.ForeignKey("scan_runs.run_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("campaigns")
    op.drop_table("assessments")
    op.drop_table("scan_runs")
    op.drop_index("ix_events_target", "events")
    op.drop_index("ix_events_actor", "events")
    op.drop_table("events")
    op.drop_table("profiles")
