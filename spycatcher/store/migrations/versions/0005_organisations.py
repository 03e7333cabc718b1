"""Organisation mode: organisations, their officers, staff submissions and the approaches kept.

Revision ID: 0005_organisations
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_organisations"
down_revision = "0001"
branch_labels = ("organisations",)
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.UniqueConstraint("code_hash", name="uq_organisations_code"),
    )
    op.create_table(
        "org_officers",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("org_id", sa.String(32), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("added_at", TZ, nullable=False),
    )
    op.create_index("ix_org_officers_org_id", "org_officers", ["org_id"])
    op.create_table(
        "org_submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("org_id", sa.String(32), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("staff_label", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("erase_hash", sa.String(64)),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.UniqueConstraint("erase_hash", name="uq_org_submissions_erase"),
    )
    op.create_index("ix_org_submissions_org_id", "org_submissions", ["org_id"])
    op.create_index("ix_org_submissions_expires_at", "org_submissions", ["expires_at"])
    op.create_table(
        "org_approaches",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "submission_id",
            sa.String(32),
            sa.ForeignKey("org_submissions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("org_id", sa.String(32), nullable=False),
        sa.Column("sender_id", sa.String(1000), nullable=False),
        sa.Column("sender", sa.JSON(), nullable=False),
        sa.Column("invitations", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("first_at", TZ, nullable=False),
        sa.Column("last_at", TZ, nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
    )
    op.create_index("ix_org_approaches_submission_id", "org_approaches", ["submission_id"])
    op.create_index("ix_org_approaches_org_id", "org_approaches", ["org_id"])


def downgrade() -> None:
    op.drop_index("ix_org_approaches_org_id", table_name="org_approaches")
    op.drop_index("ix_org_approaches_submission_id", table_name="org_approaches")
    op.drop_table("org_approaches")
    op.drop_index("ix_org_submissions_expires_at", table_name="org_submissions")
    op.drop_index("ix_org_submissions_org_id", table_name="org_submissions")
    op.drop_table("org_submissions")
    op.drop_index("ix_org_officers_org_id", table_name="org_officers")
    op.drop_table("org_officers")
    op.drop_table("organisations")
