"""Threat-intelligence exchange: imported STIX objects, exported objects, TAXII feed state.

Revision ID: 0003_intel
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_intel"
down_revision = "0001"
branch_labels = ("intel",)
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "intel_objects",
        sa.Column("stix_id", sa.String(300), primary_key=True),
        sa.Column("version", sa.String(40), primary_key=True),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("spec_version", sa.String(10), nullable=False),
        sa.Column("created", TZ),
        sa.Column("modified", TZ),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("tlp", sa.String(20)),
        sa.Column("markings", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("added_at", TZ, nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("compiled", sa.JSON()),
    )
    op.create_index("ix_intel_objects_type", "intel_objects", ["type"])
    op.create_index("ix_intel_objects_added", "intel_objects", ["added_at"])
    op.create_table(
        "intel_exports",
        sa.Column("stix_id", sa.String(300), primary_key=True),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("spec_version", sa.String(10), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("date_added", TZ, nullable=False),
        sa.Column("tlp", sa.String(20)),
        sa.Column("raw", sa.JSON(), nullable=False),
    )
    op.create_index("ix_intel_exports_added", "intel_exports", ["date_added", "stix_id"])
    op.create_table(
        "intel_feeds",
        sa.Column("url", sa.String(1000), primary_key=True),
        sa.Column("collection", sa.String(300), primary_key=True),
        sa.Column("last_added", sa.String(40)),
        sa.Column("last_pulled", TZ),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text()),
    )


def downgrade() -> None:
    op.drop_table("intel_feeds")
    op.drop_index("ix_intel_exports_added", "intel_exports")
    op.drop_table("intel_exports")
    op.drop_index("ix_intel_objects_added", "intel_objects")
    op.drop_index("ix_intel_objects_type", "intel_objects")
    op.drop_table("intel_objects")
